"""The condition library, condition sets, evidence that is not a document, evaluations and waivers.

The decision itself is compliance.conditions.evaluate (a pure function); compliance.conditions.services stores
its results. An evaluation row is never changed: history is the sequence of rows per
(condition, subject, provider), each saying what was true from ``evaluated_at`` on, and why.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compliance.models.documents import DocumentType
from contracting.models import Provider
from core import formatting
from core.models import BaseModel


class ConditionCategory(models.TextChoices):
    FAIR_PAY = "fair_pay", _("Fair pay")
    ANTI_DISCRIMINATION = "anti_discrimination", _("Anti-discrimination")
    INTEGRITY = "integrity", _("Integrity and fraud")
    QUALITY = "quality", _("Quality")
    GOVERNANCE = "governance", _("Governance")
    LOCAL_INVOLVEMENT = "local_involvement", _("Local involvement")


class DecisionMethod(models.TextChoices):
    DOCUMENTS = "documents", _("Accepted evidence documents")
    DECLARATION = "declaration", _("Signed declaration of the provider")
    METRIC = "metric", _("Computed metric against a threshold")
    JUDGEMENT = "judgement", _("Judgement of an officer")


class Metric(models.TextChoices):
    """Metrics the engine can compute (compliance.conditions.metrics holds one function per metric)."""

    TARIFF_REAL_PRICE_RATIO = "tariff_real_price_ratio", _("Lowest tariff ÷ reële prijs")
    EXECUTIVE_PAY_WNT_RATIO = "executive_pay_wnt_ratio", _("Highest executive pay ÷ WNT norm of the class")
    FLEX_CONTRACT_SHARE = "flex_contract_share_pct", _("Share of zero-hours and flexible contracts (%)")
    CONFIRMED_FRAUD_SIGNALS = "confirmed_fraud_signals", _("Number of confirmed fraud signals")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class Condition(BaseModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    explanation = models.TextField(_("explanation"))
    category = models.CharField(_("category"), max_length=30, choices=ConditionCategory.choices)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    method = models.CharField(_("decided by"), max_length=20, choices=DecisionMethod.choices)
    document_types = models.ManyToManyField(
        DocumentType, verbose_name=_("evidence document types"), blank=True, related_name="conditions"
    )
    metric = models.CharField(_("metric"), max_length=40, choices=Metric.choices, blank=True)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices, blank=True)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=3, null=True, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("a declaration or judgement counts for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: until its own end date, if any."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                name="metric_condition_has_threshold",
                condition=~Q(method="metric")
                | (~Q(metric="") & ~Q(comparison="") & Q(threshold__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.code


class ConditionRequirement(BaseModel):
    """A condition in the condition set of a procedure or of a coalition."""

    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="requirements"
    )
    procedure = models.ForeignKey(
        "contracting.Procedure",
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="condition_requirements",
    )
    coalition = models.ForeignKey(
        "coalitions.Coalition",
        verbose_name=_("coalition"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="condition_requirements",
    )

    class Meta:
        verbose_name = _("condition in a condition set")
        verbose_name_plural = _("condition set")
        ordering = ["condition__category", "condition__code"]
        constraints = [
            models.CheckConstraint(
                name="requirement_has_one_owner",
                condition=(Q(procedure__isnull=False) & Q(coalition__isnull=True))
                | (Q(procedure__isnull=True) & Q(coalition__isnull=False)),
            ),
            models.UniqueConstraint(fields=["condition", "procedure"], name="unique_procedure_condition"),
            models.UniqueConstraint(fields=["condition", "coalition"], name="unique_coalition_condition"),
        ]

    def __str__(self) -> str:
        return str(self.condition)


class ConditionAdjustment(BaseModel):
    """An officer adds or removes a condition for one agreement or membership, with a reason."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        REMOVE = "remove", _("Removed")

    condition = models.ForeignKey(Condition, verbose_name=_("condition"), on_delete=models.PROTECT)
    agreement = models.ForeignKey(
        "contracting.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="condition_adjustments",
    )
    membership = models.ForeignKey(
        "coalitions.Membership",
        verbose_name=_("membership"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="condition_adjustments",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("condition adjustment")
        verbose_name_plural = _("condition adjustments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="adjustment_has_one_subject",
                condition=(Q(agreement__isnull=False) & Q(membership__isnull=True))
                | (Q(agreement__isnull=True) & Q(membership__isnull=False)),
            ),
            models.UniqueConstraint(fields=["condition", "agreement"], name="one_adjustment_per_agreement"),
            models.UniqueConstraint(fields=["condition", "membership"], name="one_adjustment_per_membership"),
            models.CheckConstraint(name="adjustment_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.condition.title}"


class ProviderDeclaration(BaseModel):
    """A declaration signed on behalf of the provider (e.g. 'we apply the CAO to all staff')."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="declarations"
    )
    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="declarations"
    )
    statement = models.TextField(_("statement"))
    signed_by_name = models.CharField(_("signed by"), max_length=200)
    signed_by_role = models.CharField(_("in the role of"), max_length=100)
    signed_on = models.DateField(_("signed on"))
    signed_at = models.DateTimeField(
        _("signed at"),
        null=True,
        blank=True,
        help_text=_("When the provider's user signed it in the portal or through the API."),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return f"{self.condition.title} – {self.provider} ({formatting.date_short(self.signed_on)})"


class OfficerJudgement(BaseModel):
    class Verdict(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        VIOLATED = "violated", _("Violated")

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="judgements"
    )
    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="judgements"
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    reasoning = models.TextField(_("reasoning"))
    judged_on = models.DateField(_("judged on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judged by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("officer's judgement")
        verbose_name_plural = _("officers' judgements")
        ordering = ["-judged_on", "-created_at"]
        constraints = [models.CheckConstraint(name="judgement_has_reasoning", condition=~Q(reasoning=""))]

    def __str__(self) -> str:
        return f"{self.condition.title} – {self.provider}: {self.get_verdict_display()}"


class ProviderAnnualFigures(BaseModel):
    """Figures from the annual accountability (DigiMV, annual accounts) that metrics read."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="annual_figures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    wnt_class = models.CharField(
        _("WNT class"), max_length=20, help_text=_("I–V of the sector regulation for care and youth care.")
    )
    highest_executive_pay = models.DecimalField(
        _("highest executive pay (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    flex_contract_share_pct = models.DecimalField(
        _("share of zero-hours and flexible contracts (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    revenue = models.DecimalField(_("revenue (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    personnel_costs = models.DecimalField(
        _("personnel costs (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    profit = models.DecimalField(_("profit (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("annual figures")
        verbose_name_plural = _("annual figures")
        ordering = ["provider", "-year"]
        constraints = [models.UniqueConstraint(fields=["provider", "year"], name="one_figures_per_year")]

    def __str__(self) -> str:
        return f"{self.provider} {self.year}"


class EvaluationOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    VIOLATED = "violated", _("Violated")
    PENDING = "pending", _("Pending")
    WAIVED = "waived", _("Waived")
    NOT_APPLICABLE = "not_applicable", _("No longer applies")


class ConditionEvaluation(models.Model):
    """Append-only: what was true for a condition, subject and provider from ``evaluated_at`` on."""

    class Trigger(models.TextChoices):
        TRANSITION = "transition", _("Guarded transition")
        EVIDENCE = "evidence", _("Evidence or data changed")
        SCHEDULE = "schedule", _("Scheduled re-evaluation")
        MANUAL = "manual", _("Requested by an officer")

    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="evaluations"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="evaluations"
    )
    subject_type = models.CharField(_("subject type"), max_length=80)
    subject_uuid = models.UUIDField(_("subject"))
    subject_repr = models.CharField(_("subject description"), max_length=255, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=EvaluationOutcome.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    evidence = models.JSONField(_("evidence"), default=list)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)

    class Meta:
        verbose_name = _("condition evaluation")
        verbose_name_plural = _("condition evaluations")
        ordering = ["-evaluated_at", "-id"]
        indexes = [
            models.Index(fields=["subject_uuid", "condition", "provider", "evaluated_at"]),
            models.Index(fields=["provider", "condition", "evaluated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.condition.title} – {self.subject_repr}: {self.get_outcome_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Condition evaluations are append-only.")
        super().save(*args, **kwargs)


class WaiverStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Waiver(BaseModel):
    """An officer waives one condition for one subject, until an end date. It counts only once a
    second officer approved it (four-eyes)."""

    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="waivers"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="waivers"
    )
    subject_type = models.CharField(_("subject type"), max_length=80)
    subject_uuid = models.UUIDField(_("subject"), db_index=True)
    subject_repr = models.CharField(_("subject description"), max_length=255, blank=True)
    reason = models.TextField(_("reason"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=WaiverStatus.choices, default=WaiverStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")
        ordering = ["-created_at"]
        permissions = [("decide_waiver", _("Can request and approve waivers"))]
        constraints = [
            models.CheckConstraint(name="waiver_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="waiver_four_eyes",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.condition.title} – {self.subject_repr} ({self.get_status_display()})"
