"""What docs/state-machines.md says about the accountability document machine (see contracting.state_docs)."""

from compliance.documents.services import DOCUMENT_TRANSITIONS
from compliance.models import AccountabilityDocument
from contracting.state_docs import Machine

MACHINES = [
    Machine(
        model=AccountabilityDocument,
        registry=DOCUMENT_TRANSITIONS,
        intro="An accountability document (verantwoordingsdocument) of a provider for a period, requested "
        "by the document requirements of conditions, agreements and procedures (once per provider, type "
        "and period). An upload (`compliance.documents.services.document_upload`) stores a new version "
        "and submits the document; it is overdue past its due date while requested or rejected.",
    ),
]
