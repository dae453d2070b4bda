"""Demo data for a laptop or a training session: ``python manage.py seed_demo [--reset]``.

A fictional region of three real municipalities (Rotterdam, Nissewaard, Krimpenerwaard) with about 60
providers, products and tariffs, three procedures, their applications and agreements, two coalitions and
a user per role.

Every state change is made by the services (contracting.services, coalitions.services) acting as the
demo officers, so the audit trail is real and the guards apply; the evidence the condition guards need
(declarations, judgements) is recorded through compliance.conditions.services as well. The demo has a history: the
services run under a simulated clock, step by step in date order, so that an agreement activated two
years ago can have expired since and the audit trail shows the dates on which things happened. Rows
without a state (providers, products, tariffs, annual figures, consultation rounds ...) are created
directly.

Idempotent: when the demo region exists nothing is added (users are only created when missing).
``--reset`` empties the whole database first (the audit trail is append-only and hash-chained, so it
cannot be reset in part) and loads the reference data again.
"""

import datetime
import io
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import ROUND_CEILING, Decimal
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython

from audit.models import AuditEvent
from audit.services import verify_chain
from coalitions import services as coalition_services
from coalitions.models import Coalition, Membership, MembershipRole
from compliance.conditions import services as compliance_services
from compliance.conditions.services import (
    condition_adjust,
    conditions_evaluate,
    waiver_approve,
    waiver_request,
)
from compliance.fraud.engine import fraud_rules_run
from compliance.fraud.importer import production_import
from compliance.fraud.services import signal_start_investigation
from compliance.models import (
    AccountabilityDocument,
    Condition,
    ConditionRequirement,
    DecisionMethod,
    FraudSignal,
    OfficerJudgement,
    ProviderAnnualFigures,
)
from contracting import services
from contracting.indexation import tariff_path
from contracting.models import (
    Agreement,
    Application,
    AssessmentStep,
    BoardMember,
    BudgetCeiling,
    ConsultationRound,
    ContractingAuthority,
    CostModel,
    IndexMethod,
    Kpi,
    Law,
    Lot,
    Procedure,
    Product,
    ProductCategory,
    Provider,
    ReviewMoment,
    Route,
    Tariff,
    Unit,
    WntNorm,
)
from contracting.reference_data import municipalities
from contracting.roles import ADMINISTRATOR, AUDITOR, OFFICER, PROVIDER_USER
from core import clock
from core.dates import add_months
from core.exceptions import DomainError
from devtools import demo_data as data
from devtools.demo_documents import DemoDocuments, document_summary
from devtools.demo_production import declare_for_agreements

CENT = Decimal("0.01")
DAY = datetime.timedelta(days=1)

# The states the demo promises to show (tests/devtools/test_demo_data.py checks them).
PROMISED_STATES = {
    Procedure: {"consultation", "open", "concluded"},
    Application: {"draft", "submitted", "under_review", "admitted", "rejected", "withdrawn"},
    Agreement: {"draft", "offered", "active", "suspended", "terminating", "ended", "expired"},
    Coalition: {"forming", "active"},
    Membership: {"applied", "admitted", "active", "suspended", "exiting", "ended"},
    AccountabilityDocument: {"requested", "submitted", "accepted", "rejected"},
}

# Condition sets (codes of compliance.conditions.library). The Wmo procedure asks for an anti-discrimination policy,
# decided by an accepted document (requested, uploaded and reviewed through the document services, see
# devtools/demo_documents.py).
WMO_CONDITIONS = [
    "fair_pay_tariff",
    "anti_discrimination_policy",
    "flex_contracts_limited",
    "wnt_executive_pay",
    "confidential_advisor",
    "discrimination_training",
    "no_confirmed_fraud",
    "local_presence",
]
YOUTH_CONDITIONS = [
    "fair_pay_tariff",
    "flex_contracts_limited",
    "wnt_executive_pay",
    "confidential_advisor",
    "no_confirmed_fraud",
    "local_presence",
]
REFUSAL_CONDITIONS = ["fair_pay_tariff", "confidential_advisor"]
COALITION_CONDITIONS = ["flex_contracts_limited", "confidential_advisor", "no_confirmed_fraud"]
STATEMENTS = {
    "confidential_advisor": "Cliënten en medewerkers kunnen terecht bij een externe vertrouwenspersoon; "
    "de contactgegevens staan op de website en in de cliëntenmap.",
    "discrimination_training": "Alle medewerkers met cliëntcontact hebben in de afgelopen 12 maanden de "
    "training 'Discriminatie herkennen en bespreken' gevolgd.",
}
REGION_CITIES = {
    "Rotterdam",
    "Spijkenisse",
    "Zuidland",
    "Geervliet",
    "Schoonhoven",
    "Lekkerkerk",
    "Bergambacht",
    "Stolwijk",
    "Ouderkerk aan den IJssel",
    "Haastrecht",
}

ROLE_GROUPS = {
    "officer": OFFICER,
    "auditor": AUDITOR,
    "provider": PROVIDER_USER,
    "administrator": ADMINISTRATOR,
}

PASS = {
    AssessmentStep.EXCLUSION_GROUNDS: "Geen uitsluitingsgronden: UEA en Gedragsverklaring Aanbesteden "
    "(niet ouder dan 24 maanden) ontvangen.",
    AssessmentStep.SUITABILITY: "KvK-uittreksel, kwaliteitssysteem (HKZ of gelijkwaardig) en "
    "aansprakelijkheidsverzekering in orde.",
    AssessmentStep.EXECUTION_REQUIREMENTS: "Aanbieder aanvaardt de uitvoeringseisen, tarieven en KPI's "
    "en heeft aangetoond die te kunnen nakomen.",
}


# --------------------------------------------------------------------------- simulated clock


