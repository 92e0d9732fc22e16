"""A server process loads its views and Celery's sending side at start (``config.asgi``), not
in the first requests, which would hold the process's other requests meanwhile."""

from tests.core.test_settings_switch import probe

PROBE = (
    "import json, sys; import config.asgi; from config.celery import app; "
    "print(json.dumps({'finalized': app.finalized, "
    "'amqp': 'amqp' in app.__dict__, "
    "'transport': 'kombu.transport.filesystem' in sys.modules, "
    "'views': 'api.v1.mentions' in sys.modules}))"
)


def test_importing_the_asgi_application_loads_views_and_the_task_sender(tmp_path):
    loaded = probe(PROBE, tmp_path)
    assert loaded == {"finalized": True, "amqp": True, "transport": True, "views": True}
