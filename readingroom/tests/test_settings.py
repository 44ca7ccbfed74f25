"""Settings come from the environment, strictly: bad values stop the server."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from readingroom.env import email_settings, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS_VARS = [
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LOG_LEVEL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "EMAIL_URL",
    "EMAIL_BACKEND",
]


def start_django(code: str = "", **env: str) -> subprocess.CompletedProcess:
    """Run ``django.setup()`` (then ``code``) in a new interpreter with ``env`` on top."""
    environ = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    environ |= {"DJANGO_SETTINGS_MODULE": "readingroom.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("raw", ["true", "TRUE", " on ", "1"])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", False) is True


@pytest.mark.parametrize("raw", ["false", "False", "off", "0"])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_or_empty_is_the_default(monkeypatch, default):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default) is default
    monkeypatch.setenv("FLAG", "")
    assert env_bool("FLAG", default) is default


@pytest.mark.parametrize("raw", ["yes", "maybe", "no", "2"])
def test_env_bool_rejects_other_words(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match=rf"FLAG must be true or false.*'{raw}'"):
        env_bool("FLAG", False)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " reading.example.org, ,localhost,")
    assert env_list("HOSTS", ["default"]) == ["reading.example.org", "localhost"]


def test_env_list_unset_is_the_default(monkeypatch):
    monkeypatch.delenv("HOSTS", raising=False)
    assert env_list("HOSTS", ["127.0.0.1"]) == ["127.0.0.1"]


def test_env_list_empty_means_none(monkeypatch):
    monkeypatch.setenv("HOSTS", "")
    assert env_list("HOSTS", ["127.0.0.1"]) == []


def test_debug_off_with_the_development_key_refuses_to_start():
    result = start_django(DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY" in result.stderr


def test_debug_off_with_a_real_key_starts():
    result = start_django(
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        DEBUG="false",
        SECRET_KEY="a-real-secret-for-this-test-only",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_debug_yes_refuses_to_start_with_a_clear_message():
    result = start_django(DEBUG="yes")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_allowed_hosts_from_the_environment():
    result = start_django(
        "from django.conf import settings; print('|'.join(settings.ALLOWED_HOSTS))",
        ALLOWED_HOSTS="reading.example.org, www.reading.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "reading.example.org|www.reading.example.org"


def test_allowed_hosts_default_is_local_only():
    result = start_django(
        "from django.conf import settings; print('|'.join(settings.ALLOWED_HOSTS))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "127.0.0.1|localhost|[::1]"


# Production settings from the environment (issue 15) ---------------------------

COMPOSE = BASE_DIR / "docker-compose.yml"
DEPLOY_VARS = [
    "DATABASE_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "EMAIL_BACKEND",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
]
A_REAL_KEY = "k" * 20 + "-a-long-random-looking-secret-for-the-deploy-check-0123456789"


def compose_environment() -> dict[str, str]:
    """The app containers' environment as docker-compose.yml gives it, with every
    ``${VAR:-default}`` at its default (and a real SECRET_KEY for ``${VAR:?...}``)."""
    yaml = pytest.importorskip("yaml")
    app = yaml.safe_load(COMPOSE.read_text())["x-app"]
    environ = {}
    for name, value in app["environment"].items():
        value = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: m.group(2), str(value))
        environ[name] = re.sub(r"\$\{(\w+):\?[^}]*\}", A_REAL_KEY, value)
    return environ


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a new process with ``env`` on top of the environment, less the
    settings' variables and what conftest.py sets for the browser tests."""
    dropped = {*SETTINGS_VARS, *DEPLOY_VARS, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    environ |= {"DJANGO_SETTINGS_MODULE": "readingroom.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_healthchecks_ask_healthz():
    yaml = pytest.importorskip("yaml")
    app = yaml.safe_load(COMPOSE.read_text())["x-app"]
    assert app["healthcheck"]["test"] == ["CMD", "python", "bin/healthcheck.py"]
    assert '"http://127.0.0.1:8000/healthz"' in (BASE_DIR / "bin" / "healthcheck.py").read_text()


def test_compose_switches_on_https_hsts_and_the_proxy_header():
    environ = compose_environment()
    assert environ["DEBUG"] == "false"
    assert environ["SECURE_SSL_REDIRECT"] == "true"
    assert int(environ["SECURE_HSTS_SECONDS"]) >= 31536000
    assert environ["SECURE_PROXY_SSL_HEADER"] == "true"


def test_check_deploy_is_clean_in_the_compose_configuration():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **compose_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_without_the_https_switches_warns():
    """The switches are what makes it clean: without them, W004 and W008 come back."""
    environ = compose_environment()
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        environ.pop(name)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **environ)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


def test_https_settings_from_the_environment():
    result = start_django(
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER)",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="on",
        SECURE_PROXY_SSL_HEADER="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "3600",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]
    default = start_django(
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    assert default.stdout.split() == ["False", "0", "None"]


@pytest.mark.parametrize("raw", ["a year", "-5", "1.5"])
def test_hsts_seconds_must_be_a_whole_number(raw):
    result = start_django(SECURE_HSTS_SECONDS=raw)
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS must" in result.stderr


def test_behind_the_proxy_https_requests_are_secure_and_redirects_go_to_https(tmp_path):
    code = """
from django.test import Client
client = Client()
plain = client.get("/cables/", HTTP_HOST="reading.example.org")
print(plain.status_code, plain["Location"])
proxied = client.get("/healthz", HTTP_HOST="reading.example.org", HTTP_X_FORWARDED_PROTO="https")
print(proxied.status_code, proxied["Strict-Transport-Security"])
health = client.get("/healthz", HTTP_HOST="reading.example.org")
print(health.status_code)
"""
    result = start_django(
        code,
        ALLOWED_HOSTS="reading.example.org",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_PROXY_SSL_HEADER="true",
        # /healthz asks the database: an empty one of its own will do.
        DATABASE_URL=f"sqlite:///{tmp_path / 'health.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "301 https://reading.example.org/cables/"
    assert lines[1] == "200 max-age=31536000"
    assert lines[2] == "200"  # the health check is not sent to HTTPS


# E-mail from EMAIL_URL -----------------------------------------------------------


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "smtp+tls://mailer:s%40cret%2Fpw@mail.example.org:2587",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 2587,
                "EMAIL_HOST_USER": "mailer",
                "EMAIL_HOST_PASSWORD": "s@cret/pw",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
                "EMAIL_TIMEOUT": 10,
            },
        ),
        (
            "smtps://mail.example.org?timeout=3",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 465,
                "EMAIL_HOST_USER": "",
                "EMAIL_HOST_PASSWORD": "",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": True,
                "EMAIL_TIMEOUT": 3,
            },
        ),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "file:///var/mail/readingroom",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": "/var/mail/readingroom",
            },
        ),
    ],
)
def test_email_settings_from_a_url(url, expected):
    assert email_settings(url) == expected


