"""Reads of accountability documents: visibility per user, and which providers each requirement binds.

- officers, auditors and administrators (``can_read_everything``) see every document;
- a provider user sees only the documents of the providers they act for (``provider_ids_for``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from coalitions.models import Membership, MembershipStatus
from compliance.models import (
    AccountabilityDocument,
    ConditionAdjustment,
    ConditionRequirement,
    DocumentRequirement,
    DocumentVersion,
)
from contracting.models import Agreement, AgreementStatus, Application, ApplicationStatus
from contracting.roles import can_read_everything, provider_ids_for
from core import clock


def document_list(user: Any) -> QuerySet[AccountabilityDocument]:
    documents = AccountabilityDocument.objects.select_related(
        "provider", "document_type", "agreement", "current_version", "reviewed_by"
    )
    if can_read_everything(user):
        return documents
    if not (user and user.is_authenticated):
        return documents.none()
    return documents.filter(provider_id__in=provider_ids_for(user))


def document_list_with_versions(user: Any) -> QuerySet[AccountabilityDocument]:
    """Documents with their versions (newest first) and the requirements that ask for them, in a
    constant number of queries."""
    return document_list(user).prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
        ),
        Prefetch(
            "requirements",
            queryset=DocumentRequirement.objects.select_related(
                "condition", "agreement__authority", "procedure__authority"
            ),
        ),
    )


def document_get(user: Any, uuid: Any) -> AccountabilityDocument:
    """The document if the user may see it; DoesNotExist otherwise (a guessed uuid looks missing)."""
    return document_list_with_versions(user).get(uuid=uuid)


def version_get(user: Any, uuid: Any, number: int) -> DocumentVersion:
    return DocumentVersion.objects.select_related("document").get(
        document__in=document_list(user).values("pk"), document__uuid=uuid, number=number
    )


# --------------------------------------------------------------------------- requirement bindings


@dataclass(frozen=True)
class Binding:
    """A provider bound by a requirement (through one of its live subjects) since ``since``; for
    per-agreement document types, the agreement it is bound through."""

    provider_id: int
    agreement_id: int | None
    since: datetime.date


def requirement_bindings(requirements: list[DocumentRequirement]) -> dict[int, list[Binding]]:
    """(Requirements with ``document_type`` and ``condition`` selected.) requirement pk -> the providers it binds now, from the live subjects (submitted applications,
    agreements that did not end, memberships that did not end). A handful of queries, whatever the
    number of subjects; the rest is done in memory."""

    applications = list(
        Application.objects.filter(
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
        ).values_list("procedure_id", "provider_id", "submitted_at", "created_at")
    )
    agreements = list(
        Agreement.objects.exclude(status__in=[AgreementStatus.ENDED, AgreementStatus.EXPIRED]).values_list(
            "id", "procedure_id", "coalition_id", "provider_id", "start_date"
        )
    )
    memberships = list(
        Membership.objects.exclude(status=MembershipStatus.ENDED).values_list(
            "id", "coalition_id", "provider_id", "status", "created_at"
        )
    )
    delivering = {MembershipStatus.ADMITTED, MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED}
    coalition_members: dict[int, list[int]] = defaultdict(list)
    for _id, coalition_id, provider_id, status, _created in memberships:
        if status in delivering:
            coalition_members[coalition_id].append(provider_id)

    condition_ids = {r.condition_id for r in requirements if r.condition_id}
    procedures_of: dict[int, set[int]] = defaultdict(set)
    coalitions_of: dict[int, set[int]] = defaultdict(set)
    for condition_id, procedure_id, coalition_id in ConditionRequirement.objects.filter(
        condition_id__in=condition_ids, condition__is_active=True
    ).values_list("condition_id", "procedure_id", "coalition_id"):
        if procedure_id:
            procedures_of[condition_id].add(procedure_id)
        if coalition_id:
            coalitions_of[condition_id].add(coalition_id)
    adjusted: dict[tuple[int, str, int], str] = {}
    for condition_id, agreement_id, membership_id, action in ConditionAdjustment.objects.filter(
        condition_id__in=condition_ids
    ).values_list("condition_id", "agreement_id", "membership_id", "action"):
        if agreement_id:
            adjusted[(condition_id, "agreement", agreement_id)] = action
        else:
            adjusted[(condition_id, "membership", membership_id)] = action

    def applies(condition_id: int, kind: str, subject_id: int, inherited: bool) -> bool:
        action = adjusted.get((condition_id, kind, subject_id))
        return action == "add" if action else inherited

    def agreement_providers(provider_id: int | None, coalition_id: int | None) -> list[int]:
        return [provider_id] if provider_id else coalition_members.get(coalition_id, [])

    result: dict[int, list[Binding]] = {}
    for requirement in requirements:
        found: list[Binding] = []
        per_agreement = requirement.document_type.per_agreement
        c = requirement.condition_id
        if c and not requirement.condition.is_active:
            result[requirement.pk] = []
            continue
        if not per_agreement:
            for procedure_id, provider_id, submitted_at, created_at in applications:
                if (c and procedure_id in procedures_of[c]) or procedure_id == requirement.procedure_id:
                    since = clock.localdate(submitted_at or created_at)
                    found.append(Binding(provider_id, None, since))
            for membership_id, coalition_id, provider_id, _status, created_at in memberships:
                if c and applies(c, "membership", membership_id, coalition_id in coalitions_of[c]):
                    found.append(Binding(provider_id, None, clock.localdate(created_at)))
        for agreement_id, procedure_id, coalition_id, provider_id, start_date in agreements:
            if c:
                inherited = procedure_id in procedures_of[c] or coalition_id in coalitions_of[c]
                bound = applies(c, "agreement", agreement_id, inherited)
            elif requirement.procedure_id:
                bound = procedure_id == requirement.procedure_id
            else:
                bound = agreement_id == requirement.agreement_id
            if bound:
                for pid in agreement_providers(provider_id, coalition_id):
                    found.append(Binding(pid, agreement_id if per_agreement else None, start_date))
        result[requirement.pk] = _earliest(found)
    return result


def _earliest(bindings: list[Binding]) -> list[Binding]:
    """One binding per (provider, agreement): the earliest start."""
    best: dict[tuple[int, int | None], Binding] = {}
    for b in bindings:
        key = (b.provider_id, b.agreement_id)
        if key not in best or b.since < best[key].since:
            best[key] = b
    return sorted(best.values(), key=lambda b: (b.provider_id, b.agreement_id or 0))
