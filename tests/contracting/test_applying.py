"""A provider does its own part: applying to a procedure (a draft it saves and returns to, submitted and
withdrawn with a reason), by the rules of the procedure's route (contracting.routes)."""

import datetime

import pytest

from audit.models import AuditEvent
from contracting import routes
from contracting.models import Agreement, ApplicationStatus, AssessmentStep, Route
from contracting.services import (
    application_admit,
    application_assess,
    application_create,
    application_start_review,
    application_submit,
    application_update,
    application_withdraw,
)
from core import clock
from core.dates import add_months
from core.exceptions import GuardFailed, InvalidInput, InvalidTransition, TransitionForbidden
from tests import factories
from tests.factories import today

pytestmark = pytest.mark.django_db


def open_procedure(**kwargs):
    procedure = factories.ProcedureFactory(open=True, **kwargs)
    factories.LotFactory(procedure=procedure, number=1)
    factories.LotFactory(procedure=procedure, number=2)
    return procedure


def lot_uuids(procedure, *numbers):
    return [lot.uuid for lot in procedure.lots.filter(number__in=numbers)]


def test_a_provider_user_starts_a_draft_for_its_own_provider(provider, provider_user):
    # given
    procedure = open_procedure()
    # when
    application = application_create(
        procedure_uuid=procedure.uuid,
        provider_uuid=provider.uuid,
        actor=provider_user,
        lot_uuids=lot_uuids(procedure, 2),
        motivation="Wij leveren begeleiding in de wijk.",
    )
    # then
    assert application.status == ApplicationStatus.DRAFT
    assert [lot.number for lot in application.lots.all()] == [2]
    event = AuditEvent.objects.get(subject_uuid=application.uuid)
    assert (event.event, event.to_state, event.actor) == ("application.created", "draft", provider_user)


def test_a_provider_user_cannot_apply_for_another_provider(provider_user):
    procedure = open_procedure()
    other = factories.ProviderFactory()
    with pytest.raises(TransitionForbidden):
        application_create(procedure_uuid=procedure.uuid, provider_uuid=other.uuid, actor=provider_user)
    assert not procedure.applications.exists()


def test_one_live_application_per_provider_and_procedure(provider, provider_user):
    procedure = open_procedure()
    application_create(procedure_uuid=procedure.uuid, provider_uuid=provider.uuid, actor=provider_user)
    with pytest.raises(InvalidTransition):
        application_create(procedure_uuid=procedure.uuid, provider_uuid=provider.uuid, actor=provider_user)


def test_lots_of_another_procedure_are_refused(provider, provider_user):
    procedure, elsewhere = open_procedure(), open_procedure()
    with pytest.raises(InvalidInput):
        application_create(
            procedure_uuid=procedure.uuid,
            provider_uuid=provider.uuid,
            actor=provider_user,
            lot_uuids=lot_uuids(elsewhere, 1),
        )


def test_a_draft_is_saved_and_changed_only_while_a_draft(provider, provider_user):
    # given
    procedure = open_procedure()
    application = factories.ApplicationFactory(procedure=procedure, provider=provider, with_lot=False)
    # when
    application_update(
        uuid=application.uuid, actor=provider_user, lot_uuids=lot_uuids(procedure, 1, 2), motivation="Beide"
    )
    # then
    application.refresh_from_db()
    assert ([lot.number for lot in application.lots.all()], application.motivation) == ([1, 2], "Beide")
    application_submit(uuid=application.uuid, actor=provider_user)
    with pytest.raises(InvalidTransition):
        application_update(uuid=application.uuid, actor=provider_user, lot_uuids=lot_uuids(procedure, 1))


def test_another_providers_user_cannot_change_a_draft(provider_user):
    application = factories.ApplicationFactory(procedure=open_procedure())
    with pytest.raises(TransitionForbidden):
        application_update(uuid=application.uuid, actor=provider_user, lot_uuids=[])


def test_a_withdrawn_application_cannot_be_assessed(officer, provider, provider_user):
    # given
    application = factories.ApplicationFactory(provider=provider, under_review=True)
    application_withdraw(uuid=application.uuid, actor=provider_user, reason="Geen capaciteit meer")
    # when / then
    with pytest.raises(InvalidTransition):
        application_assess(
            uuid=application.uuid, actor=officer, step=AssessmentStep.SUITABILITY, passed=True, reasoning="Ok"
        )
    assert not application.assessments.exists()


