"""Request bodies over the site's limit are refused by a real uvicorn process before they are
read: nothing of them reaches Django's temporary file, and uploads under it still work."""

import http.client
import json
import secrets
import select
import socket
import sys

import pytest
from django.test import Client

from tests.processes import child_env, free_port, running, wait_for_port

MB = 1024 * 1024
RESUME = b"Ada Lovelace\nada@example.com\nAnalytical engineer with ten years of experience.\n"


@pytest.fixture
def web(transactional_db, tmp_path):
    """uvicorn on the test database, resumes limited to 1 MB (so requests to 2 MB), its
    temporary files in a directory of their own."""
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()
    port = free_port()
    args = [
        sys.executable, "-m", "uvicorn", "dashboard.asgi:application",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    env = child_env(RESUME_MAX_UPLOAD_MB=1, TMPDIR=temp_dir, MEDIA_ROOT=tmp_path / "media")
    with running(args, env=env, log_path=tmp_path / "web.log"):
        wait_for_port(port)
        yield port, temp_dir, tmp_path / "web.log"


def read_response(sock):
    """The status code and body of the HTTP/1.1 response on `sock` (the server closes it)."""
    sock.settimeout(20)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def test_a_50_mb_post_is_refused_from_its_content_length_before_any_of_it_is_sent(web):
    port, temp_dir, _log = web
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /candidates/upload/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/octet-stream\r\n"
            + f"Content-Length: {50 * MB}\r\n\r\n".encode()
        )
        # Not one byte of the body is sent: only a server that never waits for it answers.
        status, body = read_response(sock)

    assert status == 413
    assert "larger than the 2 MB the site accepts" in body
    assert "A resume can be at most 1 MB" in body
    assert list(temp_dir.iterdir()) == []


def test_a_streamed_body_is_cut_off_once_it_passes_the_limit(web):
    port, temp_dir, log = web
    chunk = f"{MB:x}\r\n".encode() + b"x" * MB + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /candidates/upload/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Accept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        while sent < 50 * MB and not select.select([sock], [], [], 0)[0]:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += MB
        try:
            status, body = read_response(sock)
        except ConnectionResetError:
            # The server closed with body bytes unread, so TCP may reset the connection
            # before the client reads the answer; uvicorn's access log still has it.
            status, body = None, None

    assert sent < 50 * MB
    assert '"POST /candidates/upload/ HTTP/1.1" 413' in log.read_text()
    if status is not None:
        assert status == 413
        assert "larger than the 2 MB the site accepts" in json.loads(body)["error"]
    assert list(temp_dir.iterdir()) == []


def upload_as(recruiter, port, name, content, content_type):
    """POST one file to the upload endpoint as the page's script does, signed in as `recruiter`."""
    client = Client()
    client.force_login(recruiter)
    token, boundary = secrets.token_hex(16), secrets.token_hex(16)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/candidates/upload/",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Accept": "application/json",
                "X-CSRFToken": token,
                "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}",
            },
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_an_upload_under_the_limit_still_works(web, recruiter):
    port, _temp_dir, _log = web

    status, answer = upload_as(recruiter, port, "resume.txt", RESUME, "text/plain")

    assert status == 201, answer
    assert answer["resume"]["original_name"] == "resume.txt"


def test_a_file_just_over_the_resume_limit_gets_the_resume_pages_own_message(web, recruiter):
    port, _temp_dir, _log = web

    status, answer = upload_as(recruiter, port, "big.txt", b"a" * int(1.5 * MB), "text/plain")

    assert status == 400
    assert answer["error"] == "The file is 1.5 MB; the limit is 1 MB."
