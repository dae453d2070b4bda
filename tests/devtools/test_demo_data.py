"""The demo seed (manage.py seed_demo): what it promises, made through the services, and idempotent."""

import datetime
import io

import pytest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from audit.models import AuditEvent
from audit.services import verify_chain
from coalitions.models import Coalition, CoalitionStatus, Membership, MembershipRole, MembershipStatus
from compliance.models import ConditionEvaluation
from compliance.spend.figures import COUNTED_STATES, spend_per_agreement
from contracting import guards
from contracting.models import (
    Agreement,
    Application,
    BudgetCeiling,
    ContractingAuthority,
    Kpi,
    Procedure,
    ProcedureStatus,
    Provider,
    ReviewMoment,
    Tariff,
)
from contracting.reference_data import municipalities
from contracting.roles import ADMINISTRATOR, AUDITOR, OFFICER, PROVIDER_USER
from contracting.validators import validate_agb_code, validate_iban, validate_kvk_number
from core import clock
from devtools import demo_data as data
from devtools.management.commands.seed_demo import PROMISED_STATES

pytestmark = pytest.mark.django_db

COUNTED = [
    Provider,
    Tariff,
    Procedure,
    Application,
    Agreement,
    BudgetCeiling,
    Kpi,
    ReviewMoment,
    Coalition,
    Membership,
    AuditEvent,
    ConditionEvaluation,
    get_user_model(),
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for this module, inside a transaction that is rolled back afterwards (uploaded demo
    documents go to a throw-away folder)."""
    out = io.StringIO()
    documents = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("demo-documents"))},
    }
    with (
        override_settings(STORAGES={**settings.STORAGES, "documents": documents}),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_about_sixty_providers_with_valid_identifiers(demo):
    providers = list(Provider.objects.all())

    assert 55 <= len(providers) <= 65
    for provider in providers:
        validate_kvk_number(provider.kvk_number)
        validate_agb_code(provider.agb_code)
        validate_iban(provider.iban)
        assert provider.iban.startswith("NL")
        provider.full_clean()
    assert len({p.kvk_number for p in providers}) == len({p.agb_code for p in providers}) == len(providers)


def test_region_of_real_municipalities(demo):
    known = {row["gm_code"]: row["name"] for row in municipalities()}

    region = ContractingAuthority.objects.get(name=data.REGION_NAME, kind=ContractingAuthority.Kind.REGION)

    members = list(region.members.all())
    assert len(members) == 3
    assert {m.cbs_code: m.name for m in members}.items() <= known.items()
    assert region.lead_municipality.cbs_code == "GM0599"


@pytest.mark.parametrize("model", PROMISED_STATES, ids=lambda m: m.__name__)
def test_every_promised_state_is_present(demo, model):
    present = set(model.objects.values_list("status", flat=True))

    assert PROMISED_STATES[model] <= present


def test_each_active_coalition_has_exactly_one_active_lead(demo):
    coalitions = Coalition.objects.filter(status=CoalitionStatus.ACTIVE)

    assert coalitions.exists()
    for coalition in coalitions:
        leads = coalition.memberships.filter(role=MembershipRole.LEAD, status=MembershipStatus.ACTIVE)
        assert leads.count() == 1


@pytest.mark.parametrize(
    ("username", "group", "staff", "superuser"),
    [
        ("inkoper", OFFICER, True, False),
        ("inkoper2", OFFICER, True, False),
        ("auditor", AUDITOR, True, False),
        ("aanbieder", PROVIDER_USER, False, False),
        ("beheerder", ADMINISTRATOR, True, True),
    ],
)
def test_a_demo_user_per_role(demo, username, group, staff, superuser):
    user = get_user_model().objects.get(username=username)

    assert user.groups.filter(name=group).exists()
    assert (user.is_staff, user.is_superuser) == (staff, superuser)
    assert user.check_password(data.DEMO_PASSWORD)


def test_the_provider_user_acts_for_one_provider(demo):
    user = get_user_model().objects.get(username="aanbieder")

    assert list(user.providers.values_list("name", flat=True)) == [data.PROVIDER_OF_DEMO_USER]


@pytest.mark.parametrize("model", PROMISED_STATES, ids=lambda m: m.__name__)
def test_every_state_was_reached_through_an_audited_transition(demo, model):
    default = model._meta.get_field("status").default
    label = model._meta.label_lower

    for obj in model.objects.exclude(status=default):
        last = (
            AuditEvent.objects.filter(subject_type=label, subject_uuid=obj.uuid)
            .exclude(to_state="")
            .order_by("-id")
            .first()
        )
        assert last is not None, f"{obj} has no audited transition"
        assert last.to_state == obj.status
        # a person, or the scheduled work of the system (e.g. the daily expiry of documents)
        assert last.actor is not None or last.event.endswith(".created") or last.actor_name == "system"


def test_the_audit_trail_is_intact(demo):
    assert AuditEvent.objects.count() > 300
    assert list(verify_chain()) == []


def test_the_refusal_the_demo_shows(demo):
    # given: a procedure whose tariff lies below the reële prijs stays in consultation
    procedure = Procedure.objects.get(status=ProcedureStatus.CONSULTATION)

    # then: the fair-pay guard names it
    codes = {unmet.code for unmet in guards.procedure_tariffs_at_least_real_price(procedure)}
    assert codes == {"tariff_below_real_price"}
    assert "Refused as intended" in demo


def test_agreements_have_ceilings_per_participating_municipality(demo):
    region = ContractingAuthority.objects.get(name=data.REGION_NAME)
    agreement = Agreement.objects.filter(authority=region, status="active").first()

    years = {c.year for c in agreement.budget_ceilings.all()}
    assert years == set(range(agreement.start_date.year, agreement.end_date.year + 1))
    for year in years:
        assert set(agreement.budget_ceilings.filter(year=year).values_list("municipality", flat=True)) == set(
            region.members.values_list("pk", flat=True)
        )
    assert agreement.kpis.exists()
    assert agreement.review_moments.exists()


def test_seeding_twice_adds_nothing(demo):
    before = counts()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert counts() == before
    assert "already present" in out.getvalue()


def test_reset_starts_over_with_the_same_demo(demo):
    before = counts()
    if connection.vendor == "postgresql":  # PostgreSQL cannot TRUNCATE with deferred checks pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    call_command("seed_demo", "--reset", "--no-input", stdout=io.StringIO())

    after = counts()
    assert after == before
    assert list(verify_chain()) == []


def test_providers_in_every_compliance_situation(demo):
    """Issue 3: fully compliant, missing a document, below the reële prijs (above), waived with approval."""
    from compliance.conditions.selectors import latest_evaluations
    from compliance.models import ConditionEvaluation, Waiver

    current = latest_evaluations()
    by_provider: dict[int, set[str]] = {}
    for evaluation in current:
        by_provider.setdefault(evaluation.provider_id, set()).add(evaluation.outcome)
    assert any(outcomes == {"satisfied"} for outcomes in by_provider.values()), "a fully compliant provider"
    assert any(
        e.outcome in ("pending", "violated") and any(r["code"].startswith("document_") for r in e.reasons)
        for e in current
    ), "a provider missing a document"
    waiver = Waiver.objects.get(status="approved")
    assert waiver.decided_by != waiver.requested_by
    assert ConditionEvaluation.objects.filter(subject_uuid=waiver.subject_uuid, outcome="waived").exists()


def test_fraud_signal_under_investigation(demo):
    from compliance.models import DeclarationLine, FraudSignal

    assert DeclarationLine.objects.exists()
    assert FraudSignal.objects.filter(status="investigating").exists()


def test_agreements_with_a_ceiling_have_declared_spend(demo):
    # given the agreements that count for spend, with a ceiling, in force between January last year and
    # the last full month (the months the demo declares)
    today = clock.today()
    first = datetime.date(today.year - 1, 1, 1)
    last = today.replace(day=1) - datetime.timedelta(days=1)
    agreements = list(
        Agreement.objects.filter(
            status__in=COUNTED_STATES,
            budget_ceilings__isnull=False,
            start_date__lte=last,
            end_date__gte=first,
        ).distinct()
    )
    # when
    spend = spend_per_agreement(agreements, first, last)
    # then each has spend, and not all at the same share of its ceiling
    assert agreements
    assert [a.reference for a in agreements if not spend.get(a.pk)] == []
    assert len({spend[a.pk] for a in agreements}) > 1
