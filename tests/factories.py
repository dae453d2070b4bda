"""One factory per model, valid by default; states as Traits; dates relative to today."""

import datetime
from decimal import Decimal

import factory

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from audit.services import audit_record
from coalitions.models import Coalition, CoalitionStatus, Membership, MembershipRole, MembershipStatus
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationAssessment,
    ApplicationStatus,
    AssessmentStep,
    BudgetCeiling,
    ConsultationRound,
    ContractingAuthority,
    CostModel,
    Law,
    Lot,
    Procedure,
    ProcedureStatus,
    Product,
    ProductCategory,
    Provider,
    Question,
    QuestionStatus,
    Tariff,
    Unit,
)
from contracting.roles import AUDITOR, OFFICER, PROVIDER_USER
from core import clock


def today() -> datetime.date:
    return clock.today()


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.nl")
    password = factory.django.Password("wachtwoord-123")

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted in (OFFICER, AUDITOR):
                self.is_staff = True
                self.save(update_fields=["is_staff"])


def officer(**kwargs):
    return UserFactory(role=OFFICER, **kwargs)


def auditor(**kwargs):
    return UserFactory(role=AUDITOR, **kwargs)


def provider_user(provider, **kwargs):
    user = UserFactory(role=PROVIDER_USER, **kwargs)
    provider.users.add(user)
    return user


class MunicipalityFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Gemeente {n}")
    kind = ContractingAuthority.Kind.MUNICIPALITY
    cbs_code = factory.Sequence(lambda n: f"GM{9000 + n % 1000:04d}")

    class Meta:
        model = ContractingAuthority


class RegionFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Regio {n}")
    kind = ContractingAuthority.Kind.REGION
    cbs_code = ""

    class Meta:
        model = ContractingAuthority


class ProviderFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Zorgaanbieder {n}")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    agb_code = factory.Sequence(lambda n: f"{41000000 + n:08d}")
    iban = "NL91ABNA0417164300"
    legal_form = Provider.LegalForm.FOUNDATION
    founded_on = datetime.date(2010, 1, 1)
    city = "Rotterdam"
    serves_wmo = True
    fte = Decimal("25.0")

    class Meta:
        model = Provider


class ProductFactory(factory.django.DjangoModelFactory):
    category = factory.LazyFunction(lambda: ProductCategory.objects.get(law="wmo", code="02"))
    code = factory.Sequence(lambda n: f"02A{n:02d}")
    name = factory.Sequence(lambda n: f"Begeleiding individueel {n}")
    unit = factory.LazyFunction(lambda: Unit.objects.get(code="04"))

    class Meta:
        model = Product


class CostModelFactory(factory.django.DjangoModelFactory):
    authority = factory.SubFactory(MunicipalityFactory)
    product = factory.SubFactory(ProductFactory)
    year = factory.LazyFunction(lambda: today().year)
    cao = "Cao Sociaal Werk"
    scale = "8"
    hourly_wage = Decimal("25.00")
    employer_costs_pct = Decimal("30.00")
    productivity_pct = Decimal("75.00")
    overhead_pct = Decimal("15.00")
    risk_margin_pct = Decimal("3.00")

    class Meta:
        model = CostModel


class TariffFactory(factory.django.DjangoModelFactory):
    authority = factory.SubFactory(MunicipalityFactory)
    product = factory.SubFactory(ProductFactory)
    year = factory.LazyFunction(lambda: today().year)
    amount = Decimal("60.00")

    class Meta:
        model = Tariff


