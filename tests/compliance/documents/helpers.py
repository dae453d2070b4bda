"""Helpers shared by the document tests: requested documents and uploads through the service."""

import io

from compliance.documents.services import document_upload
from compliance.models import AccountabilityDocument, DocumentStatus
from tests.compliance import files
from tests.compliance.factories import DocumentFactory


def requested(**kwargs) -> AccountabilityDocument:
    return DocumentFactory(status=DocumentStatus.REQUESTED, **kwargs)


def uploaded(user, document=None, data: bytes | None = None, name: str = "beleid.pdf", **kwargs):
    """A document (requested, of the user's first provider unless given) with one uploaded version."""
    if document is None:
        document = requested(provider=user.providers.first(), **kwargs)
    document_upload(
        uuid=document.uuid,
        actor=user,
        file=io.BytesIO(files.pdf() if data is None else data),
        filename=name,
    )
    document.refresh_from_db()
    return document
