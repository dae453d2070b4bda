"""Every surface over the demo data, read the way a user reads it: amounts, percentages and dates in
the Dutch way, no "None", no codes (tests/ui/scanner.py says what counts and what is allowed).

The demo (manage.py seed_demo) is seeded once for the module; each surface is a separate test so that
a failure names the page, PDF or sheet."""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.urls import reverse

from audit.models import AuditEvent
from compliance.models import AccountabilityDocument
from compliance.reports.history import states_at
from compliance.reports.pdf.period import agreement_state_label
from compliance.reports.scope import agreement_scope
from compliance.reports.services import export_request
from contracting.models import (
    Agreement,
    Application,
    ApplicationAssessment,
    AssessmentStep,
    ContractingAuthority,
    Procedure,
    Provider,
)
from core import clock, formatting
from devtools import demo_data
from tests.ui.scanner import findings, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    documents = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("demo-documents"))},
    }
    with (
        override_settings(
            STORAGES={**settings.STORAGES, "documents": documents},
            MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
            CLAMD_SOCKET="",
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


# The library pages of reference data show their keys: a condition's or document type's code is the
# identifier an administrator maintains (labelled "Code"), and the WNT norms carry the scope and class
# names of the published regulation (reference/wnt_norms.csv). Only codes are allowed there, no formats.
REFERENCE_KEY_PAGES = ("compliance.Condition ", "compliance.DocumentType ", "contracting.WntNorm ")


def page_findings(name: str, text: str) -> list[str]:
    found = findings(text)
    if name.startswith(REFERENCE_KEY_PAGES):
        found = [f for f in found if not f.startswith("snake_case code")]
    return found


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def assert_dutch(where: str, text: str) -> None:
    problems = findings(text)
    assert not problems, f"{where}:\n" + "\n".join(problems[:25])


def admin_pages() -> list[tuple[str, str]]:
    """(name, url) of every changelist and of the change page of its newest object."""
    pages = [("admin index", reverse("admin:index"))]
    for model, _model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        opts = model._meta
        pages.append((f"{opts.label} list", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
        obj = model._default_manager.order_by("-pk").first()
        if obj is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
            pages.append((f"{opts.label} {obj.pk}", url))
    return pages


def test_every_admin_list_and_change_page_reads_dutch(demo):
    # given an officer
    client = client_of("inkoper")
    problems = []
    # when every list and change page is rendered
    for name, url in admin_pages():
        response = client.get(url)
        if response.status_code == 403:  # officers do not see every model (e.g. users)
            continue
        assert response.status_code == 200, (name, url, response.status_code)
        problems += [
            f"{name} ({url}): {p}" for p in page_findings(name, visible_text(response.content.decode()))
        ]
    # then nothing in an English/ISO format, no None, no codes
    assert not problems, "\n".join(problems[:40]) + f"\n… {len(problems)} in all"


def test_the_admin_of_an_administrator_reads_dutch(demo):
    # given an administrator (sees users, groups and the background tasks)
    client = client_of("beheerder")
    problems = []
    for name, url in admin_pages():
        response = client.get(url)
        if response.status_code != 200:
            continue
        problems += [
            f"{name} ({url}): {p}" for p in page_findings(name, visible_text(response.content.decode()))
        ]
    assert not problems, "\n".join(problems[:40]) + f"\n… {len(problems)} in all"


def test_pages_with_a_date_read_dutch(demo):
    # given agreements and the as-of page, the matrix and the export form
    client = client_of("inkoper")
    agreement = Agreement.objects.order_by("start_date").first()
    day = datetime.date(clock.today().year - 1, 12, 31)
    urls = [
        reverse("admin:compliance_export_as_of", args=["contracting", "agreement", quote(agreement.pk)])
        + f"?date={day.isoformat()}",
        reverse("admin:compliance_matrix"),
        reverse("admin:compliance_export_changelist"),
    ]
    for url in urls:
        # when
        response = client.get(url)
        # then
        assert response.status_code == 200, url
        assert_dutch(url, visible_text(response.content.decode()))


def test_the_portal_reads_dutch(demo):
    # given the demo provider user
    client = client_of("aanbieder")
    provider = Provider.objects.get(name=demo_data.PROVIDER_OF_DEMO_USER)
    urls = [reverse("portal:dashboard"), reverse("portal:documents")]
    urls += [
        reverse("portal:document", args=[d.uuid])
        for d in AccountabilityDocument.objects.filter(provider=provider).order_by("-pk")[:5]
    ]
    for url in urls:
        # when
        response = client.get(url, follow=True)
        # then
        assert response.status_code == 200, url
        assert_dutch(url, visible_text(response.content.decode()))


def made(kind: str, parameters: dict, username: str = "inkoper"):
    actor = get_user_model().objects.get(username=username)
    export = export_request(
        kind=kind, parameters={**parameters, "language": "nl"}, actor=actor, background=False
    )
    assert export.status == "done", export.error
    with export.file.open("rb") as handle:
        return handle.read()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def region() -> ContractingAuthority:
    return ContractingAuthority.objects.get(name=demo_data.REGION_NAME)


def last_year() -> dict:
    year = clock.today().year - 1
    return {"period_start": f"{year}-01-01", "period_end": f"{year}-12-31"}


@pytest.mark.parametrize("username", ["inkoper", "aanbieder"])
def test_the_provider_dossier_reads_dutch(demo, username):
    # given the demo provider, with a view as of the end of last year
    provider = Provider.objects.get(name=demo_data.PROVIDER_OF_DEMO_USER)
    parameters = {"provider": str(provider.uuid), "as_of": f"{clock.today().year - 1}-12-31"}
    if username == "aanbieder":
        parameters.pop("as_of")
    # when
    text = pdf_text(made("provider_dossier", parameters, username))
    # then
    assert_dutch("dossier", text)


def test_the_period_report_reads_dutch(demo):
    text = pdf_text(made("period_report", {"authority": str(region().uuid), **last_year()}))
    assert_dutch("period report", text)


def test_every_procedure_report_reads_dutch(demo):
    for procedure in Procedure.objects.exclude(status="draft"):
        text = pdf_text(made("procedure_report", {"procedure": str(procedure.uuid)}))
        assert_dutch(f"procedure report {procedure.reference}", text)


def test_the_workbook_reads_dutch_and_keeps_numbers_numeric(demo):
    # given the workbook of the region for last year
    content = made("workbook", {"authority": str(region().uuid), **last_year()})
    # when every cell is read back
    book = load_workbook(io.BytesIO(content))
    problems, unformatted = [], []
    formats = {
        formatting.WORKBOOK_MONEY,
        formatting.WORKBOOK_PERCENT,
        formatting.WORKBOOK_NUMBER,
        formatting.WORKBOOK_DATE,
        formatting.WORKBOOK_DATETIME,
    }
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    problems += [f"{sheet.title}!{cell.coordinate}: {p}" for p in findings(cell.value)]
                elif (
                    isinstance(cell.value, float | Decimal | datetime.date)
                    and cell.number_format not in formats
                ):
                    unformatted.append(f"{sheet.title}!{cell.coordinate}: {cell.number_format}")
    # then text reads Dutch and every amount, share or date has one of the workbook formats
    assert not problems, "\n".join(problems[:40])
    assert not unformatted, "\n".join(sorted(set(unformatted))[:40])


# --------------------------------------------------------------------------- the defects that were seen


def test_the_export_form_fills_its_date_inputs_with_iso_dates(demo):
    # given an officer on the exports page
    client = client_of("inkoper")
    # when
    response = client.get(reverse("admin:compliance_export_changelist"))
    # then <input type=date> gets the ISO value it understands (the browser shows it the Dutch way)
    year = clock.today().year
    html = response.content.decode()
    assert f'name="period_start" value="{year}-01-01"' in html
    assert f'name="period_end" value="{year}-12-31"' in html


def test_the_as_of_view_knows_the_tariffs_that_existed_on_that_date(demo):
    # given an agreement running at the end of last year, with lots and tariffs of that year
    client = client_of("inkoper")
    day = datetime.date(clock.today().year - 1, 12, 31)
    agreement = (
        Agreement.objects.filter(start_date__lte=day, end_date__gte=day, sub_agreements__isnull=False)
        .order_by("reference")
        .first()
    )
    url = reverse("admin:compliance_export_as_of", args=["contracting", "agreement", quote(agreement.pk)])
    # when
    response = client.get(url, {"date": day.isoformat()})
    # then every tariff of its products is known on that date
    tariffs = response.context["as_of"].tariffs
    assert tariffs
    assert all(t.amount is not None for t in tariffs), [t.product.code for t in tariffs if t.amount is None]


def test_the_period_report_counts_the_states_at_the_end_of_the_period(demo):
    # given the agreements of the region running last year, some of which changed state since
    year = clock.today().year - 1
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    agreements = list(agreement_scope(region(), start, end))
    then = Counter(states_at(agreements, clock.end_of_day(end)).values())
    now = Counter(a.status for a in agreements)
    assert then != now  # the demo has agreements whose state changed after last year
    # when
    text = pdf_text(made("period_report", {"authority": str(region().uuid), **last_year()}))
    # then the key figures are those of the end of the period
    for state, n in then.items():
        assert f"{agreement_state_label(state)} {n} " in text, (state, n)


def test_assessments_are_listed_in_the_order_of_the_steps(demo):
    # given an application assessed on every step
    application = (
        Application.objects.annotate(steps=Count("assessments")).filter(steps__gte=3).order_by("pk").first()
    )
    # when its change page is opened
    response = client_of("inkoper").get(
        reverse("admin:contracting_application_change", args=[quote(application.pk)])
    )
    # then the inline lists them step by step, not alphabetically by code
    [inline] = [f for f in response.context["inline_admin_formsets"] if f.opts.model is ApplicationAssessment]
    steps = [form.original.step for form in inline]
    assert steps == sorted(steps, key=AssessmentStep.values.index)
    assert steps != sorted(steps)  # alphabetical would differ: the test can tell them apart


def test_the_start_page_is_branded_and_lists_the_users_own_recent_steps(demo):
    # given an officer who took steps in the demo
    client = client_of("inkoper")
    # when
    response = client.get(reverse("admin:index"))
    # then
    html = response.content.decode()
    assert response.context["site_header"].startswith("Zorginkoop")
    assert "Django" not in visible_text(html)
    newest = AuditEvent.objects.filter(actor__username="inkoper").order_by("-id").first()
    assert f'data-event="{newest.event}"' in html


def test_background_tasks_are_for_administrators_only(demo):
    # given the task queue's admin
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    # when / then
    assert client_of("inkoper").get(url).status_code == 403
    assert client_of("beheerder").get(url).status_code == 200
    assert "django_tasks_database" not in str(
        client_of("inkoper").get(reverse("workspace:apps")).context["app_list"]
    )
