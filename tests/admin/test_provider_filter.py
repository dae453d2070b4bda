"""The agreements and applications lists filtered to one provider (``?provider=<uuid>``, linked from the
relationship page), and the application page linking to the agreement its admission made."""

import pytest

from django.urls import reverse

from coalitions.models import MembershipRole
from tests import factories

pytestmark = pytest.mark.django_db


def listed(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {str(obj.pk) for obj in response.context["cl"].result_list}


def test_the_agreements_list_shows_one_providers_agreements_and_its_coalitions(client_for, officer):
    # given an agreement of the provider, one of a coalition it is a member of, and another provider's
    provider = factories.ProviderFactory()
    own = factories.AgreementFactory(provider=provider)
    coalition = factories.CoalitionFactory()
    factories.MembershipFactory(coalition=coalition, provider=provider, role=MembershipRole.MEMBER)
    of_coalition = factories.AgreementFactory(provider=None, coalition=coalition)
    factories.AgreementFactory()
    client = client_for(officer)
    url = reverse("admin:contracting_agreement_changelist")
    # when / then
    assert listed(client, f"{url}?provider={provider.uuid}") == {str(own.pk), str(of_coalition.pk)}
    response = client.get(f"{url}?provider={provider.uuid}")
    assert provider.name in response.content.decode()  # the filter names the chosen provider


def test_an_unknown_or_malformed_provider_lists_nothing(client_for, officer):
    factories.AgreementFactory()
    client = client_for(officer)
    url = reverse("admin:contracting_agreement_changelist")
    assert listed(client, f"{url}?provider=00000000-0000-0000-0000-000000000000") == set()
    assert listed(client, f"{url}?provider=niet-een-uuid") == set()


def test_the_applications_list_shows_one_providers_applications(client_for, officer):
    provider = factories.ProviderFactory()
    own = factories.ApplicationFactory(provider=provider, submitted=True)
    factories.ApplicationFactory(submitted=True)
    url = reverse("admin:contracting_application_changelist")
    assert listed(client_for(officer), f"{url}?provider={provider.uuid}") == {str(own.pk)}


def test_the_application_page_links_to_the_agreement_it_made(client_for, officer):
    # given an admitted application with its agreement, and one without
    agreement = factories.AgreementFactory()
    application = factories.ApplicationFactory(provider=agreement.provider, submitted=True)
    agreement.application = application
    agreement.save(update_fields=["application"])
    pending = factories.ApplicationFactory(submitted=True)
    client = client_for(officer)
    # when
    with_agreement = client.get(reverse("admin:contracting_application_change", args=[application.pk]))
    without = client.get(reverse("admin:contracting_application_change", args=[pending.pk]))
    # then
    assert (
        reverse("admin:contracting_agreement_change", args=[agreement.pk]) in with_agreement.content.decode()
    )
    assert agreement.reference in with_agreement.content.decode()
    assert "een overeenkomst ontstaat wanneer de aanmelding wordt toegelaten" in without.content.decode()
