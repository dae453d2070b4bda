"""Who calls the API: API tokens (Bearer), sessions, and HTTP basic only when the setting allows it.
Missing or wrong credentials answer 401 with a Bearer challenge; a known caller without permission 403."""

import datetime
import io

import pytest

from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import api_token_revoke
from core import clock
from core.transitions import version_tag
from tests import factories
from tests.accounts.helpers import bearer, make_token
from tests.api.helpers import assert_problem, transition_url
from tests.compliance import files
from tests.compliance.documents.helpers import requested
from tests.security.logins import PASSWORD, basic

pytestmark = pytest.mark.django_db

CHALLENGE = 'Bearer realm="zorginkoop"'


def pdf_upload() -> io.BytesIO:
    upload = io.BytesIO(files.pdf())
    upload.name = "beleid.pdf"
    return upload


def test_anonymous_requests_get_401_with_a_bearer_challenge(api_client):
    response = api_client.get("/api/v1/agreements")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize("header", ["Bearer zk_wrong", "Bearer", "Bearer a b", "Bearer zk_\u00e9"])
def test_a_wrong_token_gets_401_invalid_token(api_client, header):
    response = api_client.get("/api/v1/agreements", HTTP_AUTHORIZATION=header)
    assert_problem(response, 401, "invalid_token")
    assert response["WWW-Authenticate"] == CHALLENGE + ', error="invalid_token"'


def test_a_token_reads_what_its_user_may_see_and_nothing_more(api_client, provider, provider_user):
    # given
    own = factories.AgreementFactory(provider=provider)
    other = factories.AgreementFactory()
    _api_token, token = make_token(provider_user)
    # when
    listed = api_client.get("/api/v1/agreements", **bearer(token))
    theirs = api_client.get(f"/api/v1/agreements/{other.uuid}", **bearer(token))
    # then
    assert listed.status_code == 200
    assert [row["uuid"] for row in listed.json()["results"]] == [str(own.uuid)]
    assert_problem(theirs, 404, "not_found")


def test_a_revoked_or_expired_token_gets_401(api_client, provider_user):
    api_token, token = make_token(provider_user, days=1)
    with clock.travel(clock.now() + datetime.timedelta(days=2)):
        assert_problem(api_client.get("/api/v1/agreements", **bearer(token)), 401, "invalid_token")
    api_token_revoke(actor=provider_user, uuid=api_token.uuid)
    assert_problem(api_client.get("/api/v1/agreements", **bearer(token)), 401, "invalid_token")


def test_a_read_token_may_not_write(api_client, provider, provider_user):
    # given
    document = requested(provider=provider)
    _api_token, token = make_token(provider_user, scopes=["read"])
    # when
    response = api_client.post(
        f"/api/v1/documents/{document.uuid}/versions",
        {"file": pdf_upload()},
        format="multipart",
        **bearer(token),
    )
    # then
    assert_problem(response, 403, "insufficient_scope")


def test_a_write_token_uploads_without_a_csrf_token(provider, provider_user):
    # given: a client that checks CSRF as a browser does (a token is no cookie: no CSRF check applies)
    client = APIClient(enforce_csrf_checks=True)
    document = requested(provider=provider)
    _api_token, token = make_token(provider_user, scopes=["write"])
    # when
    response = client.post(
        f"/api/v1/documents/{document.uuid}/versions",
        {"file": pdf_upload()},
        format="multipart",
        HTTP_IF_MATCH=version_tag(document),  # the version the provider's system read before
        **bearer(token),
    )
    # then
    assert response.status_code == 201, response.content


def test_a_known_caller_without_permission_gets_403(api_client, auditor):
    # given an auditor's token (made by an administrator) with scope write
    agreement = factories.AgreementFactory(active=True)
    _api_token, token = make_token(auditor, scopes=["read", "write"])
    # when
    response = api_client.post(
        transition_url("agreements", agreement, "suspend"), {"reason": "x"}, **bearer(token)
    )
    # then
    assert_problem(response, 403, "transition_forbidden")


def test_a_staff_users_token_works_without_a_second_factor(api_client, officer):
    # the administrator made it in the admin, behind the second factor
    _api_token, token = make_token(officer)
    assert api_client.get("/api/v1/agreements", **bearer(token)).status_code == 200


def test_basic_authentication_is_off_by_default(api_client, provider_user):
    response = api_client.get(
        "/api/v1/agreements", HTTP_AUTHORIZATION=basic(provider_user.username, PASSWORD)
    )
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == CHALLENGE


def test_basic_authentication_works_when_the_setting_allows_it(api_client, provider_user, settings):
    settings.API_ALLOW_BASIC_AUTH = True
    response = api_client.get(
        "/api/v1/agreements", HTTP_AUTHORIZATION=basic(provider_user.username, PASSWORD)
    )
    assert response.status_code == 200
    wrong = api_client.get("/api/v1/agreements", HTTP_AUTHORIZATION=basic(provider_user.username, "fout"))
    assert_problem(wrong, 401, "authentication_failed")


# --------------------------------------------------------------------------- throttling


@pytest.fixture
def rates(settings):
    cache.clear()
    settings.API_THROTTLE_RATES = {"token": "3/minute", "user": "2/minute", "anon": "1/minute"}
    yield settings.API_THROTTLE_RATES
    cache.clear()


def test_a_token_over_its_rate_gets_429_with_retry_after(api_client, provider_user, rates):
    # given
    _api_token, token = make_token(provider_user)
    _other_token, other = make_token(provider_user)
    # when
    answers = [api_client.get("/api/v1/agreements", **bearer(token)) for _ in range(4)]
    # then
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert_problem(answers[-1], 429, "throttled")
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert api_client.get("/api/v1/agreements", **bearer(other)).status_code == 200  # counted per token


def test_anonymous_callers_are_throttled_per_address(api_client, rates):
    # (elsewhere an anonymous request is refused with 401 before its rate is counted)
    assert api_client.get("/api/v1/openapi.json").status_code == 200
    assert_problem(api_client.get("/api/v1/openapi.json"), 429, "throttled")


def test_a_session_user_is_throttled_per_user(client, provider_user, rates):
    client.force_login(provider_user)
    codes = [client.get("/api/v1/agreements").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
