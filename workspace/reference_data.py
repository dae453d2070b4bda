"""Loads reference/calendar_lead_times.csv (idempotent: matched on kind and valid_from)."""

import csv
import datetime

from contracting.reference_data import REFERENCE_DIR


def load_lead_times(apps) -> None:
    LeadTime = apps.get_model("workspace", "LeadTime")
    with open(REFERENCE_DIR / "calendar_lead_times.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            LeadTime.objects.update_or_create(
                kind=row["kind"],
                valid_from=datetime.date.fromisoformat(row["valid_from"]),
                defaults={
                    "worklist_days": int(row["worklist_days"]),
                    "alarm_days": int(row["alarm_days"]),
                    "repeat_days": int(row["repeat_days"]),
                    "source": row["source"],
                },
            )
