from django.shortcuts import render

from dashboard.permissions import admin_required


@admin_required
def profile_list(request):
    return render(request, "dashboard/provider_list.html", {"profiles": []})
