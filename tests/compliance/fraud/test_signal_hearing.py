"""Hoor en wederhoor (issue 14, item 7): an open or investigated high-severity signal holds an application
until the provider has been heard on it; a confirmed signal still refuses admission. The hearing is the
officers' record: audited on the signal, invisible to the provider."""

import datetime

import pytest

from audit.models import AuditEvent
from compliance.audience import audit_events_visible_to as events_visible_to
from compliance.fraud.services import signal_hearing_record
from compliance.models import SignalHearing
from contracting.models import ApplicationStatus
from contracting.services import application_admit
from core import clock
from core.exceptions import GuardFailed, InvalidInput, InvalidTransition, TransitionForbidden
from tests import factories
from tests.compliance.factories import FraudSignalFactory
from workspace.scope import Scope
from workspace.worklists import worklists_for

pytestmark = pytest.mark.django_db

RESPONSE = "De aanbieder licht toe: de declaraties betreffen een inhaalslag na een storing bij de gemeente."
CONCLUSION = (
    "Toelichting is aannemelijk; het signaal blijft in onderzoek, de aanmelding wordt inhoudelijk beoordeeld."
)


@pytest.fixture
def held(officer):
    """An assessed application whose provider has an open high-severity signal."""
    application = factories.ApplicationFactory(under_review=True)
    factories.assess(application, officer)
    signal = FraudSignalFactory(provider=application.provider, severity="high")
    return application, signal


def codes(exc) -> set[str]:
    return {u["code"] for u in exc.value.extra["unmet"]}


def hear(signal, application, actor, **kwargs):
    values = {"heard_on": clock.today(), "provider_response": RESPONSE, "conclusion": CONCLUSION, **kwargs}
    return signal_hearing_record(
        signal_uuid=signal.uuid, application_uuid=application.uuid, actor=actor, **values
    )


def test_an_open_signal_holds_the_application_until_the_provider_is_heard(officer, held):
    application, signal = held
    # when the officer admits before hearing the provider: held, with the reason and what to do
    with pytest.raises(GuardFailed) as exc:
        application_admit(uuid=application.uuid, actor=officer)
    assert codes(exc) == {"fraud_signal_not_heard"}
    (message,) = [u["message"] for u in exc.value.extra["unmet"]]
    assert signal.rule not in message  # the rule's title, not its code
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    # when the hearing is recorded, the application is decided on its merits
    hearing = hear(signal, application, officer)
    application_admit(uuid=application.uuid, actor=officer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED
    assert (hearing.provider_response, hearing.conclusion, hearing.recorded_by) == (
        RESPONSE,
        CONCLUSION,
        officer,
    )
    event = AuditEvent.objects.get(event="fraudsignal.hearing_recorded")
    assert event.subject_uuid == signal.uuid
    assert event.data["application"] == str(application.uuid)
    assert event.data["providerResponse"] == RESPONSE


def test_a_hearing_for_one_application_does_not_release_another(officer, held):
    application, signal = held
    other = factories.ApplicationFactory(under_review=True, provider=application.provider)
    factories.assess(other, officer)
    hear(signal, application, officer)
    with pytest.raises(GuardFailed) as exc:
        application_admit(uuid=other.uuid, actor=officer)
    assert codes(exc) == {"fraud_signal_not_heard"}


def test_a_confirmed_signal_still_refuses_admission(officer):
    application = factories.ApplicationFactory(under_review=True)
    factories.assess(application, officer)
    FraudSignalFactory(provider=application.provider, confirmed=True)
    with pytest.raises(GuardFailed) as exc:
        application_admit(uuid=application.uuid, actor=officer)
    assert codes(exc) == {"fraud_signal"}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"provider_response": "  "}, InvalidInput),
        ({"conclusion": ""}, InvalidInput),
        ({"heard_on": datetime.date(2099, 1, 1)}, InvalidInput),
    ],
)
def test_a_hearing_needs_a_response_a_conclusion_and_a_past_date(officer, held, change, error):
    application, signal = held
    with pytest.raises(error):
        hear(signal, application, officer, **change)
    assert not SignalHearing.objects.exists()
    assert not AuditEvent.objects.filter(event="fraudsignal.hearing_recorded").exists()


def test_a_hearing_is_refused_for_another_providers_signal_a_decided_application_or_twice(officer, held):
    application, signal = held
    with pytest.raises(InvalidInput):
        hear(FraudSignalFactory(severity="high"), application, officer)
    with pytest.raises(InvalidTransition):
        hear(FraudSignalFactory(provider=application.provider, confirmed=True), application, officer)
    hear(signal, application, officer)
    with pytest.raises(InvalidInput):
        hear(signal, application, officer)
    assert SignalHearing.objects.count() == 1


def test_only_officers_record_hearings_and_the_provider_never_sees_them(officer, auditor, held):
    application, signal = held
    provider_user = factories.provider_user(application.provider)
    for actor in (auditor, provider_user):
        with pytest.raises(TransitionForbidden):
            hear(signal, application, actor)
    hear(signal, application, officer)
    events = AuditEvent.objects.filter(event="fraudsignal.hearing_recorded")
    assert events_visible_to(officer, events).count() == 1
    assert events_visible_to(provider_user, events).count() == 0


def test_the_start_page_lists_applications_on_hold_until_heard(officer, held):
    application, signal = held
    scope = Scope(frozenset({application.procedure.authority_id}))

    def on_hold():
        return {w.code: w for w in worklists_for(officer, scope, clock.today())}["applications_on_hold"]

    worklist = on_hold()
    assert worklist.count == 1
    assert application.provider.name in worklist.items[0].title
    hear(signal, application, officer)
    assert on_hold().count == 0
