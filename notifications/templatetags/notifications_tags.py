from django import template

from notifications import selectors

register = template.Library()


@register.inclusion_tag("notifications/_mail_log.html", takes_context=True)
def interview_mail_log(context, interview):
    """The interview page's Email card: why no invitation went out, re-send, every mail."""
    mails = selectors.mail_log_for_interview(interview=interview)
    return {
        "interview": interview,
        "mails": mails,
        "invitation_problem": selectors.invitation_problem(interview=interview, mails=mails),
        "can_resend": selectors.invitation_resend_problem(interview) is None,
        "csrf_token": context.get("csrf_token"),
    }
