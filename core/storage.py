"""Where document files live: the ``documents`` storage of settings.STORAGES (local disk under
MEDIA_ROOT by default, S3-compatible object storage when configured). Never served by a URL: downloads
go through compliance.documents.views, which checks permissions. Infrastructure, no domain rules:
the models layer uses it as the FileField's storage."""

from typing import cast

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class DocumentStorage(LazyObject):
    """``storages["documents"]``, looked up on first use (and again when the setting changes)."""

    _wrapped: object  # the storage, or ``empty`` until it is looked up

    def _setup(self) -> None:
        self._wrapped = storages["documents"]


_storage = DocumentStorage()


def document_storage() -> Storage:
    """The storage of uploaded documents (the FileField's storage callable)."""
    return cast(Storage, _storage)  # a proxy: every attribute is the wrapped storage's


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        _storage._wrapped = empty
