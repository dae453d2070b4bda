"""Background work of the exports (django-tasks): the ImmediateBackend runs it in-process right after the
request commits; with the database backend a worker (``manage.py db_worker``) picks it up."""

from django_tasks import task


@task()
def run_export_task(export_id: int) -> str:
    from compliance.reports.services import export_run

    return export_run(export_id=export_id).status
