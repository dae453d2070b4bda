"""Running the fraud rules for an authority and a period, and storing their findings as signals.

Detection is set-based (one query per rule, compliance.fraud.rules). Storing is an upsert on
(authority, provider, rule, period), the signal's unique constraint: re-running a period with the same
data changes nothing; with changed data it updates the numbers of signals that are still open or under
investigation, adds new ones and withdraws open signals the data no longer supports. Confirmed and
dismissed signals are decisions: a run never changes them.
"""

import datetime
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from compliance.fraud.rules import RULES, Dialect, Finding, RunContext, validate_thresholds
from compliance.models import (
    AllocationLine,
    DeclarationLine,
    FraudRuleSetting,
    FraudSignal,
    SignalStatus,
)
from contracting.models import Agreement, AgreementStatus, ContractingAuthority
from core import clock
from core.exceptions import InvalidInput, TransitionForbidden

logger = logging.getLogger(__name__)

RUN_PERMISSION = "compliance.transition_fraudsignal"
UPDATABLE = (SignalStatus.OPEN, SignalStatus.INVESTIGATING)
LIVE_AGREEMENT_STATES = (
    AgreementStatus.OFFERED,
    AgreementStatus.ACTIVE,
    AgreementStatus.SUSPENDED,
    AgreementStatus.TERMINATING,
)


@dataclass
class RunSummary:
    authority: ContractingAuthority
    period_start: datetime.date
    period_end: datetime.date
    rules: list[str]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)


def parse_period(text: str) -> tuple[datetime.date, datetime.date]:
    """'2025-01..2025-12' (months), '2025-01-01..2025-06-30' (days) or '2025' (a year)."""
    text = text.strip()
    if ".." not in text:
        if len(text) == 4 and text.isdigit():
            return datetime.date(int(text), 1, 1), datetime.date(int(text), 12, 31)
        text = f"{text}..{text}"
    first, last = (part.strip() for part in text.split("..", 1))
    try:
        start = _parse_bound(first, end=False)
        end = _parse_bound(last, end=True)
    except ValueError as exc:
        raise InvalidInput(
            _("'%(period)s' is not a period: use 2025-01..2025-12 or 2025-01-01..2025-06-30.")
            % {"period": text}
        ) from exc
    if end < start:
        raise InvalidInput(_("The period ends before it starts."))
    return start, end


def _parse_bound(text: str, *, end: bool) -> datetime.date:
    if len(text) == 7:  # YYYY-MM
        year, month = int(text[:4]), int(text[5:7])
        first = datetime.date(year, month, 1)
        if not end:
            return first
        following = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return following - datetime.timedelta(days=1)
    return datetime.date.fromisoformat(text)


def resolve_settings(authority_id: int | None) -> dict[str, tuple[bool, dict[str, float]]]:
    """Per rule: (enabled, thresholds). The authority's own setting wins over the default setting (no
    authority), which wins over the rule's built-in defaults; parameters a setting leaves out keep the
    value from the level below."""
    resolved = {code: (True, rule.defaults()) for code, rule in RULES.items()}
    rows = FraudRuleSetting.objects.filter(authority__isnull=True).order_by("id")
    own = FraudRuleSetting.objects.filter(authority_id=authority_id).order_by("id") if authority_id else []
    for setting in [*rows, *own]:
        if setting.rule not in resolved:
            continue
        enabled, params = resolved[setting.rule]
        try:
            extra = validate_thresholds(setting.rule, setting.thresholds or {})
        except ValueError:
            logger.warning("fraud_rule_setting_invalid setting=%s rule=%s", setting.pk, setting.rule)
            extra = {}
        resolved[setting.rule] = (setting.enabled, params | extra)
    return resolved


def providers_in_scope(authority_id: int, start: datetime.date, end: datetime.date) -> tuple[int, ...]:
    """Providers with production data of the authority in the period, or with a live agreement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT provider_id FROM {DeclarationLine._meta.db_table}
             WHERE authority_id = %(a)s AND period_start BETWEEN %(s)s AND %(e)s
            UNION
            SELECT provider_id FROM {AllocationLine._meta.db_table}
             WHERE authority_id = %(a)s AND period_start <= %(e)s AND period_end >= %(s)s
            """,  # noqa: S608
            {"a": authority_id, "s": start, "e": end},
        )
        ids = {row[0] for row in cursor.fetchall()}
    ids.update(
        Agreement.objects.filter(
            authority_id=authority_id, provider__isnull=False, status__in=LIVE_AGREEMENT_STATES
        ).values_list("provider_id", flat=True)
    )
    return tuple(sorted(ids))


