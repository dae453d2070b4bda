"""Backup and restore of one installation: the database and every stored file together, then verified.

``manage.py backup DIR`` writes ``DIR/zorginkoop-<time>/`` with the database (``pg_dump --format=custom``
on PostgreSQL, SQLite's online backup otherwise), every file a row refers to (documents and exports, from
whatever storage holds them: disk or S3) and ``manifest.json`` (each file's storage, name, size and SHA-256,
and the audit trail's head). ``manage.py restore DIR`` puts both back into an empty target and then runs
``verify_installation``: the audit chain, and every stored file against the SHA-256 its row records.

Files are found through the models: every model with a ``FileField`` (and, where it has one, a ``sha256``
field that the verification compares)."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage
from django.db import connection, models

from audit.services import chain_head, verify_trail
from core import clock

MANIFEST = "manifest.json"
CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    model: str  # app_label.ModelName
    pk: Any
    field: str
    name: str
    storage: Storage
    sha256: str  # recorded on the row ("" when the model keeps none)


def file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def stored_files() -> Iterator[StoredFile]:
    for model, field in file_fields():
        has_sha = any(f.name == "sha256" for f in model._meta.get_fields())
        columns = ["pk", field.name] + (["sha256"] if has_sha else [])
        rows = model._default_manager.exclude(**{field.name: ""}).order_by("pk").values_list(*columns)
        for row in rows.iterator(chunk_size=2000):
            yield StoredFile(
                model=model._meta.label,
                pk=row[0],
                field=field.name,
                name=row[1],
                storage=field.storage,
                sha256=row[2] if has_sha else "",
            )


def sha256_of(handle: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _database_dump(target: Path) -> str:
    vendor = connection.vendor
    if vendor == "postgresql":
        settings = connection.settings_dict
        env = {"PGPASSWORD": settings.get("PASSWORD") or ""}
        command = ["pg_dump", "--format=custom", f"--file={target / 'database.dump'}", "--no-owner"]
        command += _pg_connection_args(settings)
        subprocess.run(command, check=True, env={**_base_env(), **env})
        return "database.dump"
    if vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target / "database.sqlite3") as out:
            connection.connection.backup(out)
        return "database.sqlite3"
    raise ValueError(f"no backup for the {vendor} database")


def _base_env() -> dict[str, str]:
    """The environment of the dump tools: PATH and locale, nothing else of ours."""
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL")}


def _pg_connection_args(settings: dict[str, Any]) -> list[str]:
    args = []
    if settings.get("HOST"):
        args.append(f"--host={settings['HOST']}")
    if settings.get("PORT"):
        args.append(f"--port={settings['PORT']}")
    if settings.get("USER"):
        args.append(f"--username={settings['USER']}")
    args.append(f"--dbname={settings['NAME']}")
    return args


def backup(directory: Path) -> Path:
    """Write a backup under ``directory``; returns its folder."""
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    target = directory / f"zorginkoop-{stamp}"
    (target / "files").mkdir(parents=True)
    database = _database_dump(target)
    files = []
    for n, stored in enumerate(stored_files()):
        local = Path("files") / f"{n:08d}"
        with stored.storage.open(stored.name, "rb") as source, open(target / local, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        with open(target / local, "rb") as copy:
            digest, size = sha256_of(copy)
        files.append(
            {
                "model": stored.model,
                "pk": str(stored.pk),
                "name": stored.name,
                "copy": str(local),
                "sha256": digest,
                "size": size,
            }
        )
    head = chain_head()
    manifest = {
        "made_at": clock.now().isoformat(),
        "database": database,
        "vendor": connection.vendor,
        "audit_head": {"events": head.event_count, "hash": head.hash},
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return target


def restore_files(folder: Path) -> int:
    """Put every file of the backup back under its own name in the storage its model uses."""
    manifest = json.loads((folder / MANIFEST).read_text())
    storages = {}
    for model, field in file_fields():
        storages[model._meta.label] = field.storage
    restored = 0
    for entry in manifest["files"]:
        storage = storages[entry["model"]]
        with open(folder / entry["copy"], "rb") as source:
            digest, _size = sha256_of(source)
            if digest != entry["sha256"]:
                raise ValueError(f"the copy of {entry['name']} in the backup is damaged")
            source.seek(0)
            if storage.exists(entry["name"]):
                storage.delete(entry["name"])
            saved = storage.save(entry["name"], File(source, name=entry["name"]))
        if saved != entry["name"]:
            raise ValueError(f"{entry['name']} was stored as {saved}")
        restored += 1
    return restored


def restore_database(folder: Path, settings: dict[str, Any]) -> None:
    """Load the backup's database into the (empty) database ``settings`` describes."""
    manifest = json.loads((folder / MANIFEST).read_text())
    if manifest["vendor"] == "postgresql":
        command = ["pg_restore", "--no-owner", "--exit-on-error", *_pg_connection_args(settings)]
        command.append(str(folder / manifest["database"]))
        subprocess.run(command, check=True, env={**_base_env(), "PGPASSWORD": settings.get("PASSWORD") or ""})
        return
    name = Path(settings["NAME"])
    if name.exists() and name.stat().st_size:
        raise ValueError(f"{name} is not empty: restore into a new database")
    shutil.copyfile(folder / manifest["database"], name)


@dataclass
class Verification:
    events: int
    files: int
    problems: list[str]


def verify_installation() -> Verification:
    """The audit chain verifies, and every stored file is there with the SHA-256 its row records."""
    report = verify_trail()
    problems = [f"audit: {p}" for p in report.problems]
    files = 0
    for stored in stored_files():
        files += 1
        try:
            with stored.storage.open(stored.name, "rb") as handle:
                digest, _size = sha256_of(handle)
        except OSError:
            problems.append(f"{stored.model} {stored.pk}: {stored.name} is missing")
            continue
        if stored.sha256 and digest != stored.sha256:
            problems.append(f"{stored.model} {stored.pk}: {stored.name} differs from its recorded SHA-256")
    return Verification(events=report.events, files=files, problems=problems)
