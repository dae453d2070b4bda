"""Requested documents come from the requirements: per provider, type and period, once, idempotently;
overdue past the due date while owed; renewals when an accepted one-off document lapses."""

import datetime

import pytest

from audit.selectors import events_for
from compliance.documents import periods
from compliance.documents.services import document_generate_requests
from compliance.models import (
    AccountabilityDocument,
    Condition,
    DocumentRequirement,
    DocumentStatus,
    DocumentType,
)
from core import clock
from tests import factories
from tests.compliance.factories import DocumentFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_clock():
    """Requests depend on the day: every test here runs on TODAY, whatever the real date."""
    with clock.travel(TODAY, tick=False):
        yield


def doc_type(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)


def agreement_with_condition(code: str, **kwargs):
    procedure = factories.ProcedureFactory(concluded=True)
    factories.require(procedure, code)
    return factories.AgreementFactory(
        procedure=procedure,
        authority=procedure.authority,
        active=True,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2029, 12, 31),
        **kwargs,
    )


def condition_requirement(code: str = "anti_discrimination_policy", **kwargs) -> DocumentRequirement:
    condition = Condition.objects.get(code=code)
    defaults = {
        "document_type": condition.document_types.first(),
        "condition": condition,
        "recurrence": "once",
        "due_days": 30,
        "starts_on": datetime.date(2025, 1, 1),
    }
    return DocumentRequirement.objects.create(**{**defaults, **kwargs})


def test_a_condition_asks_every_provider_bound_by_it_once():
    # given: two providers with agreements whose condition set contains the condition
    first = agreement_with_condition("anti_discrimination_policy")
    second = agreement_with_condition("anti_discrimination_policy")
    agreement_with_condition("meldcode")  # a provider not bound by it
    requirement = condition_requirement()
    # when
    created = document_generate_requests(today=TODAY)
    # then
    documents = AccountabilityDocument.objects.order_by("provider_id")
    assert created == 2
    assert [d.provider_id for d in documents] == [first.provider_id, second.provider_id]
    assert {d.status for d in documents} == {DocumentStatus.REQUESTED}
    assert documents[0].due_date == datetime.date(2025, 1, 31)  # 30 days after the agreement started
    assert list(documents[0].requirements.all()) == [requirement]
    assert [e.event for e in events_for(documents[0])] == ["accountabilitydocument.requested"]


def test_generation_is_idempotent():
    agreement_with_condition("anti_discrimination_policy")
    condition_requirement()
    assert document_generate_requests(today=TODAY) == 1
    assert document_generate_requests(today=TODAY) == 0
    assert AccountabilityDocument.objects.count() == 1


def test_deliver_once_across_authorities_agreements_and_memberships():
    # given: one provider, bound through two authorities' agreements and a coalition membership, by a
    # condition requirement and by a requirement of one of the procedures
    first = agreement_with_condition("anti_discrimination_policy")
    second = agreement_with_condition("anti_discrimination_policy", provider=first.provider)
    membership = factories.MembershipFactory(provider=first.provider, active=True)
    factories.require(membership.coalition, "anti_discrimination_policy")
    by_condition = condition_requirement()
    by_procedure = DocumentRequirement.objects.create(
        document_type=doc_type("anti_discrimination_policy"),
        procedure=second.procedure,
        recurrence="once",
        due_days=10,
        starts_on=datetime.date(2025, 1, 1),
    )
    # when
    document_generate_requests(today=TODAY)
    # then: one document, linked to both requirements, due at the earliest due date
    document = AccountabilityDocument.objects.get()
    assert set(document.requirements.all()) == {by_condition, by_procedure}
    assert document.due_date == datetime.date(2025, 1, 11)


def test_an_accepted_document_means_the_provider_is_not_asked_again():
    agreement = agreement_with_condition("anti_discrimination_policy")
    DocumentFactory(provider=agreement.provider, accepted=True)  # delivered earlier, still valid
    condition_requirement()
    assert document_generate_requests(today=clock.today()) == 0


def test_a_lapsing_one_off_document_is_requested_again_before_it_expires():
    # given: accepted, valid until 40 days from now; requested 60 days before that
    agreement = agreement_with_condition("anti_discrimination_policy")
    today = clock.today()
    old = DocumentFactory(
        provider=agreement.provider, accepted=True, valid_until=today + datetime.timedelta(days=40)
    )
    condition_requirement(notice_days=60)
    # when
    document_generate_requests(today=today)
    # then
    renewal = AccountabilityDocument.objects.exclude(pk=old.pk).get()
    assert renewal.period_key == f"renew-{old.valid_until.isoformat()}"
    assert renewal.due_date == old.valid_until
    assert document_generate_requests(today=today) == 0


