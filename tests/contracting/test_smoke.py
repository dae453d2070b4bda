import pytest

from compliance.models import AuditEvent
from contracting.models import AgreementStatus, ProcedureStatus
from contracting.services import agreement_suspend, procedure_open
from tests import factories

pytestmark = pytest.mark.django_db


def test_suspend_records_audit(officer):
    agreement = factories.AgreementFactory(active=True)
    agreement_suspend(uuid=agreement.uuid, actor=officer, reason="Signaal IGJ")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUSPENDED
    entry = AuditEvent.objects.get(subject_uuid=agreement.uuid)
    assert (entry.event, entry.from_state, entry.actor) == ("agreement.suspended", "active", officer)


def test_open_procedure(officer):
    procedure = factories.ready_to_open_procedure()
    procedure_open(uuid=procedure.uuid, actor=officer)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.OPEN