class ProcedureFactory(factory.django.DjangoModelFactory):
    authority = factory.SubFactory(MunicipalityFactory)
    reference = factory.Sequence(lambda n: f"BA-{n:04d}")
    title = factory.Sequence(lambda n: f"Begeleiding {n}")
    law = Law.WMO
    contract_start = factory.LazyFunction(lambda: today().replace(month=1, day=1))

    class Meta:
        model = Procedure

    class Params:
        consultation = factory.Trait(status=ProcedureStatus.CONSULTATION)
        open = factory.Trait(status=ProcedureStatus.OPEN)
        assessing = factory.Trait(status=ProcedureStatus.ASSESSING)
        concluded = factory.Trait(status=ProcedureStatus.CONCLUDED)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question a provider's user asked about an open procedure (made directly: question_ask is the
    service under test elsewhere)."""

    procedure = factory.SubFactory(ProcedureFactory, open=True)
    provider = factory.SubFactory(ProviderFactory)
    asked_by = factory.LazyAttribute(lambda o: provider_user(o.provider))
    text = "Mogen wij de begeleiding ook in groepsverband leveren?"

    class Meta:
        model = Question

    class Params:
        answered = factory.Trait(
            status=QuestionStatus.ANSWERED,
            answer="Ja, binnen de producten van perceel 1.",
            answered_at=factory.LazyFunction(clock.now),
        )
        published = factory.Trait(
            status=QuestionStatus.PUBLISHED,
            answer="Ja, binnen de producten van perceel 1.",
            answered_at=factory.LazyFunction(clock.now),
            published_at=factory.LazyFunction(clock.now),
        )


class LotFactory(factory.django.DjangoModelFactory):
    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = "Begeleiding"

    class Meta:
        model = Lot


class ConsultationRoundFactory(factory.django.DjangoModelFactory):
    procedure = factory.SubFactory(ProcedureFactory)
    held_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=30))
    participants = "Gemeente, 12 aanbieders, Wmo-raad"
    minutes = "Tarieven en kwaliteitseisen besproken."

    class Meta:
        model = ConsultationRound


def ready_to_open_procedure(**kwargs) -> Procedure:
    """A procedure in consultation that meets every guard of `open`."""
    procedure = ProcedureFactory(consultation=True, **kwargs)
    product = ProductFactory()
    lot = LotFactory(procedure=procedure)
    lot.products.add(product)
    CostModelFactory(authority=procedure.authority, product=product, year=procedure.tariff_year)
    TariffFactory(
        authority=procedure.authority, product=product, year=procedure.tariff_year, amount=Decimal("70")
    )
    ConsultationRoundFactory(procedure=procedure)
    require(procedure, "fair_pay_tariff", "anti_discrimination_policy")
    return procedure


def require(owner, *codes: str) -> None:
    """Put library conditions in the condition set of a procedure or coalition."""
    from compliance.models import Condition, ConditionRequirement

    field = "procedure" if isinstance(owner, Procedure) else "coalition"
    for condition in Condition.objects.filter(code__in=codes):
        ConditionRequirement.objects.get_or_create(condition=condition, **{field: owner})


class ApplicationFactory(factory.django.DjangoModelFactory):
    procedure = factory.SubFactory(ProcedureFactory, open=True)
    provider = factory.SubFactory(ProviderFactory)

    class Meta:
        model = Application
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(
            status=ApplicationStatus.SUBMITTED, submitted_at=factory.LazyFunction(clock.now)
        )
        under_review = factory.Trait(status=ApplicationStatus.UNDER_REVIEW)
        admitted = factory.Trait(status=ApplicationStatus.ADMITTED)

    @factory.post_generation
    def with_lot(self, create, extracted, **kwargs):
        if create and extracted is not False:
            lot = LotFactory(procedure=self.procedure)
            self.lots.add(lot)


def assess(application: Application, user, *, fail: set[str] = frozenset()) -> None:
    for step in AssessmentStep:
        ApplicationAssessment.objects.create(
            application=application,
            step=step,
            passed=step.value not in fail,
            reasoning=f"Beoordeeld: {step.label}",
            assessed_by=user,
        )


class AgreementFactory(factory.django.DjangoModelFactory):
    reference = factory.Sequence(lambda n: f"WMO-{n:05d}")
    authority = factory.SubFactory(MunicipalityFactory)
    provider = factory.SubFactory(ProviderFactory)
    law = Law.WMO
    start_date = factory.LazyFunction(lambda: today().replace(month=1, day=1))
    end_date = factory.LazyAttribute(lambda o: o.start_date.replace(year=o.start_date.year + 3))
    signed_on = factory.LazyAttribute(lambda o: o.start_date - datetime.timedelta(days=14))
    # signed: the provider accepted the offer on the signing date (see contracting.services.agreement_accept)
    accepted_at = factory.LazyAttribute(
        lambda o: (
            timezone.make_aware(datetime.datetime.combine(o.signed_on, datetime.time(12)))
            if o.signed_on
            else None
        )
    )
    accepted_by_name = factory.LazyAttribute(lambda o: "J. de Vries" if o.signed_on else "")
    accepted_by_role = factory.LazyAttribute(lambda o: "bestuurder" if o.signed_on else "")

    class Meta:
        model = Agreement

    class Params:
        offered = factory.Trait(status=AgreementStatus.OFFERED)
        active = factory.Trait(status=AgreementStatus.ACTIVE)
        suspended = factory.Trait(status=AgreementStatus.SUSPENDED, suspension_reason="Onderzoek IGJ")
        terminating = factory.Trait(status=AgreementStatus.TERMINATING)
        expired = factory.Trait(
            status=AgreementStatus.ACTIVE,
            start_date=datetime.date(2017, 1, 1),
            end_date=datetime.date(2020, 12, 31),
        )


class BudgetCeilingFactory(factory.django.DjangoModelFactory):
    agreement = factory.SubFactory(AgreementFactory)
    year = factory.LazyFunction(lambda: today().year)
    amount = Decimal("250000.00")

    class Meta:
        model = BudgetCeiling


class CoalitionFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Zorgcoalitie {n}")
    authority = factory.SubFactory(RegionFactory)
    law = Law.JEUGDWET
    care_chain = "Jeugdhulp met verblijf"

    class Meta:
        model = Coalition

    class Params:
        active = factory.Trait(status=CoalitionStatus.ACTIVE)
        dissolving = factory.Trait(status=CoalitionStatus.DISSOLVING)


class MembershipFactory(factory.django.DjangoModelFactory):
    coalition = factory.SubFactory(CoalitionFactory)
    provider = factory.SubFactory(ProviderFactory)
    role = MembershipRole.MEMBER

    class Meta:
        model = Membership

    class Params:
        lead = factory.Trait(role=MembershipRole.LEAD)
        admitted = factory.Trait(status=MembershipStatus.ADMITTED)
        active = factory.Trait(status=MembershipStatus.ACTIVE)
        suspended = factory.Trait(status=MembershipStatus.SUSPENDED, suspension_reason="Onderzoek")
        exiting = factory.Trait(status=MembershipStatus.EXITING)


# --------------------------------------------------------------------------- admin tests


class BoardMemberFactory(factory.django.DjangoModelFactory):
    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Bestuurder {n}")
    role = "voorzitter raad van bestuur"
    start_date = datetime.date(2015, 1, 1)

    class Meta:
        model = "contracting.BoardMember"


def agreement_with_details(**kwargs) -> Agreement:
    """An agreement from a procedure, with a sub-agreement, a budget ceiling, a review moment and a KPI."""
    from contracting.models import Kpi, ReviewMoment, SubAgreement

    procedure = ProcedureFactory(concluded=True)
    agreement = AgreementFactory(procedure=procedure, authority=procedure.authority, **kwargs)
    SubAgreement.objects.create(agreement=agreement, lot=LotFactory(procedure=procedure))
    BudgetCeilingFactory(agreement=agreement)
    ReviewMoment.objects.create(agreement=agreement, planned_on=today(), topic="Jaargesprek")
    Kpi.objects.create(agreement=agreement, kind=Kpi.Kind.WAITING_WEEKS, target=Decimal("6"))
    return agreement


def audit_event(subject=None, **kwargs):
    """One event in the audit trail, written the only way it may be written."""

    kwargs.setdefault("actor", None)
    kwargs.setdefault("event", "provider.checked")
    return audit_record(subject=subject or ProviderFactory(), **kwargs)


def indexation_run(**kwargs):
    """A record of a provisional indexation, as tariffs_index leaves it."""
    from contracting.models import IndexationRun

    kwargs.setdefault("authority", MunicipalityFactory())
    kwargs.setdefault("applied_by", UserFactory())
    return IndexationRun.objects.create(
        **{"year": today().year, "basis": "provisional", "rate_pct": Decimal("3.5"), **kwargs}
    )
