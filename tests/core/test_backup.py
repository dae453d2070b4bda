"""Backup and restore: the database and every stored file go together, and the restore is verified."""

import hashlib
import json
import sqlite3

import psycopg
import pytest

from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent
from compliance.models import DocumentVersion, ExportStatus
from compliance.reports.services import export_request
from core.backup import backup, verify_installation
from tests import factories
from tests.compliance.documents.helpers import uploaded
from tests.e2e.conftest import load_reference_data, reference_data_restored_afterwards  # noqa: F401

# A backup reads committed data (SQLite's online backup waits for an open transaction): these tests commit,
# so they load the reference data themselves, and it is back for the tests after them.


@pytest.fixture
def installation(settings, tmp_path, transactional_db):
    load_reference_data()
    officer = factories.officer()
    provider_user = factories.provider_user(factories.ProviderFactory())
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    settings.CLAMD_SOCKET = ""
    document = uploaded(provider_user)
    provider = provider_user.providers.first()
    export = export_request(
        kind="provider_dossier", parameters={"provider": str(provider.uuid)}, actor=officer, background=False
    )
    assert export.status == ExportStatus.DONE
    return media, document, export


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database of the same kind as the test database (dropped afterwards)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    server = f"{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    target = f"{params['NAME']}_restored"
    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    yield f"postgres://{server}/{target}"
    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_installation_and_verifies(installation, tmp_path, empty_database):
    media, document, export = installation
    version = DocumentVersion.objects.get(document=document)
    # when a backup is made
    folder = backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    # then it holds the database and each file with its checksum
    assert (folder / manifest["database"]).stat().st_size > 0
    names = {f["name"]: f["sha256"] for f in manifest["files"]}
    assert names[version.file.name] == version.sha256
    assert names[export.file.name] == export.sha256
    assert manifest["audit_head"]["events"] > 0
    # and after losing every file, a restore into a new database puts everything back and verifies it
    for f in media.rglob("*"):
        if f.is_file():
            f.unlink()
    call_command("restore", str(folder), "--database-url", empty_database)
    assert hashlib.sha256((media / version.file.name).read_bytes()).hexdigest() == version.sha256


@pytest.mark.django_db(transaction=True)
def test_a_damaged_file_or_a_missing_one_is_reported(installation):
    media, document, export = installation
    assert verify_installation().problems == []
    version = DocumentVersion.objects.get(document=document)
    (media / version.file.name).write_bytes(b"changed")
    (media / export.file.name).unlink()
    problems = verify_installation().problems
    assert any("differs from its recorded SHA-256" in p and version.file.name in p for p in problems)
    assert any("is missing" in p and export.file.name in p for p in problems)
    with pytest.raises(CommandError):
        call_command("verify_installation")


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_database_that_is_not_empty(installation, tmp_path):
    # the installation's own database is in use: restoring over it is refused and changes nothing
    folder = backup(tmp_path / "backups")
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="Restore failed"):
        call_command("restore", str(folder), "--database-url", in_use_url(tmp_path))
    assert AuditEvent.objects.count() == events


def in_use_url(tmp_path) -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        in_use = tmp_path / "in-use.sqlite3"
        with sqlite3.connect(in_use) as db:
            db.execute("CREATE TABLE kept (id integer)")
        return f"sqlite:///{in_use}"
    return f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
