"""Benchmark the resume pipeline on this machine.

    .venv/bin/python bench/resumes_bench.py [--resumes 200] [--list-size 10000]

Uses PostgreSQL (a database `resumes_bench` it creates and drops, through
BENCH_ADMIN_DATABASE_URL) and Redis (BENCH_REDIS_URL, database 14 by default).
Measures:
- text extraction throughput (PDF pages/s; DOCX and TXT documents/s);
- the pipeline's own overhead per resume beyond the LLM call (claim, read the
  file, extract, validate, store, broadcast), against a scripted server that
  answers at once;
- throughput of N resumes through 1 and 2 real Celery worker processes against
  an OpenAI-compatible server with a fixed 0.2 s latency;
- the candidate list page at 10,000 resumes: p50/p95 ms and the number of queries.
Prints a table and writes bench/results/resumes.json and .md.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_DATABASE_URL = os.environ.get(
    "BENCH_ADMIN_DATABASE_URL", "postgres://interview:interview@127.0.0.1:5432/interview"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DATABASE = "resumes_bench"
LLM_LATENCY = 0.2
REPLY = {
    "basics": {"name": "Jane Doe", "email": "jane.doe@example.com"},
    "work": [{"name": "Acme Corp", "position": "Staff Engineer"}],
    "skills": [{"name": "Python"}, {"name": "Go"}],
    "summary": "Backend engineer.",
    "total_years_experience": 9,
}
TARGETS = {"overhead_ms": 20, "speedup": 1.8, "list_p95_ms": 50}


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def setup_django(media_root):
    import psycopg

    base = ADMIN_DATABASE_URL.rsplit("/", 1)[0]
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    os.environ.update(
        DATABASE_URL=f"{base}/{DATABASE}",
        REDIS_URL=REDIS_URL,
        DEBUG="true",
        DOTENV="0",
        MEDIA_ROOT=str(media_root),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="dashboard.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def drop_database():
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def bench_extraction(rounds):
    from resumes.extraction import extract
    from resumes.tests import files

    pdf = files.pdf(files.RESUME_LINES * 3, pages=2)
    two_column = files.two_column_pdf(files.RESUME_LINES * 2, files.RESUME_LINES * 2)
    docx = files.docx_file(files.RESUME_LINES * 3)
    text = files.text_file("\n".join(files.RESUME_LINES * 3))
    results = {}
    for name, kind, data, pages in (
        ("pdf_2_pages", "pdf", pdf, 2),
        ("pdf_two_column", "pdf", two_column, 1),
        ("docx", "docx", docx, 1),
        ("txt", "txt", text, 1),
    ):
        extract(kind, data)
        started = time.perf_counter()
        for _ in range(rounds):
            extract(kind, data)
        seconds = time.perf_counter() - started
        results[name] = {
            "pages_per_second": round(rounds * pages / seconds, 1),
            "ms_per_document": round(seconds / rounds * 1000, 2),
        }
    return results


def make_upload(n, kind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from resumes.tests import files

    lines = [f"Candidate number {n}", *files.RESUME_LINES]
    if kind == "pdf":
        return SimpleUploadedFile(f"cv-{n}.pdf", files.pdf(lines))
    return SimpleUploadedFile(f"cv-{n}.txt", files.text_file("\n".join(lines)))


def bench_overhead(fake, count):
    """attempt_run in this process; overhead = wall time minus the time inside the LLM call."""
    from dashboard.celery import app
    from resumes import services
    from resumes.models import ParseAttempt
    from tests.fake_openai import Reply

    fake.defaults["chat"] = Reply(content=json.dumps(REPLY))
    results = {}
    for kind in ("txt", "pdf"):
        overheads, extracts = [], []
        for n in range(count):
            resume = services.resume_upload(
                uploaded_file=make_upload(f"{kind}-overhead-{n}", kind), user=None
            ).resume
            attempt = ParseAttempt.objects.get(resume=resume)
            started = time.perf_counter()
            services.attempt_run(attempt_id=attempt.pk)
            wall_ms = (time.perf_counter() - started) * 1000
            attempt.refresh_from_db()
            assert attempt.outcome == "succeeded", attempt.error
            overheads.append(wall_ms - attempt.llm_ms)
            extracts.append(attempt.extract_ms)
        results[kind] = {
            "overhead_ms_p50": round(statistics.median(overheads), 2),
            "overhead_ms_p95": round(percentile(overheads, 95), 2),
            "of_which_extraction_ms_p50": statistics.median(extracts),
        }
    # The uploads above also queued tasks; no worker should see them.
    app.control.purge()
    return results


def bench_workers(fake, count, workers, offset, log_dir, worker_env):
    from dashboard.celery import app
    from resumes import services
    from resumes.models import ParseAttempt, Resume
    from tests.fake_openai import Reply
    from tests.processes import celery_worker_args, child_env, running, wait_for_worker

    fake.defaults["chat"] = Reply(content=json.dumps(REPLY), delay=LLM_LATENCY)
    app.control.purge()
    from contextlib import ExitStack

    with ExitStack() as stack:
        for index in range(workers):
            stack.enter_context(
                running(
                    celery_worker_args(concurrency=1, hostname=f"bench{index}"),
                    env=child_env(LOG_LEVEL="WARNING", **worker_env),
                    log_path=log_dir / f"worker-{workers}-{index}.log",
                )
            )
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=1.0)) < workers:
            if time.monotonic() > deadline:
                raise TimeoutError("the workers did not start")
        wait_for_worker(app)
        started = time.perf_counter()
        ids = [
            services.resume_upload(
                uploaded_file=make_upload(f"w{workers}-{offset + n}", "pdf"), user=None
            ).resume.pk
            for n in range(count)
        ]
        while Resume.objects.filter(pk__in=ids, status__in=Resume.IN_PROGRESS).exists():
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    attempts = ParseAttempt.objects.filter(resume_id__in=ids)
    succeeded = attempts.filter(outcome="succeeded").count()
    return {
        "workers": workers,
        "resumes": count,
        "succeeded": succeeded,
        "seconds": round(seconds, 2),
        "resumes_per_second": round(count / seconds, 2),
        "ideal_resumes_per_second": round(workers / LLM_LATENCY, 2),
        # Wall time per resume and worker beyond the model's fixed latency: the
        # whole cost of the pipeline, Celery's dispatch and the PDF extraction included.
        "beyond_llm_ms_per_resume": round((seconds * workers / count - LLM_LATENCY) * 1000, 1),
    }


def bench_list(size, requests):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from resumes.models import Candidate, Resume

    skills = ["python", "go", "rust", "django", "react", "kubernetes", "sql", "java", "aws"]
    statuses = ["parsed"] * 18 + ["failed", "uploaded"]
    existing = Resume.objects.count()
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(name=f"Person {n}", email=f"person{n}@example.com", location="Lisbon")
            for n in range(size - existing)
        ],
        batch_size=2000,
    )
    Resume.objects.bulk_create(
        [
            Resume(
                candidate=candidate,
                original_name=f"cv-{n}.pdf",
                file=f"resumes/bench/{n}.pdf",
                kind="pdf",
                content_type="application/pdf",
                sha256=f"{n:064x}",
                status=statuses[n % len(statuses)],
                skills_text="|" + "|".join({skills[n % 9], skills[(n * 7) % 9]}) + "|",
                page_count=1,
            )
            for n, candidate in enumerate(candidates)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user = User.objects.create_user(username="bench-recruiter", password="x" * 20)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("resumes:list")
    scenarios = {
        "first page": {},
        "page 200": {"page": 200},
        "search 'person 99'": {"q": "person 99"},
        "search, no match": {"q": "nobody-at-all"},
        "skill rust": {"skill": "rust"},
        "status failed, page 5": {"status": "failed", "page": 5},
    }
    results = {}
    for name, params in scenarios.items():
        client.get(url, params)
        timings, queries = [], set()
        for _ in range(requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            queries.add(len(captured.captured_queries))
        results[name] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 95), 2),
            "queries": sorted(queries),
        }
    return {"resumes": Resume.objects.count(), "scenarios": results}


def report(results):
    lines = ["# Resume pipeline benchmark", ""]
    lines.append(f"Machine: {results['machine']}; run {results['date']}.")
    lines += ["", "## Text extraction", "", "| file | pages/s | ms per document |", "|---|---|---|"]
    for name, row in results["extraction"].items():
        lines.append(f"| {name} | {row['pages_per_second']} | {row['ms_per_document']} |")
    lines += [
        "",
        f"## Pipeline overhead beyond the LLM call (target ≤ {TARGETS['overhead_ms']} ms)",
        "",
        "| file | overhead p50 ms | overhead p95 ms | of which extraction p50 ms |",
        "|---|---|---|---|",
    ]
    for name, row in results["overhead"].items():
        lines.append(
            f"| {name} | {row['overhead_ms_p50']} | {row['overhead_ms_p95']} | "
            f"{row['of_which_extraction_ms_p50']} |"
        )
    one, two = results["workers"]
    lines += [
        "",
        f"## Celery workers, LLM latency {LLM_LATENCY} s (target 2 workers ≥ "
        f"{TARGETS['speedup']}× one)",
        "",
        f"Worker database connections kept for {results['worker_conn_max_age']} s "
        "(DATABASE_CONN_MAX_AGE).",
        "",
        "| workers | resumes | succeeded | seconds | resumes/s | ideal resumes/s "
        "| ms per resume beyond the LLM |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in (one, two):
        lines.append(
            f"| {row['workers']} | {row['resumes']} | {row['succeeded']} | {row['seconds']} | "
            f"{row['resumes_per_second']} | {row['ideal_resumes_per_second']} | "
            f"{row['beyond_llm_ms_per_resume']} |"
        )
    lines.append(f"\nSpeed-up with 2 workers: **{results['speedup']}×**.")
    listing = results["list"]
    lines += [
        "",
        f"## Candidate list at {listing['resumes']} resumes (target p95 ≤ "
        f"{TARGETS['list_p95_ms']} ms, constant queries)",
        "",
        "| request | p50 ms | p95 ms | queries |",
        "|---|---|---|---|",
    ]
    for name, row in listing["scenarios"].items():
        queries = ", ".join(str(q) for q in row["queries"])
        lines.append(f"| {name} | {row['p50_ms']} | {row['p95_ms']} | {queries} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resumes", type=int, default=200)
    parser.add_argument("--list-size", type=int, default=10_000)
    parser.add_argument("--overhead-count", type=int, default=50)
    parser.add_argument("--list-requests", type=int, default=60)
    parser.add_argument(
        "--worker-conn-max-age",
        type=int,
        default=0,
        help="DATABASE_CONN_MAX_AGE for the workers (0, the default, opens one per task)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="resumes-bench-"))
    (workdir / "media").mkdir()
    setup_django(workdir / "media")
    from tests.fake_openai import FakeOpenAI

    fake = FakeOpenAI().start()
    try:
        from providers.models import ProviderProfile
        from providers.services import profile_activate

        profile_activate(
            profile=ProviderProfile.objects.create(
                name="Fixed latency",
                llm_base_url=fake.url,
                llm_model="fake-model",
                stt_base_url=fake.url,
                stt_model="stt",
                tts_base_url=fake.url,
                tts_model="tts",
                tts_voice="voice",
            )
        )
        results = {
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the start",
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "extraction": bench_extraction(rounds=40),
            "overhead": bench_overhead(fake, args.overhead_count),
        }
        worker_env = {"DATABASE_CONN_MAX_AGE": args.worker_conn_max_age}
        results["worker_conn_max_age"] = args.worker_conn_max_age
        one = bench_workers(fake, args.resumes, 1, 0, workdir, worker_env)
        two = bench_workers(fake, args.resumes, 2, args.resumes, workdir, worker_env)
        results["workers"] = [one, two]
        results["speedup"] = round(two["resumes_per_second"] / one["resumes_per_second"], 2)
        results["list"] = bench_list(args.list_size, args.list_requests)
    finally:
        fake.stop()
        drop_database()
    results["targets"] = TARGETS
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "resumes.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = report(results)
    (out / "resumes.md").write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
