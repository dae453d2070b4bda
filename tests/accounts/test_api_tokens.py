"""API tokens: made and revoked through the service (who may, the audit event), stored only as a hash."""

import datetime

import pytest

from accounts.models import ApiToken, token_digest
from accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from audit.models import AuditEvent
from core import clock
from core.exceptions import InvalidInput, TransitionForbidden
from tests import factories
from tests.accounts.helpers import administrator, make_token

pytestmark = pytest.mark.django_db


def in_days(days: int) -> datetime.date:
    return clock.today() + datetime.timedelta(days=days)


def test_a_provider_user_makes_a_token_stored_only_as_its_hash(provider_user):
    # when
    api_token, token = api_token_create(
        actor=provider_user, name="Declaratiesysteem", scopes=["write", "read"], expires_on=in_days(90)
    )
    # then
    api_token.refresh_from_db()
    assert token.startswith("zk_") and len(token) > 40
    assert api_token.token_sha256 == token_digest(token)
    assert token not in {str(value) for value in ApiToken.objects.values().get().values()}
    assert (api_token.user, api_token.scopes, api_token.prefix) == (provider_user, "read write", token[:10])
    event = AuditEvent.objects.get(event="apitoken.created")
    assert (event.actor, event.subject_uuid) == (provider_user, api_token.uuid)
    assert token not in str(event.data)


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_do_not_make_their_own_tokens(role):
    user = getattr(factories, role)()
    with pytest.raises(TransitionForbidden):
        api_token_create(actor=user, name="x", scopes=["read"], expires_on=in_days(30))
    assert not AuditEvent.objects.filter(event="apitoken.created").exists()


def test_an_administrator_makes_a_token_for_another_user(officer):
    # given a municipal system's account
    admin = administrator()
    # when
    api_token, _token = api_token_create(
        actor=admin, user=officer, name="Gemeentelijk systeem", scopes=["read"], expires_on=in_days(30)
    )
    # then
    assert (api_token.user, api_token.created_by) == (officer, admin)


def test_a_provider_user_makes_no_token_for_someone_else(provider_user, provider):
    other = factories.provider_user(provider)
    with pytest.raises(TransitionForbidden):
        api_token_create(actor=provider_user, user=other, name="x", scopes=["read"], expires_on=in_days(30))


@pytest.mark.parametrize(
    ("name", "scopes", "days"),
    [("", ["read"], 30), ("x", [], 30), ("x", ["admin"], 30), ("x", ["read"], 0), ("x", ["read"], 366)],
)
def test_invalid_tokens_are_refused(provider_user, name, scopes, days):
    with pytest.raises(InvalidInput):
        api_token_create(actor=provider_user, name=name, scopes=scopes, expires_on=in_days(days))
    assert not ApiToken.objects.exists()


def test_revoking_records_an_event_and_the_token_stops_working(provider_user):
    # given
    api_token, token = make_token(provider_user)
    assert api_token_authenticate(token) == api_token
    # when
    api_token_revoke(actor=provider_user, uuid=api_token.uuid)
    # then
    assert api_token_authenticate(token) is None
    assert AuditEvent.objects.filter(event="apitoken.revoked", subject_uuid=api_token.uuid).count() == 1


def test_nobody_else_revokes_a_users_token(provider_user, provider, officer):
    api_token, _token = make_token(provider_user)
    for actor in (factories.provider_user(provider), officer):
        with pytest.raises(TransitionForbidden):
            api_token_revoke(actor=actor, uuid=api_token.uuid)
    api_token_revoke(actor=administrator(), uuid=api_token.uuid)  # the administrator may
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None


def test_an_expired_token_or_an_inactive_user_does_not_authenticate(provider_user):
    # given
    _api_token, token = make_token(provider_user, days=1)
    # then
    with clock.travel(clock.now() + datetime.timedelta(days=2)):
        assert api_token_authenticate(token) is None
    provider_user.is_active = False
    provider_user.save()
    assert api_token_authenticate(token) is None


def test_the_last_use_is_written_at_most_once_a_minute(provider_user, django_assert_num_queries):
    # given
    api_token, token = make_token(provider_user)
    start = clock.now()
    with clock.travel(start, tick=False):
        api_token_authenticate(token)
        # when used again within the minute: one read, no write
        with django_assert_num_queries(1):
            api_token_authenticate(token)
    api_token.refresh_from_db()
    assert api_token.last_used_at == start
    # and a minute later the use is recorded again
    with clock.travel(start + datetime.timedelta(seconds=61), tick=False):
        api_token_authenticate(token)
    api_token.refresh_from_db()
    assert api_token.last_used_at == start + datetime.timedelta(seconds=61)


@pytest.mark.parametrize("token", ["", "zk_", "zk_" + "x" * 200, "not-a-token"])
def test_garbage_does_not_authenticate_and_writes_nothing(token, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert api_token_authenticate(token) is None
