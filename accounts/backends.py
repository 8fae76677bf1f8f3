from axes.backends import AxesStandaloneBackend


class LoginLimitBackend(AxesStandaloneBackend):
    """Refuses sign-in while django-axes has the IP address or user name locked out.

    Only sign-ins that come with a request are counted: the others are made by
    this install's own code (management commands, tests), never by a client.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
