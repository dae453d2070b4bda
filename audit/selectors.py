"""Reads of the audit trail."""

import uuid
from typing import Protocol

from django.db import models

from .models import AuditEvent
from .services import Subject


class KnownSubject(Subject, Protocol):
    """A subject the outside world knows by its ``uuid`` (every domain row: core.models.BaseModel)."""

    @property
    def uuid(self) -> uuid.UUID: ...


def events_for(subject: KnownSubject) -> models.QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(subject_type=subject._meta.label_lower, subject_uuid=subject.uuid)
        .select_related("actor")
        .order_by("id")
    )
