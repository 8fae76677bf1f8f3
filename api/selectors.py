"""Reads for the API: tokens, and the lists the API pages through."""

import hashlib

from api.models import ApiToken
from resumes.models import Candidate


def token_secret_hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for_secret(secret):
    """The unrevoked token of an active user that `secret` belongs to, or None."""
    if not secret:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(
            secret_hash=token_secret_hash(secret),
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )


def token_list(*, user):
    return ApiToken.objects.filter(user=user)


def token_list_all():
    return ApiToken.objects.select_related("user").order_by("-created_at", "-id")


def candidate_list():
    return Candidate.objects.select_related("duplicate_of").order_by("-created_at", "-id")
