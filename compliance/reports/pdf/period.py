"""The period report of an authority: key figures, condition compliance over time, fraud signals per
category, spend against budget ceilings and the recorded events, with charts."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from typing import IO, Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from coalitions.models import Membership, MembershipStatus
from compliance.fraud.rules import rule_title
from compliance.models import (
    AccountabilityDocument,
    ConditionEvaluation,
    DocumentStatus,
    EvaluationOutcome,
    SignalStatus,
)
from compliance.reports.history import states_at
from compliance.reports.meta import ReportMeta
from compliance.reports.pdf.common import (
    Report,
    bar_chart,
    fmt_date,
    fmt_euro,
    label_of,
    line_chart,
    spend_chart,
)
from compliance.reports.scope import agreement_scope, audit_event_scope, provider_scope, signal_scope
from compliance.spend.figures import SPEND_NOTE, spend_per_agreement
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    BudgetCeiling,
    Procedure,
    ProcedureStatus,
)
from core import clock, formatting, labels


def month_ends(start: datetime.date, end: datetime.date, limit: int = 24) -> list[datetime.date]:
    points = []
    year, month = start.year, start.month
    while True:
        nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
        point = min(nxt - datetime.timedelta(days=1), end)
        points.append(point)
        if point >= end:
            break
        year, month = nxt.year, nxt.month
    if len(points) > limit:  # keep the last point, thin out the rest evenly
        step = len(points) / limit
        points = [points[int(i * step)] for i in range(limit - 1)] + [points[-1]]
    return points


def compliance_over_time(authority: Any, points: list[datetime.date]) -> list[Counter]:
    """Per point in time: how many (condition, subject, provider) evaluations of the authority's
    subjects stood at each outcome. One pass over the evaluation history, oldest first."""
    subjects = (
        Q(subject_uuid__in=Agreement.objects.filter(authority=authority).values("uuid"))
        | Q(subject_uuid__in=Application.objects.filter(procedure__authority=authority).values("uuid"))
        | Q(subject_uuid__in=Membership.objects.filter(coalition__authority=authority).values("uuid"))
    )
    moments = [clock.end_of_day(p) for p in points]
    rows = (
        ConditionEvaluation.objects.filter(subjects, evaluated_at__lte=moments[-1])
        .order_by("evaluated_at", "id")
        .values_list("condition_id", "subject_uuid", "provider_id", "evaluated_at", "outcome")
    )
    latest: dict[tuple, str] = {}
    counts: Counter = Counter()
    snapshots: list[Counter] = []
    index = 0
    for condition_id, subject_uuid, provider_id, evaluated_at, outcome in rows.iterator(chunk_size=5000):
        while index < len(moments) and evaluated_at > moments[index]:
            snapshots.append(Counter(counts))
            index += 1
        key = (condition_id, subject_uuid, provider_id)
        previous = latest.get(key)
        if previous is not None:
            counts[previous] -= 1
        counts[outcome] += 1
        latest[key] = outcome
    while index < len(moments):
        snapshots.append(Counter(counts))
        index += 1
    return snapshots


def agreement_state_label(state: str | None) -> str:
    if state is None:
        return _("not yet recorded at the end of the period")
    return label_of(AgreementStatus.choices, state)


def period_report(
    out: IO[bytes], *, authority: Any, start: datetime.date, end: datetime.date, meta: ReportMeta
) -> None:
    report = Report(
        _("Period report"),
        f"{authority.name}, {fmt_date(start)} – {fmt_date(end)}",
        meta,
    )
    providers = provider_scope(authority)
    agreements = list(
        agreement_scope(authority, start, end).select_related("provider", "coalition").order_by("reference")
    )
    signals = signal_scope(authority, start, end)
    documents = AccountabilityDocument.objects.filter(provider__in=providers)
    report.heading(_("Key figures"))
    # states as they stood at the end of the period (from the audit trail), not as they are today; an
    # agreement recorded only after the period has no state then (a named state, not today's)
    period_end = clock.end_of_day(end)
    state_of = states_at(agreements, period_end)
    status_counts = Counter(state_of.values())
    memberships = list(Membership.objects.filter(coalition__authority=authority))
    documents_then = list(documents.only("pk", "uuid", "created_at", "status"))
    membership_states = Counter(states_at(memberships, period_end).values())
    document_states = Counter(states_at(documents_then, period_end).values())
    report.facts(
        [
            (_("Authority"), authority.name),
            (_("Period"), f"{fmt_date(start)} – {fmt_date(end)}"),
            (_("Providers with a relationship"), providers.count()),
            (_("Agreements running in the period"), len(agreements)),
            *(
                (f"  {agreement_state_label(status)}", n)
                for status, n in sorted(status_counts.items(), key=lambda item: item[0] or "")
            ),
            (
                _("Procedures"),
                Procedure.objects.filter(authority=authority).exclude(status=ProcedureStatus.DRAFT).count(),
            ),
            (_("Active coalition memberships"), membership_states[MembershipStatus.ACTIVE]),
            (_("Accepted documents"), document_states[DocumentStatus.ACCEPTED]),
            (
                _("Overdue documents"),
                documents.filter(
                    status__in=[DocumentStatus.REQUESTED, DocumentStatus.REJECTED],
                    due_date__lt=min(end, clock.today()),
                ).count(),
            ),
            (_("Fraud signals in the period"), signals.count()),
        ]
    )

    # compliance over time
    report.heading(_("Condition compliance over time"))
    points = month_ends(start, end)
    snapshots = compliance_over_time(authority, points)
    outcomes = ["satisfied", "waived", "pending", "violated"]
    series = []
    for outcome in outcomes:
        values = []
        for snapshot in snapshots:
            total = sum(snapshot.values())
            values.append(round(100 * snapshot[outcome] / total, 1) if total else 0)
        series.append((outcome, values))
    report.drawing(
        line_chart(
            points, series, _("Share of condition evaluations per outcome (%) at the end of each month")
        ),
        _(
            "Per month: the evaluation recorded as true then for every condition, subject and provider of this authority."
        ),
    )
    report.table(
        [_("Date"), *(label_of(EvaluationOutcome.choices, o) for o in outcomes), _("Total")],
        (
            [fmt_date(p), *(s[o] for o in outcomes), sum(s.values())]
            for p, s in zip(points, snapshots, strict=True)
        ),
        [16, 12, 12, 12, 12, 12],
    )

    # signals per category
    report.heading(_("Fraud signals per category"))
    per_category = list(signals.values_list("rule").annotate(n=Count("pk")).order_by("-n", "rule"))
    report.drawing(
        bar_chart(
            [rule_title(c) for c, _n in per_category],
            [n for _c, n in per_category],
            _("Fraud signals per category in the period"),
        )
    )
    per_status = defaultdict(Counter)
    for cat, status in signals.values_list("rule", "status"):
        per_status[cat][status] += 1
    statuses = [s for s, _l in SignalStatus.choices]
    report.table(
        [_("Category"), *(label_of(SignalStatus.choices, s) for s in statuses), _("Total")],
        ([rule_title(cat), *(per_status[cat][s] for s in statuses), n] for cat, n in per_category),
        [30, 12, 12, 12, 12, 10],
        empty=_("No fraud signals in the period."),
    )

    # spend against budget ceilings
    report.heading(_("Spend against budget ceiling per agreement"))
    ceilings: dict[int, Decimal] = defaultdict(Decimal)
    for agreement_id, amount in BudgetCeiling.objects.filter(
        agreement__in=[a.pk for a in agreements], year__gte=start.year, year__lte=end.year
    ).values_list("agreement_id", "amount"):
        ceilings[agreement_id] += amount
    spend = spend_per_agreement(agreements, start, end)
    report.note(str(SPEND_NOTE))
    ranked = sorted(agreements, key=lambda a: (-ceilings.get(a.pk, 0), a.reference))[:15]
    if ranked:
        report.drawing(
            spend_chart(
                [a.reference for a in ranked],
                [float(ceilings.get(a.pk, 0)) for a in ranked],
                [float(spend.get(a.pk, 0)) for a in ranked],
                _("Budget ceiling and spend in the period (largest ceilings)"),
            )
        )
    report.table(
        [_("Agreement"), _("Party"), _("Status"), _("Budget ceiling"), _("Spend"), _("Used")],
        (
            [
                a.reference,
                a.party,
                agreement_state_label(state_of[a.pk]),
                fmt_euro(ceilings.get(a.pk)),
                fmt_euro(spend.get(a.pk, Decimal(0))),
                formatting.percent(spend.get(a.pk, 0) / ceilings[a.pk], fraction=True)
                if ceilings.get(a.pk)
                else formatting.MISSING,
            ]
            for a in agreements
        ),
        [18, 30, 12, 15, 15, 10],
        empty=_("No agreements in the period."),
    )

    report.heading(_("Recorded events in the period"))
    per_event = (
        audit_event_scope(authority, start, end)
        .values_list("event")
        .annotate(n=Count("pk"))
        .order_by("event")
    )
    report.table(
        [_("Event"), _("Number")],
        ([labels.event_label(e), n] for e, n in per_event),
        [70, 30],
        empty=_("No recorded events."),
    )
    report.build(out)
