from accounts.models import User


def user_list():
    return User.objects.order_by("-is_active", "username")
