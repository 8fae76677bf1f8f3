"""Exactly one profile is active, even when admins switch at the same moment."""

import threading

import pytest
from django.db import connection

from providers.models import ProviderProfile
from providers.services import profile_activate, profile_default_values

ROUNDS = 25
THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_always_leave_exactly_one_active_profile():
    profiles = [
        ProviderProfile.objects.create(
            name=f"Profile {n}", **profile_default_values(models_url=f"http://host-{n}:8100")
        )
        for n in range(THREADS)
    ]
    profile_activate(profile=profiles[0])
    errors = []

    def activate(profile, barrier):
        # Each thread has its own database connection, like separate web processes.
        try:
            barrier.wait(timeout=10)
            profile_activate(profile=ProviderProfile.objects.get(pk=profile.pk))
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    winners = set()
    for _ in range(ROUNDS):
        barrier = threading.Barrier(THREADS)
        threads = [threading.Thread(target=activate, args=(p, barrier)) for p in profiles]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        active = list(ProviderProfile.objects.filter(is_active=True).values_list("pk", flat=True))
        assert len(active) == 1
        winners.add(active[0])
    # Different activations won different rounds: the threads really raced.
    assert len(winners) > 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_profile():
    from django.db import IntegrityError

    first, second = (
        ProviderProfile.objects.create(
            name=name, **profile_default_values(models_url="http://host:8100")
        )
        for name in ("First", "Second")
    )
    profile_activate(profile=first)
    with pytest.raises(IntegrityError):
        ProviderProfile.objects.filter(pk=second.pk).update(is_active=True)
