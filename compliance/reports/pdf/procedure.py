"""The procedure report: timeline, lots with their tariffs, the condition set, consultation rounds,
the applications with their assessments and outcomes, and the agreements that came of it."""

from collections import Counter
from typing import IO, Any

from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.selectors import events_for
from compliance.conditions.services import evaluations_as_of
from compliance.models import ConditionRequirement
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
from contracting.models import (
    Agreement,
    Application,
    ApplicationStatus,
    AssessmentStep,
    CostModel,
    Procedure,
    Tariff,
)
from core import clock


def procedure_report(out: IO[bytes], *, procedure: Procedure, meta: ReportMeta) -> None:
    report = Report(_("Procedure report"), f"{procedure.reference} {procedure.title}", meta)
    report.heading(_("Procedure"))
    report.facts(
        [
            (_("Reference"), procedure.reference),
            (_("Title"), procedure.title),
            (_("Authority"), procedure.authority.name),
            (_("Route"), procedure.get_route_display()),
            (_("Domain"), procedure.get_law_display()),
            (_("Intended start of the agreements"), fmt_date(procedure.contract_start)),
            (_("Application deadline"), fmt_date(procedure.application_deadline)),
            (_("Status"), procedure.get_status_display()),
            (_("Description"), procedure.description or "–"),
        ]
    )

    report.heading(_("Timeline"))
    add_timeline(report, events_for(procedure), _("No recorded events."))

    report.heading(_("Lots, products and tariffs"))
    year = procedure.tariff_year
    lots = list(procedure.lots.order_by("number").prefetch_related("products__unit"))
    products = {p.pk: p for lot in lots for p in lot.products.all()}
    tariffs = {
        t.product_id: t
        for t in Tariff.objects.filter(authority=procedure.authority, year=year, product__in=list(products))
    }
    costs = {
        c.product_id: c
        for c in CostModel.objects.filter(
            authority=procedure.authority, year=year, product__in=list(products)
        ).select_related("product__unit")
    }
    yes, no = _("yes"), _("no")
    rows = []
    for lot in lots:
        for product in lot.products.all():
            tariff, cost = tariffs.get(product.pk), costs.get(product.pk)
            real = cost.real_price if cost else None
            amount = tariff.amount if tariff else None
            meets = "–" if real is None or amount is None else (yes if amount >= real else no)
            rows.append(
                [str(lot), f"{product.code} {product.name}", year, fmt_euro(amount), fmt_euro(real), meets]
            )
    report.table(
        [_("Lot"), _("Product"), _("Year"), _("Tariff"), _("Reële prijs"), _("At least the reële prijs")],
        rows,
        [22, 32, 7, 13, 13, 12],
        empty=_("No lots."),
    )

    report.heading(_("Condition set"))
    requirements = ConditionRequirement.objects.filter(procedure=procedure).select_related("condition")
    report.table(
        [_("Condition"), _("Category"), _("Mandatory"), _("Decided by")],
        (
            [
                r.condition.title,
                r.condition.get_category_display(),
                yes if r.condition.mandatory else no,
                r.condition.get_method_display(),
            ]
            for r in requirements
        ),
        [45, 20, 12, 23],
        empty=_("No conditions."),
    )

    report.heading(_("Consultation rounds"))
    rounds = list(procedure.consultation_rounds.order_by("held_on"))
    if not rounds:
        report.note(_("No consultation rounds."))
    for number, consultation in enumerate(rounds, 1):
        report.heading(
            _("Round %(number)s: %(date)s") % {"number": number, "date": fmt_date(consultation.held_on)}, 3
        )
        report.facts(
            [
                (_("Participants"), consultation.participants),
                (_("Minutes"), consultation.minutes or "–"),
                (_("Agreed points"), consultation.agreed_points or "–"),
                (_("Advice of client and experience-expert panels"), consultation.panel_advice or "–"),
            ]
        )

    report.heading(_("Applications and their outcomes"))
    applications = list(
        procedure.applications.select_related("provider")
        .prefetch_related("lots", "assessments__assessed_by")
        .order_by("provider__name")
    )
    agreements = {a.application_id: a for a in Agreement.objects.filter(application__in=applications)}
    decisions = decision_events(applications)
    counts = Counter(a.status for a in applications)
    report.para(
        ", ".join(
            f"{label_of(ApplicationStatus.choices, status)}: {n}" for status, n in sorted(counts.items())
        )
        or _("No applications.")
    )
    for application in applications:
        report.heading(f"{application.provider.name} – {application.get_status_display()}", 3)
        decision = decisions.get(application.uuid)
        pairs = [
            (
                _("Provider"),
                f"{application.provider.name} (KvK {application.provider.kvk_number}, AGB {application.provider.agb_code})",
            ),
            (_("Lots"), ", ".join(str(lot) for lot in application.lots.all()) or "–"),
            (_("Submitted"), fmt_time(application.submitted_at)),
            (_("Decided"), fmt_time(application.decided_at)),
            (_("Outcome"), application.get_status_display()),
        ]
        if decision is not None:
            pairs.append((_("Decided by"), decision.actor_name))
            pairs.append((_("Reason of the decision"), decision.reason or "–"))
        agreement = agreements.get(application.pk)
        if agreement is not None:
            pairs.append((_("Agreement"), f"{agreement.reference} ({agreement.get_status_display()})"))
        report.facts(pairs)
        report.table(
            [_("Step"), _("Passed"), _("Reasoning"), _("Assessed by"), _("At")],
            (
                [
                    a.get_step_display(),
                    yes if a.passed else no,
                    a.reasoning,
                    a.assessed_by.get_username(),
                    fmt_time(a.assessed_at),
                ]
                for a in sorted(
                    application.assessments.all(),
                    key=lambda a: (AssessmentStep.values.index(a.step), a.assessed_at),
                )
            ),
            [22, 8, 42, 12, 14],
            empty=_("Not assessed."),
        )
        moment = application.decided_at or clock.now()
        evaluations = evaluations_as_of(application, moment)
        if evaluations:
            report.note(
                _("Condition results at the decision:")
                if application.decided_at
                else _("Current condition results:")
            )
            add_evaluations(report, evaluations)

    report.heading(_("Agreements from this procedure"))
    report.table(
        [_("Reference"), _("Party"), _("Status"), _("Term")],
        (
            [
                a.reference,
                a.party,
                a.get_status_display(),
                f"{fmt_date(a.start_date)} – {fmt_date(a.end_date)}",
            ]
            for a in Agreement.objects.filter(procedure=procedure)
            .select_related("provider", "coalition")
            .order_by("reference")
        ),
        [25, 35, 15, 25],
        empty=_("No agreements."),
    )
    report.build(out)


def decision_events(applications: list[Application]) -> dict[Any, AuditEvent]:
    """The admission or rejection event of each application (one query)."""
    events = AuditEvent.objects.filter(
        subject_type="contracting.application",
        subject_uuid__in=[a.uuid for a in applications],
        event__in=["application.admitted", "application.rejected"],
    ).order_by("id")
    return {e.subject_uuid: e for e in events}
