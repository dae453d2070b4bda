from compliance.models import ExportKind
from compliance.reports.command import ExportCommand, find
from contracting.models import Provider


class Command(ExportCommand):
    help = "The dossier (PDF) of a provider, optionally also as it stood on a date."
    kind = ExportKind.PROVIDER_DOSSIER

    def add_arguments(self, parser) -> None:
        parser.add_argument("--provider", required=True, help="uuid, KvK number or AGB code of the provider.")
        parser.add_argument(
            "--as-of", dest="as_of", help="Also show the relationships on this date (YYYY-MM-DD)."
        )
        super().add_arguments(parser)

    def parameters(self, options):
        provider = find(Provider, options["provider"], "kvk_number", "agb_code")
        return {"provider": str(provider.uuid), "as_of": options["as_of"]}
