from compliance.models import ExportKind
from compliance.reports.command import ExportCommand, Subject
from contracting.models import Provider


class Command(ExportCommand):
    help = "The dossier (PDF) of a provider, optionally also as it stood on a date."
    kind = ExportKind.PROVIDER_DOSSIER
    subject = Subject(
        "provider", Provider, ("kvk_number", "agb_code"), "uuid, KvK number or AGB code of the provider."
    )

    def add_export_arguments(self, parser) -> None:
        parser.add_argument(
            "--as-of", dest="as_of", help="Also show the relationships on this date (YYYY-MM-DD)."
        )

    def export_parameters(self, options):
        return {"as_of": options["as_of"]}
