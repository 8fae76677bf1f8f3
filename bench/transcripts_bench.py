"""Latency from transcript_append to N WebSocket clients, through the real ASGI server.

    .venv/bin/python bench/transcripts_bench.py [--segments 40] [--clients 1,50,200]

Starts uvicorn serving dashboard.asgi on a bench database (created and migrated
here) and a Redis database of its own, connects N recruiter pages with a session
cookie, writes segments with `transcript_append` from this process, and times
each segment from the call to its arrival at every client. CPU is the server
process's user+system time per segment. Results go to bench/results/transcripts.*.
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
PG = os.environ.get("BENCH_PG", "postgres://interview:interview@127.0.0.1:5432")
os.environ.update(
    DATABASE_URL=f"{PG}/interview_bench",
    REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
    DOTENV="0",
    DEBUG="true",
    LOG_LEVEL="WARNING",
    DJANGO_SETTINGS_MODULE="dashboard.settings",
)


def ensure_database():
    import psycopg

    with psycopg.connect(f"{PG}/interview", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname='interview_bench'").fetchone():
            conn.execute("create database interview_bench")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=BASE, check=True, env=os.environ
    )


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * fraction))]


async def run(n_clients, segments, port, cookie, interview_id, server_pid):
    import aiohttp
    from channels.db import database_sync_to_async

    from agents.models import TranscriptSegment
    from agents.transcripts import transcript_append

    after = await database_sync_to_async(
        TranscriptSegment.objects.filter(interview_id=interview_id).count
    )()
    sent_at = {}
    latencies = []
    done = asyncio.Event()
    expected = n_clients * segments

    async def client(session):
        async with session.ws_connect(
            f"ws://127.0.0.1:{port}/ws/interviews/{interview_id}/?after={after}",
            headers={"Origin": f"http://127.0.0.1:{port}", "Cookie": f"sessionid={cookie}"},
        ) as ws:
            ready.append(1)
            async for message in ws:
                data = json.loads(message.data)
                if data["type"] == "segment" and data["text"] in sent_at:
                    latencies.append(time.perf_counter() - sent_at[data["text"]])
                    if len(latencies) == expected:
                        done.set()

    ready = []
    # aiohttp pools at most 100 connections by default; each page holds one open.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        tasks = [asyncio.create_task(client(session)) for _ in range(n_clients)]
        while len(ready) < n_clients:
            failed = [task for task in tasks if task.done()]
            if failed:
                raise RuntimeError(f"a client could not connect: {failed[0].exception()!r}")
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        append = database_sync_to_async(transcript_append)
        cpu_before = cpu_seconds(server_pid)
        for index in range(segments):
            text = f"bench {n_clients} {index} {time.time()}"
            sent_at[text] = time.perf_counter()
            await append(interview_id=interview_id, speaker="candidate", text=text)
            await asyncio.sleep(0.1)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=30)
        cpu = cpu_seconds(server_pid) - cpu_before
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    lat_ms = [value * 1000 for value in latencies]
    return {
        "clients": n_clients,
        "segments": segments,
        "deliveries_expected": expected,
        "deliveries_received": len(lat_ms),
        "p50_ms": round(statistics.median(lat_ms), 2) if lat_ms else None,
        "p99_ms": round(percentile(lat_ms, 0.99), 2) if lat_ms else None,
        "max_ms": round(max(lat_ms), 2) if lat_ms else None,
        "server_cpu_ms_per_segment": round(cpu * 1000 / segments, 2),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--clients", default="1,50,200")
    args = parser.parse_args()
    ensure_database()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from agents.tests.transcript_support import make_interview
    from tests.processes import free_port, wait_for_port

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"role": "recruiter"}
    )
    web = Client()
    web.force_login(user)
    cookie = web.cookies["sessionid"].value
    interview = make_interview()

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "dashboard.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=BASE,
        env=os.environ,
    )
    try:
        wait_for_port(port)
        results = [
            asyncio.run(run(int(n), args.segments, port, cookie, interview.pk, server.pid))
            for n in args.clients.split(",")
        ]
    finally:
        server.terminate()
        server.wait(10)
    report = {
        "what": "transcript_append -> N WebSocket clients via uvicorn + Redis channel layer",
        "machine_cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "results": results,
    }
    out = BASE / "bench" / "results"
    (out / "transcripts.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# Transcript fan-out latency",
        "",
        f"{report['what']}; {os.cpu_count()} CPUs, load average at end "
        f"{report['load_average_at_end'][0]:.1f} (shared machine).",
        "",
        "| clients | segments | delivered | p50 ms | p99 ms | max ms | server CPU ms/segment |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['clients']} | {r['segments']} | {r['deliveries_received']}/"
            f"{r['deliveries_expected']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | "
            f"{r['server_cpu_ms_per_segment']} |"
        )
    (out / "transcripts.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
