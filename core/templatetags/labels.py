"""Template filters for core.labels: ``{% load labels %}`` then ``{{ event.event|event_label }}``."""

from typing import Any

from django import template

from core import labels

register = template.Library()

register.filter("event_label", labels.event_label)
register.filter("model_label", labels.model_label)
register.filter("group_label", labels.group_label)
register.filter("humanize_code", labels.humanize)


@register.filter
def state_label(state: str | None, subject_type: str) -> str:
    """``{{ event.to_state|state_label:event.subject_type }}``."""
    return labels.state_label(subject_type, state)


@register.filter
def status_label(obj: Any, state: str | None) -> str:
    """The label of ``state`` in ``obj``'s own status choices: ``{{ part.obj|status_label:part.state }}``."""
    return labels.choice_label(type(obj), "status", state)
