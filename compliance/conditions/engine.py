"""The decision: a pure function that says whether one condition holds for one provider in one
subject at one moment, from facts gathered beforehand (compliance.conditions.facts). No database, no clock:
everything it needs is in its arguments, so it can be tested exhaustively (tests/compliance/
test_engine_properties.py)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core import formatting
from core.dates import add_months

SATISFIED, VIOLATED, PENDING, WAIVED = "satisfied", "violated", "pending", "waived"
OUTCOMES = (SATISFIED, VIOLATED, PENDING, WAIVED)


@dataclass(frozen=True)
class Spec:
    """What the engine needs to know of a Condition."""

    code: str
    title: str
    method: str  # documents | declaration | metric | judgement
    document_types: tuple[str, ...] = ()
    metric: str = ""
    comparison: str = ""  # gte | lte
    threshold: Decimal | None = None
    validity_months: int | None = None
    #: (code, name) of the document types, so that a reason names a type the way a reader knows it
    document_type_names: tuple[tuple[str, str], ...] = ()

    def document_type_name(self, code: str) -> str:
        return dict(self.document_type_names).get(code) or code


@dataclass(frozen=True)
class DocumentFact:
    uuid: str
    type_code: str
    status: str  # requested | submitted | in_review | accepted | rejected | expired
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    sha256: str = ""
    updated: datetime.date | None = None


@dataclass(frozen=True)
class DeclarationFact:
    uuid: str
    signed_on: datetime.date
    valid_until: datetime.date | None


@dataclass(frozen=True)
class JudgementFact:
    uuid: str
    verdict: str  # satisfied | violated
    judged_on: datetime.date
    valid_until: datetime.date | None


@dataclass(frozen=True)
class WaiverFact:
    uuid: str
    status: str  # pending | approved | rejected
    decided_on: datetime.date | None
    valid_until: datetime.date


@dataclass(frozen=True)
class MetricFact:
    value: Decimal | None
    evidence: dict = field(default_factory=dict)
    missing_reason: str = ""


@dataclass(frozen=True)
class Facts:
    documents: tuple[DocumentFact, ...] = ()
    declarations: tuple[DeclarationFact, ...] = ()
    judgements: tuple[JudgementFact, ...] = ()
    waivers: tuple[WaiverFact, ...] = ()
    metric: MetricFact | None = None


@dataclass(frozen=True)
class Result:
    outcome: str
    reasons: tuple[dict, ...]
    evidence: tuple[dict, ...]

    @property
    def counts(self) -> bool:
        """A guard lets the subject through when the condition is satisfied or validly waived."""
        return self.outcome in (SATISFIED, WAIVED)


def _reason(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _in_force(start: datetime.date | None, until: datetime.date | None, moment: datetime.date) -> bool:
    return start is not None and start <= moment and (until is None or moment <= until)


def _capped(start: datetime.date, until: datetime.date | None, months: int | None) -> datetime.date | None:
    """The end of validity: its own end date, capped by the condition's validity period."""
    if months is None:
        return until
    cap = add_months(start, months)
    return cap if until is None else min(until, cap)


def valid_waiver(waivers: tuple[WaiverFact, ...], moment: datetime.date) -> WaiverFact | None:
    for waiver in waivers:
        if waiver.status == "approved" and _in_force(waiver.decided_on, waiver.valid_until, moment):
            return waiver
    return None


def evaluate(spec: Spec, facts: Facts, moment: datetime.date) -> Result:
    waiver = valid_waiver(facts.waivers, moment)
    if waiver is not None:
        return Result(
            WAIVED,
            (
                _reason(
                    "waived",
                    _("Waived until %(date)s.") % {"date": formatting.date_short(waiver.valid_until)},
                ),
            ),
            ({"kind": "waiver", "uuid": waiver.uuid, "validUntil": waiver.valid_until.isoformat()},),
        )
    decide = {
        "documents": _by_documents,
        "declaration": _by_declaration,
        "metric": _by_metric,
        "judgement": _by_judgement,
    }[spec.method]
    return decide(spec, facts, moment)


