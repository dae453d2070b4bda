"""Reads of the workspace pages: one provider's relationship, one coalition, the timeline of a provider.
Each is a constant number of queries whatever the number of agreements, documents or events (the pages
assert it). What a reader may see of signals, waivers and events goes through compliance.audience."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from coalitions.models import Coalition, Membership, MembershipRole
from compliance.audience import (
    audit_events_visible_to,
    sees_investigations,
    signals_visible_to,
    waivers_visible_to,
)
from compliance.conditions.selectors import latest_evaluations
from compliance.models import (
    AccountabilityDocument,
    ConditionEvaluation,
    FraudSignal,
    OfficerJudgement,
    Waiver,
)
from compliance.reports.pdf.dossier import provider_agreements, provider_timeline
from compliance.spend.figures import spend_per_agreement
from contracting.models import (
    Agreement,
    Application,
    ApplicationAssessment,
    BudgetCeiling,
    Procedure,
    Provider,
    SubAgreement,
    Tariff,
)
from core import clock
from core.state_diagram import Diagram
from workspace.labels import event_label, state_label

HISTORY_LIMIT = 100
TIMELINE_LIMIT = 500

# Timeline filter: what kind of record an event is about (subject types of the audit trail).
TIMELINE_KINDS = {
    "provider": ("contracting.provider",),
    "application": ("contracting.application",),
    "agreement": ("contracting.agreement",),
    "membership": ("coalitions.membership",),
    "document": ("compliance.accountabilitydocument",),
    "signal": ("compliance.fraudsignal",),
    "waiver": ("compliance.waiver",),
    "condition": ("compliance.providerdeclaration", "compliance.officerjudgement"),
}


@dataclass
class AgreementRow:
    agreement: Agreement
    lots: list[SubAgreement]
    tariffs: dict[int, list[Tariff]]  # year → tariffs of the products of its lots
    ceilings: list[BudgetCeiling]
    spend: Decimal | None
    diagram: Diagram | None = None  # its state machine for the reader (filled by the page)


@dataclass
class Relationship:
    provider: Provider
    procedures: list[Procedure]
    applications: list[Application]
    agreements: list[AgreementRow]
    spend_note: str
    spend_year: int
    memberships: list[Membership]
    evaluations: list[ConditionEvaluation]
    evaluation_history: list[ConditionEvaluation]
    documents: list[AccountabilityDocument]
    signals: list[FraudSignal] | None  # None: not for this reader (the section is left out)
    waivers: list[Waiver]
    assessments: list[ApplicationAssessment]
    judgements: list[OfficerJudgement]


def agreement_rows(agreements: list[Agreement], today: datetime.date) -> tuple[list[AgreementRow], str]:
    """Lots, tariffs per year, ceilings and this year's spend of the agreements (a fixed number of queries)."""
    ids = [a.pk for a in agreements]
    lots: dict[int, list[SubAgreement]] = defaultdict(list)
    products: dict[int, set[int]] = defaultdict(set)
    for sub in (
        SubAgreement.objects.filter(agreement_id__in=ids)
        .select_related("lot")
        .prefetch_related("lot__products")
        .order_by("lot__number")
    ):
        lots[sub.agreement_id].append(sub)
        products[sub.agreement_id].update(p.pk for p in sub.lot.products.all())
    ceilings: dict[int, list[BudgetCeiling]] = defaultdict(list)
    for ceiling in BudgetCeiling.objects.filter(agreement_id__in=ids).select_related("municipality"):
        ceilings[ceiling.agreement_id].append(ceiling)
    all_products = {p for ids_ in products.values() for p in ids_}
    tariffs: dict[tuple[int, int], list[Tariff]] = defaultdict(list)
    for tariff in (
        Tariff.objects.filter(
            authority_id__in={a.authority_id for a in agreements}, product_id__in=all_products
        )
        .select_related("product")
        .order_by("year", "product__code")
    ):
        tariffs[(tariff.authority_id, tariff.product_id)].append(tariff)
    spend = spend_per_agreement(
        agreements, datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    )
    note = _(
        "Spend in %(year)s: the amounts declared to the authority for periods starting this year within the "
        "agreement's term, by its provider (or the coalition's members)."
    ) % {"year": today.year}
    rows = []
    for agreement in agreements:
        per_year: dict[int, list[Tariff]] = defaultdict(list)
        for product_id in sorted(products[agreement.pk]):
            for tariff in tariffs[(agreement.authority_id, product_id)]:
                per_year[tariff.year].append(tariff)
        rows.append(
            AgreementRow(
                agreement=agreement,
                lots=lots[agreement.pk],
                tariffs={
                    year: sorted(t, key=lambda t: t.product.code) for year, t in sorted(per_year.items())
                },
                ceilings=sorted(ceilings[agreement.pk], key=lambda c: (c.year, c.municipality_id or 0)),
                spend=spend.get(agreement.pk, Decimal(0)),
            )
        )
    return rows, note


