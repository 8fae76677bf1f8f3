"""Writes about mail: queueing each mail once, and sending it (retried, then logged as failed).

The candidate's link is a secret: it is rebuilt from the interview only while the mail is
composed, goes into the mail and nowhere else (not the log, not a task's arguments).
"""

import logging
import smtplib
import socket
import ssl
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agents.models import Interview
from agents.selectors import ENDED_STATUSES, interview_join_url
from notifications import selectors
from notifications.models import MailLog
from providers.llm_json import backoff_seconds

logger = logging.getLogger(__name__)

_CANDIDATE_KINDS = (MailLog.Kind.INVITATION, MailLog.Kind.REMINDER)


class MailNotQueued(Exception):
    """The mail can't be sent now; the message says why in plain words."""


def _subject(kind, interview):
    who = interview.candidate.name or "the candidate"
    return {
        MailLog.Kind.INVITATION: f"Your interview for {interview.role_title}",
        MailLog.Kind.REMINDER: f"Reminder: your interview link for {interview.role_title} "
        "expires tomorrow",
        MailLog.Kind.INTERVIEW_COMPLETED: f"Interview completed: {who}, {interview.role_title}",
        MailLog.Kind.INTERVIEW_FAILED: f"Interview failed: {who}, {interview.role_title}",
        MailLog.Kind.REPORT_READY: f"Report ready: {who}, {interview.role_title}",
        MailLog.Kind.REPORT_FAILED: f"Report not written: {who}, {interview.role_title}",
    }[kind][:300]


def _link_key(interview):
    return f"link-{interview.link_expires_at.isoformat()}"


def _enqueue(mail):
    from notifications.tasks import mail_send

    mail_id = mail.pk
    transaction.on_commit(lambda: mail_send.delay(mail_id))


def mail_queue(*, interview, kind, key, to, problem=None, link_expires_at=None):
    """Record the mail and hand it to a worker once committed; the existing row if this mail
    (interview, kind, key) was queued before. With a `problem` it is logged as failed, unsent.
    """
    fields = {
        "to": to,
        "subject": _subject(kind, interview),
        "link_expires_at": link_expires_at,
    }
    if problem:
        fields.update(status=MailLog.Status.FAILED, error=problem)
    try:
        with transaction.atomic():
            mail = MailLog.objects.create(interview=interview, kind=kind, key=key, **fields)
    except IntegrityError:
        return MailLog.objects.get(interview=interview, kind=kind, key=key)
    if problem:
        logger.info(
            "Mail %s (%s) of interview %s not sent: %s", mail.pk, kind, interview.pk, problem
        )
    else:
        _enqueue(mail)
    return mail


def _candidate_mail_queue(*, interview, kind, key):
    candidate = interview.candidate
    return mail_queue(
        interview=interview,
        kind=kind,
        key=key,
        to=candidate.email.strip(),
        problem=selectors.candidate_address_problem(candidate),
        link_expires_at=interview.link_expires_at,
    )


def invitation_queue(*, interview_id):
    """The invitation of the interview's current link (once per link)."""
    interview = Interview.objects.select_related("candidate").get(pk=interview_id)
    if interview.status not in selectors.INVITABLE_STATUSES:
        return None
    return _candidate_mail_queue(
        interview=interview, kind=MailLog.Kind.INVITATION, key=_link_key(interview)
    )


def invitation_resend(*, interview):
    """The invitation again, to the candidate's address as it is now. Raises MailNotQueued."""
    problem = selectors.invitation_resend_problem(interview)
    if problem:
        raise MailNotQueued(problem)
    return _candidate_mail_queue(
        interview=interview, kind=MailLog.Kind.INVITATION, key=f"resend-{uuid.uuid4().hex}"
    )


