"""Query filters of coalitions and memberships (camelCase keys, like the JSON)."""

from django_filters import rest_framework as filters

from coalitions.models import Coalition, CoalitionStatus, Membership, MembershipRole, MembershipStatus
from contracting.models import Law


class CoalitionFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=CoalitionStatus.choices)
    law = filters.ChoiceFilter(choices=Law.choices)
    authority = filters.UUIDFilter(field_name="authority__uuid")
    provider = filters.UUIDFilter(
        field_name="memberships__provider__uuid", distinct=True, help_text="Coalitions with this member."
    )

    class Meta:
        model = Coalition
        fields = ["status", "law"]


class MembershipFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=MembershipStatus.choices)
    role = filters.ChoiceFilter(choices=MembershipRole.choices)
    coalition = filters.UUIDFilter(field_name="coalition__uuid")
    provider = filters.UUIDFilter(field_name="provider__uuid")

    class Meta:
        model = Membership
        fields = ["status", "role"]
