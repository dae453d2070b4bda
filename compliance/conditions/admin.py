"""Admin of the compliance app.

- The condition library and document types: administrators edit, everyone else reads.
- Evidence that is not a document (declarations, judgements) is added through its service and never
  edited afterwards; annual figures are edited in place, audited, and re-evaluate the provider.
- Waivers are requested on the page of their subject and decided here (four-eyes), only through the
  services; evaluations, fraud signals (for now) and the audit trail are read-only. Accountability
  documents have their own admin (compliance/admin_documents.py).
- The compliance matrix (providers × conditions) and a provider's "what is missing" page.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import subject_link, subject_type_label
from coalitions.models import Membership
from compliance.conditions.admin_panels import NOT_APPLICABLE, attach_evidence, outcome_badge, outcome_label
from compliance.conditions.selectors import compliance_matrix, provider_missing
from compliance.conditions.services import (
    annual_figures_save,
    declaration_record,
    judgement_record,
    waiver_approve,
    waiver_reject,
)
from compliance.models import (
    Condition,
    ConditionCategory,
    ConditionEvaluation,
    DecisionMethod,
    EvaluationOutcome,
    OfficerJudgement,
    ProviderAnnualFigures,
    ProviderDeclaration,
    Waiver,
    WaiverStatus,
)
from contracting.models import Agreement, Application, ContractingAuthority, Provider
from core.admin import (
    AdminUrlsMixin,
    DeleteUnreferencedMixin,
    NoDeleteMixin,
    ReadOnlyAdmin,
    ServiceAddAdmin,
    message_domain_error,
)
from core.exceptions import DomainError

MATRIX_PAGE_SIZE = 50
MATRIX_PERMISSION = "compliance.view_conditionevaluation"


class MatrixLinkMixin:
    """A link to the compliance matrix above the changelist (the library and the evaluations)."""

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "matrix_url": reverse("admin:compliance_matrix")}
        return super().changelist_view(request, extra_context)


class SubjectColumnsMixin:
    """The subject of an evaluation or waiver, stored by type and uuid: its kind and a link to it."""

    @admin.display(description=_("subject type"))
    def subject_kind(self, obj: ConditionEvaluation | Waiver) -> str:
        return subject_type_label(obj.subject_type)

    @admin.display(description=_("subject"))
    def subject_display(self, obj: ConditionEvaluation | Waiver) -> str:
        return subject_link(obj.subject_type, obj.subject_uuid, obj.subject_repr)


# --------------------------------------------------------------------------- the library


@admin.register(Condition)
class ConditionAdmin(DeleteUnreferencedMixin, MatrixLinkMixin, admin.ModelAdmin):
    list_display = ("code", "title", "category", "mandatory", "method", "is_active")
    list_filter = ("category", "method", "mandatory", "is_active")
    search_fields = ("code", "title", "explanation")
    filter_horizontal = ("document_types",)
    fieldsets = (
        (None, {"fields": ("code", "title", "explanation", "category", "mandatory", "is_active")}),
        (
            _("How it is decided"),
            {"fields": ("method", "document_types", "metric", "comparison", "threshold", "validity_months")},
        ),
    )

    def get_urls(self):
        return [
            path("matrix/", self.admin_site.admin_view(self.matrix_view), name="compliance_matrix"),
            path(
                "missing/<int:provider_id>/",
                self.admin_site.admin_view(self.missing_view),
                name="compliance_provider_missing",
            ),
            *super().get_urls(),
        ]

    # ---- the compliance matrix

    def matrix_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(MATRIX_PERMISSION):
            raise PermissionDenied
        filters = MatrixFilterForm(request.GET or None)
        values = filters.cleaned_data if filters.is_valid() else {}
        conditions = Condition.objects.filter(is_active=True)
        if values.get("category"):
            conditions = conditions.filter(category=values["category"])
        providers = providers_for_matrix(
            authority=values.get("authority"),
            conditions=conditions,
            problems_only=values.get("outcome") == MatrixFilterForm.PROBLEMS,
        )
        page = Paginator(providers, MATRIX_PAGE_SIZE).get_page(request.GET.get("p"))
        conditions = list(conditions)
        columns, cells = compliance_matrix(list(page.object_list), conditions)
        rows = []
        for provider in page.object_list:
            row = []
            for condition in columns:
                cell = cells[provider.pk].get(condition.pk)
                outcome = cell.outcome if cell else NOT_APPLICABLE
                details = [
                    outcome_label(outcome),
                    *(cell.reasons if cell else []),
                    *(cell.subjects if cell else []),
                ]
                row.append(
                    {"condition": condition, "outcome": outcome, "title": "\n".join(d for d in details if d)}
                )
            rows.append(
                {
                    "provider": provider,
                    "cells": row,
                    "missing_url": reverse("admin:compliance_provider_missing", args=[provider.pk]),
                }
            )
        query = request.GET.copy()
        query.pop("p", None)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Compliance matrix"),
            "opts": self.opts,
            "filters": filters,
            "conditions": columns,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "legend": [(o, outcome_label(o)) for o in [*EvaluationOutcome.values, NOT_APPLICABLE]],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/compliance/matrix.html", context)

    def missing_view(self, request: HttpRequest, provider_id: int) -> HttpResponse:
        if not request.user.has_perm(MATRIX_PERMISSION):
            raise PermissionDenied
        provider = get_object_or_404(Provider, pk=provider_id)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("What is missing: %(provider)s") % {"provider": provider},
            "opts": self.opts,
            "provider": provider,
            "provider_url": reverse("admin:contracting_provider_change", args=[quote(provider.pk)]),
            "items": provider_missing(provider),
            "matrix_url": reverse("admin:compliance_matrix"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/compliance/provider_missing.html", context)


class MatrixFilterForm(forms.Form):
    PROBLEMS = "problems"

    authority = forms.ModelChoiceField(
        label=_("authority"), queryset=None, required=False, empty_label=_("All authorities")
    )
    category = forms.ChoiceField(
        label=_("category"), choices=[("", _("All categories")), *ConditionCategory.choices], required=False
    )
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[
            ("", _("All providers")),
            (PROBLEMS, _("Only providers with a violated or pending condition")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = ContractingAuthority.objects.order_by("name")


def providers_for_matrix(*, authority: Any = None, conditions: Any = None, problems_only: bool = False):
    """Providers ordered by name: those with an agreement, application or membership under ``authority``;
    with ``problems_only`` those whose current evaluation of one of ``conditions`` is violated or pending.
    One query, whatever the number of providers (the filters are subqueries)."""
    providers = Provider.objects.order_by("name", "pk")
    if authority is not None:
        here = OuterRef("pk")
        providers = providers.filter(
            Q(Exists(Agreement.objects.filter(provider=here, authority=authority)))
            | Q(Exists(Application.objects.filter(provider=here, procedure__authority=authority)))
            | Q(Exists(Membership.objects.filter(provider=here, coalition__authority=authority)))
            | Q(Exists(Membership.objects.filter(provider=here, coalition__agreements__authority=authority)))
        )
    if problems_only:
        newest = (
            ConditionEvaluation.objects.values("condition_id", "subject_uuid", "provider_id")
            .annotate(last=Max("id"))
            .values("last")
        )
        problems = ConditionEvaluation.objects.filter(
            id__in=newest, outcome__in=[EvaluationOutcome.VIOLATED, EvaluationOutcome.PENDING]
        )
        if conditions is not None:
            problems = problems.filter(condition__in=conditions)
        providers = providers.filter(pk__in=problems.values("provider_id"))
    return providers


# --------------------------------------------------------------------------- evaluations


@admin.register(ConditionEvaluation)
class ConditionEvaluationAdmin(MatrixLinkMixin, SubjectColumnsMixin, ReadOnlyAdmin):
    """The history of evaluations: append-only, written by compliance.conditions.services.conditions_evaluate."""

    list_display = ("evaluated_at", "condition", "provider", "subject_repr", "outcome_display", "trigger")
    list_filter = ("outcome", "condition", "trigger", "subject_type")
    list_select_related = ("condition", "provider")
    search_fields = ("condition__code", "provider__name", "subject_repr")
    date_hierarchy = "evaluated_at"
    show_full_result_count = False
    fields = (
        "condition",
        "provider",
        "subject_kind",
        "subject_display",
        "evaluated_at",
        "outcome_display",
        "trigger",
        "reasons_display",
        "evidence_display",
    )
    readonly_fields = fields

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_display(self, obj: ConditionEvaluation) -> str:
        return outcome_badge(obj.outcome)

    @admin.display(description=_("reasons"))
    def reasons_display(self, obj: ConditionEvaluation) -> str:
        if not obj.reasons:
            return "–"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r.get("message", ""),) for r in obj.reasons))
        )

    @admin.display(description=_("evidence"))
    def evidence_display(self, obj: ConditionEvaluation) -> str:
        attach_evidence([obj])
        return render_to_string("admin/compliance/evidence.html", {"evidence": obj.evidence_display})


# --------------------------------------------------------------------------- waivers (four-eyes)


class WaiverDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required when you reject the waiver. Recorded in the audit trail."),
    )


@admin.register(Waiver)
class WaiverAdmin(SubjectColumnsMixin, AdminUrlsMixin, ReadOnlyAdmin):
    """Requested on the page of the subject; approved or rejected here by a second officer."""

    list_display = (
        "condition",
        "subject_repr",
        "provider",
        "status",
        "requested_by",
        "decided_by",
        "valid_until",
        "created_at",
    )
    list_filter = ("status", "subject_type", "condition", "valid_until")
    list_select_related = ("condition", "provider", "requested_by", "decided_by")
    search_fields = ("condition__code", "provider__name", "subject_repr", "reason")
    date_hierarchy = "created_at"
    fields = (
        "condition",
        "provider",
        "subject_kind",
        "subject_display",
        "reason",
        "valid_until",
        "status",
        "requested_by",
        "created_at",
        "decided_by",
        "decided_at",
        "decision_reason",
    )
    readonly_fields = fields

    def may_decide(self, request: HttpRequest) -> bool:
        return request.user.has_perm("compliance.decide_waiver")

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="compliance_waiver_decide",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.status == WaiverStatus.PENDING and self.may_decide(request):
            context["waiver_decision"] = {
                "form": WaiverDecisionForm(),
                "url": self.object_url(obj, "decide"),
                "own_request": obj.requested_by_id == request.user.pk,
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.may_decide(request):
            raise PermissionDenied
        change_url = self.change_url(obj)
        form = WaiverDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(
                request, gettext("Choose to approve or to reject the waiver."), extra_tags="invalid"
            )
            return HttpResponseRedirect(change_url)
        approve = form.cleaned_data["decision"] == "approve"
        service = waiver_approve if approve else waiver_reject
        try:
            service(uuid=obj.uuid, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            message_domain_error(request, exc)
            return HttpResponseRedirect(change_url)
        done = gettext("Waiver approved: %(waiver)s") if approve else gettext("Waiver rejected: %(waiver)s")
        messages.success(request, done % {"waiver": obj.condition.code})
        return HttpResponseRedirect(change_url)


# --------------------------------------------------------------------------- evidence that is not a document


@admin.register(ProviderDeclaration)
class ProviderDeclarationAdmin(ServiceAddAdmin):
    """Added through compliance.conditions.services.declaration_record; a correction is a new declaration."""

    list_display = ("condition", "provider", "signed_by_name", "signed_on", "valid_until", "recorded_by")
    list_filter = ("condition", "signed_on")
    list_select_related = ("condition", "provider", "recorded_by")
    search_fields = ("provider__name", "condition__code", "signed_by_name")
    date_hierarchy = "signed_on"
    autocomplete_fields = ("provider",)
    add_fields = (
        "provider",
        "condition",
        "statement",
        "signed_by_name",
        "signed_by_role",
        "signed_on",
        "valid_until",
    )
    record_fields = ("recorded_by", "created_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "condition":
            kwargs["queryset"] = Condition.objects.filter(is_active=True, method=DecisionMethod.DECLARATION)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def record(self, request: HttpRequest, form: forms.ModelForm) -> ProviderDeclaration:
        data = form.cleaned_data
        return declaration_record(
            provider=data["provider"],
            condition=data["condition"],
            actor=request.user,
            statement=data["statement"],
            signed_by_name=data["signed_by_name"],
            signed_by_role=data["signed_by_role"],
            signed_on=data["signed_on"],
            valid_until=data.get("valid_until"),
        )


@admin.register(OfficerJudgement)
class OfficerJudgementAdmin(ServiceAddAdmin):
    """Added through compliance.conditions.services.judgement_record (judged today, by the logged-in officer)."""

    list_display = ("condition", "provider", "verdict", "judged_on", "valid_until", "judged_by")
    list_filter = ("verdict", "condition", "judged_on")
    list_select_related = ("condition", "provider", "judged_by")
    search_fields = ("provider__name", "condition__code", "reasoning")
    date_hierarchy = "judged_on"
    autocomplete_fields = ("provider",)
    add_fields = ("provider", "condition", "verdict", "reasoning", "valid_until")
    record_fields = ("judged_on", "judged_by", "created_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "condition":
            kwargs["queryset"] = Condition.objects.filter(is_active=True, method=DecisionMethod.JUDGEMENT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def record(self, request: HttpRequest, form: forms.ModelForm) -> OfficerJudgement:
        data = form.cleaned_data
        return judgement_record(
            provider=data["provider"],
            condition=data["condition"],
            actor=request.user,
            verdict=data["verdict"],
            reasoning=data["reasoning"],
            valid_until=data.get("valid_until"),
        )


@admin.register(ProviderAnnualFigures)
class ProviderAnnualFiguresAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Edited in place; every save is audited and re-evaluates the provider's subjects after commit."""

    list_display = (
        "provider",
        "year",
        "wnt_class",
        "highest_executive_pay",
        "flex_contract_share_pct",
        "revenue",
        "personnel_costs",
        "profit",
    )
    list_filter = ("year", "wnt_class")
    list_select_related = ("provider",)
    search_fields = ("provider__name", "provider__kvk_number")
    autocomplete_fields = ("provider",)
    actions = None
    fields = (
        "provider",
        "year",
        "wnt_class",
        "highest_executive_pay",
        "flex_contract_share_pct",
        "revenue",
        "personnel_costs",
        "profit",
    )

    def get_readonly_fields(self, request, obj=None):
        # figures belong to one provider and year; a different one is a new row
        return ("provider", "year") if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        annual_figures_save(figures=obj, actor=request.user, changed=form.changed_data)


# --------------------------------------------------------------------------- fraud signals (read-only for now)
