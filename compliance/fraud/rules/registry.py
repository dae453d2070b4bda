"""The registry of the fraud rules (``RULES``, in the order they run and are listed) and the checks on
an authority's thresholds for them."""

from typing import Any

from django.utils.translation import gettext as _

from compliance.fraud.rules.base import Rule
from compliance.fraud.rules.capacity import ClientMultipleProviders, ImplausibleHoursPerFte
from compliance.fraud.rules.contract import CONTRACT_RULES
from compliance.fraud.rules.documents import DocumentsOverdueOrRejected
from compliance.fraud.rules.finance import ExecutivePayAboveWnt, LowWageRatio, ProfitMarginAboveCap
from compliance.fraud.rules.organisation import YoungOrganisationRisk
from compliance.fraud.rules.peers import CostPerClientOutlier, RevenueGrowthOutlier
from compliance.fraud.rules.volume import DeclaredAboveAllocated, DeclaredOutsideAllocation
from core import labels

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        DeclaredAboveAllocated(),
        DeclaredOutsideAllocation(),
        RevenueGrowthOutlier(),
        CostPerClientOutlier(),
        ImplausibleHoursPerFte(),
        ClientMultipleProviders(),
        ProfitMarginAboveCap(),
        ExecutivePayAboveWnt(),
        LowWageRatio(),
        DocumentsOverdueOrRejected(),
        YoungOrganisationRisk(),
        *CONTRACT_RULES,
    )
}
CONTRACT_RULE_CODES = frozenset(rule.code for rule in CONTRACT_RULES)
"""The contract checks (rules/contract.py): declarations against the provider's agreements."""


labels.codes_named("fraud_rule", {code: rule.title for code, rule in RULES.items()})


def rule_title(code: str) -> str:
    return labels.code_label("fraud_rule", code)


def validate_thresholds(code: str, thresholds: dict[str, Any]) -> dict[str, float]:
    """The thresholds as floats; raises ValueError naming unknown or out-of-range parameters."""
    rule = RULES.get(code)
    if rule is None:
        raise ValueError(_("Unknown rule: %(rule)s.") % {"rule": code})
    if not isinstance(thresholds, dict):
        raise ValueError(_("The thresholds must be an object of parameter names and numbers."))
    known = {p.name: p for p in rule.params}
    unknown = sorted(set(thresholds) - set(known))
    if unknown:
        raise ValueError(
            _("Unknown parameters for %(rule)s: %(names)s (known: %(known)s).")
            % {"rule": code, "names": ", ".join(unknown), "known": ", ".join(known)}
        )
    result = {}
    for name, value in thresholds.items():
        param = known[name]
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(_("%(name)s must be a number.") % {"name": name}) from None
        if value < param.minimum or (param.maximum is not None and value > param.maximum):
            raise ValueError(_("%(name)s is out of range.") % {"name": name})
        result[name] = value
    return result
