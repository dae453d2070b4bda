"""The fraud signal rules: each one query in the database per authority and period (aggregations in
SQL, no loop over lines in Python), returning one finding per provider with its evidence numbers.

Sources: DESIGN.md "Fraud signal rules" and shared/reference/fraud_indicators.csv (IKZ / RIEC Oost-NL /
RTL-Graydon indicators, iWmo/iJw business rules). Thresholds are parameters with defaults; an authority
changes them with a ``FraudRuleSetting`` (see ``compliance.fraud.engine.resolve_settings``).

The SQL is written once for PostgreSQL and SQLite: the few differences (date arithmetic, month keys)
come from ``Dialect``. Medians and MADs are computed with window functions (``ROW_NUMBER`` and
``COUNT`` over a partition), which both databases support.

Modules: ``base`` (dialect, parameters, run context, the ``Rule`` class), one module per rule family
(``volume``, ``peers``, ``capacity``, ``finance``, ``documents``, ``organisation``, ``contract``) and ``registry``
(``RULES`` in their order, ``rule_title``, ``validate_thresholds``).
"""

from compliance.fraud.rules.base import Dialect, Finding, Param, Rule, RunContext
from compliance.fraud.rules.registry import CONTRACT_RULE_CODES, RULES, rule_title, validate_thresholds

__all__ = [
    "CONTRACT_RULE_CODES",
    "RULES",
    "Dialect",
    "Finding",
    "Param",
    "Rule",
    "RunContext",
    "rule_title",
    "validate_thresholds",
]
