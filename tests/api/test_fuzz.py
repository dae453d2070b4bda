"""Property-based fuzzing of the whole API with schemathesis (issue 11), run by `make fuzz` and in the
normal suite: every operation of the schema the running application serves (/api/v1/openapi.json, read
through its WSGI app), as officer, auditor, provider user (each with a Bearer API token) and anonymous,
with all of schemathesis' default checks. Bounded and derandomized (FUZZ_EXAMPLES examples per
operation, a fixed seed), so a failure reproduces and the step stays within a few minutes.

No check is disabled. One check is widened, with its reason:
- positive_data_acceptance (a request that matches the schema must not be refused) also accepts 400,
  412 and 428: the schema cannot say that a referenced uuid must exist (`does_not_exist`), that a page
  must lie within the result (`out_of_range`) or that a generated `If-Match` must be the current ETag
  (412; 428 without one). Those answers are still checked against their documented problem schema.
The `Authorization` header is the role's Bearer token (none for anonymous): wrong credentials are
covered by tests/api/test_authentication.py.
"""

import datetime
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from django.core.wsgi import get_wsgi_application

from accounts.services import api_token_create
from core import clock
from tests import factories
from tests.accounts.helpers import administrator

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
ROLES = ["officer", "auditor", "provider_user", "anonymous"]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261205,
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "428", "429"]
            }
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)


def _token(user) -> str:
    _api_token, token = api_token_create(
        actor=administrator() if user.is_staff else user,
        user=user,
        name="Fuzzer",
        scopes=["read", "write"],
        expires_on=clock.today() + datetime.timedelta(days=30),
    )
    return token


@pytest.fixture
def world(db):
    """A small world the fuzzer's requests can find: a procedure, an agreement, a provider with its user."""
    provider = factories.ProviderFactory()
    factories.ready_to_open_procedure()
    factories.agreement_with_details(provider=provider)
    return {
        "officer": factories.officer(),
        "auditor": factories.auditor(),
        "provider_user": factories.provider_user(provider),
    }


@pytest.fixture(params=ROLES)
def auth_headers(request, world) -> dict[str, str]:
    if request.param == "anonymous":
        return {}
    return {"Authorization": f"Bearer {_token(world[request.param])}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api(case, auth_headers):
    # call_and_validate raises on any failed check (server error, schema violation ...); the status is
    # asserted as well, so that the rule "every test asserts" sees what this test decides
    response = case.call_and_validate(headers=auth_headers)
    assert response.status_code < 500
