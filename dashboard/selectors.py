from dashboard.models import ProviderProfile, User


def user_list():
    return User.objects.order_by("-is_active", "username")


class NoActiveProfile(Exception):
    pass


def profile_get_active():
    profile = ProviderProfile.objects.filter(is_active=True).first()
    if profile is None:
        raise NoActiveProfile(
            "No model provider profile is active. An admin must activate one under Model providers."
        )
    return profile
