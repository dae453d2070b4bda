"""Output shapes of coalitions and memberships."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.transitions import available_transitions_field
from coalitions.models import Coalition, Membership, MembershipRole, MembershipStatus
from coalitions.services import COALITION_TRANSITIONS, MEMBERSHIP_TRANSITIONS
from contracting.api.serializers import (
    AuthorityRefSerializer,
    CoalitionRefSerializer,
    ProviderRefSerializer,
)


class CoalitionSerializer(serializers.ModelSerializer):
    authority = AuthorityRefSerializer(read_only=True)
    lead = serializers.SerializerMethodField()
    available_transitions = available_transitions_field(COALITION_TRANSITIONS)

    class Meta:
        model = Coalition
        fields = [
            "uuid",
            "name",
            "authority",
            "law",
            "care_chain",
            "charter",
            "lead",
            "status",
            "available_transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ProviderRefSerializer(allow_null=True))
    def get_lead(self, coalition: Coalition) -> dict | None:
        """The provider of the active lead membership (penvoerder), if any."""
        leads = getattr(coalition, "active_leads", None)
        if leads is None:  # not prefetched (a single object): one query
            leads = list(
                coalition.memberships.filter(
                    role=MembershipRole.LEAD, status=MembershipStatus.ACTIVE
                ).select_related("provider")
            )
        return ProviderRefSerializer(leads[0].provider).data if leads else None


class MembershipSerializer(serializers.ModelSerializer):
    coalition = CoalitionRefSerializer(read_only=True)
    provider = ProviderRefSerializer(read_only=True)
    available_transitions = available_transitions_field(MEMBERSHIP_TRANSITIONS)

    class Meta:
        model = Membership
        fields = [
            "uuid",
            "coalition",
            "provider",
            "role",
            "status",
            "suspension_reason",
            "available_transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
