"""What docs/state-machines.md says about the coalition state machines (see contracting.state_docs)."""

from coalitions import services
from coalitions.models import Coalition, Membership, MembershipStatus
from contracting.state_docs import Machine, Operation

MACHINES = [
    Machine(
        model=Coalition,
        registry=services.COALITION_TRANSITIONS,
        intro="A care coalition (zorgcoalitie): providers that together cover a domain or a chain of care.",
    ),
    Machine(
        model=Membership,
        registry=services.MEMBERSHIP_TRANSITIONS,
        intro="A provider's membership of a coalition, as lead contractor (penvoerder), member or "
        "subcontractor.",
        operations=[
            Operation(
                name="make_lead",
                service=services.membership_make_lead,
                states=[MembershipStatus.ACTIVE],
                event="membership.lead_appointed",
            ),
        ],
    ),
]
