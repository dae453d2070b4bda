"""What docs/state-machines.md says about the contracting state machines (``manage.py statemachines``).

The FSM transitions (states, sources, targets, permissions, labels) are read from the models. Which
service performs a transition, and with which guards, is read from the service itself: the service is
called once with a *recording* stand-in for ``perform_transition`` that stores the keyword arguments
instead of touching the database. The ``guards=[...]`` a service passes is therefore the list the docs
show, and the two cannot drift apart.

Operations that are not FSM transitions (they change data, not the state) do not go through
``perform_transition``; for those this module states explicitly in which states they are allowed and
which guard functions they apply. A test compares them with the services' ``available`` predicates.
"""

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.db import models

from contracting import guards, services
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    PastStart,
    Procedure,
)


@dataclass(frozen=True)
class Operation:
    """A domain operation on a machine that is not a state change (e.g. an extension)."""

    name: str
    service: Callable
    states: Sequence[str]
    guards: Sequence[Callable] = ()
    event: str = ""
    # facts (besides the state) an object needs before the operation is offered, e.g. a pending decision
    ready: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Machine:
    model: type[models.Model]
    registry: dict[str, Callable]
    intro: str = ""
    operations: Sequence[Operation] = field(default_factory=tuple)


@dataclass(frozen=True)
class RecordedCall:
    model: type[models.Model]
    name: str
    guards: Sequence[Callable]
    reason_required: bool
    follow_up: Callable | None


def record_transition_call(service: Callable) -> RecordedCall | None:
    """Run ``service`` with its module's ``perform_transition`` replaced by a recorder and return what
    it would have passed. Touches no database. Only for generating documentation: never call this
    while requests are being served in the same process."""
    calls: list[dict[str, Any]] = []

    def recorder(**kwargs: Any) -> None:
        calls.append(kwargs)

    module = sys.modules[service.__module__]
    if not hasattr(module, "perform_transition"):
        return None
    with mock.patch.object(module, "perform_transition", recorder):
        service(uuid=None, actor=None, reason="(documentation)")
    if not calls:
        return None
    call = calls[0]
    return RecordedCall(
        model=call["model"],
        name=call["name"],
        guards=tuple(call.get("guards") or ()),
        reason_required=bool(call.get("reason_required")),
        follow_up=call.get("after"),
    )


MACHINES = [
    Machine(
        model=Procedure,
        registry=services.PROCEDURE_TRANSITIONS,
        intro="A procurement procedure (bestuurlijke aanbesteding, open house, subsidy or light-regime tender).",
    ),
    Machine(
        model=Application,
        registry=services.APPLICATION_TRANSITIONS,
        intro="A provider's application (aanmelding) to a procedure for one or more lots. "
        "Admission creates the agreement draft.",
        operations=[
            Operation(
                name="update",
                service=services.application_update,
                states=[ApplicationStatus.DRAFT],
                event="application.changed",
            ),
            Operation(
                name="assess",
                service=services.application_assess,
                states=[ApplicationStatus.UNDER_REVIEW],
                event="application.assessed",
            ),
        ],
    ),
    Machine(
        model=Agreement,
        registry=services.AGREEMENT_TRANSITIONS,
        intro="A multi-year agreement (basisovereenkomst with a deelovereenkomst per lot) between an "
        "authority and a provider or a coalition.",
        operations=[
            Operation(
                name="keep_past_start",
                service=services.agreement_keep_past_start,
                states=[AgreementStatus.DRAFT],
                event="agreement.past_start_decided",
                ready={"past_start": PastStart.PENDING},
            ),
            Operation(
                name="start_from_today",
                service=services.agreement_start_from_today,
                states=[AgreementStatus.DRAFT],
                event="agreement.past_start_decided",
                ready={"past_start": PastStart.PENDING},
            ),
            Operation(
                name="accept",
                service=services.agreement_accept,
                states=[AgreementStatus.OFFERED],
                guards=[guards.agreement_offer_not_answered, guards.agreement_within_term],
                event="agreement.accepted",
            ),
            Operation(
                name="request_termination",
                service=services.agreement_request_termination,
                states=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED],
                event="agreement.termination_requested",
            ),
            Operation(
                name="extend",
                service=services.agreement_extend,
                states=[AgreementStatus.ACTIVE],
                guards=[guards.agreement_can_be_extended],
                event="agreement.extended",
            ),
        ],
    ),
]
