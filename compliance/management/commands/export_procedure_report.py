from compliance.models import ExportKind
from compliance.reports.command import ExportCommand, find
from contracting.models import Procedure


class Command(ExportCommand):
    help = "The report (PDF) of a procedure: timeline, consultation rounds, applications and their outcomes."
    kind = ExportKind.PROCEDURE_REPORT

    def add_arguments(self, parser) -> None:
        parser.add_argument("--procedure", required=True, help="uuid or reference of the procedure.")
        super().add_arguments(parser)

    def parameters(self, options):
        return {"procedure": str(find(Procedure, options["procedure"], "reference").uuid)}
