"""Exports and the "as of date" view in the admin.

- Exports (compliance.Export): a read-only list with download links and, above it, a form to make the
  workbook or the period report of an authority for a period. Exports run in the background (task
  backend); the list shows their status and a download link once done.
- Buttons on change pages (``ReportLinksMixin``): "Dossier (PDF)" on a provider, "Procedure report
  (PDF)" on a procedure, "As of date" on agreements, applications, memberships, procedures and coalitions.
  ``add_report_links`` gives the registered admins of those models the mixin (an admin that already
  has it in its bases is left alone).

Who may do what is decided by compliance.reports (services and selectors): officers, auditors and
administrators export everything; nobody changes or deletes an export.
"""

import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from audit.admin import admin_change_url
from coalitions.models import Coalition, Membership
from compliance.models import Export, ExportKind, ExportStatus
from compliance.reports.history import SUBJECT_TYPES, subject_as_of
from compliance.reports.selectors import export_list
from compliance.reports.services import export_download, export_request, export_restart
from contracting.models import Agreement, Application, ContractingAuthority, Procedure, Provider
from contracting.roles import can_read_everything
from core import clock
from core.admin import ReadOnlyAdmin, date_range, message_domain_error
from core.exceptions import DomainError

# --------------------------------------------------------------------------- forms

