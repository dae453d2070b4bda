"""What the audit trail records by itself, without a service asking: logins and admin edits.

Logins. Login-relevant events in the audit trail: a login, a logout and a failed login attempt.

Only what happens through an HTTP request is recorded (the admin's and the portal's login forms, the
API's basic authentication); ``login()`` called outside a request (a test client's ``force_login``, a
script) is no authentication event. No IP addresses are stored (personal data).

A failed attempt never stores the password, nor what was typed as a username unless it names an existing
account (a password typed into the username field would otherwise be kept forever): an unknown name is
kept as a keyed hash only. Failed logins are rate-limited in the trail (audit.services.login_failure_record):
at most one event per account, and one for all unknown names together, per window; the attempts in between
are counted and reported by the next event, so anonymous requests cannot grow the chain without bound.

Admin edits. Edits made in the admin are events in the audit trail too.

Transitions and decisions go through the services, which write their own events. What officers and
administrators add, change or delete directly in the admin (a tariff, a budget ceiling, a consultation
round, a user's groups ...) is recorded by the admin as a ``LogEntry``; each one is copied into the
hash-chained trail as ``<model>.added`` / ``<model>.changed`` / ``<model>.deleted``, in the same
transaction, with the fields the admin reports as changed. (Bulk deletions through an admin action write
their log entries in bulk, without signals; only administrators can bulk-delete, and only reference data.)
"""

import json
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from .services import audit_record, login_failure_record


def _from_http(request: Any) -> bool:
    return request is not None and bool(getattr(request, "method", None))


def _channel(request: Any) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "portal" if path.startswith("/portal/") else "web"


@receiver(user_logged_in, dispatch_uid="audit.login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _from_http(request):
        audit_record(actor=user, event="user.logged_in", subject=user, data={"channel": _channel(request)})


@receiver(user_logged_out, dispatch_uid="audit.logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _from_http(request) and user is not None:
        audit_record(actor=user, event="user.logged_out", subject=user, data={"channel": _channel(request)})


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if not _from_http(request):
        return
    field = get_user_model().USERNAME_FIELD
    username = str(credentials.get(field) or credentials.get("username") or "")[:150]
    login_failure_record(username=username, channel=_channel(request))


ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.admin_edit")
def audit_admin_edit(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created or instance.action_flag not in ACTIONS:
        return
    content_type = instance.content_type
    model = content_type.model_class() if content_type else None
    subject = None
    if model is not None and instance.action_flag != DELETION:
        subject = model._default_manager.filter(pk=instance.object_id).first()
    try:
        changes = json.loads(instance.change_message or "[]")
    except ValueError:
        changes = instance.change_message
    audit_record(
        actor=instance.user,
        event=f"{content_type.model if content_type else 'object'}.{ACTIONS[instance.action_flag]}",
        subject=subject,
        data={
            "via": "admin",
            "model": f"{content_type.app_label}.{content_type.model}" if content_type else "",
            "objectId": instance.object_id,
            "object": instance.object_repr,
            "changes": changes,
        },
    )
