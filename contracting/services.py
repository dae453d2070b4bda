"""Writes of the contracting app. Each public function is one domain operation; state changes go
through core.transitions.perform_transition (lock, permission, guards, save, audit)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from compliance.conditions import guards as condition_guards
from compliance.conditions.services import conditions_record_transition
from contracting import guards, routes
from contracting.indexation import figure_for, indexed
from contracting.models import (
    CAN_ANSWER_OFFER,
    CAN_TRANSITION_OWN_APPLICATION,
    Agreement,
    AgreementStatus,
    Application,
    ApplicationAssessment,
    ApplicationStatus,
    AssessmentStep,
    ContractingAuthority,
    CostModel,
    IndexationRun,
    IndexMethod,
    IndexRate,
    Lot,
    PastStart,
    Procedure,
    Provider,
    Question,
    QuestionStatus,
    SubAgreement,
    Tariff,
    add_months,
)
from contracting.roles import provider_ids_for
from core import clock, formatting
from core.actors import SYSTEM, Actor, Viewer, acting_user
from core.exceptions import GuardFailed, InvalidInput, InvalidTransition, TransitionForbidden
from core.transitions import (
    check_precondition,
    lock,
    offered_when,
    operation,
    perform_operation,
    perform_transition,
    require_permission,
)

# --------------------------------------------------------------------------- procedure


def procedure_start_consultation(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Procedure:
    return perform_transition(
        model=Procedure, uuid=uuid, name="start_consultation", actor=actor, if_match=if_match, reason=reason
    )


def procedure_open(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> Procedure:
    return perform_transition(
        model=Procedure,
        uuid=uuid,
        name="open",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[
            guards.procedure_has_lots_with_products,
            guards.procedure_tariffs_at_least_real_price,
            guards.procedure_has_consultation_minutes,
            condition_guards.procedure_condition_set_complete,
        ],
    )


def procedure_close_applications(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Procedure:
    return perform_transition(
        model=Procedure, uuid=uuid, name="close_applications", actor=actor, if_match=if_match, reason=reason
    )


def procedure_conclude(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Procedure:
    return perform_transition(
        model=Procedure,
        uuid=uuid,
        name="conclude",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.procedure_has_no_pending_applications],
    )


def procedure_cancel(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> Procedure:
    return perform_transition(
        model=Procedure, uuid=uuid, name="cancel", actor=actor, if_match=if_match, reason=reason
    )


# --------------------------------------------------------------------------- application


def _chosen_lots(procedure: Procedure, lot_uuids: Iterable[UUID | str]) -> list[Lot]:
    wanted = {str(u) for u in lot_uuids}
    lots = [lot for lot in procedure.lots.order_by("number") if str(lot.uuid) in wanted]
    if len(lots) != len(wanted):
        raise InvalidInput(_("Choose lots of this procedure only."), field="lots")
    return lots


def application_create(
    *,
    procedure_uuid: UUID,
    provider_uuid: UUID,
    actor: Actor,
    lot_uuids: Iterable[UUID | str] = (),
    motivation: str = "",
) -> Application:
    """A provider starts an application (a draft it can save and return to) for one or more lots, while
    the procedure accepts applications by the rules of its route. One live application per provider and
    procedure."""
    with transaction.atomic():
        # lock the procedure: two drafts of one provider for one procedure cannot both pass the check
        procedure = Procedure.objects.select_for_update().select_related("authority").get(uuid=procedure_uuid)
        provider = Provider.objects.get(uuid=provider_uuid)
        if not CAN_TRANSITION_OWN_APPLICATION(Application(provider=provider), actor):
            raise TransitionForbidden(_("You cannot apply on behalf of this provider."))
        if not routes.accepts_applications(procedure, day=clock.today()):
            raise GuardFailed(
                _("The procedure does not accept applications."),
                unmet=[
                    {
                        "code": "procedure_not_open",
                        "message": _("The procedure does not accept applications."),
                    }
                ],
                current_status=procedure.status,
            )
        live = Application.objects.filter(procedure=procedure, provider=provider).exclude(
            status__in=[ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED]
        )
        existing = live.first()
        if existing is not None:
            raise InvalidTransition(
                _("%(provider)s already has an application for this procedure.") % {"provider": provider},
                current_status=existing.status,
            )
        lots = _chosen_lots(procedure, lot_uuids)
        application = Application.objects.create(
            procedure=procedure, provider=provider, motivation=(motivation or "").strip()
        )
        application.lots.set(lots)
        audit_record(
            actor=actor,
            event="application.created",
            subject=application,
            to_state=application.status,
            data={"procedure": str(procedure.uuid), "lots": [lot.number for lot in lots]},
        )
    return application


def application_update(
    *,
    uuid: UUID,
    actor: Actor,
    lot_uuids: Iterable[UUID | str],
    motivation: str = "",
    if_match: str | None = None,
) -> Application:
    """Save the lots and the motivation of a draft application."""

    def change(application: Application) -> dict[str, Any]:
        lots = _chosen_lots(application.procedure, lot_uuids)
        application.lots.set(lots)
        application.motivation = (motivation or "").strip()
        return {"lots": [lot.number for lot in lots]}

    return perform_operation(
        model=Application,
        uuid=uuid,
        event="application.changed",
        actor=actor,
        may=CAN_TRANSITION_OWN_APPLICATION,
        forbidden=_("You cannot change this application."),
        states=[ApplicationStatus.DRAFT],
        wrong_state=_("Only a draft application can be changed."),
        if_match=if_match,
        change=change,
    )


def application_submit(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Application:
    return perform_transition(
        model=Application,
        uuid=uuid,
        name="submit",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.application_procedure_is_open, guards.application_has_lots],
    )


def application_start_review(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Application:
    return perform_transition(
        model=Application, uuid=uuid, name="start_review", actor=actor, if_match=if_match, reason=reason
    )


def application_assess(
    *, uuid: UUID, actor: Actor, step: str, passed: bool, reasoning: str, if_match: str | None = None
) -> ApplicationAssessment:
    """Record (or revise) the outcome of one of the three assessment steps while under review. An
    assessment is a change of the application: its version (ETag) changes with it."""
    if step not in AssessmentStep.values:
        raise InvalidInput(_("Unknown assessment step '%(step)s'.") % {"step": step}, field="step")
    step = AssessmentStep(step)
    reasoning = (reasoning or "").strip()
    with transaction.atomic():
        application = lock(Application, uuid)
        require_permission(
            actor, "contracting.transition_application", _("You are not allowed to assess applications.")
        )
        check_precondition(application, if_match)
        if application.status != ApplicationStatus.UNDER_REVIEW:
            raise InvalidTransition(
                _("Only an application under review can be assessed."), current_status=application.status
            )
        if not reasoning:
            raise GuardFailed(
                _("An assessment needs its reasoning."),
                unmet=[{"code": "reasoning_missing", "message": _("An assessment needs its reasoning.")}],
                current_status=application.status,
            )
        assessment, _created = ApplicationAssessment.objects.update_or_create(
            application=application,
            step=step,
            defaults={
                "passed": passed,
                "reasoning": reasoning,
                "assessed_by": actor,
                "assessed_at": clock.now(),
            },
        )
        application.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            event="application.assessed",
            subject=application,
            data={"step": step.value, "passed": passed, "reasoning": reasoning},
        )
    return assessment


def _assessment_snapshot(application: Application) -> dict[str, Any]:
    return {
        "assessments": [
            {
                "step": a.step,
                "passed": a.passed,
                "reasoning": a.reasoning,
                "assessedBy": a.assessed_by.get_username(),
            }
            for a in application.assessments.select_related("assessed_by").order_by("step")
        ]
    }


def _create_agreement_draft(application: Application, from_state: str) -> dict[str, Any]:
    """Admission creates the agreement draft (basisovereenkomst with a deelovereenkomst per lot)."""
    procedure = application.procedure
    # the route decides the term: a later admission to an open house starts later, ends with the others
    today = clock.today()
    start, end = routes.agreement_term(procedure, day=today)
    # a start before today (a late admission to a term that already began) is never silent: the offer
    # waits for an officer's recorded decision (agreement_keep_past_start / agreement_start_from_today)
    past_start = PastStart.PENDING if start < today else ""
    agreement = Agreement.objects.create(
        reference=f"{procedure.reference}-{application.provider.agb_code}",
        authority=procedure.authority,
        provider=application.provider,
        procedure=procedure,
        application=application,
        law=procedure.law,
        start_date=start,
        end_date=end,
        extension_months=procedure.extension_months,
        max_extensions=procedure.max_extensions,
        past_start=past_start,
    )
    SubAgreement.objects.bulk_create(
        SubAgreement(agreement=agreement, lot=lot) for lot in application.lots.all()
    )
    audit_record(
        actor=None,
        event="agreement.created",
        subject=agreement,
        to_state=agreement.status,
        data={
            "application": str(application.uuid),
            "startDate": start.isoformat(),
            "pastStartPending": agreement.past_start_pending,
        },
    )
    return {**_assessment_snapshot(application), "agreement": str(agreement.uuid)}


def application_admit(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Application:
    return perform_transition(
        model=Application,
        uuid=uuid,
        name="admit",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[
            guards.application_all_steps_passed,
            condition_guards.no_blocking_fraud_signal,
            condition_guards.conditions_hold,
        ],
        record=[conditions_record_transition],
        after=_create_agreement_draft,
    )


def application_reject(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Application:
    return perform_transition(
        model=Application,
        uuid=uuid,
        name="reject",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.application_some_step_failed],
        after=lambda app, _from: _assessment_snapshot(app),
    )


def application_withdraw(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Application:
    return perform_transition(
        model=Application, uuid=uuid, name="withdraw", actor=actor, if_match=if_match, reason=reason
    )


# --------------------------------------------------------------------------- agreement


def agreement_offer(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> Agreement:
    return perform_transition(
        model=Agreement,
        uuid=uuid,
        name="offer",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.agreement_has_lots, guards.agreement_past_start_decided, guards.agreement_within_term],
    )


def agreement_accept(
    *,
    uuid: UUID,
    actor: Actor,
    signed_by_name: str = "",
    signed_by_role: str = "",
    reason: str = "",
    if_match: str | None = None,
) -> Agreement:
    """The provider accepts the offered agreement: its authorised user signs (name, function and time
    recorded, with the user who did it). Acceptance is what makes activation possible. An officer may
    record the acceptance of a provider that signed on paper, naming the provider's signatory."""
    name, role = (signed_by_name or "").strip(), (signed_by_role or "").strip()

    def accept(agreement: Agreement) -> dict[str, Any]:
        # (after the permission and state checks: who may not answer learns nothing more)
        if not name:
            raise InvalidInput(_("Give the name of the person who signs."), field="signedByName")
        if not role:
            raise InvalidInput(_("Give the function of the person who signs."), field="signedByRole")
        agreement.accepted_at = clock.now()
        agreement.accepted_by = acting_user(actor)
        agreement.accepted_by_name, agreement.accepted_by_role = name, role
        agreement.signed_on = clock.localdate(agreement.accepted_at)
        return {"signedBy": name, "function": role, "signedAt": agreement.accepted_at.isoformat()}

    return perform_operation(
        model=Agreement,
        uuid=uuid,
        event="agreement.accepted",
        actor=actor,
        may=CAN_ANSWER_OFFER,
        forbidden=_("You cannot answer the offer of this agreement."),
        states=[AgreementStatus.OFFERED],
        wrong_state=_("Only an offered agreement can be accepted."),
        label=_("Accept the offer"),
        reason=reason,
        guards=[guards.agreement_offer_not_answered, guards.agreement_within_term],
        if_match=if_match,
        change=accept,
    )


