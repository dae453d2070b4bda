"""Whose work an officer sees: the contracting authorities they work for (ContractingAuthority.officers),
and the providers those authorities have a relationship with."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from coalitions.models import Membership
from contracting.models import Agreement, Application, ContractingAuthority, Provider
from contracting.roles import authority_ids_for


@dataclass(frozen=True)
class Scope:
    """The authorities of an officer. ``everything`` for a superuser who works for none (a functional
    administrator looking at the whole installation)."""

    authority_ids: frozenset[int]
    everything: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.authority_ids

    def authorities(self, field: str = "authority_id") -> Q:
        """A filter on an authority column: nothing at all for an officer without authorities."""
        if self.everything:
            return Q()
        return Q(**{f"{field}__in": self.authority_ids})

    def providers(self, field: str = "provider_id") -> Q:
        """A filter on a provider column: providers with an application, agreement (own or of a
        coalition they are in) or membership at one of the authorities."""
        if self.everything:
            return Q()
        return Q(**{f"{field}__in": provider_ids_of(self.authority_ids)})


def scope_of(user: Any) -> Scope:
    ids = authority_ids_for(user)
    return Scope(authority_ids=ids, everything=bool(not ids and getattr(user, "is_superuser", False)))


def authorities_of(scope: Scope) -> QuerySet[ContractingAuthority]:
    if scope.everything:
        return ContractingAuthority.objects.none()
    return ContractingAuthority.objects.filter(pk__in=scope.authority_ids).order_by("name")


def provider_ids_of(authority_ids: frozenset[int]) -> QuerySet[Provider]:
    """A subquery of the providers related to the authorities (one SQL statement, no rows fetched)."""
    ids = list(authority_ids)
    member_of_agreement = Membership.objects.filter(coalition__agreements__authority_id__in=ids).values(
        "provider_id"
    )
    return Provider.objects.filter(
        Q(pk__in=Agreement.objects.filter(authority_id__in=ids).values("provider_id"))
        | Q(pk__in=Application.objects.filter(procedure__authority_id__in=ids).values("provider_id"))
        | Q(pk__in=Membership.objects.filter(coalition__authority_id__in=ids).values("provider_id"))
        | Q(pk__in=member_of_agreement)
    ).values("pk")