def fraud_rules_run(
    *,
    authority: ContractingAuthority,
    period_start: datetime.date,
    period_end: datetime.date,
    actor: Any = None,
    rules: list[str] | None = None,
) -> RunSummary:
    """Run the enabled rules (or only ``rules``) for ``authority`` over the period and upsert the
    signals. ``actor`` None is the system (command, scheduled task); a user needs the permission to
    handle fraud signals."""
    if actor is not None and not (actor.is_authenticated and actor.has_perm(RUN_PERMISSION)):
        raise TransitionForbidden(_("You are not allowed to run the fraud rules."))
    if period_end < period_start:
        raise InvalidInput(_("The period ends before it starts."))
    unknown = sorted(set(rules or ()) - set(RULES))
    if unknown:
        raise InvalidInput(_("Unknown rules: %(rules)s.") % {"rules": ", ".join(unknown)})
    resolved = resolve_settings(authority.pk)
    selected = [code for code in (rules or RULES) if resolved[code][0]]
    run = RunContext(
        authority_id=authority.pk,
        period_start=period_start,
        period_end=period_end,
        dialect=Dialect(connection.vendor),
        params={code: resolved[code][1] for code in selected},
    )
    summary = RunSummary(authority, period_start, period_end, selected)
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the aggregations hash a million clients at 10M lines
                cursor.execute("SET LOCAL work_mem = '256MB'")
        run.scope = providers_in_scope(authority.pk, period_start, period_end)
        summary.seconds["scope"] = time.monotonic() - started
        findings: dict[str, list[Finding]] = {}
        for code in selected:
            began = time.monotonic()
            findings[code] = RULES[code].detect(run)
            summary.seconds[code] = time.monotonic() - began
        began = time.monotonic()
        _store(summary, run, findings, actor)
        summary.seconds["store"] = time.monotonic() - began
    logger.info(
        "fraud_rules_run authority=%s period=%s..%s rules=%s created=%s updated=%s withdrawn=%s seconds=%.1f",
        authority.pk,
        period_start,
        period_end,
        len(selected),
        summary.created,
        summary.updated,
        summary.withdrawn,
        time.monotonic() - started,
    )
    return summary


def _store(summary: RunSummary, run: RunContext, findings: dict[str, list[Finding]], actor: Any) -> None:
    # One run per authority at a time: lock the authority, then the signals of the period, in that order.
    ContractingAuthority.objects.select_for_update().get(pk=run.authority_id)
    existing = {
        (s.provider_id, s.rule): s
        for s in FraudSignal.objects.select_for_update()
        .filter(
            authority_id=run.authority_id,
            period_start=run.period_start,
            period_end=run.period_end,
            rule__in=list(findings),
        )
        .select_related("provider")
        .order_by("pk")
    }
    now = clock.now()
    new: list[FraudSignal] = []
    changed: list[FraudSignal] = []
    seen = set()
    with translation.override(settings.LANGUAGE_CODE):  # the explanation is stored in Dutch
        for code, rule_findings in findings.items():
            rule = RULES[code]
            for finding in rule_findings:
                key = (finding.provider_id, code)
                seen.add(key)
                values = {
                    "severity": finding.severity,
                    "score": finding.score.quantize(Decimal("0.001")),
                    "evidence": finding.evidence,
                    "explanation": rule.explain(finding.evidence),
                }
                signal = existing.get(key)
                if signal is None:
                    new.append(
                        FraudSignal(
                            authority_id=run.authority_id,
                            provider_id=finding.provider_id,
                            rule=code,
                            period_start=run.period_start,
                            period_end=run.period_end,
                            first_detected_at=now,
                            last_detected_at=now,
                            **values,
                        )
                    )
                elif signal.status in UPDATABLE and any(
                    getattr(signal, name) != value for name, value in values.items()
                ):
                    for name, value in values.items():
                        setattr(signal, name, value)
                    signal.last_detected_at = now
                    changed.append(signal)
                else:
                    summary.unchanged += 1
    FraudSignal.objects.bulk_create(new)
    FraudSignal.objects.bulk_update(
        changed, ["severity", "score", "evidence", "explanation", "last_detected_at", "updated_at"]
    )
    stale = [s for key, s in existing.items() if key not in seen and s.status == SignalStatus.OPEN]
    for signal in new:
        audit_record(
            actor=actor,
            event="fraudsignal.raised",
            subject=signal,
            to_state=signal.status,
            data={"rule": signal.rule, "score": str(signal.score), "severity": signal.severity},
        )
    for signal in changed:
        audit_record(
            actor=actor,
            event="fraudsignal.updated",
            subject=signal,
            from_state=signal.status,
            to_state=signal.status,
            data={"score": str(signal.score), "severity": signal.severity, "evidence": signal.evidence},
        )
    for signal in stale:
        audit_record(
            actor=actor,
            event="fraudsignal.withdrawn",
            subject=signal,
            from_state=signal.status,
            reason=_("The rule no longer finds this signal in the data of the period."),
            data={"rule": signal.rule, "evidence": signal.evidence},
        )
    if stale:
        FraudSignal.objects.filter(pk__in=[s.pk for s in stale]).delete()
    summary.created, summary.updated, summary.withdrawn = len(new), len(changed), len(stale)
    if summary.changed:
        audit_record(
            actor=actor,
            event="fraudrules.run",
            subject=run_subject(run),
            data={
                "periodStart": run.period_start.isoformat(),
                "periodEnd": run.period_end.isoformat(),
                "rules": list(findings),
                "created": summary.created,
                "updated": summary.updated,
                "withdrawn": summary.withdrawn,
            },
        )


def run_subject(run: RunContext) -> ContractingAuthority:
    return ContractingAuthority.objects.get(pk=run.authority_id)