def test_yearly_documents_are_requested_per_period_once_the_notice_period_starts():
    # given: annual accounts due on 1 June after each year, requested 60 days before
    agreement = agreement_with_condition("anti_discrimination_policy")
    DocumentRequirement.objects.create(
        document_type=doc_type("annual_accounts"),
        agreement=agreement,
        recurrence="yearly",
        due_rule="fixed_date",
        due_day=1,
        due_month=6,
        notice_days=60,
        starts_on=datetime.date(2025, 1, 1),
    )
    # when: on 23 November 2026 the 2025 accounts (due 1 June 2026) are requested, 2026 not yet
    document_generate_requests(today=TODAY)
    # then
    document = AccountabilityDocument.objects.get()
    assert (document.period_key, document.due_date) == ("2025", datetime.date(2026, 6, 1))
    assert (document.period_start, document.period_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    # and in April 2027 the 2026 accounts are
    document_generate_requests(today=datetime.date(2027, 4, 5))
    assert sorted(AccountabilityDocument.objects.values_list("period_key", flat=True)) == ["2025", "2026"]


def test_quarterly_documents_follow_the_quarters():
    agreement = agreement_with_condition("anti_discrimination_policy")
    DocumentRequirement.objects.create(
        document_type=doc_type("production_report"),
        agreement=agreement,
        recurrence="quarterly",
        due_days=30,
        notice_days=45,
        starts_on=datetime.date(2026, 4, 1),
    )
    document_generate_requests(today=TODAY)
    keys = sorted(AccountabilityDocument.objects.values_list("period_key", "due_date"))
    # Q4 is due on 30 January 2027: requested from 16 December, not yet on 23 November
    assert keys == [("2026-Q2", datetime.date(2026, 7, 30)), ("2026-Q3", datetime.date(2026, 10, 30))]


def test_signed_agreements_are_asked_per_agreement():
    first = agreement_with_condition("anti_discrimination_policy")
    second = agreement_with_condition("anti_discrimination_policy", provider=first.provider)
    for agreement in (first, second):
        DocumentRequirement.objects.create(
            document_type=doc_type("signed_agreement"), agreement=agreement, recurrence="once", due_days=14
        )
    document_generate_requests(today=TODAY)
    documents = AccountabilityDocument.objects.order_by("agreement_id")
    assert [d.agreement_id for d in documents] == [first.pk, second.pk]


def test_ended_agreements_and_inactive_requirements_ask_nothing():
    agreement = agreement_with_condition("anti_discrimination_policy")
    condition_requirement(is_active=False)
    assert document_generate_requests(today=TODAY) == 0
    DocumentRequirement.objects.update(is_active=True)
    from contracting.models import Agreement

    Agreement.objects.filter(pk=agreement.pk).update(status="ended")
    assert document_generate_requests(today=TODAY) == 0


def test_overdue_is_past_the_due_date_while_owed():
    today = clock.today()
    late = DocumentFactory(status=DocumentStatus.REQUESTED, due_date=today - datetime.timedelta(days=1))
    rejected_late = DocumentFactory(rejected=True, due_date=today - datetime.timedelta(days=1))
    DocumentFactory(status=DocumentStatus.REQUESTED, due_date=today)  # due today: not yet
    DocumentFactory(
        status=DocumentStatus.SUBMITTED, due_date=today - datetime.timedelta(days=5)
    )  # officer's turn
    DocumentFactory(accepted=True, due_date=today - datetime.timedelta(days=5))
    assert set(AccountabilityDocument.objects.overdue(today)) == {late, rejected_late}
    assert late.is_overdue(today) and not AccountabilityDocument(due_date=today).is_overdue(today)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"validity_months": 36, "issued_on": None, "period_end": None}, datetime.date(2029, 11, 22)),
        (
            {"validity_months": 6, "issued_on": datetime.date(2026, 10, 1), "period_end": None},
            datetime.date(2027, 3, 31),
        ),
        (
            {"validity_months": None, "issued_on": None, "period_end": datetime.date(2026, 12, 31)},
            datetime.date(2026, 12, 31),
        ),
        ({"validity_months": None, "issued_on": None, "period_end": None}, None),
    ],
)
def test_validity_of_an_accepted_document(kwargs, expected):
    valid_from, valid_until = periods.validity(accepted_on=TODAY, **kwargs)
    assert (valid_from, valid_until) == (TODAY, expected)
