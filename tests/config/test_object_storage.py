"""Documents and exports on S3-compatible object storage (moto's S3 server on loopback, in place of MinIO
which no registry here provides): stored under the bucket's prefix, no local path in the database, served
only through the permission-checked views, and counted by backup and verification."""

import boto3
import pytest
from moto.server import ThreadedMotoServer

from django.core.files.storage import storages
from django.test import Client

from compliance.models import DocumentVersion, ExportStatus
from compliance.reports.services import export_request
from core.backup import verify_installation
from tests import factories
from tests.compliance.documents.helpers import uploaded

BUCKET = "zorginkoop-test"


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-central-1")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    s3 = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": s3_server,
            "region_name": "eu-central-1",
            "location": "zorginkoop",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    settings.STORAGES = {**settings.STORAGES, "default": s3, "documents": s3}
    settings.CLAMD_SOCKET = ""
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.mark.django_db
def test_documents_and_exports_live_in_the_bucket_and_are_served_through_the_checked_views(bucket, officer):
    provider = factories.ProviderFactory()
    provider_user = factories.provider_user(provider)
    other_user = factories.provider_user(factories.ProviderFactory())
    # when a provider uploads a document and an officer exports the dossier
    document = uploaded(provider_user)
    version = DocumentVersion.objects.get(document=document)
    export = export_request(
        kind="provider_dossier", parameters={"provider": str(provider.uuid)}, actor=officer, background=False
    )
    assert export.status == ExportStatus.DONE
    # then both are objects under the bucket's prefix, and the rows name keys, not local paths
    assert {f"zorginkoop/{version.file.name}", f"zorginkoop/{export.file.name}"} <= keys(bucket)
    assert not version.file.name.startswith("/") and not export.file.name.startswith("/")
    assert storages["documents"].exists(version.file.name)
    # and the file reaches its own provider through the checked view, never another provider
    own, other = Client(), Client()
    own.force_login(provider_user)
    other.force_login(other_user)
    url = f"/documents/{document.uuid}/versions/1/file"
    response = own.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == version.file.open("rb").read() and len(body) == version.size
    assert other.get(url).status_code == 404
    # and verification reads the stored files from the bucket
    assert verify_installation().problems == []
