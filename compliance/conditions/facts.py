"""Gathers, per subject and provider, the facts the engine decides on (a few queries per subject,
whatever the number of conditions)."""

import datetime
from collections import defaultdict
from typing import Any

from compliance.conditions.engine import DeclarationFact, DocumentFact, Facts, JudgementFact, Spec, WaiverFact
from compliance.conditions.metrics import METRICS
from compliance.conditions.subjects import subject_kind
from compliance.models import (
    AccountabilityDocument,
    Condition,
    DecisionMethod,
    OfficerJudgement,
    ProviderDeclaration,
    Waiver,
)


def spec_of(condition: Condition) -> Spec:
    return Spec(
        code=condition.code,
        title=condition.title,
        method=condition.method,
        document_types=tuple(sorted(t.code for t in condition.document_types.all())),
        document_type_names=tuple(sorted((t.code, t.name) for t in condition.document_types.all())),
        metric=condition.metric,
        comparison=condition.comparison,
        threshold=condition.threshold,
        validity_months=condition.validity_months,
    )


def gather(
    subject: Any, provider: Any, conditions: list[Condition], moment: datetime.date
) -> dict[int, Facts]:
    """Facts per condition pk for one provider in one subject, as known now, judged at ``moment``."""
    type_codes = {t.code for c in conditions for t in c.document_types.all()}
    documents = tuple(
        DocumentFact(
            uuid=str(d.uuid),
            type_code=d.document_type.code,
            status=d.status,
            valid_from=d.valid_from,
            valid_until=d.valid_until,
            sha256=d.sha256,
        )
        for d in AccountabilityDocument.objects.filter(
            provider=provider, document_type__code__in=type_codes
        ).select_related("document_type")
    )
    condition_ids = [c.pk for c in conditions]
    declarations, judgements, waivers = defaultdict(list), defaultdict(list), defaultdict(list)
    for d in ProviderDeclaration.objects.filter(provider=provider, condition__in=condition_ids):
        declarations[d.condition_id].append(DeclarationFact(str(d.uuid), d.signed_on, d.valid_until))
    for j in OfficerJudgement.objects.filter(provider=provider, condition__in=condition_ids):
        judgements[j.condition_id].append(JudgementFact(str(j.uuid), j.verdict, j.judged_on, j.valid_until))
    for w in Waiver.objects.filter(
        subject_type=subject_kind(subject),
        subject_uuid=subject.uuid,
        provider=provider,
        condition__in=condition_ids,
    ):
        decided_on = w.decided_at.date() if w.decided_at else None
        waivers[w.condition_id].append(WaiverFact(str(w.uuid), w.status, decided_on, w.valid_until))

    facts = {}
    for condition in conditions:
        metric = None
        if condition.method == DecisionMethod.METRIC:
            metric = METRICS[condition.metric](subject, provider, moment)
        wanted = {t.code for t in condition.document_types.all()}
        facts[condition.pk] = Facts(
            documents=tuple(d for d in documents if d.type_code in wanted),
            declarations=tuple(declarations[condition.pk]),
            judgements=tuple(judgements[condition.pk]),
            waivers=tuple(waivers[condition.pk]),
            metric=metric,
        )
    return facts
