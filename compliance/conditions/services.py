"""Writes of the compliance app: evaluating and recording conditions, evidence that is not a document
(declarations, judgements, annual figures), waivers (four-eyes), the condition sets of procedures and
coalitions, and per-subject condition changes."""

import datetime
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from coalitions.models import Membership, MembershipStatus
from compliance.conditions.evaluation import Evaluated, evaluations_compute
from compliance.conditions.guards import procedure_condition_set_complete
from compliance.conditions.subjects import subject_kind
from compliance.conditions.tasks import reevaluate_provider_task
from compliance.models import (
    Condition,
    ConditionAdjustment,
    ConditionEvaluation,
    ConditionRequirement,
    DecisionMethod,
    EvaluationOutcome,
    OfficerJudgement,
    ProviderAnnualFigures,
    ProviderDeclaration,
    Waiver,
    WaiverStatus,
)
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    Procedure,
    ProcedureStatus,
)
from contracting.roles import provider_ids_for
from core import clock
from core.actors import Actor, acting_user
from core.exceptions import (
    FourEyesRequired,
    GuardFailed,
    InvalidInput,
    InvalidTransition,
    ReasonRequired,
    TransitionForbidden,
)
from core.transitions import require_permission

Trigger = ConditionEvaluation.Trigger


def conditions_evaluate(
    *, subject: Any, trigger: str = Trigger.MANUAL, moment: datetime.date | None = None
) -> list[Evaluated]:
    """Evaluate every condition that applies to ``subject`` for each of its providers and store the
    result where it differs from the latest stored one (history is append-only)."""
    results = evaluations_compute(subject=subject, moment=moment)
    _store(subject, results, trigger)
    return results


def conditions_record_transition(subject: Any) -> list[Evaluated]:
    """After a guarded transition succeeded: store the evaluations its guard decided on (the guard
    itself only reads, so a refused transition leaves no rows behind)."""
    return conditions_evaluate(subject=subject, trigger=Trigger.TRANSITION)


def _store(subject: Any, results: list[Evaluated], trigger: str) -> None:
    latest: dict[tuple[int, int], ConditionEvaluation] = {}
    for row in ConditionEvaluation.objects.filter(subject_uuid=subject.uuid).order_by("evaluated_at", "id"):
        latest[(row.condition_id, row.provider_id)] = row
    now = clock.now()
    new = []
    for item in results:
        reasons, evidence = [dict(r) for r in item.result.reasons], [dict(e) for e in item.result.evidence]
        previous = latest.get((item.condition.pk, item.provider.pk))
        if previous and (previous.outcome, previous.reasons, previous.evidence) == (
            item.result.outcome,
            reasons,
            evidence,
        ):
            continue
        new.append(
            ConditionEvaluation(
                condition=item.condition,
                provider=item.provider,
                subject_type=subject_kind(subject),
                subject_uuid=subject.uuid,
                subject_repr=str(subject)[:255],
                evaluated_at=now,
                outcome=item.result.outcome,
                reasons=reasons,
                evidence=evidence,
                trigger=trigger,
            )
        )
    # A condition that dropped out of the set (or a provider that left a coalition agreement) gets a
    # closing row, so that the history says from when it no longer applied.
    current = {(item.condition.pk, item.provider.pk) for item in results}
    for key, previous in latest.items():
        if key not in current and previous.outcome != EvaluationOutcome.NOT_APPLICABLE:
            new.append(
                ConditionEvaluation(
                    condition_id=key[0],
                    provider_id=key[1],
                    subject_type=subject_kind(subject),
                    subject_uuid=subject.uuid,
                    subject_repr=str(subject)[:255],
                    evaluated_at=now,
                    outcome=EvaluationOutcome.NOT_APPLICABLE,
                    reasons=[],
                    evidence=[],
                    trigger=trigger,
                )
            )
    ConditionEvaluation.objects.bulk_create(new)


def evaluations_as_of(subject: Any, when: datetime.datetime) -> list[ConditionEvaluation]:
    """What was recorded as true for each condition of the subject at ``when``."""
    latest: dict[tuple[int, int], ConditionEvaluation] = {}
    rows = ConditionEvaluation.objects.filter(
        subject_uuid=subject.uuid, evaluated_at__lte=when
    ).select_related("condition", "provider")
    for row in rows.order_by("evaluated_at", "id"):
        latest[(row.condition_id, row.provider_id)] = row
    return sorted(latest.values(), key=lambda e: (e.condition.category, e.condition.code, e.provider.name))


