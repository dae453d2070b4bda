"""Background work of the workspace (django-tasks): the daily calendar run."""

from django_tasks import task


@task()
def calendar_daily_task() -> dict:
    """Expire agreements whose term ended and send the calendar alarms."""
    from contracting.services import agreements_expire_ended
    from workspace.services import calendar_alarms_send

    return {"agreements_expired": agreements_expire_ended(), "alarms_sent": calendar_alarms_send()}
