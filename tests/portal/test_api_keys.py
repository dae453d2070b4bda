"""/portal/api-keys/: a provider user makes API keys for their own systems (shown once), sees their last
use and revokes them."""

import datetime
import re

import pytest

from accounts.models import ApiToken, token_digest
from audit.models import AuditEvent
from core import clock
from tests import factories
from tests.accounts.helpers import bearer, make_token

pytestmark = pytest.mark.django_db
URL = "/portal/api-keys/"


def form(**extra) -> dict:
    return {
        "name": "Declaratiesysteem",
        "scopes": ["read", "write"],
        "expires_on": (clock.today() + datetime.timedelta(days=90)).isoformat(),
        **extra,
    }


def test_a_key_is_shown_once_and_works_on_the_api(client, provider, provider_user):
    # given
    client.force_login(provider_user)
    # when
    response = client.post(URL, form())
    # then the page shows the token, and only its hash is stored
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = re.search(r'<code id="api-token"[^>]*>(zk_[\w-]+)</code>', response.content.decode()).group(1)
    api_token = ApiToken.objects.get()
    assert (api_token.user, api_token.scopes, api_token.token_sha256) == (
        provider_user,
        "read write",
        token_digest(token),
    )
    assert client.get("/api/v1/agreements", **bearer(token)).status_code == 200
    # and never again
    assert token not in client.get(URL).content.decode()


def test_the_list_shows_the_users_own_keys_only(client, provider, provider_user):
    # given
    make_token(provider_user)
    colleague = factories.provider_user(provider)
    ApiToken.objects.filter(pk=make_token(colleague)[0].pk).update(name="Van de collega")
    client.force_login(provider_user)
    # when
    html = client.get(URL).content.decode()
    # then
    assert "Declaratiesysteem" in html
    assert "Van de collega" not in html


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"name": ""}, "name"), ({"scopes": []}, "scopes"), ({"expires_on": "2000-01-01"}, "expires_on")],
)
def test_an_invalid_form_makes_no_key(client, provider_user, extra, field):
    client.force_login(provider_user)
    response = client.post(URL, form(**extra))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_revoking_a_key(client, provider_user):
    # given
    api_token, token = make_token(provider_user)
    client.force_login(provider_user)
    # when
    response = client.post(URL, {"revoke": str(api_token.uuid)})
    # then
    assert response.status_code == 302
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    assert AuditEvent.objects.filter(event="apitoken.revoked").count() == 1
    assert client.get("/api/v1/agreements", **bearer(token)).status_code == 401


def test_another_users_key_cannot_be_revoked(client, provider, provider_user):
    other, _token = make_token(factories.provider_user(provider))
    client.force_login(provider_user)
    assert client.post(URL, {"revoke": str(other.uuid)}).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_are_sent_to_the_admin(client, role):
    client.force_login(getattr(factories, role)())
    response = client.post(URL, form())
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_the_date_field_is_filled_in_for_the_date_input_in_dutch(client, provider_user):
    # a date input shows nothing for a value in another format than ISO (05-12-2027 in Dutch)
    client.force_login(provider_user)
    expected = (clock.today() + datetime.timedelta(days=365)).isoformat()
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert re.search(rf'<input type="date" name="expires_on" value="{expected}"', html)
