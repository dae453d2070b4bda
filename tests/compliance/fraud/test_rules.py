"""The fraud rules on a generated data set: every planted anomaly is found by its rule and nothing fires
for the clean providers; a re-run changes nothing; thresholds come from the authority's settings."""

import datetime
import io

import pytest

from django.core.management import call_command
from django.utils import translation

from audit.models import AuditEvent
from compliance.fraud.engine import fraud_rules_run, parse_period, resolve_settings
from compliance.fraud.rules import CONTRACT_RULE_CODES, RULES
from compliance.fraud.tasks import run_fraud_rules_task
from compliance.models import FraudRuleSetting, FraudSignal, SignalStatus
from core.exceptions import InvalidInput, TransitionForbidden
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import BSN_B, PERIOD, YEAR, load_generated

pytestmark = pytest.mark.django_db

generated = fraud_fixtures.generated
world = fraud_fixtures.world


def found(authority) -> set[tuple[str, str]]:
    return set(FraudSignal.objects.filter(authority=authority).values_list("provider__agb_code", "rule"))


def test_every_planted_anomaly_is_found_by_its_rule_and_nothing_else_fires(generated):
    # given
    _out, manifest = generated
    authority = load_generated(generated)
    # when
    summary = fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1])
    # then
    expected = manifest.expected_signals()
    # one planted anomaly (at least) per rule; the synthetic providers have no agreements, so the contract
    # checks must stay quiet here (tests/compliance/fraud/test_contract_rules.py plants theirs)
    assert {rule for _agb, rule in expected} == set(RULES) - CONTRACT_RULE_CODES
    assert found(authority) == expected
    assert summary.created == len(expected) and summary.rules == list(RULES)
    for signal in FraudSignal.objects.filter(authority=authority):
        assert signal.evidence and signal.explanation and signal.status == SignalStatus.OPEN
        assert signal.severity in ("low", "medium", "high") and signal.first_detected_at is not None


def test_a_rerun_changes_nothing_and_signals_are_stored_in_dutch(generated):
    # given
    authority = load_generated(generated)
    fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1])
    before = list(FraudSignal.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    # when
    summary = fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1])
    # then
    assert (summary.created, summary.updated, summary.withdrawn) == (0, 0, 0)
    assert summary.unchanged == len(before)
    assert list(FraudSignal.objects.order_by("pk").values()) == before
    assert AuditEvent.objects.count() == events
    margin = FraudSignal.objects.get(rule="profit_margin_above_cap")
    assert "winst" in margin.explanation  # stored in the default language (nl)
    with translation.override("en"):
        assert "€" in margin.explanation


def test_clean_data_of_a_provider_raises_nothing(world):
    # given: twelve monthly declarations within an allocation, below its volume
    world.import_allocations([world.allocation(client_bsn=BSN_B, allocation_number="C-1")])
    rows = [
        world.declaration(
            client_bsn=BSN_B,
            allocation_number="C-1",
            period_start=f"{YEAR}-{month:02d}-01",
            period_end=f"{YEAR}-{month:02d}-28",
            volume="10",
        )
        for month in range(1, 13)
    ]
    world.import_declarations(rows)
    # when
    summary = fraud_rules_run(authority=world.authority, period_start=PERIOD[0], period_end=PERIOD[1])
    # then
    assert summary.created == 0 and not FraudSignal.objects.exists()


def test_declarations_outside_the_allocation_raise_a_signal_with_evidence(world):
    world.import_allocations(
        [world.allocation(client_bsn=BSN_B, allocation_number="C-1", period_end=f"{YEAR}-03-31")]
    )
    rows = [
        world.declaration(
            client_bsn=BSN_B,
            allocation_number="C-1" if month != 8 else "",
            period_start=f"{YEAR}-{month:02d}-01",
            period_end=f"{YEAR}-{month:02d}-28",
        )
        for month in range(1, 9)
    ]
    world.import_declarations(rows)

    fraud_rules_run(authority=world.authority, period_start=PERIOD[0], period_end=PERIOD[1])

    signal = FraudSignal.objects.get(rule="declared_outside_allocation")
    assert signal.provider == world.provider
    assert (signal.evidence["linesOutsidePeriod"], signal.evidence["linesWithoutAllocation"]) == (4, 1)
    assert signal.evidence["linesChecked"] == 8 and float(signal.score) == 62.5


