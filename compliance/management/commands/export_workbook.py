from compliance.models import ExportKind
from compliance.reports.command import PeriodExportCommand


class Command(PeriodExportCommand):
    help = "The auditor's workbook (xlsx) of an authority for a period."
    kind = ExportKind.WORKBOOK
