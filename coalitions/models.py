"""Care coalitions (zorgcoalities) and their memberships."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from contracting.models import ContractingAuthority, Law, Provider
from contracting.roles import officer
from core.models import BaseModel

CAN_TRANSITION_COALITION = officer("coalitions.transition_coalition")
CAN_TRANSITION_MEMBERSHIP = officer("coalitions.transition_membership")


class CoalitionStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")
    DISSOLVING = "dissolving", _("Dissolving")
    DISSOLVED = "dissolved", _("Dissolved")


class Coalition(FSMModelMixin, BaseModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    authority = models.ForeignKey(
        ContractingAuthority,
        verbose_name=_("region / authority"),
        on_delete=models.PROTECT,
        related_name="coalitions",
    )
    law = models.CharField(_("domain"), max_length=10, choices=Law.choices)
    care_chain = models.CharField(_("care chain"), max_length=200, blank=True)
    charter = models.TextField(_("charter"), blank=True)
    status = FSMField(
        _("status"),
        choices=CoalitionStatus.choices,
        default=CoalitionStatus.FORMING,
        protected=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("coalition")
        verbose_name_plural = _("coalitions")
        ordering = ["name"]
        permissions = [("transition_coalition", _("Can change the state of coalitions"))]

    def __str__(self) -> str:
        return self.name

    @transition(
        field=status,
        source=CoalitionStatus.FORMING,
        target=CoalitionStatus.ACTIVE,
        permission=CAN_TRANSITION_COALITION,
        custom={"event": "coalition.activated", "label": _("Activate")},
    )
    def activate(self) -> None:
        pass

    @transition(
        field=status,
        source=CoalitionStatus.ACTIVE,
        target=CoalitionStatus.DISSOLVING,
        permission=CAN_TRANSITION_COALITION,
        custom={
            "event": "coalition.dissolution_started",
            "label": _("Start dissolution"),
            "reason_required": True,
        },
    )
    def dissolve(self) -> None:
        pass

    @transition(
        field=status,
        source=CoalitionStatus.DISSOLVING,
        target=CoalitionStatus.DISSOLVED,
        permission=CAN_TRANSITION_COALITION,
        custom={"event": "coalition.dissolved", "label": _("Complete dissolution")},
    )
    def complete_dissolution(self) -> None:
        pass


class MembershipRole(models.TextChoices):
    LEAD = "lead", _("Lead contractor (penvoerder)")
    MEMBER = "member", _("Member")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ADMITTED = "admitted", _("Admitted")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXITING = "exiting", _("Exiting")
    ENDED = "ended", _("Ended")


class Membership(FSMModelMixin, BaseModel):
    coalition = models.ForeignKey(
        Coalition, verbose_name=_("coalition"), on_delete=models.PROTECT, related_name="memberships"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    status = FSMField(
        _("status"),
        choices=MembershipStatus.choices,
        default=MembershipStatus.APPLIED,
        protected=True,
        db_index=True,
    )
    suspension_reason = models.TextField(_("suspension reason"), blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["coalition", "role", "provider"]
        permissions = [("transition_membership", _("Can change the state of memberships"))]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "provider"], condition=~Q(status="ended"), name="one_live_membership"
            ),
            # The database itself refuses a second active lead; "at least one" is guarded by the services.
            models.UniqueConstraint(
                fields=["coalition"],
                condition=Q(role="lead", status="active"),
                name="at_most_one_active_lead",
            ),
            models.CheckConstraint(
                name="suspended_membership_has_reason",
                condition=~Q(status="suspended") | ~Q(suspension_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} @ {self.coalition} ({self.get_role_display()})"

    @property
    def is_lead(self) -> bool:
        return self.role == MembershipRole.LEAD

    @transition(
        field=status,
        source=MembershipStatus.APPLIED,
        target=MembershipStatus.ADMITTED,
        permission=CAN_TRANSITION_MEMBERSHIP,
        custom={"event": "membership.admitted", "label": _("Admit")},
    )
    def admit(self) -> None:
        pass

    @transition(
        field=status,
        source=MembershipStatus.ADMITTED,
        target=MembershipStatus.ACTIVE,
        permission=CAN_TRANSITION_MEMBERSHIP,
        custom={"event": "membership.activated", "label": _("Activate")},
    )
    def activate(self) -> None:
        pass

    @transition(
        field=status,
        source=MembershipStatus.ACTIVE,
        target=MembershipStatus.SUSPENDED,
        permission=CAN_TRANSITION_MEMBERSHIP,
        custom={"event": "membership.suspended", "label": _("Suspend"), "reason_required": True},
    )
    def suspend(self, *, reason: str) -> None:
        self.suspension_reason = reason

    @transition(
        field=status,
        source=MembershipStatus.SUSPENDED,
        target=MembershipStatus.ACTIVE,
        permission=CAN_TRANSITION_MEMBERSHIP,
        custom={"event": "membership.reinstated", "label": _("Reinstate")},
    )
    def reinstate(self) -> None:
        self.suspension_reason = ""

    @transition(
        field=status,
        source=[MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED],
        target=MembershipStatus.EXITING,
        permission=CAN_TRANSITION_MEMBERSHIP,
        custom={"event": "membership.exit_started", "label": _("Start exit")},
    )
    def exit(self) -> None:
        pass

    @transition(
        field=status,
        source=MembershipStatus.EXITING,
        target=MembershipStatus.ENDED,
        permission=CAN_TRANSITION_MEMBERSHIP,
        custom={"event": "membership.ended", "label": _("End")},
    )
    def end(self) -> None:
        pass
