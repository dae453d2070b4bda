"""What every report states about itself: when, by whom, and the head of the audit trail at that moment
(the hash of the newest event, and the anchor ``<number of events>:<hash>`` that
``manage.py verify_audit_trail --anchor-file <export>`` checks against the trail)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from audit.anchors import anchor_text
from audit.services import chain_head
from core import clock


@dataclass(frozen=True)
class ReportMeta:
    generated_by: str
    audit_hash: str
    generated_at: datetime.datetime = field(default_factory=clock.now)
    export_uuid: str = ""
    audit_events: int = 0  # events in the trail up to and including the one whose hash is audit_hash

    @classmethod
    def now(cls, user: Any = None, export_uuid: str = "") -> "ReportMeta":
        name = user.get_username() if getattr(user, "pk", None) else "system"
        head = chain_head()  # the committed head: the hash of the newest event (genesis while empty)
        return cls(
            generated_by=name, audit_hash=head.hash, audit_events=head.event_count, export_uuid=export_uuid
        )

    @property
    def audit_anchor(self) -> str:
        """``<number of events>:<hash>``: what ``verify_audit_trail --anchor`` takes."""
        return anchor_text(self.audit_events, self.audit_hash)

    @property
    def local_time(self) -> datetime.datetime:
        return timezone.localtime(self.generated_at)
