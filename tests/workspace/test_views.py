"""The workspace pages: the start page lists the officer's work with counts, reasons and next steps; the
relationship, coalition and calendar pages show what they promise, in a bounded number of queries."""

import datetime

import pytest

from django.urls import reverse

from audit.services import audit_record
from coalitions.models import MembershipRole, MembershipStatus
from compliance.models import FraudSignal, SignalSeverity, SignalStatus
from core import clock
from tests import factories
from tests.compliance.factories import DocumentFactory
from workspace import views as workspace_views
from workspace.models import EntryKind
from workspace.scope import scope_of
from workspace.worklists import Context, questions_to_answer, worklists_for

pytestmark = pytest.mark.django_db


def signal(provider, authority, **kwargs):
    defaults = {
        "rule": "volume_spike",
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 1, 31),
        "severity": SignalSeverity.HIGH,
    }
    return FraudSignal.objects.create(provider=provider, authority=authority, **{**defaults, **kwargs})


def relationship_data(authority, n: int):
    """``n`` providers, each with an application, an active agreement with a ceiling, a signal and an
    event: enough rows that a query per row would show."""
    providers = []
    for i in range(n):
        provider = factories.ProviderFactory()
        factories.ApplicationFactory(provider=provider, submitted=True, procedure__authority=authority)
        agreement = factories.AgreementFactory(
            provider=provider,
            authority=authority,
            active=True,
            end_date=clock.today() + datetime.timedelta(days=200 + i),
            notice_months=6,
        )
        factories.BudgetCeilingFactory(agreement=agreement)
        signal(provider, authority, rule=f"rule_{i}")
        audit_record(actor=None, event="agreement.created", subject=agreement)
        providers.append(provider)
    return providers


@pytest.fixture
def authority(officer):
    authority = factories.MunicipalityFactory()
    authority.officers.add(officer)
    return authority


def test_start_page_counts_the_officers_work_and_not_another_authoritys(client_for, officer, authority):
    # given two submitted applications at the officer's authority and one elsewhere
    factories.ApplicationFactory.create_batch(2, submitted=True, procedure__authority=authority)
    factories.ApplicationFactory(submitted=True)
    # when
    response = client_for(officer).get(reverse("workspace:start"))
    # then
    assert response.status_code == 200
    lists = {w.code: w for w in response.context["worklists"]}
    assert lists["applications_to_assess"].count == 2
    assert all(item.why and item.next_step for item in lists["applications_to_assess"].items)


def test_an_officer_without_an_authority_sees_no_work(client_for, officer):
    # given an application somewhere, and an officer linked to no authority
    factories.ApplicationFactory(submitted=True)
    # when
    response = client_for(officer).get(reverse("workspace:start"))
    # then
    assert response.context["scope"].is_empty
    assert all(w.count == 0 for w in response.context["worklists"])


def test_app_list_stays_reachable(client_for, officer):
    # when
    response = client_for(officer).get(reverse("workspace:apps"))
    # then
    assert response.status_code == 200
    assert "app_list" in response.context


def test_a_proposed_confirmation_waits_for_the_other_officer_and_for_you(officer, second_officer, authority):
    # given a signal whose confirmation the first officer proposed
    authority.officers.add(second_officer)
    provider = factories.ProviderFactory()
    factories.AgreementFactory(provider=provider, authority=authority)
    signal(
        provider,
        authority,
        status=SignalStatus.INVESTIGATING,
        confirmation_requested_by=officer,
        confirmation_requested_at=clock.now(),
        confirmation_reason="Bewezen",
    )
    # when
    mine = {w.code: w for w in worklists_for(officer, scope_of(officer), clock.today())}
    theirs = {w.code: w for w in worklists_for(second_officer, scope_of(second_officer), clock.today())}
    # then
    assert mine["waiting_for_other_officer"].count == 1
    assert mine["waiting_for_you"].count == 0
    assert theirs["waiting_for_you"].count == 1
    assert theirs["waiting_for_other_officer"].count == 0


