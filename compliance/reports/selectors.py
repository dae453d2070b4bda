"""Which exports a user sees: officers, auditors and administrators all of them; anyone else the
exports they requested themselves (for a provider user: the dossiers of their own organisation)."""

from typing import Any

from django.db.models import QuerySet

from compliance.models import Export
from contracting.roles import can_read_everything


def export_list(user: Any) -> QuerySet[Export]:
    exports = Export.objects.select_related("requested_by", "authority", "provider", "procedure")
    if can_read_everything(user):
        return exports
    if not (user and user.is_authenticated):
        return exports.none()
    return exports.filter(requested_by=user)
