"""/api/v1/documents: accountability documents, scoped like every resource (a provider user sees only
their providers' documents); multipart upload of a new version; permissioned download of the files;
review through the generic transitions endpoint."""

from django.conf import settings
from django.db import models
from django.http import Http404
from django_filters import rest_framework as filters
from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.schema import TRANSITION_PROBLEMS, problems
from api.transitions import (
    IF_MATCH,
    ResourceViewSet,
    TransitionsMixin,
    available_transitions_field,
    etag_for,
    if_match,
)
from compliance.documents.selectors import document_list_with_versions
from compliance.documents.services import DOCUMENT_TRANSITIONS, document_upload
from compliance.documents.validation import ALLOWED, FILE_TOO_LARGE, REFUSAL_CODES
from compliance.documents.views import file_response
from compliance.models import AccountabilityDocument, DocumentStatus, DocumentVersion
from compliance.models.documents import OWED_STATES
from core import clock
from core.uploads import limit_uploads

# --------------------------------------------------------------------------- serializers


class VersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.get_username", read_only=True)
    download_url = serializers.SerializerMethodField(help_text="Where to download this version's file.")

    class Meta:
        model = DocumentVersion
        fields = [
            "uuid",
            "number",
            "filename",
            "original_filename",
            "size",
            "sha256",
            "content_type",
            "issued_on",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "content_type": {"help_text": "The MIME type detected from the content (not from the name)."},
            "filename": {"help_text": "The sanitised file name the download carries."},
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, version: DocumentVersion) -> str:
        return f"/api/v1/documents/{version.document.uuid}/versions/{version.number}/file"


class DocumentTypeRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class RefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class AgreementRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)


class DocumentSerializer(serializers.ModelSerializer):
    provider = RefSerializer(read_only=True)
    document_type = DocumentTypeRefSerializer(read_only=True)
    agreement = AgreementRefSerializer(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(
        help_text="Past the due date while still owed by the provider (requested or rejected)."
    )
    versions = VersionSerializer(many=True, read_only=True, help_text="Every uploaded version, newest first.")
    available_transitions = available_transitions_field(DOCUMENT_TRANSITIONS)

    class Meta:
        model = AccountabilityDocument
        fields = [
            "uuid",
            "provider",
            "document_type",
            "agreement",
            "period_key",
            "period_start",
            "period_end",
            "due_date",
            "overdue",
            "status",
            "submitted_at",
            "reviewed_at",
            "verdict_reason",
            "valid_from",
            "valid_until",
            "sha256",
            "versions",
            "available_transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, document: AccountabilityDocument) -> bool:
        return document.is_overdue(self.context.get("today"))


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # refused by the validator, with its own code (empty_file)
        help_text="PDF, PNG, JPEG, DOCX, XLSX or ODT, decided by the content; at most DOCUMENT_MAX_UPLOAD_MB.",
    )
    issued_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The date of the document itself; required for types with a maximum age "
        "(a KvK extract may be at most 6 months old).",
    )


# --------------------------------------------------------------------------- filters


class DocumentFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=DocumentStatus.choices)
    provider = filters.UUIDFilter(field_name="provider__uuid")
    documentType = filters.CharFilter(field_name="document_type__code", help_text="Document type code.")
    periodKey = filters.CharFilter(field_name="period_key", help_text="e.g. 2025 or 2025-Q2.")
    overdue = filters.BooleanFilter(method="filter_overdue", help_text="Only (or no) overdue documents.")

    class Meta:
        model = AccountabilityDocument
        fields = ["status"]

    def filter_overdue(self, queryset: models.QuerySet, name: str, value: bool) -> models.QuerySet:
        overdue = models.Q(status__in=OWED_STATES, due_date__lt=clock.today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


# --------------------------------------------------------------------------- viewset


class AnyMediaRenderer(CamelCaseJSONRenderer):
    """For file downloads: accepts any ``Accept`` header; errors still render as JSON problems."""

    media_type = "*/*"
    format = "file"


UPLOAD_PROBLEMS = {
    400: "The file was refused; `code` says why: "
    + ", ".join(f"`{c}`" for c in REFUSAL_CODES if c != FILE_TOO_LARGE)
    + ", or for the date: `issued_on_required`, `document_too_old`, `issued_on_in_future`; or invalid "
    "input (`invalid`, with `invalidParams`).",
    403: "The caller may not upload for this provider (`transition_forbidden`).",
    404: "Not found, or not visible to the caller (`not_found`).",
    409: "The document is in review or decided; no new version now (`invalid_transition`).",
    412: TRANSITION_PROBLEMS[412],
    413: "The file is larger than DOCUMENT_MAX_UPLOAD_MB (`file_too_large`, with `maxBytes`); the upload "
    "is refused while it streams in, nothing is stored.",
    428: TRANSITION_PROBLEMS[428],
}
FILE_RESPONSES = {
    # the type detected from the content at upload (compliance.documents.validation.ALLOWED), sent as stored
    **{
        (200, mime): OpenApiResponse(
            response=OpenApiTypes.BINARY,
            description="The file, as an attachment (`Content-Disposition`), with an `X-Checksum-SHA256` "
            "header. Its `Content-Type` is the type detected from the content at upload: "
            + ", ".join(label for _c, _e, _m, label in ALLOWED.values())
            + ".",
        )
        for _code, _extensions, mime, _label in ALLOWED.values()
    },
    **problems(403, 404),
}


class DocumentViewSet(TransitionsMixin, ResourceViewSet):
    """Accountability documents. A provider user sees only the documents of their providers; officers
    and auditors see all. Requested documents are created by the system from the document requirements;
    a provider uploads a version, an officer reviews (transitions `start_review`, `accept`, `reject`)."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    search_fields = ["document_type__name", "provider__name", "period_key"]
    transition_registry = DOCUMENT_TRANSITIONS
    service_actions = ("transition", "upload")

    def get_queryset(self) -> models.QuerySet:
        return document_list_with_versions(self.request.user).order_by("-created_at", "-pk")

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": clock.today()}

    def initial(self, request, *args, **kwargs) -> None:
        if self.action == "upload":
            # Before authentication: its CSRF check (session logins) reads the body.
            limit_uploads(request._request, settings.DOCUMENT_MAX_UPLOAD_BYTES)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Upload a new version of the document (multipart)",
        description="Stores the file as the next version and submits the document for review (a rejected "
        "document goes back to review). The file's type is decided by its content; see the 400 codes. "
        "The response's `ETag` is the document's new version.",
        parameters=[IF_MATCH],
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: DocumentSerializer,
            **problems(400, 403, 404, 409, 412, 413, 428, descriptions=UPLOAD_PROBLEMS),
        },
    )
    @action(detail=True, methods=["post"], url_path="versions", filter_backends=[])
    def upload(self, request, uuid=None):
        document = self.get_object()  # 404 for documents the caller cannot see
        payload = UploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        document_upload(
            uuid=document.uuid,
            actor=request.user,
            file=upload,
            filename=upload.name,
            size=upload.size,
            issued_on=payload.validated_data.get("issued_on"),
            if_match=if_match(request),
        )
        fresh = self.get_queryset().get(pk=document.pk)
        response = Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(fresh)
        return response

    @extend_schema(
        summary="Download the current version's file",
        responses=FILE_RESPONSES,
    )
    @action(
        detail=True, methods=["get"], url_path="file", filter_backends=[], renderer_classes=[AnyMediaRenderer]
    )
    def file(self, request, uuid=None):
        document = self.get_object()
        version = document.current_version
        if version is None:
            raise Http404
        return file_response(version)

    @extend_schema(
        summary="Download the file of one version",
        parameters=[OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=FILE_RESPONSES,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+)/file",
        url_name="version-file",
        filter_backends=[],
        renderer_classes=[AnyMediaRenderer],
    )
    def version_file(self, request, uuid=None, number=None):
        document = self.get_object()
        version = next((v for v in document.versions.all() if v.number == int(number)), None)
        if version is None:
            raise Http404
        return file_response(version)