def test_agreement_deadline_within_the_lead_time_is_listed(officer, authority):
    # given an agreement whose notice deadline is in about a month, and one years ahead
    soon = factories.AgreementFactory(
        authority=authority,
        active=True,
        end_date=clock.today() + datetime.timedelta(days=215),
        notice_months=6,
    )
    factories.AgreementFactory(
        authority=authority, active=True, end_date=clock.today() + datetime.timedelta(days=1500)
    )
    # when
    lists = {w.code: w for w in worklists_for(officer, scope_of(officer), clock.today())}
    # then
    assert lists["agreement_deadlines"].count == 1
    assert soon.reference in lists["agreement_deadlines"].items[0].title


def test_memberships_pending_activation_are_listed(officer, authority):
    # given an admitted membership of a coalition of the authority
    coalition = factories.CoalitionFactory(authority=authority)
    factories.MembershipFactory(
        coalition=coalition, status=MembershipStatus.ADMITTED, role=MembershipRole.MEMBER
    )
    # when
    lists = {w.code: w for w in worklists_for(officer, scope_of(officer), clock.today())}
    # then
    assert lists["memberships_pending"].count == 1


def test_start_page_queries_are_bounded(client_for, officer, authority, django_assert_max_num_queries):
    # given much work
    relationship_data(authority, 25)
    client = client_for(officer)
    # when / then
    with django_assert_max_num_queries(45):
        response = client.get(reverse("workspace:start"))
    assert response.status_code == 200


def test_relationship_page_shows_agreements_signals_and_timeline(client_for, officer, authority):
    # given a provider with an agreement, a signal and an event
    (provider,) = relationship_data(authority, 1)
    # when
    response = client_for(officer).get(reverse("workspace:provider", args=[provider.uuid]))
    # then
    relationship = response.context["relationship"]
    assert len(relationship.agreements) == 1
    assert len(relationship.signals) == 1
    assert [t.event.event for t in response.context["timeline"]] == ["agreement.created"]


def test_relationship_timeline_filters_by_kind(client_for, officer, authority):
    # given an agreement event
    (provider,) = relationship_data(authority, 1)
    # when
    response = client_for(officer).get(
        reverse("workspace:provider", args=[provider.uuid]), {"kind": "document"}
    )
    # then
    assert response.context["timeline"] == []


def test_relationship_page_queries_are_bounded(client_for, officer, authority, django_assert_max_num_queries):
    # given a provider with many agreements, applications and events
    provider = factories.ProviderFactory()
    for _i in range(20):
        agreement = factories.AgreementFactory(provider=provider, authority=authority, active=True)
        factories.BudgetCeilingFactory(agreement=agreement)
        factories.ApplicationFactory(provider=provider, submitted=True, procedure__authority=authority)
        audit_record(actor=None, event="agreement.created", subject=agreement)
    client = client_for(officer)
    # when / then
    with django_assert_max_num_queries(40):
        response = client.get(reverse("workspace:provider", args=[provider.uuid]))
    assert response.status_code == 200


def test_provider_users_cannot_open_the_workspace(client_for, provider_user, provider):
    # when
    response = client_for(provider_user).get(reverse("workspace:provider", args=[provider.uuid]))
    # then: the admin sends a non-staff user to its login
    assert response.status_code == 302


def test_coalition_page_shows_the_lead_and_members_by_role(client_for, officer, authority):
    # given a coalition with a lead and a member
    coalition = factories.CoalitionFactory(authority=authority)
    lead = factories.MembershipFactory(coalition=coalition, role=MembershipRole.LEAD)
    factories.MembershipFactory(coalition=coalition, role=MembershipRole.MEMBER)
    # when
    response = client_for(officer).get(reverse("workspace:coalition", args=[coalition.uuid]))
    # then
    overview = response.context["overview"]
    assert overview.lead == lead
    assert [len(members) for _role, members in overview.by_role] == [1, 1]


