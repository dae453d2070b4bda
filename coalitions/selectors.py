"""Reads of the coalitions app. Officers, auditors and administrators see every row; a provider user
sees the coalitions their providers have a membership of, and only their own memberships."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from coalitions.models import Coalition, Membership, MembershipRole, MembershipStatus
from contracting.roles import can_read_everything, provider_ids_for


def coalition_list(user: Any) -> QuerySet[Coalition]:
    coalitions = Coalition.objects.select_related("authority").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(
                role=MembershipRole.LEAD, status=MembershipStatus.ACTIVE
            ).select_related("provider"),
            to_attr="active_leads",
        )
    )
    if can_read_everything(user):
        return coalitions
    member_of = Membership.objects.filter(provider_id__in=provider_ids_for(user)).values("coalition_id")
    return coalitions.filter(pk__in=member_of)


def membership_list(user: Any) -> QuerySet[Membership]:
    memberships = Membership.objects.select_related("coalition", "provider")
    if can_read_everything(user):
        return memberships
    return memberships.filter(provider_id__in=provider_ids_for(user))