def _by_documents(spec: Spec, facts: Facts, moment: datetime.date) -> Result:
    outcomes, reasons, evidence = [], [], []
    for type_code in spec.document_types:
        docs = [d for d in facts.documents if d.type_code == type_code]
        valid = [d for d in docs if d.status == "accepted" and _in_force(d.valid_from, d.valid_until, moment)]
        if valid:
            best = max(valid, key=lambda d: (d.valid_until or datetime.date.max, d.uuid))
            outcomes.append(SATISFIED)
            evidence.append(
                {
                    "kind": "document",
                    "uuid": best.uuid,
                    "type": type_code,
                    "sha256": best.sha256,
                    "validUntil": best.valid_until.isoformat() if best.valid_until else None,
                }
            )
            continue
        in_progress = [d for d in docs if d.status in ("requested", "submitted", "in_review")]
        rejected = [d for d in docs if d.status == "rejected"]
        lapsed = [d for d in docs if d.status in ("accepted", "expired")]
        if in_progress:
            outcomes.append(PENDING)
            reasons.append(
                _reason(
                    "document_in_progress",
                    _("Document '%(type)s' is awaited or under review.")
                    % {"type": spec.document_type_name(type_code)},
                )
            )
        elif rejected:
            outcomes.append(VIOLATED)
            reasons.append(
                _reason(
                    "document_rejected",
                    _("Document '%(type)s' was rejected and no valid one was accepted.")
                    % {"type": spec.document_type_name(type_code)},
                )
            )
        elif lapsed:
            outcomes.append(VIOLATED)
            reasons.append(
                _reason(
                    "document_expired",
                    _("Document '%(type)s' is no longer valid.")
                    % {"type": spec.document_type_name(type_code)},
                )
            )
        else:
            outcomes.append(PENDING)
            reasons.append(
                _reason(
                    "document_missing",
                    _("Document '%(type)s' has not been delivered.")
                    % {"type": spec.document_type_name(type_code)},
                )
            )
    if not spec.document_types:
        return Result(
            PENDING, (_reason("no_document_types", _("No evidence document types are configured.")),), ()
        )
    if VIOLATED in outcomes:
        outcome = VIOLATED
    elif PENDING in outcomes:
        outcome = PENDING
    else:
        outcome = SATISFIED
    return Result(outcome, tuple(reasons), tuple(evidence))


def _by_declaration(spec: Spec, facts: Facts, moment: datetime.date) -> Result:
    """A signed declaration in force; when document types are configured, also their evidence."""
    declared = _declared(spec, facts, moment)
    if not spec.document_types or declared.outcome != SATISFIED:
        return declared
    documents = _by_documents(spec, facts, moment)
    return Result(documents.outcome, documents.reasons, declared.evidence + documents.evidence)


def _declared(spec: Spec, facts: Facts, moment: datetime.date) -> Result:
    valid = [
        d
        for d in facts.declarations
        if _in_force(d.signed_on, _capped(d.signed_on, d.valid_until, spec.validity_months), moment)
    ]
    if valid:
        best = max(valid, key=lambda d: (d.signed_on, d.uuid))
        return Result(
            SATISFIED,
            (),
            ({"kind": "declaration", "uuid": best.uuid, "signedOn": best.signed_on.isoformat()},),
        )
    if any(d.signed_on <= moment for d in facts.declarations):
        return Result(
            VIOLATED, (_reason("declaration_expired", _("The signed declaration has expired.")),), ()
        )
    return Result(
        PENDING, (_reason("declaration_missing", _("No signed declaration has been received.")),), ()
    )


def _by_judgement(spec: Spec, facts: Facts, moment: datetime.date) -> Result:
    current = [
        j
        for j in facts.judgements
        if _in_force(j.judged_on, _capped(j.judged_on, j.valid_until, spec.validity_months), moment)
    ]
    if not current:
        return Result(PENDING, (_reason("judgement_missing", _("No current judgement of an officer.")),), ())
    latest = max(current, key=lambda j: (j.judged_on, j.uuid))
    evidence = ({"kind": "judgement", "uuid": latest.uuid, "judgedOn": latest.judged_on.isoformat()},)
    if latest.verdict == SATISFIED:
        return Result(SATISFIED, (), evidence)
    return Result(
        VIOLATED, (_reason("judged_violated", _("An officer judged this condition violated.")),), evidence
    )


def _by_metric(spec: Spec, facts: Facts, moment: datetime.date) -> Result:
    metric = facts.metric
    if metric is None or metric.value is None:
        reason = (metric.missing_reason if metric else "") or _(
            "The figures needed for this metric are missing."
        )
        return Result(PENDING, (_reason("metric_missing", reason),), ())
    evidence = (
        {
            "kind": "metric",
            "metric": spec.metric,
            "value": str(metric.value),
            "threshold": str(spec.threshold),
            **metric.evidence,
        },
    )
    ok = metric.value >= spec.threshold if spec.comparison == "gte" else metric.value <= spec.threshold
    if ok:
        return Result(SATISFIED, (), evidence)
    return Result(
        VIOLATED,
        (
            _reason(
                "threshold_not_met",
                _("%(value)s is not %(comparison)s %(threshold)s.")
                % {
                    "value": formatting.number(metric.value),
                    "threshold": formatting.number(spec.threshold),
                    "comparison": _("at least") if spec.comparison == "gte" else _("at most"),
                },
            ),
        ),
        evidence,
    )
