"""Invariants of the pure evaluation function, checked over generated facts (hypothesis)."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from compliance.conditions.engine import (
    OUTCOMES,
    SATISFIED,
    WAIVED,
    DeclarationFact,
    DocumentFact,
    Facts,
    JudgementFact,
    MetricFact,
    Spec,
    WaiverFact,
    evaluate,
)

MOMENT = datetime.date(2026, 6, 15)
dates = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 12, 31))
uuids = st.uuids().map(str)
TYPES = ("anti_discrimination_policy", "complaints_procedure")

documents = st.builds(
    DocumentFact,
    uuid=uuids,
    type_code=st.sampled_from(TYPES),
    status=st.sampled_from(["requested", "submitted", "in_review", "accepted", "rejected", "expired"]),
    valid_from=st.none() | dates,
    valid_until=st.none() | dates,
)
declarations = st.builds(DeclarationFact, uuid=uuids, signed_on=dates, valid_until=st.none() | dates)
judgements = st.builds(
    JudgementFact,
    uuid=uuids,
    verdict=st.sampled_from(["satisfied", "violated"]),
    judged_on=dates,
    valid_until=st.none() | dates,
)
unapproved_waivers = st.builds(
    WaiverFact,
    uuid=uuids,
    status=st.sampled_from(["pending", "rejected"]),
    decided_on=st.none() | dates,
    valid_until=dates,
)
specs = st.one_of(
    st.builds(
        Spec,
        code=st.just("c"),
        title=st.just("C"),
        method=st.just("documents"),
        document_types=st.sampled_from([(TYPES[0],), TYPES]),
    ),
    st.builds(
        Spec,
        code=st.just("c"),
        title=st.just("C"),
        method=st.just("declaration"),
        validity_months=st.none() | st.integers(1, 36),
        document_types=st.sampled_from([(), (TYPES[0],)]),
    ),
    st.builds(
        Spec,
        code=st.just("c"),
        title=st.just("C"),
        method=st.just("judgement"),
        validity_months=st.none() | st.integers(1, 36),
    ),
    st.builds(
        Spec,
        code=st.just("c"),
        title=st.just("C"),
        method=st.just("metric"),
        metric=st.just("m"),
        comparison=st.sampled_from(["gte", "lte"]),
        threshold=st.decimals(0, 100, places=3),
    ),
)
metrics = st.none() | st.builds(MetricFact, value=st.none() | st.decimals(0, 100, places=3))
facts = st.builds(
    Facts,
    documents=st.lists(documents, max_size=4).map(tuple),
    declarations=st.lists(declarations, max_size=3).map(tuple),
    judgements=st.lists(judgements, max_size=3).map(tuple),
    waivers=st.lists(unapproved_waivers, max_size=2).map(tuple),
    metric=metrics,
)


@given(specs, facts)
def test_outcome_is_always_one_of_the_four_with_reasons_or_evidence(spec, fact):
    result = evaluate(spec, fact, MOMENT)
    assert result.outcome in OUTCOMES
    if result.outcome == SATISFIED:
        assert result.evidence, "a satisfied condition names its evidence"
    else:
        assert result.reasons, "an unmet condition says why"


@given(specs, facts)
def test_a_waiver_without_approval_never_counts(spec, fact):
    without = Facts(fact.documents, fact.declarations, fact.judgements, (), fact.metric)
    assert evaluate(spec, fact, MOMENT) == evaluate(spec, without, MOMENT)
    assert evaluate(spec, fact, MOMENT).outcome != WAIVED


@given(specs, facts, st.integers(0, 365))
def test_an_approved_waiver_in_force_counts(spec, fact, days_left):
    waiver = WaiverFact(
        "w", "approved", MOMENT - datetime.timedelta(days=1), MOMENT + datetime.timedelta(days_left)
    )
    result = evaluate(
        spec, Facts(fact.documents, fact.declarations, fact.judgements, (waiver,), fact.metric), MOMENT
    )
    assert result.outcome == WAIVED and result.counts


@given(specs, facts)
def test_an_expired_waiver_does_not_count(spec, fact):
    waiver = WaiverFact(
        "w", "approved", MOMENT - datetime.timedelta(days=100), MOMENT - datetime.timedelta(days=1)
    )
    result = evaluate(
        spec, Facts(fact.documents, fact.declarations, fact.judgements, (waiver,), fact.metric), MOMENT
    )
    assert result.outcome != WAIVED


@given(st.lists(documents, max_size=6).map(tuple))
def test_expired_evidence_never_satisfies(docs):
    # given documents none of which is in force at the moment
    lapsed = tuple(
        d
        for d in docs
        if d.status == "expired"
        or (d.valid_until is not None and d.valid_until < MOMENT)
        or d.valid_from is None
        or d.valid_from > MOMENT
        or d.status != "accepted"
    )
    spec = Spec("c", "C", "documents", document_types=TYPES)
    # then
    assert evaluate(spec, Facts(documents=lapsed), MOMENT).outcome != SATISFIED


@given(st.lists(declarations, max_size=4).map(tuple), st.integers(1, 36))
def test_a_declaration_older_than_its_validity_never_satisfies(decls, months):
    from core.dates import add_months

    old = tuple(d for d in decls if add_months(d.signed_on, months) < MOMENT or d.signed_on > MOMENT)
    spec = Spec("c", "C", "declaration", validity_months=months)
    assert evaluate(spec, Facts(declarations=old), MOMENT).outcome != SATISFIED


@given(st.decimals(0, 10, places=3), st.decimals(0, 10, places=3))
def test_metric_compares_with_its_threshold(value, threshold):
    at_least = Spec("c", "C", "metric", metric="m", comparison="gte", threshold=threshold)
    at_most = Spec("c", "C", "metric", metric="m", comparison="lte", threshold=threshold)
    fact = Facts(metric=MetricFact(value))
    assert (evaluate(at_least, fact, MOMENT).outcome == SATISFIED) == (value >= threshold)
    assert (evaluate(at_most, fact, MOMENT).outcome == SATISFIED) == (value <= threshold)


def test_missing_metric_is_pending():
    spec = Spec("c", "C", "metric", metric="m", comparison="gte", threshold=Decimal(1))
    assert evaluate(spec, Facts(metric=MetricFact(None, missing_reason="x")), MOMENT).outcome == "pending"
