from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.permissions import recruiter_required
from agents.models import Interview
from notifications import services
from notifications.models import MailLog


@recruiter_required
@require_POST
def invitation_resend(request, pk):
    interview = get_object_or_404(Interview.objects.select_related("candidate"), pk=pk)
    try:
        mail = services.invitation_resend(interview=interview)
    except services.MailNotQueued as exc:
        messages.error(request, str(exc))
    else:
        if mail.status == MailLog.Status.FAILED:
            messages.error(request, mail.error)
        else:
            messages.success(request, f"The invitation is on its way to {mail.to}.")
    return redirect("agents:interview_detail", pk=pk)
