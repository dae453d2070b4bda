"""Admin building blocks shared by every app: read-only admins for rows that only services write,
and admins whose rows are added through a service."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect

from core.admin_transitions import message_domain_error
from core.exceptions import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services (or by later flows): nobody adds, changes or deletes them here."""

    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceAddAdmin(admin.ModelAdmin):
    """Rows that are added through a service (``save_model`` calls it) and never edited afterwards."""

    actions = None
    add_fields: tuple[str, ...] = ()
    record_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else (*self.add_fields, *self.record_fields)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

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
