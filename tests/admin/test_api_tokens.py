"""API tokens in the admin: an administrator makes one for a user (shown once) and revokes it."""

import datetime
import re

import pytest

from accounts.models import ApiToken, token_digest
from audit.models import AuditEvent
from core import clock
from tests import factories
from tests.accounts.helpers import administrator, make_token

pytestmark = pytest.mark.django_db
ADD = "/admin/accounts/apitoken/add/"
CHANGELIST = "/admin/accounts/apitoken/"


def test_an_administrator_makes_a_token_for_a_users_system_and_sees_it_once(client, officer):
    # given
    client.force_login(administrator())
    expires_on = clock.today() + datetime.timedelta(days=30)
    # when
    response = client.post(
        ADD,
        {
            "user": officer.pk,
            "name": "Gemeentelijk systeem",
            "scope_choice": ["read"],
            "expires_on": expires_on,
        },
    )
    # then
    assert response.status_code == 200, response.content
    token = re.search(r'<code id="api-token"[^>]*>(zk_[\w-]+)</code>', response.content.decode()).group(1)
    api_token = ApiToken.objects.get()
    assert (api_token.user, api_token.token_sha256) == (officer, token_digest(token))
    assert token not in client.get(f"{CHANGELIST}{api_token.pk}/change/").content.decode()


def test_the_revoke_action(client, provider_user):
    # given
    api_token, _token = make_token(provider_user)
    client.force_login(administrator())
    # when
    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [api_token.pk]})
    # then
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    assert AuditEvent.objects.filter(event="apitoken.revoked").exists()


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_make_no_tokens_in_the_admin(client, role):
    client.force_login(getattr(factories, role)())
    assert client.get(ADD).status_code == 403
