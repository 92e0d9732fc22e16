"""Incidents cast: ``incident`` involves billing, declared by ``comms``; ``agent`` and ``lead``
(billing) see it through their department, ``other_agent`` (support) does not."""

import pytest

from incidents import services


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """Presence lives in the cache: give every test its own, empty one."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"incidents-{request.node.nodeid}",
        }
    }


@pytest.fixture
def incident(comms, billing):
    return services.incident_declare(
        actor=comms,
        title="Card payments failing",
        severity="major",
        departments=[billing],
        keywords=["payment", "card"],
    )


def events_named(published, name):
    return [(payload, groups) for event, payload, groups in published if event == name]
