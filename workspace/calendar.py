"""The contract calendar: every extension option, notice deadline, end date, review moment and document
expiry of an officer's authorities, per month; the same entries feed the alarms and the iCalendar feed."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from compliance.models import AccountabilityDocument, DocumentStatus
from contracting.models import Agreement, AgreementStatus, ReviewMoment
from core import formatting
from core.dates import add_months
from workspace.models import EntryKind
from workspace.scope import Scope, provider_ids_of

# Agreements whose dates still matter: live ones.
LIVE_AGREEMENT_STATES = (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED, AgreementStatus.TERMINATING)


AGREEMENT_FIELDS = (
    "uuid",
    "reference",
    "authority_id",
    "provider_id",
    "coalition_id",
    "status",
    "end_date",
    "termination_effective_date",
    "notice_months",
    "max_extensions",
    "extensions_used",
    "extension_months",
)


@dataclass(frozen=True)
class Entry:
    key: str  # stable per entry: an alarm is repeated for the same key until it leaves the calendar
    kind: str
    day: datetime.date
    title: str
    detail: str
    url: str
    authority_ids: frozenset[int]

    @property
    def kind_label(self) -> str:
        return str(EntryKind(self.kind).label)


def _agreement_url(pk: int) -> str:
    """The agreement's admin page, without resolving the URL for each of thousands of agreements."""
    return _agreement_url_pattern().format(pk)


@functools.cache
def _agreement_url_pattern() -> str:
    return reverse("admin:contracting_agreement_change", args=[0]).replace("/0/", "/{}/")


def _agreement_entries(agreement: Agreement) -> list[Entry]:
    party = agreement.provider or agreement.coalition
    url = _agreement_url(agreement.pk)
    title = f"{agreement.reference} – {party}"
    authorities = frozenset({agreement.authority_id})
    entries = []
    if agreement.status != AgreementStatus.TERMINATING:
        left = agreement.max_extensions - agreement.extensions_used
        deadline = agreement.extension_deadline
        if left and agreement.status == AgreementStatus.ACTIVE:
            entries.append(
                Entry(
                    key=f"agreement:{agreement.uuid}:extension:{agreement.end_date.isoformat()}",
                    kind=EntryKind.EXTENSION_OPTION,
                    day=deadline,
                    title=title,
                    detail=_("Last day to use extension option %(next)s of %(max)s (%(months)s months).")
                    % {
                        "next": agreement.extensions_used + 1,
                        "max": agreement.max_extensions,
                        "months": agreement.extension_months,
                    },
                    url=url,
                    authority_ids=authorities,
                )
            )
        entries.append(
            Entry(
                key=f"agreement:{agreement.uuid}:notice:{agreement.end_date.isoformat()}",
                kind=EntryKind.NOTICE_DEADLINE,
                day=deadline,
                title=title,
                detail=_("Last day to give notice of termination (%(months)s months before the end).")
                % {"months": agreement.notice_months},
                url=url,
                authority_ids=authorities,
            )
        )
    end = agreement.termination_effective_date or agreement.end_date
    entries.append(
        Entry(
            key=f"agreement:{agreement.uuid}:end:{end.isoformat()}",
            kind=EntryKind.END_DATE,
            day=end,
            title=title,
            detail=_("The agreement ends (terminated).")
            if agreement.status == AgreementStatus.TERMINATING
            else _("The agreement ends unless it is extended."),
            url=url,
            authority_ids=authorities,
        )
    )
    return entries


def _accepted_documents(scope: Scope, start: datetime.date, end: datetime.date):
    documents = AccountabilityDocument.objects.filter(
        status=DocumentStatus.ACCEPTED, valid_until__gte=start, valid_until__lte=end
    )
    if not scope.everything:
        # the providers of the authorities, fetched first: at region scale (200,000 documents) a list of
        # ids plans far better than the union of subqueries in the same statement
        documents = documents.filter(
            provider_id__in=list(provider_ids_of(scope.authority_ids).values_list("pk", flat=True))
        )
    return documents


def document_entries(
    scope: Scope, start: datetime.date, end: datetime.date, limit: int | None = None
) -> list[Entry]:
    """Document expiries in date order, built from plain rows (no model instances: tens of thousands a
    year at region scale)."""
    url = reverse("admin:compliance_accountabilitydocument_change", args=[0]).replace("/0/", "/{}/")
    rows = (
        _accepted_documents(scope, start, end)
        .order_by("valid_until", "document_type__name", "provider__name", "pk")
        .values_list(
            "pk", "uuid", "valid_until", "document_type__name", "provider__name", "agreement__authority_id"
        )
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        Entry(
            key=f"document:{uuid}:{valid_until.isoformat()}",
            kind=EntryKind.DOCUMENT_EXPIRY,
            day=valid_until,
            title=f"{type_name} – {provider_name}",
            detail=_("Valid until %(date)s; a renewed document is needed.")
            % {"date": formatting.date_long(valid_until)},
            url=url.format(pk),
            authority_ids=frozenset({authority_id}) if authority_id else frozenset(),
        )
        for pk, uuid, valid_until, type_name, provider_name, authority_id in rows
    ]


