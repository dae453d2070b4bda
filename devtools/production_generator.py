"""Synthetic production data of a realistic shape, with planted anomalies of every rule kind.

``generate_files`` writes ``allocations.csv`` and ``declarations.csv`` (the import format of
docs/import-format.md) for two calendar years, and ``manifest.json``: the providers (size, FTE,
founding date, board, annual figures, documents) and which rule each planted anomaly should raise.
It needs no database and streams: memory does not grow with the number of lines (one client at a time;
only a summary per provider is kept). ``install_world`` puts the manifest's authority, products and
providers into the database, so that the files can be imported and the rules run.

Shape: providers of lognormal sizes (at least 40 clients), one to three products each (Wmo and youth
care, iWmo/iJw categories and units), clients with one or two allocations of 3-24 months, monthly
declarations within the allocation at 60-92 % of the allocated volume, a summer and Christmas dip, and
a small provider-specific growth from one year to the next. BSNs are synthetic but pass the 11-test.
"""

import calendar
import datetime
import json
import math
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from audit.services import audit_record
from compliance.fraud.columns import header_line
from compliance.fraud.pseudonym import BSN_WEIGHTS
from compliance.models import AccountabilityDocument, DocumentType, ProductionKind, ProviderAnnualFigures
from contracting.models import BoardMember, ContractingAuthority, Product, ProductCategory, Provider, Unit
from core.dates import add_months

# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class ProductSpec:
    code: str
    law: str
    category: str
    name: str
    unit: str
    frequency: str  # iWmo: 2 per week, 4 per month
    volume: tuple[int, int]  # allocated volume per frequency period
    tariff: Decimal  # per unit
    individual_minutes: int  # staff minutes per unit delivered to one client (0 for group care and stays)


CATALOGUE = (
    ProductSpec("SY01HH", "wmo", "01", "Hulp bij het huishouden (synthetisch)", "04", "2", (2, 4), Decimal("34.50"), 60),
    ProductSpec("SY02BG", "wmo", "02", "Begeleiding individueel (synthetisch)", "04", "2", (2, 6), Decimal("68.00"), 60),
    ProductSpec("SY03PV", "wmo", "03", "Persoonlijke verzorging (synthetisch)", "01", "2", (90, 300), Decimal("1.10"), 1),
    ProductSpec("SY07DB", "wmo", "07", "Dagbesteding (synthetisch)", "16", "2", (2, 6), Decimal("56.00"), 0),
    ProductSpec("SY15BW", "wmo", "15", "Beschermd wonen (synthetisch)", "14", "4", (31, 31), Decimal("185.00"), 0),
    ProductSpec("SY45JA", "jeugd", "45", "Jeugdhulp ambulant (synthetisch)", "04", "4", (4, 16), Decimal("98.00"), 60),
    ProductSpec("SY43JV", "jeugd", "43", "Jeugdhulp verblijf (synthetisch)", "14", "4", (31, 31), Decimal("265.00"), 0),
    ProductSpec("SY41DB", "jeugd", "41", "Dagbehandeling jeugd (synthetisch)", "16", "2", (2, 5), Decimal("92.00"), 0),
)  # fmt: skip
PRODUCTS = {p.code: p for p in CATALOGUE}
WMO = [p.code for p in CATALOGUE if p.law == "wmo"]
YOUTH = [p.code for p in CATALOGUE if p.law == "jeugd"]
SEASON = {7: 0.88, 8: 0.8, 12: 0.92}  # summer holidays and Christmas
AVG_MONTH_DAYS = 30.4375
AUTHORITY_NAME = "Synthetische regio (generator)"
# The participating municipalities of the synthetic region (real CBS codes, reference/gemeentecodes.csv) and
# the share of the clients each allocates: a client belongs to one municipality, by its number.
MUNICIPALITIES = (("GM0599", 78), ("GM1930", 12), ("GM1931", 10))
MUNICIPALITY_NAMES = {"GM0599": "Rotterdam", "GM1930": "Nissewaard", "GM1931": "Krimpenerwaard"}


def municipality_of(bsn: str) -> str:
    """The municipality that allocated a client's care: fixed per client, spread by the shares above."""
    position = int(bsn[:8]) % 100
    for code, share in MUNICIPALITIES:
        if position < share:
            return code
        position -= share
    return MUNICIPALITIES[0][0]


