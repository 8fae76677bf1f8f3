"""Reading settings from the environment.

In production (DEBUG off) a setting without a development default must be
given explicitly; starting without it stops with a message naming it, rather
than running with an unsafe or wrong default.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ=None):
        self.environ = os.environ if environ is None else environ
        self.debug = self.bool("DEBUG", default=False)

    def bool(self, name, *, default):
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")

    def str(self, name, *, dev_default=None, default=None, advice=None):
        """A string setting.

        `default` applies everywhere; `dev_default` only with DEBUG on, so in
        production the variable is required. `advice` replaces the general
        hint of the message naming a missing variable.
        """
        raw = self.environ.get(name, "").strip()
        if raw:
            return raw
        if default is not None:
            return default
        if self.debug and dev_default is not None:
            return dev_default
        advice = advice or (
            f"Set the environment variable {name} (see .env.example for what it means)."
        )
        raise ImproperlyConfigured(f"The setting {name} is missing. {advice}")

    def refuse_in_production(self, name, problem, advice):
        """Stop a production start (DEBUG off) because `name` has an unsafe value."""
        if not self.debug:
            raise ImproperlyConfigured(
                f"The setting {name} {problem}, which is not safe in production "
                f"(DEBUG is false). {advice}"
            )

    def int(self, name, *, default):
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None

    def rate(self, name, *, default):
        """A django-ratelimit rate, "<requests>/<period>" with period s, m, h or d (e.g. 30/m)."""
        value = self.str(name, default=default)
        if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", value):
            raise ImproperlyConfigured(
                f"{name} must look like {default} (requests per s, m, h or d), not {value!r}."
            )
        return value

    def list(self, name, *, dev_default=None, default=None, advice=None):
        value = self.str(
            name,
            dev_default=",".join(dev_default) if dev_default is not None else None,
            default=",".join(default) if default is not None else None,
            advice=advice,
        )
        return [item.strip() for item in value.split(",") if item.strip()]
