"""Fraud signals: raised by the rules in compliance.fraud (per authority, provider, rule and period),
investigated, and confirmed (four-eyes) or dismissed (with a reason) by officers. The conditions
engine reads confirmed signals (integrity condition); the admission guard blocks on them.

Since 2025 (Wbsrz) a municipality reports suspicions to the Informatieknooppunt Zorgfraude (IKZ):
``IkzReport`` records such a report on the signal, ``IkzInformationRequest`` what IKZ asks back.
``FraudRuleSetting`` holds the thresholds of a rule for one authority (or the default for all).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from contracting.models import ContractingAuthority, Provider
from contracting.roles import officer
from core import formatting, labels
from core.models import BaseModel

CAN_TRANSITION_SIGNAL = officer("compliance.transition_fraudsignal")


class SignalSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


# Unconfirmed: the states in which a signal can still be heard (SignalHearing) and may hold applications.
UNCONFIRMED_STATES = (SignalStatus.OPEN, SignalStatus.INVESTIGATING)


def holds_applications() -> Q:
    """The signals that hold a provider's undecided applications until the provider has been heard: open or
    investigated, of high severity (compliance.conditions.guards.no_blocking_fraud_signal)."""
    return Q(severity=SignalSeverity.HIGH, status__in=UNCONFIRMED_STATES)


class FraudSignal(FSMModelMixin, BaseModel):
    authority = models.ForeignKey(
        ContractingAuthority,
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fraud_signals",
        help_text=_("The authority whose production data and thresholds raised the signal."),
    )
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
    first_detected_at = models.DateTimeField(_("first detected at"), null=True, blank=True)
    last_detected_at = models.DateTimeField(
        _("last detected at"),
        null=True,
        blank=True,
        help_text=_(
            "When a rule run last created or updated this signal (a run that changes nothing leaves it)."
        ),
    )
    confirmation_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmation proposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmation_requested_at = models.DateTimeField(_("confirmation proposed at"), null=True, blank=True)
    confirmation_reason = models.TextField(_("grounds for confirmation"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    dismissal_reason = models.TextField(_("reason for dismissal"), blank=True)

    class Meta:
        verbose_name = _("fraud signal")
        verbose_name_plural = _("fraud signals")
        ordering = ["-period_end", "provider"]
        permissions = [("transition_fraudsignal", _("Can change the state of fraud signals"))]
        constraints = [
            # A rule run upserts on these columns: re-running a period updates, never duplicates.
            models.UniqueConstraint(
                fields=["authority", "provider", "rule", "period_start", "period_end"],
                name="one_signal_per_authority_rule_and_period",
            ),
            models.UniqueConstraint(
                fields=["provider", "rule", "period_start", "period_end"],
                condition=Q(authority__isnull=True),
                name="one_signal_per_rule_and_period",
            ),
            models.CheckConstraint(
                name="dismissed_signal_has_reason",
                condition=~Q(status="dismissed") | ~Q(dismissal_reason=""),
            ),
            models.CheckConstraint(
                name="confirmed_signal_was_proposed",
                condition=~Q(status="confirmed") | Q(confirmation_requested_by__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["authority", "rule", "period_start", "period_end"])]

    def __str__(self) -> str:
        period = formatting.period_short(self.period_start, self.period_end)
        return f"{labels.code_label('fraud_rule', self.rule)} – {self.provider} ({period})"

    @transition(
        field=status,
        source=SignalStatus.OPEN,
        target=SignalStatus.INVESTIGATING,
        permission=CAN_TRANSITION_SIGNAL,
        custom={"event": "fraudsignal.investigation_started", "label": _("Start investigation")},
    )
    def start_investigation(self) -> None:
        pass

    @transition(
        field=status,
        source=SignalStatus.INVESTIGATING,
        target=SignalStatus.CONFIRMED,
        permission=CAN_TRANSITION_SIGNAL,
        custom={"event": "fraudsignal.confirmed", "label": _("Confirm (second officer)")},
    )
    def confirm(self, *, actor, at) -> None:
        self.decided_by, self.decided_at = actor, at

    @transition(
        field=status,
        source=[SignalStatus.OPEN, SignalStatus.INVESTIGATING],
        target=SignalStatus.DISMISSED,
        permission=CAN_TRANSITION_SIGNAL,
        custom={"event": "fraudsignal.dismissed", "label": _("Dismiss"), "reason_required": True},
    )
    def dismiss(self, *, actor, at, reason: str) -> None:
        self.decided_by, self.decided_at, self.dismissal_reason = actor, at, reason


class IkzReport(BaseModel):
    """A report of a suspicion to the Informatieknooppunt Zorgfraude (IKZ) under the Wbsrz."""

    signal = models.ForeignKey(
        FraudSignal, verbose_name=_("fraud signal"), on_delete=models.PROTECT, related_name="ikz_reports"
    )
    reported_on = models.DateField(_("reported on"))
    reference = models.CharField(_("IKZ reference"), max_length=60)
    shared_information = models.TextField(
        _("information shared"), help_text=_("What was shared with IKZ (data, documents, persons).")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The officer who decided to report."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("IKZ report")
        verbose_name_plural = _("IKZ reports")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"IKZ {self.reference} ({formatting.date_short(self.reported_on)})"


class IkzInformationRequest(BaseModel):
    """A request for information that came back from IKZ on a report, and how it was answered."""

    report = models.ForeignKey(
        IkzReport, verbose_name=_("IKZ report"), on_delete=models.PROTECT, related_name="information_requests"
    )
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    request = models.TextField(_("what is asked"))
    due_on = models.DateField(_("answer due on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("IKZ information request")
        verbose_name_plural = _("IKZ information requests")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="answered_ikz_request_has_answer",
                condition=Q(answered_on__isnull=True) | ~Q(answer=""),
            ),
        ]

    def __str__(self) -> str:
        label = self.reference or _("request")
        return f"{label} ({formatting.date_short(self.received_on)})"


class SignalHearing(BaseModel):
    """Hoor en wederhoor on an unconfirmed signal before an application is decided: the provider's response
    and the officer's conclusion that the application may be decided on its merits. Until it is recorded, an
    open or investigated high-severity signal keeps the provider's application on hold (an automated signal
    is no exclusion ground; the provider is heard first). Officers only, like the signal itself."""

    signal = models.ForeignKey(
        FraudSignal, verbose_name=_("signal"), on_delete=models.PROTECT, related_name="hearings"
    )
    application = models.ForeignKey(
        "contracting.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="signal_hearings",
    )
    heard_on = models.DateField(_("heard on"))
    provider_response = models.TextField(_("the provider's response"))
    conclusion = models.TextField(_("conclusion"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("hearing on a signal")
        verbose_name_plural = _("hearings on signals")
        ordering = ["heard_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["signal", "application"], name="one_hearing_per_signal_application"
            ),
            models.CheckConstraint(
                name="hearing_has_response_and_conclusion",
                condition=~Q(provider_response="") & ~Q(conclusion=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signal} – {formatting.date_short(self.heard_on)}"


class FraudRuleSetting(BaseModel):
    """Whether a fraud rule runs, and with which thresholds, for one authority; a row without an
    authority is the default for every authority. Parameters not given keep the rule's default."""

    authority = models.ForeignKey(
        ContractingAuthority,
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fraud_rule_settings",
        help_text=_("Empty: the default for every authority without a setting of its own."),
    )
    rule = models.CharField(_("rule"), max_length=60)
    enabled = models.BooleanField(_("enabled"), default=True)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("fraud rule setting")
        verbose_name_plural = _("fraud rule settings")
        ordering = ["rule", "authority"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "rule"], name="one_rule_setting_per_authority"),
            models.UniqueConstraint(
                fields=["rule"], condition=Q(authority__isnull=True), name="one_default_rule_setting"
            ),
        ]

    def __str__(self) -> str:
        scope = self.authority or _("all authorities")
        return f"{labels.code_label('fraud_rule', self.rule)} – {scope}"
