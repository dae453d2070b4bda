"""Content-Security-Policy: the header on admin, portal and API pages, and no inline script or style in
what they render or in any template (a page with one would break under the policy). The browser test
tests/e2e/test_csp.py checks that Chromium reports no violation."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import reverse

from compliance.models import DocumentStatus
from tests.admin.helpers import OBJECT_MAKERS, change_url
from tests.compliance.documents.helpers import requested

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


class InlineCode(HTMLParser):
    """Collects what a strict policy refuses: <style>, style="", on*="", javascript: URLs and inline
    <script> (a JSON data block, <script type="application/json">, is data, not code)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.found.append("<script> without src")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f'{tag} {name}="{value}"')
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f'{tag} {name}="{value}"')


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def pages_without_inline_code(client, urls) -> tuple[int, dict[str, list[str]]]:
    """(pages checked, {url: inline code found}) over the urls answering 200 with HTML."""
    checked, offenders = 0, {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        checked += 1
        assert "Content-Security-Policy" in response, url
        found = inline_code(response.content.decode())
        if found:
            offenders[url] = found
    return checked, offenders


# --------------------------------------------------------------------------- the header


def test_admin_pages_forbid_inline_scripts_and_styles(client_for, officer):
    # when
    response = client_for(officer).get(reverse("admin:index"))
    # then
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_portal_pages_have_the_same_policy(client_for, provider_user, officer):
    admin_policy = directives(client_for(officer).get(reverse("admin:index")))
    portal_policy = directives(client_for(provider_user).get(reverse("portal:dashboard")))
    assert portal_policy == admin_policy


def test_the_api_docs_page_needs_no_exception(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert inline_code(response.content.decode()) == []


def test_the_browsable_api_allows_style_attributes_only(client_for, officer):
    # given: DRF's templates lay out buttons with style="" attributes
    client = client_for(officer)
    # when
    page = client.get("/api/v1/providers", HTTP_ACCEPT="text/html")
    json = client.get("/api/v1/providers", HTTP_ACCEPT="application/json")
    # then
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    policy = directives(page)
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert "style-src-attr" not in directives(json)
    assert [f for f in inline_code(page.content.decode()) if "style=" not in f] == []  # no <style>, no script


def test_csp_violation_reports_go_where_configured(client, settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "report-uri": "/csp-reports"}
    }
    assert directives(client.get(reverse("portal:login")))["report-uri"] == ["/csp-reports"]


# --------------------------------------------------------------------------- what the pages render


def admin_urls() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:compliance_matrix")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        maker = OBJECT_MAKERS.get(opts.model_name)
        if maker is None:
            continue
        obj = maker()
        urls.append(change_url(obj))
        urls.append(
            reverse("admin:compliance_export_as_of", args=[opts.app_label, opts.model_name, quote(obj.pk)])
            + "?date=2025-01-01"
        )
        if opts.model_name == "provider":
            urls.append(reverse("admin:compliance_provider_missing", args=[obj.pk]))
    return urls


def test_no_admin_page_renders_inline_script_or_style(client_for, officer):
    # given: an object of every registered model and the compliance pages around them
    client = client_for(officer)
    urls = admin_urls()
    # when
    checked, offenders = pages_without_inline_code(client, urls)
    # then
    assert checked >= 40, checked
    assert offenders == {}


def test_no_portal_page_renders_inline_script_or_style(client, client_for, provider, provider_user):
    # given
    document = requested(provider=provider)
    anonymous = [reverse("portal:login")]
    pages = [
        reverse("portal:dashboard"),
        reverse("portal:documents"),
        reverse("portal:document", kwargs={"uuid": document.uuid}),
    ]
    # when
    anonymous_checked, anonymous_offenders = pages_without_inline_code(client, anonymous)
    checked, offenders = pages_without_inline_code(client_for(provider_user), pages)
    # then
    assert (anonymous_checked, checked) == (1, 3)
    assert document.status == DocumentStatus.REQUESTED  # the upload form is on the page
    assert anonymous_offenders == {} and offenders == {}


INLINE_IN_SOURCE = re.compile(
    r"<style|\sstyle=|<script(?![^>]*\bsrc=)(?![^>]*application/json)|\son[a-z]+=|javascript:", re.I
)


def test_no_template_holds_inline_script_or_style():
    # given: every template of the site (e-mails excepted: mail clients need inline styles, and no
    # browser applies the policy to them)
    templates = [
        path
        for folder in [ROOT / "templates", *ROOT.glob("*/templates")]
        for path in folder.rglob("*.html")
        if "emails" not in path.parts
    ]
    # when
    offenders = {
        str(path.relative_to(ROOT)): INLINE_IN_SOURCE.findall(path.read_text(encoding="utf-8"))
        for path in templates
    }
    # then
    assert len(templates) > 30
    assert {path: found for path, found in offenders.items() if found} == {}
