"""Background work (django-tasks): small, idempotent functions that call a service."""

from django_tasks import task

from compliance.models import ConditionEvaluation


@task()
def reevaluate_provider_task(provider_id: int) -> int:
    from compliance.conditions.services import reevaluate_provider

    return reevaluate_provider(provider_id=provider_id)


@task()
def reevaluate_all_task() -> int:
    from compliance.conditions.services import conditions_evaluate, live_subjects

    subjects = live_subjects()
    for subject in subjects:
        conditions_evaluate(subject=subject, trigger=ConditionEvaluation.Trigger.SCHEDULE)
    return len(subjects)
