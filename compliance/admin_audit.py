"""Edits made in the admin are events in the audit trail too.

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
from django.db.models.signals import post_save
from django.dispatch import receiver

from .audit import audit_record

ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(post_save, sender=LogEntry, dispatch_uid="compliance.audit_admin_edit")
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
