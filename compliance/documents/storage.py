"""Where document files live: the ``documents`` storage of settings.STORAGES (local disk under
MEDIA_ROOT/documents by default, S3-compatible object storage when configured). Never served by a URL:
downloads go through compliance.documents.views, which checks permissions."""

from django.core.files.storage import Storage, storages


def document_storage() -> Storage:
    """The storage of uploaded documents (a callable, so tests and settings can swap it)."""
    return storages["documents"]
