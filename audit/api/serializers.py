"""Audit events as the API shows them: within one object's history (``/events``, ``/as-of``) and in the
whole trail (``/audit-events``, which also names the subject of each event)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", help_text="Username of the actor, or `system`.")
    data = serializers.SerializerMethodField(help_text="Details of the event (what was decided, on what).")

    class Meta:
        model = AuditEvent
        fields = [
            "occurred_at",
            "event",
            "actor",
            "from_state",
            "to_state",
            "reason",
            "data",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, event: AuditEvent) -> dict:
        return event.data


class AuditTrailEventSerializer(AuditEventSerializer):
    class Meta(AuditEventSerializer.Meta):
        fields = [*AuditEventSerializer.Meta.fields, "subject_type", "subject_uuid", "subject_repr"]
        read_only_fields = fields
