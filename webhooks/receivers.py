"""Turn the other apps' signals into webhook events.

They run inside the sender's on_commit callbacks, so a webhook problem is logged here
rather than breaking the interview or resume that caused it.
"""

import functools
import logging

from webhooks import selectors, services
from webhooks.models import Event

log = logging.getLogger(__name__)


def _publish(event, data):
    try:
        services.event_publish(event=event, data=data)
    except Exception:
        log.exception("Webhook event %s could not be queued", event)


def on_interview_ended(sender, interview_id, status, **kwargs):
    event = {"completed": Event.INTERVIEW_COMPLETED, "failed": Event.INTERVIEW_FAILED}.get(status)
    if event:
        _publish(
            event, functools.partial(selectors.interview_event_data, interview_id=interview_id)
        )


def on_report_finished(sender, interview_id, status, **kwargs):
    if status == "ready":
        _publish(
            Event.REPORT_READY,
            functools.partial(selectors.report_event_data, interview_id=interview_id),
        )


def on_resume_parsed(sender, resume_id, **kwargs):
    _publish(
        Event.RESUME_PARSED, functools.partial(selectors.resume_event_data, resume_id=resume_id)
    )
