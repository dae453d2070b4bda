"""A small region with history for the report tests: a procedure that went through consultation and
opening, an application rejected with reasons, an agreement that was suspended, a membership, evaluations
with a document as evidence, a fraud signal. Times are spread over the past days (``at``)."""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compliance.conditions.services import declaration_record
from compliance.models import ConditionEvaluation, DocumentType, EvaluationOutcome
from contracting.models import Kpi, SubAgreement
from contracting.services import (
    agreement_suspend,
    application_reject,
    application_start_review,
    application_submit,
    procedure_open,
)
from core import clock
from tests import factories
from tests.compliance.factories import DocumentFactory, FraudSignalFactory, condition


@contextmanager
def at(moment: datetime.datetime):
    """Everything inside happens at ``moment`` (audit events, created_at, evaluations)."""
    with clock.travel(moment, tick=False):
        yield


def days_ago(n: int) -> datetime.datetime:
    return clock.now() - datetime.timedelta(days=n)


@dataclass
class World:
    authority: Any
    provider: Any
    other_provider: Any
    procedure: Any
    application: Any
    agreement: Any
    membership: Any
    document: Any
    signal: Any
    officer: Any


def build_world(officer: Any) -> World:
    with at(days_ago(20)):
        authority = factories.MunicipalityFactory(name="Gemeente Testdam")
        procedure = factories.ready_to_open_procedure(
            authority=authority, reference="BA-2026-01", title="Begeleiding Testdam"
        )
        consultation = procedure.consultation_rounds.get()
        consultation.agreed_points = "Tarief volgt de reële prijs."
        consultation.panel_advice = "Cliëntenpanel: let op wachttijden."
        consultation.save()
        provider = factories.ProviderFactory(
            name="Zorg Noord B.V.", kvk_number="12345678", agb_code="41999999"
        )
        other = factories.ProviderFactory(name="Andere Aanbieder")
        factories.BoardMemberFactory(provider=provider, name="J. Jansen")
    with at(days_ago(18)):
        procedure_open(uuid=procedure.uuid, actor=officer)
    applicant = factories.provider_user(provider)
    with at(days_ago(16)):
        application = factories.ApplicationFactory(procedure=procedure, provider=provider)
        application_submit(uuid=application.uuid, actor=applicant)
    with at(days_ago(15)):
        application_start_review(uuid=application.uuid, actor=officer)
        factories.assess(application, officer, fail={"suitability"})
    with at(days_ago(14)):
        application_reject(uuid=application.uuid, actor=officer, reason="Geschiktheidseis niet gehaald.")

    with at(days_ago(12)):
        agreement = factories.AgreementFactory(
            reference="WMO-TESTDAM-1",
            authority=authority,
            provider=provider,
            procedure=procedure,
            active=True,
        )
        SubAgreement.objects.create(agreement=agreement, lot=procedure.lots.first())
        factories.BudgetCeilingFactory(agreement=agreement, amount=Decimal("125000.00"))
        Kpi.objects.create(agreement=agreement, kind=Kpi.Kind.WAITING_WEEKS, target=Decimal("6"))
        document = DocumentFactory(
            provider=provider,
            document_type=DocumentType.objects.get(code="anti_discrimination_policy"),
            accepted=True,
            sha256="c0ffee" + "0" * 58,
            reviewed_by=officer,
        )
        record_evaluation(agreement, provider, "anti_discrimination_policy", EvaluationOutcome.PENDING, [])
    with at(days_ago(10)):
        record_evaluation(
            agreement,
            provider,
            "anti_discrimination_policy",
            EvaluationOutcome.SATISFIED,
            [
                {
                    "kind": "document",
                    "uuid": str(document.uuid),
                    "type": "anti_discrimination_policy",
                    "sha256": document.sha256,
                }
            ],
        )
        coalition = factories.CoalitionFactory(
            name="Coalitie Jeugd Testdam", authority=authority, active=True
        )
        membership = factories.MembershipFactory(
            coalition=coalition, provider=provider, lead=True, active=True
        )
        declaration_record(
            provider=provider,
            condition=condition("confidential_advisor"),
            actor=officer,
            statement="Wij hebben een vertrouwenspersoon.",
            signed_by_name="J. Jansen",
            signed_by_role="bestuurder",
            signed_on=clock.today(),
        )
    with at(days_ago(5)):
        agreement_suspend(uuid=agreement.uuid, actor=officer, reason="Onderzoek naar declaraties")
        signal = FraudSignalFactory(
            provider=provider,
            rule="declared_above_allocated",
            explanation="Meer gedeclareerd dan toegewezen.",
        )
    return World(
        authority=authority,
        provider=provider,
        other_provider=other,
        procedure=procedure,
        application=application,
        agreement=agreement,
        membership=membership,
        document=document,
        signal=signal,
        officer=officer,
    )


def record_evaluation(
    subject: Any, provider: Any, code: str, outcome: str, evidence: list
) -> ConditionEvaluation:
    return ConditionEvaluation.objects.create(
        condition=condition(code),
        provider=provider,
        subject_type=subject._meta.label_lower,
        subject_uuid=subject.uuid,
        subject_repr=str(subject),
        evaluated_at=clock.now(),
        outcome=outcome,
        reasons=[] if outcome == "satisfied" else [{"code": "in_review", "message": "Wacht op beoordeling"}],
        evidence=evidence,
        trigger=ConditionEvaluation.Trigger.EVIDENCE,
    )
