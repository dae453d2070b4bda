"""Template filters for the formatting layer: ``{% load nl %}`` then ``{{ amount|money }}``."""

from django import template

from core import formatting

register = template.Library()

register.filter("money", formatting.money)
register.filter("number", formatting.number)
register.filter("date_long", formatting.date_long)
register.filter("date_short", formatting.date_short)
register.filter("datetime_local", formatting.datetime_local)
register.filter("datetime_short", formatting.datetime_short)
register.filter("time_local", formatting.time_local)
register.filter("month_year", formatting.month_year)
register.filter("yes_no", formatting.yes_no)


@register.filter
def percent(value: object, places: int = 1) -> str:
    return formatting.percent(value, places)


@register.filter
def percent_of_fraction(value: object, places: int = 1) -> str:
    return formatting.percent(value, places, fraction=True)
