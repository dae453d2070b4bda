"""What every report states about itself: when, by whom, and the audit-trail hash at that moment."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from audit.models import AuditEvent
from audit.services import GENESIS
from core import clock


def audit_head_hash() -> str:
    """The hash of the newest audit event (the genesis hash while the trail is empty)."""
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


@dataclass(frozen=True)
class ReportMeta:
    generated_by: str
    audit_hash: str
    generated_at: datetime.datetime = field(default_factory=clock.now)
    export_uuid: str = ""

    @classmethod
    def now(cls, user: Any = None, export_uuid: str = "") -> "ReportMeta":
        name = user.get_username() if getattr(user, "pk", None) else "system"
        return cls(generated_by=name, audit_hash=audit_head_hash(), export_uuid=export_uuid)

    @property
    def local_time(self) -> datetime.datetime:
        return timezone.localtime(self.generated_at)
