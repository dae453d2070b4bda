import pytest

from tests import factories
from tests.admin.helpers import OBJECT_MAKERS
from tests.api_client import VersionedClient


@pytest.fixture
def officer(db):
    return factories.officer()


@pytest.fixture
def second_officer(db):
    return factories.officer()


@pytest.fixture
def auditor(db):
    return factories.auditor()


@pytest.fixture
def provider(db):
    return factories.ProviderFactory()


@pytest.fixture
def provider_user(provider):
    return factories.provider_user(provider)


@pytest.fixture
def api_client():
    return VersionedClient()


@pytest.fixture
def client_for(client):
    """client_for(user) -> a Django test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    def login(user):
        c = VersionedClient()
        c.force_authenticate(user)
        return c

    return login


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real row locks: they run in the PostgreSQL pass of .ci/run. Tests marked
    `sqlite` are about the embedded default's own database (WAL, busy timeout): they run in the SQLite pass.
    Each pass deselects the other's (reported as deselected, never skipped)."""
    from django.conf import settings

    other = "sqlite" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "postgres"
    selected = [item for item in items if item.get_closest_marker(other) is None]
    deselected = [item for item in items if item.get_closest_marker(other) is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def document_storage_in_tmp(settings, tmp_path):
    """Uploaded documents go to a throw-away folder per test (never to var/media)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents-storage")},
        },
    }
    settings.CLAMD_SOCKET = ""
    return tmp_path / "documents-storage"


@pytest.fixture
def make_object(db):
    """make_object(model_name) -> one valid object of that registered model (admin tests)."""

    def make(model_name: str):
        return OBJECT_MAKERS[model_name]()

    return make


@pytest.fixture
def basic_auth_on(settings):
    """HTTP basic authentication on the API, which is off unless API_ALLOW_BASIC_AUTH is set."""
    settings.API_ALLOW_BASIC_AUTH = True
