"""Authorities, providers, products & tariffs, procedures, applications and agreements."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from contracting.roles import officer, officer_or_own_provider
from contracting.validators import (
    normalise_iban,
    validate_agb_code,
    validate_cbs_municipality_code,
    validate_cbs_region_code,
    validate_iban,
    validate_kvk_number,
)
from core import clock, formatting, labels
from core.dates import add_months
from core.models import BaseModel

CENT = Decimal("0.01")

CAN_TRANSITION_PROCEDURE = officer("contracting.transition_procedure")
CAN_TRANSITION_APPLICATION = officer("contracting.transition_application")
CAN_TRANSITION_OWN_APPLICATION = officer_or_own_provider("contracting.transition_application")
CAN_TRANSITION_AGREEMENT = officer("contracting.transition_agreement")
CAN_ANSWER_OFFER = officer_or_own_provider("contracting.transition_agreement")


class Law(models.TextChoices):
    WMO = "wmo", _("Wmo 2015")
    JEUGDWET = "jeugd", _("Jeugdwet")


# --------------------------------------------------------------------------- reference data


class ProductCategory(models.Model):
    """iWmo / iJw product category (reference/productcategorieen.csv)."""

    law = models.CharField(_("law"), max_length=10, choices=Law.choices)
    code = models.CharField(_("code"), max_length=4)
    name = models.CharField(_("name"), max_length=200)
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["law", "code"]
        constraints = [models.UniqueConstraint(fields=["law", "code"], name="unique_category_per_law")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Unit(models.Model):
    """iStandaarden unit (reference/eenheden.csv)."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    minutes = models.PositiveIntegerField(
        _("minutes per unit"),
        null=True,
        blank=True,
        help_text=_("Turns an hourly cost price into a price per unit; empty for output and euro units."),
    )
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WntNorm(models.Model):
    """Dated WNT maximum (reference/wnt_norms.csv): never a constant in code."""

    year = models.PositiveSmallIntegerField(_("year"))
    scope = models.CharField(_("scope"), max_length=40)
    wnt_class = models.CharField(_("class"), max_length=40, blank=True)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    source = models.URLField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("WNT norm")
        verbose_name_plural = _("WNT norms")
        ordering = ["-year", "scope", "wnt_class"]
        constraints = [
            models.UniqueConstraint(fields=["year", "scope", "wnt_class"], name="unique_wnt_norm"),
        ]

    def __str__(self) -> str:
        return f"WNT {self.year} {labels.humanize(self.scope).lower()} {self.wnt_class}".strip()


class IndexMethod(models.TextChoices):
    """How an agreement's tariffs follow the index: an explicit, dated choice per agreement."""

    VNG_PROVIDER_INDEX = "vng_provider_index", _("VNG provider index (provisional rate + correction)")
    PROVISIONAL_TRUE_UP = "provisional_true_up", _("Provisional rate, trued up to the definitive rate")
    FIXED_PCT = "fixed_pct", _("Fixed percentage agreed in the contract")


