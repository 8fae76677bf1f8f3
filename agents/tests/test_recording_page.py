"""The interview page plays the recording beside the transcript: each line and each report
quote knows its moment in the file; an admin can delete the file, and the page says why
there is none."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import Interview, Recording
from agents.recordings import recording_fail
from agents.tests.recording_support import recording_storage, stored_recording  # noqa: F401
from agents.tests.test_report_page import REPORT
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(recording_storage, tmp_path):  # noqa: F811
    start = timezone.now() - timedelta(minutes=5)
    interview = make_interview(
        status=Interview.Status.COMPLETED,
        started_at=start,
        report=REPORT,
        report_status=Interview.ReportStatus.READY,
    )
    for seconds, speaker, text in [
        (0.8, "agent", "Which language do you use most?"),
        (4.25, "candidate", "I love Python"),
    ]:
        transcript_append(
            interview_id=interview.pk,
            speaker=speaker,
            text=text,
            started_at=start + timedelta(seconds=seconds),
            ended_at=start + timedelta(seconds=seconds + 2),
        )
    stored_recording(interview, tmp_path, seconds=8)
    return interview


def page_of(client, interview):
    response = client.get(reverse("agents:interview_detail", args=[interview.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_page_has_a_player_with_speeds_and_lines_that_seek(recruiter_client, interview):
    page = page_of(recruiter_client, interview)

    audio_url = reverse("agents:recording_download", args=[interview.pk])
    assert f'<audio controls preload="metadata" src="{audio_url}"' in page
    assert "data-recording-speed" in page and '<option value="2">2×</option>' in page
    assert 'data-seq="1" data-offset="0.800"' in page
    assert 'data-seq="2" data-offset="4.250"' in page
    assert "js/recording.js" in page
    assert "Left channel: candidate, right channel: interviewer" in page


def test_a_report_quote_links_to_the_moment_the_candidate_said_it(recruiter_client, interview):
    page = page_of(recruiter_client, interview)

    quote = page[page.index("“I love Python”") :]
    assert quote.index('data-seek="4.25"') < quote.index("</blockquote>")
    assert "▶ 0:04" in quote[: quote.index("</blockquote>")]


def test_a_recruiter_cannot_delete_a_recording_but_an_admin_can(
    client, recruiter, admin_user, interview
):
    url = reverse("agents:recording_delete", args=[interview.pk])
    client.force_login(recruiter)
    assert "Delete the recording" not in page_of(client, interview)
    assert client.post(url).status_code == 403
    assert Recording.objects.get(interview=interview).playable

    client.force_login(admin_user)
    assert "Delete the recording" in page_of(client, interview)
    response = client.post(url)

    assert response.status_code == 302
    recording = Recording.objects.get(interview=interview)
    assert not recording.file and recording.deleted_by == admin_user
    page = page_of(client, interview)
    today = timezone.localtime(recording.deleted_at)
    assert f"Recording deleted on {today:%b %-d, %Y} (by admin ada)." in page
    assert "<audio" not in page
    # The transcript and the report stay.
    assert "I love Python" in page and "Knows Python well." in page
    assert interview.segments.count() == 2


def test_a_failed_recording_shows_its_reason_and_no_player(recruiter_client, db):
    interview = make_interview(status=Interview.Status.COMPLETED)
    recording_fail(interview_id=interview.pk, reason="the recorder wrote no audio file.")

    page = page_of(recruiter_client, interview)

    assert "No recording: the recorder wrote no audio file." in page
    assert "<audio" not in page


def test_an_interview_not_recorded_says_so(recruiter_client, db):
    interview = make_interview(status=Interview.Status.COMPLETED, recording_enabled=False)

    assert "No recording: recording was turned off for this interview." in page_of(
        recruiter_client, interview
    )


def test_the_transcript_export_gives_each_segment_its_offset(recruiter_client, interview):
    response = recruiter_client.get(reverse("agents:transcript_json", args=[interview.pk]))

    assert [s["recording_offset"] for s in response.json()] == [0.8, 4.25]
