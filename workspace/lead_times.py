"""The lead time of each calendar kind that counts on a day (reference data, workspace.models.LeadTime)."""

import datetime

from workspace.models import EntryKind, LeadTime


def lead_times_on(day: datetime.date) -> dict[str, LeadTime]:
    """``kind → LeadTime`` valid on ``day`` (the newest row on or before it); a kind without one is absent."""
    current: dict[str, LeadTime] = {}
    for row in LeadTime.objects.filter(valid_from__lte=day).order_by("kind", "-valid_from"):
        current.setdefault(row.kind, row)
    return current


def missing_kinds(lead_times: dict[str, LeadTime]) -> list[str]:
    """Labels of the kinds without a lead time: shown as a named state, never a silent default."""
    return [str(label) for value, label in EntryKind.choices if value not in lead_times]