# --------------------------------------------------------------------------- the routes


@pytest.mark.parametrize(
    ("route", "accepts"),
    [
        (Route.ADMINISTRATIVE, False),
        (Route.LIGHT_REGIME, False),
        (Route.SUBSIDY, False),
        (Route.OPEN_HOUSE, True),
    ],
)
def test_after_the_deadline_only_an_open_house_admits(route, accepts):
    procedure = factories.ProcedureFactory(
        open=True, route=route, application_deadline=today() - datetime.timedelta(days=1)
    )
    assert routes.accepts_applications(procedure, day=today()) is accepts


def test_an_open_house_admits_after_applications_closed_until_the_end_of_its_term():
    procedure = factories.ProcedureFactory(assessing=True, route=Route.OPEN_HOUSE)
    end = routes.term_end(procedure)
    assert routes.accepts_applications(procedure, day=today())
    assert routes.accepts_applications(procedure, day=routes.applications_close_on(procedure))
    assert not routes.accepts_applications(procedure, day=end)
    administrative = factories.ProcedureFactory(assessing=True, route=Route.ADMINISTRATIVE)
    assert not routes.accepts_applications(administrative, day=today())


def test_a_concluded_open_house_admits_nobody():
    procedure = factories.ProcedureFactory(concluded=True, route=Route.OPEN_HOUSE)
    assert not routes.accepts_applications(procedure, day=today())


def test_open_house_joins_after_the_date_that_closes_another_route(provider, provider_user, officer):
    # given: both procedures passed their application deadline yesterday
    closed = today() - datetime.timedelta(days=1)
    administrative = open_procedure(route=Route.ADMINISTRATIVE, application_deadline=closed)
    open_house = open_procedure(route=Route.OPEN_HOUSE, application_deadline=closed)
    # when / then
    with pytest.raises(GuardFailed):
        application_create(
            procedure_uuid=administrative.uuid, provider_uuid=provider.uuid, actor=provider_user
        )
    application = application_create(
        procedure_uuid=open_house.uuid,
        provider_uuid=provider.uuid,
        actor=provider_user,
        lot_uuids=lot_uuids(open_house, 1),
    )
    application_submit(uuid=application.uuid, actor=provider_user)
    assert application.__class__.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


def test_a_late_open_house_admission_starts_next_month_on_the_same_end_date(officer):
    # given: an open house that started a year ago
    start = add_months(today().replace(day=1), -12)
    procedure = factories.ProcedureFactory(assessing=True, route=Route.OPEN_HOUSE, contract_start=start)
    application = factories.ApplicationFactory(procedure=procedure, under_review=True)
    factories.assess(application, officer)
    # when
    application_admit(uuid=application.uuid, actor=officer)
    # then
    agreement = Agreement.objects.get(application=application)
    assert agreement.start_date == add_months(clock.today().replace(day=1), 1)
    assert agreement.end_date == add_months(start, 36) - datetime.timedelta(days=1)


def test_an_administrative_admission_starts_on_the_intended_start(officer):
    procedure = factories.ProcedureFactory(assessing=True)
    application = factories.ApplicationFactory(procedure=procedure, under_review=True)
    factories.assess(application, officer)
    application_admit(uuid=application.uuid, actor=officer)
    assert Agreement.objects.get(application=application).start_date == procedure.contract_start


def test_start_review_still_follows_submit(officer, provider, provider_user):
    application = factories.ApplicationFactory(provider=provider)
    application_submit(uuid=application.uuid, actor=provider_user)
    application_start_review(uuid=application.uuid, actor=officer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW


@pytest.mark.parametrize(
    ("route", "passed", "shown"),
    [
        (Route.ADMINISTRATIVE, True, False),
        (Route.ADMINISTRATIVE, False, True),
        (Route.OPEN_HOUSE, True, False),
        (Route.LIGHT_REGIME, True, True),
        (Route.SUBSIDY, True, True),
    ],
)
def test_which_reasoning_the_provider_is_shown(route, passed, shown):
    procedure = factories.ProcedureFactory(route=route)
    assert routes.shows_reasoning(procedure, passed=passed) is shown
