"""Writes about API tokens: making one (shown once), revoking it, noting its use."""

import secrets
from datetime import timedelta

from django.utils import timezone

from api.models import ApiToken
from api.selectors import token_secret_hash

# Marks the string as this product's token (for secret scanners and for people).
TOKEN_MARK = "vi_"
PREFIX_LENGTH = len(TOKEN_MARK) + 8
# Last use is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenRefused(Exception):
    """The token can't be changed this way; the message says why in plain words."""


def token_create(*, user, name):
    """A new token for `user`: (ApiToken, secret). The secret is only returned here."""
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=token_secret_hash(secret),
    )
    return token, secret


def token_revoke(*, token, user):
    """Revoke one of `user`'s tokens; requests with it are refused from now on."""
    if token.user_id != user.pk:
        raise TokenRefused("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_mark_used(*, token):
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
