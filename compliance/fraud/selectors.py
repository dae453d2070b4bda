"""Reads for fraud signals and production imports.

Visibility: officers, auditors and administrators see every signal and import. A provider user sees
none: compliance.audience is the one rule for signals, everywhere they are shown. Imports contain the
municipality's production data of all providers.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from coalitions.models import Membership, MembershipStatus
from compliance.audience import signals_visible_to
from compliance.models import FraudSignal, IkzInformationRequest, IkzReport, ImportBatch, SignalHearing
from contracting.models import Agreement, AgreementStatus, Application, ApplicationStatus
from contracting.roles import can_read_everything


def signal_list(user: Any) -> QuerySet[FraudSignal]:
    signals = FraudSignal.objects.select_related(
        "provider", "authority", "confirmation_requested_by", "decided_by"
    )
    return signals_visible_to(user, signals)


def hearings_of(signal: FraudSignal) -> QuerySet[SignalHearing]:
    return signal.hearings.select_related("application__procedure", "recorded_by").order_by("heard_on", "id")


def applications_to_hear(signal: FraudSignal) -> QuerySet[Application]:
    """The provider's undecided applications that the signal holds and that have no hearing on it yet."""
    return (
        Application.objects.filter(
            provider_id=signal.provider_id,
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW],
        )
        .exclude(signal_hearings__signal=signal)
        .select_related("procedure")
        .order_by("submitted_at", "pk")
    )


def ikz_reports_of(signal: FraudSignal) -> QuerySet[IkzReport]:
    return signal.ikz_reports.select_related("decided_by", "recorded_by").order_by("reported_on", "id")


def ikz_requests_of(report: IkzReport) -> QuerySet[IkzInformationRequest]:
    return report.information_requests.select_related("answered_by", "recorded_by").order_by(
        "received_on", "id"
    )


def import_batch_list(user: Any) -> QuerySet[ImportBatch]:
    batches = ImportBatch.objects.select_related("authority", "imported_by")
    if can_read_everything(user):
        return batches
    return batches.none()


@dataclass
class SuspensionCandidates:
    agreements: list[Agreement]
    memberships: list[Membership]


def suspension_candidates(signal: FraudSignal) -> SuspensionCandidates:
    """What a confirmation proposes to suspend: the provider's active agreements (as the party) and
    its active coalition memberships (a coalition's agreement is not suspended for one member)."""
    return SuspensionCandidates(
        agreements=list(
            Agreement.objects.filter(provider_id=signal.provider_id, status=AgreementStatus.ACTIVE)
            .select_related("authority")
            .order_by("reference")
        ),
        memberships=list(
            Membership.objects.filter(provider_id=signal.provider_id, status=MembershipStatus.ACTIVE)
            .select_related("coalition")
            .order_by("coalition__name")
        ),
    )
