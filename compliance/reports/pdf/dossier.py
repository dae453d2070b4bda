"""The provider dossier: identity, relationships (optionally also as they stood on a date), condition
results with their evidence, documents, fraud signals (for who may see them) and the timeline."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import IO, Any

from django.apps import apps
from django.db.models import Q, Value
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from coalitions.models import Membership
from compliance.audience import audit_events_visible_to, sees_investigations, signals_visible_to
from compliance.conditions.selectors import latest_evaluations
from compliance.fraud.rules import rule_title
from compliance.models import AccountabilityDocument, FraudSignal, SignalSeverity, SignalStatus
from compliance.reports.history import subject_as_of
from compliance.reports.meta import ReportMeta
from compliance.reports.pdf.common import (
    Report,
    add_evaluations,
    add_timeline,
    fmt_date,
    fmt_euro,
    fmt_time,
    label_of,
)
from contracting.models import Agreement, Application, IndexationRun, Provider
from core import formatting, labels
from core.formatting import MISSING, percent


def provider_agreements(provider: Provider):
    """The provider's own agreements and those of the coalitions it is a member of."""
    member_of = Membership.objects.filter(provider=provider).values("coalition_id")
    return (
        Agreement.objects.filter(Q(provider=provider) | Q(coalition_id__in=member_of))
        .select_related("authority", "provider", "coalition", "procedure")
        .order_by("start_date", "reference")
    )


def provider_timeline(provider: Provider):
    """Every audit event about the provider or one of its records, oldest first."""
    subjects = [
        ("contracting.provider", Provider.objects.filter(pk=provider.pk)),
        ("contracting.agreement", provider_agreements(provider)),
        ("contracting.application", Application.objects.filter(provider=provider)),
        ("coalitions.membership", Membership.objects.filter(provider=provider)),
    ]
    for label in (
        "compliance.accountabilitydocument",
        "compliance.fraudsignal",
        "compliance.waiver",
        "compliance.providerdeclaration",
        "compliance.officerjudgement",
    ):
        subjects.append((label, apps.get_model(label).objects.filter(provider=provider)))
    # The subjects' uuids are read first, in one query, and given to the events query as lists: with
    # sub-selects PostgreSQL scans the whole trail (about 1 s at a million events), with lists it reads the
    # (subject_type, subject_uuid) index.
    labelled = [
        qs.annotate(label=Value(label)).values_list("label", "uuid").order_by() for label, qs in subjects
    ]
    uuids: dict[str, list[Any]] = defaultdict(list)
    for label, uuid in labelled[0].union(*labelled[1:], all=True):
        uuids[label].append(uuid)
    q = Q()
    for label, values in uuids.items():
        q |= Q(subject_type=label, subject_uuid__in=values)
    return AuditEvent.objects.filter(q).order_by("id") if q else AuditEvent.objects.none()


def provider_dossier(
    out: IO[bytes],
    *,
    provider: Provider,
    meta: ReportMeta,
    reader: Any,
    as_of: datetime.date | None = None,
):
    """The dossier as ``reader`` may see it (a user, or core.actors.SYSTEM): a provider user
    gets no fraud signals, no events of investigations and no waivers that are not approved."""
    report = Report(_("Provider dossier"), provider.name, meta)
    if as_of:
        report.para(
            _(
                "This dossier also shows the agreements, memberships and applications as they stood on %(date)s."
            )
            % {"date": fmt_date(as_of)}
        )

    # identity
    report.heading(_("Identity"))
    domains = [
        str(label)
        for flag, label in ((provider.serves_wmo, _("Wmo")), (provider.serves_youth, _("Jeugdwet")))
        if flag
    ]
    report.facts(
        [
            (_("Name"), provider.name),
            (_("KvK number"), provider.kvk_number),
            (_("AGB code"), provider.agb_code),
            (_("Legal form"), provider.get_legal_form_display()),
            (_("Founding date"), fmt_date(provider.founded_on)),
            (_("Address"), " ".join(x for x in (provider.street, provider.postal_code, provider.city) if x)),
            (_("Domains"), ", ".join(domains)),
            (_("FTE"), formatting.number(provider.fte)),
            (_("Parent organisation"), provider.parent.name if provider.parent else "–"),
            (_("Identifier"), provider.uuid),
        ],
        mono_keys={_("Identifier")},
    )
    report.heading(_("Board members"), 3)
    report.table(
        [_("Name"), _("Role"), _("From"), _("Until")],
        (
            [b.name, b.role, fmt_date(b.start_date), fmt_date(b.end_date)]
            for b in provider.board_members.order_by("start_date")
        ),
        [30, 30, 15, 15],
    )

    # relationships
    agreements = list(provider_agreements(provider))
    report.heading(_("Agreements"))
    report.table(
        [_("Reference"), _("Authority"), _("Party"), _("Status"), _("Term"), _("Extensions"), _("Procedure")],
        (
            [
                a.reference,
                a.authority.name,
                a.party,
                a.get_status_display(),
                f"{fmt_date(a.start_date)} – {fmt_date(a.end_date)}",
                _("%(used)s of %(max)s × %(months)s months")
                % {"used": a.extensions_used, "max": a.max_extensions, "months": a.extension_months},
                a.procedure.reference if a.procedure else "–",
            ]
            for a in agreements
        ),
        [16, 18, 18, 11, 20, 11, 12],
        empty=_("No agreements."),
    )
    memberships = list(
        Membership.objects.filter(provider=provider)
        .select_related("coalition__authority")
        .order_by("created_at")
    )
    report.heading(_("Coalition memberships"))
    report.table(
        [_("Coalition"), _("Region / authority"), _("Role"), _("Status"), _("Since")],
        (
            [
                m.coalition.name,
                m.coalition.authority.name,
                m.get_role_display(),
                m.get_status_display(),
                fmt_date(m.created_at.date()),
            ]
            for m in memberships
        ),
        [26, 22, 20, 12, 12],
        empty=_("No memberships."),
    )
    applications = list(
        Application.objects.filter(provider=provider)
        .select_related("procedure__authority")
        .order_by("created_at")
    )
    report.heading(_("Applications"))
    report.table(
        [_("Procedure"), _("Authority"), _("Status"), _("Submitted"), _("Decided")],
        (
            [
                f"{a.procedure.reference} {a.procedure.title}",
                a.procedure.authority.name,
                a.get_status_display(),
                fmt_time(a.submitted_at),
                fmt_time(a.decided_at),
            ]
            for a in applications
        ),
        [32, 20, 12, 14, 14],
        empty=_("No applications."),
    )

    if as_of:
        report.heading(_("As of %(date)s") % {"date": fmt_date(as_of)})
        for subject in [*agreements, *memberships, *applications]:
            add_as_of(report, subject_as_of(subject, as_of))

    # conditions
    report.heading(_("Condition results"))
    report.note(
        _(
            "The current outcome per condition and subject, with the evidence it rests on (documents with their SHA-256)."
        )
    )
    current = sorted(
        latest_evaluations([provider.pk]),
        key=lambda e: (e.subject_repr, e.condition.category, e.condition.code),
    )
    add_evaluations(
        report,
        current,
        empty=_("No evaluations recorded."),
    )

    report.heading(_("Accountability documents"))
    documents = (
        AccountabilityDocument.objects.filter(provider=provider)
        .select_related("document_type", "reviewed_by")
        .order_by("document_type__name", "period_start")
    )
    report.table(
        [_("Document type"), _("Period"), _("Status"), _("Reviewer"), _("Valid until"), _("SHA-256")],
        (
            [
                d.document_type.name,
                f"{fmt_date(d.period_start)} – {fmt_date(d.period_end)}" if d.period_start else "–",
                d.get_status_display(),
                d.reviewed_by.get_username() if d.reviewed_by else "–",
                fmt_date(d.valid_until),
                d.sha256 or "–",
            ]
            for d in documents
        ),
        [16, 12, 9, 9, 9, 56],
        empty=_("No documents."),
        mono_columns=[5],
    )

    if sees_investigations(reader):  # for anyone else the section is not there at all
        report.heading(_("Fraud signals"))
        signals = signals_visible_to(reader, FraudSignal.objects.filter(provider=provider))
        add_signals(report, signals.order_by("-period_end"))

    report.heading(_("Timeline of the relationship"))
    timeline = audit_events_visible_to(reader, provider_timeline(provider))
    add_timeline(report, timeline.iterator(chunk_size=2000), _("No recorded events."))
    report.build(out)


