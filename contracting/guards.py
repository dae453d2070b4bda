"""Guards of the contracting state machines: each returns the list of unmet requirements (empty = met).

These are the rules; the services pass them to core.transitions.perform_transition, and
docs/state-machines.md lists them (``manage.py statemachines`` reads them from the services).
Guards that consult the conditions engine live in compliance/guards.py.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from contracting import routes
from contracting.models import (
    Agreement,
    Application,
    ApplicationStatus,
    AssessmentStep,
    CostModel,
    Procedure,
    Product,
    Tariff,
)
from core import clock, formatting
from core.guards import Unmet

# --------------------------------------------------------------------------- procedure


def procedure_has_lots_with_products(procedure: Procedure, actor: Any = None) -> Iterable[Unmet]:
    lots = list(procedure.lots.prefetch_related("products"))
    if not lots:
        yield Unmet("no_lots", _("The procedure has no lots."))
    for lot in lots:
        if not lot.products.all():
            yield Unmet("lot_without_products", _("%(lot)s has no products.") % {"lot": lot})


def procedure_tariffs_at_least_real_price(procedure: Procedure, actor: Any = None) -> Iterable[Unmet]:
    """Every product of every lot has a tariff for the contract year that is at least its reële prijs."""
    year = procedure.tariff_year
    product_ids = set(procedure.lots.values_list("products", flat=True)) - {None}
    tariffs = {
        t.product_id: t
        for t in Tariff.objects.filter(
            authority=procedure.authority, year=year, product_id__in=product_ids
        ).select_related("product")
    }
    cost_models = {
        c.product_id: c
        for c in CostModel.objects.filter(
            authority=procedure.authority, year=year, product_id__in=product_ids
        ).select_related("product__unit")
    }
    for product in Product.objects.filter(pk__in=product_ids).order_by("code"):
        tariff, cost = tariffs.get(product.pk), cost_models.get(product.pk)
        if tariff is None:
            yield Unmet(
                "tariff_missing",
                _("No tariff for %(product)s in %(year)s.") % {"product": product, "year": year},
            )
        elif cost is None or cost.real_price is None:
            yield Unmet(
                "real_price_missing",
                _("No cost model (reële prijs) for %(product)s in %(year)s.")
                % {"product": product, "year": year},
            )
        elif tariff.amount < cost.real_price:
            yield Unmet(
                "tariff_below_real_price",
                _("The tariff of %(product)s (%(tariff)s) is below the reële prijs (%(price)s).")
                % {
                    "product": product,
                    "tariff": formatting.money(tariff.amount),
                    "price": formatting.money(cost.real_price),
                },
            )


def procedure_has_consultation_minutes(procedure: Procedure, actor: Any = None) -> Iterable[Unmet]:
    if not procedure.consultation_rounds.exclude(minutes="").exists():
        yield Unmet(
            "no_consultation_minutes",
            _("At least one consultation round (bestuurlijk overleg) with minutes is required."),
        )


def procedure_has_no_pending_applications(procedure: Procedure, actor: Any = None) -> Iterable[Unmet]:
    pending = procedure.applications.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
    ).count()
    if pending:
        yield Unmet(
            "applications_pending",
            _("%(count)s application(s) have not been decided yet.") % {"count": pending},
        )


# --------------------------------------------------------------------------- application


def application_procedure_is_open(application: Application, actor: Any = None) -> Iterable[Unmet]:
    """The procedure accepts applications today, by the rules of its route (contracting.routes)."""
    if not routes.accepts_applications(application.procedure, day=clock.today()):
        yield Unmet("procedure_not_open", _("The procedure does not accept applications."))


def application_is_draft(application: Application, actor: Any = None) -> Iterable[Unmet]:
    if application.status != ApplicationStatus.DRAFT:
        yield Unmet("not_a_draft", _("Only a draft application can be changed."))


def application_has_lots(application: Application, actor: Any = None) -> Iterable[Unmet]:
    if not application.lots.exists():
        yield Unmet("no_lots_chosen", _("Choose at least one lot."))


def application_all_steps_passed(application: Application, actor: Any = None) -> Iterable[Unmet]:
    results = {a.step: a.passed for a in application.assessments.all()}
    for step in AssessmentStep:
        if step.value not in results:
            yield Unmet(
                "step_not_assessed", _("Step '%(step)s' has not been assessed.") % {"step": step.label}
            )
        elif not results[step.value]:
            yield Unmet("step_not_passed", _("Step '%(step)s' was not passed.") % {"step": step.label})


def application_some_step_failed(application: Application, actor: Any = None) -> Iterable[Unmet]:
    if not application.assessments.filter(passed=False).exists():
        yield Unmet(
            "no_failed_step",
            _("A rejection needs at least one assessment step that was not passed, with its reasoning."),
        )


# --------------------------------------------------------------------------- agreement


def agreement_is_signed(agreement: Agreement, actor: Any = None) -> Iterable[Unmet]:
    """The provider accepted (signed) the offer: acceptance is what makes activation possible."""
    if agreement.accepted_at is None or agreement.signed_on is None:
        yield Unmet("not_signed", _("The provider has not accepted and signed the offer yet."))


def agreement_offer_not_answered(agreement: Agreement, actor: Any = None) -> Iterable[Unmet]:
    if agreement.accepted_at is not None:
        yield Unmet("already_accepted", _("The offer has already been accepted."))


def agreement_has_lots(agreement: Agreement, actor: Any = None) -> Iterable[Unmet]:
    if agreement.procedure_id and not agreement.sub_agreements.exists():
        yield Unmet("no_sub_agreements", _("The agreement has no sub-agreements (lots)."))


def agreement_within_term(agreement: Agreement, actor: Any = None) -> Iterable[Unmet]:
    if agreement.end_date < clock.today():
        yield Unmet("term_ended", _("The term of the agreement has ended."))


def agreement_past_start_decided(agreement: Agreement, actor: Any = None) -> Iterable[Unmet]:
    """A start date before the day of admission is offered only after an officer's recorded decision."""
    if agreement.past_start_pending:
        yield Unmet(
            "past_start_undecided",
            _(
                "The agreement starts on %(date)s, before the day it was created: an officer first decides, "
                "with a reason, to keep that start date or to start from today."
            )
            % {"date": formatting.date_long(agreement.start_date)},
        )