def reevaluate_provider(*, provider_id: int, trigger: str = Trigger.EVIDENCE) -> int:
    """Evidence of a provider changed: re-evaluate every live subject that binds it. Returns the count."""
    subjects = live_subjects(provider_id=provider_id)
    for subject in subjects:
        conditions_evaluate(subject=subject, trigger=trigger)
    return len(subjects)


def live_subjects(*, provider_id: int | None = None) -> list[Any]:

    apps = Application.objects.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
    ).select_related("procedure__authority", "provider")
    agreements = Agreement.objects.exclude(
        status__in=[AgreementStatus.ENDED, AgreementStatus.EXPIRED]
    ).select_related("authority", "provider", "coalition")
    memberships = Membership.objects.exclude(status=MembershipStatus.ENDED).select_related(
        "coalition__authority", "provider"
    )
    if provider_id is not None:
        apps = apps.filter(provider_id=provider_id)
        agreements = agreements.filter(provider_id=provider_id) | agreements.filter(
            coalition__memberships__provider_id=provider_id
        )
        memberships = memberships.filter(provider_id=provider_id)
    return [*apps, *agreements.distinct(), *memberships]


def _schedule_reevaluation(provider_id: int) -> None:

    transaction.on_commit(lambda: reevaluate_provider_task.enqueue(provider_id=provider_id))


# --------------------------------------------------------------------------- evidence


def declaration_record(
    *,
    provider: Any,
    condition: Condition,
    actor: Actor,
    statement: str,
    signed_by_name: str,
    signed_by_role: str,
    signed_on: datetime.date,
    valid_until: datetime.date | None = None,
    signed_at: datetime.datetime | None = None,
) -> ProviderDeclaration:
    """A declaration signed on behalf of the provider; recorded by a provider user or an officer."""

    if actor is None or not (
        actor.has_perm("compliance.add_providerdeclaration") or provider.pk in provider_ids_for(actor)
    ):
        raise TransitionForbidden(_("You cannot record declarations for this provider."))
    with transaction.atomic():
        declaration = ProviderDeclaration.objects.create(
            provider=provider,
            condition=condition,
            statement=statement,
            signed_by_name=signed_by_name,
            signed_by_role=signed_by_role,
            signed_on=signed_on,
            valid_until=valid_until,
            signed_at=signed_at,
            recorded_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            event="declaration.recorded",
            subject=declaration,
            data={
                "provider": str(provider.uuid),
                "condition": condition.code,
                "signedBy": signed_by_name,
                "function": signed_by_role,
                "signedOn": signed_on.isoformat(),
                "signedAt": signed_at.isoformat() if signed_at else None,
            },
        )
        _schedule_reevaluation(provider.pk)
    return declaration


def declaration_sign(
    *,
    provider: Any,
    condition: Condition,
    actor: Actor,
    signed_by_name: str,
    signed_by_role: str,
    statement: str = "",
) -> ProviderDeclaration:
    """The provider's own user signs a declaration for the provider (in the portal or through the API):
    name, function and the moment of signing are recorded, with the user who signed. Only a user of the
    provider signs; an officer records a declaration signed on paper with ``declaration_record``."""
    if not (actor is not None and actor.is_authenticated and provider.pk in provider_ids_for(actor)):
        raise TransitionForbidden(_("Only a user of the provider can sign its declarations."))
    if condition.method != DecisionMethod.DECLARATION:
        raise InvalidInput(_("This condition is not met by a declaration."), field="condition")
    name, role = (signed_by_name or "").strip(), (signed_by_role or "").strip()
    if not name:
        raise InvalidInput(_("Give the name of the person who signs."), field="signedByName")
    if not role:
        raise InvalidInput(_("Give the function of the person who signs."), field="signedByRole")
    now = clock.now()
    return declaration_record(
        provider=provider,
        condition=condition,
        actor=actor,
        statement=(statement or "").strip() or f"{condition.title}. {condition.explanation}",
        signed_by_name=name,
        signed_by_role=role,
        signed_on=clock.localdate(now),
        signed_at=now,
    )


def judgement_record(
    *,
    provider: Any,
    condition: Condition,
    actor: Actor,
    verdict: str,
    reasoning: str,
    valid_until: datetime.date | None = None,
) -> OfficerJudgement:
    require_permission(actor, "compliance.add_officerjudgement", _("Only an officer can judge conditions."))
    if not (reasoning or "").strip():
        raise ReasonRequired()
    with transaction.atomic():
        judgement = OfficerJudgement.objects.create(
            provider=provider,
            condition=condition,
            verdict=verdict,
            reasoning=reasoning.strip(),
            judged_on=clock.today(),
            valid_until=valid_until,
            judged_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            event="judgement.recorded",
            subject=judgement,
            reason=judgement.reasoning,
            data={"provider": str(provider.uuid), "condition": condition.code, "verdict": verdict},
        )
        _schedule_reevaluation(provider.pk)
    return judgement


