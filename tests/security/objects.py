"""One object of every model the admin shows, for the security tests: the admin tests' makers
(tests/admin/helpers.py) and the records only services, tasks and imports write."""

from django.contrib.admin.utils import quote
from django.urls import reverse

from compliance.fraud.rules import RULES
from compliance.models import (
    Condition,
    DocumentReminderDigest,
    DocumentRequirement,
    DocumentType,
    Export,
    ExportKind,
    FraudRuleSetting,
    IkzReport,
    ImportBatch,
    ImportRejection,
    ImportStatus,
    ProductionKind,
)
from core import clock
from tests import factories
from tests.admin.helpers import OBJECT_MAKERS
from tests.compliance.factories import FraudSignalFactory


def export():
    return Export.objects.create(kind=ExportKind.WORKBOOK, requested_by=factories.officer())


def ikz_report():
    user = factories.officer()
    return IkzReport.objects.create(
        signal=FraudSignalFactory(investigating=True),
        reported_on=clock.today(),
        reference="IKZ-2026-001",
        shared_information="Declaraties zonder toewijzing.",
        decided_by=user,
        recorded_by=user,
    )


def import_batch():
    return ImportBatch.objects.create(
        authority=factories.MunicipalityFactory(),
        kind=ProductionKind.DECLARATIONS,
        status=ImportStatus.COMPLETED,
        file_name="declaraties.csv",
        file_format="csv",
        file_sha256="0" * 64,
        file_size=10,
        started_at=clock.now(),
    )


def import_rejection():
    return ImportRejection.objects.create(
        batch=import_batch(), row_number=2, column="bsn", code="invalid", message="Geen geldig BSN."
    )


def reminder_digest():
    return DocumentReminderDigest.objects.create(
        user=factories.officer(), sent_on=clock.today(), recipient="inkoop@example.nl"
    )


def document_requirement():
    return DocumentRequirement.objects.create(
        document_type=DocumentType.objects.get(code="anti_discrimination_policy"),
        condition=Condition.objects.get(code="anti_discrimination_policy"),
        recurrence="once",
    )


def fraud_rule_setting():
    return FraudRuleSetting.objects.create(rule=next(iter(RULES)), authority=factories.MunicipalityFactory())


MAKERS = {
    **OBJECT_MAKERS,
    "export": export,
    "ikzreport": ikz_report,
    "importbatch": import_batch,
    "importrejection": import_rejection,
    "documentreminderdigest": reminder_digest,
    "documentrequirement": document_requirement,
    "fraudrulesetting": fraud_rule_setting,
}


def admin_url(obj, view: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[quote(obj.pk)])
