"""Region-scale data (DESIGN.md "Scale to design for"): ``manage.py generate_region --scale region``.

Builds one region with its providers, procedures (lots, tariffs), admissions, agreements (sub-agreements,
budget ceilings, a KPI and a review moment each), coalitions and memberships, accountability documents
with their uploaded versions, production (allocations and declarations, through the import's own fast
lane) and an audit trail of the requested length with a valid hash chain. Everything is written set-based
(``bulk_create`` in batches, ``COPY`` on PostgreSQL for the large tables), not through the services: this is
a bulk data generator (CONTRIBUTING: the one exception to "every state change goes through its service"),
so the data it writes must be valid by construction:

- every state is one the state machine can reach, with the fields its constraints ask for (a suspended
  agreement has a reason, an accepted document a validity, a rejected one a verdict reason, an active
  coalition exactly one active lead);
- agreements come from admitted applications (three passed assessment steps) to concluded procedures of
  the region, for lots of that procedure; expired agreements belong to procedures whose term has ended;
- the audit trail is hashed with ``audit.services.compute_hash`` and continues from the current head of
  the chain, whose count, newest event and signature are moved along, so ``verify_audit_trail`` passes;
- the providers are those of ``devtools.production_generator`` (same AGB and KvK numbers, names, products),
  so its declaration files import into them.

Stored files: every uploaded version points to one of a few shared blobs (small real PDFs written once to
the documents storage), each with its true SHA-256 and size. 200,000 distinct files would only measure
the disk; the rows (what pages, exports and checks read) are all distinct.
"""

import datetime
import hashlib
import json
import random
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from audit.models import AuditChainHead, AuditEvent
from audit.services import GENESIS, compute_hash, head_signature
from coalitions.models import Coalition, CoalitionStatus, Membership, MembershipRole, MembershipStatus
from compliance.fraud.importer import production_import
from compliance.models import (
    AccountabilityDocument,
    DeclarationLine,
    DocumentStatus,
    DocumentType,
    DocumentVersion,
    ProviderAnnualFigures,
)
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationAssessment,
    ApplicationStatus,
    AssessmentStep,
    BoardMember,
    BudgetCeiling,
    ConsultationRound,
    ContractingAuthority,
    Kpi,
    Law,
    Lot,
    Procedure,
    ProcedureStatus,
    Product,
    ProductCategory,
    Provider,
    ReviewMoment,
    Route,
    SubAgreement,
    Tariff,
    Unit,
)
from contracting.reference_data import municipalities
from contracting.roles import AUDITOR, OFFICER, PROVIDER_USER
from core import clock
from core.dates import add_months
from core.storage import document_storage
from devtools import production_generator as production
from devtools.demo_documents import pdf

REGION_NAME = "Regio Rijnmond (gegenereerd)"
USERNAME_PREFIX = "region-"
BATCH = 5000


@dataclass(frozen=True)
class Scale:
    providers: int
    procedures: int
    agreements_per_provider: int
    coalitions: int
    memberships: int
    documents: int
    audit_events: int
    declarations: int

    @property
    def agreements(self) -> int:
        return self.providers * self.agreements_per_provider


SCALES = {
    # DESIGN.md "Scale to design for (a large region)"
    "region": Scale(1000, 50, 5, 20, 400, 200_000, 1_000_000, 10_000_000),
    # about 1/50 of it, for tests (at least five concluded procedures: five agreements per provider)
    # (25 providers: production_generator plans at least 23, and every declaration line names one of ours)
    "small": Scale(25, 5, 5, 2, 8, 5_000, 20_000, 200_000),
    # the smallest dataset of the same shape, the reference of the query-count tests (no production:
    # production_generator plans more providers than two)
    "tiny": Scale(2, 5, 1, 1, 2, 20, 200, 0),
}


class RegionRefused(Exception):
    """The database already holds data: the generator adds a whole region to an empty database only."""


Report = Callable[[str, float, str], None]


def existing_data() -> list[str]:
    """What the database holds beyond reference data (the generator refuses to add to it)."""
    checks = {
        "providers": Provider,
        "procedures": Procedure,
        "agreements": Agreement,
        "coalitions": Coalition,
        "documents": AccountabilityDocument,
        "declaration lines": DeclarationLine,
        "audit events": AuditEvent,
    }
    return [name for name, model in checks.items() if model._default_manager.exists()]


# --------------------------------------------------------------------------- writing rows


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def insert(model: type[models.Model], objs: Iterable[models.Model]) -> int:
    """Insert model instances in batches: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere. Field defaults
    and ``auto_now`` are applied as ``bulk_create`` applies them; rows with explicit primary keys keep them
    (call ``reset_sequences`` afterwards)."""
    count = 0
    batch: list[models.Model] = []
    for obj in objs:
        batch.append(obj)
        if len(batch) >= BATCH:
            count += _insert_batch(model, batch)
            batch = []
    if batch:
        count += _insert_batch(model, batch)
    return count


