"""Accountability documents in the demo: requirements, and documents in every state, made through the
document services (requests by document_generate_requests, uploads of small real PDFs, reviews by the
demo officers) at the right moments of the simulated clock.

- every applicant to the Wmo procedure is asked for its anti-discrimination policy (a condition of the
  procedure): most deliver and are accepted before the assessment, one after a rejection and a new
  version; Snelgroei Zorg never delivers (overdue: the condition stays pending), Zorgverlening Rozenburg's
  policy is rejected;
- the demo provider (user ``aanbieder``) also has quarterly production figures for its agreement (older
  quarters accepted, the last one overdue, the current one requested), a rejected insurance certificate,
  a KvK extract awaiting review and a quality report due in three weeks.
"""

import datetime
import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from compliance.documents import periods
from compliance.documents import services as document_services
from compliance.models import (
    AccountabilityDocument,
    Condition,
    DocumentRequirement,
    DocumentStatus,
    DocumentType,
)
from devtools import demo_data as data

DAY = datetime.timedelta(days=1)


def pdf(title: str, lines: list[str]) -> bytes:
    """A small real PDF (reportlab) with a title and a few lines of text."""

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 770, title)
    page.setFont("Helvetica", 11)
    for i, line in enumerate(lines):
        page.drawString(72, 740 - 16 * i, line)
    page.showPage()
    page.save()
    return out.getvalue()


