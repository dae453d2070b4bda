"""Reads of the compliance app: the compliance matrix and a provider's 'what is missing' list."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q

from coalitions.models import Membership, MembershipStatus
from compliance.models import Condition, ConditionEvaluation, EvaluationOutcome
from contracting.models import Agreement, AgreementStatus, Application, ApplicationStatus

# Severity order when one provider has several subjects for the same condition: the worst counts.
SEVERITY = {
    EvaluationOutcome.VIOLATED: 3,
    EvaluationOutcome.PENDING: 2,
    EvaluationOutcome.WAIVED: 1,
    EvaluationOutcome.SATISFIED: 0,
}


def live_subject_uuids(provider_ids: list[int] | None = None) -> set:
    """Uuids of the subjects that still bind providers: applications awaiting a decision, agreements
    that have not ended or expired, memberships that have not ended (three queries)."""

    applications = Application.objects.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
    )
    agreements = Agreement.objects.exclude(status__in=[AgreementStatus.ENDED, AgreementStatus.EXPIRED])
    memberships = Membership.objects.exclude(status=MembershipStatus.ENDED)
    if provider_ids is not None:
        applications = applications.filter(provider__in=provider_ids)
        agreements = agreements.filter(
            Q(provider__in=provider_ids) | Q(coalition__memberships__provider__in=provider_ids)
        )
        memberships = memberships.filter(provider__in=provider_ids)
    return {
        *applications.values_list("uuid", flat=True),
        *agreements.values_list("uuid", flat=True),
        *memberships.values_list("uuid", flat=True),
    }


def latest_evaluations(provider_ids: list[int] | None = None) -> list[ConditionEvaluation]:
    """The current evaluation per (condition, subject, provider) of live subjects, for conditions that
    still apply and are active: a constant number of queries whatever the history size."""
    newest = ConditionEvaluation.objects.values("condition_id", "subject_uuid", "provider_id").annotate(
        last=Max("id")
    )
    if provider_ids is not None:
        newest = newest.filter(provider_id__in=provider_ids)
    live = live_subject_uuids(provider_ids)
    return list(
        ConditionEvaluation.objects.filter(
            id__in=[row["last"] for row in newest if row["subject_uuid"] in live]
        )
        .exclude(outcome=EvaluationOutcome.NOT_APPLICABLE)
        .filter(condition__is_active=True)
        .select_related("condition", "provider")
    )


@dataclass
class MatrixCell:
    outcome: str
    subjects: list[str]
    reasons: list[str]


def compliance_matrix(
    providers: list[Any], conditions: list[Condition] | None = None
) -> tuple[list[Condition], dict[int, dict[int, MatrixCell]]]:
    """providers × conditions -> worst current outcome over the provider's live subjects."""
    conditions = conditions if conditions is not None else list(Condition.objects.filter(is_active=True))
    cells: dict[int, dict[int, MatrixCell]] = {p.pk: {} for p in providers}
    for evaluation in latest_evaluations([p.pk for p in providers]):
        row = cells.get(evaluation.provider_id)
        if row is None:
            continue
        cell = row.get(evaluation.condition_id)
        reasons = [r.get("message", "") for r in evaluation.reasons]
        if cell is None:
            row[evaluation.condition_id] = MatrixCell(evaluation.outcome, [evaluation.subject_repr], reasons)
            continue
        cell.subjects.append(evaluation.subject_repr)
        if SEVERITY[evaluation.outcome] > SEVERITY[cell.outcome]:
            cell.outcome, cell.reasons = evaluation.outcome, reasons
    return conditions, cells


@dataclass
class MissingItem:
    condition: Condition
    outcome: str
    reasons: list[str]
    subjects: list[str]


def provider_missing(provider: Any) -> list[MissingItem]:
    """What the provider still has to deliver or fix: every condition whose current evaluation in one of
    its subjects is pending or violated (mandatory first)."""
    items: dict[int, MissingItem] = {}
    for evaluation in latest_evaluations([provider.pk]):
        if evaluation.outcome not in (EvaluationOutcome.PENDING, EvaluationOutcome.VIOLATED):
            continue
        reasons = [r.get("message", "") for r in evaluation.reasons]
        item = items.get(evaluation.condition_id)
        if item is None:
            items[evaluation.condition_id] = MissingItem(
                evaluation.condition, evaluation.outcome, reasons, [evaluation.subject_repr]
            )
            continue
        item.subjects.append(evaluation.subject_repr)
        if SEVERITY[evaluation.outcome] > SEVERITY[item.outcome]:
            item.outcome, item.reasons = evaluation.outcome, reasons
    return sorted(
        items.values(), key=lambda i: (not i.condition.mandatory, -SEVERITY[i.outcome], i.condition.code)
    )
