from dashboard.tasks import worker_ping


def test_a_real_worker_runs_a_task_through_redis(celery_worker):
    result = worker_ping.delay("hello")
    assert result.get(timeout=30) == {"pong": "hello"}