def test_thresholds_come_from_the_authoritys_setting_and_a_disabled_rule_does_not_run(generated):
    # given
    authority = load_generated(generated)
    fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1])
    margin = FraudSignal.objects.get(rule="profit_margin_above_cap")
    # when: this authority allows 20 % profit; the default setting for all switches WNT off
    FraudRuleSetting.objects.create(
        authority=authority, rule="profit_margin_above_cap", thresholds={"max_margin_pct": 20}
    )
    FraudRuleSetting.objects.create(authority=None, rule="executive_pay_above_wnt", enabled=False)
    summary = fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1])
    # then: the open signal the data no longer supports is withdrawn (audited); WNT is left as it was
    assert summary.withdrawn == 1 and "executive_pay_above_wnt" not in summary.rules
    assert not FraudSignal.objects.filter(pk=margin.pk).exists()
    assert AuditEvent.objects.filter(event="fraudsignal.withdrawn", subject_uuid=margin.uuid).exists()
    assert FraudSignal.objects.filter(rule="executive_pay_above_wnt").count() == 1
    enabled, params = resolve_settings(authority.pk)["profit_margin_above_cap"]
    assert enabled and params == {"max_margin_pct": 20.0, "max_figures_age_years": 1}


def test_decided_signals_are_never_changed_by_a_run(generated):
    # given
    authority = load_generated(generated)
    fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1])
    dismissed = FraudSignal.objects.get(rule="low_wage_ratio")
    FraudSignal.objects.filter(pk=dismissed.pk).update(
        status="dismissed", dismissal_reason="Verklaard", score=1
    )
    investigated = FraudSignal.objects.get(rule="profit_margin_above_cap")
    FraudSignal.objects.filter(pk=investigated.pk).update(status="investigating")
    FraudRuleSetting.objects.create(
        authority=None, rule="profit_margin_above_cap", thresholds={"max_margin_pct": 50}
    )
    # when
    fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1])
    # then: a dismissed signal keeps its numbers; one under investigation is not withdrawn
    dismissed.refresh_from_db()
    assert (dismissed.status, float(dismissed.score)) == ("dismissed", 1.0)
    assert FraudSignal.objects.filter(pk=investigated.pk, status="investigating").exists()


def test_the_command_and_the_task_run_the_rules(generated, officer, auditor):
    authority = load_generated(generated)
    out = io.StringIO()

    call_command(
        "run_fraud_rules", "--period", f"{YEAR}-01..{YEAR}-12", "--authority", str(authority.uuid), stdout=out
    )

    assert f"{len(found(authority))} new" in out.getvalue()
    call_command("run_fraud_rules", "--period", str(YEAR), "--background", stdout=out)  # immediate backend
    assert "enqueued" in out.getvalue()
    result = run_fraud_rules_task.enqueue(
        authority_id=authority.pk, period_start=f"{YEAR}-01-01", period_end=f"{YEAR}-12-31"
    )
    assert result.return_value == {"created": 0, "updated": 0, "withdrawn": 0}
    with pytest.raises(TransitionForbidden):
        fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1], actor=auditor)
    fraud_rules_run(authority=authority, period_start=PERIOD[0], period_end=PERIOD[1], actor=officer)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01..2025-12", (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))),
        ("2024-02..2024-02", (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))),
        ("2025-01-15..2025-03-31", (datetime.date(2025, 1, 15), datetime.date(2025, 3, 31))),
        ("2025", (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))),
    ],
)
def test_periods_are_parsed(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["2025-13..2025-12", "2025-06..2025-01", "last year"])
def test_bad_periods_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_period(text)
