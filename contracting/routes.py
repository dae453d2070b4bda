"""The rules of each procurement route, in one place per route: when a procedure accepts applications,
the term an admission's agreement gets, and which reasoning of the assessment the provider is shown.

- **Bestuurlijk aanbesteden** (administrative procurement): applications while the procedure is open and,
  when it has one, until its application deadline; every admitted provider joins on the agreed terms from
  the intended start.
- **Open house** (toelatingsprocedure): every provider that meets the conditions is admitted *during the
  whole term* (PIANOo condition 4; CJEU C-410/14 Falk Pharma): applications are accepted while the
  procedure is open or assessing, whatever its application deadline, until the common end of the term.
  A later admission gets an agreement on the same terms and the same end date, starting on the first of
  the month after its admission (never in the past).
- **Light-regime tender** (sociale en andere specifieke diensten, Aanbestedingswet 2012): applications until
  the deadline; the decision states the reasons of every step (art. 2.130 Aw).
- **Subsidy** (Awb title 4.2): applications until the deadline; a decision (beschikking) states its
  reasons (art. 3:46 Awb), so every step's reasoning is shown.

Services, guards, selectors and the portal ask these functions; nothing else looks at ``procedure.route``.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from contracting.models import ProcedureStatus, Route
from core.dates import add_months


@dataclass(frozen=True)
class RouteRules:
    #: applications are accepted during the whole term, not only until applications close
    admits_during_term: bool
    #: the provider sees the reasoning of every assessment step (else only of the steps not passed)
    reasons_every_step: bool


RULES: dict[str, RouteRules] = {
    Route.ADMINISTRATIVE: RouteRules(admits_during_term=False, reasons_every_step=False),
    Route.OPEN_HOUSE: RouteRules(admits_during_term=True, reasons_every_step=False),
    Route.LIGHT_REGIME: RouteRules(admits_during_term=False, reasons_every_step=True),
    Route.SUBSIDY: RouteRules(admits_during_term=False, reasons_every_step=True),
}


def rules_of(procedure: Any) -> RouteRules:
    return RULES[procedure.route]


def term_end(procedure: Any) -> datetime.date:
    """The common last day of the agreements of a procedure (its term)."""
    return add_months(procedure.contract_start, procedure.term_months) - datetime.timedelta(days=1)


def accepts_applications(procedure: Any, *, day: datetime.date) -> bool:
    """Whether a provider can apply to (or submit an application for) ``procedure`` on ``day``."""
    if rules_of(procedure).admits_during_term:
        start, end = agreement_term(procedure, day=day)
        return procedure.status in (ProcedureStatus.OPEN, ProcedureStatus.ASSESSING) and start < end
    if procedure.status != ProcedureStatus.OPEN:
        return False
    return procedure.application_deadline is None or day <= procedure.application_deadline


def applications_close_on(procedure: Any) -> datetime.date | None:
    """The last day on which applications are accepted (as far as dates go), or None if no date is set."""
    if rules_of(procedure).admits_during_term:
        # an admission's agreement starts on the first of the next month, before the common end
        end = term_end(procedure)
        last_start = end.replace(day=1) if end.day > 1 else add_months(end, -1)
        return last_start - datetime.timedelta(days=1)
    return procedure.application_deadline


def agreement_term(procedure: Any, *, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(start, end) of the agreement that an admission on ``day`` creates."""
    start = procedure.contract_start
    if rules_of(procedure).admits_during_term and day >= start:
        start = max(start, add_months(day.replace(day=1), 1))
    return start, term_end(procedure)


def shows_reasoning(procedure: Any, *, passed: bool) -> bool:
    """Whether the provider is shown the officer's reasoning of an assessment step with this outcome."""
    return not passed or rules_of(procedure).reasons_every_step


def accepts_questions(procedure: Any, *, day: datetime.date) -> bool:
    """Whether a provider can ask a question about ``procedure`` on ``day`` (nota van inlichtingen): while
    the procedure accepts applications and, when the procedure has one, until its question deadline."""
    if not accepts_applications(procedure, day=day):
        return False
    return procedure.question_deadline is None or day <= procedure.question_deadline


def questions_close_on(procedure: Any) -> datetime.date | None:
    """The last day on which questions are accepted (as far as dates go), or None if no date is set."""
    closes = [d for d in (procedure.question_deadline, applications_close_on(procedure)) if d is not None]
    return min(closes) if closes else None
