"""Admin building blocks shared by every app: permission mixins, read-only admins for rows that only
services write, admins whose rows are added through a service, a refusal as an error message, the URLs
of an admin's own views of an object, and small display helpers.

core.admin_transitions builds on this module; it imports nothing of ours but core.exceptions."""

import datetime
from typing import TYPE_CHECKING, Any

from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy

from core import formatting, labels
from core.exceptions import DomainError
from core.models import ScheduledRun

if TYPE_CHECKING:  # what the mixins below are mixed into (ModelAdmin is generic only in the stubs)
    ModelAdminMixinBase = admin.ModelAdmin[Any]
else:
    ModelAdminMixinBase = object
# --------------------------------------------------------------------------- refusals


def domain_error_message(exc: DomainError) -> str:
    """The refusal in the user's language; each unmet condition as a list item carrying its code."""
    unmet = exc.extra.get("unmet") or []
    if not unmet:
        return exc.detail
    items = format_html_join(
        "", '<li data-code="{}">{}</li>', ((u.get("code", ""), u.get("message", "")) for u in unmet)
    )
    return format_html('{}<ul class="unmet-conditions">{}</ul>', exc.title, items)


def message_domain_error(request: HttpRequest, exc: DomainError) -> None:
    # extra_tags carries the stable code (e.g. "guard_failed") for styling and for tests
    messages.error(request, domain_error_message(exc), extra_tags=exc.code)


# --------------------------------------------------------------------------- permissions
# For a ModelAdmin or an inline (an inline's has_add_permission also receives the parent object).


class NoAddMixin:
    """Nobody adds a row here: rows come from a service, a command or another page."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoChangeMixin:
    """Nobody edits a row here (a state changes through its transitions, if it has any)."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoDeleteMixin:
    """Nobody deletes a row here, superusers included: records with a state machine or that the audit
    trail refers to end through their transitions, never by a hard delete. (Without the delete permission
    the admin offers no "delete selected" action either.)"""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def is_referenced(obj: Any) -> bool:
    """Whether any row refers to ``obj``: a foreign key, one-to-one or many-to-many field pointing at it.
    (Its own many-to-many links to other rows do not count: they are the row's, not references to it.)"""
    for relation in obj._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue  # a field of its own, not a relation from elsewhere
        related = relation.related_model
        if related._meta.auto_created:
            continue  # the hidden table of a many-to-many field; its ManyToManyRel is checked itself
        if related._base_manager.filter(**{relation.field.name: obj}).exists():
            return True
    return False


class DeleteUnreferencedMixin(ModelAdminMixinBase):
    """Reference data an administrator maintains (product categories, units, index rates, WNT norms, the
    condition library ...): a row may be deleted, by whoever holds the delete permission, only while
    nothing refers to it, and one at a time. The bulk "delete selected" action is removed: it writes its
    log entries in bulk, so the deletions would not reach the audit trail (audit.receivers)."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or not is_referenced(obj)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class AppendOnlyMixin(NoChangeMixin, NoDeleteMixin):
    """Rows are added (through a service), never changed or deleted afterwards."""


class ReadOnlyMixin(NoAddMixin, NoChangeMixin, NoDeleteMixin):
    """Nobody adds, changes or deletes a row here; whoever may view the model reads it."""


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows written by services (or by later flows): nobody adds, changes or deletes them here."""

    actions = None


class ServiceAddAdmin(AppendOnlyMixin, admin.ModelAdmin):
    """Rows that are added through a service (``save_model`` calls it) and never edited afterwards."""

    actions = None
    add_fields: tuple[str, ...] = ()
    record_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else (*self.add_fields, *self.record_fields)

    def record(self, request: HttpRequest, form: forms.ModelForm):
        raise NotImplementedError

    def save_model(self, request, obj, form, change) -> None:
        created = self.record(request, form)
        # the admin goes on with the object it built from the form (log entry, redirect)
        obj.pk, obj.uuid, obj._state.adding = created.pk, created.uuid, False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:  # refused by the service: nothing was stored
            message_domain_error(request, exc)
            return HttpResponseRedirect(request.get_full_path())


# --------------------------------------------------------------------------- URLs


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs carry their column's label (``aria-label``): Django's table shows the
    labels only as column headers, which assistive technology does not tie to each input."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        for name, field in formset.form.base_fields.items():
            label = str(field.label or name)
            widget = field.widget
            for target in (widget, getattr(widget, "widget", None)):  # a related-field wrapper wraps one
                if target is not None:
                    target.attrs.setdefault("aria-label", label)
        return formset


class AdminUrlsMixin(ModelAdminMixinBase):
    """The URLs of this admin's own views of an object (``change``, ``transition``, custom views named
    ``<app_label>_<model_name>_<view>``), on the admin's own site."""

    def object_url(self, obj: Any, view: str, *args: Any) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}",
            args=[quote(obj.pk), *args],
            current_app=self.admin_site.name,
        )

    def change_url(self, obj: Any) -> str:
        return self.object_url(obj, "change")


def object_id_from_url(request: HttpRequest) -> str | None:
    """The pk of the object whose change page is being built (None on an add page or a changelist)."""
    match = request.resolver_match
    object_id = match.kwargs.get("object_id") if match else None
    return unquote(object_id) if object_id else None


# --------------------------------------------------------------------------- display helpers


def form_errors_message(form: forms.Form) -> str:
    """A form's errors as one message: "label: errors; label: errors" (errors of the whole form bare)."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(error) for error in errors)  # an ErrorList yields its messages
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)


def date_range(start: datetime.date, end: datetime.date) -> str:
    """A period as the admin shows it: 01-01-2025 – 31-12-2025."""
    return f"{formatting.date_short(start)} – {formatting.date_short(end)}"


# --------------------------------------------------------------------------- the site itself

# The product's name and the authority running it, instead of "Django-beheer" (AUTHORITY_NAME in the
# settings; empty: the product's name alone).
admin.site.site_header = " – ".join(x for x in ("Zorginkoop", settings.AUTHORITY_NAME) if x)
admin.site.site_title = "Zorginkoop"
admin.site.index_title = gettext_lazy("Start")
admin.site.empty_value_display = formatting.MISSING


# The queue of background tasks is plumbing: only administrators (superusers) see it, under a Dutch name.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    """What the scheduler ran, when, where and how it ended: for administrators."""

    list_display = ("job", "period", "outcome", "started_at", "finished_at", "attempts", "host")
    list_filter = ("job", "outcome")
    fields = list_display + ("output",)
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser


# --------------------------------------------------------------------------- roles (groups) by their label

# A group's name is the role's code (contracting.roles); the admin shows its label instead.


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return labels.group_label(obj.name)


class RoleFilter(admin.SimpleListFilter):
    title = gettext_lazy("role")
    parameter_name = "groups__id__exact"

    def lookups(self, request, model_admin):
        return [(g.pk, labels.group_label(g.name)) for g in Group.objects.order_by("name")]

    def queryset(self, request, queryset):
        return queryset.filter(groups__id=self.value()) if self.value() else queryset


class RoleLabelsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(DjangoGroupAdmin):
    list_display = ("role",)
    actions = None  # no bulk actions (their checkbox would name the group by its code)

    @admin.display(description=gettext_lazy("role"), ordering="name")
    def role(self, obj: Group) -> str:
        return labels.group_label(obj.name)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserWithRolesAdmin(RoleLabelsMixin, DjangoUserAdmin):
    list_filter = ("is_staff", "is_superuser", "is_active", RoleFilter)
