from django.shortcuts import render

from dashboard.permissions import recruiter_required


@recruiter_required
def interview_list(request):
    return render(request, "agents/interview_list.html", {"interviews": []})