# The planted anomalies: a role per provider and the rules it must raise.
PLANTED = {
    "over_allocation": ["declared_above_allocated"],
    "outside_allocation": ["declared_outside_allocation"],
    "growth": ["revenue_growth_outlier"],
    "costly": ["cost_per_client_outlier"],
    "understaffed": ["implausible_hours_per_fte"],
    "ring_a": ["client_multiple_providers"],
    "ring_b": ["client_multiple_providers"],
    "ring_c": ["client_multiple_providers"],
    "high_margin": ["profit_margin_above_cap"],
    "wnt": ["executive_pay_above_wnt"],
    "low_wages": ["low_wage_ratio"],
    "documents": ["documents_overdue_or_rejected"],
    "young": ["young_organisation_risk"],
}
RING_CLIENTS = 6


# --------------------------------------------------------------------------- identifiers


def bsn_for(index: int) -> str:
    """A distinct synthetic BSN per index that passes the 11-test (and is never 000000000)."""
    prefix = 10_000_000 + 2 * index
    for candidate in (prefix, prefix + 1):
        digits = [int(c) for c in f"{candidate:08d}"]
        total = sum(d * w for d, w in zip(digits, BSN_WEIGHTS[:8], strict=True))
        check = total % 11
        if check < 10:
            return f"{candidate:08d}{check}"
    raise AssertionError("unreachable: +1 on the last digit changes the check digit by 2")


def agb_for(index: int) -> str:
    return f"47{index:06d}"


def kvk_for(index: int) -> str:
    return f"19{index:06d}"


# --------------------------------------------------------------------------- configuration


