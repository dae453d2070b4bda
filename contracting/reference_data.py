"""Loads the dated reference data shipped in reference/*.csv (copied from the research in
shared/reference). Idempotent: rows are matched on their natural key and updated."""

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"

UNIT_MINUTES = {"01": 1, "04": 60, "14": 24 * 60, "16": 4 * 60}


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value not in ("", None) else None
    except InvalidOperation:
        return None


def _has_field(model, name: str) -> bool:
    """The loader runs from several migrations: a field is filled only once the migration has it."""
    return any(f.name == name for f in model._meta.get_fields())


def load_reference_data(apps) -> None:
    ProductCategory = apps.get_model("contracting", "ProductCategory")
    Unit = apps.get_model("contracting", "Unit")
    WntNorm = apps.get_model("contracting", "WntNorm")
    IndexRate = apps.get_model("contracting", "IndexRate")

    for row in _rows("productcategorieen.csv"):
        ProductCategory.objects.update_or_create(
            law=row["domain"],
            code=row["code"],
            defaults={"name": row["name"], "is_current": row["status"].startswith("current")},
        )
    for row in _rows("eenheden.csv"):
        Unit.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "is_current": row["status"] == "current",
                "minutes": UNIT_MINUTES.get(row["code"]),
            },
        )
    for row in _rows("wnt_norms.csv"):
        amount = _decimal(row["amount_eur"])
        if amount is None or row["confidence"] != "C":  # unconfirmed figures are not loaded as norms
            continue
        WntNorm.objects.update_or_create(
            year=int(row["year"]),
            scope=row["scope"],
            wnt_class=row["class"],
            defaults={"amount": amount, "source": row["source"]},
        )
    has_note = _has_field(IndexRate, "note")
    for row in _rows("ova_index.csv"):
        if row["component"] not in {"OVA", "PPC", "weighted_total", "provider_index"}:
            continue
        provisional, definitive = _decimal(row["provisional_pct"]), _decimal(row["definitive_pct"])
        if provisional is None and definitive is None:
            continue
        defaults = {
            "weight_pct": _decimal(row["weight_pct"]),
            "provisional_pct": provisional,
            "definitive_pct": definitive,
            "source": row["source"],
        }
        if has_note:
            defaults["note"] = row["note"][:300]
        IndexRate.objects.update_or_create(
            year=int(row["year"]), component=row["component"], defaults=defaults
        )


def municipalities() -> list[dict[str, str]]:
    return _rows("gemeentecodes.csv")