def test_calendar_counts_the_year_per_month_and_lists_the_chosen_month(
    client_for, officer, authority, django_assert_max_num_queries
):
    # given many active agreements ending within the year
    relationship_data(authority, 25)
    first_end = clock.today() + datetime.timedelta(days=200)
    client = client_for(officer)
    # when the calendar opens on the month of the first end date
    with django_assert_max_num_queries(25):
        response = client.get(reverse("workspace:calendar"), {"month": f"{first_end:%Y-%m}"})
    # then the year's table counts every kind, and the month lists its own entries
    labels = response.context["kind_labels"]
    totals = dict(
        zip(
            labels,
            (sum(r.counts[i] for r in response.context["month_rows"]) for i in range(len(labels))),
            strict=True,
        )
    )
    assert totals[EntryKind.END_DATE.label] == 25
    assert totals[EntryKind.NOTICE_DEADLINE.label] == 25
    assert response.context["chosen"] == first_end.replace(day=1)
    days = {e.day.replace(day=1) for _month, entries in response.context["months"] for e in entries}
    assert days == {first_end.replace(day=1)}
    kinds = {e.kind for _month, entries in response.context["months"] for e in entries}
    assert "end_date" in kinds
    # without a month, the calendar opens on the first month that has entries
    default = client.get(reverse("workspace:calendar")).context
    assert default["chosen"] == next(r.start for r in default["month_rows"] if r.total)


def test_calendar_queries_do_not_grow_with_the_data(client_for, officer, authority):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(officer)
    relationship_data(authority, 2)
    client.get(reverse("workspace:calendar"))  # warm caches (lead times, session)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("workspace:calendar"))
    relationship_data(authority, 20)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("workspace:calendar"))
    assert len(many) == len(few)


def test_a_month_lists_the_first_documents_and_links_to_the_rest(client_for, officer, authority, monkeypatch):
    # given three accepted documents of a provider of the authority that expire this month
    (provider,) = relationship_data(authority, 1)
    expiry = clock.today().replace(day=28)
    for _i in range(3):
        DocumentFactory(provider=provider, accepted=True, valid_until=expiry)
    monkeypatch.setattr(workspace_views, "DOCUMENTS_PER_MONTH", 2)
    # when
    response = client_for(officer).get(reverse("workspace:calendar"), {"month": "niet-een-maand"})
    # then the first month is shown (an unknown month falls back to it) with two documents and a link
    assert response.context["chosen"] == clock.today().replace(day=1)
    documents = [
        e for _m, entries in response.context["months"] for e in entries if e.kind == "document_expiry"
    ]
    assert len(documents) == 2
    assert response.context["hidden_documents"] == 1
    page = response.content.decode()
    assert "En nog 1 document dat deze maand verloopt" in page
    assert response.context["documents_url"].replace("&", "&amp;") in page
    listed = client_for(officer).get(response.context["documents_url"])
    assert listed.status_code == 200
    assert len(listed.context["cl"].result_list) == 3


def test_open_questions_of_the_officers_procedures_are_listed_in_two_queries(
    officer, authority, django_assert_num_queries
):
    # given an unanswered and an answered question at the officer's authority; a published one; and one
    # at another authority
    procedure = factories.ProcedureFactory(open=True, authority=authority)
    asked = factories.QuestionFactory(procedure=procedure)
    answered = factories.QuestionFactory(procedure=procedure, answered=True)
    factories.QuestionFactory(procedure=procedure, published=True)
    factories.QuestionFactory()
    context = Context(user=officer, scope=scope_of(officer), today=clock.today())
    # when (a count and the first items, providers and procedures joined)
    with django_assert_num_queries(2):
        worklist = questions_to_answer(context)
        items = list(worklist.items)
    # then
    assert worklist.count == 2
    assert [item.url for item in items] == [
        f"/admin/contracting/question/{asked.pk}/change/",
        f"/admin/contracting/question/{answered.pk}/change/",
    ]
    assert [item.provider_name for item in items] == [asked.provider.name, answered.provider.name]
    assert all(item.why and item.next_step for item in items)
