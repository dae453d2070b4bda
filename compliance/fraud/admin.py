"""Admin for fraud signals, production imports and the rule settings.

- Fraud signals: a filtered list, the evidence numbers and the plain Dutch explanation, transition
  buttons (TransitionAdminMixin over ``SIGNAL_TRANSITIONS``: start investigation, propose confirmation,
  confirm by a second officer, dismiss with a reason), the IKZ report with its information requests,
  and after a confirmation the page that proposes suspending the provider's active agreements and
  memberships (each suspension through ``agreement_suspend`` / ``membership_suspend``).
- Production imports: an upload form (``production_import``) and the batches with their rejected rows.
- Rule settings: thresholds per authority (or the default for all), validated against the rule.

Every write goes through a service of compliance.fraud; a refusal becomes an error message.
"""

import datetime
import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from compliance.fraud import selectors
from compliance.fraud.engine import resolve_settings
from compliance.fraud.importer import production_import
from compliance.fraud.rules import RULES, rule_title, validate_thresholds
from compliance.fraud.services import (
    HEARING_SIGNAL_STATES,
    PERMISSION,
    SIGNAL_TRANSITIONS,
    ikz_report_record,
    ikz_request_answer,
    ikz_request_record,
    signal_hearing_record,
    signal_suspend_relations,
)
from compliance.models import (
    FraudRuleSetting,
    FraudSignal,
    IkzInformationRequest,
    IkzReport,
    ImportBatch,
    ImportRejection,
    ImportStatus,
    ProductionKind,
    SignalStatus,
)
from contracting.models import Application, ContractingAuthority
from core import clock, formatting
from core.admin import AppendOnlyMixin, DeleteUnreferencedMixin, ReadOnlyAdmin, date_range
from core.admin_transitions import TransitionAdminMixin, message_domain_error
from core.exceptions import DomainError
from core.uploads import keep_uploads_in_memory

FORM_TEMPLATE = "admin/compliance/fraud/form_page.html"

EVIDENCE_LABELS = {
    "allocationsChecked": _("allocations checked"),
    "allocationsExceeded": _("allocations exceeded"),
    "sharePct": _("share (%)"),
    "declaredVolume": _("declared volume"),
    "allocatedVolume": _("allocated volume"),
    "excessVolume": _("volume above the allocation"),
    "excessAmount": _("amount above the allocation (EUR)"),
    "examples": _("largest cases"),
    "period": _("period"),
    "linesChecked": _("declaration lines checked"),
    "linesWithoutAllocation": _("lines without an allocation"),
    "linesOutsidePeriod": _("lines outside the allocation period"),
    "amountOutside": _("amount outside an allocation (EUR)"),
    "amountDeclared": _("amount declared (EUR)"),
    "amount": _("amount declared (EUR)"),
    "previousAmount": _("amount a year earlier (EUR)"),
    "growthPct": _("growth (%)"),
    "peerMedianGrowthPct": _("median growth of peers (%)"),
    "pointsAboveMedian": _("percentage points above the median"),
    "peers": _("providers compared"),
    "categories": _("product categories"),
    "maxZ": _("highest robust z-score"),
    "hours": _("hours of individual care"),
    "fte": _("FTE"),
    "hoursPerFteYear": _("hours per FTE per year"),
    "maxHoursPerFte": _("plausible maximum per FTE"),
    "clients": _("clients"),
    "clientMonths": _("client months"),
    "maxProviders": _("most providers at once"),
    "year": _("year"),
    "revenue": _("revenue (EUR)"),
    "profit": _("profit (EUR)"),
    "marginPct": _("profit margin (%)"),
    "capPct": _("cap (%)"),
    "wntClass": _("WNT class"),
    "pay": _("highest executive pay (EUR)"),
    "norm": _("WNT norm (EUR)"),
    "normYear": _("year of the norm"),
    "excess": _("above the norm (EUR)"),
    "personnelCosts": _("personnel costs (EUR)"),
    "minimumPct": _("minimum (%)"),
    "overdueDocuments": _("overdue documents"),
    "oldestDueDate": _("oldest due date"),
    "daysOverdue": _("days overdue"),
    "repeatedlyRejectedDocuments": _("documents rejected repeatedly"),
    "mostRejections": _("most rejections of one document"),
    "referenceDate": _("counted on"),
    "foundedOn": _("founding date"),
    "youngAndGrowing": _("young and fast growing"),
    "boardChanges": _("board changes"),
    "boardChangesFrequent": _("board changes frequent"),
}