def add_signals(report: Report, signals: Iterable[FraudSignal]) -> None:
    report.table(
        [_("Rule"), _("Period"), _("Severity"), _("Score"), _("Status"), _("Explanation")],
        (
            [
                rule_title(s.rule),
                f"{fmt_date(s.period_start)} – {fmt_date(s.period_end)}",
                label_of(SignalSeverity.choices, s.severity),
                formatting.number(s.score),
                label_of(SignalStatus.choices, s.status),
                s.explanation,
            ]
            for s in signals
        ),
        [20, 18, 9, 8, 11, 34],
        empty=_("No fraud signals."),
    )


def add_as_of(report: Report, as_of: Any) -> None:
    subject = as_of.subject
    report.heading(f"{subject._meta.verbose_name}: {subject}", 3)
    if not as_of.existed:
        report.note(_("Did not exist yet on this date."))
        return
    pairs = [(_("State on this date"), as_of.state_label), (_("State now"), subject.get_status_display())]
    if as_of.last_event is not None:
        pairs.append(
            (
                _("Last recorded event"),
                f"{fmt_time(as_of.last_event.occurred_at)} {labels.event_label(as_of.last_event.event)} "
                f"({as_of.last_event.actor_name})",
            )
        )
    if as_of.term:
        pairs.append(
            (_("Term"), f"{fmt_date(as_of.term['start_date'])} – {fmt_date(as_of.term['end_date'])}")
        )
        pairs.append(
            (_("Extensions used"), f"{as_of.term['extensions_used']}/{as_of.term['max_extensions']}")
        )
    report.facts(pairs)
    if as_of.evaluations:
        add_evaluations(report, as_of.evaluations)
    if as_of.tariffs:
        add_tariffs(report, as_of.tariffs)


def indexation_text(tariff: Any) -> str:
    """The indexation of a tariff as it stood: its percentage and basis, a dash when the tariff was not
    indexed, and "not known" (a named state, never a guess) when the tariff or its rate was not set yet."""
    if not tariff.basis:
        return MISSING
    if tariff.basis == "unknown" or tariff.indexation_pct is None:
        return _("not known")
    return f"{percent(tariff.indexation_pct, 2)} ({label_of(IndexationRun.Basis.choices, tariff.basis)})"


def add_tariffs(report: Report, tariffs: Iterable[Any]) -> None:
    yes, no = _("yes"), _("no")
    report.table(
        [
            _("Product"),
            _("Year"),
            _("Tariff"),
            _("Reële prijs"),
            _("At least the reële prijs"),
            _("Indexation"),
        ],
        (
            [
                f"{t.product.code} {t.product.name}",
                t.year,
                fmt_euro(t.amount) if t.amount is not None else _("not set yet"),
                fmt_euro(t.real_price),
                "–" if t.meets_real_price is None else (yes if t.meets_real_price else no),
                indexation_text(t),
            ]
            for t in tariffs
        ),
        [32, 8, 14, 14, 12, 18],
    )
