"""One-time links (a candidate's interview link, a user's invite): the secret goes in the URL,
only its hash is stored."""

import hashlib
import secrets


def link_secret_new():
    return secrets.token_urlsafe(32)


def link_secret_hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()
