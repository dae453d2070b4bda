"""What belongs to a contracting authority, as querysets (subqueries, no Python lists of ids)."""

import datetime
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from audit.models import AuditEvent
from coalitions.models import Coalition, Membership
from compliance.fraud.rules import rule_title as rule_title  # re-exported for workbook and pdf
from compliance.models import Export, FraudSignal
from contracting.models import (
    Agreement,
    Application,
    BudgetCeiling,
    ConsultationRound,
    CostModel,
    IndexationRun,
    Kpi,
    Lot,
    Procedure,
    Provider,
    ReviewMoment,
    SubAgreement,
    Tariff,
)
from core import clock


def provider_scope(authority: Any) -> QuerySet:
    """Providers with a relationship to the authority: an agreement (directly or as a member of a
    contracting coalition), an application to one of its procedures, or a membership of its coalitions."""
    return Provider.objects.filter(
        Q(pk__in=Agreement.objects.filter(authority=authority).values("provider_id"))
        | Q(pk__in=Application.objects.filter(procedure__authority=authority).values("provider_id"))
        | Q(pk__in=Membership.objects.filter(coalition__authority=authority).values("provider_id"))
        | Q(
            pk__in=Membership.objects.filter(coalition__agreements__authority=authority).values("provider_id")
        )
    )


def agreement_scope(authority: Any, start: datetime.date, end: datetime.date) -> QuerySet:
    """The authority's agreements whose term overlaps the period."""
    return Agreement.objects.filter(authority=authority, start_date__lte=end, end_date__gte=start)


def subject_uuid_scope(authority: Any) -> list[tuple[str, QuerySet]]:
    """(subject_type, queryset of uuids) of everything of the authority that has an audit trail."""
    providers = provider_scope(authority)
    pairs = [
        ("contracting.procedure", Procedure.objects.filter(authority=authority)),
        ("contracting.application", Application.objects.filter(procedure__authority=authority)),
        ("contracting.agreement", Agreement.objects.filter(authority=authority)),
        ("contracting.indexationrun", IndexationRun.objects.filter(authority=authority)),
        ("coalitions.coalition", Coalition.objects.filter(authority=authority)),
        ("coalitions.membership", Membership.objects.filter(coalition__authority=authority)),
        ("contracting.provider", providers),
        # rows officers edit in the admin (compliance.admin_audit copies those edits into the trail)
        ("contracting.tariff", Tariff.objects.filter(authority=authority)),
        ("contracting.costmodel", CostModel.objects.filter(authority=authority)),
        ("contracting.lot", Lot.objects.filter(procedure__authority=authority)),
        ("contracting.consultationround", ConsultationRound.objects.filter(procedure__authority=authority)),
        ("contracting.budgetceiling", BudgetCeiling.objects.filter(agreement__authority=authority)),
        ("contracting.kpi", Kpi.objects.filter(agreement__authority=authority)),
        ("contracting.reviewmoment", ReviewMoment.objects.filter(agreement__authority=authority)),
        ("contracting.subagreement", SubAgreement.objects.filter(agreement__authority=authority)),
        ("compliance.export", Export.objects.filter(authority=authority)),
    ]
    # provider-bound records of other parts of the compliance app (documents, signals, waivers, ...)
    for label in (
        "compliance.accountabilitydocument",
        "compliance.fraudsignal",
        "compliance.waiver",
        "compliance.providerdeclaration",
        "compliance.officerjudgement",
    ):
        model = apps.get_model(label)
        pairs.append((label, model.objects.filter(provider__in=providers)))
    return [(label, qs.values("uuid")) for label, qs in pairs]


def audit_event_scope(authority: Any, start: datetime.date, end: datetime.date) -> QuerySet:
    """The audit events about the authority's records within the period (local dates, inclusive)."""
    q = Q()
    for label, uuids in subject_uuid_scope(authority):
        q |= Q(subject_type=label, subject_uuid__in=uuids)
    begin = clock.end_of_day(start - datetime.timedelta(days=1))
    return AuditEvent.objects.filter(q, occurred_at__gt=begin, occurred_at__lte=clock.end_of_day(end))


def signal_scope(authority: Any, start: datetime.date, end: datetime.date) -> QuerySet:
    """The fraud signals raised on the authority's data (or without an authority, for its providers)
    whose period overlaps the period."""
    return FraudSignal.objects.filter(
        Q(authority=authority) | Q(authority__isnull=True, provider__in=provider_scope(authority)),
        period_start__lte=end,
        period_end__gte=start,
    )
