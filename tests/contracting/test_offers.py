"""The provider answers an offered agreement: it accepts (its authorised user signs) or declines with a
reason. Acceptance is what makes activation possible; a declined offer can never be activated."""

import pytest

from audit.models import AuditEvent
from contracting.models import AgreementStatus
from contracting.services import (
    AGREEMENT_TRANSITIONS,
    agreement_accept,
    agreement_activate,
    agreement_decline,
)
from core.exceptions import GuardFailed, InvalidInput, InvalidTransition, ReasonRequired, TransitionForbidden
from core.transitions import available_transitions
from tests import factories

pytestmark = pytest.mark.django_db


def offer(provider=None, **kwargs):
    kwargs.setdefault("provider", provider or factories.ProviderFactory())
    return factories.AgreementFactory(offered=True, signed_on=None, **kwargs)


def test_the_provider_accepts_and_its_signature_is_recorded(provider, provider_user):
    # given
    agreement = offer(provider)
    # when
    agreement_accept(
        uuid=agreement.uuid, actor=provider_user, signed_by_name="A. Jansen", signed_by_role="directeur"
    )
    # then
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OFFERED  # activation is the officer's step
    assert (agreement.accepted_by, agreement.accepted_by_name, agreement.accepted_by_role) == (
        provider_user,
        "A. Jansen",
        "directeur",
    )
    assert agreement.accepted_at is not None and agreement.signed_on is not None
    event = AuditEvent.objects.get(event="agreement.accepted")
    assert (event.actor, event.data["signedBy"], event.data["function"]) == (
        provider_user,
        "A. Jansen",
        "directeur",
    )


def test_acceptance_makes_activation_possible(officer, provider, provider_user):
    agreement = offer(provider)
    with pytest.raises(GuardFailed) as exc:
        agreement_activate(uuid=agreement.uuid, actor=officer)
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["not_signed"]
    agreement_accept(
        uuid=agreement.uuid, actor=provider_user, signed_by_name="A. Jansen", signed_by_role="directeur"
    )
    agreement_activate(uuid=agreement.uuid, actor=officer)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_a_declined_offer_cannot_be_activated(officer, provider, provider_user):
    # given
    agreement = offer(provider)
    # when
    agreement_decline(uuid=agreement.uuid, actor=provider_user, reason="Geen capaciteit in deze regio")
    # then
    agreement.refresh_from_db()
    assert (agreement.status, agreement.decline_reason) == (
        AgreementStatus.DECLINED,
        "Geen capaciteit in deze regio",
    )
    with pytest.raises(InvalidTransition):
        agreement_activate(uuid=agreement.uuid, actor=officer)
    with pytest.raises(InvalidTransition):
        agreement_accept(uuid=agreement.uuid, actor=provider_user, signed_by_name="A", signed_by_role="B")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DECLINED


def test_declining_needs_a_reason(provider, provider_user):
    agreement = offer(provider)
    with pytest.raises(ReasonRequired):
        agreement_decline(uuid=agreement.uuid, actor=provider_user, reason="")


def test_an_accepted_offer_cannot_be_declined_or_accepted_again(provider, provider_user):
    agreement = offer(provider)
    agreement_accept(
        uuid=agreement.uuid, actor=provider_user, signed_by_name="A. Jansen", signed_by_role="directeur"
    )
    with pytest.raises(GuardFailed):
        agreement_decline(uuid=agreement.uuid, actor=provider_user, reason="Toch niet")
    with pytest.raises(GuardFailed):
        agreement_accept(uuid=agreement.uuid, actor=provider_user, signed_by_name="B", signed_by_role="C")


@pytest.mark.parametrize("missing", ["signed_by_name", "signed_by_role"])
def test_a_signature_needs_a_name_and_a_function(provider, provider_user, missing):
    agreement = offer(provider)
    values = {"signed_by_name": "A. Jansen", "signed_by_role": "directeur", missing: " "}
    with pytest.raises(InvalidInput):
        agreement_accept(uuid=agreement.uuid, actor=provider_user, **values)


def test_another_providers_user_cannot_answer_the_offer(provider_user):
    agreement = offer()
    with pytest.raises(TransitionForbidden):
        agreement_accept(uuid=agreement.uuid, actor=provider_user, signed_by_name="A", signed_by_role="B")
    with pytest.raises(TransitionForbidden):
        agreement_decline(uuid=agreement.uuid, actor=provider_user, reason="Nee")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.accepted_at) == (AgreementStatus.OFFERED, None)


def test_an_auditor_cannot_answer_an_offer(auditor):
    agreement = offer()
    with pytest.raises(TransitionForbidden):
        agreement_accept(uuid=agreement.uuid, actor=auditor, signed_by_name="A", signed_by_role="B")


def test_the_provider_is_offered_accept_and_decline_until_it_answers(provider, provider_user):
    agreement = offer(provider)
    assert available_transitions(agreement, provider_user, AGREEMENT_TRANSITIONS) == ["accept", "decline"]
    agreement_accept(
        uuid=agreement.uuid, actor=provider_user, signed_by_name="A. Jansen", signed_by_role="directeur"
    )
    agreement.refresh_from_db()
    assert available_transitions(agreement, provider_user, AGREEMENT_TRANSITIONS) == []


def test_an_officer_records_a_paper_acceptance(officer):
    agreement = offer()
    agreement_accept(
        uuid=agreement.uuid, actor=officer, signed_by_name="P. Bakker", signed_by_role="bestuurder"
    )
    agreement.refresh_from_db()
    assert (agreement.accepted_by, agreement.accepted_by_name) == (officer, "P. Bakker")