# --------------------------------------------------------------------------- waivers (four-eyes)


def waiver_request(
    *,
    subject: Any,
    provider: Any,
    condition: Condition,
    actor: Actor,
    reason: str,
    valid_until: datetime.date,
) -> Waiver:
    require_permission(actor, "compliance.decide_waiver", _("You are not allowed to waive conditions."))
    if not (reason or "").strip():
        raise ReasonRequired()
    if valid_until < clock.today():
        raise InvalidTransition(_("The end date of a waiver cannot lie in the past."))
    with transaction.atomic():
        waiver = Waiver.objects.create(
            condition=condition,
            provider=provider,
            subject_type=subject_kind(subject),
            subject_uuid=subject.uuid,
            subject_repr=str(subject)[:255],
            reason=reason.strip(),
            valid_until=valid_until,
            requested_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            event="waiver.requested",
            subject=waiver,
            to_state=waiver.status,
            reason=waiver.reason,
            data={
                "condition": condition.code,
                "subject": str(subject.uuid),
                "validUntil": valid_until.isoformat(),
            },
        )
    return waiver


def _waiver_decide(*, uuid: UUID, actor: Actor, approve: bool, reason: str) -> Waiver:
    require_permission(actor, "compliance.decide_waiver", _("You are not allowed to decide on waivers."))
    decider = acting_user(actor)
    with transaction.atomic():
        waiver = Waiver.objects.select_for_update().get(uuid=uuid)
        if waiver.status != WaiverStatus.PENDING:
            raise InvalidTransition(_("This waiver has already been decided."), current_status=waiver.status)
        if waiver.requested_by_id == decider.pk:
            raise FourEyesRequired(
                _("The officer who requested the waiver cannot also decide on it (four-eyes principle).")
            )
        if not approve and not (reason or "").strip():
            raise ReasonRequired()
        from_state = waiver.status
        waiver.status = WaiverStatus.APPROVED if approve else WaiverStatus.REJECTED
        waiver.decided_by, waiver.decided_at, waiver.decision_reason = (
            decider,
            clock.now(),
            (reason or "").strip(),
        )
        waiver.save()
        audit_record(
            actor=actor,
            event="waiver.approved" if approve else "waiver.rejected",
            subject=waiver,
            from_state=from_state,
            to_state=waiver.status,
            reason=waiver.decision_reason,
            data={"condition": waiver.condition.code, "requestedBy": waiver.requested_by.get_username()},
        )
        _schedule_reevaluation(waiver.provider_id)
    return waiver


def waiver_approve(*, uuid: UUID, actor: Actor, reason: str = "") -> Waiver:
    return _waiver_decide(uuid=uuid, actor=actor, approve=True, reason=reason)


def waiver_reject(*, uuid: UUID, actor: Actor, reason: str = "") -> Waiver:
    return _waiver_decide(uuid=uuid, actor=actor, approve=False, reason=reason)


# --------------------------------------------------------------------------- per-subject condition sets


def condition_adjust(
    *, subject: Any, condition: Condition, action: str, actor: Actor, reason: str
) -> ConditionAdjustment:
    """Add a condition to, or remove one from, a single agreement or membership (with a reason)."""
    require_permission(
        actor, "compliance.add_conditionadjustment", _("You are not allowed to change condition sets.")
    )
    if not (reason or "").strip():
        raise ReasonRequired()
    field = {"contracting.agreement": "agreement", "coalitions.membership": "membership"}[
        subject_kind(subject)
    ]
    with transaction.atomic():
        adjustment, _created = ConditionAdjustment.objects.update_or_create(
            condition=condition,
            **{field: subject},
            defaults={"action": action, "reason": reason.strip(), "decided_by": actor},
        )
        audit_record(
            actor=actor,
            event=f"condition.{'added' if action == 'add' else 'removed'}",
            subject=subject,
            reason=adjustment.reason,
            data={"condition": condition.code},
        )
        transaction.on_commit(lambda: conditions_evaluate(subject=subject, trigger=Trigger.EVIDENCE))
    return adjustment


# --------------------------------------------------------------------------- condition sets of procedures and coalitions


