import pytest

from compliance.models import DocumentStatus
from tests.compliance.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_smoke(client_for, provider, provider_user):
    DocumentFactory(provider=provider, status=DocumentStatus.REQUESTED)
    client = client_for(provider_user)
    for url in ["/portal/", "/portal/documents/"]:
        r = client.get(url)
        assert r.status_code == 200, r.content
    print(r.content.decode()[:3000])
