"""A real HTTP server on 127.0.0.1 that records the webhooks it gets and answers as told."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0


@dataclass
class Received:
    at: float
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """Answers with `answers` in turn, then keeps answering with the last one."""

    answers: list = field(default_factory=lambda: [Answer()])
    received: list = field(default_factory=list)

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(
                    Received(at=time.monotonic(), headers=dict(self.headers), body=body)
                )
                answer = receiver.answers[min(len(receiver.received), len(receiver.answers)) - 1]
                time.sleep(answer.delay)
                self.send_response(answer.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def wait_for(self, count, *, timeout):
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the receiver got {len(self.received)} request(s), not {count}, "
                    f"within {timeout} s"
                )
            time.sleep(0.05)
        return self.received

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
