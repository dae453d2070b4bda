"""Browser tests: Playwright drives Debian's Chromium (``apt-get install chromium``) against the live
server. Run by the normal test command when Chromium is installed; in CI (CI=true) a missing Chromium
is a failure, not a skip (.ci/run installs it)."""

import os
import shutil

import pytest

from django.contrib.auth import get_user_model

from tests import factories
from tests.security.logins import current_code, with_authenticator_app

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--lang=nl-NL",  # the browser's own widgets (a date field) in Dutch, as for the users
]
PASSWORD = "e2e-wachtwoord-123"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install chromium chromium-driver)."
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " CI must run the browser tests.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests run here too.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, locale="nl-NL")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, path: str, username: str) -> None:
    """The portal's login, or the admin's (password, then the code of the authenticator app that
    ``people`` gives the officer)."""
    page.goto(path)
    page.fill("input[name$=username]", username)  # the admin's wizard names it auth-username
    page.fill("input[name$=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    if page.locator("input[name=token-otp_token]").count():
        page.fill(
            "input[name=token-otp_token]", current_code(get_user_model().objects.get(username=username))
        )
        page.locator("form [type=submit]").last.click()
        page.wait_for_load_state()


def load_reference_data() -> None:
    """What the data migrations load (reference data, the condition library): a transactional test
    flushes the database afterwards."""
    from django.apps import apps

    from compliance.conditions.library import load_library
    from contracting.reference_data import load_reference_data as load_contracting
    from contracting.roles_setup import sync_roles
    from workspace.reference_data import load_lead_times

    load_contracting(apps)
    load_library(apps)
    load_lead_times(apps)
    apps.get_model("compliance", "DocumentType").objects.filter(code="signed_agreement").update(
        per_agreement=True
    )
    sync_roles()


@pytest.fixture(scope="module", autouse=True)
def reference_data_restored_afterwards(django_db_blocker):
    """After the browser tests of a module (and the flush of the last one), the reference data is back
    for whatever test runs next."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def people(transactional_db):
    load_reference_data()
    provider = factories.ProviderFactory(name="Stichting Zorg aan de Maas")
    provider_user = factories.provider_user(provider, username="aanbieder-e2e", password=PASSWORD)
    officer = factories.officer(username="inkoper-e2e", password=PASSWORD)
    with_authenticator_app(officer)  # the admin asks officers for a second factor
    return {"provider": provider, "provider_user": provider_user, "officer": officer}
