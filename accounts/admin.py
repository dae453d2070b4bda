"""API tokens in the admin: an administrator makes one for any active user (e.g. the account of a
municipal system) and sees it once; tokens are revoked, never edited or deleted."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ApiToken, Scope
from accounts.services import api_token_create, api_token_revoke
from core import clock
from core.admin import ServiceAddAdmin, message_domain_error
from core.exceptions import DomainError


def default_expiry() -> datetime.date:
    return clock.today() + datetime.timedelta(days=365)


class ApiTokenForm(forms.ModelForm):
    scope_choice = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=Scope.choices,
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Write includes read."),
    )
    expires_on = forms.DateField(label=_("valid until"), initial=default_expiry)

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAddAdmin):
    form = ApiTokenForm
    add_fields = ("user", "name", "scope_choice", "expires_on")
    record_fields = (
        "prefix",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    )
    readonly_fields = record_fields
    list_display = ("name", "user", "prefix", "scopes", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    list_select_related = ("user",)
    autocomplete_fields = ()
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else ("user", "name", *self.record_fields)

    def record(self, request, form):
        api_token, token = api_token_create(
            actor=request.user,
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scope_choice"],
            expires_on=form.cleaned_data["expires_on"],
        )
        request._api_token_shown_once = token
        return api_token

    def response_add(self, request, obj, post_url_continue=None):
        """The token, once: it is not stored, so this page is the only place it is ever shown."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API token made"),
            "api_token": obj,
            "token": request._api_token_shown_once,
        }
        response = TemplateResponse(request, "admin/accounts/apitoken/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for api_token in queryset.filter(revoked_at__isnull=True).order_by("pk"):
            try:
                api_token_revoke(actor=request.user, uuid=api_token.uuid)
            except DomainError as exc:
                message_domain_error(request, exc)
                return
            revoked += 1
        messages.success(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked)
            % {"count": revoked},
        )
