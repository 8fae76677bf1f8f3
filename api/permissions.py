"""The roles of accounts.models.User, for API views: a token acts with its user's role."""

from rest_framework.permissions import BasePermission


class IsRecruiter(BasePermission):
    message = "Only recruiters can see candidates and interviews."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_recruiter)


class IsAdmin(BasePermission):
    message = "Only admins can see every user's API tokens."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)
