"""System checks of the deployment's own security settings (Django runs them with ``manage.py check``;
``check --deploy`` adds the deploy-only ones). Registered in ``CoreConfig.ready``.

They read settings only, no domain rules:

- the pseudonymisation key (``PSEUDONYMISATION_KEY``): missing, short or a published example is an
  error when DEBUG is off, a warning in the demo;
- the virus scanner (``CLAMD_SOCKET``): a deploy-check error when DEBUG is off and it is not configured,
  unless the scan is waived explicitly, with a reason (``DOCUMENT_VIRUS_SCAN_WAIVED``).

``refuse_insecure_start`` runs these (and Django's own security checks) when the WSGI/ASGI application
loads, so a server process with an error among them does not start (gunicorn and uWSGI run no checks).
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

PSEUDONYMISATION_KEY_MIN_LENGTH = 32
PSEUDONYMISATION_KEY_MIN_DISTINCT = 10
# Keys that were ever printed in this repository (.env.example, the DEBUG default, the benchmarks) or that
# any example would use: known to everyone, so every pseudonym made with them can be reversed.
EXAMPLE_PSEUDONYMISATION_KEYS = frozenset(
    {
        "change-me",
        "change-me-too",
        "changeme",
        "insecure-dev-pseudonymisation-key",
        "test-pseudonymisation-key",
        "bench-only",
        "secret",
        "pseudonymisation-key",
    }
)
ROTATION_HINT = "See docs/pseudonymisation-key.md (generate one: python -c 'import secrets; print(secrets.token_urlsafe(48))')."


def _key_problem(key: str) -> str | None:
    """What is wrong with ``key``, or None when it may protect real BSNs."""
    if not key:
        return "PSEUDONYMISATION_KEY is empty."
    if key.strip().lower() in EXAMPLE_PSEUDONYMISATION_KEYS or key.lower().startswith(
        ("change-me", "insecure-", "django-insecure-")
    ):
        return "PSEUDONYMISATION_KEY is an example key from the documentation or the demo."
    if len(key) < PSEUDONYMISATION_KEY_MIN_LENGTH:
        return f"PSEUDONYMISATION_KEY is shorter than {PSEUDONYMISATION_KEY_MIN_LENGTH} characters."
    if len(set(key)) < PSEUDONYMISATION_KEY_MIN_DISTINCT:
        return (
            f"PSEUDONYMISATION_KEY has fewer than {PSEUDONYMISATION_KEY_MIN_DISTINCT} different characters."
        )
    return None


@checks.register(checks.Tags.security)
def check_pseudonymisation_key(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """With a known or guessable key every pseudonym can be reversed by hashing all BSNs (one billion
    candidates, minutes on a laptop): refused outside DEBUG."""
    problem = _key_problem(getattr(settings, "PSEUDONYMISATION_KEY", "") or "")
    if problem is None:
        return []
    if settings.DEBUG and getattr(settings, "PSEUDONYMISATION_KEY", ""):
        return [
            checks.Warning(
                problem,
                hint="Allowed with DEBUG on (the demo); a deployment refuses to start. " + ROTATION_HINT,
                id="core.W001",
            )
        ]
    return [
        checks.Error(
            problem,
            hint="Set a long random PSEUDONYMISATION_KEY that is kept secret. " + ROTATION_HINT,
            id="core.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_virus_scanner(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Uploads from providers are scanned by clamd; a deployment without it says why, or does not start."""
    if settings.DEBUG or getattr(settings, "CLAMD_SOCKET", ""):
        return []
    if not getattr(settings, "DOCUMENT_VIRUS_SCAN_WAIVED", False):
        return [
            checks.Error(
                "CLAMD_SOCKET is not set: uploaded documents would be stored without a virus scan.",
                hint=(
                    "Set CLAMD_SOCKET to clamd's unix socket (e.g. /run/clamav/clamd.ctl) or tcp://host:3310; "
                    "or, when files are scanned elsewhere, set DOCUMENT_VIRUS_SCAN_WAIVED=true and say where "
                    "in DOCUMENT_VIRUS_SCAN_WAIVER_REASON."
                ),
                id="core.E010",
            )
        ]
    reason = (getattr(settings, "DOCUMENT_VIRUS_SCAN_WAIVER_REASON", "") or "").strip()
    if not reason:
        return [
            checks.Error(
                "DOCUMENT_VIRUS_SCAN_WAIVED is set without DOCUMENT_VIRUS_SCAN_WAIVER_REASON.",
                hint="Say why uploads need no scan here (e.g. where they are scanned instead).",
                id="core.E011",
            )
        ]
    return [checks.Info(f"The virus scan of uploaded documents is waived: {reason}", id="core.I010")]


def refuse_insecure_start() -> None:
    """Raise ImproperlyConfigured when a security check (deploy checks included) reports an error. Called
    by config.wsgi and config.asgi once the application is loaded."""
    errors = [
        message
        for message in checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)
        if message.is_serious()
    ]
    if errors:
        raise ImproperlyConfigured(
            "Refusing to start: " + " ".join(f"{m.id}: {m.msg} {m.hint or ''}".strip() for m in errors)
        )
