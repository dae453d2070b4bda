"""A production file holds clear BSNs until the import replaces them: it never lands in a temporary file,
whatever its size, through the admin or the API (a killed worker would leave such a file behind)."""

import pytest

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.test import Client
from django.urls import reverse

from compliance.fraud import admin as fraud_admin
from compliance.fraud import api as fraud_api
from compliance.models import ImportBatch
from tests.api.helpers import fresh_client
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import DECLARATION_HEADER, csv_file

world = fraud_fixtures.world


@pytest.fixture
def spool(settings, tmp_path):
    """Django would spool any upload over 1 kB into this folder."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    folder = tmp_path / "spool"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def watch(monkeypatch, module, spool) -> list:
    """Record, while the import runs, how it got the file and what lies in the spool folder."""
    seen = []
    real = module.production_import

    def recording(**kwargs):
        seen.append((type(kwargs["file"]), sorted(p.name for p in spool.iterdir())))
        return real(**kwargs)

    monkeypatch.setattr(module, "production_import", recording)
    return seen


def big_file(world, n=200):
    rows = [world.declaration() for _ in range(n)]
    file = csv_file(DECLARATION_HEADER, rows, name="declaraties.csv")
    assert n < 100 or len(file.getvalue()) > 10_000  # well over the 1 kB at which Django would spool
    return file


def test_the_admin_import_keeps_the_file_in_memory(client_for, officer, world, spool, monkeypatch):
    seen = watch(monkeypatch, fraud_admin, spool)
    response = client_for(officer).post(
        reverse("admin:compliance_importbatch_add"),
        {"file": big_file(world), "kind": "declarations", "authority": world.authority.pk},
    )
    assert response.status_code == 302
    assert seen == [(InMemoryUploadedFile, [])]
    assert ImportBatch.objects.get().rows_imported == 200


def test_the_admin_import_still_checks_csrf(officer, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(
        reverse("admin:compliance_importbatch_add"),
        {"file": big_file(world, 5), "kind": "declarations", "authority": world.authority.pk},
    )
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_the_api_import_keeps_the_file_in_memory(officer, world, spool, monkeypatch):
    seen = watch(monkeypatch, fraud_api, spool)
    response = fresh_client(officer).post(
        "/api/v1/declarations/imports",
        {"file": big_file(world), "authority": str(world.authority.uuid)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert seen == [(InMemoryUploadedFile, [])]


def test_the_size_cap_still_applies_in_memory(officer, world, spool, settings):
    settings.UPLOAD_MAX_BYTES = 2_000
    response = fresh_client(officer).post(
        "/api/v1/declarations/imports",
        {"file": big_file(world), "authority": str(world.authority.uuid)},
        format="multipart",
    )
    assert response.status_code == 413
    assert list(spool.iterdir()) == [] and not ImportBatch.objects.exists()
