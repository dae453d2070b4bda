"""``GET /<resource>/{uuid}/as-of?date=YYYY-MM-DD``: an agreement, application, membership, procedure or
coalition as it stood at the end of that day, derived from the recorded history
(compliance.reports.history.subject_as_of). Given to every state machine resource through ``TransitionsMixin``."""

import datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.schema import problems
from audit.api.serializers import AuditEventSerializer
from audit.models import AuditEvent
from compliance.audience import audit_events_visible_to, parts_visible_to
from compliance.reports.history import subject_as_of

AS_OF_PROBLEMS = {
    400: "`date` is missing or not a date (`invalid`, with `invalidParams`).",
    403: "The caller may not read this (`permission_denied`).",
    404: "Not found, or not visible to the caller (`not_found`).",
}


class AsOfQuerySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The day (YYYY-MM-DD); the state at the end of that day counts.")


class AsOfEvaluationSerializer(serializers.Serializer):
    condition = serializers.CharField(source="condition.code")
    title = serializers.CharField(source="condition.title")
    provider = serializers.UUIDField(source="provider.uuid")
    provider_name = serializers.CharField(source="provider.name")
    outcome = serializers.CharField()
    evaluated_at = serializers.DateTimeField()
    reasons = serializers.ListField(child=serializers.DictField())
    evidence = serializers.ListField(child=serializers.DictField())


class AsOfTariffSerializer(serializers.Serializer):
    product = serializers.CharField(source="product.code")
    product_name = serializers.CharField(source="product.name")
    year = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    basis = serializers.CharField(help_text="`provisional`, `definitive`, empty (not indexed) or `unknown`.")
    indexation_pct = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    real_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    meets_real_price = serializers.BooleanField(allow_null=True)


class AsOfTermSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    extensions_used = serializers.IntegerField()
    max_extensions = serializers.IntegerField()
    extension_months = serializers.IntegerField()
    termination_effective_date = serializers.DateField(allow_null=True)


class AsOfPartSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(source="obj.uuid")
    description = serializers.SerializerMethodField()
    state = serializers.CharField()

    def get_description(self, part: Any) -> str:
        return str(part.obj)


class AsOfSerializer(serializers.Serializer):
    subject_type = serializers.CharField(
        help_text="app_label.model of the object, e.g. contracting.agreement"
    )
    uuid = serializers.UUIDField(source="subject.uuid")
    date = serializers.DateField(source="day")
    existed = serializers.BooleanField(help_text="False when the object was created after that day.")
    state = serializers.CharField(allow_null=True)
    current_state = serializers.CharField()
    term = AsOfTermSerializer(allow_null=True, help_text="Agreements only: the term on that day.")
    evaluations = AsOfEvaluationSerializer(
        many=True, help_text="What was recorded as true for each condition on that day."
    )
    condition_set = serializers.SerializerMethodField(help_text="Procedures and coalitions: condition codes.")
    parts = AsOfPartSerializer(
        many=True, help_text="Procedures: their applications; coalitions: their memberships, on that day."
    )
    tariffs = AsOfTariffSerializer(
        many=True, help_text="The tariffs of that year for the products of its lots."
    )
    events = AuditEventSerializer(many=True, help_text="The recorded events up to that day, oldest first.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_condition_set(self, as_of: Any) -> list[str]:
        return [c.code for c in as_of.condition_set]


class AsOfMixin:
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not issubclass(cls, viewsets.GenericViewSet):
            return
        extend_schema_view(
            as_of=extend_schema(
                summary="This object as it stood on a past date",
                description="State, conditions and tariffs at the end of `date`, derived from the recorded "
                "history: the audit events (states), the condition evaluations and the indexation runs.",
                parameters=[
                    OpenApiParameter(
                        "date", OpenApiTypes.DATE, location=OpenApiParameter.QUERY, required=True
                    )
                ],
                responses={200: AsOfSerializer, **problems(400, 403, 404, descriptions=AS_OF_PROBLEMS)},
            )
        )(cls)

    @action(
        detail=True,
        methods=["get"],
        url_path="as-of",
        url_name="as-of",
        filter_backends=[],
        pagination_class=None,
    )
    def as_of(self, request, uuid=None):
        obj = self.get_object()  # 404 for objects the caller cannot see
        query = AsOfQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day: datetime.date = query.validated_data["date"]
        as_of = subject_as_of(obj, day)
        visible = set(
            audit_events_visible_to(
                request.user, AuditEvent.objects.filter(pk__in=[e.pk for e in as_of.events])
            ).values_list("pk", flat=True)
        )
        as_of.events = [e for e in as_of.events if e.pk in visible]
        # a provider user sees their own application or membership, not who else applied or is a member
        shown = {part.pk for part in parts_visible_to(request.user, [part.obj for part in as_of.parts])}
        as_of.parts = [part for part in as_of.parts if part.obj.pk in shown]
        return Response(AsOfSerializer(as_of, context=self.get_serializer_context()).data)
