"""Two providers, A and B, each with everything a provider has (an application, an agreement, a coalition
and membership, a document with a file, a declaration and a judgement) and everything only the officers
may see about it (a fraud signal under investigation, an IKZ report, a waiver awaiting its second
officer, the officer's dossier export). Confidential texts carry a marker, so a response that shows one
is found whatever its format."""

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from compliance.conditions.services import waiver_request
from compliance.documents.services import document_upload
from compliance.fraud.services import ikz_report_record, signal_start_investigation
from compliance.models import Condition, DocumentStatus
from compliance.reports.services import export_request
from contracting.models import SubAgreement
from contracting.services import procedure_open
from core import clock
from tests import factories
from tests.compliance import files
from tests.compliance.factories import DocumentFactory, FraudSignalFactory, JudgementFactory
from tests.security.objects import MAKERS

# Written into what only officers may read; none may reach a provider user. (No spaces: text taken from a
# PDF loses them.)
SIGNAL_MARKER = "GeheimSignaal"
INVESTIGATION_MARKER = "GeheimOnderzoek"
WAIVER_MARKER = "GeheimeVrijstelling"
IKZ_MARKER = "GeheimIKZ"


@dataclass
class Party:
    provider: Any
    user: Any
    application: Any
    agreement: Any
    coalition: Any
    membership: Any
    document: Any
    signal: Any
    ikz_report: Any
    waiver: Any
    export: Any
    judgement: Any
    question: Any  # asked, answered, not published: its provider's users and the officers read it only

    def own(self) -> list[Any]:
        """Its records that another provider's user must not get."""
        return [
            self.provider,
            self.application,
            self.agreement,
            self.coalition,
            self.membership,
            self.document,
            self.judgement,
            self.question,
        ]

    def confidential(self) -> list[Any]:
        """The officers' records about it, which its own users must not get either."""
        return [self.signal, self.ikz_report, self.waiver, self.export]

    def confidential_texts(self) -> list[str]:
        return [
            SIGNAL_MARKER + self.provider.name,
            INVESTIGATION_MARKER + self.provider.name,
            WAIVER_MARKER + self.provider.name,
            IKZ_MARKER + self.provider.name,
            str(self.signal.uuid),
            str(self.waiver.uuid),
            str(self.export.uuid),
        ]

    def identifying_texts(self) -> list[str]:
        return [self.provider.name, *(str(obj.uuid) for obj in self.own())]


@dataclass
class World:
    officer: Any
    auditor: Any
    authority: Any
    procedure: Any
    a: Party
    b: Party
    extra: dict[str, Any] = field(default_factory=dict)


def party(name: str, procedure: Any, officer: Any) -> Party:
    provider = factories.ProviderFactory(name=name)
    user = factories.provider_user(provider)
    application = factories.ApplicationFactory(procedure=procedure, provider=provider, submitted=True)
    agreement = factories.AgreementFactory(
        provider=provider, authority=procedure.authority, procedure=procedure, offered=True
    )
    SubAgreement.objects.create(agreement=agreement, lot=procedure.lots.first())
    factories.BudgetCeilingFactory(agreement=agreement)
    coalition = factories.CoalitionFactory(
        name=f"Coalitie {name}", authority=procedure.authority, active=True
    )
    membership = factories.MembershipFactory(coalition=coalition, provider=provider, lead=True, active=True)
    document = DocumentFactory(provider=provider, status=DocumentStatus.REQUESTED)
    document_upload(uuid=document.uuid, actor=user, file=io.BytesIO(files.pdf()), filename="beleid.pdf")
    document.refresh_from_db()
    signal = FraudSignalFactory(
        provider=provider, authority=procedure.authority, explanation=SIGNAL_MARKER + name
    )
    signal_start_investigation(uuid=signal.uuid, actor=officer, reason=INVESTIGATION_MARKER + name)
    ikz = ikz_report_record(
        signal_uuid=signal.uuid,
        actor=officer,
        reported_on=clock.today(),
        reference="IKZ-" + name,
        shared_information=IKZ_MARKER + name,
        decided_by=officer,
    )
    waiver = waiver_request(
        subject=agreement,
        provider=provider,
        condition=Condition.objects.get(code="anti_discrimination_policy"),
        actor=officer,
        reason=WAIVER_MARKER + name,
        valid_until=clock.today() + datetime.timedelta(days=90),
    )
    export = export_request(
        kind="provider_dossier", parameters={"provider": str(provider.uuid)}, actor=officer, background=False
    )
    judgement = JudgementFactory(provider=provider, judged_by=officer)
    question = factories.QuestionFactory(
        procedure=procedure, provider=provider, asked_by=user, text=f"Vraag van {name}", answered=True
    )
    return Party(
        provider=provider,
        user=user,
        application=application,
        agreement=agreement,
        coalition=coalition,
        membership=membership,
        document=document,
        signal=signal,
        ikz_report=ikz,
        waiver=waiver,
        export=export,
        judgement=judgement,
        question=question,
    )


def build_world(officer: Any, auditor: Any) -> World:
    procedure = factories.ready_to_open_procedure()
    procedure_open(uuid=procedure.uuid, actor=officer)
    a = party("Zorgaanbieder Alfa", procedure, officer)
    b = party("Zorgaanbieder Bravo", procedure, officer)
    world = World(
        officer=officer, auditor=auditor, authority=procedure.authority, procedure=procedure, a=a, b=b
    )
    # one row of every other model the admin shows
    for name in (
        "importrejection",
        "documentreminderdigest",
        "documentrequirement",
        "fraudrulesetting",
        "indexationrun",
        "providerannualfigures",
        "providerdeclaration",
        "costmodel",
        "tariff",
        "conditionevaluation",
    ):
        world.extra[name] = MAKERS[name]()
    return world
