"""Login-relevant events in the audit trail: a login, a logout and a failed login attempt.

Only what happens through an HTTP request is recorded (the admin's and the portal's login forms, the
API's basic authentication); ``login()`` called outside a request (a test client's ``force_login``, a
script) is no authentication event. A failed attempt records the username that was tried, never the
password; no IP addresses are stored (personal data)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record


def _from_http(request: Any) -> bool:
    return request is not None and bool(getattr(request, "method", None))


def _channel(request: Any) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "portal" if path.startswith("/portal/") else "web"


@receiver(user_logged_in, dispatch_uid="compliance.audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _from_http(request):
        audit_record(actor=user, event="user.logged_in", subject=user, data={"channel": _channel(request)})


@receiver(user_logged_out, dispatch_uid="compliance.audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _from_http(request) and user is not None:
        audit_record(actor=user, event="user.logged_out", subject=user, data={"channel": _channel(request)})


@receiver(user_login_failed, dispatch_uid="compliance.audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if not _from_http(request):
        return
    field = get_user_model().USERNAME_FIELD
    username = str(credentials.get(field) or credentials.get("username") or "")[:150]
    audit_record(
        actor=None,
        event="user.login_failed",
        data={"username": username, "channel": _channel(request)},
    )
