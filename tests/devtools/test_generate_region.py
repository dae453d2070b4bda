"""generate_region: the counts of its scale, data that is valid by the models' own rules, an audit trail that
verifies, a refusal to add to a database with data, and pages whose number of queries does not grow with
the data (the same on the ``small`` region as on the ``tiny`` one)."""

import datetime
import hashlib
import io

import pytest

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import verify_trail
from coalitions.models import Coalition, CoalitionStatus, Membership, MembershipRole, MembershipStatus
from compliance.models import (
    AccountabilityDocument,
    DeclarationLine,
    DocumentStatus,
    DocumentVersion,
    ImportBatch,
    ImportStatus,
)
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    BudgetCeiling,
    ContractingAuthority,
    Lot,
    Procedure,
    Provider,
    SubAgreement,
    Tariff,
)
from core import clock
from core.storage import document_storage
from devtools.region import REGION_NAME, SCALES, RegionGenerator
from tests import factories
from tests.api_client import VersionedClient

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
SMALL = SCALES["small"]
DECLARATIONS = 20_000  # fewer than the scale's 200,000: the import is tested elsewhere; this keeps it quick


@pytest.fixture
def small_region():
    out = io.StringIO()
    with clock.travel(TODAY):
        call_command("generate_region", "--scale", "small", "--declarations", str(DECLARATIONS), stdout=out)
    return out.getvalue()


def test_small_region_has_the_counts_of_its_scale(small_region):
    # then: every phase reported its time
    for phase in ("parties", "catalogue", "procedures", "agreements", "coalitions", "documents", "declarations",
                  "audit trail"):  # fmt: skip
        assert phase in small_region
    region = ContractingAuthority.objects.get(name=REGION_NAME)
    assert region.members.count() == 3
    assert Provider.objects.count() == SMALL.providers
    assert Procedure.objects.count() == SMALL.procedures
    assert Lot.objects.count() == 3 * SMALL.procedures
    assert Agreement.objects.count() == SMALL.agreements == 125
    assert Tariff.objects.filter(authority=region).exists()
    assert Coalition.objects.count() == SMALL.coalitions
    assert Membership.objects.count() == SMALL.memberships
    assert AccountabilityDocument.objects.count() == SMALL.documents
    assert AuditEvent.objects.count() == SMALL.audit_events
    batches = ImportBatch.objects.filter(status=ImportStatus.COMPLETED)
    assert {b.kind for b in batches} == {"allocations", "declarations"}
    assert all(b.rows_rejected == 0 for b in batches)
    stored = DeclarationLine.objects.count()
    assert stored == batches.get(kind="declarations").rows_imported
    assert DECLARATIONS <= stored < DECLARATIONS * 1.1


def test_small_region_is_consistent(small_region):
    region = ContractingAuthority.objects.get(name=REGION_NAME)
    # agreements: of the region, from an admitted application of their provider to a concluded procedure,
    # for lots of that procedure, with budget ceilings per participating municipality
    agreements = Agreement.objects.all()
    assert not agreements.exclude(authority=region).exists()
    assert not agreements.exclude(application__provider=F("provider")).exists()
    assert not agreements.exclude(application__procedure=F("procedure")).exists()
    assert not Application.objects.exclude(status=ApplicationStatus.ADMITTED).exists()
    assert not agreements.exclude(procedure__status="concluded").exists()
    assert not SubAgreement.objects.exclude(lot__procedure=F("agreement__procedure")).exists()
    assert not agreements.annotate(n=Count("sub_agreements")).filter(n=0).exists()
    assert not BudgetCeiling.objects.exclude(municipality__in=region.members.all()).exists()
    live = agreements.filter(status__in=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED])
    assert live.count() > 0.8 * SMALL.agreements
    assert not live.filter(end_date__lt=TODAY).exists()
    assert not agreements.filter(status=AgreementStatus.SUSPENDED, suspension_reason="").exists()
    # coalitions: an active one has exactly one active lead
    for coalition in Coalition.objects.filter(status=CoalitionStatus.ACTIVE):
        leads = coalition.memberships.filter(role=MembershipRole.LEAD, status=MembershipStatus.ACTIVE)
        assert leads.count() == 1
    # documents: every state that has a file points to a stored file with that SHA-256
    documents = AccountabilityDocument.objects.all()
    assert {d.status for d in documents} >= {"requested", "submitted", "in_review", "accepted", "rejected"}
    assert not documents.filter(status=DocumentStatus.ACCEPTED, valid_until__lt=TODAY).exists()
    assert not documents.exclude(status=DocumentStatus.REQUESTED).filter(current_version=None).exists()
    assert (
        not documents.filter(~Q(sha256=F("current_version__sha256"))).exclude(current_version=None).exists()
    )
    for name, sha in DocumentVersion.objects.values_list("file", "sha256").distinct():
        with document_storage().open(name) as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == sha


def test_small_region_audit_trail_verifies(small_region):
    # when
    report = verify_trail()
    # then
    assert report.intact, report.problems
    assert report.events == report.head.event_count == SMALL.audit_events
    # the lifecycle of the generated objects is in it, and the events are in time order
    assert (
        AuditEvent.objects.filter(event="agreement.activated").count()
        == Agreement.objects.exclude(status__in=["draft", "offered"]).count()
    )
    times = list(AuditEvent.objects.order_by("id").values_list("occurred_at", flat=True))
    assert times == sorted(times)


def test_refuses_a_database_that_holds_data():
    # given
    factories.ProviderFactory()
    # when / then
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate_region", "--scale", "small", stdout=io.StringIO())
    assert Provider.objects.count() == 1


# --------------------------------------------------------------------------- constant queries


def officer_pages() -> dict[str, tuple[str, str]]:
    """Name -> (client kind, url) of the pages to count, on the data generated last."""
    provider = Provider.objects.order_by("pk")[0]
    return {
        "start page": ("web", reverse("workspace:start")),
        "provider page": ("web", reverse("workspace:provider", kwargs={"uuid": provider.uuid})),
        "calendar": ("web", reverse("workspace:calendar")),
        "agreements changelist": ("web", reverse("admin:contracting_agreement_changelist")),
        "agreements API": ("api", "/api/v1/agreements"),
    }


def count_queries() -> dict[str, int]:
    officer = get_user_model().objects.get(username="region-officer-1")
    counts = {}
    for name, (kind, url) in officer_pages().items():
        client: Client | VersionedClient
        if kind == "api":
            client = VersionedClient()
            client.force_authenticate(officer)
        else:
            client = Client()
            client.force_login(officer)
        assert client.get(url).status_code == 200  # warm: caches filled as in a running server
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


def generate(scale: str) -> None:
    generator = RegionGenerator(SCALES[scale])
    generator.run(declarations=2_000 if scale == "small" else 0)


def test_pages_use_as_many_queries_on_the_small_region_as_on_the_tiny_one():
    # given the tiny region, counted and rolled back
    with clock.travel(TODAY):
        with transaction.atomic():
            generate("tiny")
            assert Agreement.objects.count() == SCALES["tiny"].agreements
            tiny = count_queries()
            transaction.set_rollback(True)
        # when the small region is counted
        generate("small")
        assert Agreement.objects.count() == SMALL.agreements
        small = count_queries()
    # then
    assert small == tiny
