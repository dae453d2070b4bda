"""What the export_* management commands share: find the subject by a readable key, make the export
(recorded and audited like any other, made right away), copy the file to --out, print the checksum."""

import contextlib
import shutil
from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from compliance.models import ExportStatus
from compliance.reports.services import export_request
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


class ExportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", help="File or directory to write the export to (it is stored as well).")
        parser.add_argument("--user", help="Username the export is made for (default: system).")
        parser.add_argument("--language", choices=["nl", "en"], default="nl")

    def parameters(self, options: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        parameters = {**self.parameters(options), "language": options["language"]}
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
