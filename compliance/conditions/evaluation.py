"""Evaluating conditions without writing: facts gathered from the database, decided by the pure engine.
Guards call this (they decide and never write); services store what it returns."""

import datetime
from dataclasses import dataclass
from typing import Any

from compliance.conditions import engine
from compliance.conditions.facts import gather, spec_of
from compliance.conditions.subjects import effective_conditions, subject_providers
from compliance.models import Condition
from core import clock


@dataclass(frozen=True)
class Evaluated:
    condition: Condition
    provider: Any
    result: engine.Result


def evaluations_compute(*, subject: Any, moment: datetime.date | None = None) -> list[Evaluated]:
    """Every condition that applies to ``subject``, decided for each of its providers on ``moment``
    (today by default). Reads only."""
    moment = moment or clock.today()
    conditions = effective_conditions(subject)
    results: list[Evaluated] = []
    for provider in subject_providers(subject):
        facts = gather(subject, provider, conditions, moment)
        for condition in conditions:
            results.append(
                Evaluated(
                    condition, provider, engine.evaluate(spec_of(condition), facts[condition.pk], moment)
                )
            )
    return results