@dataclass
class Config:
    lines: int = 20_000
    seed: int = 1
    year: int = 2025  # the second (current) year; the first is year - 1
    providers: int | None = None

    def provider_count(self) -> int:
        if self.providers:
            return max(self.providers, len(PLANTED) + 10)
        return max(len(PLANTED) + 20, min(1000, self.lines // 2500))


@dataclass
class ProviderPlan:
    index: int
    agb_code: str
    kvk_number: str
    name: str
    role: str  # "" for a clean provider
    products: list[str]
    clients: int
    growth: float
    founded_on: str
    fte: float = 0.0
    legal_form: str = "stichting"
    expected_rules: list[str] = field(default_factory=list)
    board: list[dict[str, Any]] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    # filled while the lines are written
    revenue: dict[int, int] = field(default_factory=dict)  # cents per year
    staff_minutes: dict[int, int] = field(default_factory=dict)


@dataclass
class Manifest:
    seed: int
    year: int
    lines: int
    allocations: int
    authority: str
    period: str
    files: dict[str, str]
    providers: list[ProviderPlan]

    def expected_signals(self) -> set[tuple[str, str]]:
        return {(p.agb_code, rule) for p in self.providers for rule in p.expected_rules}

    def to_json(self) -> str:
        data = asdict(self)
        for provider in data["providers"]:
            provider["revenue"] = {str(k): v for k, v in provider["revenue"].items()}
            provider["staff_minutes"] = {str(k): v for k, v in provider["staff_minutes"].items()}
        return json.dumps(data, indent=1, default=str)

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        providers = []
        for p in data.pop("providers"):
            p["revenue"] = {int(k): v for k, v in p["revenue"].items()}
            p["staff_minutes"] = {int(k): v for k, v in p["staff_minutes"].items()}
            providers.append(ProviderPlan(**p))
        return cls(providers=providers, **data)


# --------------------------------------------------------------------------- planning


def plan_providers(config: Config) -> list[ProviderPlan]:
    rng = random.Random(f"{config.seed}-plan")
    count = config.provider_count()
    roles = list(PLANTED)
    weights = [rng.lognormvariate(0, 0.9) for _ in range(count)]
    # anomalies sit at mid-size providers, so that size is not what gives them away
    order = sorted(range(count), key=lambda i: weights[i])
    middle = order[count // 4 : count // 4 + len(roles)]
    rng.shuffle(middle)
    role_of = dict(zip(middle, roles, strict=False))
    per_client_lines = 20.0  # ~1.3 products x (24 months if chronic, ~7 for an episode)
    clients_total = max(config.lines / per_client_lines, 40 * count)
    total_weight = sum(weights)
    plans = []
    for i in range(count):
        role = role_of.get(i, "")
        prng = random.Random(f"{config.seed}-provider-{i}")
        law = prng.choice(["wmo", "wmo", "jeugd", "both"])
        pool = WMO if law == "wmo" else YOUTH if law == "jeugd" else WMO + YOUTH
        products = prng.sample(pool, prng.randint(1, 3))
        if role in ("costly", "understaffed", "ring_a", "ring_b", "ring_c", "over_allocation"):
            products = ["SY02BG", *[p for p in products if p != "SY02BG"]][:3]
        founded = datetime.date(prng.randint(1985, config.year - 6), prng.randint(1, 12), 1)
        if role == "young":
            founded = datetime.date(config.year - 1, 7, 1)
        plans.append(
            ProviderPlan(
                index=i,
                agb_code=agb_for(i),
                kvk_number=kvk_for(i),
                name=f"Synthetische Zorg {i:04d}",
                role=role,
                products=products,
                clients=max(40, round(clients_total * weights[i] / total_weight)),
                growth=min(0.08, max(-0.04, prng.gauss(0.03, 0.025))),
                founded_on=founded.isoformat(),
                legal_form=prng.choice(["stichting", "stichting", "bv"]),
                expected_rules=list(PLANTED.get(role, [])),
            )
        )
    return plans


# --------------------------------------------------------------------------- writing


def months(year: int) -> list[tuple[datetime.date, datetime.date]]:
    """The 24 calendar months of year - 1 and year: (first day, last day)."""
    result = []
    for y in (year - 1, year):
        for m in range(1, 13):
            result.append((datetime.date(y, m, 1), datetime.date(y, m, calendar.monthrange(y, m)[1])))
    return result


class _Out:
    """Both CSV files, written with plain string formatting (every value is safe: no quoting needed)."""

    ALLOCATION_HEADER = header_line(ProductionKind.ALLOCATIONS)
    DECLARATION_HEADER = header_line(ProductionKind.DECLARATIONS)

    def __init__(self, out: Path) -> None:
        self.allocations = open(out / "allocations.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.declarations = open(out / "declarations.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.allocations.write(self.ALLOCATION_HEADER)
        self.declarations.write(self.DECLARATION_HEADER)
        self.allocation_count = 0
        self.declaration_count = 0
        self._a: list[str] = []
        self._d: list[str] = []

    def allocation(self, agb, bsn, number, product: ProductSpec, start, end, volume) -> None:
        self._a.append(
            f"{municipality_of(bsn)},{agb},{bsn},{number},{product.category},{product.code},{start},{end},"
            f"{volume},{product.unit},{product.frequency},\n"
        )
        self.allocation_count += 1
        if len(self._a) >= 10_000:
            self.allocations.write("".join(self._a))
            self._a.clear()

    def declaration(self, agb, bsn, number, product: ProductSpec, start, end, volume, cents) -> None:
        self._d.append(
            f"{municipality_of(bsn)},{agb},{bsn},{number},{product.category},{product.code},{start},{end},"
            f"{volume},{product.unit},{cents // 100}.{cents % 100:02d}\n"
        )
        self.declaration_count += 1
        if len(self._d) >= 10_000:
            self.declarations.write("".join(self._d))
            self._d.clear()

    def close(self) -> None:
        self.allocations.write("".join(self._a))
        self.declarations.write("".join(self._d))
        self.allocations.close()
        self.declarations.close()


class _Writer:
    def __init__(self, config: Config, out: _Out) -> None:
        self.config = config
        self.out = out
        self.months = months(config.year)
        self.window_start = self.months[0][0]
        self.window_end = self.months[-1][1]
        self.allocation_seq = 0
        self.client_seq = 0
        self.limit = config.lines

    def next_number(self) -> str:
        self.allocation_seq += 1
        return f"S{self.config.seed}-{self.allocation_seq:010d}"  # never nine digits: no BSN look-alike

    def full(self) -> bool:
        return self.out.declaration_count >= self.limit

    def provider(self, plan: ProviderPlan) -> None:
        rng = random.Random(f"{self.config.seed}-lines-{plan.index}")
        tariffs = {
            code: PRODUCTS[code].tariff * Decimal(str(round(rng.uniform(0.97, 1.03), 3)))
            for code in plan.products
        }
        for _ in range(plan.clients):
            if self.full():
                return
            self.client_seq += 1
            bsn = bsn_for(self.client_seq)
            chosen = [rng.choice(plan.products)]
            if len(plan.products) > 1 and rng.random() < 0.3:
                chosen.append(rng.choice([p for p in plan.products if p != chosen[0]]))
            for code in chosen:
                self.client(plan, rng, tariffs[code], bsn, PRODUCTS[code])
        if plan.role == "growth":  # many new clients in the second year: turnover grows ~150 %
            for _ in range(int(plan.clients * 1.2)):
                self.client_seq += 1
                code = rng.choice(plan.products)
                start = datetime.date(self.config.year, 1, 1) + datetime.timedelta(days=rng.randint(0, 45))
                self.allocation(plan, rng, tariffs[code], bsn_for(self.client_seq), PRODUCTS[code], start, 12)

    def client(
        self, plan: ProviderPlan, rng: random.Random, tariff: Decimal, bsn: str, product: ProductSpec
    ) -> None:
        """A chronic client (renewed yearly allocations over the whole window) or an episode of care."""
        first = self.window_start
        if plan.role == "young":  # founded in July of the first year: nothing before
            first = datetime.date.fromisoformat(plan.founded_on)
        if rng.random() < 0.55:
            start = first - datetime.timedelta(days=rng.randint(0, 330))
            if plan.role == "young":
                start = first + datetime.timedelta(days=rng.randint(0, 60))
            while start <= self.window_end:
                self.allocation(plan, rng, tariff, bsn, product, start, 12)
                start = add_months(start, 12)
        else:
            span = (self.window_end - first).days - 30
            start = first + datetime.timedelta(days=rng.randint(-90, span))
            self.allocation(plan, rng, tariff, bsn, product, start, rng.randint(3, 12))

    def allocation(
        self,
        plan: ProviderPlan,
        rng: random.Random,
        tariff: Decimal,
        bsn: str,
        product: ProductSpec,
        start: datetime.date,
        duration: int,
    ) -> None:
        year = self.config.year
        end = add_months(start, duration) - datetime.timedelta(days=1)
        low, high = product.volume
        volume = rng.randint(low, high)
        if plan.role == "costly" and product.code == "SY02BG":
            volume *= 3
        number = self.next_number()
        # over-declaring: the provider bills its usual volume on allocations that are 40 % smaller
        overrun = plan.role == "over_allocation" and end.year >= year and rng.random() < 0.4
        allocated = max(1, math.floor(volume * 0.6)) if overrun else volume
        self.out.allocation(plan.agb_code, bsn, number, product, start, end, allocated)
        outside = (
            plan.role == "outside_allocation" and rng.random() < 0.5 and end.year == year and end.month <= 9
        )
        self.declare(plan, rng, tariff, bsn, number, product, start, end, volume, outside)

    def declare(self, plan, rng, tariff, bsn, number, product, start, end, volume, outside) -> None:
        year = self.config.year
        utilisation = rng.uniform(0.6, 0.92)
        last = end
        if outside:  # declarations continue three months after the allocation ended
            last = add_months(end, 3)
        for first_day, last_day in self.months:
            if last_day < start or first_day > last:
                continue
            period_start = max(first_day, start)
            period_end = min(last_day, last)
            days = (period_end - period_start).days + 1
            allowed = volume * days / 7 if product.frequency == "2" else volume * days / AVG_MONTH_DAYS
            factor = utilisation * SEASON.get(first_day.month, 1.0)
            if first_day.year == year:
                factor *= 1 + plan.growth
            if product.unit == "14":  # stays: the days present
                declared = max(1, min(days, math.floor(days * min(1.0, factor + 0.08))))
            else:
                declared = math.floor(allowed * factor)
            if declared < 1:
                continue
            cents = int((tariff * declared * 100).to_integral_value())
            self.out.declaration(
                plan.agb_code,
                bsn,
                number if period_start <= end else ("" if rng.random() < 0.3 else number),
                product,
                period_start,
                period_end,
                declared,
                cents,
            )
            plan.revenue[first_day.year] = plan.revenue.get(first_day.year, 0) + cents
            plan.staff_minutes[first_day.year] = (
                plan.staff_minutes.get(first_day.year, 0) + declared * product.individual_minutes
            )

    def ring(self, plans: list[ProviderPlan]) -> None:
        """Three providers bill the same clients for the same category in the same months."""
        year = self.config.year
        product = PRODUCTS["SY02BG"]
        for _ in range(RING_CLIENTS):
            self.client_seq += 1
            bsn = bsn_for(self.client_seq)
            for plan in plans:
                rng = random.Random(f"{self.config.seed}-ring-{plan.index}-{self.client_seq}")
                start, end = datetime.date(year, 2, 1), datetime.date(year, 11, 30)
                number = self.next_number()
                volume = 3
                self.out.allocation(plan.agb_code, bsn, number, product, start, end, volume)
                self.declare(plan, rng, product.tariff, bsn, number, product, start, end, volume, False)


def generate_files(config: Config, out_dir: Path) -> Manifest:
    """Write allocations.csv, declarations.csv and manifest.json to ``out_dir``; returns the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = plan_providers(config)
    out = _Out(out_dir)
    writer = _Writer(config, out)
    rings = [p for p in plans if p.role.startswith("ring_")]
    planted = [p for p in plans if p.role]
    # planted providers first, so that a truncated run (--lines) still contains every anomaly
    for plan in [*planted, *[p for p in plans if not p.role]]:
        writer.provider(plan)
    writer.ring(rings)
    out.close()
    for plan in plans:
        finish_plan(plan, config)
    manifest = Manifest(
        seed=config.seed,
        year=config.year,
        lines=out.declaration_count,
        allocations=out.allocation_count,
        authority=AUTHORITY_NAME,
        period=f"{config.year}-01..{config.year}-12",
        files={"allocations": "allocations.csv", "declarations": "declarations.csv"},
        providers=plans,
    )
    (out_dir / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def finish_plan(plan: ProviderPlan, config: Config) -> None:
    """FTE, board, annual figures and documents, consistent with the lines written for the provider."""
    rng = random.Random(f"{config.seed}-finish-{plan.index}")
    year = config.year
    minutes = plan.staff_minutes.get(year, 0)
    hours_per_fte = rng.uniform(950, 1200)
    plan.fte = round(max(2.0, minutes / 60 / hours_per_fte + plan.clients / 40), 1)
    if plan.role == "understaffed":
        plan.fte = round(max(0.5, minutes / 60 / 4000), 1)
    founded = datetime.date.fromisoformat(plan.founded_on)
    plan.board = [
        {
            "name": f"Bestuurder {plan.index}",
            "role": "bestuurder",
            "start_date": founded.isoformat(),
            "end_date": None,
        }
    ]
    if plan.role == "young":  # four changes of director in two years
        plan.board = [
            {"name": f"Bestuurder {plan.index}-1", "role": "bestuurder", "start_date": plan.founded_on,
             "end_date": f"{year - 1}-10-31"},
            {"name": f"Bestuurder {plan.index}-2", "role": "bestuurder", "start_date": f"{year - 1}-11-01",
             "end_date": f"{year}-04-30"},
            {"name": f"Bestuurder {plan.index}-3", "role": "bestuurder", "start_date": f"{year}-05-01",
             "end_date": None},
        ]  # fmt: skip
    for y in (year - 1, year):
        revenue = Decimal(plan.revenue.get(y, 0)) / 100 * Decimal(str(round(rng.uniform(1.02, 1.25), 3)))
        if revenue <= 0:
            continue
        margin, wages = rng.uniform(0.005, 0.05), rng.uniform(0.68, 0.8)
        pay = rng.randint(95_000, 165_000)
        if y == year and plan.role == "high_margin":
            margin = 0.17
        if y == year and plan.role == "low_wages":
            wages = 0.48
        if y == year and plan.role == "wnt":
            pay = 262_000
        plan.figures.append(
            {
                "year": y,
                "wnt_class": "III",
                "revenue": str(revenue.quantize(Decimal("0.01"))),
                "personnel_costs": str((revenue * Decimal(str(round(wages, 4)))).quantize(Decimal("0.01"))),
                "profit": str((revenue * Decimal(str(round(margin, 4)))).quantize(Decimal("0.01"))),
                "highest_executive_pay": pay,
            }
        )
    if plan.role == "documents":
        plan.documents = [
            {"type": "annual_accounts", "due_date": f"{year}-03-01", "status": "requested", "rejections": 0},
            {"type": "cao_statement", "due_date": f"{year}-05-01", "status": "rejected", "rejections": 3},
        ]


# --------------------------------------------------------------------------- the database


def install_world(manifest: Manifest):
    """Authority, products, providers (with FTE, board, annual figures, documents) of the manifest;
    idempotent (matched on name, product code and AGB code; the providers' board, figures and synthetic
    documents are replaced by the manifest's). Returns the authority."""
    with transaction.atomic():
        authority, _ = ContractingAuthority.objects.get_or_create(
            name=manifest.authority, defaults={"kind": ContractingAuthority.Kind.REGION}
        )
        for code, _share in MUNICIPALITIES:
            municipality, _ = ContractingAuthority.objects.get_or_create(
                cbs_code=code,
                defaults={"name": MUNICIPALITY_NAMES[code], "kind": ContractingAuthority.Kind.MUNICIPALITY},
            )
            authority.members.add(municipality)
        for spec in CATALOGUE:
            Product.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "category": ProductCategory.objects.get(law=spec.law, code=spec.category),
                    "unit": Unit.objects.get(code=spec.unit),
                },
            )
        providers = {}
        for plan in manifest.providers:
            providers[plan.agb_code], _created = Provider.objects.update_or_create(
                agb_code=plan.agb_code,
                defaults={
                    "name": plan.name,
                    "kvk_number": plan.kvk_number,
                    "legal_form": plan.legal_form,
                    "founded_on": datetime.date.fromisoformat(plan.founded_on),
                    "fte": Decimal(str(plan.fte)),
                    "serves_wmo": any(PRODUCTS[c].law == "wmo" for c in plan.products),
                    "serves_youth": any(PRODUCTS[c].law == "jeugd" for c in plan.products),
                    "city": "Synthetisch",
                },
            )
        # board, figures and synthetic documents follow the manifest (a provider's role may differ by size)
        ids = [p.pk for p in providers.values()]
        BoardMember.objects.filter(provider__in=ids).delete()
        ProviderAnnualFigures.objects.filter(provider__in=ids).delete()
        AccountabilityDocument.objects.filter(provider__in=ids, period_key__endswith="-synthetic").delete()
        BoardMember.objects.bulk_create(
            BoardMember(
                provider=providers[plan.agb_code],
                name=b["name"],
                role=b["role"],
                start_date=datetime.date.fromisoformat(b["start_date"]),
                end_date=datetime.date.fromisoformat(b["end_date"]) if b["end_date"] else None,
            )
            for plan in manifest.providers
            for b in plan.board
        )
        ProviderAnnualFigures.objects.bulk_create(
            ProviderAnnualFigures(provider=providers[plan.agb_code], **figures)
            for plan in manifest.providers
            for figures in plan.figures
        )
        for plan in manifest.providers:
            for doc in plan.documents:
                document = AccountabilityDocument.objects.create(
                    provider=providers[plan.agb_code],
                    document_type=DocumentType.objects.get(code=doc["type"]),
                    period_key=f"{manifest.year}-synthetic",
                    due_date=datetime.date.fromisoformat(doc["due_date"]),
                    status=doc["status"],
                    verdict_reason="Synthetisch: onvolledig" if doc["status"] == "rejected" else "",
                )
                for _ in range(doc["rejections"]):
                    audit_record(
                        actor=None,
                        event="accountabilitydocument.rejected",
                        subject=document,
                        from_state="in_review",
                        to_state="rejected",
                        reason="Synthetisch: onvolledig",
                    )
    return authority


def iter_expected(manifest: Manifest) -> Iterator[tuple[str, str]]:
    yield from sorted(manifest.expected_signals())