def agreement_term_has_ended(agreement: Agreement, actor: Any = None) -> Iterable[Unmet]:
    if agreement.end_date >= clock.today():
        yield Unmet("term_not_ended", _("The term of the agreement has not ended yet."))


def agreement_termination_approved_by_second_officer(agreement: Agreement, actor: Any) -> Iterable[Unmet]:
    if agreement.termination_requested_by_id is None:
        yield Unmet("termination_not_requested", _("No officer has requested this termination yet."))
    elif agreement.termination_requested_by_id == getattr(actor, "pk", None):
        yield Unmet(
            "four_eyes_required",
            _("The officer who requested the termination cannot also approve it (four-eyes principle)."),
        )


def agreement_termination_effective(agreement: Agreement, actor: Any = None) -> Iterable[Unmet]:
    effective = agreement.termination_effective_date
    if effective and effective > clock.today():
        yield Unmet(
            "termination_not_effective",
            _("The termination takes effect on %(date)s.") % {"date": effective.strftime("%d-%m-%Y")},
        )


def agreement_can_be_extended(agreement: Agreement, actor: Any = None) -> Iterable[Unmet]:
    if agreement.extensions_used >= agreement.max_extensions:
        yield Unmet(
            "no_extension_left",
            _("All %(max)s extension options have been used.") % {"max": agreement.max_extensions},
        )
    if clock.today() > agreement.extension_deadline:
        yield Unmet(
            "notice_deadline_passed",
            _("The deadline for extending (%(date)s, %(months)s months before the end) has passed.")
            % {"date": agreement.extension_deadline.strftime("%d-%m-%Y"), "months": agreement.notice_months},
        )


# --------------------------------------------------------------------------- questions


def procedure_accepts_questions(procedure: Procedure, day: datetime.date) -> Iterable[Unmet]:
    """A question about a procedure is asked while the procedure accepts applications and, when it has a
    question deadline, not after that day."""
    if not routes.accepts_applications(procedure, day=day):
        yield Unmet(
            "procedure_not_open_for_questions",
            _("The procedure %(procedure)s does not accept questions: it is not open for applications.")
            % {"procedure": procedure.reference},
        )
    elif not routes.accepts_questions(procedure, day=day) and procedure.question_deadline is not None:
        yield Unmet(
            "question_deadline_passed",
            _(
                "The deadline for questions about %(procedure)s was %(date)s; questions can no longer be asked."
            )
            % {"procedure": procedure.reference, "date": formatting.date_long(procedure.question_deadline)},
        )
