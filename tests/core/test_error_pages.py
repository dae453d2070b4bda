"""Refusals and errors answer with the product's own Dutch pages (templates/403.html, 403_csrf.html,
404.html, 500.html), not Django's bare English ones."""

import pytest

from django.template import loader
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_refused_admin_page_is_the_products_403_page(client_for):
    # given an auditor (reads, never adds)
    auditor = factories.auditor()
    # when
    response = client_for(auditor).get(reverse("admin:contracting_provider_add"))
    # then
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert b'data-status="403"' in response.content and b'lang="nl"' in response.content


def test_an_unknown_page_is_the_products_404_page(client):
    response = client.get("/portal/bestaat-niet/")

    assert response.status_code == 404
    assert b'data-status="404"' in response.content


def test_a_form_without_its_csrf_token_is_the_products_403_page():
    # given a browser that posts without the token
    client = Client(enforce_csrf_checks=True)
    # when
    response = client.post(reverse("portal:login"), {"username": "x", "password": "y"})
    # then
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]


def test_the_500_page_renders_without_a_request_context():
    # given Django's server_error view, which renders 500.html with an empty context
    # when
    html = loader.get_template("500.html").render({})
    # then
    assert 'data-status="500"' in html
