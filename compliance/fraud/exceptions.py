"""Errors of the production import, as domain errors (a stable ``code``, a title; no HTTP)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import InvalidInput


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read (format, encoding, header)."""

    code = "import_file_invalid"
    title = _("The file cannot be imported.")


class ImportRejected(InvalidInput):
    """No row of the file was stored: every row was rejected, or one was in all-or-nothing mode."""

    code = "import_rejected"
    title = _("The file was rejected.")
