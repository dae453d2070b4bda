"""``GET /audit-events``: the audit trail, read-only.

Who reads which events is not the audit app's to decide (it knows no roles or audiences): the project's
router registers ``AuditEventViewSet.visible_through(visible_to)``, with ``visible_to(user)`` answering the
queryset of events that user may read (compliance.audience.audit_trail_visible_to).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework.response import Response

from api.transitions import ResourceViewSet
from audit.api.serializers import AuditTrailEventSerializer
from audit.models import AuditEvent

Visibility = Callable[[Any], QuerySet[AuditEvent]]


class AuditEventFilter(filters.FilterSet):
    """Query keys are camelCase, like the JSON."""

    event = filters.CharFilter(help_text="The event code, e.g. `agreement.suspended`.")
    subjectType = filters.CharFilter(
        field_name="subject_type", help_text="The kind of object, e.g. `contracting.agreement`."
    )
    subjectUuid = filters.UUIDFilter(field_name="subject_uuid", help_text="The uuid of the object.")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


class AuditEventViewSet(ResourceViewSet):
    """The audit trail, newest first; read-only for officers, auditors and administrators (nobody can
    change or delete an event: there is no method for it)."""

    serializer_class = AuditTrailEventSerializer
    lookup_field = "hash"
    lookup_value_regex = "[0-9a-f]{64}"
    filterset_class = AuditEventFilter
    search_fields = ["event", "subject_repr", "actor_name"]
    visible_to: Visibility | None = None

    @classmethod
    def visible_through(cls, visible_to: Visibility) -> type["AuditEventViewSet"]:
        """This viewset answering, for each user, the events ``visible_to(user)``."""
        attrs = {"visible_to": staticmethod(visible_to), "__doc__": cls.__doc__, "__module__": cls.__module__}
        return type(cls.__name__, (cls,), attrs)

    def get_queryset(self):
        if self.visible_to is None:
            raise ImproperlyConfigured("Register AuditEventViewSet.visible_through(visible_to).")
        return self.visible_to(self.request.user).order_by("-id")

    def retrieve(self, request, *args, **kwargs):
        event = self.get_object()
        response = Response(self.get_serializer(event).data)
        response["ETag"] = f'"{event.hash}"'  # an event never changes: its hash is its version
        return response
