"""Serializers shared by every resource: transition input. (Audit events: audit.api.serializers.)"""

from rest_framework import serializers


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        default="",
        allow_blank=True,
        help_text="Why the step is taken; required for some steps (`reason_required`).",
    )
