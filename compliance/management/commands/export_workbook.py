from compliance.models import ExportKind
from compliance.reports.command import ExportCommand, find
from contracting.models import ContractingAuthority


class Command(ExportCommand):
    help = "The auditor's workbook (xlsx) of an authority for a period."
    kind = ExportKind.WORKBOOK

    def add_arguments(self, parser) -> None:
        parser.add_argument("--authority", required=True, help="uuid, CBS code or name of the authority.")
        parser.add_argument("--from", dest="period_start", help="First day (YYYY-MM-DD); default 1 January.")
        parser.add_argument("--to", dest="period_end", help="Last day (YYYY-MM-DD); default 31 December.")
        super().add_arguments(parser)

    def parameters(self, options):
        authority = find(ContractingAuthority, options["authority"], "cbs_code", "name")
        return {
            "authority": str(authority.uuid),
            "period_start": options["period_start"],
            "period_end": options["period_end"],
        }
