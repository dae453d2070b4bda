"""The audit trail in the admin: readable by officers, auditors and administrators; append-only for
everyone, superusers included (the chain of hashes must stay intact).

The helpers that show an event's subject (its model's name, a link to its change page) live here
because a subject is stored the audit trail's way: a model label and a uuid."""

import json
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import labels

from .models import AuditEvent


class EventFilter(admin.SimpleListFilter):
    """The events by their label (the codes stay in the URL)."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        events = AuditEvent.objects.order_by().values_list("event", flat=True).distinct()
        return sorted(((e, labels.event_label(e)) for e in events), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


class SubjectTypeFilter(admin.SimpleListFilter):
    title = _("subject type")
    parameter_name = "subject_type"

    def lookups(self, request, model_admin):
        types = AuditEvent.objects.order_by().values_list("subject_type", flat=True).distinct()
        return sorted(((t, labels.model_label(t)) for t in types if t), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(subject_type=self.value()) if self.value() else queryset


def admin_change_url(model: Any, pk: Any, current_app: str | None = None) -> str | None:
    """The change page of a row of ``model``, or None when the model has no admin."""
    opts = model._meta
    try:
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(pk)], current_app=current_app
        )
    except NoReverseMatch:
        return None


def subject_type_label(subject_type: str) -> str:
    """'contracting.agreement' -> the model's name in the user's language."""
    return labels.model_label(subject_type)


def subject_link(subject_type: str, subject_uuid: Any, text: str) -> str:
    """A link to the change page of a subject stored by type and uuid (one query), or the text."""
    if not (subject_type and subject_uuid):
        return text
    try:
        model = apps.get_model(subject_type)
    except (LookupError, ValueError):
        return text
    pk = model._default_manager.filter(uuid=subject_uuid).values_list("pk", flat=True).first()
    url = admin_change_url(model, pk) if pk is not None else None
    return format_html('<a href="{}">{}</a>', url, text) if url else text


def pretty_json(value: Any) -> str:
    """A JSON value (an event's data, an indexation's components) indented, keys sorted."""
    return format_html(
        "<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "event_label",
        "subject_type_label",
        "subject_repr",
        "from_state_label",
        "to_state_label",
        "actor_name",
    )
    list_filter = (SubjectTypeFilter, EventFilter)
    search_fields = ("event", "subject_repr", "actor_name", "reason")
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # a million rows: don't count them twice
    actions = None
    fields = (
        "occurred_at",
        "actor_name",
        "event_label",
        "subject_type_label",
        "subject_uuid",
        "subject_link",
        "from_state_label",
        "to_state_label",
        "reason",
        "pretty_data",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("event"), ordering="event")
    def event_label(self, obj: AuditEvent) -> str:
        return labels.event_label(obj.event)

    @admin.display(description=_("subject type"), ordering="subject_type")
    def subject_type_label(self, obj: AuditEvent) -> str:
        return labels.model_label(obj.subject_type)

    @admin.display(description=_("from state"))
    def from_state_label(self, obj: AuditEvent) -> str:
        return labels.state_label(obj.subject_type, obj.from_state)

    @admin.display(description=_("to state"))
    def to_state_label(self, obj: AuditEvent) -> str:
        return labels.state_label(obj.subject_type, obj.to_state)

    @admin.display(description=_("subject description"))
    def subject_link(self, obj: AuditEvent) -> str:
        """A link to the subject's own change page, when it still exists and has an admin."""
        return subject_link(obj.subject_type, obj.subject_uuid, obj.subject_repr)

    @admin.display(description=_("data"))
    def pretty_data(self, obj: AuditEvent) -> str:
        return pretty_json(obj.data)