def reminders_queue(*, now=None):
    """Queue the reminder of every link expiring within a day; hand lost mails on again."""
    queued = [
        _candidate_mail_queue(
            interview=interview, kind=MailLog.Kind.REMINDER, key=_link_key(interview)
        )
        for interview in selectors.interviews_due_a_reminder(now=now).select_related("candidate")
    ]
    for mail in selectors.mails_lost_pending(now=now):
        logger.warning(
            "Mail %s of interview %s was never sent; queueing it again", mail.pk, mail.interview_id
        )
        MailLog.objects.filter(pk=mail.pk).update(updated_at=timezone.now())
        _enqueue(mail)
    return queued


_NOTICE_KINDS = {
    Interview.Status.COMPLETED: MailLog.Kind.INTERVIEW_COMPLETED,
    Interview.Status.FAILED: MailLog.Kind.INTERVIEW_FAILED,
}
_REPORT_KINDS = {
    Interview.ReportStatus.READY: MailLog.Kind.REPORT_READY,
    Interview.ReportStatus.FAILED: MailLog.Kind.REPORT_FAILED,
}


def _recruiter_notice_queue(*, interview, kind, key):
    recruiter = interview.created_by
    if recruiter is None:
        problem = "No notice sent: nobody is recorded as the recruiter who created this interview."
        to = ""
    else:
        to = recruiter.email.strip()
        problem = selectors.address_problem(
            to,
            missing=(
                f"No notice sent: the recruiter who created this interview "
                f"({recruiter.get_username()}) has no email address."
            ),
            invalid=(
                f"No notice sent: the email address \u201c{{address}}\u201d of the recruiter "
                f"who created this interview ({recruiter.get_username()}) is not valid."
            ),
        )
    return mail_queue(interview=interview, kind=kind, key=key, to=to, problem=problem)


def interview_end_notice_queue(*, interview_id, status):
    """Tell the recruiter the interview completed or failed (once)."""
    kind = _NOTICE_KINDS.get(status)
    if kind is None:
        return None
    interview = Interview.objects.select_related("candidate", "created_by").get(pk=interview_id)
    return _recruiter_notice_queue(interview=interview, kind=kind, key="end")


def report_notice_queue(*, interview_id, status):
    """Tell the recruiter the report is ready or failed (once per request of the report)."""
    kind = _REPORT_KINDS.get(status)
    if kind is None:
        return None
    interview = Interview.objects.select_related("candidate", "created_by").get(pk=interview_id)
    requested = interview.report_requested_at
    key = f"report-{requested.isoformat()}" if requested else "report"
    return _recruiter_notice_queue(interview=interview, kind=kind, key=key)


# --- Sending ---------------------------------------------------------------------------


def _link_gone(mail, interview):
    """Why a candidate's mail must not go out any more (its link changed or stopped)."""
    if mail.kind not in _CANDIDATE_KINDS:
        return None
    if interview.link_expires_at != mail.link_expires_at:
        return (
            "Not sent: the link was replaced before this mail went out "
            "(the new link has its own invitation)."
        )
    if interview.status in ENDED_STATUSES:
        return f"Not sent: by then the interview was {interview.get_status_display().lower()}."
    if interview.link_expires_at <= timezone.now():
        return "Not sent: the link had expired by then."
    return None


def _context(mail, interview):
    context = {
        "interview": interview,
        "candidate": interview.candidate,
        "subject": mail.subject,
        "interview_url": settings.PUBLIC_BASE_URL
        + reverse("agents:interview_detail", args=[interview.pk]),
    }
    if mail.kind in _CANDIDATE_KINDS:
        context["join_url"] = interview_join_url(interview)
    return context


def _message(mail, context):
    template = f"notifications/mail/{mail.kind}"
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _smtp_answer(code, text):
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{code} {text}".strip()


