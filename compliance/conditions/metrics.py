"""One function per Metric: (subject, provider, moment) -> MetricFact. They read data, never decide."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from compliance.conditions.engine import MetricFact
from compliance.conditions.subjects import subject_authority, subject_products
from compliance.models import Metric, ProviderAnnualFigures, SignalStatus
from contracting.models import CostModel, Tariff, WntNorm

RATIO = Decimal("0.000001")  # fine enough that a cent above a norm is above it


def tariff_real_price_ratio(subject: Any, provider: Any, moment: datetime.date) -> MetricFact:
    products = subject_products(subject)
    if not products:
        return MetricFact(None, missing_reason=_("There are no tariffs to compare with the reële prijs."))
    authority, year = subject_authority(subject), moment.year
    ids = [p.pk for p in products]
    tariffs = {
        t.product_id: t.amount for t in Tariff.objects.filter(authority=authority, year=year, product__in=ids)
    }
    costs = {
        c.product_id: c
        for c in CostModel.objects.filter(authority=authority, year=year, product__in=ids).select_related(
            "product__unit"
        )
    }
    worst = None
    for product in products:
        tariff, cost = tariffs.get(product.pk), costs.get(product.pk)
        price = cost.real_price if cost else None
        if tariff is None or not price:
            return MetricFact(
                None,
                missing_reason=_("No tariff or reële prijs for %(product)s in %(year)s.")
                % {"product": product.code, "year": year},
            )
        ratio = (tariff / price).quantize(RATIO)
        if worst is None or ratio < worst[0]:
            worst = (ratio, product.code, tariff, price)
    ratio, code, tariff, price = worst
    return MetricFact(ratio, {"product": code, "tariff": str(tariff), "realPrice": str(price), "year": year})


def _latest_figures(provider: Any, moment: datetime.date) -> ProviderAnnualFigures | None:
    return (
        ProviderAnnualFigures.objects.filter(provider=provider, year__lte=moment.year)
        .order_by("-year")
        .first()
    )


def executive_pay_wnt_ratio(subject: Any, provider: Any, moment: datetime.date) -> MetricFact:
    figures = _latest_figures(provider, moment)
    if figures is None or figures.highest_executive_pay is None:
        return MetricFact(None, missing_reason=_("No executive pay has been reported."))
    norm = (
        WntNorm.objects.filter(scope="zorg_jeugdhulp", wnt_class=figures.wnt_class, year__lte=figures.year)
        .order_by("-year")
        .first()
    )
    if norm is None:
        return MetricFact(
            None,
            missing_reason=_("No WNT norm known for class %(cls)s in %(year)s.")
            % {"cls": figures.wnt_class, "year": figures.year},
        )
    ratio = (figures.highest_executive_pay / norm.amount).quantize(RATIO)
    return MetricFact(
        ratio,
        {
            "year": figures.year,
            "pay": str(figures.highest_executive_pay),
            "norm": str(norm.amount),
            "normYear": norm.year,
            "wntClass": figures.wnt_class,
        },
    )


def flex_contract_share(subject: Any, provider: Any, moment: datetime.date) -> MetricFact:
    figures = _latest_figures(provider, moment)
    if figures is None or figures.flex_contract_share_pct is None:
        return MetricFact(None, missing_reason=_("The share of flexible contracts has not been reported."))
    return MetricFact(figures.flex_contract_share_pct, {"year": figures.year})


def confirmed_fraud_signals(subject: Any, provider: Any, moment: datetime.date) -> MetricFact:
    signals = list(
        provider.fraud_signals.filter(status=SignalStatus.CONFIRMED, period_start__lte=moment).values_list(
            "uuid", flat=True
        )
    )
    return MetricFact(Decimal(len(signals)), {"signals": [str(s) for s in signals]})


METRICS = {
    Metric.TARIFF_REAL_PRICE_RATIO: tariff_real_price_ratio,
    Metric.EXECUTIVE_PAY_WNT_RATIO: executive_pay_wnt_ratio,
    Metric.FLEX_CONTRACT_SHARE: flex_contract_share,
    Metric.CONFIRMED_FRAUD_SIGNALS: confirmed_fraud_signals,
}