def _insert_batch(model: type[models.Model], batch: list[models.Model]) -> int:
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(batch, batch_size=1000)
        return len(batch)
    with_pk = batch[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"  # noqa: S608
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in batch:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in batch:  # stored, as bulk_create leaves them
        obj._state.adding, obj._state.db = False, connection.alias
    return len(batch)


def reset_sequences(*model_list: type[models.Model]) -> None:
    """After rows with explicit primary keys: the next ``save()`` gets a free one (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --------------------------------------------------------------------------- the generator


@dataclass
class Built:
    region: ContractingAuthority
    municipalities: list[ContractingAuthority]
    officers: list[Any]
    provider_users: dict[int, Any]  # provider pk -> its user
    providers: list[Provider]
    plans: list[production.ProviderPlan]


class RegionGenerator:
    def __init__(self, scale: Scale, *, seed: int = 1, report: Report | None = None) -> None:
        self.scale = scale
        self.seed = seed
        self.report = report or (lambda phase, seconds, what: None)
        self.today = clock.today()
        self.now = clock.now()
        self.year = self.today.year
        self.rng = random.Random(f"region-{seed}")

    def phase(self, name: str, step: Callable[[], str]) -> None:
        started = time.monotonic()
        what = step()
        self.report(name, time.monotonic() - started, what)

    def run(self, *, declarations: int | None = None, declarations_dir: Path | None = None) -> None:
        remaining = existing_data()
        if remaining:
            raise RegionRefused(", ".join(remaining))
        with transaction.atomic():
            self.phase("parties", self.parties)
            self.phase("catalogue", self.catalogue)
            self.phase("procedures", self.procedures)
            self.phase("agreements", self.agreements)
            self.phase("coalitions", self.coalitions)
            self.phase("documents", self.documents)
            reset_sequences(*GENERATED_MODELS)
        lines = self.scale.declarations if declarations is None else declarations
        # the trail first (the history up to now), then the imports, which record an event each through
        # audit_record: together exactly scale.audit_events, in time order
        imports = 2 if lines else 0
        with transaction.atomic():
            self.phase("audit trail", lambda: self.audit_trail(reserve=imports))
        if lines:
            self.phase("declarations", lambda: self.declarations(lines, declarations_dir))

    # ------------------------------------------------------------------ parties

    def parties(self) -> str:
        known = {row["gm_code"]: row["name"] for row in municipalities()}
        members = []
        for code, _share in production.MUNICIPALITIES:
            municipality, _created = ContractingAuthority.objects.get_or_create(
                cbs_code=code,
                defaults={"name": known.get(code, code), "kind": ContractingAuthority.Kind.MUNICIPALITY},
            )
            members.append(municipality)
        region = ContractingAuthority.objects.create(
            name=REGION_NAME, kind=ContractingAuthority.Kind.REGION, lead_municipality=members[0]
        )
        region.members.set(members)

        User = get_user_model()
        unusable = make_password(None)
        officer_count = max(2, self.scale.providers // 100)
        staff = [
            User(username=f"{USERNAME_PREFIX}officer-{i + 1}", first_name="Inkoper", last_name=str(i + 1),
                 email=f"{USERNAME_PREFIX}officer-{i + 1}@example.nl", password=unusable, is_staff=True)
            for i in range(officer_count)
        ]  # fmt: skip
        staff.append(
            User(username=f"{USERNAME_PREFIX}auditor", first_name="Auditor", email="auditor@example.nl",
                 password=unusable, is_staff=True)
        )  # fmt: skip
        config = production.Config(seed=self.seed, year=self.year - 1, providers=self.scale.providers)
        plans = production.plan_providers(config)[: self.scale.providers]
        provider_users = [
            User(username=f"{USERNAME_PREFIX}provider-{plan.index:04d}", first_name="Aanbieder",
                 last_name=str(plan.index), email=f"provider-{plan.index:04d}@example.nl", password=unusable)
            for plan in plans
        ]  # fmt: skip
        user_id = _next_id(User)
        for user in [*staff, *provider_users]:
            user.pk, user_id = user_id, user_id + 1
        insert(User, [*staff, *provider_users])
        officers, auditor = staff[:-1], staff[-1]
        groups = {name: Group.objects.get(name=name) for name in (OFFICER, AUDITOR, PROVIDER_USER)}
        UserGroup = User.groups.through
        insert(
            UserGroup,
            [UserGroup(user_id=u.pk, group_id=groups[OFFICER].pk) for u in officers]
            + [UserGroup(user_id=auditor.pk, group_id=groups[AUDITOR].pk)]
            + [UserGroup(user_id=u.pk, group_id=groups[PROVIDER_USER].pk) for u in provider_users],
        )
        region.officers.set([*officers, auditor])

        providers = []
        provider_id = _next_id(Provider)
        for plan in plans:
            laws = {production.PRODUCTS[code].law for code in plan.products}
            providers.append(
                Provider(
                    pk=provider_id + plan.index,
                    name=plan.name,
                    kvk_number=plan.kvk_number,
                    agb_code=plan.agb_code,
                    legal_form=plan.legal_form,
                    founded_on=datetime.date.fromisoformat(plan.founded_on),
                    street=f"Zorgstraat {plan.index + 1}",
                    postal_code=f"{3000 + plan.index % 999:04d} AB",
                    city="Rotterdam",
                    serves_wmo="wmo" in laws,
                    serves_youth="jeugd" in laws,
                    fte=Decimal(10 + plan.clients // 10),
                )
            )
        insert(Provider, providers)
        ProviderUser = Provider.users.through
        insert(
            ProviderUser,
            (
                ProviderUser(provider_id=p.pk, user_id=u.pk)
                for p, u in zip(providers, provider_users, strict=True)
            ),
        )
        insert(
            BoardMember,
            (
                BoardMember(
                    provider_id=p.pk,
                    name=f"Bestuurder {i}",
                    role="bestuurder",
                    start_date=p.founded_on or self.today,
                )
                for i, p in enumerate(providers)
            ),
        )
        self.built = Built(
            region=region,
            municipalities=members,
            officers=officers,
            provider_users={p.pk: u for p, u in zip(providers, provider_users, strict=True)},
            providers=providers,
            plans=plans,
        )
        return f"1 region, {len(members)} municipalities, {len(providers)} providers, {len(staff) + len(providers)} users"

    # ------------------------------------------------------------------ products and tariffs

    def catalogue(self) -> str:
        categories = {(c.law, c.code): c for c in ProductCategory.objects.all()}
        units = {u.code: u for u in Unit.objects.all()}
        self.products: dict[str, Product] = {}
        for spec in production.CATALOGUE:
            self.products[spec.code], _created = Product.objects.get_or_create(
                code=spec.code,
                defaults={"name": spec.name, "category": categories[(spec.law, spec.category)],
                          "unit": units[spec.unit]},
            )  # fmt: skip
        tariffs = []
        for spec in production.CATALOGUE:
            amount = spec.tariff
            for year in range(self.year - 7, self.year + 2):
                tariffs.append(
                    Tariff(
                        authority=self.built.region,
                        product=self.products[spec.code],
                        year=year,
                        amount=amount,
                    )
                )
                amount = (amount * Decimal("1.035")).quantize(Decimal("0.01"))
        insert(Tariff, tariffs)
        return f"{len(self.products)} products, {len(tariffs)} tariffs"

    # ------------------------------------------------------------------ procedures

    def procedures(self) -> str:
        scale = self.scale
        by_law = {law: [c for c in production.CATALOGUE if c.law == law] for law in (Law.WMO, Law.JEUGDWET)}
        procedure_id, lot_id = _next_id(Procedure), _next_id(Lot)
        open_count = scale.procedures // 10
        procedures, lots, lot_products, rounds = [], [], [], []
        self.lots_of: dict[int, list[Lot]] = {}
        for i in range(scale.procedures):
            law = Law.WMO if i % 2 == 0 else Law.JEUGDWET
            concluded = i < scale.procedures - open_count
            if not concluded:
                start = datetime.date(self.year + 1, 1, 1)
            elif i % 9 == 8:  # an old procedure: its agreements have run out
                start = datetime.date(self.year - 6, 1, 1)
            else:
                start = datetime.date(self.year - i % 3, 1, 1)
            procedure = Procedure(
                pk=procedure_id + i,
                authority=self.built.region,
                reference=f"GEN-{law.upper()}-{start.year}-{i + 1:03d}",
                title=f"{'Wmo-ondersteuning' if law == Law.WMO else 'Jeugdhulp'} {start.year} ({i + 1})",
                route=Route.ADMINISTRATIVE if i % 4 else Route.OPEN_HOUSE,
                law=law,
                description="Gegenereerde procedure (generate_region).",
                contract_start=start,
                term_months=36,
                application_deadline=(
                    start - datetime.timedelta(days=60)
                    if concluded
                    else self.today + datetime.timedelta(days=30)
                ),
                status=ProcedureStatus.CONCLUDED if concluded else ProcedureStatus.OPEN,
            )
            procedures.append(procedure)
            rounds.append(
                ConsultationRound(procedure=procedure, held_on=start - datetime.timedelta(days=200),
                                  participants="Gemeenten en aanbieders in de regio", minutes="Verslag.")
            )  # fmt: skip
            specs = by_law[law]
            own = []
            for n in range(3):
                lot = Lot(pk=lot_id, procedure=procedure, number=n + 1, name=f"Perceel {n + 1}")
                lot_id += 1
                own.append(lot)
                for spec in specs[n::3]:
                    lot_products.append(
                        Lot.products.through(lot_id=lot.pk, product_id=self.products[spec.code].pk)
                    )
            lots += own
            self.lots_of[procedure.pk] = own
        insert(Procedure, procedures)
        insert(Lot, lots)
        insert(Lot.products.through, lot_products)
        insert(ConsultationRound, rounds)
        self.procedure_list = procedures
        return f"{len(procedures)} procedures ({open_count} open), {len(lots)} lots"

    # ------------------------------------------------------------------ applications and agreements

    def agreements(self) -> str:
        scale = self.scale
        concluded = [p for p in self.procedure_list if p.status == ProcedureStatus.CONCLUDED]
        if len(concluded) < scale.agreements_per_provider:
            raise ValueError("Fewer concluded procedures than agreements per provider.")
        officers = self.built.officers
        application_id, agreement_id = _next_id(Application), _next_id(Agreement)
        applications, application_lots, assessments, agreements = [], [], [], []
        subs, ceilings, kpis, reviews = [], [], [], []
        self.agreement_list: list[Agreement] = []
        law_of_provider: dict[int, set[str]] = {}
        n = 0
        for provider in self.built.providers:
            rng = random.Random(f"{self.seed}-agreements-{provider.pk}")
            for procedure in rng.sample(concluded, scale.agreements_per_provider):
                law_of_provider.setdefault(provider.pk, set()).add(procedure.law)
                officer = officers[n % len(officers)]
                submitted = datetime.datetime.combine(
                    procedure.contract_start - datetime.timedelta(days=90),
                    datetime.time(10),
                    tzinfo=datetime.UTC,
                )
                application = Application(
                    pk=application_id + n,
                    procedure=procedure,
                    provider=provider,
                    motivation="Wij voldoen aan de eisen van de procedure.",
                    submitted_at=submitted,
                    decided_at=submitted + datetime.timedelta(days=30),
                    status=ApplicationStatus.ADMITTED,
                )
                applications.append(application)
                chosen = rng.sample(self.lots_of[procedure.pk], rng.randint(1, 3))
                for lot in chosen:
                    application_lots.append(
                        Application.lots.through(application_id=application.pk, lot_id=lot.pk)
                    )
                for step in AssessmentStep.values:
                    assessments.append(
                        ApplicationAssessment(application=application, step=step, passed=True,
                                              reasoning="Voldoet.", assessed_by=officer,
                                              assessed_at=submitted + datetime.timedelta(days=20))
                    )  # fmt: skip
                agreement = self._agreement(agreement_id + n, n, provider, procedure, application, rng)
                agreements.append(agreement)
                for lot in chosen:
                    subs.append(SubAgreement(agreement=agreement, lot=lot))
                for year in range(
                    max(agreement.start_date.year, self.year - 1),
                    min(agreement.end_date.year, self.year + 1) + 1,
                ):
                    for municipality, (_code, share) in zip(
                        self.built.municipalities, production.MUNICIPALITIES, strict=True
                    ):
                        ceilings.append(
                            BudgetCeiling(agreement=agreement, year=year, municipality=municipality,
                                          amount=Decimal(rng.randint(200, 2000) * 1000 * share // 100))
                        )  # fmt: skip
                kpis.append(
                    Kpi(
                        agreement=agreement,
                        kind=Kpi.Kind.WAITING_WEEKS,
                        target=Decimal(rng.choice([4, 6, 8])),
                    )
                )
                reviews.append(
                    ReviewMoment(agreement=agreement, planned_on=add_months(agreement.start_date, 12 * (1 + n % 3)),
                                 topic="Jaargesprek")
                )  # fmt: skip
                n += 1
        for provider in self.built.providers:  # a provider serves the domains it has agreements in
            laws = law_of_provider.get(provider.pk, set())
            provider.serves_wmo = provider.serves_wmo or Law.WMO in laws
            provider.serves_youth = provider.serves_youth or Law.JEUGDWET in laws
        Provider.objects.bulk_update(self.built.providers, ["serves_wmo", "serves_youth"], batch_size=1000)
        insert(Application, applications)
        insert(Application.lots.through, application_lots)
        insert(ApplicationAssessment, assessments)
        insert(Agreement, agreements)
        insert(SubAgreement, subs)
        insert(BudgetCeiling, ceilings)
        insert(Kpi, kpis)
        insert(ReviewMoment, reviews)
        self.agreement_list = agreements
        self.application_list = applications
        states: dict[str, int] = {}
        for agreement in agreements:
            states[agreement.status] = states.get(agreement.status, 0) + 1
        return (
            f"{len(applications)} applications, {len(agreements)} agreements "
            f"({', '.join(f'{k} {v}' for k, v in sorted(states.items()))}), {len(subs)} sub-agreements, "
            f"{len(ceilings)} budget ceilings"
        )

    def _agreement(self, pk, n, provider, procedure, application, rng) -> Agreement:
        start = procedure.contract_start
        end = add_months(start, procedure.term_months) - datetime.timedelta(days=1)
        extra: dict[str, Any] = {"signed_on": start - datetime.timedelta(days=20)}
        if end < self.today:
            status = AgreementStatus.EXPIRED if n % 4 else AgreementStatus.ENDED
            if status == AgreementStatus.ENDED:
                extra["termination_reason"] = "Beëindigd met wederzijds goedvinden."
        else:
            roll = n % 50
            if roll in (0, 1):
                status, extra["signed_on"] = (AgreementStatus.DRAFT, AgreementStatus.OFFERED)[roll], None
            elif roll in (2, 3):
                status = AgreementStatus.SUSPENDED
                extra["suspension_reason"] = "Onderzoek naar de kwaliteit van zorg."
            else:
                status = AgreementStatus.ACTIVE
        return Agreement(
            pk=pk,
            reference=f"GEN-{procedure.law.upper()}-{pk:06d}",
            authority=self.built.region,
            provider=provider,
            procedure=procedure,
            application=application,
            law=procedure.law,
            start_date=start,
            end_date=end,
            indexation_method_chosen_on=start - datetime.timedelta(days=30),
            indexation_method_basis="Overeenkomst, artikel 7",
            extension_months=procedure.extension_months,
            max_extensions=procedure.max_extensions,
            status=status,
            **extra,
        )

    # ------------------------------------------------------------------ coalitions

    def coalitions(self) -> str:
        scale = self.scale
        if not scale.coalitions:
            return "none"
        providers = self.built.providers
        per = max(1, scale.memberships // scale.coalitions)
        coalition_id = _next_id(Coalition)
        coalitions, memberships = [], []
        for c in range(scale.coalitions):
            law = Law.JEUGDWET if c % 2 else Law.WMO
            coalition = Coalition(
                pk=coalition_id + c,
                name=f"Zorgcoalitie {c + 1:02d} (gegenereerd)",
                authority=self.built.region,
                law=law,
                care_chain="Dementie" if law == Law.WMO else "Jeugd en gezin",
                charter="Samenwerkingsafspraken van de coalitie.",
                status=CoalitionStatus.FORMING if (c % 10 == 9) else CoalitionStatus.ACTIVE,
            )
            forming = c % 10 == 9
            coalitions.append(coalition)
            count = per if c < scale.coalitions - 1 else scale.memberships - per * (scale.coalitions - 1)
            start = (c * 37) % len(providers)
            for j in range(min(count, len(providers))):
                provider = providers[(start + j) % len(providers)]
                role = (
                    MembershipRole.LEAD
                    if j == 0
                    else (MembershipRole.SUBCONTRACTOR if j % 7 == 6 else MembershipRole.MEMBER)
                )
                reason = ""
                if forming:
                    status = MembershipStatus.ADMITTED if j % 2 == 0 else MembershipStatus.APPLIED
                elif j and j % 11 == 10:
                    status, reason = MembershipStatus.SUSPENDED, "Verantwoording ontbreekt."
                elif j and j % 13 == 12:
                    status = MembershipStatus.APPLIED
                else:
                    status = MembershipStatus.ACTIVE
                memberships.append(
                    Membership(coalition=coalition, provider=provider, role=role, status=status,
                               suspension_reason=reason)
                )  # fmt: skip
        insert(Coalition, coalitions)
        insert(Membership, memberships)
        self.coalition_list, self.membership_list = coalitions, memberships
        return f"{len(coalitions)} coalitions, {len(memberships)} memberships"

    # ------------------------------------------------------------------ documents

    def blobs(self) -> list[tuple[str, int, str]]:
        """A few shared real PDFs in the documents storage: (name, size, sha256)."""
        result = []
        for i, title in enumerate(("Jaarrekening", "Kwaliteitsverslag", "Verklaring")):
            content = pdf(
                f"{title} (gegenereerd)", ["Gedeeld bestand van generate_region.", f"Nummer {i + 1}."]
            )
            sha = hashlib.sha256(content).hexdigest()
            name = f"documents/region-shared/{sha}.pdf"
            if not document_storage().exists(name):
                name = document_storage().save(name, ContentFile(content))
            result.append((name, len(content), sha))
        return result

    def documents(self) -> str:
        scale = self.scale
        per_provider = max(1, scale.documents // scale.providers)
        types = list(DocumentType.objects.filter(per_agreement=False).order_by("code"))
        if not types:
            raise ValueError("No document types: the reference data is missing (run migrate).")
        blobs = self.blobs()
        periods = self._quarters(per_provider // len(types) + 1)
        document_id, version_id = _next_id(AccountabilityDocument), _next_id(DocumentVersion)
        officers = self.built.officers
        documents: list[AccountabilityDocument] = []
        versions: list[DocumentVersion] = []
        self.document_list: list[AccountabilityDocument] = []
        for p_index, provider in enumerate(self.built.providers):
            uploader = self.built.provider_users[provider.pk]
            made = 0
            for start, end, key in periods:
                for doc_type in types:
                    if made == per_provider:
                        break
                    if len(documents) == scale.documents:
                        break
                    made += 1
                    due = end + datetime.timedelta(days=60)
                    status = self._document_status(due, doc_type, p_index + made)
                    document = AccountabilityDocument(
                        pk=document_id + len(documents),
                        provider=provider,
                        document_type=doc_type,
                        period_key=key,
                        period_start=start,
                        period_end=end,
                        due_date=due,
                        status=status,
                    )
                    if status != DocumentStatus.REQUESTED:
                        name, size, sha = blobs[(p_index + made) % len(blobs)]
                        submitted = datetime.datetime.combine(
                            min(due, self.today) - datetime.timedelta(days=5),
                            datetime.time(9, 30),
                            tzinfo=datetime.UTC,
                        )
                        version = DocumentVersion(
                            pk=version_id + len(versions),
                            document=document,
                            number=1,
                            file=name,
                            original_filename=f"{doc_type.code}-{key}.pdf",
                            filename=f"{doc_type.code}-{key}.pdf",
                            size=size,
                            sha256=sha,
                            content_type="application/pdf",
                            issued_on=submitted.date() - datetime.timedelta(days=3),
                            uploaded_by=uploader,
                            uploaded_at=submitted,
                        )
                        versions.append(version)
                        document.current_version_id, document.sha256 = version.pk, sha
                        document.submitted_at = submitted
                        if status in (
                            DocumentStatus.ACCEPTED,
                            DocumentStatus.EXPIRED,
                            DocumentStatus.REJECTED,
                        ):
                            document.reviewed_by = officers[made % len(officers)]
                            document.reviewed_at = submitted + datetime.timedelta(days=7)
                        if status in (DocumentStatus.ACCEPTED, DocumentStatus.EXPIRED):
                            document.valid_from = submitted.date()
                            months = doc_type.validity_months or 12
                            document.valid_until = add_months(document.valid_from, months)
                        if status == DocumentStatus.REJECTED:
                            document.verdict_reason = "Het document is onvolledig."
                    documents.append(document)
        insert(AccountabilityDocument, documents)
        insert(DocumentVersion, versions)
        self.document_list = documents
        states: dict[str, int] = {}
        for document in documents:
            states[document.status] = states.get(document.status, 0) + 1
        return (
            f"{len(documents)} documents ({', '.join(f'{k} {v}' for k, v in sorted(states.items()))}), "
            f"{len(versions)} versions on {len(blobs)} shared files"
        )

    def _quarters(self, count: int) -> list[tuple[datetime.date, datetime.date, str]]:
        """The current quarter and the ``count - 1`` before it, newest first."""
        start = datetime.date(self.year, 3 * ((self.today.month - 1) // 3) + 1, 1)
        result = []
        for _ in range(count):
            end = add_months(start, 3) - datetime.timedelta(days=1)
            result.append((start, end, f"{start.year}-Q{(start.month - 1) // 3 + 1}"))
            start = add_months(start, -3)
        return result

    def _document_status(self, due: datetime.date, doc_type: DocumentType, n: int) -> str:
        """A state that fits the document's due date (and, for an accepted one, its validity)."""
        if due > self.today + datetime.timedelta(days=30):
            return DocumentStatus.SUBMITTED if n % 5 == 0 else DocumentStatus.REQUESTED
        if due > self.today - datetime.timedelta(days=120):
            return [
                DocumentStatus.IN_REVIEW,
                DocumentStatus.ACCEPTED,
                DocumentStatus.REQUESTED,
                DocumentStatus.REJECTED,
                DocumentStatus.SUBMITTED,
                DocumentStatus.ACCEPTED,
            ][n % 6]
        validity = doc_type.validity_months or 12
        # submitted five days before the due date, valid from then; expired once its validity has run out
        if add_months(due - datetime.timedelta(days=5), validity) < self.today:
            return DocumentStatus.EXPIRED
        return DocumentStatus.ACCEPTED

    # ------------------------------------------------------------------ declarations

    def declarations(self, lines: int, out_dir: Path | None) -> str:
        """Synthetic allocation and declaration files for the region's providers (production_generator),
        imported through the import's own paths (the fast lane for declarations on PostgreSQL)."""
        config = production.Config(
            lines=lines, seed=self.seed, year=self.year - 1, providers=self.scale.providers
        )
        with tempfile.TemporaryDirectory(prefix="region-production-") as tmp:
            directory = Path(out_dir or tmp)
            started = time.monotonic()
            manifest = production.generate_files(config, directory)
            written = time.monotonic() - started
            by_agb = {p.agb_code: p for p in self.built.providers}
            insert(
                ProviderAnnualFigures,
                (
                    ProviderAnnualFigures(provider=by_agb[plan.agb_code], **figures)
                    for plan in manifest.providers
                    if plan.agb_code in by_agb
                    for figures in plan.figures
                ),
            )
            rates = []
            for kind in ("allocations", "declarations"):
                path = directory / manifest.files[kind]
                started = time.monotonic()
                with path.open("rb") as fh:
                    result = production_import(
                        file=fh, file_name=path.name, kind=kind, authority=self.built.region, actor=None
                    )
                seconds = time.monotonic() - started
                batch = result.batch
                rates.append(
                    f"{kind} {batch.rows_imported:,} stored, {batch.rows_rejected:,} rejected in {seconds:.1f}s "
                    f"({batch.rows_imported / max(seconds, 1e-9):,.0f}/s)"
                )
        return f"files written in {written:.1f}s; " + "; ".join(rates)

    # ------------------------------------------------------------------ audit trail

    def audit_trail(self, *, reserve: int = 0) -> str:
        """Append events until the trail holds ``scale.audit_events`` less ``reserve`` (the events the
        imports record afterwards): the lifecycle of the generated
        objects (oldest first), then logins; hashed with the audit app's own function, continuing the chain
        from its head, and the head moved along (count, newest event, signature)."""
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        wanted = self.scale.audit_events - head.event_count - reserve
        if wanted <= 0:
            return f"{head.event_count} events already"
        prev = head.last_hash
        next_id = _next_id(AuditEvent)
        last_moment = max(clock.now() - datetime.timedelta(seconds=1), self.now)
        first_moment = last_moment - datetime.timedelta(days=5 * 365)
        step = (last_moment - first_moment) / wanted
        names = {u.pk: u.get_username() for u in [*self.built.officers, *self.built.provider_users.values()]}

        def events() -> Iterator[AuditEvent]:
            nonlocal prev
            for i, (actor_id, event, subject, subject_type, from_state, to_state, reason, data) in enumerate(
                self._event_specs(wanted)
            ):
                entry = AuditEvent(
                    pk=next_id + i,
                    occurred_at=first_moment + step * i,
                    actor_id=actor_id,
                    actor_name=names.get(actor_id, "system"),
                    event=event,
                    subject_type=subject_type,
                    subject_uuid=getattr(subject, "uuid", None),
                    subject_repr=str(subject)[:255] if subject is not None else "",
                    from_state=from_state,
                    to_state=to_state,
                    reason=reason,
                    data=data,
                )
                entry.prev_hash = prev
                entry.hash = prev = compute_hash(prev, entry)
                yield entry

        written = _insert_events(events())
        last_id = next_id + written - 1
        head.last_hash, head.last_event_id = prev, last_id
        head.event_count += written
        head.signature = head_signature(head.event_count, head.last_event_id, head.last_hash)
        head.save(update_fields=["last_hash", "event_count", "last_event_id", "signature"])
        reset_sequences(AuditEvent)
        return f"{written:,} events appended ({head.event_count:,} in the trail)"

    def _event_specs(self, wanted: int) -> Iterator[tuple]:
        """(actor id, event, subject, subject type, from, to, reason, data) of ``wanted`` events."""
        officers = [u.pk for u in self.built.officers]
        produced = 0

        def spec(actor, event, subject, from_state="", to_state="", reason="", data=None):
            return (
                actor,
                event,
                subject,
                subject._meta.label_lower,
                from_state,
                to_state,
                reason,
                data or {},
            )

        def lifecycle() -> Iterator[tuple]:
            for i, procedure in enumerate(self.procedure_list):
                officer = officers[i % len(officers)]
                steps = [("procedure.consultation_started", "draft", "consultation"),
                         ("procedure.opened", "consultation", "open")]  # fmt: skip
                if procedure.status == ProcedureStatus.CONCLUDED:
                    steps += [("procedure.applications_closed", "open", "assessing"),
                              ("procedure.concluded", "assessing", "concluded")]  # fmt: skip
                for event, source, target in steps:
                    yield spec(officer, event, procedure, source, target)
            for i, (application, agreement) in enumerate(
                zip(self.application_list, self.agreement_list, strict=True)
            ):
                officer = officers[i % len(officers)]
                provider_user = self.built.provider_users[application.provider_id].pk
                yield spec(provider_user, "application.submitted", application, "draft", "submitted")
                yield spec(officer, "application.review_started", application, "submitted", "under_review")
                yield spec(officer, "application.admitted", application, "under_review", "admitted")
                if agreement.status == AgreementStatus.DRAFT:
                    continue
                yield spec(officer, "agreement.offered", agreement, "draft", "offered")
                if agreement.status == AgreementStatus.OFFERED:
                    continue
                yield spec(officer, "agreement.activated", agreement, "offered", "active")
                if agreement.status == AgreementStatus.SUSPENDED:
                    yield spec(officer, "agreement.suspended", agreement, "active", "suspended",
                               agreement.suspension_reason)  # fmt: skip
                elif agreement.status == AgreementStatus.EXPIRED:
                    yield spec(None, "agreement.expired", agreement, "active", "expired")
                elif agreement.status == AgreementStatus.ENDED:
                    yield spec(officer, "agreement.terminated", agreement, "active", "terminating",
                               agreement.termination_reason)  # fmt: skip
                    yield spec(None, "agreement.ended", agreement, "terminating", "ended")
            for i, coalition in enumerate(self.coalition_list):
                if coalition.status == CoalitionStatus.ACTIVE:
                    yield spec(
                        officers[i % len(officers)], "coalition.activated", coalition, "forming", "active"
                    )
            for i, membership in enumerate(self.membership_list):
                officer = officers[i % len(officers)]
                if membership.status == MembershipStatus.APPLIED:
                    continue
                yield spec(officer, "membership.admitted", membership, "applied", "admitted")
                if membership.status == MembershipStatus.ADMITTED:
                    continue
                yield spec(officer, "membership.activated", membership, "admitted", "active")
                if membership.status == MembershipStatus.SUSPENDED:
                    yield spec(officer, "membership.suspended", membership, "active", "suspended",
                               membership.suspension_reason)  # fmt: skip
            for i, document in enumerate(self.document_list):
                status = document.status
                if status == DocumentStatus.REQUESTED:
                    continue
                provider_user = self.built.provider_users[document.provider_id].pk
                yield spec(provider_user, "accountabilitydocument.submitted", document, "requested", "submitted",
                           data={"version": 1, "sha256": document.sha256})  # fmt: skip
                if status == DocumentStatus.SUBMITTED:
                    continue
                reviewer = document.reviewed_by_id or officers[i % len(officers)]
                yield spec(
                    reviewer, "accountabilitydocument.review_started", document, "submitted", "in_review"
                )
                if status == DocumentStatus.REJECTED:
                    yield spec(reviewer, "accountabilitydocument.rejected", document, "in_review", "rejected",
                               document.verdict_reason)  # fmt: skip
                elif status in (DocumentStatus.ACCEPTED, DocumentStatus.EXPIRED):
                    yield spec(reviewer, "accountabilitydocument.accepted", document, "in_review", "accepted")
                    if status == DocumentStatus.EXPIRED:
                        yield spec(None, "accountabilitydocument.expired", document, "accepted", "expired")

        for item in lifecycle():
            if produced == wanted:
                return
            produced += 1
            yield item
        # the rest: logins of the officers and provider users (what a live system records most)
        users = [*self.built.officers, *self.built.provider_users.values()]
        while produced < wanted:
            user = users[produced % len(users)]
            yield (user.pk, "user.logged_in", user, "auth.user", "", "", "", {"channel": "web"})
            produced += 1


def _insert_events(events: Iterator[AuditEvent]) -> int:
    """The events in id order: one COPY on PostgreSQL (json as text), ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql":
        return insert(AuditEvent, events)
    columns = ("id", "occurred_at", "actor_id", "actor_name", "event", "subject_type", "subject_uuid",
               "subject_repr", "from_state", "to_state", "reason", "data", "prev_hash", "hash")  # fmt: skip
    count = 0
    sql = f"COPY {AuditEvent._meta.db_table} ({', '.join(columns)}) FROM STDIN"  # noqa: S608
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for e in events:
            copy.write_row(
                (e.pk, e.occurred_at, e.actor_id, e.actor_name, e.event, e.subject_type, e.subject_uuid,
                 e.subject_repr, e.from_state, e.to_state, e.reason,
                 json.dumps(e.data, ensure_ascii=False), e.prev_hash, e.hash)
            )  # fmt: skip
            count += 1
    return count


GENERATED_MODELS = (
    get_user_model(),
    Provider,
    BoardMember,
    Tariff,
    Procedure,
    Lot,
    ConsultationRound,
    Application,
    ApplicationAssessment,
    Agreement,
    SubAgreement,
    BudgetCeiling,
    Kpi,
    ReviewMoment,
    Coalition,
    Membership,
    AccountabilityDocument,
    DocumentVersion,
)
