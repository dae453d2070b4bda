"""How the admin shows a decimal field: through core.formatting, like every other surface.

Django's admin writes a DecimalField as ``33725175,00`` (no thousands separator) and a percentage as a bare
number; ``install()`` (called once from ``CoreConfig.ready``) puts ``display_for_field`` in front of
Django's own, in the two places the admin calls it (changelist cells and read-only fields). Everything
that is not a decimal is left to Django. Which decimals are amounts and which are percentages is named
here, by field: a ``*_pct`` field is a percentage, the fields in ``MONEY_FIELDS`` are euros, any other
decimal is a number (``412,5`` FTE).
"""

from decimal import Decimal
from typing import Any

from django.contrib.admin import helpers, utils
from django.contrib.admin.templatetags import admin_list
from django.db import models

from core import formatting

#: decimal fields that hold an amount in euros
MONEY_FIELDS = frozenset(
    {
        "amount",
        "base_amount",
        "hourly_wage",
        "highest_executive_pay",
        "revenue",
        "personnel_costs",
        "profit",
    }
)

_django_display_for_field = utils.display_for_field
_django_display_for_value = utils.display_for_value


def display_decimal(value: Decimal, field: models.Field) -> str:
    if field.name in MONEY_FIELDS:
        return formatting.money(value)
    trimmed = Decimal(value).normalize()  # 12.50 -> 12.5; a percentage or a count needs no trailing zeros
    if field.name.endswith("_pct"):
        return f"{formatting.number(trimmed)}%"
    return formatting.number(trimmed)


def display_for_field(value: Any, field: models.Field, empty_value_display: str, avoid_link: bool = False):
    if (
        isinstance(field, models.DecimalField)
        and not getattr(field, "flatchoices", None)
        and value not in field.empty_values
    ):
        return display_decimal(value, field)
    return _django_display_for_field(value, field, empty_value_display, avoid_link)


def display_for_value(value: Any, empty_value_display: str, boolean: bool = False):
    """A value a display method returned: a Decimal is a number (the method formats money itself); an
    unknown yes/no is a dash (Django's icon for it would read "None")."""
    if isinstance(value, Decimal) and not boolean:
        return formatting.number(value)
    if value is None:
        return empty_value_display
    return _django_display_for_value(value, empty_value_display, boolean)


def install() -> None:
    helpers.display_for_field = display_for_field  # type: ignore[attr-defined]
    admin_list.display_for_field = display_for_field  # type: ignore[attr-defined]
    admin_list.display_for_value = display_for_value  # type: ignore[attr-defined]
