"""Indexation of tariffs (VNG convention): the weighted rate of the OVA (labour) and PPC (material)
components, provisional first, definitive later; and what a true-up changes per agreement."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from contracting.models import Agreement, AgreementStatus, BudgetCeiling, IndexationRun, IndexRate
from core.exceptions import DomainError

CENT = Decimal("0.01")


class RateUnknown(DomainError):
    code = "index_rate_unknown"


def weighted_rate(year: int, basis: str) -> tuple[Decimal, dict[str, Any]]:
    """Σ weight × rate over the OVA and PPC components of ``year``; falls back to a published weighted
    total. Returns (rate in %, the components used) or raises RateUnknown."""
    field = "provisional_pct" if basis == IndexationRun.Basis.PROVISIONAL else "definitive_pct"
    rows = {r.component: r for r in IndexRate.objects.filter(year=year)}
    parts = [rows.get(IndexRate.Component.OVA), rows.get(IndexRate.Component.PPC)]
    if all(p is not None and p.weight_pct is not None and getattr(p, field) is not None for p in parts):
        rate = sum((p.weight_pct * getattr(p, field) / 100 for p in parts), Decimal(0))
        components = {
            p.component: {"weightPct": str(p.weight_pct), "pct": str(getattr(p, field))} for p in parts
        }
        return rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), components
    total = rows.get(IndexRate.Component.WEIGHTED)
    if total is not None and getattr(total, field) is not None:
        return getattr(total, field), {"weighted_total": str(getattr(total, field))}
    raise RateUnknown(
        _("No %(basis)s index rate is known for %(year)s.")
        % {"basis": IndexationRun.Basis(basis).label.lower(), "year": year}
    )


def indexed(amount: Decimal, rate_pct: Decimal) -> Decimal:
    return (amount * (1 + rate_pct / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


def true_up_per_agreement(run: IndexationRun) -> list[dict[str, Any]]:
    """For a true-up run: per agreement of the authority running in that year, the tariff difference per
    product it contracts and the effect on its budget ceiling for the year."""
    by_product = {d["productId"]: d for d in run.differences}
    provisional = IndexationRun.objects.filter(
        authority=run.authority, year=run.year, basis=IndexationRun.Basis.PROVISIONAL
    ).first()
    factor = Decimal(0)
    if provisional is not None:
        factor = (run.rate_pct - provisional.rate_pct) / (100 + provisional.rate_pct)
    agreements = (
        Agreement.objects.filter(
            authority=run.authority, start_date__year__lte=run.year, end_date__year__gte=run.year
        )
        .exclude(status__in=[AgreementStatus.DRAFT])
        .select_related("provider", "coalition")
        .prefetch_related("sub_agreements__lot__products")
        .order_by("reference")
    )
    ceilings = {}
    for ceiling in BudgetCeiling.objects.filter(agreement__in=agreements, year=run.year):
        ceilings[ceiling.agreement_id] = ceilings.get(ceiling.agreement_id, Decimal(0)) + ceiling.amount
    rows = []
    for agreement in agreements:
        products = {p.pk: p for sub in agreement.sub_agreements.all() for p in sub.lot.products.all()}
        lines = [by_product[pk] for pk in sorted(products) if pk in by_product]
        ceiling = ceilings.get(agreement.pk)
        rows.append(
            {
                "agreement": agreement,
                "lines": lines,
                "ceiling": ceiling,
                "ceiling_effect": (ceiling * factor).quantize(CENT, rounding=ROUND_HALF_UP)
                if ceiling
                else None,
            }
        )
    return rows