def agreement_decline(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Agreement:
    """The provider declines the offer, with a reason. A declined offer can never be activated."""
    return perform_transition(
        model=Agreement,
        uuid=uuid,
        name="decline",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.agreement_offer_not_answered],
        kwargs={"reason": (reason or "").strip()},
    )


def agreement_activate(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Agreement:
    return perform_transition(
        model=Agreement,
        uuid=uuid,
        name="activate",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.agreement_is_signed, guards.agreement_within_term, condition_guards.conditions_hold],
        record=[conditions_record_transition],
    )


def agreement_suspend(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Agreement:
    return perform_transition(
        model=Agreement,
        uuid=uuid,
        name="suspend",
        actor=actor,
        if_match=if_match,
        reason=reason,
        kwargs={"reason": reason.strip()},
    )


def agreement_reinstate(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Agreement:
    return perform_transition(
        model=Agreement,
        uuid=uuid,
        name="reinstate",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.agreement_within_term, condition_guards.conditions_hold],
        record=[conditions_record_transition],
    )


def agreement_request_termination(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Agreement:
    """First officer of the four-eyes termination: records the request; a second officer approves it
    with ``agreement_terminate``. The termination takes effect after the notice period."""

    def request(agreement: Agreement) -> dict[str, Any]:
        agreement.termination_reason = (reason or "").strip()
        agreement.termination_requested_by = acting_user(actor)
        agreement.termination_requested_at = clock.now()
        agreement.termination_effective_date = min(
            add_months(clock.today(), agreement.notice_months), agreement.end_date
        )
        return {"effectiveDate": agreement.termination_effective_date.isoformat()}

    return perform_operation(
        model=Agreement,
        uuid=uuid,
        event="agreement.termination_requested",
        actor=actor,
        permission="contracting.transition_agreement",
        forbidden=_("You are not allowed to request the termination of agreements."),
        states=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED],
        wrong_state=_("Only an active or suspended agreement can be terminated."),
        reason=reason,
        reason_required=True,
        if_match=if_match,
        change=request,
    )


def agreement_terminate(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Agreement:
    return perform_transition(
        model=Agreement,
        uuid=uuid,
        name="terminate",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.agreement_termination_approved_by_second_officer],
        after=lambda agreement, _from: _termination_data(agreement),
    )


def _termination_data(agreement: Agreement) -> dict[str, Any]:
    # the guard let the transition through, so a termination was requested (by whom, taking effect when)
    assert agreement.termination_requested_by is not None
    assert agreement.termination_effective_date is not None
    return {
        "requestedBy": agreement.termination_requested_by.get_username(),
        "terminationReason": agreement.termination_reason,
        "effectiveDate": agreement.termination_effective_date.isoformat(),
    }


def agreement_end(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> Agreement:
    return perform_transition(
        model=Agreement,
        uuid=uuid,
        name="end",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.agreement_termination_effective],
    )


def agreement_expire(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> Agreement:
    return perform_transition(
        model=Agreement,
        uuid=uuid,
        name="expire",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.agreement_term_has_ended],
    )


def agreements_expire_ended(*, today: datetime.date | None = None) -> int:
    """Expire every active agreement whose term ended before ``today`` (daily, as the system): each one
    through ``agreement_expire`` (state machine, guard, audit event). Returns how many expired."""
    today = today or clock.today()
    uuids = list(
        Agreement.objects.filter(status=AgreementStatus.ACTIVE, end_date__lt=today)
        .order_by("pk")
        .values_list("uuid", flat=True)
    )
    for uuid in uuids:
        agreement_expire(uuid=uuid, actor=SYSTEM, reason=_("The term of the agreement has ended."))
    return len(uuids)


def agreement_extend(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> Agreement:
    """Extension is an event on an active agreement: within the options and before the notice deadline."""

    def extend(agreement: Agreement) -> dict[str, Any]:
        old_end = agreement.end_date
        agreement.end_date = add_months(old_end, agreement.extension_months)
        agreement.extensions_used += 1
        return {
            "oldEndDate": old_end.isoformat(),
            "newEndDate": agreement.end_date.isoformat(),
            "extensionsUsed": agreement.extensions_used,
        }

    return perform_operation(
        model=Agreement,
        uuid=uuid,
        event="agreement.extended",
        actor=actor,
        permission="contracting.transition_agreement",
        forbidden=_("You are not allowed to extend agreements."),
        states=[AgreementStatus.ACTIVE],
        wrong_state=_("Only an active agreement can be extended."),
        label=_("Extend"),
        reason=reason,
        guards=[guards.agreement_can_be_extended],
        if_match=if_match,
        change=extend,
    )


def _decide_past_start(
    *, uuid: UUID, actor: Actor, decision: PastStart, reason: str, if_match: str | None
) -> Agreement:
    """An officer decides on a start date that lies before the day of admission, with a reason: keep
    it, or start from today. Only the start changes; the end stays the procedure's common end."""

    def refusal(agreement: Agreement) -> str | None:
        if not agreement.past_start_pending:
            return _("There is no start date in the past waiting for a decision.")
        if decision == PastStart.MOVED and clock.today() >= agreement.end_date:
            return _("The term of the agreement ends before today; it cannot start from today.")
        return None

    def decide(agreement: Agreement) -> dict[str, Any]:
        old_start = agreement.start_date
        if decision == PastStart.MOVED:
            agreement.start_date = clock.today()
        agreement.past_start = decision
        agreement.past_start_reason = (reason or "").strip()
        agreement.past_start_decided_by = acting_user(actor)
        agreement.past_start_decided_at = clock.now()
        return {
            "decision": str(decision),
            "oldStartDate": old_start.isoformat(),
            "startDate": agreement.start_date.isoformat(),
        }

    return perform_operation(
        model=Agreement,
        uuid=uuid,
        event="agreement.past_start_decided",
        actor=actor,
        permission="contracting.transition_agreement",
        forbidden=_("You are not allowed to decide on the start date of agreements."),
        states=[AgreementStatus.DRAFT],
        wrong_state=_("Only the start date of a draft agreement can be decided on."),
        state_refusal=refusal,
        label=_("Decide on the start date"),
        reason=reason,
        reason_required=True,
        if_match=if_match,
        change=decide,
    )


def agreement_keep_past_start(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Agreement:
    """Keep the start date in the past, with a reason (for instance: care was delivered since then)."""
    return _decide_past_start(
        uuid=uuid, actor=actor, decision=PastStart.KEPT, reason=reason, if_match=if_match
    )


def agreement_start_from_today(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Agreement:
    """Move the start date in the past to today, with a reason; the end date does not change."""
    return _decide_past_start(
        uuid=uuid, actor=actor, decision=PastStart.MOVED, reason=reason, if_match=if_match
    )


def _may_decide_past_start(agreement: Agreement, user: Viewer) -> bool:
    return (
        agreement.status == AgreementStatus.DRAFT
        and agreement.past_start_pending
        and user.has_perm("contracting.transition_agreement")
    )


def _may_request_termination(agreement: Agreement, user: Viewer) -> bool:
    return (
        agreement.status in (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED)
        and agreement.termination_requested_by_id is None
        and user.has_perm("contracting.transition_agreement")
    )


def _may_approve_termination(agreement: Agreement, user: Viewer) -> bool:
    """Shown only to a second officer once a termination has been requested."""
    return (
        agreement.status in (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED)
        and agreement.termination_requested_by_id not in (None, user.pk)
        and user.has_perm("contracting.transition_agreement")
    )


def _may_answer_offer(agreement: Agreement, user: Viewer) -> bool:
    return (
        agreement.status == AgreementStatus.OFFERED
        and agreement.accepted_at is None
        and CAN_ANSWER_OFFER(agreement, user)
    )


operation(label=gettext_lazy("Accept the offer"), available=_may_answer_offer)(agreement_accept)
offered_when(agreement_decline, _may_answer_offer)
operation(
    label=gettext_lazy("Request termination"), available=_may_request_termination, reason_required=True
)(agreement_request_termination)
operation(
    label=gettext_lazy("Extend"),
    available=lambda a, user: (
        a.status == AgreementStatus.ACTIVE and user.has_perm("contracting.transition_agreement")
    ),
)(agreement_extend)
operation(
    label=gettext_lazy("Keep the start date in the past"),
    available=_may_decide_past_start,
    reason_required=True,
)(agreement_keep_past_start)
operation(label=gettext_lazy("Start from today"), available=_may_decide_past_start, reason_required=True)(
    agreement_start_from_today
)
# terminate is an FSM transition, but only a second officer may take it once a termination was requested
offered_when(agreement_terminate, _may_approve_termination)

# --------------------------------------------------------------------------- tariffs: indexation


def index_rate_record(
    *,
    year: int,
    component: str,
    actor: Actor,
    source: str,
    provisional_pct: Decimal | None = None,
    definitive_pct: Decimal | None = None,
    weight_pct: Decimal | None = None,
    note: str = "",
) -> IndexRate:
    """An officer enters a published index figure (e.g. the VNG provider index of a new year) with the
    source where it was published. Recorded in the audit trail with the figures before and after."""
    require_permission(actor, "contracting.add_indexrate", _("You are not allowed to enter index figures."))
    if component not in IndexRate.Component.values:
        raise InvalidInput(_("Unknown index component."), field="component")
    source = (source or "").strip()
    if not source:
        raise InvalidInput(_("A published figure needs its source."), field="source")
    if provisional_pct is None and definitive_pct is None:
        raise InvalidInput(_("Enter the provisional or the definitive percentage."), field="provisional_pct")
    with transaction.atomic():
        rate = IndexRate.objects.select_for_update().filter(year=year, component=component).first()
        before = (
            None
            if rate is None
            else {"provisionalPct": _pct(rate.provisional_pct), "definitivePct": _pct(rate.definitive_pct)}
        )
        rate = rate or IndexRate(year=year, component=component)
        if provisional_pct is not None:
            rate.provisional_pct = provisional_pct
        if definitive_pct is not None:
            rate.definitive_pct = definitive_pct
        if weight_pct is not None:
            rate.weight_pct = weight_pct
        rate.source, rate.note = source, (note or "").strip()
        rate.full_clean()
        rate.save()
        audit_record(
            actor=actor,
            event="index_rate.recorded",
            subject=rate,
            data={
                "year": year,
                "component": component,
                "before": before,
                "provisionalPct": _pct(rate.provisional_pct),
                "definitivePct": _pct(rate.definitive_pct),
                "weightPct": _pct(rate.weight_pct),
                "source": source,
            },
        )
    return rate


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def tariffs_index(
    *,
    authority: ContractingAuthority,
    year: int,
    actor: Actor,
    method: str = IndexMethod.VNG_PROVIDER_INDEX,
    fixed_pct: Decimal | None = None,
) -> IndexationRun:
    """Create the tariffs (and cost models) of ``year`` from those of the year before, indexed under
    ``method`` (default: the VNG provider index). When the figures of ``year`` are not published, the
    tariffs are created at the level of the year before in the named state 'index not yet published;
    tariffs provisional' (basis ``awaiting_index``), to be trued up once an officer enters the figure."""
    require_permission(actor, "contracting.add_tariff", _("You are not allowed to index tariffs."))
    if method not in IndexMethod.values:
        raise InvalidInput(_("Unknown indexation method."), field="method")
    if method == IndexMethod.FIXED_PCT and fixed_pct is None:
        raise InvalidInput(_("A fixed indexation needs its percentage."), field="fixed_pct")
    figure = figure_for(method, year, fixed_pct=fixed_pct)
    with transaction.atomic():
        ContractingAuthority.objects.select_for_update().get(pk=authority.pk)
        previous = list(Tariff.objects.filter(authority=authority, year=year - 1).select_related("product"))
        if not previous:
            raise GuardFailed(
                _("There are no tariffs for %(year)s to index.") % {"year": year - 1},
                unmet=[{"code": "no_tariffs", "message": _("There are no tariffs to index.")}],
            )
        if (
            IndexationRun.objects.filter(authority=authority, year=year).exists()
            or Tariff.objects.filter(authority=authority, year=year).exists()
        ):
            raise GuardFailed(
                _("The tariffs of %(year)s already exist.") % {"year": year},
                unmet=[{"code": "already_indexed", "message": _("The tariffs of this year already exist.")}],
            )
        if not figure.known:
            basis = IndexationRun.Basis.AWAITING
        elif method == IndexMethod.PROVISIONAL_TRUE_UP:
            basis = IndexationRun.Basis.PROVISIONAL
        else:
            basis = IndexationRun.Basis.FINAL
        rate = figure.index_pct if figure.index_pct is not None else Decimal(0)
        run = IndexationRun.objects.create(
            authority=authority,
            year=year,
            basis=basis,
            method=method,
            rate_pct=rate,
            components=figure.as_dict(),
            applied_by=acting_user(actor),
        )
        Tariff.objects.bulk_create(
            Tariff(
                authority=authority,
                product=t.product,
                year=year,
                amount=indexed(t.amount, rate),
                base_amount=t.amount,
                indexation_pct=rate,
                indexation_run=run,
            )
            for t in previous
        )
        existing = set(
            CostModel.objects.filter(authority=authority, year=year).values_list("product_id", flat=True)
        )
        CostModel.objects.bulk_create(
            _indexed_cost_model(c, year=year, rate=rate)
            for c in CostModel.objects.filter(authority=authority, year=year - 1).exclude(
                product__in=existing
            )
        )
        audit_record(
            actor=actor,
            event="tariffs.indexed",
            subject=run,
            reason=figure.explanation(),
            data={
                "year": year,
                "ratePct": str(rate),
                "basis": basis,
                "method": method,
                "figure": figure.as_dict(),
                "tariffs": len(previous),
            },
        )
    return run


def _indexed_cost_model(cost: CostModel, *, year: int, rate: Decimal) -> CostModel:
    """The cost model of ``year``: the wage follows the same index as the tariffs (the labour
    component dominates the index: OVA 90%), every other element is carried over as it was."""
    cost.hourly_wage = indexed(cost.hourly_wage, rate)
    cost.pk, cost.id, cost.uuid, cost.year = None, None, uuid4(), year
    return cost


def tariffs_true_up(*, authority: ContractingAuthority, year: int, actor: Actor) -> IndexationRun:
    """Re-price the tariffs of ``year`` once the missing figure is published: a year indexed under the
    true-up method goes to the definitive rate; a year awaiting its index gets the index of its method.
    The difference is recorded per tariff (and so per agreement), and carried forward: tariffs of the
    next year that were derived from these are re-based on the trued-up amounts."""
    require_permission(actor, "contracting.add_tariff", _("You are not allowed to index tariffs."))
    with transaction.atomic():
        ContractingAuthority.objects.select_for_update().get(pk=authority.pk)
        current = IndexationRun.objects.filter(authority=authority, year=year).order_by("-created_at").first()
        if current is None:
            raise GuardFailed(
                _("The tariffs of %(year)s were not indexed provisionally.") % {"year": year},
                unmet=[
                    {"code": "not_indexed", "message": _("There is no provisional indexation to true up.")}
                ],
            )
        if current.basis in (IndexationRun.Basis.DEFINITIVE, IndexationRun.Basis.FINAL):
            raise GuardFailed(
                _("The tariffs of %(year)s have already been trued up.") % {"year": year},
                unmet=[{"code": "already_trued_up", "message": _("This year has already been trued up.")}],
            )
        if current.basis == IndexationRun.Basis.PROVISIONAL:
            figure, basis = (
                figure_for(current.method, year, basis="definitive"),
                IndexationRun.Basis.DEFINITIVE,
            )
        else:
            fixed = current.components.get("indexPct") if current.method == IndexMethod.FIXED_PCT else None
            figure = figure_for(current.method, year, fixed_pct=Decimal(fixed) if fixed else None)
            basis = (
                IndexationRun.Basis.PROVISIONAL
                if current.method == IndexMethod.PROVISIONAL_TRUE_UP
                else IndexationRun.Basis.FINAL
            )
        if not figure.known:
            message = figure.state_text
            raise GuardFailed(
                message,
                unmet=[{"code": "index_not_published", "message": message, "missing": list(figure.missing)}],
            )
        assert figure.index_pct is not None
        rate = figure.index_pct
        run = IndexationRun.objects.create(
            authority=authority,
            year=year,
            basis=basis,
            method=current.method,
            rate_pct=rate,
            components=figure.as_dict(),
            applied_by=acting_user(actor),
        )
        differences = _reprice(Tariff.objects.filter(indexation_run=current), run=run, rate=rate, year=year)
        _rebase_cost_models(authority=authority, year=year, rate=rate)
        # carry-forward: the next year's tariffs were derived from the provisional amounts of this year
        trued = {t.product_id: t.amount for t in Tariff.objects.filter(authority=authority, year=year)}
        for later in IndexationRun.objects.filter(authority=authority, year=year + 1).order_by("created_at"):
            differences += _reprice(
                Tariff.objects.filter(indexation_run=later),
                run=later,
                rate=later.rate_pct,
                year=year + 1,
                bases=trued,
            )
            _rebase_cost_models(authority=authority, year=year + 1, rate=later.rate_pct)
        run.differences = differences
        run.save(update_fields=["differences"])
        audit_record(
            actor=actor,
            event="tariffs.trued_up",
            subject=run,
            reason=figure.explanation(),
            data={
                "year": year,
                "ratePct": str(rate),
                "provisionalPct": str(current.rate_pct),
                "fromBasis": current.basis,
                "basis": basis,
                "figure": figure.as_dict(),
                "differences": differences,
            },
        )
    return run


def _rebase_cost_models(*, authority: ContractingAuthority, year: int, rate: Decimal) -> None:
    bases = {
        c.product_id: c.hourly_wage for c in CostModel.objects.filter(authority=authority, year=year - 1)
    }
    for cost in CostModel.objects.select_for_update().filter(authority=authority, year=year):
        if cost.product_id in bases:
            cost.hourly_wage = indexed(bases[cost.product_id], rate)
            cost.save(update_fields=["hourly_wage", "updated_at"])


def _reprice(
    tariffs, *, run: IndexationRun, rate: Decimal, year: int, bases: dict[int, Decimal] | None = None
) -> list[dict[str, Any]]:
    """Re-price ``tariffs`` at ``rate`` on their base (or on ``bases`` per product: carry-forward)."""
    rows = list(tariffs.select_for_update().select_related("product"))
    differences = []
    for tariff in sorted(rows, key=lambda t: t.product.code):
        assert tariff.base_amount is not None  # tariffs_index stores it with every indexed tariff
        base = bases.get(tariff.product_id, tariff.base_amount) if bases else tariff.base_amount
        new_amount = indexed(base, rate)
        differences.append(
            {
                "productId": tariff.product_id,
                "product": tariff.product.code,
                "year": year,
                "carriedForward": bases is not None,
                "provisional": str(tariff.amount),
                "definitive": str(new_amount),
                "difference": str(new_amount - tariff.amount),
            }
        )
        tariff.amount, tariff.base_amount = new_amount, base
        tariff.indexation_pct, tariff.indexation_run = rate, run
        tariff.updated_at = clock.now()
    Tariff.objects.bulk_update(
        rows, ["amount", "base_amount", "indexation_pct", "indexation_run", "updated_at"]
    )
    return differences


# --------------------------------------------------------------------------- registry
# name -> service, per model: the admin buttons and the API's /transitions/<name> both read this.

PROCEDURE_TRANSITIONS = {
    "start_consultation": procedure_start_consultation,
    "open": procedure_open,
    "close_applications": procedure_close_applications,
    "conclude": procedure_conclude,
    "cancel": procedure_cancel,
}
APPLICATION_TRANSITIONS = {
    "submit": application_submit,
    "start_review": application_start_review,
    "admit": application_admit,
    "reject": application_reject,
    "withdraw": application_withdraw,
}
AGREEMENT_TRANSITIONS = {
    "keep_past_start": agreement_keep_past_start,
    "start_from_today": agreement_start_from_today,
    "offer": agreement_offer,
    "accept": agreement_accept,
    "decline": agreement_decline,
    "activate": agreement_activate,
    "suspend": agreement_suspend,
    "reinstate": agreement_reinstate,
    "request_termination": agreement_request_termination,
    "terminate": agreement_terminate,
    "end": agreement_end,
    "expire": agreement_expire,
    "extend": agreement_extend,
}


# --------------------------------------------------------------------------- questions (nota van inlichtingen)

QUESTION_MAX_LENGTH = 5000


def _question_text(value: str, field: str, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(empty, field=field)
    if len(text) > QUESTION_MAX_LENGTH:
        raise InvalidInput(
            _("Use at most %(max)s characters.") % {"max": formatting.number(QUESTION_MAX_LENGTH)},
            field=field,
        )
    return text


def question_ask(*, procedure_uuid: UUID, provider_uuid: UUID, actor: Actor, text: str) -> Question:
    """A user of a provider asks a question about a procedure, while the procedure accepts questions (open
    for applications, and not after its question deadline). Only the provider's own users ask: an officer
    answers, and an auditor changes nothing."""
    text = _question_text(text, "text", _("Write your question."))
    with transaction.atomic():
        # lock the procedure: the state and deadline we check are those of the moment the question is asked
        procedure = Procedure.objects.select_for_update().get(uuid=procedure_uuid)
        provider = Provider.objects.get(uuid=provider_uuid)
        if not (actor is not None and actor.is_authenticated and provider.pk in provider_ids_for(actor)):
            raise TransitionForbidden(_("You cannot ask questions on behalf of this provider."))
        unmet = list(guards.procedure_accepts_questions(procedure, clock.today()))
        if unmet:
            raise GuardFailed(
                " ".join(u.message for u in unmet),
                unmet=[u.as_dict() for u in unmet],
                current_status=procedure.status,
            )
        question = Question.objects.create(
            procedure=procedure, provider=provider, asked_by=acting_user(actor), text=text
        )
        audit_record(
            actor=actor,
            event="question.asked",
            subject=question,
            to_state=question.status,
            data={"procedure": str(procedure.uuid), "provider": str(provider.uuid)},
        )
    return question


def question_answer(*, uuid: UUID, actor: Actor, answer: str, public_text: str = "") -> Question:
    """An officer answers a question (or corrects the answer) before it is published. ``public_text`` is
    the question as the nota van inlichtingen will show it, without anything that names the asker; empty
    means the question as asked."""
    with transaction.atomic():
        question = lock(Question, uuid)
        require_permission(
            actor, "contracting.answer_question", _("You are not allowed to answer questions.")
        )
        if question.status == QuestionStatus.PUBLISHED:
            raise InvalidTransition(
                _("This question and its answer are published; a published answer is not changed."),
                current_status=question.status,
            )
        answer = _question_text(answer, "answer", _("Write the answer."))
        public = (public_text or "").strip()
        if len(public) > QUESTION_MAX_LENGTH:
            raise InvalidInput(
                _("Use at most %(max)s characters.") % {"max": formatting.number(QUESTION_MAX_LENGTH)},
                field="public_text",
            )
        from_state = question.status
        question.answer = answer
        question.public_text = public
        question.answered_by = acting_user(actor)
        question.answered_at = clock.now()
        question.status = QuestionStatus.ANSWERED
        question.save()
        audit_record(
            actor=actor,
            event="question.answered",
            subject=question,
            from_state=from_state,
            to_state=question.status,
            data={"rephrased": bool(public)},
        )
    return question


def question_publish(*, uuid: UUID, actor: Actor) -> Question:
    """An officer publishes an answered question: from now on every provider reads question and answer
    on the procedure's page, without the asker's name or organisation. Publication is final."""
    with transaction.atomic():
        question = lock(Question, uuid)
        require_permission(actor, "contracting.answer_question", _("You are not allowed to publish answers."))
        if question.status != QuestionStatus.ANSWERED:
            raise InvalidTransition(
                _("Only an answered question that is not yet published can be published."),
                current_status=question.status,
            )
        from_state = question.status
        question.status = QuestionStatus.PUBLISHED
        question.published_at = clock.now()
        question.save()
        audit_record(
            actor=actor,
            event="question.published",
            subject=question,
            from_state=from_state,
            to_state=question.status,
        )
    return question