def document_expiries_by_month(
    scope: Scope, start: datetime.date, end: datetime.date
) -> dict[datetime.date, int]:
    """The number of document expiries per month (first day), counted in the database."""
    rows = (
        _accepted_documents(scope, start, end)
        .annotate(month=TruncMonth("valid_until"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        (row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]): row["n"]
        for row in rows
    }


def calendar_entries(
    scope: Scope, start: datetime.date, end: datetime.date, *, documents: bool = True
) -> list[Entry]:
    """Entries dated from ``start`` to ``end`` (inclusive), in date order (a bounded number of queries);
    without the document expiries when ``documents`` is false (counted by month instead)."""
    entries: list[Entry] = []
    longest = add_months(end, 120)  # an extension or notice deadline lies up to years before the end date
    agreements = (
        Agreement.objects.filter(status__in=LIVE_AGREEMENT_STATES, end_date__gte=start, end_date__lte=longest)
        .filter(scope.authorities())
        .select_related("provider", "coalition")
        # only what the entries show: thousands of agreements at region scale
        .only(*AGREEMENT_FIELDS, "provider__name", "coalition__name")
    )
    for agreement in agreements:
        entries.extend(e for e in _agreement_entries(agreement) if start <= e.day <= end)
    reviews = (
        ReviewMoment.objects.filter(planned_on__gte=start, planned_on__lte=end, outcome="")
        .filter(agreement__status__in=LIVE_AGREEMENT_STATES)
        .filter(scope.authorities("agreement__authority_id"))
        .select_related("agreement", "agreement__provider", "agreement__coalition")
    )
    for review in reviews:
        agreement = review.agreement
        entries.append(
            Entry(
                key=f"review:{review.uuid}:{review.planned_on.isoformat()}",
                kind=EntryKind.REVIEW_MOMENT,
                day=review.planned_on,
                title=f"{agreement.reference} – {agreement.provider or agreement.coalition}",
                detail=review.topic,
                url=_agreement_url(agreement.pk),
                authority_ids=frozenset({agreement.authority_id}),
            )
        )
    if documents:
        entries.extend(document_entries(scope, start, end))
    entries.sort(key=entry_order)
    return entries


def entry_order(entry: Entry) -> tuple[datetime.date, str, str]:
    return (entry.day, entry.kind, entry.title)


@dataclass(frozen=True)
class MonthRow:
    start: datetime.date
    label: str
    counts: list[int]  # per EntryKind, in the order of EntryKind.choices
    total: int


@dataclass(frozen=True)
class CalendarOverview:
    start: datetime.date
    end: datetime.date
    rows: list[MonthRow]  # one per month
    chosen: datetime.date  # the first day of the month whose entries are listed
    entries: list[Entry]  # of the chosen month: every agreement entry, the first document expiries
    hidden_documents: int  # the chosen month's document expiries beyond the first ones
    kind_counts: list[tuple[str, int]]  # (label, number in the whole period) per EntryKind


def calendar_overview(
    scope: Scope, today: datetime.date, month: str | None, *, months: int, documents_per_month: int
) -> CalendarOverview:
    """``months`` months from this month: counts per month and kind, and the entries of one month
    (``month`` as ``YYYY-MM``; anything else is the first month with entries). At region scale a year holds
    tens of thousands of document expiries: they are counted in the database, and a month lists at most
    ``documents_per_month`` of them (a bounded number of queries)."""
    start = today.replace(day=1)
    end = add_months(start, months) - datetime.timedelta(days=1)
    firsts = [add_months(start, i) for i in range(months)]
    per_month: dict[datetime.date, dict[str, int]] = {m: defaultdict(int) for m in firsts}
    year = calendar_entries(scope, start, end, documents=False)
    for entry in year:
        per_month[entry.day.replace(day=1)][entry.kind] += 1
    for first, count in document_expiries_by_month(scope, start, end).items():
        per_month[first][EntryKind.DOCUMENT_EXPIRY] += count
    kinds = [value for value, _label in EntryKind.choices]
    rows = [
        MonthRow(
            start=m,
            label=formatting.month_year(m),
            counts=[per_month[m][k] for k in kinds],
            total=sum(per_month[m].values()),
        )
        for m in firsts
    ]
    chosen = next((r.start for r in rows if month == f"{r.start:%Y-%m}"), None) or next(
        (r.start for r in rows if r.total), start
    )
    chosen_end = add_months(chosen, 1) - datetime.timedelta(days=1)
    documents = document_entries(scope, chosen, chosen_end, limit=documents_per_month)
    return CalendarOverview(
        start=start,
        end=end,
        rows=rows,
        chosen=chosen,
        entries=sorted([e for e in year if chosen <= e.day <= chosen_end] + documents, key=entry_order),
        hidden_documents=per_month[chosen][EntryKind.DOCUMENT_EXPIRY] - len(documents),
        kind_counts=[
            (label, sum(r.counts[i] for r in rows)) for i, (_v, label) in enumerate(EntryKind.choices)
        ],
    )


def by_month(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    return [
        (formatting.month_year(month), list(items))
        for month, items in groupby(entries, key=lambda e: e.day.replace(day=1))
    ]


# --------------------------------------------------------------------------- iCalendar (RFC 5545)


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def icalendar(entries: list[Entry], *, base_url: str, stamp: datetime.datetime, name: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Zorginkoop//Contract calendar//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Europe/Amsterdam",
    ]
    dtstamp = stamp.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    for entry in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_escape(entry.key)}@zorginkoop",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{entry.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{entry.day + datetime.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'{entry.kind_label}: {entry.title}')}",
            f"DESCRIPTION:{_escape(entry.detail)}",
            f"URL:{base_url}{entry.url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
