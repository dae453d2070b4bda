"""What the export_* management commands share: find the subject by a readable key, make the export
(recorded and audited like any other, made right away), copy the file to --out, print the checksum.

A command names its ``kind`` and its ``subject`` (the required option naming what the export is about);
the workbook and the period report share ``PeriodExportCommand`` (an authority and a period)."""

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from compliance.models import ExportStatus
from compliance.reports.services import export_request
from contracting.models import ContractingAuthority
from core.exceptions import DomainError


def find(model: Any, key: str, *fields: str) -> Any:
    """The one row whose uuid, or one of ``fields``, equals ``key``."""
    q = Q()
    with contextlib.suppress(ValueError):
        q |= Q(uuid=UUID(key))
    for field in fields:
        q |= Q(**{field: key})
    rows = list(model.objects.filter(q)[:2])
    if len(rows) != 1:
        found = "no" if not rows else "more than one"
        raise CommandError(f"{found} {model.__name__} matches {key!r}.")
    return rows[0]


@dataclass(frozen=True)
class Subject:
    """The required option ``--<name>`` of a command: a row of ``model`` by uuid or one of ``fields``;
    the export's parameter ``<name>`` is its uuid."""

    name: str
    model: Any
    fields: tuple[str, ...]
    help: str


class ExportCommand(BaseCommand):
    kind = ""
    subject: Subject

    def add_arguments(self, parser) -> None:
        parser.add_argument(f"--{self.subject.name}", required=True, help=self.subject.help)
        self.add_export_arguments(parser)
        parser.add_argument("--out", help="File or directory to write the export to (it is stored as well).")
        parser.add_argument("--user", help="Username the export is made for (default: system).")
        parser.add_argument("--language", choices=["nl", "en"], default="nl")

    def add_export_arguments(self, parser) -> None:
        """The options of this kind of export besides its subject."""

    def export_parameters(self, options: dict[str, Any]) -> dict[str, Any]:
        """The export's parameters from those options."""
        return {}

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        subject = find(self.subject.model, options[self.subject.name], *self.subject.fields)
        parameters = {
            self.subject.name: str(subject.uuid),
            **self.export_parameters(options),
            "language": options["language"],
        }
        try:
            export = export_request(
                kind=self.kind, parameters=parameters, actor=user, background=False, as_system=True
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.detail}") from exc
        except ObjectDoesNotExist as exc:
            raise CommandError(f"not_found: {exc}") from exc
        if export.status != ExportStatus.DONE:
            raise CommandError(f"Export {export.uuid} failed: {export.error}")
        target = export.file.name
        if options["out"]:
            out = Path(options["out"])
            if out.is_dir():
                out = out / export.filename
            with export.file.open("rb") as source, out.open("wb") as destination:
                shutil.copyfileobj(source, destination)
            target = str(out)
        self.stdout.write(
            self.style.SUCCESS(f"{target} ({export.size} bytes) sha256={export.sha256} export={export.uuid}")
        )


class PeriodExportCommand(ExportCommand):
    """An export of an authority over a period (default: the current calendar year)."""

    subject = Subject(
        "authority", ContractingAuthority, ("cbs_code", "name"), "uuid, CBS code or name of the authority."
    )

    def add_export_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="period_start", help="First day (YYYY-MM-DD); default 1 January.")
        parser.add_argument("--to", dest="period_end", help="Last day (YYYY-MM-DD); default 31 December.")

    def export_parameters(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"period_start": options["period_start"], "period_end": options["period_end"]}
