"""The audit trail in the admin: readable by officers, auditors and administrators, changeable by nobody."""

import json

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "event",
        "subject_type",
        "subject_repr",
        "from_state",
        "to_state",
        "actor_name",
    )
    list_filter = ("subject_type", "event")
    search_fields = ("event", "subject_repr", "actor_name", "reason")
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # a million rows: don't count them twice
    actions = None
    fields = (
        "occurred_at",
        "actor_name",
        "event",
        "subject_type",
        "subject_uuid",
        "subject_link",
        "from_state",
        "to_state",
        "reason",
        "pretty_data",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    # Append-only for everyone, superusers included: the chain of hashes must stay intact.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("subject description"))
    def subject_link(self, obj: AuditEvent) -> str:
        """A link to the subject's own change page, when it still exists and has an admin."""
        if not (obj.subject_type and obj.subject_uuid):
            return obj.subject_repr
        try:
            model = apps.get_model(obj.subject_type)
        except (LookupError, ValueError):
            return obj.subject_repr
        pk = model._default_manager.filter(uuid=obj.subject_uuid).values_list("pk", flat=True).first()
        if pk is None:
            return obj.subject_repr
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[quote(pk)])
        except NoReverseMatch:
            return obj.subject_repr
        return format_html('<a href="{}">{}</a>', url, obj.subject_repr)

    @admin.display(description=_("data"))
    def pretty_data(self, obj: AuditEvent) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False, sort_keys=True)
        )


from . import admin_documents  # noqa: E402,F401  (documents: review, versions, requirements)
from . import admin_reports  # noqa: E402,F401  (exports, report buttons and the as-of view: compliance/admin_reports.py)
