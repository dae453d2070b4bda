"""Production settings: secure defaults read from the environment, `check --deploy` clean with production
variables, and the system checks of core.checks (pseudonymisation key, virus scanner) that stop a
deployment from starting."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from django.core.checks.registry import registry as check_registry
from django.core.exceptions import ImproperlyConfigured

from core import checks as core_checks

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_PRINTED = (
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
)
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings; "
    f"print(json.dumps({{name: getattr(settings, name) for name in {SETTINGS_PRINTED!r}}}))"
)


def production_env(**overrides: str) -> dict[str, str]:
    """What a deployment sets: random keys, its host, its database and clamd; DEBUG off."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PSEUDONYMISATION_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "zorginkoop.example.nl",
        "CSRF_TRUSTED_ORIGINS": "https://zorginkoop.example.nl",
        "DATABASE_URL": "postgres://zorginkoop@db.example.nl:5432/zorginkoop",
        "CLAMD_SOCKET": "/run/clamav/clamd.ctl",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def settings_under(env: dict[str, str]) -> dict:
    result = run(["-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- check --deploy


def test_check_deploy_reports_nothing_with_production_variables():
    # when
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_the_example_keys_and_without_clamd():
    # given: .env.example copied as it is
    env = production_env(SECRET_KEY="change-me", PSEUDONYMISATION_KEY="change-me-too", CLAMD_SOCKET="")
    # when
    result = run(["manage.py", "check", "--deploy"], env)
    # then
    assert result.returncode != 0
    found = set(re.findall(r"\((\w+\.\w+)\)", result.stderr))
    assert {"core.E001", "core.E010", "security.W009"} <= found


def test_a_server_process_refuses_to_start_with_an_example_pseudonymisation_key():
    # given: gunicorn/uWSGI run no system checks; the WSGI module does
    env = production_env(PSEUDONYMISATION_KEY="change-me-too")
    # when
    result = run(["-c", "import config.wsgi"], env)
    # then
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and "core.E001" in result.stderr


def test_a_server_process_starts_with_production_variables():
    result = run(["-c", "import config.wsgi, config.asgi; print('started')"], production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("started")


# --------------------------------------------------------------------------- secure defaults


def test_without_debug_the_defaults_are_https_only_with_secure_cookies():
    # when
    values = settings_under(production_env())
    # then
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": None,  # opt-in: only a proxy that sets the header may be trusted
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": 8 * 60 * 60,
    }


def test_the_demo_with_debug_runs_on_plain_http():
    values = settings_under(production_env(DEBUG="true", SECRET_KEY=None, PSEUDONYMISATION_KEY=None))
    assert (
        values["SECURE_SSL_REDIRECT"],
        values["SECURE_HSTS_SECONDS"],
        values["SESSION_COOKIE_SECURE"],
    ) == (
        False,
        0,
        False,
    )
    assert values["SESSION_COOKIE_HTTPONLY"] is True


def test_the_security_settings_are_read_from_the_environment():
    # given
    env = production_env(
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="false",
        COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_AGE="3600",
    )
    # when
    values = settings_under(env)
    # then
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]  # a tuple, as JSON
    assert (values["SECURE_HSTS_SECONDS"], values["SECURE_HSTS_PRELOAD"]) == (600, False)
    assert (values["SESSION_COOKIE_SAMESITE"], values["CSRF_COOKIE_SAMESITE"]) == ("Strict", "Strict")
    assert values["SESSION_COOKIE_AGE"] == 3600


@pytest.mark.parametrize(
    ("name", "value"),
    [("COOKIE_SAMESITE", "None"), ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO")],
)
def test_an_unsafe_or_malformed_value_stops_the_settings(name, value):
    result = run(["-c", PRINT_SETTINGS], production_env(**{name: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


def test_every_variable_of_the_settings_is_in_env_example_with_a_comment():
    # given
    source = (ROOT / "config" / "settings" / "base.py").read_text(encoding="utf-8")
    read = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    # when
    documented = {
        line.split("=", 1)[0]
        for index, line in enumerate(lines)
        if "=" in line and not line.startswith("#") and index > 0 and lines[index - 1].startswith("# ")
    }
    # then
    assert read, "no env(...) call found in base.py"
    assert sorted(read - documented) == []


# --------------------------------------------------------------------------- headers and cookies


@pytest.mark.django_db
def test_https_responses_carry_hsts_and_the_other_security_headers(client):
    # when
    response = client.get("/portal/login/", secure=True)
    # then
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, provider_user):
    # when: a provider user logs in on the portal (no second factor there)
    page = client.get("/portal/login/", secure=True)
    login = client.post(
        "/portal/login/",
        {"username": provider_user.username, "password": "wachtwoord-123"},
        secure=True,
    )
    # then
    assert login.status_code == 302
    session = login.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    assert 0 < int(session["max-age"]) <= 8 * 60 * 60
    csrf = page.cookies["csrftoken"]
    assert (csrf["secure"], csrf["samesite"]) == (True, "Lax")


# --------------------------------------------------------------------------- pseudonymisation key


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("", "empty"),
        ("change-me-too", "example"),
        ("insecure-dev-pseudonymisation-key", "example"),
        ("a-short-but-random-k3y", "shorter"),
        ("abababababababababababababababababab", "different characters"),
    ],
)
def test_a_missing_short_or_example_key_is_an_error_without_debug(settings, key, why):
    # given
    settings.DEBUG = False
    settings.PSEUDONYMISATION_KEY = key
    # when
    messages = core_checks.check_pseudonymisation_key(None)
    # then
    assert [(m.id, m.level) for m in messages] == [("core.E001", 40)]
    assert why in messages[0].msg


def test_the_demo_key_is_only_a_warning_with_debug(settings):
    settings.DEBUG = True
    settings.PSEUDONYMISATION_KEY = "insecure-dev-pseudonymisation-key"
    assert [m.id for m in core_checks.check_pseudonymisation_key(None)] == ["core.W001"]


@pytest.mark.parametrize("debug", [True, False])
def test_a_long_random_key_passes(settings, debug):
    settings.DEBUG = debug
    settings.PSEUDONYMISATION_KEY = secrets.token_urlsafe(48)
    assert core_checks.check_pseudonymisation_key(None) == []


# --------------------------------------------------------------------------- virus scanner


def scanner_messages(settings, *, debug=False, socket="", waived=False, reason=""):
    settings.DEBUG = debug
    settings.CLAMD_SOCKET = socket
    settings.DOCUMENT_VIRUS_SCAN_WAIVED = waived
    settings.DOCUMENT_VIRUS_SCAN_WAIVER_REASON = reason
    return [(m.id, m.level) for m in core_checks.check_virus_scanner(None)]


def test_a_deployment_without_clamd_fails_the_deploy_check(settings):
    assert scanner_messages(settings) == [("core.E010", 40)]


def test_a_waiver_needs_its_reason(settings):
    assert scanner_messages(settings, waived=True) == [("core.E011", 40)]
    assert scanner_messages(settings, waived=True, reason="Scanned by the ICAP gateway") == [
        ("core.I010", 20)
    ]


@pytest.mark.parametrize(
    "setup", [{"socket": "/run/clamav/clamd.ctl"}, {"socket": "tcp://clamav:3310"}, {"debug": True}]
)
def test_a_configured_scanner_or_the_demo_passes(settings, setup):
    assert scanner_messages(settings, **setup) == []


def test_the_virus_scanner_check_is_a_deploy_check():
    assert core_checks.check_virus_scanner in check_registry.get_checks(include_deployment_checks=True)
    assert core_checks.check_virus_scanner not in check_registry.get_checks(include_deployment_checks=False)


def test_refuse_insecure_start_raises_on_an_error_and_passes_otherwise(settings):
    # given
    settings.DEBUG = False
    settings.CLAMD_SOCKET = "/run/clamav/clamd.ctl"
    settings.PSEUDONYMISATION_KEY = "change-me-too"
    # when / then
    with pytest.raises(ImproperlyConfigured, match="core.E001"):
        core_checks.refuse_insecure_start()
    settings.PSEUDONYMISATION_KEY = secrets.token_urlsafe(48)
    core_checks.refuse_insecure_start()  # warnings (the test's SECRET_KEY ...) do not stop it
