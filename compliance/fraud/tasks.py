"""Background work for fraud signals (django-tasks): small, idempotent functions that call a service."""

import datetime

from django_tasks import task

from contracting.models import ContractingAuthority


@task()
def run_fraud_rules_task(authority_id: int, period_start: str, period_end: str) -> dict[str, int]:
    """Run every enabled rule for one authority and period (e.g. nightly, or after an import).
    Idempotent: a second run with the same data changes nothing."""
    from compliance.fraud.engine import fraud_rules_run

    summary = fraud_rules_run(
        authority=ContractingAuthority.objects.get(pk=authority_id),
        period_start=datetime.date.fromisoformat(period_start),
        period_end=datetime.date.fromisoformat(period_end),
    )
    return {"created": summary.created, "updated": summary.updated, "withdrawn": summary.withdrawn}
