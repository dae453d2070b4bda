"""Reads of the audit trail."""

from django.db import models

from .models import AuditEvent


def events_for(subject: models.Model) -> models.QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(subject_type=subject._meta.label_lower, subject_uuid=subject.uuid)
        .select_related("actor")
        .order_by("id")
    )
