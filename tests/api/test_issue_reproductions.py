"""The curl reproductions of issue 11 ("What was measured"), each with the test that would catch it again.
Most live beside the code they test; this module adds the API-level ones that were missing (the import
file's line ends, UTF-16 and a 10 MB header, sent as the measurement sent them: to the API).

| finding | test |
| --- | --- |
| ADR Spectral errors: API-Version undocumented, no 400 on GETs, snake_case query keys, no contact, servers or /openapi.json | tests/api/test_openapi.py::test_the_schema_follows_the_nl_api_design_rules_that_spectral_checks (and `make api-lint`) |
| /openapi.json, /docs, the dossier and unknown-URL 404s without API-Version | tests/api/test_api_version.py::test_every_api_response_carries_the_version, ::test_errors_without_credentials_carry_it_too, ::test_the_dossier_carries_it |
| no CORS header on the schema | tests/api/test_cors.py::test_the_schema_may_be_read_from_any_origin |
| no 401: anonymous and a wrong password get 403 without WWW-Authenticate | tests/api/test_authentication.py::test_anonymous_requests_get_401_with_a_bearer_challenge, ::test_a_wrong_token_gets_401_invalid_token, ::test_basic_authentication_is_off_by_default |
| `?subjectType=` silently ignored on /audit-events | tests/api/test_query_parameters.py::test_audit_events_filter_on_camel_case_keys |
| unknown query keys and pageSize=abc ignored; out-of-range page an undocumented 404 | tests/api/test_query_parameters.py::test_an_unknown_query_key_is_refused, ::test_bad_pages_and_page_sizes_are_refused |
| dossier ?asOf= 409 with Python's error text (indexation_pct None) | tests/compliance/reports/test_dossier_missing_tariff.py::test_the_dossier_endpoint_answers_a_pdf_for_a_date_without_a_tariff, ::test_a_failed_dossier_is_a_problem_without_the_python_error |
| concurrent failed logins: 500 `database is locked` on SQLite | tests/config/test_sqlite.py::test_concurrent_failed_logins_wait_in_turn_on_sqlite, tests/audit/test_login_failures.py::test_500_failed_logins_with_random_usernames_add_one_event |
| no write returns 428; If-Match ignored on /assessments and uploads | tests/api/test_if_match.py::test_a_transition_without_if_match_is_refused_with_428_and_changes_nothing, ::test_an_assessment_without_if_match_is_refused_with_428, ::test_an_upload_without_if_match_is_refused_with_428_and_stores_nothing |
| a stale If-Match answered 412 before the permission check | tests/api/test_if_match.py::test_an_auditor_with_a_stale_or_missing_if_match_gets_403_not_412, ::test_a_provider_user_who_may_not_take_the_step_gets_403_not_412 |
| If-None-Match ignored (no 304) | tests/api/test_agreements.py::test_if_none_match_with_the_current_etag_answers_304_without_a_body |
| schema mismatches: untyped export parameters, dismiss's reason, download content types | tests/api/test_schema_matches_behaviour.py |
| only sessions and HTTP Basic (PBKDF2 on every request) | tests/api/test_authentication.py::test_a_token_reads_what_its_user_may_see_and_nothing_more, ::test_basic_authentication_is_off_by_default |
| a stray `"` makes the import quadratic | tests/compliance/fraud/test_reading.py::test_a_stray_quote_costs_one_pass_over_the_text, ::test_a_stray_quote_is_the_row_error_it_is_and_the_rest_is_stored |
| old-Mac line ends, UTF-16 and a 10 MB header without a line end give 500 | here: test_old_mac_line_endings_import, test_utf16_import, test_10mb_header_without_newline (the reader: tests/compliance/fraud/test_reading.py) |
| a killed worker leaves the uploaded file with clear BSNs in the temp directory | tests/compliance/fraud/test_killed_upload.py::test_a_killed_server_leaves_no_file_with_clear_bsns_and_no_batch (SIGKILL mid-upload, PostgreSQL pass) |
| a lost database connection leaves an export `running` forever; a retry skips it | tests/compliance/reports/test_exports.py::test_an_export_whose_worker_died_is_abandoned_after_the_timeout_and_can_be_started_again |
"""

import codecs
import io
import re
from pathlib import Path

import pytest

from django.conf import settings

from compliance.models import DeclarationLine, ImportBatch, ImportStatus
from tests.api.helpers import assert_problem, fresh_client
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import DECLARATION_HEADER

pytestmark = pytest.mark.django_db

world = fraud_fixtures.world


def _text(world, *, delimiter: str = ",", end: str = "\n", rows: int = 3) -> str:
    lines = [delimiter.join(DECLARATION_HEADER)]
    lines += [delimiter.join(world.declaration(allocation_number=f"T-{i}")) for i in range(rows)]
    return end.join(lines) + end


def _post(officer, world, data: bytes):
    upload = io.BytesIO(data)
    upload.name = "declaraties.csv"
    return fresh_client(officer).post(
        "/api/v1/declarations/imports",
        {"file": upload, "authority": str(world.authority.uuid), "kind": "declarations"},
        format="multipart",
    )


def test_old_mac_line_endings_import(world, officer):
    # when: lines ended by a bare CR, as old Mac Excel saves CSV
    response = _post(officer, world, _text(world, end="\r").encode())
    # then
    assert response.status_code == 201, response.content
    assert (response.json()["rowsImported"], response.json()["rowsRejected"]) == (3, 0)
    assert DeclarationLine.objects.count() == 3


def test_utf16_import(world, officer):
    # when: Excel's "Unicode text": UTF-16 LE with its byte order mark, tab-separated, CRLF
    data = codecs.BOM_UTF16_LE + _text(world, delimiter="\t", end="\r\n").encode("utf-16-le")
    response = _post(officer, world, data)
    # then
    assert response.status_code == 201, response.content
    assert (response.json()["rowsImported"], response.json()["rowsRejected"]) == (3, 0)


def test_10mb_header_without_newline(world, officer):
    # when
    response = _post(officer, world, b"provider_agb," + b"x" * (10 * 1024 * 1024))
    # then: refused as a file, with its code, and nothing stored
    problem = assert_problem(response, 400, "import_file_invalid")
    assert [(p["name"], p["code"]) for p in problem["invalidParams"]] == [("file", "header_too_long")]
    assert not DeclarationLine.objects.exists()
    assert set(ImportBatch.objects.values_list("status", flat=True)) <= {ImportStatus.REJECTED}


def test_every_test_the_index_names_exists():
    """The table above stays true: each file it names holds each test it names."""
    named = []
    for row in (__doc__ or "").splitlines()[5:]:
        path = None
        for file, test in re.findall(
            r"(tests/[\w/]+\.py)?(?:::(\w+))?", row.split("|")[2] if "|" in row else ""
        ):
            path = file or path
            if test:
                named.append((path, test))
    assert len(named) >= 20
    root = Path(settings.BASE_DIR)
    missing = [(p, t) for p, t in named if f"def {t}(" not in (root / p).read_text()]
    assert missing == []
