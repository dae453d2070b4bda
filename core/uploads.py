"""Upload size caps that act while the request body streams in, so a body over the limit is refused
before it is written in full (to memory, to a temporary file, or to storage).

Django's own limits do not cover files: DATA_UPLOAD_MAX_MEMORY_SIZE counts the body *without* its file
parts, and FILE_UPLOAD_MAX_MEMORY_SIZE only decides whether a file is kept in memory or in a temporary
file. So:

- ``settings.FILE_UPLOAD_HANDLERS`` starts with :class:`UploadLimitHandler`: every upload anywhere (the
  admin's forms included) stops at ``UPLOAD_MAX_BYTES``;
- a view with a stricter limit calls :func:`limit_uploads` before anything reads ``request.POST`` or
  ``request.FILES`` (the document uploads: ``DOCUMENT_MAX_UPLOAD_BYTES``). The CSRF check reads
  ``request.POST``, so such a view is ``csrf_exempt`` and runs the check itself after installing the
  limit (Django's documented pattern); a DRF view installs it in ``initial()``, before authentication.

Over the limit, :class:`UploadTooLarge` is raised: the API answers 413 problem+json (``file_too_large``),
the portal shows the message at the file field, any other view answers 400 (Django's handling of
``RequestDataTooBig``, which it subclasses).
"""

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

# Room for the multipart boundaries, part headers and small form fields next to the file(s), for the
# early refusal on Content-Length; the file bytes themselves are counted exactly as they arrive.
MULTIPART_OVERHEAD = 64 * 1024


class UploadTooLarge(DomainError, RequestDataTooBig):
    code = "file_too_large"
    title = _("The file is too large.")


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:g}" if value != int(value) else str(int(value))


def too_large_message(limit: int) -> str:
    return gettext("The file is larger than %(limit)s MB.") % {"limit": megabytes(limit)}


class UploadLimitHandler(FileUploadHandler):
    """Counts the bytes of the uploaded files of one request and stops at ``limit``: at once when the
    declared Content-Length is already too large, otherwise at the first chunk over the limit."""

    def __init__(self, request: HttpRequest | None = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        if content_length > self.limit + MULTIPART_OVERHEAD:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self) -> None:
        request = self.request
        if request is not None:
            for handler in request.upload_handlers:
                partial = getattr(handler, "file", None)
                if partial is not None:
                    partial.close()  # a temporary file of the next handler is deleted when closed
            # What was parsed so far is dropped: a later look at request.POST (an error page, the CSRF
            # check) finds it empty instead of parsing the rest of the body again.
            mark_unreadable = getattr(request, "_mark_post_parse_error", None)  # Django's own, private
            if mark_unreadable is not None:
                mark_unreadable()
        raise UploadTooLarge(too_large_message(self.limit), max_bytes=self.limit)


def limit_uploads(request: HttpRequest, limit: int) -> None:
    """Cap the uploads of this request at ``limit`` bytes; call it before request.POST/FILES is read."""
    # Django refuses (AttributeError) to change the handlers once the body was read: the limit would
    # not apply.
    request.upload_handlers = [UploadLimitHandler(request, limit=limit), *request.upload_handlers]


class InMemoryUploadHandler(FileUploadHandler):
    """Keeps every uploaded file of the request in memory, whatever its size (Django spools files over
    FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file). For uploads that must never touch the disk: production
    files carry clear BSNs until the import replaces them, and a temporary file would outlive a killed
    worker. The size is capped by the UploadLimitHandler in front of it."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.buffer.write(raw_data)
        return None  # the chunk stops here: no later handler writes it anywhere

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def keep_uploads_in_memory(request: HttpRequest, limit: int) -> None:
    """The uploads of this request stay in memory (never a temporary file), capped at ``limit`` bytes;
    call it before request.POST/FILES is read."""
    request.upload_handlers = [UploadLimitHandler(request, limit=limit), InMemoryUploadHandler(request)]