def condition_set_change(
    *,
    owner: Any,
    add: Iterable[Condition] = (),
    remove: Iterable[Condition] = (),
    actor: Actor,
    reason: str = "",
) -> list[Condition]:
    """Add conditions to, and remove conditions from, the condition set of a procedure or a coalition.
    Returns the conditions of the set afterwards. Once a procedure is open, its set must keep a fair-pay
    and an anti-discrimination condition (the guard of ``open`` keeps holding)."""

    add, remove = list(add), list(remove)
    # who may act is decided before what is asked: adding needs add_, removing delete_conditionrequirement
    message = _("You are not allowed to change condition sets.")
    if add or not remove:
        require_permission(actor, "compliance.add_conditionrequirement", message)
    if remove:
        require_permission(actor, "compliance.delete_conditionrequirement", message)
    if not add and not remove:
        raise InvalidInput(_("Choose at least one condition to add or to remove."))
    if {c.pk for c in add} & {c.pk for c in remove}:
        raise InvalidInput(_("A condition cannot be added and removed at the same time."))
    inactive = [c.code for c in add if not c.is_active]
    if inactive:
        raise InvalidInput(
            _("Conditions that are no longer active cannot be added: %(codes)s.")
            % {"codes": ", ".join(inactive)}
        )
    field = "procedure" if isinstance(owner, Procedure) else "coalition"
    with transaction.atomic():
        owner = type(owner).objects.select_for_update().get(pk=owner.pk)
        requirements = ConditionRequirement.objects.filter(**{field: owner})
        existing = set(requirements.values_list("condition_id", flat=True))
        added = [c for c in add if c.pk not in existing]
        removed = [c for c in remove if c.pk in existing]
        ConditionRequirement.objects.bulk_create(
            ConditionRequirement(condition=c, **{field: owner}) for c in added
        )
        requirements.filter(condition__in=[c.pk for c in removed]).delete()
        if field == "procedure" and owner.status not in (ProcedureStatus.DRAFT, ProcedureStatus.CONSULTATION):
            unmet = list(procedure_condition_set_complete(owner))
            if unmet:
                raise GuardFailed(
                    _("The condition set of an open procedure must stay complete."),
                    unmet=[u.as_dict() for u in unmet],
                )
        if added or removed:
            audit_record(
                actor=actor,
                event=f"{owner._meta.model_name}.condition_set_changed",
                subject=owner,
                reason=(reason or "").strip(),
                data={
                    "added": sorted(c.code for c in added),
                    "removed": sorted(c.code for c in removed),
                },
            )
            for provider_id in _owner_provider_ids(owner):
                _schedule_reevaluation(provider_id)
        result = list(
            Condition.objects.filter(
                requirements__in=ConditionRequirement.objects.filter(**{field: owner})
            ).order_by("category", "code")
        )
    return result


def _owner_provider_ids(owner: Any) -> set[int]:
    """The providers of the live subjects that inherit the condition set of ``owner``."""

    live_agreements = Agreement.objects.exclude(status__in=[AgreementStatus.ENDED, AgreementStatus.EXPIRED])
    live_members = Membership.objects.exclude(status=MembershipStatus.ENDED)
    if isinstance(owner, Procedure):
        ids = set(
            Application.objects.filter(
                procedure=owner, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
            ).values_list("provider_id", flat=True)
        )
        agreements = live_agreements.filter(procedure=owner)
    else:
        ids = set(live_members.filter(coalition=owner).values_list("provider_id", flat=True))
        agreements = live_agreements.filter(coalition=owner)
    ids |= set(agreements.exclude(provider=None).values_list("provider_id", flat=True))
    ids |= set(
        live_members.filter(coalition__in=agreements.exclude(coalition=None).values("coalition")).values_list(
            "provider_id", flat=True
        )
    )
    return ids


# --------------------------------------------------------------------------- annual figures


def annual_figures_save(
    *, figures: ProviderAnnualFigures, actor: Actor, changed: Iterable[str] = ()
) -> ProviderAnnualFigures:
    """Store figures entered by an officer, record what changed and re-evaluate the provider's subjects
    (the metrics read these figures) once committed."""
    created = figures._state.adding
    perm = "add" if created else "change"
    require_permission(
        actor, f"compliance.{perm}_providerannualfigures", _("You are not allowed to record annual figures.")
    )
    fields = list(changed) or [
        f.name for f in ProviderAnnualFigures._meta.concrete_fields if not f.primary_key and f.editable
    ]
    with transaction.atomic():
        figures.save()
        figures.refresh_from_db()  # record the values as stored (decimals rounded to their places)
        audit_record(
            actor=actor,
            event="annual_figures.changed",
            subject=figures,
            data={
                "provider": str(figures.provider.uuid),
                "year": figures.year,
                "created": created,
                "values": {name: getattr(figures, name) for name in sorted(fields) if name != "provider"},
            },
        )
        _schedule_reevaluation(figures.provider_id)
    return figures