ISO_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("report"),
        choices=[
            (ExportKind.WORKBOOK, ExportKind.WORKBOOK.label),
            (ExportKind.PERIOD_REPORT, ExportKind.PERIOD_REPORT.label),
        ],
    )
    authority = forms.ModelChoiceField(
        label=_("authority"), queryset=ContractingAuthority.objects.order_by("name"), to_field_name="uuid"
    )
    # <input type=date> takes and sends ISO dates (the browser shows them the reader's way)
    period_start = forms.DateField(label=_("period start"), widget=ISO_DATE_INPUT)
    period_end = forms.DateField(label=_("period end"), widget=ISO_DATE_INPUT)
    language = forms.ChoiceField(label=_("language"), choices=[("nl", _("Dutch")), ("en", _("English"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = clock.today().year
        self.fields["period_start"].initial = datetime.date(year, 1, 1)
        self.fields["period_end"].initial = datetime.date(year, 12, 31)

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class AsOfDateForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=ISO_DATE_INPUT)


# --------------------------------------------------------------------------- the exports


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    change_list_template = "admin/compliance/export/change_list.html"
    list_display = (
        "created_at",
        "kind",
        "about",
        "period",
        "status",
        "requested_by",
        "size",
        "short_sha256",
        "download",
    )
    list_filter = ("kind", "status")
    list_select_related = ("requested_by", "authority", "provider", "procedure")
    search_fields = ("filename", "sha256", "provider__name", "procedure__reference", "authority__name")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "kind",
        "about",
        "period",
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
        "download",
    )
    readonly_fields = fields

    # An export is a record of what was handed out: nobody changes or deletes it (ReadOnlyAdmin), and
    # only those who read everything see the list.
    def has_view_permission(self, request, obj=None) -> bool:
        return can_read_everything(request.user) and super().has_view_permission(request, obj)

    def get_queryset(self, request):
        return export_list(request.user)

    # ---- columns

    @admin.display(description=_("about"))
    def about(self, obj: Export) -> str:
        return str(obj.provider or obj.procedure or obj.authority or "–")

    @admin.display(description=_("period"))
    def period(self, obj: Export) -> str:
        start, end = obj.parameters.get("period_start"), obj.parameters.get("period_end")
        if start and end:
            return date_range(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
        as_of = obj.parameters.get("as_of")
        return (
            gettext("as of %(date)s") % {"date": f"{datetime.date.fromisoformat(as_of):%d-%m-%Y}"}
            if as_of
            else "–"
        )

    @admin.display(description=_("SHA-256"))
    def short_sha256(self, obj: Export) -> str:
        return format_html('<code title="{}">{}…</code>', obj.sha256, obj.sha256[:12]) if obj.sha256 else "–"

    @admin.display(description=_("file"))
    def download(self, obj: Export) -> str:
        if obj.status != ExportStatus.DONE:
            return obj.get_status_display()
        url = reverse(
            "admin:compliance_export_download", args=[quote(obj.pk)], current_app=self.admin_site.name
        )
        return format_html('<a href="{}" class="export-download">{}</a>', url, obj.filename)

    # ---- views

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("new/", view(self.new_view), name="compliance_export_new"),
            # a download is recorded in the audit trail: only a GET is one (any other method is refused)
            path(
                "<path:object_id>/download/",
                view(require_GET(self.download_view)),
                name="compliance_export_download",
            ),
            path(
                "<path:object_id>/restart/",
                view(require_POST(self.restart_view)),
                name="compliance_export_restart",
            ),
            path(
                "provider/<int:provider_id>/dossier/",
                view(self.dossier_view),
                name="compliance_export_dossier",
            ),
            path(
                "procedure/<int:procedure_id>/report/",
                view(self.procedure_view),
                name="compliance_export_procedure",
            ),
            path(
                "as-of/<str:app_label>/<str:model_name>/<path:object_id>/",
                view(self.as_of_view),
                name="compliance_export_as_of",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "export_form": ExportForm(),
            "export_form_url": reverse("admin:compliance_export_new", current_app=self.admin_site.name),
        }
        return super().changelist_view(request, extra_context)

    def _require_reader(self, request: HttpRequest) -> None:
        if not can_read_everything(request.user):
            raise PermissionDenied

    def _requested(self, request: HttpRequest, kind: str, parameters: dict[str, Any]) -> HttpResponse:
        """Request an export for the logged-in user and show where it will be."""
        try:
            export = export_request(kind=kind, parameters=parameters, actor=request.user)
        except DomainError as exc:
            message_domain_error(request, exc)
            return HttpResponseRedirect(
                reverse("admin:compliance_export_changelist", current_app=self.admin_site.name)
            )
        messages.success(
            request,
            gettext("The export has been requested; it can be downloaded here as soon as it is ready."),
        )
        return HttpResponseRedirect(
            reverse(
                "admin:compliance_export_change", args=[quote(export.pk)], current_app=self.admin_site.name
            )
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        export = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if export is not None and export.status == ExportStatus.FAILED:
            extra_context["restart_url"] = reverse(
                "admin:compliance_export_restart", args=[quote(export.pk)], current_app=self.admin_site.name
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def restart_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Start a failed export again (export_restart checks who may)."""
        export = self.get_object(request, unquote(object_id))
        if export is None:
            raise Http404
        try:
            export_restart(export=export, actor=request.user)
        except DomainError as exc:
            message_domain_error(request, exc)
        else:
            messages.success(request, gettext("The export has been started again."))
        return HttpResponseRedirect(
            reverse(
                "admin:compliance_export_change", args=[quote(export.pk)], current_app=self.admin_site.name
            )
        )

    def new_view(self, request: HttpRequest) -> HttpResponse:
        return require_POST(self._new)(request)

    def _new(self, request: HttpRequest) -> HttpResponse:
        self._require_reader(request)
        form = ExportForm(request.POST)
        if not form.is_valid():
            errors = "; ".join(" ".join(e) for e in form.errors.values())
            messages.error(request, errors, extra_tags="invalid")
            return HttpResponseRedirect(
                reverse("admin:compliance_export_changelist", current_app=self.admin_site.name)
            )
        data = form.cleaned_data
        parameters = {
            "authority": str(data["authority"].uuid),
            "period_start": data["period_start"].isoformat(),
            "period_end": data["period_end"].isoformat(),
            "language": data["language"],
        }
        return self._requested(request, data["kind"], parameters)

    def dossier_view(self, request: HttpRequest, provider_id: int) -> HttpResponse:
        return require_POST(self._dossier)(request, provider_id)

    def _dossier(self, request: HttpRequest, provider_id: int) -> HttpResponse:
        self._require_reader(request)
        provider = get_object_or_404(Provider, pk=provider_id)
        parameters = {"provider": str(provider.uuid)}
        form = AsOfDateForm(request.POST)
        if form.is_valid():
            parameters["as_of"] = form.cleaned_data["date"].isoformat()
        return self._requested(request, ExportKind.PROVIDER_DOSSIER, parameters)

    def procedure_view(self, request: HttpRequest, procedure_id: int) -> HttpResponse:
        return require_POST(self._procedure)(request, procedure_id)

    def _procedure(self, request: HttpRequest, procedure_id: int) -> HttpResponse:
        self._require_reader(request)
        procedure = get_object_or_404(Procedure, pk=procedure_id)
        return self._requested(request, ExportKind.PROCEDURE_REPORT, {"procedure": str(procedure.uuid)})

    def download_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        export = export_list(request.user).filter(pk=unquote(object_id)).first()
        if export is None or export.status != ExportStatus.DONE:
            raise Http404(gettext("There is no file for this export."))
        handle = export_download(export=export, actor=request.user)
        return FileResponse(
            handle, as_attachment=True, filename=export.filename, content_type=export.content_type
        )

    def as_of_view(
        self, request: HttpRequest, app_label: str, model_name: str, object_id: str
    ) -> HttpResponse:
        label = f"{app_label}.{model_name}"
        if label not in SUBJECT_TYPES:
            raise Http404
        model = {m._meta.label_lower: m for m in (Agreement, Application, Procedure, Membership, Coalition)}[
            label
        ]
        model_admin = self.admin_site.get_model_admin(model) if self.admin_site.is_registered(model) else None
        obj = get_object_or_404(model, pk=unquote(object_id))
        if model_admin is None or not model_admin.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        form = AsOfDateForm(request.GET or None)
        as_of = subject_as_of(obj, form.cleaned_data["date"]) if form.is_valid() else None
        change_url = admin_change_url(model, obj.pk, current_app=self.admin_site.name)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("%(object)s as of a date") % {"object": obj},
            "subtitle": str(obj),
            "opts": model._meta,
            "object": obj,
            "form": form,
            "as_of": as_of,
            "change_url": change_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/compliance/export/as_of.html", context)


# --------------------------------------------------------------------------- buttons on other admins' pages


class ReportLinksMixin:
    """Adds report buttons to the object tools of a change page, whatever template the admin uses: the
    page is rendered by admin/reports/change_form.html, which extends the admin's own template."""

    def report_links(self, request: HttpRequest, obj: Any) -> list[dict[str, str]]:
        if not can_read_everything(request.user):
            return []
        name = self.admin_site.name
        label = obj._meta.label_lower
        links = []
        if label == "contracting.provider":
            links.append(
                {
                    "id": "export-dossier",
                    "label": gettext("Dossier (PDF)"),
                    "url": reverse("admin:compliance_export_dossier", args=[obj.pk], current_app=name),
                    "method": "post",
                }
            )
        if label == "contracting.procedure":
            links.append(
                {
                    "id": "export-procedure-report",
                    "label": gettext("Procedure report (PDF)"),
                    "url": reverse("admin:compliance_export_procedure", args=[obj.pk], current_app=name),
                    "method": "post",
                }
            )
        if label in SUBJECT_TYPES:
            links.append(
                {
                    "id": "as-of-link",
                    "label": gettext("As of date"),
                    "url": reverse(
                        "admin:compliance_export_as_of",
                        args=[obj._meta.app_label, obj._meta.model_name, quote(obj.pk)],
                        current_app=name,
                    ),
                    "method": "get",
                }
            )
        return links

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        links = self.report_links(request, obj) if obj is not None and obj.pk is not None else []
        if links and isinstance(response, TemplateResponse):
            names = response.template_name
            base = select_template([names] if isinstance(names, str) else list(names))
            response.context_data["reports_base_template"] = base.template
            response.context_data["report_links"] = links
            response.template_name = "admin/reports/change_form.html"
        return response


REPORT_LINK_MODELS = (Provider, Procedure, Agreement, Application, Membership, Coalition)


def add_report_links(site: admin.AdminSite = admin.site, models=REPORT_LINK_MODELS) -> None:
    """Re-register each model's admin with ``ReportLinksMixin`` in front of its own bases."""
    for model in models:
        if not site.is_registered(model):
            continue
        current = site.get_model_admin(model)
        if isinstance(current, ReportLinksMixin):
            continue
        admin_class = type(
            current.__class__.__name__,
            (ReportLinksMixin, current.__class__),
            {"__module__": current.__class__.__module__},
        )
        site.unregister(model)
        site.register(model, admin_class)


add_report_links()
