"""Declarations for the demo's agreements, so that spend, depletion and the period report show real figures.

For every agreement that counts for spend (active, suspended, terminating, ended or expired) and has a budget
ceiling, one declaration file per authority covers last year and this year up to the last full month, within
the agreement's term: a few clients a month per municipality of its ceilings, each line volume × the
authority's tariff of the product of its first lot for that year (so no tariff rule fires). The monthly amount
follows the ceiling at a usage level that differs per agreement (well under, near, and over the ceiling), so
the depletion list shows every warning level. Deterministic: the same demo date gives the same files. The
files go through the production import like any officer's file (audited, pseudonymised).
"""

import datetime
import io
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from coalitions.models import Membership, MembershipRole
from compliance.fraud.columns import header_line
from compliance.fraud.importer import production_import
from compliance.spend.figures import COUNTED_STATES
from contracting.models import Agreement, BudgetCeiling, ContractingAuthority, Tariff
from core.dates import add_months
from devtools.production_generator import bsn_for

# How much of the ceiling each agreement uses over the year: picked per agreement, deterministically.
USAGE = (Decimal("0.55"), Decimal("0.72"), Decimal("0.86"), Decimal("0.97"), Decimal("1.12"))
CLIENTS_PER_MONTH = 4
FIRST_BSN_INDEX = 900_000  # far from the ranges the production generator and the examples use


@dataclass(frozen=True)
class Line:
    municipality: str
    agb: str
    bsn: str
    allocation: str
    category: str
    product: str
    unit: str
    start: datetime.date
    end: datetime.date
    volume: int
    amount: Decimal

    def csv(self) -> str:
        return ",".join(
            [
                self.municipality,
                self.agb,
                self.bsn,
                self.allocation,
                self.category,
                self.product,
                self.start.isoformat(),
                self.end.isoformat(),
                str(self.volume),
                self.unit,
                f"{self.amount:.2f}",
            ]
        )


def _months(first: datetime.date, last: datetime.date) -> Iterable[tuple[datetime.date, datetime.date]]:
    month = first.replace(day=1)
    while month <= last:
        following = add_months(month, 1)
        yield month, following - datetime.timedelta(days=1)
        month = following


def _provider_of(agreement: Agreement, leads: dict[int, Any]) -> Any:
    return agreement.provider if agreement.provider_id else leads.get(agreement.coalition_id)


def _first_product(agreement: Agreement) -> Any:
    """The product (lowest code) of the agreement's lowest-numbered lot, from the prefetched rows."""
    subs = sorted(agreement.sub_agreements.all(), key=lambda sub: sub.lot.number)
    products = sorted(subs[0].lot.products.all(), key=lambda product: product.code) if subs else []
    return products[0] if products else None


def lines_for(
    agreement: Agreement,
    today: datetime.date,
    clients: "ClientNumbers",
    *,
    leads: dict[int, Any],
    tariffs: dict[tuple[int, int, int], Decimal],
) -> list[Line]:
    """The declaration lines of one agreement, from January of last year to the last full month (its rows
    prefetched by ``declare_for_agreements``: no query here)."""
    provider = _provider_of(agreement, leads)
    product = _first_product(agreement)
    if provider is None or not provider.agb_code or product is None:
        return []
    ceilings: dict[int, list[BudgetCeiling]] = defaultdict(list)
    for ceiling in agreement.budget_ceilings.all():
        ceilings[ceiling.year].append(ceiling)
    usage = random.Random(agreement.reference).choice(USAGE)  # noqa: S311 - demo data, not security
    first = max(datetime.date(today.year - 1, 1, 1), agreement.start_date)
    last = min(today.replace(day=1) - datetime.timedelta(days=1), agreement.end_date)
    lines: list[Line] = []
    for start, end in _months(first, last):
        tariff = tariffs.get((agreement.authority_id, product.pk, start.year))
        per_municipality = [c for c in ceilings.get(start.year, []) if c.municipality_id] or [
            c for c in ceilings.get(start.year, []) if not c.municipality_id
        ]
        if not tariff or not per_municipality:
            continue
        for ceiling in per_municipality:
            monthly = ceiling.amount * usage / 12
            volume = max(1, int((monthly / tariff / CLIENTS_PER_MONTH).to_integral_value(ROUND_HALF_UP)))
            code = ceiling.municipality.cbs_code if ceiling.municipality_id else ""
            for n in range(CLIENTS_PER_MONTH):
                bsn, allocation = clients.of(agreement, code, n)
                lines.append(
                    Line(
                        municipality=code,
                        agb=provider.agb_code,
                        bsn=bsn,
                        allocation=allocation,
                        category=product.category.code,
                        product=product.code,
                        unit=product.unit.code,
                        start=start,
                        end=end,
                        volume=volume,
                        amount=(tariff * volume).quantize(Decimal("0.01")),
                    )
                )
    return lines


class ClientNumbers:
    """A fixed client (BSN and allocation number) per agreement, municipality and position."""

    def __init__(self) -> None:
        self.known: dict[tuple[int, str, int], tuple[str, str]] = {}

    def of(self, agreement: Agreement, municipality: str, position: int) -> tuple[str, str]:
        key = (agreement.pk, municipality, position)
        if key not in self.known:
            index = FIRST_BSN_INDEX + len(self.known)
            self.known[key] = (bsn_for(index), f"DEMO-{len(self.known) + 1:07d}")
        return self.known[key]


def declare_for_agreements(today: datetime.date, actor: Any) -> dict[str, int]:
    """Imports the declarations of every counted agreement with a ceiling, one file per authority.
    Returns the number of lines per authority name."""
    clients = ClientNumbers()
    per_authority: dict[int, list[Line]] = defaultdict(list)
    agreements = list(
        Agreement.objects.filter(status__in=COUNTED_STATES, budget_ceilings__isnull=False)
        .distinct()
        .select_related("provider")
        .prefetch_related(
            "budget_ceilings__municipality",
            "sub_agreements__lot__products__category",
            "sub_agreements__lot__products__unit",
        )
        .order_by("reference")
    )
    leads = {
        m.coalition_id: m.provider
        for m in Membership.objects.filter(
            coalition_id__in={a.coalition_id for a in agreements if a.coalition_id}, role=MembershipRole.LEAD
        ).select_related("provider")
    }
    tariffs = {
        (t.authority_id, t.product_id, t.year): t.amount
        for t in Tariff.objects.filter(authority_id__in={a.authority_id for a in agreements})
    }
    for agreement in agreements:
        per_authority[agreement.authority_id].extend(
            lines_for(agreement, today, clients, leads=leads, tariffs=tariffs)
        )
    imported: dict[str, int] = {}
    for authority in ContractingAuthority.objects.filter(pk__in=per_authority).order_by("name"):
        lines = per_authority[authority.pk]
        if not lines:
            continue
        content = (
            "\n".join([header_line("declarations").rstrip("\n"), *(line.csv() for line in lines)]) + "\n"
        )
        result = production_import(
            file=io.BytesIO(content.encode("utf-8")),
            file_name=f"declaraties-{authority.name.lower().replace(' ', '-')}-{today:%Y%m%d}.csv",
            kind="declarations",
            authority=authority,
            actor=actor,
            strict=True,
        )
        batch = result.batch
        if batch.rows_rejected:
            raise AssertionError(f"demo declarations for {authority} rejected: {result.rejections[:3]}")
        imported[authority.name] = batch.rows_imported
    return imported