class DemoDocuments:
    def __init__(self, seed: Any) -> None:
        self.seed = seed

    @property
    def reviewer(self):
        return self.seed.users["inkoper2"]

    def document(
        self, provider: str, type_code: str, period_key: str | None = None
    ) -> AccountabilityDocument:
        documents = AccountabilityDocument.objects.filter(
            provider=self.seed.providers[provider], document_type__code=type_code
        )
        if period_key is not None:
            documents = documents.filter(period_key=period_key)
        return documents.latest("created_at")

    def generate(self, day: datetime.date) -> None:
        document_services.document_generate_requests(today=day)

    def upload(self, provider: str, type_code: str, title: str, *, period_key=None, by=None, issued_on=None):
        document = self.document(provider, type_code, period_key)
        actor = by or self.seed.inkoper
        data = pdf(
            title,
            [
                provider,
                f"Document: {document.document_type.name}",
                f"Periode: {document.period_label or 'doorlopend'}",
                "Demonstratiedocument van Zorginkoop.",
            ],
        )
        document_services.document_upload(
            uuid=document.uuid,
            actor=actor,
            file=io.BytesIO(data),
            filename=f"{title}.pdf",
            issued_on=issued_on,
        )

    def review(self, provider: str, type_code: str, *, reject: str = "", period_key=None) -> None:
        uuid = self.document(provider, type_code, period_key).uuid
        document_services.document_start_review(uuid=uuid, actor=self.reviewer)
        if reject:
            document_services.document_reject(uuid=uuid, actor=self.reviewer, reason=reject)
        else:
            document_services.document_accept(uuid=uuid, actor=self.reviewer)

    # ------------------------------------------------------------------ the Wmo procedure

    def plan_wmo(self, *, reference: str, created_on, applicants: list[tuple[str, datetime.date]]) -> None:
        """The anti-discrimination policy for every applicant (see the module docstring)."""
        seed = self.seed
        seed.timeline.at(
            created_on,
            lambda: DocumentRequirement.objects.create(
                document_type=DocumentType.objects.get(code="anti_discrimination_policy"),
                condition=Condition.objects.get(code="anti_discrimination_policy"),
                recurrence="once",
                due_days=21,
                notice_days=60,
                starts_on=created_on,
                instructions="Het vastgestelde antidiscriminatiebeleid, met de datum van vaststelling door het "
                "bestuur.",
            ),
        )
        never, rejected_once, rejected = (
            "Snelgroei Zorg B.V.",
            "Stichting Het Lichtpunt",
            "Zorgverlening Rozenburg B.V.",
        )
        demo_user = seed.users["aanbieder"]
        for name, applied_on in applicants:
            if name == "Stichting Ankerplaats":
                continue  # withdrew before delivering
            seed.timeline.at(applied_on, self.generate, applied_on)
            if name == never:
                continue
            by = demo_user if name == data.PROVIDER_OF_DEMO_USER else None
            title = "Antidiscriminatiebeleid"
            seed.timeline.at(
                applied_on + 2 * DAY, self.upload, name, "anti_discrimination_policy", title, by=by
            )
            if name == rejected:
                seed.timeline.at(
                    applied_on + 9 * DAY,
                    self.review,
                    name,
                    "anti_discrimination_policy",
                    reject="Het beleid is niet door het bestuur vastgesteld en noemt geen klachtenprocedure.",
                )
                continue
            if name == rejected_once:
                seed.timeline.at(
                    applied_on + 9 * DAY,
                    self.review,
                    name,
                    "anti_discrimination_policy",
                    reject="De handtekening van het bestuur ontbreekt.",
                )
                seed.timeline.at(
                    applied_on + 12 * DAY,
                    self.upload,
                    name,
                    "anti_discrimination_policy",
                    "Antidiscriminatiebeleid ondertekend",
                )
            seed.timeline.at(applied_on + 16 * DAY, self.review, name, "anti_discrimination_policy")

    # ------------------------------------------------------------------ the demo provider's own documents

    def plan_demo_provider(self, *, reference: str, agreement_start: datetime.date, activated_on) -> None:
        seed = self.seed
        name = data.PROVIDER_OF_DEMO_USER
        demo_user = seed.users["aanbieder"]
        today = seed.today

        def agreement():
            return seed.agreement(reference, name)

        def requirements() -> None:
            common = {"agreement": agreement(), "starts_on": agreement_start}
            DocumentRequirement.objects.create(
                document_type=DocumentType.objects.get(code="production_report"),
                recurrence="quarterly",
                due_days=30,
                notice_days=45,
                instructions="Productieverantwoording per kwartaal (landelijk format).",
                **common,
            )
            DocumentRequirement.objects.create(
                document_type=DocumentType.objects.get(code="insurance"),
                recurrence="once",
                due_days=60,
                instructions="Polisblad van de aansprakelijkheidsverzekering met het verzekerde bedrag.",
                **common,
            )
            DocumentRequirement.objects.create(
                document_type=DocumentType.objects.get(code="kvk_extract"),
                recurrence="once",
                due_days=365 * 3,
                notice_days=365 * 3,
                instructions="Een recent uittreksel uit het Handelsregister.",
                **common,
            )

            DocumentRequirement.objects.create(
                document_type=DocumentType.objects.get(code="quality_report"),
                recurrence="once",
                due_days=(today + 20 * DAY - agreement_start).days,  # due in three weeks
                notice_days=60,
                instructions="Kwaliteitsrapportage over het eerste contractjaar, met de uitkomsten van het "
                "cliëntervaringsonderzoek.",
                **common,
            )

        seed.timeline.at(activated_on, requirements)
        # quarterly production figures: older quarters delivered and accepted, the last one overdue
        quarters = [
            (
                period,
                periods.due_date(
                    rule="days_after",
                    due_days=30,
                    due_day=None,
                    due_month=None,
                    period=period,
                    anchor=agreement_start,
                ),
            )
            for period in periods.periods_between("quarterly", max(agreement_start, activated_on), today)
        ]
        requested = [(p, due) for p, due in quarters if due - 45 * DAY <= today]
        for period, due in requested:
            if due < today - 30 * DAY:
                upload_on = max(due - 12 * DAY, activated_on)
                seed.timeline.at(upload_on, self.generate, upload_on)
                seed.timeline.at(
                    upload_on,
                    self.upload,
                    name,
                    "production_report",
                    f"Productieverantwoording {period.key}",
                    period_key=period.key,
                    by=demo_user,
                )
                seed.timeline.at(
                    upload_on + 5 * DAY, self.review, name, "production_report", period_key=period.key
                )
        # the insurance certificate: rejected, not yet delivered again
        insured_on = min(activated_on + 20 * DAY, today - 6 * DAY)
        seed.timeline.at(insured_on, self.generate, insured_on)
        seed.timeline.at(
            insured_on, self.upload, name, "insurance", "Polisblad aansprakelijkheid", by=demo_user
        )
        seed.timeline.at(
            insured_on + 3 * DAY,
            self.review,
            name,
            "insurance",
            reject="Het polisblad vermeldt niet het verzekerde bedrag per gebeurtenis (minimaal € 2,5 miljoen).",
        )
        # a KvK extract, just uploaded: awaiting review
        seed.timeline.at(today - 2 * DAY, self.generate, today - 2 * DAY)
        seed.timeline.at(
            today - 2 * DAY,
            self.upload,
            name,
            "kvk_extract",
            "KvK-uittreksel",
            by=demo_user,
            issued_on=today - 9 * DAY,
        )

    def plan_today(self) -> None:
        """What the daily job (documents_daily) would have left today: the requests that are due and the
        accepted documents whose validity ended expired."""
        today = self.seed.today
        self.seed.timeline.at(today, self.generate, today)
        self.seed.timeline.at(today, lambda: document_services.documents_expire_lapsed(today=today))


def document_summary() -> str:
    counts = {
        status: AccountabilityDocument.objects.filter(status=status).count()
        for status in DocumentStatus.values
    }
    overdue = AccountabilityDocument.objects.overdue().count()
    parts = [f"{status} {count}" for status, count in counts.items() if count]
    return ", ".join(parts) + f"; overdue {overdue}"
