"""Indexation of tariffs, the VNG way, from dated reference data (reference/ova_index.csv → IndexRate).

Three methods, an explicit and dated choice per agreement (``Agreement.indexation_method``):

- **VNG provider index** (the default): the index of year *t* is the weighted provisional rate of *t*
  plus the correction over *t−1* (definitive minus provisional), OVA 90% / PPC 10%. Where VNG
  published the provider index itself (a ``provider_index`` row), that published figure is used as it
  stands; otherwise it is computed from the components.
- **Provisional with later true-up**: year *t* is priced at the weighted provisional rate of *t*;
  once the definitive rate is published the year is re-priced (true-up) and the trued-up tariff is the
  base of *t+1* (carry-forward).
- **Fixed percentage** agreed in the contract.

A year whose figures are not published is a named state (``IndexState.NOT_PUBLISHED``): the tariffs
stay at the level of the year before and are provisional until an officer enters the published
figure with its source. Nothing here raises for missing data and nothing falls back on a constant.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracting.models import (
    Agreement,
    AgreementStatus,
    BudgetCeiling,
    IndexationRun,
    IndexMethod,
    IndexRate,
)
from core import formatting

CENT = Decimal("0.01")
RATE = Decimal("0.0001")


class IndexState(TextChoices):
    PUBLISHED = "published", gettext_lazy("Published")
    COMPUTED = "computed", gettext_lazy("Computed from the published components")
    AGREED = "agreed", gettext_lazy("Agreed in the contract")
    PROVISIONAL = "provisional", gettext_lazy("Provisional rate")
    DEFINITIVE = "definitive", gettext_lazy("Definitive rate")
    NOT_PUBLISHED = "not_published", gettext_lazy("Not yet published")


@dataclass(frozen=True)
class IndexFigure:
    """The index of one year under one method, with every step that produced it."""

    year: int
    method: str
    state: str
    provisional_pct: Decimal | None = None
    correction_pct: Decimal | None = None
    index_pct: Decimal | None = None
    sources: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # which figures are not published (component/basis/year)
    components: dict[str, Any] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return self.index_pct is not None

    @property
    def state_text(self) -> str:
        if self.known:
            return str(IndexState(self.state).label)
        return _("index %(year)s not yet published; tariffs provisional") % {"year": self.year}

    def explanation(self) -> str:
        """The computation in one readable line (Dutch formats through core.formatting)."""
        if not self.known:
            return self.state_text
        if self.method == IndexMethod.FIXED_PCT:
            return _("Fixed percentage agreed in the contract: %(index)s") % {
                "index": formatting.percent(self.index_pct, 3)
            }
        if self.method == IndexMethod.VNG_PROVIDER_INDEX:
            return _("Provisional %(year)s %(prov)s + correction over %(before)s %(corr)s = %(index)s") % {
                "year": self.year,
                "before": self.year - 1,
                "prov": formatting.percent(self.provisional_pct, 3),
                "corr": formatting.percent(self.correction_pct, 3),
                "index": formatting.percent(self.index_pct, 3),
            }
        return _("%(basis)s rate %(year)s: %(index)s") % {
            "basis": _("Definitive") if self.state == "definitive" else _("Provisional"),
            "year": self.year,
            "index": formatting.percent(self.index_pct, 3),
        }

    def as_dict(self) -> dict[str, Any]:
        def pct(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "year": self.year,
            "method": self.method,
            "state": self.state if self.known else IndexState.NOT_PUBLISHED.value,
            "stateText": self.state_text,
            "provisionalPct": pct(self.provisional_pct),
            "correctionPct": pct(self.correction_pct),
            "indexPct": pct(self.index_pct),
            "explanation": self.explanation(),
            "sources": list(self.sources),
            "missing": list(self.missing),
            "components": self.components,
        }


def _rows(year: int) -> dict[str, IndexRate]:
    return {r.component: r for r in IndexRate.objects.filter(year=year)}


def weighted(year: int, basis: str, rows: dict[str, IndexRate] | None = None) -> IndexFigure:
    """Σ weight × rate over the OVA and PPC components of ``year`` (basis ``provisional`` or
    ``definitive``); else a published weighted total; else the named state 'not published'."""
    rows = _rows(year) if rows is None else rows
    attr = "definitive_pct" if basis == "definitive" else "provisional_pct"
    parts = [rows.get(IndexRate.Component.OVA), rows.get(IndexRate.Component.PPC)]
    method = IndexMethod.PROVISIONAL_TRUE_UP
    if all(p is not None and p.weight_pct is not None and getattr(p, attr) is not None for p in parts):
        rate = sum((p.weight_pct * getattr(p, attr) / 100 for p in parts if p), Decimal(0))
        return IndexFigure(
            year=year,
            method=method,
            state=basis,
            index_pct=rate.quantize(RATE, rounding=ROUND_HALF_UP),
            provisional_pct=rate.quantize(RATE, rounding=ROUND_HALF_UP) if basis != "definitive" else None,
            sources=tuple(sorted({p.source for p in parts if p and p.source})),
            components={
                p.component: {"weightPct": str(p.weight_pct), "pct": str(getattr(p, attr))}
                for p in parts
                if p
            },
        )
    total = rows.get(IndexRate.Component.WEIGHTED)
    if total is not None and getattr(total, attr) is not None:
        rate = getattr(total, attr)
        return IndexFigure(
            year=year,
            method=method,
            state=basis,
            index_pct=rate,
            provisional_pct=rate if basis != "definitive" else None,
            sources=(total.source,) if total.source else (),
            components={"weighted_total": str(rate)},
        )
    return IndexFigure(year=year, method=method, state=IndexState.NOT_PUBLISHED, missing=(f"{basis} {year}",))


def provider_index(year: int) -> IndexFigure:
    """VNG provider index of ``year``: weighted provisional of *t* + (definitive − provisional) of *t−1*."""
    rows = _rows(year)
    provisional = weighted(year, "provisional", rows)
    published = rows.get(IndexRate.Component.PROVIDER_INDEX)
    method = IndexMethod.VNG_PROVIDER_INDEX
    if published is not None and published.provisional_pct is not None:
        correction = (
            published.provisional_pct - provisional.index_pct if provisional.index_pct is not None else None
        )
        return IndexFigure(
            year=year,
            method=method,
            state=IndexState.PUBLISHED,
            provisional_pct=provisional.index_pct,
            correction_pct=correction,
            index_pct=published.provisional_pct,
            sources=tuple(sorted({published.source, *provisional.sources} - {""})),
            components={
                **provisional.components,
                "published": published.note or str(published.provisional_pct),
            },
        )
    before = _rows(year - 1)
    prov_before, def_before = (
        weighted(year - 1, "provisional", before),
        weighted(year - 1, "definitive", before),
    )
    missing = tuple(m for f in (provisional, prov_before, def_before) for m in f.missing)
    if missing:
        return IndexFigure(year=year, method=method, state=IndexState.NOT_PUBLISHED, missing=missing)
    assert provisional.index_pct is not None and def_before.index_pct is not None
    assert prov_before.index_pct is not None
    correction = def_before.index_pct - prov_before.index_pct
    return IndexFigure(
        year=year,
        method=method,
        state=IndexState.COMPUTED,
        provisional_pct=provisional.index_pct,
        correction_pct=correction,
        index_pct=provisional.index_pct + correction,
        sources=tuple(sorted({*provisional.sources, *def_before.sources, *prov_before.sources})),
        components={**provisional.components, "correctionOver": year - 1},
    )


def figure_for(
    method: str, year: int, *, fixed_pct: Decimal | None = None, basis: str = "provisional"
) -> IndexFigure:
    """The index of ``year`` under ``method`` (for the true-up method: ``basis`` provisional/definitive)."""
    if method == IndexMethod.FIXED_PCT:
        if fixed_pct is None:
            return IndexFigure(
                year=year, method=method, state=IndexState.NOT_PUBLISHED, missing=("fixed_pct",)
            )
        return IndexFigure(year=year, method=method, state=IndexState.AGREED, index_pct=fixed_pct)
    if method == IndexMethod.PROVISIONAL_TRUE_UP:
        return weighted(year, basis)
    return provider_index(year)


def indexed(amount: Decimal, rate_pct: Decimal) -> Decimal:
    return (amount * (1 + rate_pct / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PathStep:
    year: int
    figure: IndexFigure
    amount_before: Decimal
    amount: Decimal
    state: str  # published/computed/agreed/provisional/definitive/not_published

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "amountBefore": str(self.amount_before),
            "amount": str(self.amount),
            "state": self.state,
            "figure": self.figure.as_dict(),
        }


def tariff_path(
    *, amount: Decimal, from_year: int, to_year: int, method: str, fixed_pct: Decimal | None = None
) -> list[PathStep]:
    """The tariff of ``from_year`` carried year by year to ``to_year`` under ``method``.

    True-up method: a year whose definitive rate is published is priced at it (trued up) and that level
    is carried forward; a year with only the provisional rate is provisional. A year without figures
    keeps the level of the year before, in the state 'not published'."""
    steps: list[PathStep] = []
    level = amount
    for year in range(from_year + 1, to_year + 1):
        if method == IndexMethod.PROVISIONAL_TRUE_UP:
            figure = weighted(year, "definitive")
            if not figure.known:
                figure = weighted(year, "provisional")
        else:
            figure = figure_for(method, year, fixed_pct=fixed_pct)
        new = indexed(level, figure.index_pct) if figure.index_pct is not None else level
        state = figure.state if figure.known else IndexState.NOT_PUBLISHED.value
        steps.append(PathStep(year=year, figure=figure, amount_before=level, amount=new, state=str(state)))
        level = new
    return steps


def unpublished_years(years: Iterable[int]) -> list[IndexFigure]:
    """The years among ``years`` whose VNG provider index is not published: the named state the admin,
    the API and the reports show."""
    return [f for f in (provider_index(y) for y in sorted(set(years))) if not f.known]


def true_up_per_agreement(run: IndexationRun) -> list[dict[str, Any]]:
    """For a true-up run: per agreement of the authority running in that year, the tariff difference per
    product it contracts and the effect on its budget ceiling for the year."""
    by_product = {d["productId"]: d for d in run.differences if d.get("year", run.year) == run.year}
    before = (
        IndexationRun.objects.filter(authority=run.authority, year=run.year)
        .exclude(pk=run.pk)
        .order_by("-created_at")
        .first()
    )
    factor = Decimal(0)
    if before is not None:
        factor = (run.rate_pct - before.rate_pct) / (100 + before.rate_pct)
    agreements = (
        Agreement.objects.filter(
            authority=run.authority, start_date__year__lte=run.year, end_date__year__gte=run.year
        )
        .exclude(status__in=[AgreementStatus.DRAFT])
        .select_related("provider", "coalition")
        .prefetch_related("sub_agreements__lot__products")
        .order_by("reference")
    )
    ceilings: dict[int, Decimal] = {}
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
