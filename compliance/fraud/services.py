"""Writes on fraud signals: the state machine (four-eyes confirmation, dismissal with a reason), the
IKZ report and its information requests, and the suspensions that follow a confirmation.

Every transition goes through core.transitions.perform_transition (lock, permission, reason, guards,
save, audit in one transaction). Confirming makes the integrity condition fail for the provider (the
engine counts confirmed signals); the provider's conditions are re-evaluated after commit. The
suspensions a confirmation proposes are made by the agreements' and memberships' own services.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from coalitions.models import Membership
from coalitions.services import membership_suspend
from compliance.conditions.tasks import reevaluate_provider_task
from compliance.fraud.selectors import suspension_candidates
from compliance.models import (
    UNCONFIRMED_STATES,
    FraudSignal,
    IkzInformationRequest,
    IkzReport,
    SignalHearing,
    SignalStatus,
)
from contracting.models import Agreement, Application, ApplicationStatus
from contracting.services import agreement_suspend
from core import clock
from core.actors import Actor, Viewer, acting_user
from core.exceptions import DomainError, InvalidInput, InvalidTransition, ReasonRequired
from core.guards import Unmet
from core.transitions import (
    lock,
    offered_when,
    operation,
    perform_operation,
    perform_transition,
    require_permission,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PERMISSION = "compliance.transition_fraudsignal"


# --------------------------------------------------------------------------- guards


def signal_confirmation_by_second_officer(signal: FraudSignal, actor: Actor) -> Iterable[Unmet]:
    """Another officer proposed the confirmation: the one who proposes cannot also confirm."""
    if signal.confirmation_requested_by_id is None:
        yield Unmet("confirmation_not_proposed", _("No officer has proposed to confirm this signal yet."))
    elif signal.confirmation_requested_by_id == getattr(actor, "pk", None):
        yield Unmet(
            "four_eyes_required",
            _("The officer who proposed the confirmation cannot also confirm it (four-eyes principle)."),
        )


# --------------------------------------------------------------------------- transitions


def signal_start_investigation(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> FraudSignal:
    return perform_transition(
        model=FraudSignal,
        uuid=uuid,
        name="start_investigation",
        actor=actor,
        if_match=if_match,
        reason=reason,
    )


def signal_request_confirmation(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> FraudSignal:
    """First officer of the four-eyes confirmation: proposes to confirm the signal, with the grounds; a
    second officer confirms it with ``signal_confirm``."""

    def propose(signal: FraudSignal) -> None:
        signal.confirmation_requested_by = acting_user(actor)
        signal.confirmation_requested_at = clock.now()
        signal.confirmation_reason = (reason or "").strip()

    return perform_operation(
        model=FraudSignal,
        uuid=uuid,
        event="fraudsignal.confirmation_requested",
        actor=actor,
        permission=PERMISSION,
        forbidden=_("You are not allowed to propose the confirmation of fraud signals."),
        states=[SignalStatus.INVESTIGATING],
        wrong_state=_("Only a signal under investigation can be proposed for confirmation."),
        label=_("Propose confirmation"),
        reason=reason,
        reason_required=True,
        state_refusal=lambda signal: (
            _("The confirmation of this signal has already been proposed.")
            if signal.confirmation_requested_by_id is not None
            else None
        ),
        if_match=if_match,
        change=propose,
    )


def _after_confirm(signal: FraudSignal, from_state: str) -> dict[str, Any]:
    """Schedules the re-evaluation of the provider's conditions after commit (a confirmed signal
    violates the integrity condition) and adds the proposal to the audit event."""
    provider_id = signal.provider_id
    transaction.on_commit(lambda: reevaluate_provider_task.enqueue(provider_id=provider_id))
    assert signal.confirmation_requested_by is not None  # the guard let only a proposed confirmation through
    return {
        "proposedBy": signal.confirmation_requested_by.get_username(),
        "grounds": signal.confirmation_reason,
        "rule": signal.rule,
        "provider": str(signal.provider.uuid),
    }


def signal_confirm(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> FraudSignal:
    return perform_transition(
        model=FraudSignal,
        uuid=uuid,
        name="confirm",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[signal_confirmation_by_second_officer],
        kwargs={"actor": actor, "at": clock.now()},
        after=_after_confirm,
    )


def signal_dismiss(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> FraudSignal:
    return perform_transition(
        model=FraudSignal,
        uuid=uuid,
        name="dismiss",
        actor=actor,
        if_match=if_match,
        reason=reason,
        reason_required=True,
        kwargs={"actor": actor, "at": clock.now(), "reason": (reason or "").strip()},
    )


def _may_request_confirmation(signal: FraudSignal, user: Viewer) -> bool:
    return (
        signal.status == SignalStatus.INVESTIGATING
        and signal.confirmation_requested_by_id is None
        and user.has_perm(PERMISSION)
    )


def _may_confirm(signal: FraudSignal, user: Viewer) -> bool:
    """Offered only to a second officer, once another officer proposed the confirmation."""
    return (
        signal.status == SignalStatus.INVESTIGATING
        and signal.confirmation_requested_by_id not in (None, user.pk)
        and user.has_perm(PERMISSION)
    )


operation(
    label=gettext_lazy("Propose confirmation"), available=_may_request_confirmation, reason_required=True
)(signal_request_confirmation)
# confirm is an FSM transition, but only a second officer may take it once a confirmation was proposed
offered_when(signal_confirm, _may_confirm)

SIGNAL_TRANSITIONS = {
    "start_investigation": signal_start_investigation,
    "request_confirmation": signal_request_confirmation,
    "confirm": signal_confirm,
    "dismiss": signal_dismiss,
}


# --------------------------------------------------------------------------- IKZ (Wbsrz)

IKZ_STATES = (SignalStatus.INVESTIGATING, SignalStatus.CONFIRMED)


def ikz_report_record(
    *,
    signal_uuid: UUID,
    actor: Actor,
    reported_on: datetime.date,
    reference: str,
    shared_information: str,
    decided_by: "User | None",
) -> IkzReport:
    """Record that a suspicion was reported to the Informatieknooppunt Zorgfraude (Wbsrz): when, under
    which IKZ reference, what was shared and which officer decided to report."""
    require_permission(actor, PERMISSION, _("You are not allowed to record IKZ reports."))
    reference, shared_information = (reference or "").strip(), (shared_information or "").strip()
    if not reference or not shared_information:
        raise InvalidInput(_("An IKZ report needs the IKZ reference and what was shared."))
    if reported_on > clock.today():
        raise InvalidInput(_("The date of an IKZ report cannot lie in the future."))
    if decided_by is None or not decided_by.has_perm(PERMISSION):
        raise InvalidInput(_("The decision to report must be taken by an officer who handles fraud signals."))
    with transaction.atomic():
        signal = lock(FraudSignal, signal_uuid)
        if signal.status not in IKZ_STATES:
            raise InvalidTransition(
                _("A report to IKZ is recorded for a signal under investigation or confirmed."),
                current_status=signal.status,
            )
        report = IkzReport.objects.create(
            signal=signal,
            reported_on=reported_on,
            reference=reference,
            shared_information=shared_information,
            decided_by=decided_by,
            recorded_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            event="fraudsignal.reported_to_ikz",
            subject=signal,
            from_state=signal.status,
            to_state=signal.status,
            data={
                "report": str(report.uuid),
                "reportedOn": reported_on.isoformat(),
                "reference": reference,
                "sharedInformation": shared_information,
                "decidedBy": decided_by.get_username(),
            },
        )
    return report


def ikz_request_record(
    *,
    report_uuid: UUID,
    actor: Actor,
    received_on: datetime.date,
    request: str,
    reference: str = "",
    due_on: datetime.date | None = None,
) -> IkzInformationRequest:
    """Record a request for information that IKZ sent back about a report."""
    require_permission(actor, PERMISSION, _("You are not allowed to record IKZ information requests."))
    request = (request or "").strip()
    if not request:
        raise InvalidInput(_("Describe what IKZ asks."))
    with transaction.atomic():
        report = IkzReport.objects.select_related("signal").get(uuid=report_uuid)
        lock(FraudSignal, report.signal.uuid)
        item = IkzInformationRequest.objects.create(
            report=report,
            received_on=received_on,
            reference=(reference or "").strip(),
            request=request,
            due_on=due_on,
            recorded_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            event="fraudsignal.ikz_request_received",
            subject=report.signal,
            data={
                "report": str(report.uuid),
                "request": str(item.uuid),
                "receivedOn": received_on.isoformat(),
                "dueOn": due_on.isoformat() if due_on else None,
                "text": request,
            },
        )
    return item


def ikz_request_answer(
    *, uuid: UUID, actor: Actor, answered_on: datetime.date, answer: str
) -> IkzInformationRequest:
    """Record how an IKZ information request was answered."""
    require_permission(actor, PERMISSION, _("You are not allowed to answer IKZ information requests."))
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput(_("Describe the answer given to IKZ."))
    with transaction.atomic():
        item = (
            IkzInformationRequest.objects.select_for_update().select_related("report__signal").get(uuid=uuid)
        )
        if item.answered_on is not None:
            raise InvalidTransition(_("This request has already been answered."))
        item.answered_on, item.answer, item.answered_by = answered_on, answer, acting_user(actor)
        item.save(update_fields=["answered_on", "answer", "answered_by", "updated_at"])
        audit_record(
            actor=actor,
            event="fraudsignal.ikz_request_answered",
            subject=item.report.signal,
            data={"request": str(item.uuid), "answeredOn": answered_on.isoformat(), "answer": answer},
        )
    return item


# --------------------------------------------------------------------------- hoor en wederhoor

HEARING_SIGNAL_STATES = UNCONFIRMED_STATES
HEARING_APPLICATION_STATES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


def signal_hearing_record(
    *,
    signal_uuid: UUID,
    application_uuid: UUID,
    actor: Actor,
    heard_on: datetime.date,
    provider_response: str,
    conclusion: str,
) -> SignalHearing:
    """Record that the provider was heard on an unconfirmed signal before its application is decided: the
    date, the provider's response and the officer's conclusion. Afterwards the signal no longer holds that
    application (it is decided on its merits); a confirmed signal still refuses admission."""
    require_permission(actor, PERMISSION, _("You are not allowed to record hearings on fraud signals."))
    provider_response, conclusion = (provider_response or "").strip(), (conclusion or "").strip()
    if not provider_response or not conclusion:
        raise InvalidInput(_("A hearing needs the provider's response and your conclusion."))
    if heard_on > clock.today():
        raise InvalidInput(_("The date of a hearing cannot lie in the future."))
    with transaction.atomic():
        application = lock(Application, application_uuid)
        signal = lock(FraudSignal, signal_uuid)
        if signal.provider_id != application.provider_id:
            raise InvalidInput(_("The signal and the application are not about the same provider."))
        if signal.status not in HEARING_SIGNAL_STATES:
            raise InvalidTransition(
                _("A hearing is recorded for an open signal or one under investigation."),
                current_status=signal.status,
            )
        if application.status not in HEARING_APPLICATION_STATES:
            raise InvalidTransition(
                _("A hearing is recorded for an application that has not been decided yet."),
                current_status=application.status,
            )
        if SignalHearing.objects.filter(signal=signal, application=application).exists():
            raise InvalidInput(_("The provider has already been heard on this signal for this application."))
        hearing = SignalHearing.objects.create(
            signal=signal,
            application=application,
            heard_on=heard_on,
            provider_response=provider_response,
            conclusion=conclusion,
            recorded_by=acting_user(actor),
        )
        # on the signal: the provider never sees the events of an investigation (compliance.audience)
        audit_record(
            actor=actor,
            event="fraudsignal.hearing_recorded",
            subject=signal,
            from_state=signal.status,
            to_state=signal.status,
            data={
                "hearing": str(hearing.uuid),
                "application": str(application.uuid),
                "heardOn": heard_on.isoformat(),
                "providerResponse": provider_response,
                "conclusion": conclusion,
            },
        )
    return hearing


# --------------------------------------------------------------------------- suspensions after confirmation


@dataclass
class SuspensionOutcome:
    suspended: list[Agreement | Membership] = field(default_factory=list)
    refused: list[tuple[Agreement | Membership, str]] = field(default_factory=list)


def signal_suspend_relations(
    *,
    uuid: UUID,
    actor: Actor,
    agreements: Iterable[UUID] = (),
    memberships: Iterable[UUID] = (),
    reason: str,
) -> SuspensionOutcome:
    """Suspend the chosen active agreements and memberships of a confirmed signal's provider. Each is
    suspended by its own service (``agreement_suspend``, ``membership_suspend``) in its own transaction,
    with its own checks and audit event; a refusal of one does not stop the others."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    signal = FraudSignal.objects.select_related("provider").get(uuid=uuid)
    if signal.status != SignalStatus.CONFIRMED:
        raise InvalidTransition(
            _("Suspensions follow a confirmed signal only."), current_status=signal.status
        )
    agreements = {UUID(str(u)) for u in agreements}
    memberships = {UUID(str(u)) for u in memberships}
    candidates = suspension_candidates(signal)
    allowed_agreements = {a.uuid: a for a in candidates.agreements}
    allowed_memberships = {m.uuid: m for m in candidates.memberships}
    outcome = SuspensionOutcome()
    # a fixed order (agreements, then memberships, each by pk) so that two runs never deadlock
    chosen: list[Agreement | Membership] = [
        *sorted(
            (allowed_agreements[u] for u in set(agreements) if u in allowed_agreements), key=lambda o: o.pk
        ),
        *sorted(
            (allowed_memberships[u] for u in set(memberships) if u in allowed_memberships), key=lambda o: o.pk
        ),
    ]
    unknown = (set(agreements) - set(allowed_agreements)) | (set(memberships) - set(allowed_memberships))
    if unknown:
        raise InvalidInput(
            _("Only active agreements and memberships of the signal's provider can be suspended.")
        )
    for obj in chosen:
        service = agreement_suspend if isinstance(obj, Agreement) else membership_suspend
        try:
            outcome.suspended.append(service(uuid=obj.uuid, actor=actor, reason=reason))
        except DomainError as exc:
            outcome.refused.append((obj, exc.detail))
    if outcome.suspended:
        audit_record(
            actor=actor,
            event="fraudsignal.suspensions_applied",
            subject=signal,
            from_state=signal.status,
            to_state=signal.status,
            reason=reason,
            data={
                "agreements": [str(o.uuid) for o in outcome.suspended if isinstance(o, Agreement)],
                "memberships": [str(o.uuid) for o in outcome.suspended if isinstance(o, Membership)],
                "refused": [str(o.uuid) for o, _message in outcome.refused],
            },
        )
    return outcome
