"""In Chromium, with the Content-Security-Policy on: the admin, the portal and the API pages report no
violation (no console message, no securitypolicyviolation event), and the admin's report button, once an
inline onclick, still works. Screenshots go to var/screenshots/csp-*.png."""

from pathlib import Path

import pytest

from django.urls import reverse

from compliance.models import Export, ExportKind
from tests import factories
from tests.compliance.documents.helpers import requested, uploaded

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Installed before any script of the page runs (Playwright's init scripts are not subject to the policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watched:
    """A page that collects CSP violations from the console and from the DOM event, per visited path."""

    def __init__(self, page) -> None:
        self.page = page
        self.violations: dict[str, list[str]] = {}
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.setdefault(self.page.url, []).append(message.text)

    def visit(self, path: str, screenshot: str | None = None) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "Content-Security-Policy" in {name.title() for name in response.headers}, path
        self.collect()
        if screenshot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"csp-{screenshot}.png"), full_page=True)

    def collect(self) -> None:
        self.page.wait_for_load_state("networkidle")
        events = self.page.evaluate("window.__cspViolations || []")
        if events:
            self.violations.setdefault(self.page.url, []).extend(events)


@pytest.fixture
def world(people):
    provider = people["provider"]
    agreement = factories.AgreementFactory(provider=provider, active=True)
    factories.require(agreement.procedure or factories.ProcedureFactory(), "anti_discrimination_policy")
    due = requested(provider=provider)
    submitted = uploaded(people["provider_user"], requested(provider=provider))
    return {"provider": provider, "agreement": agreement, "due": due, "submitted": submitted}


def test_the_portal_runs_without_csp_violations(new_page, world):
    watched = Watched(new_page())
    watched.visit("/portal/login/", "portal-login")
    login(watched.page, "/portal/login/", "aanbieder-e2e")
    watched.collect()
    watched.visit("/portal/", "portal-dashboard")
    watched.visit("/portal/documents/", "portal-documents")
    watched.visit(f"/portal/documents/{world['due'].uuid}/", "portal-document-upload")
    watched.visit(f"/portal/documents/{world['submitted'].uuid}/")
    assert watched.violations == {}


def test_the_admin_runs_without_csp_violations_and_its_report_button_works(new_page, world):
    # given
    watched = Watched(new_page())
    watched.visit("/admin/login/")
    login(watched.page, "/admin/login/", "inkoper-e2e")
    watched.collect()
    provider, agreement = world["provider"], world["agreement"]
    # when
    watched.visit("/admin/", "admin-index")
    watched.visit(f"/admin/contracting/agreement/{agreement.pk}/change/", "admin-agreement")
    watched.visit("/admin/contracting/agreement/")
    watched.visit(reverse("admin:compliance_matrix"), "admin-matrix")
    watched.visit(f"/admin/contracting/provider/{provider.pk}/change/", "admin-provider")
    watched.page.locator("#export-dossier").click()  # a POST form's button, no script
    watched.page.wait_for_load_state()
    watched.collect()
    # then
    assert Export.objects.filter(kind=ExportKind.PROVIDER_DOSSIER).count() == 1
    assert watched.violations == {}


def test_the_api_pages_run_without_csp_violations(new_page, world):
    watched = Watched(new_page())
    watched.visit("/api/v1/docs", "api-docs")
    login(watched.page, "/admin/login/", "inkoper-e2e")
    watched.visit("/api/v1/providers", "api-browsable")
    assert watched.violations == {}