class Timeline:
    """Steps to run in date order; a step on or after today runs on the real clock."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.steps: list[tuple[datetime.date, int, Callable[[], Any]]] = []

    def at(self, day: datetime.date, action: Callable, *args: Any, **kwargs: Any) -> None:
        if day > self.today:
            raise CommandError(f"A demo step is planned in the future ({day}): {action}")
        self.steps.append((day, len(self.steps), partial(action, *args, **kwargs)))

    def run(self) -> int:
        per_day: Counter[datetime.date] = Counter()
        tz = ZoneInfo(settings.TIME_ZONE)
        for day, _seq, action in sorted(self.steps, key=lambda step: step[:2]):
            if day >= self.today:
                action()
                continue
            start = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=tz)
            with clock.travel(start + datetime.timedelta(minutes=2 * per_day[day])):
                action()
            per_day[day] += 1
        return len(self.steps)


def first_of_next_month(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1)


def round_up(amount: Decimal, step: Decimal = Decimal("0.05")) -> Decimal:
    return ((amount / step).to_integral_value(rounding=ROUND_CEILING) * step).quantize(CENT)


# --------------------------------------------------------------------------- the seed


class DemoSeed:
    def __init__(self, *, today: datetime.date) -> None:
        self.today = today
        self.timeline = Timeline(today)
        self.users: dict[str, Any] = {}
        self.providers: dict[str, Provider] = {}
        self.products: dict[str, Product] = {}
        self.notes: list[str] = []
        self.conditions: dict[str, list[str]] = {}
        self.declared: dict[tuple[str, str], list[datetime.date]] = {}
        self.judged: set[str] = set()

    # ------------------------------------------------------------------ helpers

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    @property
    def inkoper(self):
        return self.users["inkoper"]

    @property
    def inkoper2(self):
        return self.users["inkoper2"]

    def application(self, reference: str, provider: str) -> Application:
        return Application.objects.filter(procedure__reference=reference, provider__name=provider).latest(
            "created_at"
        )

    def agreement(self, reference: str, provider: str) -> Agreement:
        return Agreement.objects.get(procedure__reference=reference, provider__name=provider)

    # ------------------------------------------------------------------ users

    def ensure_users(self) -> list[str]:
        User = get_user_model()
        created = []
        password = None
        for username, role, first, last in data.USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = password or make_password(data.DEMO_PASSWORD)
                user = User.objects.create(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@demo.zorginkoop.nl",
                    password=password,
                    is_staff=role != "provider",
                    is_superuser=role == "administrator",
                )
                user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
                created.append(username)
            self.users[username] = user
        return created

    # ------------------------------------------------------------------ master data

    def create_authorities(self) -> None:
        known = {row["gm_code"]: row for row in municipalities()}
        members = []
        for code, _share in data.MUNICIPALITIES:
            if code not in known:
                raise CommandError(f"{code} is not in reference/gemeentecodes.csv.")
            municipality, _created = ContractingAuthority.objects.get_or_create(
                cbs_code=code,
                defaults={"name": known[code]["name"], "kind": ContractingAuthority.Kind.MUNICIPALITY},
            )
            members.append(municipality)
        self.municipalities = members
        self.rotterdam, self.nissewaard, self.krimpenerwaard = members
        self.region = ContractingAuthority.objects.create(
            name=data.REGION_NAME, kind=ContractingAuthority.Kind.REGION, lead_municipality=self.rotterdam
        )
        self.region.members.set(members)
        # The demo's officers and auditor work for the region and its municipalities (their start page).
        staff = [self.users[name] for name in ("inkoper", "inkoper2", "auditor") if name in self.users]
        for authority in (self.region, *members):
            authority.officers.add(*staff)

    def create_providers(self) -> None:
        taken = set(Provider.objects.values_list("kvk_number", flat=True)) | set(
            Provider.objects.values_list("agb_code", flat=True)
        )
        for name, legal_form, city, domains, fte, parent in data.PROVIDERS:
            rng = data.rng_for("provider", name)
            founded = datetime.date(rng.randint(1978, 2019), rng.randint(1, 12), rng.randint(1, 28))
            if name == data.YOUNG_PROVIDER:
                founded = add_months(self.today, -26)
            provider = Provider.objects.create(
                name=name,
                legal_form=legal_form,
                founded_on=founded,
                serves_wmo="wmo" in domains,
                serves_youth="jeugd" in domains,
                fte=Decimal(fte),
                parent=self.providers.get(parent),
                **data.identifiers_for(name, taken),
                **data.address_for(name, city),
            )
            provider.full_clean()  # the identifiers pass the same validators as user input
            self.providers[name] = provider
            self.create_board(provider, rng)
        demo_provider = self.providers[data.PROVIDER_OF_DEMO_USER]
        demo_provider.users.add(self.users["aanbieder"])

    def create_board(self, provider: Provider, rng) -> None:
        start = max(provider.founded_on, datetime.date(2012, 1, 1))
        if provider.name == data.YOUNG_PROVIDER:  # four directors in two years
            day = provider.founded_on
            for months in (7, 5, 6, None):
                end = add_months(day, months) if months else None
                BoardMember.objects.create(
                    provider=provider, name=data.person(rng), role="Directeur", start_date=day, end_date=end
                )
                day = end or day
            return
        roles = {
            "stichting": ["Voorzitter raad van bestuur", "Lid raad van bestuur"]
            if provider.fte >= 150
            else ["Directeur-bestuurder"],
            "bv": ["Statutair directeur"],
            "nv": ["Statutair directeur"],
            "vof": ["Vennoot", "Vennoot"],
            "eenmanszaak": ["Eigenaar"],
            "cooperatie": ["Voorzitter", "Secretaris", "Penningmeester"],
            "vereniging": ["Voorzitter", "Secretaris", "Penningmeester"],
        }[provider.legal_form]
        for role in roles:
            name = data.OWNERS.get(provider.name) or data.person(rng)
            appointed = start + datetime.timedelta(days=rng.randint(0, 3000))
            appointed = min(appointed, self.days_ago(400))
            BoardMember.objects.create(provider=provider, name=name, role=role, start_date=appointed)

    def create_products(self) -> None:
        for code, law, category, name, unit in data.PRODUCTS:
            self.products[code], _created = Product.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "category": ProductCategory.objects.get(law=law, code=category),
                    "unit": Unit.objects.get(code=unit),
                },
            )

    def create_annual_figures(self) -> None:
        """Figures from the annual accounts of the last completed years (metrics read them)."""
        classes = [(Decimal(0), "I"), (Decimal(80), "II"), (Decimal(200), "III"), (Decimal(350), "IV")]
        rows = []
        for name, provider in self.providers.items():
            rng = data.rng_for("figures", name)
            wnt_class = [cls for floor, cls in classes if provider.fte >= floor][-1]
            young = name == data.YOUNG_PROVIDER
            for year in range(self.today.year - 4, self.today.year):
                if year < provider.founded_on.year:
                    continue
                growth = 1 + (year - self.today.year + 1) * Decimal("0.03")
                revenue = provider.fte * Decimal(rng.randint(68_000, 82_000)) * growth
                if young:  # fast growth, low wage share, high profit and pay: red flags for the signals
                    revenue = Decimal(450_000) * 4 ** (year - provider.founded_on.year)
                wage_share = Decimal("0.48") if young else Decimal(rng.randint(70, 80)) / 100
                norm = (
                    WntNorm.objects.filter(scope="zorg_jeugdhulp", wnt_class=wnt_class, year__lte=year)
                    .order_by("-year")
                    .first()
                )
                pay = None
                if norm is not None:
                    factor = Decimal("1.29") if young else Decimal(rng.randint(68, 96)) / 100
                    pay = (norm.amount * factor).quantize(Decimal(1000))
                margin = Decimal("0.19") if young else Decimal(rng.randint(0, 5)) / 100
                flex = Decimal(41 if young else rng.randint(3, 17))
                if name == data.FLEX_OUTLIER and year == self.today.year - 1:
                    flex = Decimal(26)  # the current condition matrix shows a violation
                rows.append(
                    ProviderAnnualFigures(
                        provider=provider,
                        year=year,
                        wnt_class=wnt_class,
                        highest_executive_pay=pay,
                        flex_contract_share_pct=flex,
                        revenue=revenue.quantize(Decimal(1000)),
                        personnel_costs=(revenue * wage_share).quantize(Decimal(1000)),
                        profit=(revenue * margin).quantize(Decimal(1000)),
                    )
                )
        ProviderAnnualFigures.objects.bulk_create(rows)

    def condition_set(self, owner, codes: list[str]) -> None:
        field = "procedure" if isinstance(owner, Procedure) else "coalition"
        for condition in Condition.objects.filter(code__in=codes):
            ConditionRequirement.objects.create(condition=condition, **{field: owner})

    def plan_declarations(self, provider: str, codes: list[str], day, *, renew: bool, by=None) -> None:
        """Declarations signed for the provider's declaration conditions, renewed yearly when ``renew``."""
        declared = Condition.objects.filter(code__in=codes, method=DecisionMethod.DECLARATION)
        for condition in declared:
            signed = self.declared.setdefault((provider, condition.code), [])
            days = [day]
            while renew and days[-1] + datetime.timedelta(days=365) <= self.today:
                days.append(days[-1] + datetime.timedelta(days=365))
            for sign_on in days:
                if any(earlier <= sign_on < earlier + datetime.timedelta(days=270) for earlier in signed):
                    continue  # an earlier declaration still holds for at least three months
                signed.append(sign_on)
                self.timeline.at(sign_on, self.declare, provider, condition.code, sign_on, by)

    def declare(self, provider_name: str, code: str, signed_on, by=None) -> None:
        provider = self.providers[provider_name]
        signer = provider.board_members.order_by("-start_date").first()
        compliance_services.declaration_record(
            provider=provider,
            condition=Condition.objects.get(code=code),
            actor=by or self.inkoper,
            statement=STATEMENTS[code],
            signed_by_name=signer.name,
            signed_by_role=signer.role,
            signed_on=signed_on,
        )

    def plan_judgement(self, provider: str, codes: list[str], day) -> None:
        if "local_presence" not in codes or provider in self.judged:
            return
        self.judged.add(provider)
        city = self.providers[provider].city
        in_region = city in REGION_CITIES
        self.timeline.at(
            day,
            lambda: compliance_services.judgement_record(
                provider=self.providers[provider],
                condition=Condition.objects.get(code="local_presence"),
                actor=self.inkoper2,
                verdict=OfficerJudgement.Verdict.SATISFIED
                if in_region
                else OfficerJudgement.Verdict.VIOLATED,
                reasoning=f"Vestiging in {city}; werkt samen met de wijkteams in de regio."
                if in_region
                else f"Vestiging in {city}, buiten de regio; geen vaste samenwerking met de wijkteams.",
            ),
        )

    def create_prices(self, authority: ContractingAuthority, year: int) -> None:
        """Cost models (reële prijs) and tariffs at or just above it for the given year, recorded in the
        autumn before that year (as an authority sets them), so that the history "as of a date" knows them
        from then on; a year whose autumn is still to come is recorded today."""
        autumn = datetime.date(year - 1, 10, 1)
        if autumn >= self.today:
            self._create_prices(authority, year)
            return
        tz = ZoneInfo(settings.TIME_ZONE)
        with clock.travel(datetime.datetime.combine(autumn, datetime.time(8, 0), tzinfo=tz)):
            self._create_prices(authority, year)

    def index_prices(self, authority: ContractingAuthority, year: int) -> None:
        """The tariffs of ``year`` indexed from the year before, in the autumn before that year (as an
        authority does), so that the history "as of a date" knows them from then on."""
        autumn = datetime.date(year - 1, 11, 1)
        if autumn >= self.today:
            services.tariffs_index(authority=authority, year=year, actor=self.inkoper)
            return
        tz = ZoneInfo(settings.TIME_ZONE)
        with clock.travel(datetime.datetime.combine(autumn, datetime.time(8, 0), tzinfo=tz)):
            services.tariffs_index(authority=authority, year=year, actor=self.inkoper)

    def _create_prices(self, authority: ContractingAuthority, year: int) -> None:
        for code, (cao, scale, wage, employer, productivity, overhead, risk) in data.COST_MODELS.items():
            cost = CostModel.objects.create(
                authority=authority,
                product=self.products[code],
                year=year,
                cao=cao,
                scale=scale,
                hourly_wage=Decimal(wage),
                employer_costs_pct=Decimal(employer),
                productivity_pct=Decimal(productivity),
                overhead_pct=Decimal(overhead),
                risk_margin_pct=Decimal(risk),
            )
            amount = round_up(cost.real_price * Decimal("1.01"))
            previous = Tariff.objects.filter(authority=authority, product=cost.product, year=year - 1).first()
            indexation = (
                ((amount / previous.amount - 1) * 100).quantize(Decimal("0.001")) if previous else Decimal(0)
            )
            Tariff.objects.create(
                authority=authority, product=cost.product, year=year, amount=amount, indexation_pct=indexation
            )
        for code, amount in data.CATALOGUE_TARIFFS.items():
            Tariff.objects.get_or_create(
                authority=authority, product=self.products[code], year=year, defaults={"amount": amount}
            )

    # ------------------------------------------------------------------ procedures

    def new_procedure(
        self, *, reference, title, route, law, authority, contract_start, deadline, lots, desc, conditions
    ):
        procedure = Procedure.objects.create(
            reference=reference,
            title=title,
            route=route,
            law=law,
            authority=authority,
            contract_start=contract_start,
            application_deadline=deadline,
            description=desc,
        )
        for number, (name, codes) in enumerate(lots, start=1):
            lot = Lot.objects.create(procedure=procedure, number=number, name=name)
            lot.products.set([self.products[c] for c in codes])
        self.condition_set(procedure, conditions)
        return procedure

    def consultation(self, reference: str, held_on, participants, minutes, agreed="", advice="") -> None:
        ConsultationRound.objects.create(
            procedure=Procedure.objects.get(reference=reference),
            held_on=held_on,
            participants=participants,
            minutes=minutes,
            agreed_points=agreed,
            panel_advice=advice,
        )

    def plan_application(
        self,
        reference: str,
        provider: str,
        lots: list[int],
        day,
        *,
        submit=True,
        renew=False,
        by=None,
        motivation="",
    ) -> None:
        def create():
            procedure = Procedure.objects.get(reference=reference)
            application = Application.objects.create(
                procedure=procedure,
                provider=self.providers[provider],
                motivation=motivation
                or f"{provider} levert deze zorg in de regio en sluit aan bij de afspraken uit het overleg.",
            )
            application.lots.set(procedure.lots.filter(number__in=lots))

        self.timeline.at(day, create)
        self.plan_declarations(provider, self.conditions[reference], day, renew=renew, by=by)
        if submit:
            self.timeline.at(
                day,
                lambda: services.application_submit(
                    uuid=self.application(reference, provider).uuid, actor=by or self.inkoper
                ),
            )

    def plan_review(self, reference: str, provider: str, day, *, fail: dict | None = None, steps=3) -> None:
        """Start the review and assess ``steps`` of the three steps (``fail``: step -> reasoning)."""
        fail = fail or {}

        def review():
            uuid = self.application(reference, provider).uuid
            services.application_start_review(uuid=uuid, actor=self.inkoper)

        def assess():
            uuid = self.application(reference, provider).uuid
            for step in list(AssessmentStep)[:steps]:
                services.application_assess(
                    uuid=uuid,
                    actor=self.inkoper2,
                    step=step,
                    passed=step not in fail,
                    reasoning=fail.get(step, PASS[step]),
                )

        self.timeline.at(day, review)
        self.plan_judgement(provider, self.conditions[reference], day)
        self.timeline.at(day + DAY, assess)

    def plan_decision(self, reference: str, provider: str, day, *, reject_reason: str = "") -> None:
        def decide():
            uuid = self.application(reference, provider).uuid
            if reject_reason:
                services.application_reject(uuid=uuid, actor=self.inkoper, reason=reject_reason)
            else:
                services.application_admit(uuid=uuid, actor=self.inkoper)
                self.agreement_terms(self.agreement(reference, provider))

        self.timeline.at(day, decide)

    def agreement_terms(self, agreement: Agreement) -> None:
        """Budget ceilings per year (per participating municipality for a region), KPIs, review moments."""
        party = agreement.provider or agreement.coalition
        fte = getattr(party, "fte", Decimal(150))
        yearly = max(Decimal(60_000), round_up(fte * Decimal(32_500), Decimal(1000)))
        ceilings = []
        for year in range(agreement.start_date.year, agreement.end_date.year + 1):
            if agreement.authority.kind == ContractingAuthority.Kind.REGION:
                for (_code, share), municipality in zip(
                    data.MUNICIPALITIES, self.municipalities, strict=True
                ):
                    ceilings.append(
                        BudgetCeiling(
                            agreement=agreement,
                            year=year,
                            municipality=municipality,
                            amount=round_up(yearly * share, Decimal(100)),
                        )
                    )
            else:
                ceilings.append(BudgetCeiling(agreement=agreement, year=year, amount=yearly))
        BudgetCeiling.objects.bulk_create(ceilings)
        targets = {Kpi.Kind.WAITING_WEEKS: 4, Kpi.Kind.SATISFACTION: Decimal("7.5")}
        if agreement.law == Law.JEUGDWET:
            targets = {
                Kpi.Kind.WAITING_WEEKS: 6,
                Kpi.Kind.SATISFACTION: Decimal("7.5"),
                Kpi.Kind.GOALS_REACHED: 70,
                Kpi.Kind.RELAPSE: 15,
            }
        Kpi.objects.bulk_create(Kpi(agreement=agreement, kind=k, target=t) for k, t in targets.items())
        moments = [
            ReviewMoment(
                agreement=agreement,
                planned_on=add_months(agreement.start_date, 6),
                topic="Evaluatie startfase",
            )
        ]
        for year in range(agreement.start_date.year, agreement.end_date.year + 1):
            planned = datetime.date(year, 11, 15)
            if agreement.start_date < planned <= agreement.end_date:
                moments.append(
                    ReviewMoment(agreement=agreement, planned_on=planned, topic=f"Jaargesprek {year}")
                )
        for moment in moments:
            if moment.planned_on < self.today:
                moment.outcome = "Afspraken nagekomen; wachttijd binnen de norm. Volgend gesprek ingepland."
        ReviewMoment.objects.bulk_create(moments)

    def plan_agreement_start(self, find: Callable[[], Agreement], offer_on, signed_on=None, activate_on=None):
        def offer():
            agreement = find()
            if agreement.past_start_pending:  # admitted after the start: the officer decides first
                services.agreement_keep_past_start(
                    uuid=agreement.uuid,
                    actor=self.inkoper,
                    reason="Zorg is sinds de start van de looptijd geleverd; startdatum behouden.",
                )
            services.agreement_offer(uuid=agreement.uuid, actor=self.inkoper)

        self.timeline.at(offer_on, offer)
        if signed_on is None:
            return

        def sign():  # the provider accepts the offer: its own user signs, else an officer records the paper
            agreement = find()
            party = agreement.provider
            users = list(party.users.order_by("pk")) if party else []
            signer = party.board_members.order_by("-start_date").first() if party else None
            services.agreement_accept(
                uuid=agreement.uuid,
                actor=users[0] if users else self.inkoper,
                signed_by_name=signer.name if signer else f"Penvoerder {agreement.coalition}",
                signed_by_role=signer.role if signer else "bestuurder van de penvoerder",
            )

        self.timeline.at(signed_on, sign)
        if activate_on is not None:
            self.timeline.at(
                activate_on, lambda: services.agreement_activate(uuid=find().uuid, actor=self.inkoper)
            )

    # ------------------------------------------------------------------ scenario: concluded bestuurlijke aanbesteding

    def scenario_wmo_procedure(self) -> None:
        start = datetime.date(self.today.year - 1, 1, 1)
        ref = f"RR-WMO-BA-{start.year}"
        self.conditions[ref] = WMO_CONDITIONS
        # prices for the year of consultation and admission, and the first two contract years
        # the later years follow the VNG provider index through the indexation service; a year whose
        # index is not published yet (2026 in the demo) stays at the level before, provisional
        self.create_prices(self.region, start.year - 1)
        for year in (start.year, start.year + 1):
            self.index_prices(self.region, year)

        def d(days: int) -> datetime.date:
            return start + datetime.timedelta(days=days)

        self.timeline.at(
            d(-300),
            self.new_procedure,
            conditions=WMO_CONDITIONS,
            reference=ref,
            title=f"Wmo begeleiding en hulp bij het huishouden {start.year}-{start.year + 2}",
            route=Route.ADMINISTRATIVE,
            law=Law.WMO,
            authority=self.region,
            contract_start=start,
            deadline=d(-145),
            lots=[("Begeleiding individueel", ["02R01", "02R02"]), ("Hulp bij het huishouden", ["01R01"])],
            desc="Bestuurlijke aanbesteding: basisovereenkomst met een deelovereenkomst per perceel, "
            "toetreding voor iedere aanbieder die de afspraken aanvaardt.",
        )
        self.timeline.at(
            d(-290),
            lambda: services.procedure_start_consultation(
                uuid=Procedure.objects.get(reference=ref).uuid, actor=self.inkoper
            ),
        )
        self.timeline.at(
            d(-270),
            self.consultation,
            ref,
            d(-270),
            "Regio Rijnmond (inkoop, beleid), 23 aanbieders, Wmo-raad Rotterdam, adviesraad Nissewaard",
            "Kennismaking en uitgangspunten: meerjarige samenwerking in plaats van een nieuwe aanbesteding. "
            "Aanbieders vragen om een tarief op basis van de cao en om minder verantwoordingslast.",
            "Werkgroepen tarieven en kwaliteit ingesteld.",
        )
        self.timeline.at(
            d(-235),
            self.consultation,
            ref,
            d(-235),
            "Regio Rijnmond, werkgroep tarieven (8 aanbieders), brancheorganisatie",
            "Kostprijsmodel besproken: cao-loon, werkgeverslasten, productiviteit, overhead en risico-opslag. "
            "Reële prijs per product vastgesteld; indexatie volgens OVA/PPC (VNG-systematiek).",
            "Tarieven gelijk aan of boven de reële prijs; jaarlijkse indexatie; productiviteitsnorm 72%.",
        )
        self.timeline.at(
            d(-215),
            self.consultation,
            ref,
            d(-215),
            "Regio Rijnmond, 19 aanbieders, cliëntenpanel, ervaringsdeskundigen",
            "Kwaliteitseisen en KPI's: wachttijd, cliënttevredenheid. Antidiscriminatiebeleid en meldcode als "
            "voorwaarde. Verantwoording één keer per jaar via het portaal.",
            "Maximale wachttijd 4 weken; cliënttevredenheid minimaal 7,5.",
            "Het cliëntenpanel vraagt om vaste begeleiders en een korte wachttijd bij herindicatie.",
        )
        self.timeline.at(
            d(-200),
            lambda: services.procedure_open(
                uuid=Procedure.objects.get(reference=ref).uuid, actor=self.inkoper
            ),
        )

        household = {
            "Thuiszorg Rijnmond B.V.",
            "Huishoudelijke Hulp Nissewaard B.V.",
            "Thuishulp Krimpenerwaard B.V.",
            "Huishoudhulp Maasstad B.V.",
            "Thuiszorg Voorne B.V.",
        }
        both = {"Stichting Ouderenzorg Lek en IJssel", "Stichting Zorg aan de Maas"}
        admitted = [
            "Stichting Zorg aan de Maas",
            "Stichting De Zonnehoek",
            "Thuiszorg Rijnmond B.V.",
            "Begeleiding Krimpenerwaard B.V.",
            "Stichting Het Lichtpunt",
            "Huishoudelijke Hulp Nissewaard B.V.",
            "Coöperatie Zorgkracht Zuid-Holland U.A.",
            "Stichting Wijkzorg Feijenoord",
            "Stichting Boog en Brug",
            "Ambulante Begeleiding Van Dijk",
            "Stichting Thuis in de Waard",
            "Stichting Samen Sterk in de Wijk",
            "Thuishulp Krimpenerwaard B.V.",
            "Stichting Ouderenzorg Lek en IJssel",
            "Stichting Nieuwe Kansen",
            "Stichting Levensloop",
            "Stichting De Brug Ambulant",
            "Zorg Dichtbij Rotterdam B.V.",
            "Stichting Onder Dak Rijnmond",
            "Huishoudhulp Maasstad B.V.",
            "Thuiszorg Voorne B.V.",
            "Stichting Welzijn en Zorg Charlois",
            "Stichting Thuisbegeleiding Rijnmond",
            "Zorgbureau Hoogvliet B.V.",
            "Zorgcollectief De Buren B.V.",
            "Begeleid Wonen Het Anker B.V.",
        ]
        rejected = {
            "Snelgroei Zorg B.V.": (
                {
                    AssessmentStep.EXCLUSION_GROUNDS: "Geen geldige Gedragsverklaring Aanbesteden overgelegd; "
                    "de aanvullende termijn van 14 kalenderdagen is verstreken."
                },
                "Uitsluitingsgrond: de Gedragsverklaring Aanbesteden ontbreekt.",
            ),
            "Zorgverlening Rozenburg B.V.": (
                {
                    AssessmentStep.SUITABILITY: "Geen kwaliteitssysteem (HKZ of gelijkwaardig) en geen "
                    "klachtenregeling aangetoond."
                },
                "Niet geschikt: het kwaliteitssysteem en de klachtenregeling ontbreken.",
            ),
        }
        withdrawn = "Stichting Ankerplaats"

        applicants = admitted + list(rejected) + [withdrawn]
        for i, name in enumerate(applicants):
            lots = [1, 2] if name in both else [2] if name in household else [1]
            by = self.users["aanbieder"] if name == data.PROVIDER_OF_DEMO_USER else None
            self.plan_application(ref, name, lots, d(-195 + i), by=by, renew=name in admitted)
        DemoDocuments(self).plan_wmo(
            reference=ref, created_on=d(-300), applicants=[(n, d(-195 + i)) for i, n in enumerate(applicants)]
        )
        self.timeline.at(
            d(-150),
            lambda: services.application_withdraw(
                uuid=self.application(ref, withdrawn).uuid,
                actor=self.inkoper,
                reason="Aanbieder trekt de aanmelding in (per e-mail): richt zich op de Wlz.",
            ),
        )
        self.timeline.at(
            d(-140),
            lambda: services.procedure_close_applications(
                uuid=Procedure.objects.get(reference=ref).uuid, actor=self.inkoper
            ),
        )
        for i, name in enumerate(admitted + list(rejected)):
            day = d(-135 + i // 3)
            fail, reason = rejected.get(name, ({}, ""))
            self.plan_review(ref, name, day, fail=fail)
            self.plan_decision(ref, name, day + 3 * DAY, reject_reason=reason)
        self.timeline.at(
            d(-95),
            lambda: services.procedure_conclude(
                uuid=Procedure.objects.get(reference=ref).uuid, actor=self.inkoper
            ),
        )
        for i, name in enumerate(admitted):
            self.plan_agreement_start(
                partial(self.agreement, ref, name),
                offer_on=d(-90),
                signed_on=d(-60 + i),
                activate_on=d(-14),
            )

        DemoDocuments(self).plan_demo_provider(reference=ref, agreement_start=start, activated_on=d(-14))

        # what happened since the start
        suspended, terminating, ended, extended = (
            "Zorgbureau Hoogvliet B.V.",
            "Zorgcollectief De Buren B.V.",
            "Begeleid Wonen Het Anker B.V.",
            "Stichting Levensloop",
        )
        self.timeline.at(
            self.days_ago(45),
            lambda: services.agreement_suspend(
                uuid=self.agreement(ref, suspended).uuid,
                actor=self.inkoper,
                reason="Signaal van de Wmo-toezichthouder (GGD): onderzoek naar de kwaliteit van de begeleiding.",
            ),
        )
        self.plan_termination(
            ref,
            terminating,
            self.days_ago(20),
            "Structureel niet voldaan aan de KPI wachttijd; verbetertraject zonder resultaat.",
        )
        self.plan_termination(
            ref,
            ended,
            self.days_ago(240),
            "Aanbieder beëindigt de Wmo-activiteiten (bedrijfsbeëindiging).",
            end_on=self.days_ago(50),
        )
        self.timeline.at(
            self.days_ago(10),
            lambda: services.agreement_extend(
                uuid=self.agreement(ref, extended).uuid,
                actor=self.inkoper,
                reason="Goede resultaten in het jaargesprek; verlenging met 24 maanden afgesproken.",
            ),
        )

    def plan_termination(self, ref: str, provider: str, day, reason: str, end_on=None) -> None:
        self.timeline.at(
            day,
            lambda: services.agreement_request_termination(
                uuid=self.agreement(ref, provider).uuid, actor=self.inkoper, reason=reason
            ),
        )
        self.timeline.at(
            day + 2 * DAY,
            lambda: services.agreement_terminate(
                uuid=self.agreement(ref, provider).uuid,
                actor=self.inkoper2,
                reason="Beëindiging getoetst en akkoord (vier-ogen).",
            ),
        )
        if end_on:
            self.timeline.at(
                end_on,
                lambda: services.agreement_end(uuid=self.agreement(ref, provider).uuid, actor=self.inkoper),
            )

    # ------------------------------------------------------------------ scenario: previous contracts that expired

    def scenario_expired_contracts(self) -> None:
        start, end = datetime.date(self.today.year - 5, 1, 1), datetime.date(self.today.year - 2, 12, 31)
        for i, name in enumerate(
            [
                "Thuiszorg Rijnmond B.V.",
                "Huishoudhulp Maasstad B.V.",
                "Stichting Levensloop",
                "Stichting Het Lichtpunt",
            ]
        ):
            reference = f"ROT-WMO-{start.year}-{i + 1:03d}"

            def create(reference=reference, name=name):
                agreement = Agreement.objects.create(
                    reference=reference,
                    authority=self.rotterdam,
                    provider=self.providers[name],
                    law=Law.WMO,
                    start_date=start,
                    end_date=end,
                    max_extensions=0,
                )
                self.agreement_terms(agreement)

            def find(reference=reference):
                return Agreement.objects.get(reference=reference)

            self.timeline.at(start - 60 * DAY, create)
            self.plan_agreement_start(
                find, offer_on=start - 45 * DAY, signed_on=start - 30 * DAY, activate_on=start - 20 * DAY
            )
            self.timeline.at(
                end + 5 * DAY,
                lambda find=find: services.agreement_expire(uuid=find().uuid, actor=self.inkoper),
            )

    # ------------------------------------------------------------------ scenario: open house youth care, open now

    def scenario_youth_open_house(self) -> None:
        opened = self.days_ago(130)
        start = first_of_next_month(self.days_ago(100))
        ref = f"RR-JGD-OH-{start.year}"
        self.conditions[ref] = YOUTH_CONDITIONS
        self.timeline.at(
            self.days_ago(200),
            self.new_procedure,
            conditions=YOUTH_CONDITIONS,
            reference=ref,
            title=f"Toelating jeugdhulp ambulant vanaf {start:%m-%Y}",
            route=Route.OPEN_HOUSE,
            law=Law.JEUGDWET,
            authority=self.region,
            contract_start=start,
            deadline=None,
            lots=[
                ("Jeugdhulp ambulant generalistisch", ["45R01"]),
                ("Jeugdhulp ambulant specialistisch", ["45R02"]),
            ],
            desc="Open house: iedere aanbieder die aan de eisen voldoet wordt toegelaten, gedurende de hele "
            "looptijd. De jeugdige en het gezin kiezen de aanbieder.",
        )

        def procedure_uuid():
            return Procedure.objects.get(reference=ref).uuid

        self.timeline.at(
            self.days_ago(190),
            lambda: services.procedure_start_consultation(uuid=procedure_uuid(), actor=self.inkoper),
        )
        self.timeline.at(
            self.days_ago(175),
            self.consultation,
            ref,
            self.days_ago(175),
            "Regio Rijnmond, 14 jeugdhulpaanbieders, wijkteams, jongerenpanel",
            "Toelatingseisen en tarieven jeugdhulp ambulant; reële prijs volgens Besluit Jeugdwet art. 2.3.",
            "Tarieven op basis van Cao Jeugdzorg; maximale wachttijd 6 weken.",
            "Het jongerenpanel vraagt om één vaste hulpverlener en hulp dicht bij school.",
        )
        self.timeline.at(opened, lambda: services.procedure_open(uuid=procedure_uuid(), actor=self.inkoper))

        admitted = ["Stichting Perspectief Jeugd", "Stichting Groeikracht", "Stichting Kompas Jeugdhulp"]
        for i, name in enumerate(admitted):
            self.plan_application(ref, name, [1, 2] if i == 0 else [1], self.days_ago(125 - i))
            self.plan_review(ref, name, self.days_ago(110 - i))
            self.plan_decision(ref, name, self.days_ago(105 - i))
        active, offered, _draft = admitted
        self.plan_agreement_start(
            partial(self.agreement, ref, active),
            offer_on=self.days_ago(95),
            signed_on=self.days_ago(80),
            activate_on=self.days_ago(70),
        )
        self.plan_agreement_start(partial(self.agreement, ref, offered), offer_on=self.days_ago(6))

        for i, (name, steps) in enumerate(
            [("Stichting Jeugdpunt Zuid", 2), ("Stichting Kindkracht", 1), ("Stichting Traject Jeugd", 0)]
        ):
            self.plan_application(ref, name, [2], self.days_ago(40 - 3 * i))
            self.plan_review(ref, name, self.days_ago(20 - i), steps=steps)
        submitted = [
            "Stichting Zorg aan de Maas",
            "Jeugdhulp Op Maat B.V.",
            "Stichting Gezinsvormen Rijnmond",
            "Stichting Jonge Krachten",
        ]
        for i, name in enumerate(submitted):
            by = self.users["aanbieder"] if name == data.PROVIDER_OF_DEMO_USER else None
            self.plan_application(ref, name, [1], self.days_ago(15 - 4 * i), by=by)
        self.plan_application(ref, "Praktijk voor Gezinsbegeleiding Bakker", [1], self.days_ago(60))
        self.timeline.at(
            self.days_ago(55),
            lambda: services.application_withdraw(
                uuid=self.application(ref, "Praktijk voor Gezinsbegeleiding Bakker").uuid,
                actor=self.inkoper,
                reason="De praktijk heeft geen capaciteit voor nieuwe cliënten.",
            ),
        )
        self.plan_application(ref, "Stichting Kinderpraktijk De Vlinder", [1], self.days_ago(3), submit=False)

    # ------------------------------------------------------------------ scenario: a refusal (tariff below reële prijs)

    def scenario_refused_opening(self) -> None:
        year = self.today.year + 1
        ref = f"KW-WMO-HH-{year}"
        self.conditions[ref] = REFUSAL_CONDITIONS
        code, product = "01R01", self.products["01R01"]
        cao, scale, wage, employer, productivity, overhead, risk = data.COST_MODELS[code]
        cost = CostModel.objects.create(
            authority=self.krimpenerwaard,
            product=product,
            year=year,
            cao=cao,
            scale=scale,
            # the demo's base wage carried along the published VNG provider index (unpublished years: as before)
            hourly_wage=tariff_path(
                amount=Decimal(wage),
                from_year=self.today.year - 2,
                to_year=year,
                method=IndexMethod.VNG_PROVIDER_INDEX,
            )[-1].amount,
            employer_costs_pct=Decimal(employer),
            productivity_pct=Decimal(productivity),
            overhead_pct=Decimal(overhead),
            risk_margin_pct=Decimal(risk),
        )
        Tariff.objects.create(
            authority=self.krimpenerwaard,
            product=product,
            year=year,
            amount=cost.real_price - data.TARIFF_BELOW_REAL_PRICE,
        )
        self.timeline.at(
            self.days_ago(60),
            self.new_procedure,
            conditions=REFUSAL_CONDITIONS,
            reference=ref,
            title=f"Hulp bij het huishouden Krimpenerwaard {year}",
            route=Route.ADMINISTRATIVE,
            law=Law.WMO,
            authority=self.krimpenerwaard,
            contract_start=datetime.date(year, 1, 1),
            deadline=None,
            lots=[("Hulp bij het huishouden", [code])],
            desc="Bestuurlijke aanbesteding hulp bij het huishouden voor de gemeente Krimpenerwaard.",
        )
        self.timeline.at(
            self.days_ago(58),
            lambda: services.procedure_start_consultation(
                uuid=Procedure.objects.get(reference=ref).uuid, actor=self.inkoper
            ),
        )
        self.timeline.at(
            self.days_ago(30),
            self.consultation,
            ref,
            self.days_ago(30),
            "Gemeente Krimpenerwaard, 6 aanbieders hulp bij het huishouden, Wmo-adviesraad",
            "Aanbieders geven aan dat het voorgestelde tarief onder de kostprijs ligt (cao VVT, productiviteit "
            "80%). De gemeente neemt dit mee in de besluitvorming over de begroting.",
        )

        def try_to_open():
            try:
                services.procedure_open(uuid=Procedure.objects.get(reference=ref).uuid, actor=self.inkoper)
            except DomainError as exc:
                self.notes.append(f"Refused as intended: {exc.detail}")
            else:
                raise CommandError(f"{ref} opened although its tariff is below the reële prijs.")

        self.timeline.at(self.today, try_to_open)

    # ------------------------------------------------------------------ scenario: coalitions

    def plan_membership(self, coalition: str, provider: str, role: str, steps: list[tuple[str, int, str]]):
        def create():
            Membership.objects.create(
                coalition=Coalition.objects.get(name=coalition), provider=self.providers[provider], role=role
            )

        def uuid():
            return (
                Membership.objects.filter(coalition__name=coalition, provider__name=provider)
                .latest("created_at")
                .uuid
            )

        first_day = steps[0][1] if steps else 0
        self.timeline.at(self.days_ago(first_day + 5), create)
        self.plan_declarations(provider, COALITION_CONDITIONS, self.days_ago(first_day + 5), renew=True)
        for action, days, reason in steps:
            service = getattr(coalition_services, f"membership_{action}")
            self.timeline.at(
                self.days_ago(days),
                lambda service=service, reason=reason: service(
                    uuid=uuid(), actor=self.inkoper, reason=reason
                ),
            )

    def new_coalition(self, **fields) -> Coalition:
        coalition = Coalition.objects.create(**fields)
        self.condition_set(coalition, COALITION_CONDITIONS)
        return coalition

    def scenario_coalitions(self) -> None:
        youth = "Zorgcoalitie Jeugd Rijnmond-Zuid"
        self.timeline.at(
            self.days_ago(310),
            self.new_coalition,
            name=youth,
            authority=self.region,
            law=Law.JEUGDWET,
            care_chain="Jeugdhulp ambulant en gezinsgerichte zorg in Rotterdam-Zuid",
            charter="De partners bieden samen de jeugdhulp in Rotterdam-Zuid: één plan per gezin, één "
            "vaste contactpersoon, warme overdracht tussen de partners. De penvoerder is aanspreekpunt "
            "voor de regio, verdeelt het budget en legt verantwoording af.",
        )
        lead, member, sub = MembershipRole.LEAD, MembershipRole.MEMBER, MembershipRole.SUBCONTRACTOR
        joined = [("admit", 290, ""), ("activate", 275, "")]
        self.plan_membership(youth, "Stichting Veilig Opgroeien Rijnmond", lead, joined)
        for name in ["Stichting Zorg aan de Maas", "Stichting Jeugdzorg De Horizon", "Stichting Gezin Centraal",
                     "Stichting Jeugd & Gezin Voorne-Putten"]:  # fmt: skip
            self.plan_membership(youth, name, member, joined)
        self.plan_membership(youth, "Gezinshuis De Linde V.O.F.", sub, joined)
        self.timeline.at(
            self.days_ago(270),
            lambda: coalition_services.coalition_activate(
                uuid=Coalition.objects.get(name=youth).uuid,
                actor=self.inkoper,
                reason="Samenwerkingsovereenkomst getekend door alle partners.",
            ),
        )
        self.plan_membership(
            youth,
            "Maas Jeugd B.V.",
            member,
            [
                *joined,
                ("suspend", 40, "Fraudesignaal in onderzoek: declaraties buiten de toewijzingsperiode."),
            ],
        )
        self.plan_membership(
            youth,
            "Stichting Jeugdhulp Krimpenerwaard",
            member,
            [*joined, ("exit", 12, "De stichting richt zich voortaan op jeugdhulp met verblijf.")],
        )
        self.plan_membership(
            youth,
            "Stichting Autisme Coaching Zuid-Holland",
            member,
            [*joined, ("exit", 150, "Opgegaan in een landelijke organisatie."), ("end", 120, "")],
        )
        self.plan_membership(youth, "Stichting Zorgboerderij De Hoeve", member, [("admit", 8, "")])
        self.plan_membership(youth, "Jeugdhulp Op Maat B.V.", member, [])
        self.timeline.at(
            self.days_ago(25),
            lambda: coalition_services.membership_make_lead(
                uuid=Membership.objects.get(
                    coalition__name=youth, provider__name="Stichting Zorg aan de Maas"
                ).uuid,
                actor=self.inkoper,
                reason="Penvoerderschap overgedragen na besluit van de partners.",
            ),
        )

        # the coalition's own agreement with the region
        reference = "RR-JGD-COAL-001"
        start = first_of_next_month(self.days_ago(240))

        def create():
            agreement = Agreement.objects.create(
                reference=reference,
                authority=self.region,
                coalition=Coalition.objects.get(name=youth),
                law=Law.JEUGDWET,
                start_date=start,
                end_date=add_months(start, 60) - DAY,
                extension_months=60,
                max_extensions=1,
            )
            self.agreement_terms(agreement)

        self.timeline.at(self.days_ago(255), create)
        self.plan_agreement_start(
            lambda: Agreement.objects.get(reference=reference),
            offer_on=self.days_ago(250),
            signed_on=self.days_ago(245),
            activate_on=self.days_ago(242),
        )

        dementia = "Dementiecoalitie Nissewaard"
        self.timeline.at(
            self.days_ago(45),
            self.new_coalition,
            name=dementia,
            authority=self.nissewaard,
            law=Law.WMO,
            care_chain="Dementie: casemanagement, dagbesteding en respijtzorg",
            charter="Concept: één loket voor mensen met dementie en hun mantelzorgers in Nissewaard.",
        )
        admitted = [("admit", 20, "")]
        self.plan_membership(dementia, "Stichting Dementiezorg Nissewaard", lead, admitted)
        self.plan_membership(dementia, "Stichting Casemanagement Dementie Zuid", member, admitted)
        self.plan_membership(dementia, "Stichting Respijtzorg Voorne-Putten", member, admitted)
        self.plan_membership(dementia, "Stichting Ontmoetingscentrum De Schakel", member, [])
        self.plan_membership(dementia, "Stichting De Zonnehoek", sub, [])

    # ------------------------------------------------------------------ run

    def run(self) -> int:
        earliest = datetime.date(self.today.year - 6, 10, 1)
        tz = ZoneInfo(settings.TIME_ZONE)
        with clock.travel(datetime.datetime.combine(earliest, datetime.time(8, 0), tzinfo=tz)):
            self.create_authorities()
            self.create_providers()
            self.create_products()
            self.create_annual_figures()
        self.scenario_expired_contracts()
        self.scenario_wmo_procedure()
        self.scenario_youth_open_house()
        self.scenario_refused_opening()
        self.scenario_coalitions()
        DemoDocuments(self).plan_today()
        self.timeline.at(self.today, self.scenario_missing_document)
        self.timeline.at(self.today, self.scenario_waiver)
        self.timeline.at(self.today, self.scenario_fraud_signals)
        self.timeline.at(self.today, self.scenario_production)
        return self.timeline.run()

    # ------------------------------------------------------------------ scenario: a document still missing

    def scenario_missing_document(self) -> None:
        """For the draft agreement the officer adds the meldcode to its conditions (with a reason); the
        provider has not delivered one yet, so its 'what is missing' list and the matrix show it."""

        agreement = (
            Agreement.objects.filter(status="draft", provider__isnull=False).order_by("reference").first()
        )
        if agreement is None:
            return
        condition_adjust(
            subject=agreement,
            condition=Condition.objects.get(code="meldcode"),
            action="add",
            actor=self.inkoper,
            reason="Jeugdhulp: werken met de meldcode huiselijk geweld en kindermishandeling is verplicht.",
        )
        conditions_evaluate(subject=agreement)
        self.notes.append(f"Missing document: the meldcode for {agreement} ({agreement.provider}).")

    # ------------------------------------------------------------------ scenario: a waiver with four eyes

    def scenario_waiver(self) -> None:
        """An agreement that still misses a mandatory condition (an offered one if there is one): the first
        officer waives it for six months, the second officer approves; the condition then counts as
        waived."""

        order = {"offered": 0, "suspended": 1, "draft": 2, "active": 3}
        candidates = sorted(
            Agreement.objects.filter(status__in=list(order), provider__isnull=False),
            key=lambda a: (order[a.status], a.reference),
        )
        for agreement in candidates:
            unmet = [
                r
                for r in conditions_evaluate(subject=agreement)
                if r.condition.mandatory and not r.result.counts
            ]
            if not unmet:
                continue
            item = unmet[0]
            waiver = waiver_request(
                subject=agreement,
                provider=item.provider,
                condition=item.condition,
                actor=self.inkoper,
                reason="Beleid wordt dit kwartaal vastgesteld door de raad van bestuur; toegezegd in het "
                "contractgesprek.",
                valid_until=self.today + datetime.timedelta(days=182),
            )
            waiver_approve(
                uuid=waiver.uuid, actor=self.inkoper2, reason="Akkoord, termijn van een half jaar."
            )
            conditions_evaluate(subject=agreement)
            self.notes.append(f"Waiver approved (four eyes) for {agreement}: {item.condition.code}.")
            return

    # ------------------------------------------------------------------ scenario: production data and signals

    def scenario_production(self) -> None:
        """Declarations for every agreement with a ceiling (devtools/demo_production.py): spend, depletion
        warnings and the period report show real figures."""
        lines = declare_for_agreements(self.today, self.inkoper)
        self.notes.append(
            "Declarations for the agreements: "
            + ", ".join(f"{name} {count} lines" for name, count in lines.items())
            + "."
        )

    def scenario_fraud_signals(self) -> None:
        """The example production files (docs/examples) imported for the region, the rules run over
        their year and the signals found taken into investigation; confirming is left to the user
        (four eyes: inkoper proposes, inkoper2 confirms)."""

        region = ContractingAuthority.objects.get(
            name=data.REGION_NAME, kind=ContractingAuthority.Kind.REGION
        )
        # The examples describe 2025; the demo moves them to last year, so they match its agreements
        # whatever today is.
        examples = Path(settings.BASE_DIR) / "docs" / "examples"
        year = self.today.year - 1
        for kind in ("allocations", "declarations"):
            content = (examples / f"{kind}.csv").read_text(encoding="utf-8")
            content = re.sub(r"\b2025-(\d\d-\d\d)\b", rf"{year}-\1", content)
            content = content.replace("RR-2025-", f"RR-{year}-")
            production_import(
                file=io.BytesIO(content.encode("utf-8")),
                file_name=f"{kind}.csv",
                kind=kind,
                authority=region,
                actor=self.inkoper,
            )
        summary = fraud_rules_run(
            authority=region,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
            actor=self.inkoper,
        )

        for signal in FraudSignal.objects.filter(authority=region, status="open").order_by("pk"):
            signal_start_investigation(
                uuid=signal.uuid, actor=self.inkoper, reason="Gegevens opgevraagd bij aanbieder."
            )
        self.notes.append(
            f"Fraud rules over {year}: {summary.created} signal(s) found and taken into investigation."
        )


# --------------------------------------------------------------------------- command


@contextmanager
def quiet(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def rerun_data_migrations() -> list[str]:
    """After a flush: run the RunPython steps of the project's own migrations again (reference data,
    condition library ...), each with the historical models of its migration, as ``migrate`` does."""
    loader = MigrationLoader(connection)
    base = Path(settings.BASE_DIR).resolve()
    local = {app.label for app in django_apps.get_app_configs() if Path(app.path).resolve().parent == base}
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
    done = []
    for key in plan:
        migration = loader.graph.nodes[key]
        if key[0] not in local or not any(isinstance(op, RunPython) for op in migration.operations):
            continue
        state = loader.project_state(key, at_end=False)
        # Data migrations only read schema_editor.connection; not entering the editor keeps this usable
        # inside a transaction on SQLite (tests).
        schema_editor = connection.schema_editor(atomic=False)
        for operation in migration.operations:
            if isinstance(operation, RunPython):
                operation.code(state.apps, schema_editor)
            else:
                operation.state_forwards(key[0], state)
        done.append(f"{key[0]}.{key[1]}")
    return done


class Command(BaseCommand):
    help = "Load the demo region, providers, procedures, agreements, coalitions and a user per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the WHOLE database first (flush), reload the reference data, then seed.",
        )
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Do not ask before --reset."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["reset"]:
            call_command("flush", interactive=options["interactive"], verbosity=0)
            reloaded = rerun_data_migrations()
            self.stdout.write(f"Database emptied; data migrations run again: {', '.join(reloaded)}.")

        seed = DemoSeed(today=clock.today())
        # Evidence recorded by the seed schedules condition re-evaluations after the commit; they run
        # in-process with the default task backend and would log a line each.
        with quiet("django_tasks"), transaction.atomic():
            created_users = seed.ensure_users()
            already = ContractingAuthority.objects.filter(
                name=data.REGION_NAME, kind=ContractingAuthority.Kind.REGION
            ).exists()
            steps = 0 if already else seed.run()

        if already:
            self.stdout.write(f"Demo data already present ({data.REGION_NAME}); nothing added.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s ({steps} steps).")
            )
        if created_users:
            self.stdout.write(f"Created users: {', '.join(created_users)}.")
        self.summary(seed.notes)

    def summary(self, notes: list[str]) -> None:
        w = self.stdout.write

        def by_state(model) -> str:
            counts = Counter(model.objects.values_list("status", flat=True))
            order = [value for value, _label in model._meta.get_field("status").choices]
            return ", ".join(f"{state} {counts[state]}" for state in order if counts[state]) or "none"

        w("")
        w(self.style.MIGRATE_HEADING("Zorginkoop demo"))
        region = ContractingAuthority.objects.filter(name=data.REGION_NAME).first()
        if region:
            members = ", ".join(f"{m.name} ({m.cbs_code})" for m in region.members.order_by("name"))
            w(f"  region          {region.name}: {members}")
        w(f"  providers       {Provider.objects.count()} (board members {BoardMember.objects.count()})")
        w(
            f"  products        {Product.objects.count()}, tariffs {Tariff.objects.count()}, "
            f"cost models {CostModel.objects.count()}"
        )
        w(f"  procedures      {by_state(Procedure)}")
        w(f"  applications    {by_state(Application)}")
        w(f"  agreements      {by_state(Agreement)}")
        w(
            f"                  budget ceilings {BudgetCeiling.objects.count()}, KPIs {Kpi.objects.count()}, "
            f"review moments {ReviewMoment.objects.count()}"
        )
        w(f"  coalitions      {by_state(Coalition)}")
        w(f"  memberships     {by_state(Membership)}")
        w(f"  documents       {document_summary()}")
        broken = sum(1 for _ in verify_chain())
        w(
            f"  audit events    {AuditEvent.objects.count()} "
            f"(hash chain {'intact' if not broken else f'BROKEN at {broken} events'})"
        )
        for note in notes:
            w(f"  note            {note}")
        w("")
        w(self.style.MIGRATE_HEADING(f"Demo logins (password for all: {data.DEMO_PASSWORD})"))
        User = get_user_model()
        existing = set(
            User.objects.filter(username__in=[u[0] for u in data.USERS]).values_list("username", flat=True)
        )
        labels = {
            "officer": "procurement officer",
            "auditor": "auditor (read-only)",
            "provider": f"provider user of {data.PROVIDER_OF_DEMO_USER}",
            "administrator": "administrator (superuser)",
        }
        for username, role, _first, _last in data.USERS:
            if username in existing:
                w(f"  {username:<10} {labels[role]}")
