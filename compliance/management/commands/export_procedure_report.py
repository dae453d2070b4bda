from compliance.models import ExportKind
from compliance.reports.command import ExportCommand, Subject
from contracting.models import Procedure


class Command(ExportCommand):
    help = "The report (PDF) of a procedure: timeline, consultation rounds, applications and their outcomes."
    kind = ExportKind.PROCEDURE_REPORT
    subject = Subject("procedure", Procedure, ("reference",), "uuid or reference of the procedure.")
