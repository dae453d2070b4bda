"""``{% recent_events user as events %}``: the user's own recent steps from the audit trail (the admin
start page's "recent actions": every transition and decision, not only the admin's edit log)."""

from typing import Any

from django import template

from audit.models import AuditEvent

register = template.Library()


@register.simple_tag
def recent_events(user: Any, limit: int = 10) -> list[AuditEvent]:
    if not getattr(user, "pk", None):
        return []
    return list(AuditEvent.objects.filter(actor=user).order_by("-id")[:limit])
