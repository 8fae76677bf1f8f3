"""The batch slots and live-interview marks batch LLM work waits on (providers/llm_slots.py)."""

import time

from providers import llm_slots

SERVER = "http://127.0.0.1:8080/v1"


def test_one_server_spelled_differently_is_one_server():
    spellings = [
        "http://127.0.0.1:8080/v1",
        "HTTP://localhost:8080/v1/",
        "http://[::1]:8080/v1",
    ]
    assert {llm_slots.normalized_base_url(url) for url in spellings} == {"http://127.0.0.1:8080/v1"}
    assert llm_slots.normalized_base_url("https://api.example.com/v1") == (
        "https://api.example.com:443/v1"
    )
    assert llm_slots.normalized_base_url(
        "http://127.0.0.1:8081/v1"
    ) != llm_slots.normalized_base_url(SERVER)


def test_no_more_slots_than_the_limit_are_held_at_once(settings):
    settings.LLM_BATCH_CONCURRENCY = 2
    first = llm_slots.batch_slot_take(base_url=SERVER, job="a")
    second = llm_slots.batch_slot_take(base_url=SERVER, job="b")
    third = llm_slots.batch_slot_take(base_url=SERVER, job="c")
    assert isinstance(first, llm_slots.Slot) and isinstance(second, llm_slots.Slot)
    assert isinstance(third, llm_slots.Busy)
    assert third.reason == llm_slots.WAITING_FOR_OTHERS
    # Another server has slots of its own.
    other = llm_slots.batch_slot_take(base_url="http://10.0.0.5:8000/v1", job="d")
    assert isinstance(other, llm_slots.Slot)
    first.release()
    fourth = llm_slots.batch_slot_take(base_url=SERVER, job="c")
    assert isinstance(fourth, llm_slots.Slot)
    for slot in (second, other, fourth):
        slot.release()


def test_a_slot_whose_holder_died_comes_back_after_its_lease(settings, monkeypatch):
    settings.LLM_BATCH_CONCURRENCY = 1
    monkeypatch.setattr(llm_slots, "LEASE_SECONDS", 0.5)
    held = llm_slots.batch_slot_take(base_url=SERVER, job="a")
    # The holder's process is gone: nothing renews the lease and nothing releases it.
    held._released.set()
    assert isinstance(llm_slots.batch_slot_take(base_url=SERVER, job="b"), llm_slots.Busy)
    time.sleep(0.6)
    assert isinstance(llm_slots.batch_slot_take(base_url=SERVER, job="b"), llm_slots.Slot)


def test_a_held_slot_outlives_its_first_lease(settings, monkeypatch):
    settings.LLM_BATCH_CONCURRENCY = 1
    monkeypatch.setattr(llm_slots, "LEASE_SECONDS", 0.5)
    monkeypatch.setattr(llm_slots, "LEASE_RENEW_SECONDS", 0.1)
    held = llm_slots.batch_slot_take(base_url=SERVER, job="a")
    time.sleep(1.0)
    assert isinstance(llm_slots.batch_slot_take(base_url=SERVER, job="b"), llm_slots.Busy)
    held.release()


def test_a_live_mark_expires_unless_renewed():
    llm_slots.live_mark(base_url=SERVER, interview_id=1, seconds=0.3)
    assert llm_slots.live_count(base_url="http://localhost:8080/v1/") == 1
    time.sleep(0.4)
    assert llm_slots.live_count(base_url=SERVER) == 0


def test_batch_work_waits_for_a_live_interview_only_up_to_the_bound(settings):
    settings.LLM_BATCH_YIELD_MAX_SECONDS = 0.3
    llm_slots.live_mark(base_url=SERVER, interview_id=1, seconds=60)
    waiting = llm_slots.batch_slot_take(base_url=SERVER, job="a")
    assert isinstance(waiting, llm_slots.Busy)
    assert waiting.reason == llm_slots.WAITING_FOR_INTERVIEW
    time.sleep(0.4)
    slot = llm_slots.batch_slot_take(base_url=SERVER, job="a")
    assert isinstance(slot, llm_slots.Slot)
    slot.release()


def test_a_long_wait_for_an_interview_looks_again_less_often(settings):
    settings.LLM_BATCH_POLL_SECONDS = 1
    llm_slots.live_mark(base_url=SERVER, interview_id=1, seconds=60)
    first = llm_slots.batch_slot_take(base_url=SERVER, job="a")
    assert first.seconds <= 1
    # Started waiting ten minutes ago.
    llm_slots._client().set(f"{llm_slots._key('waited', SERVER)}:a", time.time() - 600)
    later = llm_slots.batch_slot_take(base_url=SERVER, job="a")
    assert 15 <= later.seconds <= llm_slots.LIVE_POLL_MAX_SECONDS
