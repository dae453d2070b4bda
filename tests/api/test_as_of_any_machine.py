"""/as-of works for every state machine resource, also those without conditions or tariffs."""

import datetime

import pytest

from core import clock
from tests.compliance.factories import DocumentFactory, FraudSignalFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("resource", "factory"), [("documents", DocumentFactory), ("signals", FraudSignalFactory)]
)
def test_as_of_gives_the_state_of_a_document_or_signal(api_for, officer, resource, factory):
    obj = factory()
    today = clock.today()
    response = api_for(officer).get(f"/api/v1/{resource}/{obj.uuid}/as-of", {"date": today.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert (body["subjectType"], body["existed"], body["currentState"]) == (
        obj._meta.label_lower,
        True,
        obj.status,
    )
    before = (today - datetime.timedelta(days=400)).isoformat()
    assert (
        api_for(officer).get(f"/api/v1/{resource}/{obj.uuid}/as-of", {"date": before}).json()["existed"]
        is False
    )
