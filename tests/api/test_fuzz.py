"""Property-based fuzzing of the whole API with schemathesis (issue 11), run by `make fuzz` and in the
normal suite: every operation of the schema the running application serves (/api/v1/openapi.json, read
through its WSGI app), as officer, auditor, provider user (each with a Bearer API token) and anonymous,
with all of schemathesis' default checks. Bounded and derandomized (FUZZ_EXAMPLES examples per
operation, a fixed seed), so a failure reproduces and the step stays within a few minutes.

The requests reach real records: a world of one provider with its procedure, application, agreement,
document (with a file), fraud signal, coalition membership, declaration import, export and audit event,
whose uuids replace the generated ones in the paths of positive cases (half of the time: the other half
keeps the generated value, which finds the 404s). Each generated request is sent as every role in
turn (anonymous first, the officer, who may change things, last), so each operation is one test.

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
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from accounts.services import api_token_create
from audit.models import AuditEvent
from compliance.models import ExportKind
from compliance.reports.services import export_request
from core import clock
from tests import factories
from tests.accounts.helpers import administrator
from tests.compliance.documents.helpers import uploaded
from tests.compliance.factories import FraudSignalFactory
from tests.security.objects import import_batch

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
ROLES = ["anonymous", "provider_user", "auditor", "officer"]  # the officer, who changes things, last

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

#: the first path segment -> the value of the world's record for its `{uuid}` (or `{hash}`); set by `world`
RECORDS: dict[str, str] = {}


def _with_real_records(case) -> None:
    """A positive case's path names a real record half of the time (the other half keeps the generated
    uuid, which finds the 404s); a negative case is left as generated, so that it stays negative."""
    parameters = case.path_parameters
    if not parameters or case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    resource = case.operation.path.strip("/").split("/")[0]
    key = "hash" if "hash" in parameters else "uuid"
    if resource in RECORDS and key in parameters and int(str(parameters[key])[-1], 16) % 2 == 0:
        parameters[key] = RECORDS[resource]
        if "number" in parameters:
            parameters["number"] = 1


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
def one_connection():
    """The WSGI app sends request_started/finished, whose close_old_connections would close the test's
    connection inside its transaction (PostgreSQL: "the connection is closed"; SQLite's in-memory database
    ignores it). Django's test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, one_connection):
    """The records the fuzzer's requests find: all of one provider, so visible to its provider user."""
    provider = factories.ProviderFactory()
    provider_user = factories.provider_user(provider)
    procedure = factories.ready_to_open_procedure()
    application = factories.ApplicationFactory(provider=provider, submitted=True)
    agreement = factories.agreement_with_details(provider=provider)
    document = uploaded(provider_user)
    signal = FraudSignalFactory(provider=provider, rule="declared_above_allocated")  # a real rule
    membership = factories.MembershipFactory(provider=provider, active=True)
    batch = import_batch()
    export = export_request(
        kind=ExportKind.PROVIDER_DOSSIER,
        parameters={"provider": str(provider.uuid)},
        actor=provider_user,
        background=False,
    )
    RECORDS.clear()
    RECORDS.update(
        {
            "providers": str(provider.uuid),
            "procedures": str(procedure.uuid),
            "applications": str(application.uuid),
            "agreements": str(agreement.uuid),
            "authorities": str(agreement.authority.uuid),
            "documents": str(document.uuid),
            "signals": str(signal.uuid),
            "coalitions": str(membership.coalition.uuid),
            "memberships": str(membership.uuid),
            "declarations": str(batch.uuid),
            "exports": str(export.uuid),
            "products": str(factories.ProductFactory().uuid),
            "audit-events": AuditEvent.objects.order_by("-pk").values_list("hash", flat=True)[0],
        }
    )
    officer, auditor = factories.officer(), factories.auditor()
    return {
        "anonymous": {},
        **{
            role: {"Authorization": f"Bearer {_token(user)}"}
            for role, user in (("provider_user", provider_user), ("auditor", auditor), ("officer", officer))
        },
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api(case, world):
    # call_and_validate raises on any failed check (server error, schema violation ...); the status is
    # asserted as well, so that the rule "every test asserts" sees what this test decides
    _with_real_records(case)
    for role in ROLES:
        try:
            response = case.call_and_validate(headers=world[role])
        except Exception as exc:
            exc.add_note(f"as {role}")
            raise
        assert response.status_code < 500, role
