"""The document flow in the admin: officers review accountability documents (start review, accept,
reject with a reason) with the transition buttons of core.admin_transitions; every version with its
SHA-256, size, detected type and a download link through the permission-checking view; the document
requirements; the reminder log (read-only). Imported at the end of compliance/admin.py."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from compliance.documents.services import DOCUMENT_TRANSITIONS
from compliance.documents.validation import type_label
from compliance.documents.views import can_preview
from compliance.models import (
    AccountabilityDocument,
    DocumentReminder,
    DocumentReminderDigest,
    DocumentRequirement,
    DocumentType,
    DocumentVersion,
)
from compliance.models.documents import OWED_STATES
from core import clock
from core.admin import (
    DeleteUnreferencedMixin,
    LabelledTabularInline,
    NoAddMixin,
    NoChangeMixin,
    NoDeleteMixin,
    ReadOnlyAdmin,
)
from core.admin_transitions import TransitionAdminMixin


def download_link(version: DocumentVersion | None) -> str:
    if version is None:
        return "–"
    url = reverse("documents:download", args=[version.document.uuid, version.number])
    return format_html('<a href="{}">{}</a>', url, version.filename)


class VersionInline(NoAddMixin, NoChangeMixin, NoDeleteMixin, admin.TabularInline):
    model = DocumentVersion
    fk_name = "document"
    extra = 0
    can_delete = False
    ordering = ("-number",)
    fields = (
        "number",
        "download",
        "file_type",
        "size",
        "sha256",
        "issued_on",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = fields
    verbose_name_plural = _("versions")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document", "uploaded_by")

    @admin.display(description=_("file"))
    def download(self, version: DocumentVersion) -> str:
        return download_link(version)

    @admin.display(description=_("detected type"))
    def file_type(self, version: DocumentVersion) -> str:
        return type_label(version.content_type)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        overdue = {"status__in": OWED_STATES, "due_date__lt": clock.today()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


@admin.register(DocumentType)
class DocumentTypeAdmin(DeleteUnreferencedMixin, admin.ModelAdmin):
    list_display = ("code", "name", "max_age_months", "validity_months")
    search_fields = ("code", "name", "description")


@admin.register(AccountabilityDocument)
class AccountabilityDocumentAdmin(TransitionAdminMixin, NoAddMixin, NoDeleteMixin, admin.ModelAdmin):
    # nobody adds one here: requested documents come from the requirements (document_generate_requests)
    transition_services = DOCUMENT_TRANSITIONS
    # the review page: the current file previewed beside the accept/reject form, then the usual fields
    change_form_template = "admin/compliance/accountabilitydocument/change_form.html"
    #: the steps the review form offers (the others stay buttons at the top)
    review_steps = ("start_review", "accept", "reject")
    list_display = (
        "document_type",
        "provider",
        "period_key",
        "due_date",
        "status",
        "is_overdue_display",
        "current_file",
        "valid_until",
    )
    list_filter = ("status", OverdueFilter, "document_type", ("valid_until", admin.DateFieldListFilter))
    list_select_related = ("document_type", "provider", "current_version__document")
    search_fields = ("provider__name", "provider__kvk_number", "document_type__name", "sha256", "period_key")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = None
    inlines = [VersionInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "provider",
                    "document_type",
                    "agreement",
                    "period_key",
                    "period_start",
                    "period_end",
                    "due_date",
                    "status",
                    "requested_for",
                )
            },
        ),
        (
            _("Current file"),
            {
                "fields": (
                    "current_file",
                    "current_sha256",
                    "current_size",
                    "current_content_type",
                    "submitted_at",
                )
            },
        ),
        (
            _("Review"),
            {"fields": ("reviewed_by", "reviewed_at", "verdict_reason", "valid_from", "valid_until")},
        ),
    )
    readonly_fields = (
        "provider",
        "document_type",
        "agreement",
        "period_key",
        "period_start",
        "period_end",
        "status",
        "requested_for",
        "current_file",
        "current_sha256",
        "current_size",
        "current_content_type",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "verdict_reason",
        "valid_from",
        "valid_until",
    )

    def get_transition_permission(self) -> str:
        return "compliance.review_accountabilitydocument"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["review"] = self.review_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_context(self, request, obj: AccountabilityDocument) -> dict:
        """The current file (with a preview address for a PDF or an image) and the review steps the
        officer may take now, each posting to the step's own confirmation view."""
        version = obj.current_version
        steps = {
            b["name"]: b for b in self.get_transition_buttons(request, obj) if b["name"] in self.review_steps
        }
        download = reverse("documents:download", args=[obj.uuid, version.number]) if version else ""
        kind = ""
        if can_preview(version):
            kind = "pdf" if version.content_type == "application/pdf" else "image"
        return {
            "version": version,
            "download_url": download,
            "preview_url": f"{download}?preview=1" if kind else "",
            "preview_kind": kind,
            "steps": steps,
        }

    def get_queryset(self, request):
        # The changelist applies list_select_related only to a queryset without select_related, so every
        # relation a row shows is named here (the download link names the version's document too).
        return (
            super()
            .get_queryset(request)
            .select_related(
                "document_type",
                "provider",
                "current_version__document__document_type",
                "current_version__document__provider",
                "reviewed_by",
            )
        )

    @admin.display(description=_("overdue"), boolean=True)
    def is_overdue_display(self, obj: AccountabilityDocument) -> bool:
        return obj.is_overdue()

    @admin.display(description=_("file"))
    def current_file(self, obj: AccountabilityDocument) -> str:
        return download_link(obj.current_version)

    @admin.display(description=_("SHA-256"))
    def current_sha256(self, obj: AccountabilityDocument) -> str:
        return obj.current_version.sha256 if obj.current_version else "–"

    @admin.display(description=_("size (bytes)"))
    def current_size(self, obj: AccountabilityDocument) -> str:
        return str(obj.current_version.size) if obj.current_version else "–"

    @admin.display(description=_("detected type"))
    def current_content_type(self, obj: AccountabilityDocument) -> str:
        return type_label(obj.current_version.content_type) if obj.current_version else "–"

    @admin.display(description=_("requested for"))
    def requested_for(self, obj: AccountabilityDocument) -> str:
        return "; ".join(
            str(r.owner) for r in obj.requirements.select_related("condition", "agreement", "procedure")
        )


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(DeleteUnreferencedMixin, admin.ModelAdmin):
    list_display = (
        "document_type",
        "owner_display",
        "recurrence",
        "due_rule",
        "due_days",
        "notice_days",
        "starts_on",
        "is_active",
        "document_count",
    )
    list_filter = ("recurrence", "is_active", "document_type")
    list_select_related = ("document_type", "condition", "agreement", "procedure")
    search_fields = ("document_type__name", "condition__code", "agreement__reference", "procedure__reference")
    autocomplete_fields = ()
    raw_id_fields = ("agreement", "procedure")
    fieldsets = (
        (None, {"fields": ("document_type", "instructions", "is_active")}),
        (
            _("Asked by (exactly one)"),
            {"fields": ("condition", "agreement", "procedure")},
        ),
        (
            _("When"),
            {
                "fields": (
                    "recurrence",
                    "due_rule",
                    "due_days",
                    "due_day",
                    "due_month",
                    "notice_days",
                    "starts_on",
                    "ends_on",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(documents_count=Count("documents"))

    @admin.display(description=_("asked by"))
    def owner_display(self, obj: DocumentRequirement) -> str:
        return str(obj.owner)

    @admin.display(description=_("documents"), ordering="documents_count")
    def document_count(self, obj: DocumentRequirement) -> int:
        return obj.documents_count


class ReminderInline(NoAddMixin, NoDeleteMixin, LabelledTabularInline):
    model = DocumentReminder
    extra = 0
    can_delete = False
    fields = ("document", "kind", "key")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document__document_type", "document__provider")


@admin.register(DocumentReminderDigest)
class DocumentReminderDigestAdmin(ReadOnlyAdmin):
    """The log of reminder e-mails: read-only (written only by send_document_reminders)."""

    list_display = ("sent_on", "user", "recipient", "item_count", "sent_at")
    list_select_related = ("user",)
    date_hierarchy = "sent_on"
    search_fields = ("recipient", "user__username")
    inlines = [ReminderInline]
    fields = ("user", "recipient", "sent_on", "sent_at", "item_count")
    readonly_fields = fields
