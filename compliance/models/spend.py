"""The thresholds of the budget depletion warnings (budgetuitputting), per authority."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracting.models import ContractingAuthority
from core.models import BaseModel


class SpendWarningSetting(BaseModel):
    """When spend against a budget ceiling raises a warning. The row without an authority is the default;
    an authority's own row replaces it for that authority."""

    authority = models.OneToOneField(
        ContractingAuthority,
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spend_warning_setting",
        help_text=_("Empty: the default for every authority without a setting of its own."),
    )
    warning_pct = models.DecimalField(
        _("warn at (percentage of the ceiling)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("80"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("999"))],
    )
    exceeded_pct = models.DecimalField(
        _("ceiling reached at (percentage of the ceiling)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("999"))],
    )
    forecast_before_month = models.PositiveSmallIntegerField(
        _("warn when a forecast runs out before the first of month"),
        default=11,
        validators=[MinValueValidator(2), MaxValueValidator(13)],
        help_text=_("11: a ceiling forecast to run out before 1 November raises a warning; 13: never."),
    )

    class Meta:
        verbose_name = _("spend warning setting")
        verbose_name_plural = _("spend warning settings")
        constraints = [
            models.UniqueConstraint(
                fields=["authority"], condition=Q(authority__isnull=True), name="one_default_spend_setting"
            ),
            models.CheckConstraint(
                name="spend_warning_below_exceeded", condition=Q(warning_pct__lte=models.F("exceeded_pct"))
            ),
        ]

    def __str__(self) -> str:
        return str(self.authority or _("Default"))