def evidence_table(value: Any) -> str:
    """The evidence numbers as a table (nested lists of cases as sub-tables), labels in Dutch."""
    if isinstance(value, dict):
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td></tr>",
            ((EVIDENCE_LABELS.get(k, k), evidence_table(v)) for k, v in value.items()),
        )
        return format_html('<table class="fraud-evidence">{}</table>', rows)
    if isinstance(value, list):
        return format_html_join(
            "", "<div class='fraud-evidence-item'>{}</div>", ((evidence_table(v),) for v in value)
        )
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, float | Decimal):  # an int (a count, a year) is shown as it is
        return formatting.number(value, 2)
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return formatting.date_short(datetime.date.fromisoformat(value))
    return formatting.MISSING if value is None else str(value)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_officer(request: HttpRequest) -> bool:
    return request.user.has_perm(PERMISSION)


# --------------------------------------------------------------------------- fraud signals


class RuleFilter(admin.SimpleListFilter):
    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(code, rule.title) for code, rule in RULES.items()]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset


class IkzReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("IKZ reference"), max_length=60)
    shared_information = forms.CharField(
        label=_("Information shared"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        help_text=_("What was shared with IKZ: data, documents, persons."),
    )
    decided_by = forms.ModelChoiceField(
        label=_("Decided by"),
        queryset=get_user_model().objects.none(),
        help_text=_("The officer who decided to report."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].queryset = (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True)
                | Q(groups__permissions__codename="transition_fraudsignal")
                | Q(user_permissions__codename="transition_fraudsignal")
            )
            .filter(is_active=True)
            .distinct()
            .order_by("username")
        )


class HearingForm(forms.Form):
    application = forms.ModelChoiceField(
        label=_("Application"),
        queryset=Application.objects.none(),
        help_text=_("The provider's application that the signal holds."),
    )
    heard_on = forms.DateField(label=_("Heard on"), widget=forms.DateInput(attrs={"type": "date"}))
    provider_response = forms.CharField(
        label=_("The provider's response"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        help_text=_("What the provider said or wrote about the signal."),
    )
    conclusion = forms.CharField(
        label=_("Conclusion"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text=_(
            "Why the application may now be decided on its merits (the signal itself stays as it is)."
        ),
    )

    def __init__(self, *args: Any, applications: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications


class IkzRequestForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    request = forms.CharField(label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 4, "cols": 70}))
    due_on = forms.DateField(
        label=_("Answer due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class IkzAnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("Answered on"), widget=forms.DateInput(attrs={"type": "date"}))
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4, "cols": 70}))


class SuspensionForm(forms.Form):
    agreements = forms.MultipleChoiceField(
        label=_("Agreements"), required=False, widget=forms.CheckboxSelectMultiple
    )
    memberships = forms.MultipleChoiceField(
        label=_("Coalition memberships"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 70}))

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreements"].choices = [
            (str(a.uuid), f"{a.reference} – {a.authority}") for a in candidates.agreements
        ]
        self.fields["memberships"].choices = [
            (str(m.uuid), f"{m.coalition} ({m.get_role_display()})") for m in candidates.memberships
        ]


