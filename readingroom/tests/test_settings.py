"""Settings come from the environment, strictly: bad values stop the server."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from readingroom.env import env_bool, env_list

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS_VARS = [
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LOG_LEVEL",
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