def mail_failure_reason(exc):
    """(reason in plain words, whether trying again would not help) for a failed send."""
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        address, (code, text) = next(iter(exc.recipients.items()))
        return (
            f"The mail server refused the address {address}: {_smtp_answer(code, text)}.",
            code >= 500,
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"The mail server refused the sender address {exc.sender} (DEFAULT_FROM_EMAIL): "
            f"{_smtp_answer(exc.smtp_code, exc.smtp_error)}.",
            exc.smtp_code >= 500,
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            "The mail server did not accept the user name and password (EMAIL_HOST_USER, "
            f"EMAIL_HOST_PASSWORD): {_smtp_answer(exc.smtp_code, exc.smtp_error)}.",
            True,
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"The mail server at {where} closed the connection before the mail was sent.", False
    if isinstance(exc, smtplib.SMTPResponseException):
        return (
            f"The mail server at {where} answered {_smtp_answer(exc.smtp_code, exc.smtp_error)}.",
            exc.smtp_code >= 500,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (
            f"The mail server at {where} does not support {exc}: check EMAIL_USE_TLS.",
            True,
        )
    if isinstance(exc, smtplib.SMTPException):
        return f"The mail server at {where} could not take the mail: {exc}.", False
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"Nothing answers at {where} (connection refused): check EMAIL_HOST and EMAIL_PORT.",
            False,
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return (
            f"The mail server at {where} did not answer within {settings.EMAIL_TIMEOUT} s.",
            False,
        )
    if isinstance(exc, socket.gaierror):
        return f"The mail server's name {settings.EMAIL_HOST} could not be looked up.", False
    if isinstance(exc, ssl.SSLError):
        return (
            f"The secure connection to {where} failed ({exc.reason or exc}): "
            "check EMAIL_USE_TLS and EMAIL_PORT.",
            False,
        )
    if isinstance(exc, OSError):
        return f"The mail could not be sent: {exc.strerror or exc}.", False
    return f"The mail could not be sent: {exc}.", False


def _finish(mail, status, error=""):
    mail.status = status
    mail.error = error
    if status == MailLog.Status.SENT:
        mail.sent_at = timezone.now()
    mail.save(update_fields=["status", "error", "attempts", "sent_at", "updated_at"])


def mail_send(*, mail_id):
    """Send one queued mail. Returns the seconds to wait before trying again, or None.

    The row stays locked while the mail goes out, so a second delivery of the task waits
    and then finds it sent.
    """
    with transaction.atomic():
        mail = (
            MailLog.objects.select_for_update(of=("self",))
            .select_related("interview__candidate", "interview__created_by")
            .filter(pk=mail_id)
            .first()
        )
        if mail is None or mail.status != MailLog.Status.PENDING:
            return None
        interview = mail.interview
        gone = _link_gone(mail, interview)
        context = _context(mail, interview)
        if not gone and mail.kind in _CANDIDATE_KINDS and context["join_url"] is None:
            gone = (
                "Not sent: the link can't be read back (the key that encrypted it is no longer "
                "in SECRETS_ENCRYPTION_KEYS). Create a new link: its invitation goes out by itself."
            )
        if gone:
            _finish(mail, MailLog.Status.FAILED, gone)
            logger.info("Mail %s of interview %s not sent: %s", mail.pk, interview.pk, gone)
            return None
        message = _message(mail, context)
        mail.attempts += 1
        try:
            message.send()
        except Exception as exc:
            reason, lasting = mail_failure_reason(exc)
            if lasting or mail.attempts >= settings.MAIL_SEND_ATTEMPTS:
                _finish(mail, MailLog.Status.FAILED, reason)
                logger.warning(
                    "Mail %s (%s) of interview %s failed after %s attempt(s): %s",
                    mail.pk, mail.kind, interview.pk, mail.attempts, reason,
                )  # fmt: skip
                return None
            delay = backoff_seconds(
                mail.attempts,
                base=settings.MAIL_RETRY_SECONDS,
                ceiling=settings.MAIL_RETRY_SECONDS * 8,
            )
            mail.error = f"Attempt {mail.attempts} failed: {reason} Trying again in {delay:.0f} s."
            mail.save(update_fields=["error", "attempts", "updated_at"])
            logger.info("Mail %s of interview %s: %s", mail.pk, interview.pk, mail.error)
            return delay
        _finish(mail, MailLog.Status.SENT)
        logger.info("Sent mail %s (%s) of interview %s", mail.pk, mail.kind, interview.pk)
        return None
