from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import UserCreateForm
from accounts.models import User
from accounts.permissions import admin_required


@admin_required
def user_list(request):
    return render(request, "accounts/user_list.html", {"users": selectors.user_list()})


@admin_required
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.is_staff = user.role == User.Role.ADMIN
        user.save()
        messages.success(request, f"{user.username} can now sign in as {user.get_role_display()}.")
        return redirect("users:list")
    return render(request, "accounts/user_form.html", {"form": form})


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
