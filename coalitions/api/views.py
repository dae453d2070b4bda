"""Coalition and membership resources: read-only, transitions through the services' registries."""

from django.db import models

from api.transitions import ResourceViewSet, TransitionsMixin
from coalitions import selectors
from coalitions.api import filters, serializers
from coalitions.services import COALITION_TRANSITIONS, MEMBERSHIP_TRANSITIONS


class CoalitionViewSet(TransitionsMixin, ResourceViewSet):
    """Care coalitions. A provider user sees the coalitions their providers are members of."""

    serializer_class = serializers.CoalitionSerializer
    filterset_class = filters.CoalitionFilter
    search_fields = ["name", "care_chain"]
    transition_registry = COALITION_TRANSITIONS

    def get_queryset(self) -> models.QuerySet:
        return selectors.coalition_list(self.request.user)


class MembershipViewSet(TransitionsMixin, ResourceViewSet):
    """Memberships of coalitions. A provider user sees only their own providers' memberships."""

    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilter
    search_fields = ["provider__name", "coalition__name"]
    transition_registry = MEMBERSHIP_TRANSITIONS

    def get_queryset(self) -> models.QuerySet:
        return selectors.membership_list(self.request.user)
