from django.shortcuts import render

from dashboard.permissions import recruiter_required


@recruiter_required
def candidate_list(request):
    return render(request, "resumes/candidate_list.html", {"candidates": []})
