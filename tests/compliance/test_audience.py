"""compliance.audience: the one rule for what of the officers' investigations and deliberations a reader sees."""

import datetime

import pytest

from django.contrib.auth.models import AnonymousUser

from audit.models import AuditEvent
from audit.services import audit_record
from compliance.audience import (
    Audience,
    audience_of,
    audit_events_visible_to,
    parts_visible_to,
    signals_visible_to,
    waivers_visible_to,
)
from compliance.conditions.services import waiver_approve, waiver_request
from compliance.models import FraudSignal, Waiver
from core import clock
from core.actors import SYSTEM
from tests import factories
from tests.compliance.factories import FraudSignalFactory, condition

pytestmark = pytest.mark.django_db


def request_waiver(provider, code: str, actor) -> Waiver:
    agreement = factories.AgreementFactory(provider=provider)
    return waiver_request(
        subject=agreement,
        provider=provider,
        condition=condition(code),
        actor=actor,
        reason="Reden",
        valid_until=clock.today() + datetime.timedelta(days=30),
    )


def test_the_audience_of_a_reader(officer, auditor, provider_user):
    assert [audience_of(r) for r in (officer, auditor, SYSTEM, provider_user, AnonymousUser(), None)] == [
        Audience.STAFF,
        Audience.STAFF,
        Audience.STAFF,
        Audience.PROVIDER,
        Audience.NOBODY,
        Audience.NOBODY,
    ]


def test_a_provider_user_sees_only_approved_waivers_of_their_own_organisation(
    provider, provider_user, officer, second_officer, auditor
):
    pending = request_waiver(provider, "anti_discrimination_policy", officer)
    approved = waiver_approve(
        uuid=request_waiver(provider, "fair_pay_tariff", officer).uuid, actor=second_officer, reason="Akkoord"
    )
    elsewhere = waiver_approve(
        uuid=request_waiver(factories.ProviderFactory(), "fair_pay_tariff", officer).uuid,
        actor=second_officer,
        reason="Akkoord",
    )
    assert set(waivers_visible_to(provider_user)) == {approved}
    assert set(waivers_visible_to(auditor)) == {pending, approved, elsewhere}
    assert not waivers_visible_to(AnonymousUser()).exists()
    # and so the events of the pending waiver, also one without a subject (deleted in the admin)
    audit_record(actor=officer, event="waiver.deleted", data={"model": "compliance.waiver"})  # in the admin
    events = AuditEvent.objects.filter(event__startswith="waiver.")
    visible = audit_events_visible_to(provider_user, events)
    assert {e.subject_uuid for e in visible} == {approved.uuid}
    assert {e.event for e in visible} == {"waiver.requested", "waiver.approved"}
    assert audit_events_visible_to(auditor, events).count() == events.count() == 6


def test_signals_and_their_events_are_for_staff_only(provider, provider_user, auditor, officer):
    signal = FraudSignalFactory(provider=provider)
    factories.audit_event(subject=signal, event="fraudsignal.raised")
    factories.audit_event(subject=provider, event="fraudsignal.deleted")  # a row gone, in the admin
    factories.audit_event(subject=provider, event="provider.checked")
    assert list(signals_visible_to(auditor)) == [signal]
    assert not signals_visible_to(provider_user).exists()
    assert not signals_visible_to(AnonymousUser(), FraudSignal.objects.all()).exists()
    events = AuditEvent.objects.all()
    assert [e.event for e in audit_events_visible_to(provider_user, events)] == ["provider.checked"]
    assert audit_events_visible_to(officer, events).count() == 3
    assert not audit_events_visible_to(None, events).exists()


def test_a_provider_user_sees_only_the_parts_of_their_own_organisation(provider, provider_user, auditor):
    # given the applications to a procedure: their own and a competitor's
    procedure = factories.ProcedureFactory(open=True)
    own = factories.ApplicationFactory(procedure=procedure, provider=provider)
    competitor = factories.ApplicationFactory(procedure=procedure)
    parts = [own, competitor]
    # then
    assert parts_visible_to(provider_user, parts) == [own]
    assert parts_visible_to(auditor, parts) == parts
    assert parts_visible_to(SYSTEM, parts) == parts
    assert parts_visible_to(AnonymousUser(), parts) == []
