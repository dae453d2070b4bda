"""Conditions in the admin pages of other apps: the condition set of a procedure or coalition, the
evaluation panel of an application, agreement or membership (with adjustments, re-evaluation and waiver
requests), and the evidence of a provider.

Every write goes through a service of compliance.conditions.services with the logged-in user as actor; the views
here only check that the user may post the form at all (403 otherwise), parse it and show the outcome.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import admin_change_url
from compliance.conditions.display import evidence_detail, evidence_label
from compliance.conditions.services import (
    condition_adjust,
    condition_set_change,
    conditions_evaluate,
    evaluations_as_of,
    waiver_request,
)
from compliance.conditions.subjects import effective_conditions, subject_kind, subject_providers
from compliance.models import (
    AccountabilityDocument,
    Condition,
    ConditionAdjustment,
    ConditionEvaluation,
    ConditionRequirement,
    EvaluationOutcome,
    OfficerJudgement,
    ProviderAnnualFigures,
    ProviderDeclaration,
    Waiver,
)
from contracting.models import Provider
from core import clock
from core.admin import (
    AdminUrlsMixin,
    ReadOnlyMixin,
    form_errors_message,
    message_domain_error,
    object_id_from_url,
)
from core.exceptions import DomainError

NOT_APPLICABLE = "not_applicable"

# --------------------------------------------------------------------------- display helpers


def outcome_label(outcome: str) -> str:
    if outcome == NOT_APPLICABLE:
        return gettext("Not applicable")
    try:
        return str(EvaluationOutcome(outcome).label)
    except ValueError:
        return outcome


def outcome_badge(outcome: str) -> str:
    """The outcome as a coloured label (colours in admin/compliance/outcome_styles.html)."""
    return format_html(
        '<span class="outcome outcome-{}" data-outcome="{}">{}</span>',
        outcome,
        outcome,
        outcome_label(outcome),
    )


EVIDENCE_MODELS = {
    "document": AccountabilityDocument,
    "declaration": ProviderDeclaration,
    "judgement": OfficerJudgement,
    "waiver": Waiver,
}


def attach_evidence(evaluations: Iterable[ConditionEvaluation]) -> list[ConditionEvaluation]:
    """Set ``evidence_display`` on each evaluation: per piece of evidence its kind, a link to the record
    it used (one query per kind of record, whatever the number of evaluations) and its details, the
    SHA-256 of a document included."""
    evaluations = list(evaluations)
    wanted: dict[str, set[str]] = {}
    for evaluation in evaluations:
        for item in evaluation.evidence:
            if item.get("kind") in EVIDENCE_MODELS and item.get("uuid"):
                wanted.setdefault(item["kind"], set()).add(item["uuid"])
    pks: dict[tuple[str, str], Any] = {}
    for kind, uuids in wanted.items():
        for uuid, pk in EVIDENCE_MODELS[kind].objects.filter(uuid__in=uuids).values_list("uuid", "pk"):
            pks[(kind, str(uuid))] = pk
    for evaluation in evaluations:
        shown = []
        for item in evaluation.evidence:
            kind = item.get("kind", "")
            pk = pks.get((kind, item.get("uuid", "")))
            shown.append(
                {
                    "kind": kind,
                    "label": evidence_label(kind),
                    "url": admin_change_url(EVIDENCE_MODELS[kind], pk) if pk is not None else None,
                    "details": [
                        evidence_detail(k, v)
                        for k, v in item.items()
                        if k not in ("kind", "uuid") and v is not None
                    ],
                }
            )
        evaluation.evidence_display = shown
    return evaluations


class _PanelViews(AdminUrlsMixin):
    """Shared plumbing of the POST-only views below (used as a ModelAdmin mixin)."""

    def _posted_object(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _run(self, request: HttpRequest, obj: Any, call, success: str) -> HttpResponse:
        try:
            call()
        except DomainError as exc:
            message_domain_error(request, exc)
        else:
            messages.success(request, success)
        return HttpResponseRedirect(self.change_url(obj))


# --------------------------------------------------------------------------- condition sets


class ConditionRequirementInline(ReadOnlyMixin, admin.TabularInline):
    """The condition set, read-only: it changes through the form under the page (condition_set_change)."""

    model = ConditionRequirement
    fields = ("condition", "category", "mandatory", "method")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("condition")
    verbose_name_plural = _("condition set")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("condition")

    @admin.display(description=_("category"))
    def category(self, obj: ConditionRequirement) -> str:
        return obj.condition.get_category_display()

    @admin.display(description=_("mandatory"), boolean=True)
    def mandatory(self, obj: ConditionRequirement) -> bool:
        return obj.condition.mandatory

    @admin.display(description=_("decided by"))
    def method(self, obj: ConditionRequirement) -> str:
        return obj.condition.get_method_display()


class ConditionSetForm(forms.Form):
    add = forms.ModelMultipleChoiceField(
        label=_("Add"), queryset=Condition.objects.none(), required=False, widget=forms.SelectMultiple
    )
    remove = forms.ModelMultipleChoiceField(
        label=_("Remove"),
        queryset=Condition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )

    def __init__(self, *args: Any, current: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["add"].queryset = Condition.objects.filter(is_active=True).exclude(pk__in=current)
        self.fields["add"].widget.attrs["size"] = 8
        self.fields["remove"].queryset = Condition.objects.filter(pk__in=current)


class ConditionSetAdminMixin(_PanelViews):
    """For the admin of Procedure and Coalition: the condition set (read-only inline) and a form that
    adds or removes conditions through compliance.conditions.services.condition_set_change."""

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        return [*inlines, ConditionRequirementInline] if obj is not None else inlines

    def may_change_condition_set(self, request: HttpRequest) -> bool:
        return request.user.has_perm("compliance.add_conditionrequirement") or request.user.has_perm(
            "compliance.delete_conditionrequirement"
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/condition-set/",
                self.admin_site.admin_view(self.condition_set_view),
                name="{}_{}_condition_set".format(*info),
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None and self.may_change_condition_set(request):
            current = list(obj.condition_requirements.values_list("condition_id", flat=True))
            context["condition_set_panel"] = {
                "form": ConditionSetForm(current=current),
                "url": self.object_url(obj, "condition_set"),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def condition_set_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._posted_object(request, object_id)
        if not self.may_change_condition_set(request):
            raise PermissionDenied
        current = list(obj.condition_requirements.values_list("condition_id", flat=True))
        form = ConditionSetForm(request.POST, current=current)
        if not form.is_valid():
            messages.error(request, form_errors_message(form), extra_tags="invalid")
            return HttpResponseRedirect(self.change_url(obj))
        data = form.cleaned_data
        return self._run(
            request,
            obj,
            lambda: condition_set_change(
                owner=obj, add=data["add"], remove=data["remove"], actor=request.user, reason=data["reason"]
            ),
            gettext("The condition set of %(object)s has been changed.") % {"object": obj},
        )


# --------------------------------------------------------------------------- evaluation panel of a subject


class AdjustmentForm(forms.Form):
    condition = forms.ModelChoiceField(
        label=_("condition"), queryset=Condition.objects.filter(is_active=True)
    )
    action = forms.ChoiceField(
        label=_("action"),
        choices=[
            (ConditionAdjustment.Action.ADD, _("Add")),
            (ConditionAdjustment.Action.REMOVE, _("Remove")),
        ],
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))

    def __init__(self, *args: Any, effective: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.effective = set(effective)

    def clean(self):
        data = super().clean()
        condition, action = data.get("condition"), data.get("action")
        if (
            condition is not None
            and action == ConditionAdjustment.Action.ADD
            and condition.pk in self.effective
        ):
            raise forms.ValidationError(gettext("This condition already applies."), code="already_applies")
        if (
            condition is not None
            and action == ConditionAdjustment.Action.REMOVE
            and condition.pk not in self.effective
        ):
            raise forms.ValidationError(gettext("This condition does not apply."), code="does_not_apply")
        return data


class WaiverRequestForm(forms.Form):
    condition = forms.ModelChoiceField(label=_("condition"), queryset=Condition.objects.none())
    provider = forms.ModelChoiceField(label=_("provider"), queryset=None)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
    valid_until = forms.DateField(
        label=_("valid until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, conditions: list[Condition], providers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condition"].queryset = Condition.objects.filter(pk__in=[c.pk for c in conditions])
        self.fields["provider"].queryset = Provider.objects.filter(pk__in=[p.pk for p in providers])
        if len(providers) == 1:
            self.fields["provider"].initial = providers[0].pk


class AsOfForm(forms.Form):
    conditions_as_of = forms.DateField(
        label=_("as of"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class SubjectConditionsAdminMixin(_PanelViews):
    """For the admin of Application, Agreement and Membership: the conditions that apply, their current
    evaluation and what was recorded as true on a chosen date; for officers, forms to re-evaluate now, to
    request a waiver and (agreements and memberships) to add or remove a condition for this subject."""

    adjustable = False  # agreements and memberships: conditions can be added/removed per subject

    # ---- who may post what (the services check again)

    def may_reevaluate(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.transition_{self.opts.model_name}")

    def may_adjust(self, request: HttpRequest) -> bool:
        return self.adjustable and request.user.has_perm("compliance.add_conditionadjustment")

    def may_request_waiver(self, request: HttpRequest) -> bool:
        return request.user.has_perm("compliance.decide_waiver")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        views = [
            ("conditions/evaluate/", self.reevaluate_view, "conditions_evaluate"),
            ("conditions/waiver/", self.waiver_request_view, "conditions_waiver"),
        ]
        if self.adjustable:
            views.append(("conditions/adjust/", self.adjust_view, "conditions_adjust"))
        return [
            *(
                path(
                    f"<path:object_id>/{route}",
                    self.admin_site.admin_view(view),
                    name="{}_{}_{}".format(*info, name),
                )
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    # ---- the panel

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["conditions_panel"] = self.conditions_panel(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def conditions_panel(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        conditions = effective_conditions(obj)
        providers = subject_providers(obj)
        current = {(e.condition_id, e.provider_id): e for e in evaluations_as_of(obj, clock.now())}
        attach_evidence(current.values())
        rows = [
            {"condition": c, "provider": p, "evaluation": current.get((c.pk, p.pk))}
            for c in conditions
            for p in providers
        ]
        panel: dict[str, Any] = {
            "rows": rows,
            "providers": providers,
            "as_of_form": AsOfForm(),
            "waivers": Waiver.objects.filter(subject_type=subject_kind(obj), subject_uuid=obj.uuid)
            .select_related("condition", "provider", "requested_by", "decided_by")
            .order_by("-created_at"),
        }
        if "conditions_as_of" in request.GET:
            as_of = AsOfForm(request.GET)
            panel["as_of_form"] = as_of
            if as_of.is_valid():
                day = as_of.cleaned_data["conditions_as_of"]
                panel["as_of"] = day
                panel["as_of_rows"] = [
                    {"condition": e.condition, "provider": e.provider, "evaluation": e}
                    for e in attach_evidence(evaluations_as_of(obj, clock.end_of_day(day)))
                ]
        if self.adjustable:
            panel["adjustments"] = ConditionAdjustment.objects.filter(
                **{self.opts.model_name: obj}
            ).select_related("condition", "decided_by")
        if self.may_reevaluate(request):
            panel["evaluate_url"] = self.object_url(obj, "conditions_evaluate")
        if self.may_adjust(request):
            panel["adjust_form"] = AdjustmentForm(effective=[c.pk for c in conditions])
            panel["adjust_url"] = self.object_url(obj, "conditions_adjust")
        if self.may_request_waiver(request) and conditions and providers:
            panel["waiver_form"] = WaiverRequestForm(conditions=conditions, providers=providers)
            panel["waiver_url"] = self.object_url(obj, "conditions_waiver")
        return panel

    # ---- the forms

    def reevaluate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._posted_object(request, object_id)
        if not self.may_reevaluate(request):
            raise PermissionDenied
        return self._run(
            request,
            obj,
            lambda: conditions_evaluate(subject=obj, trigger=ConditionEvaluation.Trigger.MANUAL),
            gettext("The conditions of %(object)s have been evaluated.") % {"object": obj},
        )

    def adjust_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._posted_object(request, object_id)
        if not self.may_adjust(request):
            raise PermissionDenied
        form = AdjustmentForm(request.POST, effective=[c.pk for c in effective_conditions(obj)])
        if not form.is_valid():
            messages.error(request, form_errors_message(form), extra_tags="invalid")
            return HttpResponseRedirect(self.change_url(obj))
        data = form.cleaned_data
        return self._run(
            request,
            obj,
            lambda: condition_adjust(
                subject=obj,
                condition=data["condition"],
                action=data["action"],
                actor=request.user,
                reason=data["reason"],
            ),
            gettext("Condition %(code)s: %(action)s for %(object)s.")
            % {
                "code": data["condition"].code,
                "action": ConditionAdjustment.Action(data["action"]).label.lower(),
                "object": obj,
            },
        )

    def waiver_request_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._posted_object(request, object_id)
        if not self.may_request_waiver(request):
            raise PermissionDenied
        form = WaiverRequestForm(
            request.POST, conditions=effective_conditions(obj), providers=subject_providers(obj)
        )
        if not form.is_valid():
            messages.error(request, form_errors_message(form), extra_tags="invalid")
            return HttpResponseRedirect(self.change_url(obj))
        data = form.cleaned_data
        return self._run(
            request,
            obj,
            lambda: waiver_request(
                subject=obj,
                provider=data["provider"],
                condition=data["condition"],
                actor=request.user,
                reason=data["reason"],
                valid_until=data["valid_until"],
            ),
            gettext("Waiver of %(code)s requested; it counts once a second officer approves it.")
            % {"code": data["condition"].code},
        )


# --------------------------------------------------------------------------- evidence on the provider page


class _ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class DeclarationInline(_ReadOnlyInline):
    model = ProviderDeclaration
    fields = ("condition", "signed_by_name", "signed_by_role", "signed_on", "valid_until")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("condition", "provider")


class JudgementInline(_ReadOnlyInline):
    model = OfficerJudgement
    fields = ("condition", "verdict", "judged_on", "valid_until", "judged_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("condition", "provider", "judged_by")


class AnnualFiguresInline(_ReadOnlyInline):
    model = ProviderAnnualFigures
    fields = ("year", "wnt_class", "highest_executive_pay", "flex_contract_share_pct", "revenue", "profit")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider")


class CurrentEvaluationInline(_ReadOnlyInline):
    """The current evaluation per condition and subject of the provider (history: the evaluations admin)."""

    model = ConditionEvaluation
    fields = ("condition", "subject_repr", "outcome_display", "evaluated_at", "trigger")
    verbose_name = _("current evaluation")
    verbose_name_plural = _("current evaluations")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("condition", "provider")
        object_id = object_id_from_url(request)
        newest = ConditionEvaluation.objects.values("condition_id", "subject_uuid", "provider_id")
        if object_id:
            newest = newest.filter(provider_id=object_id)
        return queryset.filter(id__in=newest.annotate(last=Max("id")).values("last")).order_by(
            "condition__category", "condition__code", "subject_repr"
        )

    @admin.display(description=_("outcome"))
    def outcome_display(self, obj: ConditionEvaluation) -> str:
        return outcome_badge(obj.outcome)


class ProviderComplianceAdminMixin:
    """For the Provider admin: its evidence and current evaluations as read-only inlines."""

    compliance_inlines = (DeclarationInline, JudgementInline, AnnualFiguresInline, CurrentEvaluationInline)

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        return [*inlines, *self.compliance_inlines] if obj is not None else inlines