class FraudSignalAdmin(TransitionAdminMixin, ReadOnlyAdmin):
    """Signals come from the rules (manage.py run_fraud_rules); nothing is edited here: the state changes
    through the transitions."""

    transition_services = SIGNAL_TRANSITIONS
    change_form_template = "admin/compliance/fraud/signal_change_form.html"
    list_display = (
        "provider",
        "rule_title",
        "period",
        "severity",
        "score",
        "status",
        "authority",
        "reported_to_ikz",
    )
    list_filter = ("status", "severity", RuleFilter, "authority")
    list_select_related = ("provider", "authority")
    search_fields = ("provider__name", "provider__agb_code", "rule")
    date_hierarchy = "period_end"
    show_full_result_count = False
    fields = (
        "provider",
        "authority",
        "rule_title",
        "rule_description",
        "period_start",
        "period_end",
        "severity",
        "score",
        "status",
        "explanation",
        "evidence_numbers",
        "first_detected_at",
        "last_detected_at",
        "confirmation_requested_by",
        "confirmation_requested_at",
        "confirmation_reason",
        "decided_by",
        "decided_at",
        "dismissal_reason",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return (
            selectors.signal_list(request.user)
            .annotate(has_ikz_report=Exists(IkzReport.objects.filter(signal=OuterRef("pk"))))
            .order_by("-period_end", "provider__name", "rule")
        )

    @admin.display(description=_("rule"), ordering="rule")
    def rule_title(self, obj: FraudSignal) -> str:
        return rule_title(obj.rule)

    @admin.display(description=_("what the rule checks"))
    def rule_description(self, obj: FraudSignal) -> str:
        rule = RULES.get(obj.rule)
        return str(rule.description) if rule else "—"

    @admin.display(description=_("period"), ordering="period_end")
    def period(self, obj: FraudSignal) -> str:
        return date_range(obj.period_start, obj.period_end)

    @admin.display(description=_("reported to IKZ"), boolean=True)
    def reported_to_ikz(self, obj: FraudSignal) -> bool:
        return bool(getattr(obj, "has_ikz_report", False))

    @admin.display(description=_("evidence numbers"))
    def evidence_numbers(self, obj: FraudSignal) -> str:
        return evidence_table(obj.evidence)

    # ------------------------------------------------------------------ the page and its panels

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            officer = _is_officer(request)
            reports = [
                {"report": report, "requests": list(selectors.ikz_requests_of(report))}
                for report in selectors.ikz_reports_of(obj)
            ]
            context["ikz_reports"] = reports
            context["ikz_can_report"] = officer and obj.status in (
                SignalStatus.INVESTIGATING,
                SignalStatus.CONFIRMED,
            )
            context["ikz_officer"] = officer
            context["hearings"] = selectors.hearings_of(obj)
            context["hearing_url"] = (
                self.object_url(obj, "hearing")
                if officer
                and obj.status in HEARING_SIGNAL_STATES
                and selectors.applications_to_hear(obj).exists()
                else ""
            )
            context["ikz_report_url"] = self.object_url(obj, "ikz_report")
            context["suspensions_url"] = (
                self.object_url(obj, "suspensions")
                if officer and obj.status == SignalStatus.CONFIRMED
                else ""
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/ikz-report/",
                wrap(self.ikz_report_view),
                name="compliance_fraudsignal_ikz_report",
            ),
            path(
                "<path:object_id>/ikz-report/<uuid:report>/request/",
                wrap(self.ikz_request_view),
                name="compliance_fraudsignal_ikz_request",
            ),
            path(
                "<path:object_id>/ikz-request/<uuid:item>/answer/",
                wrap(self.ikz_answer_view),
                name="compliance_fraudsignal_ikz_answer",
            ),
            path(
                "<path:object_id>/hearing/",
                wrap(self.hearing_view),
                name="compliance_fraudsignal_hearing",
            ),
            path(
                "<path:object_id>/suspensions/",
                wrap(self.suspensions_view),
                name="compliance_fraudsignal_suspensions",
            ),
            *super().get_urls(),
        ]

    def _signal_for_officer(self, request: HttpRequest, object_id: str) -> FraudSignal:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not (self.has_view_permission(request, obj) and _is_officer(request)):
            raise PermissionDenied
        return obj

    def _form_page(self, request, obj, title: str, form: forms.Form, intro: str = "") -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj),
            "opts": self.opts,
            "object": obj,
            "form": form,
            "intro": intro,
            "change_url": self.change_url(obj),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, FORM_TEMPLATE, context)

    def _done(self, request, obj, message: str) -> HttpResponse:
        messages.success(request, message)
        return HttpResponseRedirect(self.change_url(obj))

    def ikz_report_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._signal_for_officer(request, object_id)
        form = IkzReportForm(request.POST or None, initial={"reported_on": clock.today()})
        if request.method == "POST" and form.is_valid():
            try:
                ikz_report_record(signal_uuid=obj.uuid, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                message_domain_error(request, exc)
            else:
                return self._done(request, obj, gettext("The report to IKZ has been recorded."))
        return self._form_page(
            request,
            obj,
            gettext("Record a report to IKZ"),
            form,
            gettext(
                "Since 2025 (Wbsrz) a suspicion of care fraud is reported to the Informatieknooppunt "
                "Zorgfraude. Record here when it was reported, the IKZ reference, what was shared and who "
                "decided to report."
            ),
        )

    def hearing_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._signal_for_officer(request, object_id)
        form = HearingForm(
            request.POST or None,
            applications=selectors.applications_to_hear(obj),
            initial={"heard_on": clock.today()},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                signal_hearing_record(
                    signal_uuid=obj.uuid,
                    application_uuid=data["application"].uuid,
                    actor=request.user,
                    heard_on=data["heard_on"],
                    provider_response=data["provider_response"],
                    conclusion=data["conclusion"],
                )
            except DomainError as exc:
                message_domain_error(request, exc)
            else:
                return self._done(request, obj, gettext("The hearing has been recorded."))
        return self._form_page(
            request,
            obj,
            gettext("Record a hearing (hoor en wederhoor)"),
            form,
            gettext(
                "An automated signal is no ground to exclude a provider. While it is open, it holds the "
                "provider's applications until the provider has been heard. Record here when the provider was "
                "heard, its response and your conclusion; the application is then decided on its merits. The "
                "provider does not see the signal nor this record."
            ),
        )

    def ikz_request_view(self, request: HttpRequest, object_id: str, report: Any) -> HttpResponse:
        obj = self._signal_for_officer(request, object_id)
        ikz_report = get_object_or_404(IkzReport, uuid=report, signal=obj)
        form = IkzRequestForm(request.POST or None, initial={"received_on": clock.today()})
        if request.method == "POST" and form.is_valid():
            try:
                ikz_request_record(report_uuid=ikz_report.uuid, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                message_domain_error(request, exc)
            else:
                return self._done(request, obj, gettext("The information request of IKZ has been recorded."))
        return self._form_page(
            request, obj, gettext("Record an information request of IKZ"), form, str(ikz_report)
        )

    def ikz_answer_view(self, request: HttpRequest, object_id: str, item: Any) -> HttpResponse:
        obj = self._signal_for_officer(request, object_id)
        ikz_request = get_object_or_404(IkzInformationRequest, uuid=item, report__signal=obj)
        form = IkzAnswerForm(request.POST or None, initial={"answered_on": clock.today()})
        if request.method == "POST" and form.is_valid():
            try:
                ikz_request_answer(uuid=ikz_request.uuid, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                message_domain_error(request, exc)
            else:
                return self._done(request, obj, gettext("The answer to IKZ has been recorded."))
        return self._form_page(request, obj, gettext("Record the answer to IKZ"), form, ikz_request.request)

    def suspensions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """After a confirmation: the provider's active agreements and memberships, with checkboxes."""
        obj = self._signal_for_officer(request, object_id)
        change_url = self.change_url(obj)
        if obj.status != SignalStatus.CONFIRMED:
            messages.error(
                request,
                gettext("Suspensions follow a confirmed signal only."),
                extra_tags="invalid_transition",
            )
            return HttpResponseRedirect(change_url)
        candidates = selectors.suspension_candidates(obj)
        initial = {
            "agreements": [str(a.uuid) for a in candidates.agreements],
            "memberships": [str(m.uuid) for m in candidates.memberships],
            "reason": gettext("Confirmed fraud signal: %(rule)s (%(period)s).")
            % {
                "rule": rule_title(obj.rule),
                "period": date_range(obj.period_start, obj.period_end),
            },
        }
        form = SuspensionForm(request.POST or None, candidates=candidates, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                outcome = signal_suspend_relations(
                    uuid=obj.uuid,
                    actor=request.user,
                    agreements=form.cleaned_data["agreements"],
                    memberships=form.cleaned_data["memberships"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                message_domain_error(request, exc)
                return HttpResponseRedirect(change_url)
            for item in outcome.suspended:
                messages.success(request, gettext("%(object)s has been suspended.") % {"object": item})
            for item, reason in outcome.refused:
                messages.error(
                    request,
                    gettext("%(object)s was not suspended: %(reason)s") % {"object": item, "reason": reason},
                    extra_tags="suspension_refused",
                )
            if not outcome.suspended and not outcome.refused:
                messages.info(request, gettext("Nothing was suspended."))
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Suspend the provider's agreements and memberships"),
            "subtitle": str(obj),
            "opts": self.opts,
            "object": obj,
            "form": form,
            "candidates": candidates,
            "change_url": change_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/compliance/fraud/suspensions.html", context)

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        """After a confirmation the officer lands on the page that proposes the suspensions."""
        response = super().transition_view(request, object_id, name)
        if name == "confirm" and request.method == "POST" and response.status_code == 302:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and obj.status == SignalStatus.CONFIRMED:
                candidates = selectors.suspension_candidates(obj)
                if candidates.agreements or candidates.memberships:
                    return HttpResponseRedirect(self.object_url(obj, "suspensions"))
        return response


# compliance.admin registers a read-only list of signals; this admin, with the transitions, replaces it.
admin.site.register(FraudSignal, FraudSignalAdmin)


@admin.register(IkzReport)
class IkzReportAdmin(ReadOnlyAdmin):
    """All reports to IKZ, for an overview; they are recorded on the signal's page."""

    list_display = ("reference", "reported_on", "signal", "decided_by", "recorded_by")
    list_select_related = ("signal__provider", "decided_by", "recorded_by")
    search_fields = ("reference", "signal__provider__name")
    date_hierarchy = "reported_on"
    fields = (
        "signal",
        "reported_on",
        "reference",
        "shared_information",
        "decided_by",
        "recorded_by",
        "created_at",
    )
    readonly_fields = fields


# --------------------------------------------------------------------------- production imports


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ProductionKind.choices, initial=ProductionKind.DECLARATIONS
    )
    authority = forms.ModelChoiceField(
        label=_("Authority"), queryset=ContractingAuthority.objects.order_by("name")
    )
    strict = forms.BooleanField(
        label=_("All or nothing"),
        required=False,
        help_text=_(
            "Without this, valid rows are stored and every rejected row is listed with its reason. With it, "
            "one rejected row rejects the whole file."
        ),
    )


@admin.register(ImportBatch)
class ImportBatchAdmin(AppendOnlyMixin, admin.ModelAdmin):
    """Batches are added through the upload form (production_import) and never changed or deleted."""

    list_display = (
        "file_name",
        "kind",
        "authority",
        "status",
        "rows_total",
        "rows_imported",
        "rows_rejected",
        "imported_by",
        "started_at",
    )
    list_filter = ("kind", "status", "authority")
    list_select_related = ("authority", "imported_by")
    search_fields = ("file_name", "file_sha256")
    date_hierarchy = "started_at"
    show_full_result_count = False
    actions = None
    fields = (
        "file_name",
        "kind",
        "authority",
        "status",
        "error",
        "strict",
        "file_format",
        "file_size",
        "file_sha256",
        "rows_total",
        "rows_imported",
        "rows_rejected",
        "period_start",
        "period_end",
        "total_amount",
        "imported_by",
        "started_at",
        "finished_at",
        "rejected_rows",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return selectors.import_batch_list(request.user)

    @admin.display(description=_("rejected rows"))
    def rejected_rows(self, obj: ImportBatch) -> str:
        shown = list(obj.rejections.order_by("row_number", "id")[:200])
        if not shown:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            ((r.row_number, r.column, r.code, r.message) for r in shown),
        )
        link = reverse("admin:compliance_importrejection_changelist") + f"?batch__id__exact={obj.pk}"
        return format_html(
            '<table id="rejected-rows"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            '<tbody>{}</tbody></table><p><a href="{}">{}</a></p>',
            gettext("row"),
            gettext("column"),
            gettext("code"),
            gettext("reason"),
            rows,
            link,
            gettext("All %(n)s rejected rows") % {"n": obj.rows_rejected},
        )

    @method_decorator(csrf_exempt)
    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """The upload form. The file holds clear BSNs until the import replaces them, so it stays in memory
        (never a temporary file a killed worker would leave behind): the upload handlers are set before
        anything reads the body, and the CSRF check runs after that (Django's documented pattern)."""
        keep_uploads_in_memory(request, settings.UPLOAD_MAX_BYTES)
        return csrf_protect(self._upload_view)(request)

    def _upload_view(self, request: HttpRequest) -> HttpResponse:
        """The file is imported by ``production_import`` as the logged-in user."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = production_import(
                    file=upload,
                    file_name=upload.name,
                    kind=form.cleaned_data["kind"],
                    authority=form.cleaned_data["authority"],
                    actor=request.user,
                    strict=form.cleaned_data["strict"],
                )
            except DomainError as exc:
                message_domain_error(request, exc)
            else:
                batch = result.batch
                if not result.created:
                    messages.warning(
                        request,
                        gettext("This file was imported before (%(when)s); nothing changed.")
                        % {"when": f"{batch.started_at:%d-%m-%Y %H:%M}"},
                        extra_tags="already_imported",
                    )
                elif batch.status == ImportStatus.REJECTED:
                    messages.error(request, batch.error, extra_tags="import_rejected")
                else:
                    level = messages.WARNING if batch.rows_rejected else messages.SUCCESS
                    messages.add_message(
                        request,
                        level,
                        gettext("%(stored)s rows stored, %(rejected)s rejected.")
                        % {"stored": batch.rows_imported, "rejected": batch.rows_rejected},
                    )
                return HttpResponseRedirect(
                    reverse("admin:compliance_importbatch_change", args=[quote(batch.pk)])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import production data"),
            "opts": self.opts,
            "form": form,
            "intro": gettext(
                "Allocations (toewijzingen) or declarations (declaraties) as CSV or XLSX, in the layout of "
                "docs/import-format.md. BSNs are checked and replaced by a pseudonym at once; they are never "
                "stored. Importing the same file again changes nothing."
            ),
            "change_url": reverse("admin:compliance_importbatch_changelist"),
            "multipart": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, FORM_TEMPLATE, context)


@admin.register(ImportRejection)
class ImportRejectionAdmin(ReadOnlyAdmin):
    list_display = ("row_number", "column", "code", "message", "batch")
    list_filter = ("code",)
    list_select_related = ("batch",)
    show_full_result_count = False
    fields = ("batch", "row_number", "column", "code", "message")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        batches = selectors.import_batch_list(request.user)
        return super().get_queryset(request).filter(batch__in=batches.values("pk"))

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup == "batch__id__exact" or super().lookup_allowed(lookup, value, request)


# --------------------------------------------------------------------------- rule settings


class FraudRuleSettingForm(forms.ModelForm):
    rule = forms.ChoiceField(label=_("Rule"), choices=[(code, rule.title) for code, rule in RULES.items()])
    thresholds = forms.JSONField(
        label=_("Thresholds"),
        required=False,
        initial=dict,
        help_text=_('Only the parameters to change, e.g. {"min_share_pct": 10}; the table below lists them.'),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    class Meta:
        model = FraudRuleSetting
        fields = ["authority", "rule", "enabled", "thresholds", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        rule, thresholds = data.get("rule"), data.get("thresholds") or {}
        if rule:
            try:
                data["thresholds"] = validate_thresholds(rule, thresholds)
            except ValueError as exc:
                self.add_error("thresholds", str(exc))
        duplicate = FraudRuleSetting.objects.filter(authority=data.get("authority"), rule=rule)
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if rule and duplicate.exists():
            raise ValidationError(gettext("There is already a setting of this rule for this authority."))
        return data


@admin.register(FraudRuleSetting)
class FraudRuleSettingAdmin(DeleteUnreferencedMixin, admin.ModelAdmin):
    form = FraudRuleSettingForm
    list_display = ("rule_title", "authority_label", "enabled", "thresholds_text")
    list_filter = ("enabled", RuleFilter, "authority")
    list_select_related = ("authority",)
    readonly_fields = ("parameters",)
    fields = ("authority", "rule", "enabled", "thresholds", "note", "parameters")

    @admin.display(description=_("rule"), ordering="rule")
    def rule_title(self, obj: FraudRuleSetting) -> str:
        return rule_title(obj.rule)

    @admin.display(description=_("authority"), ordering="authority__name")
    def authority_label(self, obj: FraudRuleSetting) -> str:
        return str(obj.authority) if obj.authority_id else gettext("all authorities (default)")

    @admin.display(description=_("thresholds"))
    def thresholds_text(self, obj: FraudRuleSetting) -> str:
        return json.dumps(obj.thresholds, ensure_ascii=False) if obj.thresholds else "—"

    @admin.display(description=_("parameters of the rules"))
    def parameters(self, obj: FraudRuleSetting | None) -> str:
        """Every rule's parameters with the built-in default and the value in force for this authority."""
        effective = resolve_settings(obj.authority_id if obj and obj.pk else None)
        rows = []
        for code, rule in RULES.items():
            enabled, values = effective[code]
            disabled = "" if enabled else " (" + gettext("disabled") + ")"
            for param in rule.params:
                rows.append(
                    (
                        rule.title,
                        param.name,
                        param.label,
                        f"{param.default:g}",
                        f"{values[param.name]:g}{disabled}",
                    )
                )
        body = format_html_join(
            "", "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
        )
        return format_html(
            '<table id="rule-parameters"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            gettext("rule"),
            gettext("parameter"),
            gettext("meaning"),
            gettext("default"),
            gettext("in force"),
            body,
        )
