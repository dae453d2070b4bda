"""The columns of an import file (docs/import-format.md): their names and Dutch aliases per kind of
production data, the mapping of a file's header onto them and the delimiter of a CSV file. The one
definition the importer, its fast lane and the synthetic data generator share.
"""

import re
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from compliance.fraud.exceptions import ImportFileError
from compliance.models import ProductionKind


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    aliases: tuple[str, ...] = ()


COMMON_COLUMNS = (
    Column(
        "municipality",
        False,
        ("gemeente", "gemeentecode", "cbscode", "cbsgemeentecode", "municipalitycode", "toewijzendegemeente"),
    ),
    Column("provider_agb", True, ("agb", "agbcode", "agbcodeaanbieder", "aanbieder", "zorgaanbieder")),
    Column("client_bsn", True, ("bsn", "burgerservicenummer", "client", "clientbsn")),
    Column("allocation_number", False, ("toewijzingnummer", "toewijzingsnummer", "toewijzing")),
    Column("product_category", True, ("productcategorie", "categorie", "category")),
    Column("product_code", False, ("productcode", "product")),
    Column("period_start", True, ("begindatum", "ingangsdatum", "startdatum", "start")),
    Column("period_end", True, ("einddatum", "end")),
    Column("volume", True, ("aantal", "omvang")),
    Column("unit", True, ("eenheid",)),
)
COLUMNS = {
    ProductionKind.DECLARATIONS: (
        *COMMON_COLUMNS,
        Column("amount", True, ("bedrag", "gedeclareerdbedrag", "ingediendbedrag")),
    ),
    ProductionKind.ALLOCATIONS: (
        *COMMON_COLUMNS[:3],
        replace(COMMON_COLUMNS[3], required=True),  # allocation_number
        *COMMON_COLUMNS[4:],
        Column("frequency", True, ("frequentie",)),
        Column("budget", False, ("bedrag",)),
    ),
    ProductionKind.CARE: (  # iWmo/iJw 305 (start) and 307 (stop) of an allocation
        *COMMON_COLUMNS[:3],
        replace(COMMON_COLUMNS[3], required=True),  # allocation_number
        *COMMON_COLUMNS[4:6],  # product_category, product_code
        Column("message", True, ("bericht", "berichtcode", "berichttype", "soort")),
        Column("date", True, ("datum", "begindatum", "einddatum", "startdatum", "ingangsdatum")),
        Column("reason", False, ("reden", "redenbeeindiging", "redeneinde")),
    ),
}
DECLARATION_FIELDS = tuple(c.name for c in COLUMNS[ProductionKind.DECLARATIONS])
"""The columns of a declaration file in the documented order (docs/import-format.md): the header the
fast lane takes and the generator writes."""
ALLOCATION_FIELDS = tuple(c.name for c in COLUMNS[ProductionKind.ALLOCATIONS])
CARE_FIELDS = tuple(c.name for c in COLUMNS[ProductionKind.CARE])


def header_line(kind: str) -> str:
    """The documented header of a CSV file of ``kind``, with its line end."""
    return ",".join(c.name for c in COLUMNS[kind]) + "\n"


def _key(header: object) -> str:
    return re.sub(r"[\s_\-.]", "", str(header or "")).lower()


def map_header(kind: str, header: list[object]) -> dict[str, int]:
    """Column name -> position. Raises ImportFileError naming missing and duplicate columns."""
    positions: dict[str, int] = {}
    lookup = {}
    for column in COLUMNS[kind]:
        for alias in (column.name, *column.aliases):
            lookup.setdefault(_key(alias), column.name)
    for index, cell in enumerate(header):
        name = lookup.get(_key(cell))
        if name is None:
            continue
        if name in positions:
            raise ImportFileError(
                _("The column '%(column)s' appears more than once in the header.") % {"column": name}
            )
        positions[name] = index
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in positions]
    if missing:
        raise ImportFileError(
            _("The header (row 1) lacks the required columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return positions


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t", "|")}
    return max(counts, key=counts.get) if any(counts.values()) else ","
