"""Reads about mail: an interview's mail log, what stops an invitation, reminders due."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agents.models import Interview
from agents.selectors import interview_link_problem
from notifications.models import MailLog

# The reminder goes out this long before the candidate's link expires.
REMINDER_BEFORE = timedelta(hours=24)
# A row still pending this long after its last change lost its task (Redis was away when it
# was queued, or lost its data): the reminder run hands it to a worker again.
PENDING_LOST_AFTER = timedelta(minutes=15)

# The candidate can still use the link, so an invitation for it makes sense.
INVITABLE_STATUSES = (Interview.Status.SCHEDULED, Interview.Status.WAITING)


def mail_log_for_interview(*, interview):
    return list(MailLog.objects.filter(interview=interview).order_by("-created_at", "-id"))


def address_problem(address, *, missing, invalid):
    """`missing` or `invalid` (formatted with the address) when it can't take mail, else None."""
    if not address:
        return missing
    try:
        validate_email(address)
    except ValidationError:
        return invalid.format(address=address)
    return None


def candidate_address_problem(candidate):
    return address_problem(
        candidate.email.strip(),
        missing=(
            "No invitation sent: the candidate has no email address. "
            "Add one on the candidate's page."
        ),
        invalid=(
            "No invitation sent: the candidate's email address \u201c{address}\u201d is not "
            "valid. Correct it on the candidate's page."
        ),
    )


def invitation_resend_problem(interview):
    """Why the invitation can't be sent again now, in plain words; None when it can."""
    if interview.status not in INVITABLE_STATUSES:
        return (
            f"This interview is {interview.get_status_display().lower()}, "
            "so there is no invitation to send again."
        )
    if interview_link_problem(interview):
        return "The link has expired. Create a new link: its invitation goes out by itself."
    return None


def invitation_problem(*, interview, mails):
    """The failure of the latest invitation of the current link, for the interview page."""
    for mail in mails:
        if mail.kind == MailLog.Kind.INVITATION:
            if mail.status == MailLog.Status.FAILED and (
                mail.link_expires_at in (None, interview.link_expires_at)
            ):
                if mail.error.startswith(("No invitation sent", "Not sent")):
                    return mail.error
                return f"The invitation was not sent. {mail.error}"
            return None
    return None


def interviews_due_a_reminder(*, now=None):
    """Scheduled interviews whose link expires within REMINDER_BEFORE, invited before then
    for this link, and not reminded about it yet."""
    now = now or timezone.now()
    same_link = {"interview": OuterRef("pk"), "link_expires_at": OuterRef("link_expires_at")}
    invited_early = MailLog.objects.filter(
        **same_link,
        kind=MailLog.Kind.INVITATION,
        status=MailLog.Status.SENT,
        created_at__lt=OuterRef("link_expires_at") - REMINDER_BEFORE,
    )
    reminded = MailLog.objects.filter(**same_link, kind=MailLog.Kind.REMINDER)
    return (
        Interview.objects.filter(
            status=Interview.Status.SCHEDULED,
            link_expires_at__gt=now,
            link_expires_at__lte=now + REMINDER_BEFORE,
        )
        .filter(Exists(invited_early))
        .exclude(Exists(reminded))
        .order_by("link_expires_at")
    )


def mails_lost_pending(*, now=None):
    now = now or timezone.now()
    return MailLog.objects.filter(
        status=MailLog.Status.PENDING, updated_at__lt=now - PENDING_LOST_AFTER
    ).order_by("pk")
