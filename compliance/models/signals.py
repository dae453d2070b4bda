"""Fraud signals. The rules that raise them and the four-eyes follow-up come with the fraud issue;
the conditions engine already reads confirmed signals (integrity condition)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from contracting.models import Provider
from core.models import BaseModel


class SignalSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class FraudSignal(FSMModelMixin, BaseModel):
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="fraud_signals"
    )
    rule = models.CharField(_("rule"), max_length=60)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    severity = models.CharField(_("severity"), max_length=10, choices=SignalSeverity.choices)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=3, default=0)
    explanation = models.TextField(_("explanation"), blank=True)
    evidence = models.JSONField(_("evidence numbers"), default=dict, blank=True)
    status = FSMField(
        _("status"), choices=SignalStatus.choices, default=SignalStatus.OPEN, protected=True, db_index=True
    )

    class Meta:
        verbose_name = _("fraud signal")
        verbose_name_plural = _("fraud signals")
        ordering = ["-period_end", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "rule", "period_start", "period_end"],
                name="one_signal_per_rule_and_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} – {self.provider} ({self.period_start:%Y-%m})"
