"""An auditor reads everything and changes nothing: every transition is refused and leaves no trace."""

import pytest

from audit.models import AuditEvent
from coalitions.services import COALITION_TRANSITIONS, MEMBERSHIP_TRANSITIONS
from contracting.services import AGREEMENT_TRANSITIONS, APPLICATION_TRANSITIONS, PROCEDURE_TRANSITIONS
from tests import factories
from tests.api.helpers import assert_problem, transition_url, uuids

pytestmark = pytest.mark.django_db

# resource, transition, a factory for an object in a state from which the transition exists
CASES = [
    ("procedures", "start_consultation", lambda: factories.ProcedureFactory()),
    ("procedures", "open", lambda: factories.ready_to_open_procedure()),
    ("procedures", "close_applications", lambda: factories.ProcedureFactory(open=True)),
    ("procedures", "conclude", lambda: factories.ProcedureFactory(assessing=True)),
    ("procedures", "cancel", lambda: factories.ProcedureFactory(open=True)),
    ("applications", "submit", lambda: factories.ApplicationFactory()),
    ("applications", "start_review", lambda: factories.ApplicationFactory(submitted=True)),
    ("applications", "admit", lambda: factories.ApplicationFactory(under_review=True)),
    ("applications", "reject", lambda: factories.ApplicationFactory(under_review=True)),
    ("applications", "withdraw", lambda: factories.ApplicationFactory(submitted=True)),
    ("agreements", "keep_past_start", lambda: factories.AgreementFactory(past_start="pending")),
    ("agreements", "start_from_today", lambda: factories.AgreementFactory(past_start="pending")),
    ("agreements", "offer", lambda: factories.AgreementFactory()),
    ("agreements", "accept", lambda: factories.AgreementFactory(offered=True, signed_on=None)),
    ("agreements", "decline", lambda: factories.AgreementFactory(offered=True, signed_on=None)),
    ("agreements", "activate", lambda: factories.AgreementFactory(offered=True)),
    ("agreements", "suspend", lambda: factories.AgreementFactory(active=True)),
    ("agreements", "reinstate", lambda: factories.AgreementFactory(suspended=True)),
    ("agreements", "request_termination", lambda: factories.AgreementFactory(active=True)),
    ("agreements", "terminate", lambda: factories.AgreementFactory(active=True)),
    ("agreements", "end", lambda: factories.AgreementFactory(terminating=True)),
    ("agreements", "expire", lambda: factories.AgreementFactory(expired=True)),
    ("agreements", "extend", lambda: factories.AgreementFactory(active=True)),
    ("coalitions", "activate", lambda: factories.MembershipFactory(lead=True, active=True).coalition),
    ("coalitions", "dissolve", lambda: factories.CoalitionFactory(active=True)),
    ("coalitions", "complete_dissolution", lambda: factories.CoalitionFactory(dissolving=True)),
    ("memberships", "admit", lambda: factories.MembershipFactory()),
    ("memberships", "activate", lambda: factories.MembershipFactory(admitted=True)),
    ("memberships", "suspend", lambda: factories.MembershipFactory(active=True)),
    ("memberships", "reinstate", lambda: factories.MembershipFactory(suspended=True)),
    ("memberships", "exit", lambda: factories.MembershipFactory(active=True)),
    ("memberships", "end", lambda: factories.MembershipFactory(exiting=True)),
    ("memberships", "make_lead", lambda: factories.MembershipFactory(active=True)),
]

REGISTRIES = {
    "procedures": PROCEDURE_TRANSITIONS,
    "applications": APPLICATION_TRANSITIONS,
    "agreements": AGREEMENT_TRANSITIONS,
    "coalitions": COALITION_TRANSITIONS,
    "memberships": MEMBERSHIP_TRANSITIONS,
}


def test_the_cases_cover_every_registered_transition():
    assert {(r, n) for r, n, _ in CASES} == {(r, n) for r, reg in REGISTRIES.items() for n in reg}


@pytest.mark.parametrize(("resource", "name", "make"), CASES, ids=[f"{r}-{n}" for r, n, _ in CASES])
def test_every_transition_is_forbidden_for_an_auditor(api_for, auditor, resource, name, make):
    # given
    obj = make()
    before = type(obj).objects.values().get(pk=obj.pk)
    # when
    response = api_for(auditor).post(
        transition_url(resource, obj, name), {"reason": "Controle"}, format="json"
    )
    # then
    assert_problem(response, 403, "transition_forbidden")
    assert type(obj).objects.values().get(pk=obj.pk) == before
    assert not AuditEvent.objects.exists()


def test_auditor_may_not_assess(api_for, auditor):
    # given
    application = factories.ApplicationFactory(under_review=True)
    # when
    response = api_for(auditor).post(
        f"/api/v1/applications/{application.uuid}/assessments",
        {"step": "suitability", "passed": True, "reasoning": "ok"},
        format="json",
    )
    # then
    assert_problem(response, 403, "transition_forbidden")
    assert not application.assessments.exists()


def test_auditor_sees_no_available_transitions(api_for, auditor):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = api_for(auditor).get(f"/api/v1/agreements/{agreement.uuid}")
    # then
    assert response.json()["availableTransitions"] == []


@pytest.mark.parametrize(
    ("resource", "make"),
    [
        ("providers", lambda: factories.ProviderFactory()),
        ("procedures", lambda: factories.ProcedureFactory()),
        ("applications", lambda: factories.ApplicationFactory()),
        ("agreements", lambda: factories.AgreementFactory()),
        ("coalitions", lambda: factories.CoalitionFactory()),
        ("memberships", lambda: factories.MembershipFactory()),
    ],
)
def test_auditor_reads_every_providers_rows(api_for, auditor, resource, make):
    # given
    rows = [make(), make()]
    client = api_for(auditor)
    # when
    listed = client.get(f"/api/v1/{resource}")
    details = [client.get(f"/api/v1/{resource}/{row.uuid}") for row in rows]
    events = [client.get(f"/api/v1/{resource}/{row.uuid}/events") for row in rows]
    # then
    assert {str(row.uuid) for row in rows} <= uuids(listed)
    assert all(r.status_code == 200 for r in details + events)
