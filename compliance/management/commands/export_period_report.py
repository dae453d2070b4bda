from compliance.models import ExportKind
from compliance.reports.command import PeriodExportCommand


class Command(PeriodExportCommand):
    help = "The period report (PDF, with charts) of an authority for a period."
    kind = ExportKind.PERIOD_REPORT
