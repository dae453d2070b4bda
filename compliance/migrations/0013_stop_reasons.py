"""The reasons for the end of care (JZ588, reference/reden_beeindiging.csv)."""

import csv
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "reden_beeindiging.csv"


def load_stop_reasons(apps, schema_editor):
    StopReason = apps.get_model("compliance", "StopReason")
    with REFERENCE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            StopReason.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "planned": row["planned"] == "yes",
                    "source": f"{row['standard']}: {row['source']}"[:300],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0012_care_events")]

    operations = [migrations.RunPython(load_stop_reasons, migrations.RunPython.noop)]
