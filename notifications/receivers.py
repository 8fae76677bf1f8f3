"""The interview events that send mail (connected in NotificationsConfig.ready).

They run in whatever process committed the change (a web request, a worker): a mail that
can't be queued is logged and never breaks that process's own work.
"""

import logging

from notifications import services

logger = logging.getLogger(__name__)


def _queue(what, interview_id, queue, **kwargs):
    try:
        queue(interview_id=interview_id, **kwargs)
    except Exception:
        logger.exception("Could not queue the %s mail of interview %s", what, interview_id)


def on_link_issued(sender, interview_id, **kwargs):
    _queue("invitation", interview_id, services.invitation_queue)


def on_interview_ended(sender, interview_id, status, **kwargs):
    _queue("end-of-interview", interview_id, services.interview_end_notice_queue, status=status)


def on_report_finished(sender, interview_id, status, **kwargs):
    _queue("report", interview_id, services.report_notice_queue, status=status)
