"""API of the exports.

- ``POST /exports`` ``{kind, parameters}`` requests an export: 202 with the export resource (its
  ``status`` is ``queued``, or already ``done`` with the in-process task backend);
- ``GET /exports``, ``GET /exports/{uuid}``: the caller's exports (officers, auditors: all);
- ``GET /exports/{uuid}/file``: the file once ``status`` is ``done`` (409 ``export_not_ready`` before);
- ``GET /providers/{uuid}/dossier[?asOf=YYYY-MM-DD]``: the provider dossier (PDF), made now and recorded
  as an export; a provider user gets only their own organisation's (404 for any other).

The audit trail (``GET /audit-events``) is the audit app's: audit.api.views.
"""

from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import TokenScopes
from api.query import KnownQueryParameters
from api.schema import problems
from api.serializers import ClosedSerializer
from api.transitions import ResourceViewSet
from compliance.models import Export, ExportKind, ExportStatus
from compliance.reports.selectors import export_list
from compliance.reports.services import LANGUAGES, export_download, export_request
from contracting import selectors as contracting_selectors
from core.exceptions import DomainError

EXPORT_PROBLEMS = {
    400: "Invalid kind or parameters (`invalid`, with `invalidParams`).",
    403: "The caller may not make this export "
    "(`export_forbidden`: a provider user asking for anything but their own dossier).",
    404: "The provider, procedure or authority is not found or not visible to the caller (`not_found`).",
    409: "The export has no file yet (`export_not_ready`).",
}
FILE_TYPES = {
    "application/pdf": OpenApiTypes.BINARY,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": OpenApiTypes.BINARY,
}


class ExportNotReady(DomainError):
    code = "export_not_ready"
    title = _("The export has no file yet.")


class ExportFailed(exceptions.APIException):
    """500 ``export_failed``: what went wrong is in the export's record and the log, never in the answer."""

    status_code = 500
    default_code = "export_failed"
    default_detail = _("The file could not be made. The failure is recorded; try again later.")


class FileRenderer(renderers.BaseRenderer):
    """Lets a download be asked for with any Accept header; errors still answer problem+json."""

    media_type = "*/*"
    format = "file"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


FILE_RENDERERS = [*(r for r in viewsets.GenericViewSet.renderer_classes), FileRenderer]


class _ExportParameters(ClosedSerializer):
    language = serializers.ChoiceField(
        choices=[(code, name) for code, name in settings.LANGUAGES if code in LANGUAGES],
        required=False,
        help_text="The language of the file; default the request's (`Accept-Language`).",
    )


class PeriodExportParameters(_ExportParameters):
    """`workbook` and `period_report`: one municipality (or region) over a period."""

    authority = serializers.UUIDField(help_text="The contracting authority (municipality or region).")
    period_start = serializers.DateField(required=False, help_text="Default: 1 January of this year.")
    period_end = serializers.DateField(
        required=False, help_text="Default: 31 December of this year; not before `periodStart`."
    )


class ProviderDossierExportParameters(_ExportParameters):
    """`provider_dossier`: one provider (a provider user: only their own organisation)."""

    provider = serializers.UUIDField(help_text="The provider whose dossier is made.")
    as_of = serializers.DateField(required=False, help_text="Also as it all stood on this date.")


class ProcedureReportExportParameters(_ExportParameters):
    """`procedure_report`: one procedure."""

    procedure = serializers.UUIDField(help_text="The procedure reported on.")


def _export_request_serializer(kind: ExportKind, parameters: type[serializers.Serializer]) -> type:
    name = "".join(part.title() for part in kind.value.split("_"))
    return type(
        f"{name}ExportSerializer",
        (ClosedSerializer,),
        {
            "kind": serializers.ChoiceField(choices=[(kind.value, kind.label)]),
            "parameters": parameters(),
            "__doc__": f"A request for a `{kind.value}` export.",
        },
    )


#: kind -> the input of that kind, with the parameters it takes (typed; unknown keys are a 400)
EXPORT_REQUESTS = {
    kind: _export_request_serializer(kind, parameters)
    for kind, parameters in (
        (ExportKind.WORKBOOK, PeriodExportParameters),
        (ExportKind.PERIOD_REPORT, PeriodExportParameters),
        (ExportKind.PROVIDER_DOSSIER, ProviderDossierExportParameters),
        (ExportKind.PROCEDURE_REPORT, ProcedureReportExportParameters),
    )
}


class ExportKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices)


class ExportSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", default=None, allow_null=True)
    parameters = serializers.DictField(read_only=True)
    file_url = serializers.SerializerMethodField(
        help_text="Where to download the file once `status` is `done`."
    )

    class Meta:
        model = Export
        fields = [
            "uuid",
            "kind",
            "parameters",
            "status",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "filename",
            "content_type",
            "size",
            "sha256",
            "audit_hash",
            "error",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, export: Export) -> str | None:
        if export.status != ExportStatus.DONE:
            return None
        request = self.context.get("request")
        url = f"/api/v1/exports/{export.uuid}/file"
        return request.build_absolute_uri(url) if request is not None else url


class ExportViewSet(ResourceViewSet):
    """Exports for auditors: the workbook, provider dossiers, procedure and period reports."""

    serializer_class = ExportSerializer
    service_actions = ("create",)
    filterset_fields = ["kind", "status"]
    search_fields = ["filename", "sha256"]

    def get_queryset(self):
        return export_list(self.request.user)

    @extend_schema(
        summary="Request an export",
        description="Records the export and has it made in the background. The answer is 202 with the "
        "export; poll it until `status` is `done` (or `failed`), then download `fileUrl`. The export is an "
        "event in the audit trail, with the file's SHA-256.",
        request=PolymorphicProxySerializer(
            component_name="ExportRequest",
            serializers={kind.value: serializer for kind, serializer in EXPORT_REQUESTS.items()},
            resource_type_field_name="kind",
            required=True,
        ),
        responses={
            202: ExportSerializer,
            **problems(400, 403, 404, descriptions=EXPORT_PROBLEMS),
        },
    )
    def create(self, request, *args, **kwargs):
        kind = ExportKindSerializer(data=request.data)
        kind.is_valid(raise_exception=True)
        payload = EXPORT_REQUESTS[kind.validated_data["kind"]](data=request.data)
        payload.is_valid(raise_exception=True)
        parameters = {k: str(v) for k, v in payload.validated_data["parameters"].items()}
        export = export_request(
            actor=request.user, kind=payload.validated_data["kind"], parameters=parameters
        )
        export.refresh_from_db()
        response = Response(self.get_serializer(export).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = f"/api/v1/exports/{export.uuid}"
        return response

    @extend_schema(
        summary="Download the file of an export",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A PDF report."),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The workbook."
            ),
            **problems(403, 404, 409, descriptions=EXPORT_PROBLEMS),
        },
    )
    @action(
        detail=True, methods=["get"], url_path="file", filter_backends=[], renderer_classes=FILE_RENDERERS
    )
    def file(self, request, uuid=None):
        export = self.get_object()
        if export.status != ExportStatus.DONE:
            raise ExportNotReady(current_status=export.status)
        handle = export_download(export=export, actor=request.user)
        return file_response(export, handle)


def file_response(export: Export, handle: Any) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=export.filename, content_type=export.content_type
    )
    response["Digest"] = f"sha-256={export.sha256}"
    response["X-Export"] = str(export.uuid)
    return response


class ProviderDossierView(APIView):
    """The dossier of one provider as a PDF, made now (and recorded as an export)."""

    permission_classes = [IsAuthenticated, TokenScopes, KnownQueryParameters]
    renderer_classes = FILE_RENDERERS

    @extend_schema(
        operation_id="providers_dossier_retrieve",
        summary="The provider's dossier (PDF)",
        description="Identity, agreements, memberships, condition results with their evidence and hashes, "
        "signals and the timeline of the relationship; with `asOf` also as it all stood on that date. "
        "A provider user may download the dossier of their own organisation only (404 for others), "
        "without fraud signals, their events and waivers that are not approved.",
        parameters=[
            OpenApiParameter("uuid", OpenApiTypes.UUID, location=OpenApiParameter.PATH),
            OpenApiParameter("asOf", OpenApiTypes.DATE, location=OpenApiParameter.QUERY, required=False),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The dossier."),
            **problems(400, 403, 404, descriptions=EXPORT_PROBLEMS),
        },
        tags=["providers"],
    )
    def get(self, request, uuid):
        provider = get_object_or_404(contracting_selectors.provider_list(request.user), uuid=uuid)
        parameters = {"provider": str(provider.uuid)}
        as_of = request.query_params.get("asOf")
        if as_of:
            parameters["as_of"] = as_of
        export = export_request(
            kind=ExportKind.PROVIDER_DOSSIER, parameters=parameters, actor=request.user, background=False
        )
        if export.status != ExportStatus.DONE:
            raise ExportFailed()
        return file_response(export, export_download(export=export, actor=request.user))
