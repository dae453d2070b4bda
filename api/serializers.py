"""Serializers shared by every resource: transition input. (Audit events: audit.api.serializers.)"""

from django.utils.translation import gettext_lazy as _
from djangorestframework_camel_case.util import camelize_re, underscore_to_camel
from rest_framework import serializers


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        default="",
        allow_blank=True,
        help_text="Why the step is taken; required for some steps (`reason_required`).",
    )


# Input that names its fields exactly: an unknown key is a 400 (`unknown`, in `invalidParams`), not
# silently ignored, and the schema says so (`additionalProperties: false`: api.schema.ClosedSerializerSchema).
# (A comment, not a docstring: the schema would show it as the description of every subclass.)
class ClosedSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        try:
            unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
            if unknown:
                raise serializers.ValidationError(
                    {key: [serializers.ErrorDetail(_("Unknown field."), code="unknown")] for key in unknown}
                )
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # named as the client sent them (the camelCase parser made them snake_case)
            if isinstance(exc.detail, dict):
                exc.detail = {camelize_re.sub(underscore_to_camel, k): v for k, v in exc.detail.items()}
            raise
