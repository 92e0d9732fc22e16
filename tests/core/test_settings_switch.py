"""The same settings module picks the embedded default or the production stack from the env."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
    "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'broker': s.CELERY_BROKER_URL, "
    "'cache': s.CACHES['default']['BACKEND'], 'acks_late': s.CELERY_TASK_ACKS_LATE, "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'prefetch': s.CELERY_WORKER_PREFETCH_MULTIPLIER, "
    "'reject': s.CELERY_TASK_REJECT_ON_WORKER_LOST, "
    "'pool': s.DATABASES['default'].get('OPTIONS', {}).get('pool', {}).get('max_size'), "
    "'max_age': s.DATABASES['default'].get('CONN_MAX_AGE'), "
    "'server_binding': s.DATABASES['default'].get('OPTIONS', {}).get('server_side_binding'), "
    "'prepare': s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold'), "
    "'polling': s.CELERY_BROKER_TRANSPORT_OPTIONS.get('polling_interval')}))"
)
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "DEBUG",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DB_POOL_SIZE",
        "DB_CONN_MAX_AGE",
        "DB_PREPARED_STATEMENTS",
        "EMAIL_URL",
        "EMAIL_BACKEND",
        "EMAIL_TIMEOUT",
        "SITE_URL",
        "PORT",
        "ALLOWED_HOSTS",
    }
}


def _settings(tmp_path, **env):
    return probe(PROBE, tmp_path, **env)


def probe(code: str, tmp_path, **env) -> dict:
    """Run ``code`` in a fresh interpreter with only ``env`` set over a clean environment; the
    JSON object its last line prints."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **CLEAN,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "FIREBREAK_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_means_the_embedded_default(tmp_path):
    s = _settings(tmp_path)
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["broker"] == "filesystem://"
    assert (s["acks_late"], s["reject"], s["prefetch"], s["eager"]) == (True, True, 1, False)
    # the embedded worker takes its next task within a tenth of a second, not a second
    assert s["polling"] == 0.1


def test_database_and_redis_urls_select_the_production_stack(tmp_path):
    s = _settings(
        tmp_path,
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/firebreak",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert s["db"] == "core.postgresql"  # Django's backend with the compiled timestamp loader
    assert s["layer"] == "channels_redis.core.RedisChannelLayer"
    assert s["broker"] == "redis://127.0.0.1:6379/0"
    assert s["cache"] == "core.cache.RedisCache"  # Django's, with one client per process
    assert (s["pool"], s["max_age"]) == (None, 0)


def test_a_pool_size_gives_each_web_process_a_connection_pool(tmp_path):
    s = _settings(
        tmp_path,
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/firebreak",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DB_POOL_SIZE="8",
        DB_CONN_MAX_AGE="60",  # ignored: Django refuses persistent connections with a pool
    )
    assert (s["pool"], s["max_age"]) == (8, 0)


def test_production_without_a_secret_key_fails_loudly(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**CLEAN, "FIREBREAK_DATA_DIR": str(tmp_path), "DEBUG": "0"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **CLEAN,
            "FIREBREAK_DATA_DIR": str(tmp_path),
            "DEBUG": "0",
            "SECRET_KEY": "x" * 30 + "a-long-random-production-key-0123456789",
            "ALLOWED_HOSTS": "firebreak.example",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_postgresql_prepares_repeated_statements_unless_turned_off(tmp_path):
    production = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/db", "SECRET_KEY": "x" * 50}
    on = _settings(tmp_path, **production)
    assert (on["server_binding"], on["prepare"]) == (True, 5)
    off = _settings(tmp_path, **production, DB_PREPARED_STATEMENTS="0")
    assert (off["server_binding"], off["prepare"]) == (None, None)
    sqlite = _settings(tmp_path)
    assert (sqlite["server_binding"], sqlite["prepare"]) == (None, None)


EMAIL_PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ('EMAIL_BACKEND', 'EMAIL_HOST', "
    "'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', "
    "'EMAIL_USE_SSL', 'EMAIL_TIMEOUT')}))"
)
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_the_mail_server_comes_from_email_url(tmp_path):
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50}
    assert probe(EMAIL_PROBE, tmp_path, DEBUG="1")["EMAIL_BACKEND"] == (
        "django.core.mail.backends.filebased.EmailBackend"
    )
    plain = probe(EMAIL_PROBE, tmp_path, **production)
    assert plain["EMAIL_BACKEND"] == SMTP and plain["EMAIL_HOST"] == "localhost"
    assert plain["EMAIL_TIMEOUT"] == 10  # never Django's default of no timeout at all
    configured = probe(
        EMAIL_PROBE,
        tmp_path,
        **production,
        EMAIL_URL="smtp+tls://relay%40brand.example:s3cr%2Ft@mail.brand.example:587",
        EMAIL_TIMEOUT="4",
    )
    assert configured == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.brand.example",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "relay@brand.example",
        "EMAIL_HOST_PASSWORD": "s3cr/t",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 4,
    }
    implicit_tls = probe(EMAIL_PROBE, tmp_path, **production, EMAIL_URL="smtp+ssl://m.example:465")
    assert implicit_tls["EMAIL_USE_SSL"] is True and implicit_tls["EMAIL_PORT"] == 465
    overridden = probe(
        EMAIL_PROBE,
        tmp_path,
        **production,
        EMAIL_URL="smtp://m.example:25",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    assert overridden["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_links_in_emails_use_the_address_people_reach(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.SITE_URL))"
    )
    assert probe(code, tmp_path, DEBUG="1") == "http://127.0.0.1:8000"
    assert probe(code, tmp_path, DEBUG="1", PORT="8613") == "http://127.0.0.1:8613"
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "care.brand.example"}
    assert probe(code, tmp_path, **production) == "https://care.brand.example"
    assert probe(code, tmp_path, **production, SITE_URL="https://firebreak.brand.example/") == (
        "https://firebreak.brand.example"
    )
