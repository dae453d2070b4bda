"""Serializers shared by every resource: transition input and audit events."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        default="",
        allow_blank=True,
        help_text="Why the step is taken; required for some steps (`reason_required`).",
    )


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