@pytest.mark.parametrize(
    "url, message",
    [
        ("imap://user:hunter2@mail.example.org", "EMAIL_URL must start with one of"),
        ("smtp://user:hunter2@mail.example.org:port", "port that is no number"),
        ("smtp://", "names no host"),
        ("smtp://mail.example.org?tls=1", "only ?timeout="),
    ],
)
def test_a_bad_email_url_is_refused_without_showing_its_password(url, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)) as raised:
        email_settings(url)
    assert "hunter2" not in str(raised.value)


def test_email_url_configures_djangos_mail_at_start_up():
    result = start_django(
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, "
        "s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_PASSWORD)",
        EMAIL_URL="smtp+tls://mailer:pw@mail.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "587",
        "True",
        "pw",
    ]
    both = start_django(EMAIL_URL="console://", EMAIL_BACKEND="x.y.Backend")
    assert both.returncode != 0 and "EMAIL_URL or EMAIL_BACKEND" in both.stderr


def test_the_container_and_the_bench_start_gunicorn_with_one_configuration(monkeypatch):
    """deploy/gunicorn.conf.py is what both start gunicorn with, so ``make bench``
    measures the deployed workers: sync by default, threaded when asked."""
    import runpy

    from django.conf import settings

    config = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
    assert (
        "--config deploy/gunicorn.conf.py"
        in (Path(settings.BASE_DIR) / "bin" / "docker-entrypoint.sh").read_text()
    )
    assert (
        '"deploy" / "gunicorn.conf.py"'
        in (Path(settings.BASE_DIR) / "bench" / "run.py").read_text()
    )
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    default = runpy.run_path(str(config))
    assert (default["workers"], default["threads"], default["worker_class"]) == (2, 1, "sync")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    threaded = runpy.run_path(str(config))
    assert (threaded["workers"], threaded["threads"], threaded["worker_class"]) == (3, 4, "gthread")
