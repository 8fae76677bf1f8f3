import pytest
from django.db import connection
from django.test import override_settings

from agents.models import Interview
from agents.selectors import interview_join_url
from agents.services import interview_link_regenerate, interview_mark_completed
from agents.signals import interview_ended, interview_link_issued

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def received():
    events = []

    def receiver(signal, **kwargs):
        kwargs.pop("sender")
        events.append((signal, kwargs))

    interview_link_issued.connect(receiver)
    interview_ended.connect(receiver)
    yield events
    interview_link_issued.disconnect(receiver)
    interview_ended.disconnect(receiver)


@override_settings(PUBLIC_BASE_URL="https://interviews.example.com")
def test_the_link_can_be_rebuilt_but_is_not_stored_in_clear(scheduled_interview):
    interview, secret = scheduled_interview
    interview.refresh_from_db()

    assert interview_join_url(interview) == f"https://interviews.example.com/join/{secret}/"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT join_secret_encrypted FROM agents_interview WHERE id = %s", [interview.pk]
        )
        (stored,) = cursor.fetchone()
    assert secret not in stored


def test_a_new_link_and_the_end_are_announced_once_each(scheduled_interview, received):
    interview, _secret = scheduled_interview

    interview_link_regenerate(interview=interview)
    interview_mark_completed(interview_id=interview.pk, reason="Done.")
    interview_mark_completed(interview_id=interview.pk, reason="Done again.")

    assert received == [
        (interview_link_issued, {"interview_id": interview.pk}),
        (interview_ended, {"interview_id": interview.pk, "status": Interview.Status.COMPLETED}),
    ]
