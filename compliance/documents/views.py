"""The only way to a stored document: a download view that checks who asks. A provider user gets the
files of their own providers; officers, auditors and administrators (with the view permission) get all.
Anyone else, or a guessed address, gets 404 (it does not say whether the document exists)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from compliance.documents.selectors import version_get
from compliance.models import DocumentVersion
from contracting.roles import can_read_everything


def file_response(version: DocumentVersion) -> FileResponse:
    """Stream a stored version as an attachment, never rendered inline by the browser."""
    response = FileResponse(
        version.file.storage.open(version.file.name, "rb"),
        as_attachment=True,
        filename=version.filename,
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Checksum-SHA256"] = version.sha256
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
    return file_response(version)