class IndexRate(models.Model):
    """Dated indexation percentage (reference/ova_index.csv): provisional first, definitive later.
    An officer enters a newly published figure with its source (``index_rate_record``)."""

    class Component(models.TextChoices):
        OVA = "OVA", _("OVA (labour costs)")
        PPC = "PPC", _("PPC (material costs)")
        WEIGHTED = "weighted_total", _("Weighted total")
        PROVIDER_INDEX = "provider_index", _("Provider index (incl. correction)")

    year = models.PositiveSmallIntegerField(_("year"))
    component = models.CharField(_("component"), max_length=20, choices=Component.choices)
    weight_pct = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    provisional_pct = models.DecimalField(
        _("provisional (%)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    definitive_pct = models.DecimalField(
        _("definitive (%)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    source = models.URLField(_("source"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, db_default="")

    class Meta:
        verbose_name = _("index rate")
        verbose_name_plural = _("index rates")
        ordering = ["-year", "component"]
        constraints = [models.UniqueConstraint(fields=["year", "component"], name="unique_index_rate")]

    def __str__(self) -> str:
        return f"{self.get_component_display()} {self.year}"


# --------------------------------------------------------------------------- parties


class ContractingAuthority(BaseModel):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY)
    cbs_code = models.CharField(
        _("CBS code"),
        max_length=6,
        blank=True,
        help_text=_(
            "CBS municipality code (GM0599) for a municipality; a region may have a youth region code."
        ),
    )
    lead_municipality = models.ForeignKey(
        "self",
        verbose_name=_("lead municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_regions",
    )
    members = models.ManyToManyField(
        "self",
        verbose_name=_("member municipalities"),
        symmetrical=False,
        blank=True,
        related_name="regions",
        limit_choices_to={"kind": "municipality"},
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officers"),
        blank=True,
        related_name="authorities",
        help_text=_("Officers and auditors who work for this authority: their start page shows its work."),
    )

    class Meta:
        verbose_name = _("contracting authority")
        verbose_name_plural = _("contracting authorities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cbs_code"], condition=~Q(cbs_code=""), name="unique_cbs_code"),
            models.CheckConstraint(
                name="municipality_has_cbs_code",
                condition=~Q(kind="municipality") | ~Q(cbs_code=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            if self.kind == self.Kind.MUNICIPALITY:
                validate_cbs_municipality_code(self.cbs_code)
            elif self.cbs_code:
                validate_cbs_region_code(self.cbs_code)
        except ValidationError as exc:
            raise ValidationError({"cbs_code": exc}) from exc


class Provider(BaseModel):
    class LegalForm(models.TextChoices):
        FOUNDATION = "stichting", _("Foundation (stichting)")
        ASSOCIATION = "vereniging", _("Association (vereniging)")
        BV = "bv", _("Private company (bv)")
        NV = "nv", _("Public company (nv)")
        VOF = "vof", _("General partnership (vof)")
        SOLE = "eenmanszaak", _("Sole proprietorship (eenmanszaak)")
        COOPERATIVE = "cooperatie", _("Cooperative (coöperatie)")

    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, unique=True, validators=[validate_kvk_number]
    )
    agb_code = models.CharField(_("AGB code"), max_length=8, unique=True, validators=[validate_agb_code])
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    serves_wmo = models.BooleanField(_("Wmo"), default=False)
    serves_youth = models.BooleanField(_("youth care (Jeugdwet)"), default=False)
    fte = models.DecimalField(
        _("FTE"), max_digits=8, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("provider users"), blank=True, related_name="providers"
    )

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(name="kvk_number_8_digits", condition=Q(kvk_number__regex=r"^[0-9]{8}$")),
            models.CheckConstraint(name="agb_code_8_digits", condition=Q(agb_code__regex=r"^[0-9]{8}$")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.iban = normalise_iban(self.iban)
        super().save(*args, **kwargs)


class BoardMember(BaseModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="board_members")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("board member")
        verbose_name_plural = _("board members")
        ordering = ["provider", "start_date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


# --------------------------------------------------------------------------- products, tariffs, cost models


class Product(BaseModel):
    category = models.ForeignKey(ProductCategory, verbose_name=_("category"), on_delete=models.PROTECT)
    code = models.CharField(_("product code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CostModel(BaseModel):
    """The reële prijs of a product for an authority and year (Uitvoeringsbesluit Wmo 2015 art. 5.4;
    Besluit Jeugdwet art. 2.3):

        hourly cost = CAO hourly wage × (1 + employer on-costs) ÷ productivity
        reële prijs per hour = hourly cost × (1 + overhead + risk margin)
        reële prijs per unit = reële prijs per hour × minutes per unit ÷ 60
    """

    authority = models.ForeignKey(ContractingAuthority, verbose_name=_("authority"), on_delete=models.CASCADE)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("year"))
    cao = models.CharField(_("CAO"), max_length=100)
    scale = models.CharField(_("scale"), max_length=20)
    hourly_wage = models.DecimalField(_("CAO hourly wage"), max_digits=8, decimal_places=2)
    employer_costs_pct = models.DecimalField(_("employer on-costs (%)"), max_digits=5, decimal_places=2)
    productivity_pct = models.DecimalField(
        _("productivity (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_(
            "Share of paid hours that is client-bound (non-productive hours: leave, illness, training)."
        ),
        validators=[MinValueValidator(Decimal("1"))],
    )
    overhead_pct = models.DecimalField(_("overhead (%)"), max_digits=5, decimal_places=2)
    risk_margin_pct = models.DecimalField(_("risk margin (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("cost model")
        verbose_name_plural = _("cost models")
        ordering = ["authority", "year", "product"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "product", "year"], name="unique_cost_model"),
            models.CheckConstraint(name="productivity_positive", condition=Q(productivity_pct__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.year} ({self.authority})"

    @property
    def hourly_price(self) -> Decimal:
        hundred = Decimal(100)
        direct = (
            self.hourly_wage * (1 + self.employer_costs_pct / hundred) / (self.productivity_pct / hundred)
        )
        return direct * (1 + (self.overhead_pct + self.risk_margin_pct) / hundred)

    @property
    def real_price(self) -> Decimal | None:
        minutes = self.product.unit.minutes
        if minutes is None:
            return None
        return (self.hourly_price * minutes / Decimal(60)).quantize(CENT, rounding=ROUND_HALF_UP)


class IndexationRun(BaseModel):
    """One application of an index to an authority's tariffs for a year: first with the provisional
    rate, later a true-up to the definitive rate (VNG convention: OVA and PPC weighted, e.g. 90/10)."""

    class Basis(models.TextChoices):
        AWAITING = "awaiting_index", _("Index not yet published: tariffs provisional")
        PROVISIONAL = "provisional", _("Provisional rate")
        FINAL = "final", _("Index applied")
        DEFINITIVE = "definitive", _("Definitive rate (true-up)")

    authority = models.ForeignKey(
        ContractingAuthority,
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        related_name="indexation_runs",
    )
    year = models.PositiveSmallIntegerField(_("tariff year"))
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    method = models.CharField(
        _("indexation method"),
        max_length=30,
        choices=IndexMethod.choices,
        default=IndexMethod.VNG_PROVIDER_INDEX,
    )
    rate_pct = models.DecimalField(_("weighted rate (%)"), max_digits=7, decimal_places=4)
    components = models.JSONField(_("components"), default=dict)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )
    differences = models.JSONField(_("differences per tariff"), default=list, blank=True)

    class Meta:
        verbose_name = _("indexation run")
        verbose_name_plural = _("indexation runs")
        ordering = ["-year", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year", "basis"], name="one_indexation_per_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.year} ({self.get_basis_display()}: {formatting.percent(self.rate_pct, 2)})"


class Tariff(BaseModel):
    authority = models.ForeignKey(ContractingAuthority, verbose_name=_("authority"), on_delete=models.CASCADE)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("tariff per unit"), max_digits=10, decimal_places=2)
    indexation_pct = models.DecimalField(
        _("indexation applied (%)"), max_digits=7, decimal_places=4, default=Decimal("0")
    )
    base_amount = models.DecimalField(
        _("tariff of the previous year"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    indexation_run = models.ForeignKey(
        IndexationRun,
        verbose_name=_("indexation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tariffs",
    )

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["authority", "year", "product"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "product", "year"], name="unique_tariff"),
            models.CheckConstraint(name="tariff_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.year}: {formatting.money(self.amount)}"


# --------------------------------------------------------------------------- procedures


class Route(models.TextChoices):
    ADMINISTRATIVE = "bestuurlijk_aanbesteden", _("Administrative procurement (bestuurlijk aanbesteden)")
    OPEN_HOUSE = "open_house", _("Open house")
    SUBSIDY = "subsidy", _("Subsidy")
    LIGHT_REGIME = "light_regime", _("Light-regime tender (social and other specific services)")


class ProcedureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("Consultation")
    OPEN = "open", _("Open for applications")
    ASSESSING = "assessing", _("Assessing")
    CONCLUDED = "concluded", _("Concluded")
    CANCELLED = "cancelled", _("Cancelled")


class Procedure(FSMModelMixin, BaseModel):
    authority = models.ForeignKey(
        ContractingAuthority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="procedures"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    route = models.CharField(_("route"), max_length=30, choices=Route.choices, default=Route.ADMINISTRATIVE)
    law = models.CharField(_("domain"), max_length=10, choices=Law.choices)
    description = models.TextField(_("description"), blank=True)
    contract_start = models.DateField(_("intended start of the agreements"))
    # the agreements made from admissions get these (each agreement keeps its own copy)
    term_months = models.PositiveSmallIntegerField(
        _("initial term of the agreements (months)"),
        default=36,
        help_text=_("An agreement made from an admission runs this many months from its start."),
    )
    extension_months = models.PositiveSmallIntegerField(_("months per extension"), default=24)
    max_extensions = models.PositiveSmallIntegerField(_("maximum number of extensions"), default=2)
    application_deadline = models.DateField(_("application deadline"), null=True, blank=True)
    question_deadline = models.DateField(
        _("deadline for questions"),
        null=True,
        blank=True,
        help_text=_(
            "The last day providers may ask questions (nota van inlichtingen). Empty: questions may be "
            "asked as long as the procedure accepts applications."
        ),
    )
    status = FSMField(
        _("status"),
        choices=ProcedureStatus.choices,
        default=ProcedureStatus.DRAFT,
        protected=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["-contract_start", "reference"]
        permissions = [("transition_procedure", _("Can change the state of procedures"))]
        constraints = [
            models.CheckConstraint(name="procedure_term_at_least_a_month", condition=Q(term_months__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def tariff_year(self) -> int:
        return self.contract_start.year

    @transition(
        field=status,
        source=ProcedureStatus.DRAFT,
        target=ProcedureStatus.CONSULTATION,
        permission=CAN_TRANSITION_PROCEDURE,
        custom={"event": "procedure.consultation_started", "label": _("Start consultation")},
    )
    def start_consultation(self) -> None:
        pass

    @transition(
        field=status,
        source=ProcedureStatus.CONSULTATION,
        target=ProcedureStatus.OPEN,
        permission=CAN_TRANSITION_PROCEDURE,
        custom={"event": "procedure.opened", "label": _("Open for applications")},
    )
    def open(self) -> None:
        pass

    @transition(
        field=status,
        source=ProcedureStatus.OPEN,
        target=ProcedureStatus.ASSESSING,
        permission=CAN_TRANSITION_PROCEDURE,
        custom={"event": "procedure.applications_closed", "label": _("Close applications and assess")},
    )
    def close_applications(self) -> None:
        pass

    @transition(
        field=status,
        source=ProcedureStatus.ASSESSING,
        target=ProcedureStatus.CONCLUDED,
        permission=CAN_TRANSITION_PROCEDURE,
        custom={"event": "procedure.concluded", "label": _("Conclude")},
    )
    def conclude(self) -> None:
        pass

    @transition(
        field=status,
        source=[
            ProcedureStatus.DRAFT,
            ProcedureStatus.CONSULTATION,
            ProcedureStatus.OPEN,
            ProcedureStatus.ASSESSING,
        ],
        target=ProcedureStatus.CANCELLED,
        permission=CAN_TRANSITION_PROCEDURE,
        custom={"event": "procedure.cancelled", "label": _("Cancel"), "reason_required": True},
    )
    def cancel(self) -> None:
        pass


class Lot(BaseModel):
    """A perceel of a procedure: the products (and so the tariffs) it covers."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="lots"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    products = models.ManyToManyField(Product, verbose_name=_("products"), blank=True, related_name="lots")

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["procedure", "number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="unique_lot_number")]

    def __str__(self) -> str:
        return _("Lot %(number)s: %(name)s") % {"number": self.number, "name": self.name}


class ConsultationRound(BaseModel):
    """A round of bestuurlijk overleg."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="consultation_rounds"
    )
    held_on = models.DateField(_("date"))
    participants = models.TextField(_("participants"))
    minutes = models.TextField(_("minutes"), blank=True)
    agreed_points = models.TextField(_("agreed points"), blank=True)
    panel_advice = models.TextField(_("advice of client and experience-expert panels"), blank=True)

    class Meta:
        verbose_name = _("consultation round")
        verbose_name_plural = _("consultation rounds")
        ordering = ["procedure", "held_on"]

    def __str__(self) -> str:
        return f"{self.procedure.reference} {formatting.date_short(self.held_on)}"


# --------------------------------------------------------------------------- applications


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    ADMITTED = "admitted", _("Admitted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(FSMModelMixin, BaseModel):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="applications"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="applications"
    )
    lots = models.ManyToManyField(Lot, verbose_name=_("lots"), blank=True, related_name="applications")
    motivation = models.TextField(_("motivation"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    status = FSMField(
        _("status"),
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        protected=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        permissions = [("transition_application", _("Can change the state of applications"))]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "provider"],
                condition=~Q(status__in=["withdrawn", "rejected"]),
                name="one_live_application_per_provider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} → {self.procedure.reference}"

    @transition(
        field=status,
        source=ApplicationStatus.DRAFT,
        target=ApplicationStatus.SUBMITTED,
        permission=CAN_TRANSITION_OWN_APPLICATION,
        custom={"event": "application.submitted", "label": _("Submit")},
    )
    def submit(self) -> None:
        self.submitted_at = clock.now()

    @transition(
        field=status,
        source=ApplicationStatus.SUBMITTED,
        target=ApplicationStatus.UNDER_REVIEW,
        permission=CAN_TRANSITION_APPLICATION,
        custom={"event": "application.review_started", "label": _("Start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=status,
        source=ApplicationStatus.UNDER_REVIEW,
        target=ApplicationStatus.ADMITTED,
        permission=CAN_TRANSITION_APPLICATION,
        custom={"event": "application.admitted", "label": _("Admit")},
    )
    def admit(self) -> None:
        self.decided_at = clock.now()

    @transition(
        field=status,
        source=ApplicationStatus.UNDER_REVIEW,
        target=ApplicationStatus.REJECTED,
        permission=CAN_TRANSITION_APPLICATION,
        custom={"event": "application.rejected", "label": _("Reject"), "reason_required": True},
    )
    def reject(self) -> None:
        self.decided_at = clock.now()

    @transition(
        field=status,
        source=[ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW],
        target=ApplicationStatus.WITHDRAWN,
        permission=CAN_TRANSITION_OWN_APPLICATION,
        custom={"event": "application.withdrawn", "label": _("Withdraw"), "reason_required": True},
    )
    def withdraw(self) -> None:
        pass


class AssessmentStep(models.TextChoices):
    """The three steps of the VNG Contractstandaarden admission assessment, in order."""

    EXCLUSION_GROUNDS = "exclusion_grounds", _("Exclusion grounds")
    SUITABILITY = "suitability", _("Suitability requirements")
    EXECUTION_REQUIREMENTS = "execution_requirements", _("Acceptance of the execution requirements")


class ApplicationAssessment(BaseModel):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="assessments"
    )
    step = models.CharField(_("step"), max_length=30, choices=AssessmentStep.choices)
    passed = models.BooleanField(_("passed"))
    reasoning = models.TextField(_("reasoning"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=clock.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["application", "step"]
        constraints = [
            models.UniqueConstraint(fields=["application", "step"], name="one_assessment_per_step"),
            models.CheckConstraint(name="assessment_has_reasoning", condition=~Q(reasoning="")),
        ]

    def __str__(self) -> str:
        outcome = _("passed") if self.passed else _("not passed")
        return f"{self.get_step_display()}: {outcome}"


# --------------------------------------------------------------------------- agreements


class PastStart(models.TextChoices):
    """The officer's decision on a start date that lies before the day the agreement was created."""

    PENDING = "pending", _("Decision pending")
    KEPT = "kept", _("Past start date kept")
    MOVED = "moved", _("Moved to start today")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OFFERED = "offered", _("Offered")
    DECLINED = "declined", _("Declined")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATING = "terminating", _("Terminating")
    ENDED = "ended", _("Ended")
    EXPIRED = "expired", _("Expired")


class Agreement(FSMModelMixin, BaseModel):
    """A basisovereenkomst between an authority and a provider (or a coalition); its lots are
    deelovereenkomsten (SubAgreement)."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    authority = models.ForeignKey(
        ContractingAuthority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="agreements"
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    coalition = models.ForeignKey(
        "coalitions.Coalition",
        verbose_name=_("coalition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreement",
    )
    law = models.CharField(_("domain"), max_length=10, choices=Law.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    indexation_method = models.CharField(
        _("indexation method"),
        max_length=30,
        choices=IndexMethod.choices,
        default=IndexMethod.VNG_PROVIDER_INDEX,
    )
    indexation_fixed_pct = models.DecimalField(
        _("fixed indexation (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Only for the method 'fixed percentage agreed in the contract'."),
    )
    indexation_method_chosen_on = models.DateField(_("indexation method chosen on"), default=clock.today)
    indexation_method_basis = models.CharField(
        _("where the indexation method was agreed"), max_length=300, blank=True
    )
    extension_months = models.PositiveSmallIntegerField(_("months per extension"), default=24)
    max_extensions = models.PositiveSmallIntegerField(_("maximum number of extensions"), default=2)
    extensions_used = models.PositiveSmallIntegerField(_("extensions used"), default=0)
    notice_months = models.PositiveSmallIntegerField(
        _("notice period (months)"),
        default=6,
        help_text=_(
            "An extension must be agreed, and a termination announced, this many months before the end."
        ),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    # The provider's answer to the offer: an acceptance signed by its authorised user, or a refusal.
    accepted_at = models.DateTimeField(_("offer accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offer accepted by (user)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_by_name = models.CharField(_("signed by"), max_length=200, blank=True)
    accepted_by_role = models.CharField(_("in the function of"), max_length=100, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    status = FSMField(
        _("status"),
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
        protected=True,
        db_index=True,
    )
    suspension_reason = models.TextField(_("suspension reason"), blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    termination_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("termination requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    termination_requested_at = models.DateTimeField(_("termination requested at"), null=True, blank=True)
    termination_effective_date = models.DateField(_("termination effective on"), null=True, blank=True)
    # An admission whose term starts before the day it is decided (a retroactive start) waits for an
    # officer's recorded decision before the offer: keep the past start date, or start from today.
    past_start = models.CharField(
        _("start date in the past"), max_length=10, choices=PastStart.choices, blank=True, default=""
    )
    past_start_reason = models.TextField(_("reason for the start date decision"), blank=True)
    past_start_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("start date decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    past_start_decided_at = models.DateTimeField(_("start date decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["reference"]
        permissions = [("transition_agreement", _("Can change the state of agreements"))]
        constraints = [
            models.CheckConstraint(
                name="agreement_with_provider_xor_coalition",
                condition=(Q(provider__isnull=False) & Q(coalition__isnull=True))
                | (Q(provider__isnull=True) & Q(coalition__isnull=False)),
            ),
            models.CheckConstraint(
                name="agreement_end_after_start", condition=Q(end_date__gt=models.F("start_date"))
            ),
            models.CheckConstraint(
                name="agreement_extensions_within_options",
                condition=Q(extensions_used__lte=models.F("max_extensions")),
            ),
            models.CheckConstraint(
                name="fixed_indexation_has_percentage",
                condition=~Q(indexation_method="fixed_pct") | Q(indexation_fixed_pct__isnull=False),
            ),
            models.CheckConstraint(
                name="suspended_agreement_has_reason",
                condition=~Q(status="suspended") | ~Q(suspension_reason=""),
            ),
            models.CheckConstraint(
                name="declined_agreement_has_reason",
                condition=~Q(status="declined") | ~Q(decline_reason=""),
            ),
            models.CheckConstraint(
                name="past_start_decision_has_reason",
                condition=~Q(past_start__in=["kept", "moved"]) | ~Q(past_start_reason=""),
            ),
            models.CheckConstraint(
                name="accepted_offer_is_signed",
                condition=Q(accepted_at__isnull=True) | (~Q(accepted_by_name="") & ~Q(accepted_by_role="")),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def party(self):
        return self.provider or self.coalition

    @property
    def past_start_pending(self) -> bool:
        """The start date lies in the past and no officer has decided on it yet (blocks the offer)."""
        return self.past_start == PastStart.PENDING

    @property
    def extension_deadline(self) -> datetime.date:
        """The last day on which the next extension can still be agreed."""
        return add_months(self.end_date, -self.notice_months)

    @property
    def max_end_date(self) -> datetime.date:
        remaining = self.max_extensions - self.extensions_used
        return add_months(self.end_date, remaining * self.extension_months)

    @transition(
        field=status,
        source=AgreementStatus.DRAFT,
        target=AgreementStatus.OFFERED,
        permission=CAN_TRANSITION_AGREEMENT,
        custom={"event": "agreement.offered", "label": _("Offer to the provider")},
    )
    def offer(self) -> None:
        pass

    @transition(
        field=status,
        source=AgreementStatus.OFFERED,
        target=AgreementStatus.DECLINED,
        permission=CAN_ANSWER_OFFER,
        custom={"event": "agreement.declined", "label": _("Decline the offer"), "reason_required": True},
    )
    def decline(self, *, reason: str) -> None:
        self.decline_reason = reason

    @transition(
        field=status,
        source=AgreementStatus.OFFERED,
        target=AgreementStatus.ACTIVE,
        permission=CAN_TRANSITION_AGREEMENT,
        custom={"event": "agreement.activated", "label": _("Activate")},
    )
    def activate(self) -> None:
        pass

    @transition(
        field=status,
        source=AgreementStatus.ACTIVE,
        target=AgreementStatus.SUSPENDED,
        permission=CAN_TRANSITION_AGREEMENT,
        custom={"event": "agreement.suspended", "label": _("Suspend"), "reason_required": True},
    )
    def suspend(self, *, reason: str) -> None:
        self.suspension_reason = reason

    @transition(
        field=status,
        source=AgreementStatus.SUSPENDED,
        target=AgreementStatus.ACTIVE,
        permission=CAN_TRANSITION_AGREEMENT,
        custom={"event": "agreement.reinstated", "label": _("Reinstate")},
    )
    def reinstate(self) -> None:
        self.suspension_reason = ""

    @transition(
        field=status,
        source=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED],
        target=AgreementStatus.TERMINATING,
        permission=CAN_TRANSITION_AGREEMENT,
        custom={"event": "agreement.terminated", "label": _("Approve termination (second officer)")},
    )
    def terminate(self) -> None:
        pass

    @transition(
        field=status,
        source=AgreementStatus.TERMINATING,
        target=AgreementStatus.ENDED,
        permission=CAN_TRANSITION_AGREEMENT,
        custom={"event": "agreement.ended", "label": _("End")},
    )
    def end(self) -> None:
        pass

    @transition(
        field=status,
        source=AgreementStatus.ACTIVE,
        target=AgreementStatus.EXPIRED,
        permission=CAN_TRANSITION_AGREEMENT,
        custom={"event": "agreement.expired", "label": _("Mark as expired")},
    )
    def expire(self) -> None:
        pass


class SubAgreement(BaseModel):
    """A deelovereenkomst: the lot-specific part of an agreement."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="sub_agreements"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="sub_agreements"
    )

    class Meta:
        verbose_name = _("sub-agreement")
        verbose_name_plural = _("sub-agreements")
        ordering = ["agreement", "lot__number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "lot"], name="one_sub_agreement_per_lot")]

    def __str__(self) -> str:
        return f"{self.agreement.reference} / {self.lot}"


class BudgetCeiling(BaseModel):
    """Budget ceiling per year; a region contracting for several municipalities sets one per municipality."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="budget_ceilings"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    municipality = models.ForeignKey(
        ContractingAuthority,
        verbose_name=_("participating municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "municipality"},
    )
    amount = models.DecimalField(_("ceiling (EUR)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("budget ceiling")
        verbose_name_plural = _("budget ceilings")
        ordering = ["agreement", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year", "municipality"], name="unique_ceiling_per_municipality"
            ),
            models.UniqueConstraint(
                fields=["agreement", "year"],
                condition=Q(municipality__isnull=True),
                name="unique_total_ceiling",
            ),
            models.CheckConstraint(name="ceiling_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {formatting.money(self.amount)}"


class ReviewMoment(BaseModel):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="review_moments"
    )
    planned_on = models.DateField(_("planned on"))
    topic = models.CharField(_("topic"), max_length=200)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("review moment")
        verbose_name_plural = _("review moments")
        ordering = ["agreement", "planned_on"]

    def __str__(self) -> str:
        return f"{formatting.date_short(self.planned_on)} {self.topic}"


class Kpi(BaseModel):
    class Kind(models.TextChoices):
        WAITING_WEEKS = "max_waiting_weeks", _("Maximum waiting time (weeks)")
        SATISFACTION = "client_satisfaction", _("Client satisfaction (score)")
        GOALS_REACHED = "goals_reached_pct", _("Treatment goals reached (%)")
        RELAPSE = "relapse_6m_pct", _("Relapse within 6 months (%)")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="kpis"
    )
    kind = models.CharField(_("KPI"), max_length=30, choices=Kind.choices)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["agreement", "kind"]
        constraints = [models.UniqueConstraint(fields=["agreement", "kind"], name="one_kpi_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {formatting.number(self.target)}"


# --------------------------------------------------------------------------- questions (nota van inlichtingen)

CAN_ANSWER_QUESTION = officer("contracting.answer_question")


class QuestionStatus(models.TextChoices):
    ASKED = "asked", _("Asked")
    ANSWERED = "answered", _("Answered (not yet published)")
    PUBLISHED = "published", _("Published")


class Question(BaseModel):
    """A provider's question about a procedure. The officer answers it and publishes question and answer
    to every provider (the nota van inlichtingen) without the asker's name or organisation. Only the
    services in contracting.services write it (question_ask, question_answer, question_publish)."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="questions"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("asked by provider"), on_delete=models.PROTECT, related_name="questions"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("question"))
    public_text = models.TextField(
        _("question as published"),
        blank=True,
        help_text=_(
            "The question in the nota van inlichtingen, without anything that names the asker. "
            "Empty: the question as asked."
        ),
    )
    answer = models.TextField(_("answer"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=QuestionStatus.choices,
        default=QuestionStatus.ASKED,
        db_index=True,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions (nota van inlichtingen)")
        ordering = ["procedure", "created_at"]
        permissions = [("answer_question", _("Can answer and publish questions about procedures"))]
        constraints = [
            models.CheckConstraint(
                name="answered_question_has_answer",
                condition=Q(status=QuestionStatus.ASKED) | (~Q(answer="") & Q(answered_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="published_question_has_date",
                condition=~Q(status=QuestionStatus.PUBLISHED) | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return _("Question about %(procedure)s of %(date)s") % {
            "procedure": self.procedure.reference,
            "date": formatting.date_short(self.created_at),
        }

    @property
    def shown_text(self) -> str:
        """The question as every provider reads it once published."""
        return self.public_text or self.text