def provider_relationship(provider: Provider, reader: Any) -> Relationship:
    today = clock.today()
    applications = list(
        Application.objects.filter(provider=provider)
        .select_related("procedure", "procedure__authority", "agreement")
        .order_by("-created_at")
    )
    procedure_ids = {a.procedure_id for a in applications}
    agreements = list(provider_agreements(provider))
    rows, note = agreement_rows(agreements, today)
    history = list(
        ConditionEvaluation.objects.filter(provider=provider)
        .select_related("condition")
        .order_by("-evaluated_at", "-id")[:HISTORY_LIMIT]
    )
    signals = None
    if sees_investigations(reader):
        signals = list(
            signals_visible_to(reader, FraudSignal.objects.filter(provider=provider))
            .select_related("authority", "confirmation_requested_by")
            .order_by("-period_end")
        )
    return Relationship(
        provider=provider,
        procedures=list(
            Procedure.objects.filter(pk__in=procedure_ids)
            .select_related("authority")
            .order_by("-contract_start")
        ),
        applications=applications,
        agreements=rows,
        spend_note=note,
        spend_year=today.year,
        memberships=list(
            Membership.objects.filter(provider=provider)
            .select_related("coalition", "coalition__authority")
            .order_by("coalition__name")
        ),
        evaluations=sorted(
            latest_evaluations([provider.pk]), key=lambda e: (e.condition.title, e.subject_repr)
        ),
        evaluation_history=history,
        documents=list(
            AccountabilityDocument.objects.filter(provider=provider)
            .select_related("document_type", "reviewed_by", "agreement")
            .order_by("document_type__name", "-period_start")
        ),
        signals=signals,
        waivers=list(
            waivers_visible_to(reader, Waiver.objects.filter(provider=provider))
            .select_related("condition", "requested_by", "decided_by")
            .order_by("-created_at")
        ),
        assessments=list(
            ApplicationAssessment.objects.filter(application__provider=provider)
            .select_related("application__procedure", "assessed_by")
            .order_by("-assessed_at")
        ),
        judgements=list(
            OfficerJudgement.objects.filter(provider=provider)
            .select_related("condition", "judged_by")
            .order_by("-judged_on")
        ),
    )


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineEntry:
    event: AuditEvent
    label: str
    from_state: str
    to_state: str
    kind: str


@dataclass
class TimelineFilter:
    kind: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    actor: str = ""


def _kind_of(subject_type: str) -> str:
    for kind, types in TIMELINE_KINDS.items():
        if subject_type in types:
            return kind
    return ""


def provider_timeline_events(
    provider: Provider, reader: Any, filters: TimelineFilter | None = None
) -> QuerySet[AuditEvent]:
    """Every event about the provider and its records that the reader may see, newest first, filtered."""
    filters = filters or TimelineFilter()
    events = audit_events_visible_to(reader, provider_timeline(provider))
    if filters.kind in TIMELINE_KINDS:
        events = events.filter(subject_type__in=TIMELINE_KINDS[filters.kind])
    if filters.date_from:
        events = events.filter(occurred_at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(occurred_at__date__lte=filters.date_to)
    if filters.actor:
        events = events.filter(actor_name__iexact=filters.actor)
    return events.order_by("-occurred_at", "-id")


def timeline_entries(events: Any) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            event=e,
            label=event_label(e.event, e.subject_type),
            from_state=state_label(e.subject_type, e.from_state),
            to_state=state_label(e.subject_type, e.to_state),
            kind=_kind_of(e.subject_type),
        )
        for e in events
    ]


# --------------------------------------------------------------------------- coalition


@dataclass
class CoalitionOverview:
    coalition: Coalition
    lead: Membership | None
    by_role: list[tuple[str, list[Membership]]]
    evaluations: dict[int, list[ConditionEvaluation]]  # membership pk → its current results
    agreements: list[AgreementRow]
    spend_note: str
    history: list[TimelineEntry]
    memberships: list[Membership] = field(default_factory=list)


def coalition_overview(coalition: Coalition, reader: Any) -> CoalitionOverview:
    memberships = list(
        Membership.objects.filter(coalition=coalition).select_related("provider").order_by("provider__name")
    )
    by_role = [
        (str(label), [m for m in memberships if m.role == value])
        for value, label in MembershipRole.choices
        if any(m.role == value for m in memberships)
    ]
    provider_ids = [m.provider_id for m in memberships]
    current = latest_evaluations(provider_ids) if provider_ids else []
    membership_uuids = {m.uuid: m.pk for m in memberships}
    evaluations: dict[int, list[ConditionEvaluation]] = defaultdict(list)
    for evaluation in current:
        pk = membership_uuids.get(evaluation.subject_uuid)
        if pk is not None:
            evaluations[pk].append(evaluation)
    agreements = list(
        Agreement.objects.filter(coalition=coalition)
        .select_related("authority", "procedure")
        .prefetch_related(Prefetch("sub_agreements", queryset=SubAgreement.objects.select_related("lot")))
        .order_by("start_date", "reference")
    )
    rows, note = agreement_rows(agreements, clock.today())
    subjects = [
        ("coalitions.coalition", [coalition.uuid]),
        ("coalitions.membership", [m.uuid for m in memberships]),
        ("contracting.agreement", [a.uuid for a in agreements]),
    ]
    events = AuditEvent.objects.none()
    for subject_type, uuids in subjects:
        events = events | AuditEvent.objects.filter(subject_type=subject_type, subject_uuid__in=uuids)
    history = timeline_entries(
        audit_events_visible_to(reader, events).order_by("-occurred_at", "-id")[:TIMELINE_LIMIT]
    )
    return CoalitionOverview(
        coalition=coalition,
        lead=next((m for m in memberships if m.role == MembershipRole.LEAD), None),
        by_role=by_role,
        evaluations=dict(evaluations),
        agreements=rows,
        spend_note=note,
        history=history,
        memberships=memberships,
    )
