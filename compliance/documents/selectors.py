"""Reads of accountability documents: visibility per user, and which providers each requirement binds.

- officers, auditors and administrators (``can_read_everything``) see every document;
- a provider user sees only the documents of the providers they act for (``provider_ids_for``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from coalitions.models import Membership, MembershipStatus
from compliance.conditions.subjects import effective_conditions
from compliance.models import (
    AccountabilityDocument,
    Condition,
    ConditionAdjustment,
    ConditionRequirement,
    DecisionMethod,
    DocumentRequirement,
    DocumentStatus,
    DocumentType,
    DocumentVersion,
    ProviderDeclaration,
)
from contracting.models import Agreement, AgreementStatus, Application, ApplicationStatus
from contracting.roles import can_read_everything, provider_ids_for
from core import clock
from core.dates import add_months


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


# --------------------------------------------------------------------------- applying to a procedure


@dataclass
class DocumentAsked:
    """A document type a procedure asks of its applicants, with the instructions of its requirements."""

    document_type: DocumentType
    instructions: list[str]
    conditions: list[Condition]


def procedure_documents_asked(procedure: Any) -> list[DocumentAsked]:
    """What an applicant to ``procedure`` will be asked to deliver: the evidence documents of the conditions
    in its condition set, and the documents its requirements (of the procedure, or of a condition in its
    set) ask for. Four queries."""
    conditions = list(
        Condition.objects.filter(is_active=True, requirements__procedure=procedure)
        .prefetch_related("document_types")
        .order_by("category", "code")
    )
    asked: dict[int, DocumentAsked] = {}
    for condition in conditions:
        for document_type in condition.document_types.all():
            item = asked.setdefault(document_type.pk, DocumentAsked(document_type, [], []))
            item.conditions.append(condition)
    requirements = DocumentRequirement.objects.filter(is_active=True).filter(
        Q(procedure=procedure) | Q(condition__in=[c.pk for c in conditions])
    )
    for requirement in requirements.select_related("document_type").order_by("pk"):
        item = asked.setdefault(
            requirement.document_type_id, DocumentAsked(requirement.document_type, [], [])
        )
        if requirement.instructions and requirement.instructions not in item.instructions:
            item.instructions.append(requirement.instructions)
    return sorted(asked.values(), key=lambda item: item.document_type.name)


@dataclass
class DeclarationItem:
    condition: Condition
    declaration: ProviderDeclaration | None  # the signed declaration in force today, if any


@dataclass
class DocumentItem:
    asked: DocumentAsked
    document: AccountabilityDocument | None  # the accepted one in force, else the one being delivered
    state: str  # accepted | in_review | to_upload | missing

    @property
    def delivered(self) -> bool:
        return self.state in ("accepted", "in_review")


@dataclass
class Checklist:
    lots_chosen: bool
    declarations: list[DeclarationItem]
    documents: list[DocumentItem]

    @property
    def missing(self) -> list[str]:
        """What the provider still has to do before the application is complete, in plain words."""
        items = [] if self.lots_chosen else [_("Choose at least one lot.")]
        items += [
            _("Sign the declaration '%(title)s'.") % {"title": d.condition.title}
            for d in self.declarations
            if d.declaration is None
        ]
        items += [
            _("Upload the document '%(type)s'.") % {"type": d.asked.document_type.name}
            for d in self.documents
            if not d.delivered
        ]
        return items


def declaration_in_force(condition: Condition, declaration: ProviderDeclaration, day: datetime.date) -> bool:
    until = declaration.valid_until
    if condition.validity_months:
        cap = add_months(declaration.signed_on, condition.validity_months)
        until = cap if until is None else min(until, cap)
    return declaration.signed_on <= day and (until is None or day <= until)


def application_checklist(application: Any) -> Checklist:
    """The provider's own part of an application: the lots, the declarations it signs for the conditions
    decided by a declaration, and the documents asked (an accepted document in force is reused: deliver
    once). A handful of queries."""
    today = clock.today()
    provider = application.provider
    declared = [c for c in effective_conditions(application) if c.method == DecisionMethod.DECLARATION]
    signed: dict[int, list[ProviderDeclaration]] = defaultdict(list)
    for declaration in ProviderDeclaration.objects.filter(
        provider=provider, condition__in=[c.pk for c in declared]
    ).order_by("-signed_on", "-created_at"):
        signed[declaration.condition_id].append(declaration)
    declarations = [
        DeclarationItem(c, next((d for d in signed[c.pk] if declaration_in_force(c, d, today)), None))
        for c in declared
    ]
    asked = procedure_documents_asked(application.procedure)
    documents = defaultdict(list)
    for document in (
        AccountabilityDocument.objects.filter(
            provider=provider, document_type__in=[a.document_type.pk for a in asked]
        )
        .select_related("document_type", "current_version")
        .order_by("-created_at")
    ):
        documents[document.document_type_id].append(document)
    items = []
    for item in asked:
        mine = documents[item.document_type.pk]
        accepted = [
            d
            for d in mine
            if d.status == DocumentStatus.ACCEPTED
            and d.valid_from is not None
            and d.valid_from <= today
            and (d.valid_until is None or today <= d.valid_until)
        ]
        in_review = [d for d in mine if d.status in (DocumentStatus.SUBMITTED, DocumentStatus.IN_REVIEW)]
        owed = [d for d in mine if d.status in (DocumentStatus.REQUESTED, DocumentStatus.REJECTED)]
        if accepted:
            items.append(DocumentItem(item, accepted[0], "accepted"))
        elif in_review:
            items.append(DocumentItem(item, in_review[0], "in_review"))
        elif owed:
            items.append(DocumentItem(item, owed[0], "to_upload"))
        else:
            items.append(DocumentItem(item, None, "missing"))
    return Checklist(application.lots.exists(), declarations, items)
