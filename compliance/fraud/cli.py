"""Helpers shared by the fraud management commands."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from contracting.models import ContractingAuthority


def authority_from(value: str) -> ContractingAuthority:
    """An authority by uuid, CBS code or exact name."""
    authorities = ContractingAuthority.objects.all()
    candidates = [authorities.filter(cbs_code=value), authorities.filter(name=value)]
    if len(value) in (32, 36):
        candidates.insert(0, authorities.filter(uuid=value))
    for queryset in candidates:
        found = list(queryset[:2])
        if len(found) == 1:
            return found[0]
    raise CommandError(f"No single authority with uuid, CBS code or name {value!r}.")


def user_from(username: str | None):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user {username!r}.") from None
