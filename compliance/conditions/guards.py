"""Guards that consult the conditions engine. Used by the contracting and coalitions services.

Guards decide and never write: ``conditions_hold`` computes the evaluations without storing them; the
service stores them (``conditions_record_transition``) once the transition has succeeded."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from compliance.conditions.evaluation import evaluations_compute
from compliance.models import (
    UNCONFIRMED_STATES,
    ConditionCategory,
    EvaluationOutcome,
    SignalStatus,
    holds_applications,
)
from core import labels
from core.guards import Unmet


def conditions_hold(subject: Any, actor: Any = None) -> Iterable[Unmet]:
    """Every mandatory condition of the subject is satisfied or validly waived, for each provider."""
    for item in evaluations_compute(subject=subject):
        if item.condition.mandatory and not item.result.counts:
            why = "; ".join(r["message"] for r in item.result.reasons)
            yield Unmet(
                "condition_not_met",
                _("%(title)s (%(provider)s): %(outcome)s%(why)s")
                % {
                    "title": item.condition.title,
                    "provider": item.provider,
                    "outcome": EvaluationOutcome(item.result.outcome).label,
                    "why": f" – {why}" if why else "",
                },
                condition=item.condition.code,
            )


def procedure_condition_set_complete(procedure: Any, actor: Any = None) -> Iterable[Unmet]:
    """The condition set contains at least one fair-pay and one anti-discrimination condition."""
    categories = set(
        procedure.condition_requirements.filter(condition__is_active=True).values_list(
            "condition__category", flat=True
        )
    )
    for category in (ConditionCategory.FAIR_PAY, ConditionCategory.ANTI_DISCRIMINATION):
        if category not in categories:
            yield Unmet(
                "condition_set_incomplete",
                _("The condition set has no condition in the category '%(category)s'.")
                % {"category": category.label},
            )


def no_blocking_fraud_signal(application: Any, actor: Any = None) -> Iterable[Unmet]:
    """A confirmed signal refuses admission. An open or investigated high-severity signal holds the
    application until the provider has been heard on it for this application (SignalHearing): an automated
    signal is no exclusion ground, so the officer records the provider's response and a conclusion first."""
    signals = application.provider.fraud_signals.filter(
        Q(status=SignalStatus.CONFIRMED) | holds_applications()
    ).exclude(status__in=UNCONFIRMED_STATES, hearings__application=application)
    for signal in signals.order_by("period_start", "pk"):
        words = {
            "rule": labels.code_label("fraud_rule", signal.rule),
            "status": signal.get_status_display().lower(),
        }
        if signal.status == SignalStatus.CONFIRMED:
            yield Unmet(
                "fraud_signal", _("Fraud signal '%(rule)s' is confirmed: it refuses admission.") % words
            )
        else:
            yield Unmet(
                "fraud_signal_not_heard",
                _(
                    "Fraud signal '%(rule)s' (%(status)s) holds this application until the provider has been "
                    "heard: record the provider's response and your conclusion on the signal."
                )
                % words,
            )
