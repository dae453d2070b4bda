"""The only way to a stored document: a download view that checks who asks. A provider user gets the
files of their own providers; officers, auditors and administrators (with the view permission) get all.
Anyone else, or a guessed address, gets 404 (it does not say whether the document exists).

A file is an attachment, never shown by the browser, except on an explicit preview request
(``?preview=1``) for a PDF or an image: that response is ``inline`` and may be framed by this site's own
pages only (the review page in the admin shows it beside the accept/reject form). Other types are
downloaded, preview or not."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from compliance.documents.selectors import version_get
from compliance.models import DocumentVersion
from contracting.roles import can_read_everything

#: what the browser may show itself (its PDF viewer, an image); the types the upload check detects
PREVIEW_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def can_preview(version: DocumentVersion | None) -> bool:
    return version is not None and version.content_type in PREVIEW_TYPES


def file_response(version: DocumentVersion, *, preview: bool = False) -> FileResponse:
    """Stream a stored version: as an attachment, or (``preview`` of a PDF or an image) inline, to be
    framed only by this site's own pages. The stored, detected type is sent, never sniffed."""
    inline = preview and can_preview(version)
    response = FileResponse(
        version.file.storage.open(version.file.name, "rb"),
        as_attachment=not inline,
        filename=version.filename,
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Checksum-SHA256"] = version.sha256
    if inline:
        # Nothing loads from the file and only our own pages may frame it. No sandbox for a PDF: the
        # browser's PDF viewer does not run in a sandboxed document (an image is sandboxed anyway).
        sandbox = "; sandbox" if version.content_type.startswith("image/") else ""
        response["Content-Security-Policy"] = f"default-src 'none'; frame-ancestors 'self'{sandbox}"
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@login_required(login_url="portal:login")
def download(request: HttpRequest, uuid, number: int) -> FileResponse:
    user = request.user
    if can_read_everything(user) and not user.has_perm("compliance.view_accountabilitydocument"):
        raise Http404
    try:
        version = version_get(user, uuid, number)
    except DocumentVersion.DoesNotExist as exc:
        raise Http404 from exc
    return file_response(version, preview=request.GET.get("preview") == "1")
