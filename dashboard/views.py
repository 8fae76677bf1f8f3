from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dashboard import selectors, services
from dashboard.forms import UserCreateForm
from dashboard.models import User
from dashboard.permissions import admin_required


def healthz(request):
    """Liveness for load balancers and compose: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    return render(request, "dashboard/home.html")


@admin_required
def user_list(request):
    return render(request, "dashboard/user_list.html", {"users": selectors.user_list()})


@admin_required
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.is_staff = user.role == User.Role.ADMIN
        user.save()
        messages.success(request, f"{user.username} can now sign in as {user.get_role_display()}.")
        return redirect("users:list")
    return render(request, "dashboard/user_form.html", {"form": form})


@admin_required
@require_POST
def user_toggle_active(request, pk):
    user = get_object_or_404(User, pk=pk)
    try:
        services.user_set_active(user=user, active=not user.is_active, acting_user=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        state = "reactivated" if user.is_active else "deactivated"
        messages.success(request, f"{user.username} was {state}.")
    return redirect("users:list")
