"""In the browser: an officer logs in to the admin with a password and the code of an authenticator
app, an officer without one is asked to set it up, and the lockout pages are accessible. Screenshots
go to var/screenshots/."""

from pathlib import Path

import pytest

from django.conf import settings

from tests import factories
from tests.security.logins import current_code

from .conftest import PASSWORD
from .test_accessibility import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def submit_password(page, path: str, username: str, password: str) -> None:
    page.goto(path)
    page.fill("input[name$=username]", username)
    page.fill("input[name$=password]", password)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


def test_an_officer_logs_in_to_the_admin_with_password_and_code(new_page, people):
    page = new_page()
    page.goto("/admin/login/")
    screenshot(page, "admin-login")
    # when: the password
    submit_password(page, "/admin/login/", "inkoper-e2e", PASSWORD)
    # then: the code step
    assert page.locator("input[name=token-otp_token]").is_visible()
    screenshot(page, "admin-login-second-factor")
    # when: the code of the app
    page.fill("input[name=token-otp_token]", current_code(people["officer"]))
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    # then
    assert page.url.endswith("/admin/")
    assert page.locator("#user-tools").is_visible()


def test_an_officer_without_a_second_factor_is_asked_to_set_one_up(new_page, people):
    factories.officer(username="nieuwe-inkoper", password=PASSWORD)
    page = new_page()
    # when
    submit_password(page, "/admin/login/", "nieuwe-inkoper", PASSWORD)
    # then: the setup of an authenticator app or security key, not the admin
    assert page.url.endswith("/admin/mfa/setup/")
    screenshot(page, "admin-second-factor-setup")
    page.goto("/admin/")
    assert "/admin/login/" in page.url


def test_the_lockout_pages_say_so_and_have_no_serious_accessibility_violations(new_page, people):
    page = new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_password(page, "/portal/login/", "aanbieder-e2e", "fout-geraden-42")
    assert page.locator("#locked-out").is_visible()
    problems = {"portal": serious_violations(page)}
    screenshot(page, "portal-login-locked-out")
    # the same address is locked out of the admin as well
    submit_password(page, "/admin/login/", "inkoper-e2e", PASSWORD)
    assert page.locator("#locked-out").is_visible()
    screenshot(page, "admin-login-locked-out")
    assert {name: found for name, found in problems.items() if found} == {}
