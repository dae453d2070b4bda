"""/api/v1/signals and /api/v1/declarations/imports.

- ``/signals``: fraud signals with their evidence, explanation and IKZ reports; the state machine
  through the generic ``/transitions/<name>`` endpoint (start_investigation, request_confirmation,
  confirm by a second officer, dismiss with a reason). Officers and auditors see every signal (auditors
  cannot change anything: 403); provider users see none (compliance.fraud.selectors explains why).
- ``/declarations/imports``: the production imports; ``POST`` (multipart) imports a CSV or XLSX file of
  declarations (or allocations, ``kind``). Valid rows are stored and the rejected ones are listed with
  row number and reason (201); the same file again answers 200 with ``alreadyImported``; a file of which
  nothing could be stored answers 400 problem+json with every rejected row in ``invalidParams``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.schema import problems
from api.transitions import ResourceViewSet, TransitionsMixin, available_transitions_field
from compliance.fraud import selectors
from compliance.fraud.exceptions import ImportFileError, ImportRejected
from compliance.fraud.importer import production_import
from compliance.fraud.rules import RULES, rule_title
from compliance.fraud.services import SIGNAL_TRANSITIONS
from compliance.models import (
    FraudSignal,
    IkzInformationRequest,
    IkzReport,
    ImportBatch,
    ImportStatus,
    ProductionKind,
    SignalSeverity,
    SignalStatus,
)
from contracting.models import ContractingAuthority
from core.uploads import keep_uploads_in_memory

# --------------------------------------------------------------------------- signals


class SignalRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class IkzRequestSerializer(serializers.ModelSerializer):
    answered_by = serializers.CharField(source="answered_by.get_username", read_only=True, allow_null=True)

    class Meta:
        model = IkzInformationRequest
        fields = [
            "uuid",
            "received_on",
            "reference",
            "request",
            "due_on",
            "answered_on",
            "answer",
            "answered_by",
        ]
        read_only_fields = fields


class IkzReportSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True)
    information_requests = IkzRequestSerializer(many=True, read_only=True)

    class Meta:
        model = IkzReport
        fields = [
            "uuid",
            "reported_on",
            "reference",
            "shared_information",
            "decided_by",
            "information_requests",
        ]
        read_only_fields = fields


class FraudSignalSerializer(serializers.ModelSerializer):
    provider = SignalRefSerializer(read_only=True)
    authority = SignalRefSerializer(read_only=True, allow_null=True)
    rule = serializers.ChoiceField(choices=list(RULES), read_only=True)
    rule_title = serializers.SerializerMethodField(
        help_text="What the rule checks, in the caller's language."
    )
    evidence = serializers.SerializerMethodField(help_text="The numbers the signal rests on (per rule).")
    confirmation_requested_by = serializers.CharField(
        source="confirmation_requested_by.get_username", read_only=True, allow_null=True
    )
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, allow_null=True)
    ikz_reports = IkzReportSerializer(many=True, read_only=True, help_text="Reports to IKZ (Wbsrz).")
    available_transitions = available_transitions_field(SIGNAL_TRANSITIONS)

    class Meta:
        model = FraudSignal
        fields = [
            "uuid",
            "provider",
            "authority",
            "rule",
            "rule_title",
            "period_start",
            "period_end",
            "severity",
            "score",
            "status",
            "explanation",
            "evidence",
            "first_detected_at",
            "last_detected_at",
            "confirmation_requested_by",
            "confirmation_requested_at",
            "confirmation_reason",
            "decided_by",
            "decided_at",
            "dismissal_reason",
            "ikz_reports",
            "available_transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_rule_title(self, signal: FraudSignal) -> str:
        return rule_title(signal.rule)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_evidence(self, signal: FraudSignal) -> dict:
        return signal.evidence


class SignalFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=SignalStatus.choices)
    severity = filters.MultipleChoiceFilter(choices=SignalSeverity.choices)
    rule = filters.MultipleChoiceFilter(choices=[(code, code) for code in RULES])
    provider = filters.UUIDFilter(field_name="provider__uuid", help_text="The provider's uuid.")
    authority = filters.UUIDFilter(field_name="authority__uuid", help_text="The authority's uuid.")
    periodFrom = filters.DateFilter(
        field_name="period_end", lookup_expr="gte", help_text="Periods ending on or after."
    )
    periodTo = filters.DateFilter(
        field_name="period_start", lookup_expr="lte", help_text="Periods starting on or before."
    )

    class Meta:
        model = FraudSignal
        fields = ["status"]


class FraudSignalViewSet(TransitionsMixin, ResourceViewSet):
    """Fraud signals. Officers and auditors see all; provider users see none. Auditors only read."""

    serializer_class = FraudSignalSerializer
    filterset_class = SignalFilter
    search_fields = ["provider__name", "provider__agb_code"]
    transition_registry = SIGNAL_TRANSITIONS

    def get_queryset(self) -> models.QuerySet:
        reports = IkzReport.objects.select_related("decided_by").prefetch_related(
            Prefetch(
                "information_requests",
                queryset=IkzInformationRequest.objects.select_related("answered_by").order_by(
                    "received_on", "id"
                ),
            )
        )
        return (
            selectors.signal_list(self.request.user)
            .prefetch_related(Prefetch("ikz_reports", queryset=reports.order_by("reported_on", "id")))
            .order_by("-period_end", "provider__name", "rule", "pk")
        )


# --------------------------------------------------------------------------- imports


class RejectionSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        source="row_number", help_text="Row number in the file; the header is row 1."
    )
    column = serializers.CharField()
    code = serializers.CharField(help_text="Stable code, e.g. `bsn_checksum`, `unknown_provider`.")
    reason = serializers.CharField(source="message")


class ImportBatchSerializer(serializers.ModelSerializer):
    authority = SignalRefSerializer(read_only=True)
    imported_by = serializers.CharField(source="imported_by.get_username", read_only=True, allow_null=True)

    class Meta:
        model = ImportBatch
        fields = [
            "uuid",
            "kind",
            "status",
            "authority",
            "file_name",
            "file_format",
            "file_size",
            "file_sha256",
            "strict",
            "rows_total",
            "rows_imported",
            "rows_rejected",
            "period_start",
            "period_end",
            "total_amount",
            "error",
            "imported_by",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportBatchDetailSerializer(ImportBatchSerializer):
    rejections = serializers.SerializerMethodField(help_text="The first 1,000 rejected rows, in file order.")
    already_imported = serializers.SerializerMethodField(
        help_text="True when this answer is to a file that had been imported before (nothing changed)."
    )

    class Meta(ImportBatchSerializer.Meta):
        fields = [*ImportBatchSerializer.Meta.fields, "already_imported", "rejections"]
        read_only_fields = fields

    @extend_schema_field(RejectionSerializer(many=True))
    def get_rejections(self, batch: ImportBatch) -> list[dict]:
        return RejectionSerializer(batch.rejections.order_by("row_number", "id")[:1000], many=True).data

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_already_imported(self, batch: ImportBatch) -> bool:
        return bool(self.context.get("already_imported"))


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX in the layout of docs/import-format.md.")
    authority = serializers.SlugRelatedField(
        slug_field="uuid", queryset=ContractingAuthority.objects.all(), help_text="The authority's uuid."
    )
    kind = serializers.ChoiceField(choices=ProductionKind.choices, default=ProductionKind.DECLARATIONS)
    strict = serializers.BooleanField(
        default=False, help_text="All or nothing: one rejected row rejects the whole file."
    )


IMPORT_PROBLEMS = {
    400: "Nothing was stored: every row was rejected, or one in `strict` mode (`import_rejected`, every "
    "rejected row in `invalidParams` as `rows[<row>].<column>`), or the file cannot be read "
    "(`import_file_invalid`, the reason as the code of `invalidParams[0]`: `encoding_unknown`, "
    "`encoding_invalid`, `not_text`, `header_too_long`); or invalid input (`invalid`, with `invalidParams`).",
    403: "The caller may not import production data (`transition_forbidden`).",
    413: "The file is larger than UPLOAD_MAX_MB (`file_too_large`, with `maxBytes`); refused while it streams in.",
}


class ImportBatchViewSet(ResourceViewSet):
    """Production imports (allocations and declarations). Officers and auditors see them; officers import."""

    serializer_class = ImportBatchSerializer
    filterset_fields = ["kind", "status"]
    service_actions = ("create",)

    def get_queryset(self) -> models.QuerySet:
        return selectors.import_batch_list(self.request.user).order_by("-started_at", "-pk")

    def get_serializer_class(self):
        return ImportBatchDetailSerializer if self.action in ("retrieve", "create") else ImportBatchSerializer

    def initial(self, request, *args, **kwargs) -> None:
        if self.action == "create":
            # The file holds clear BSNs until the import replaces them: it stays in memory, never in a
            # temporary file that a killed worker would leave behind. Before authentication: its CSRF check
            # (session logins) reads the body.
            keep_uploads_in_memory(request._request, settings.UPLOAD_MAX_BYTES)
        super().initial(request, *args, **kwargs)

    @extend_schema(responses={200: ImportBatchDetailSerializer, **problems(403, 404)})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Import a file of declarations or allocations (multipart)",
        description="Valid rows are stored and every rejected row is reported with its row number and "
        "reason (201). The same file again changes nothing (200, `alreadyImported`). BSNs are checked "
        "(9 digits, 11-test) and replaced by a keyed hash before anything is stored.",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            201: ImportBatchDetailSerializer,
            200: ImportBatchDetailSerializer,
            **problems(400, 403, 413, descriptions=IMPORT_PROBLEMS),
        },
    )
    def create(self, request, *args, **kwargs):
        payload = ImportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        result = production_import(
            file=upload,
            file_name=upload.name,
            kind=payload.validated_data["kind"],
            authority=payload.validated_data["authority"],
            actor=request.user,
            strict=payload.validated_data["strict"],
        )
        batch = result.batch
        if result.created and batch.status == ImportStatus.REJECTED:
            rejected = [
                {"name": f"rows[{r['row']}].{r['column'] or 'row'}", "code": r["code"], "reason": r["reason"]}
                for r in result.rejections
            ]
            error = ImportRejected if rejected else ImportFileError
            raise error(
                batch.error,
                batch=str(batch.uuid),
                rows_rejected=batch.rows_rejected,
                invalid_params=rejected
                or [
                    {"name": "file", "code": result.file_error or ImportFileError.code, "reason": batch.error}
                ],
            )
        context = {**self.get_serializer_context(), "already_imported": not result.created}
        data = ImportBatchDetailSerializer(batch, context=context).data
        return Response(data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(
        summary="Every rejected row of an import",
        responses={200: RejectionSerializer(many=True), **problems(403, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def rejections(self, request, uuid=None):
        batch = self.get_object()
        page = self.paginate_queryset(batch.rejections.order_by("row_number", "id"))
        return self.get_paginated_response(RejectionSerializer(page, many=True).data)
