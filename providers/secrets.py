"""Encryption at rest for API keys stored in the database.

Keys come from SECRETS_ENCRYPTION_KEYS (each any string; a Fernet key is
derived from it). The first key encrypts, every key decrypts, which is what
makes rotation possible: prepend a new key, run `manage.py rotate_secrets`,
then drop the old one.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class SecretUnreadable(Exception):
    """Stored secret cannot be decrypted with any configured key."""


def _fernet():
    keys = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))
        for key in settings.SECRETS_ENCRYPTION_KEYS
    ]
    return MultiFernet(keys)


def encrypt(plaintext):
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored API key cannot be decrypted: SECRETS_ENCRYPTION_KEYS no longer "
            "contains the key it was encrypted with. Enter the API key again."
        ) from None


def reencrypt(token):
    return _fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Holds plaintext in Python and Fernet ciphertext in the database; blank stays blank."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


def mask(secret):
    """How a stored key is shown anywhere: whether it is set, never its value."""
    return "set" if secret else "not set"
