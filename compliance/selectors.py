"""Reads of the compliance app: the compliance matrix and a provider's 'what is missing' list."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from .models import Condition, ConditionEvaluation, EvaluationOutcome

# Severity order when one provider has several subjects for the same condition: the worst counts.
SEVERITY = {
    EvaluationOutcome.VIOLATED: 3,
    EvaluationOutcome.PENDING: 2,
    EvaluationOutcome.WAIVED: 1,
    EvaluationOutcome.SATISFIED: 0,
}


def latest_evaluations(provider_ids: list[int] | None = None) -> list[ConditionEvaluation]:
    """The current evaluation per (condition, subject, provider): two queries whatever the history size."""
    newest = ConditionEvaluation.objects.values("condition_id", "subject_uuid", "provider_id").annotate(
        last=Max("id")
    )
    if provider_ids is not None:
        newest = newest.filter(provider_id__in=provider_ids)
    return list(
        ConditionEvaluation.objects.filter(id__in=[row["last"] for row in newest]).select_related(
            "condition", "provider"
        )
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
