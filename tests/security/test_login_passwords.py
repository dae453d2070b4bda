"""Django's password validators: at least 12 characters, not all digits, not common, not like the
username. The demo password still passes."""

import pytest

from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from devtools.demo_data import DEMO_PASSWORD
from tests import factories

pytestmark = pytest.mark.django_db


def refusal_codes(password: str, user=None) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return {error.code for error in refused.value.error_list}


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("98712634", {"password_too_short", "password_entirely_numeric"}),
        ("987126345012", {"password_entirely_numeric"}),
        ("kort-wacht1", {"password_too_short"}),
        ("password1234", {"password_too_common"}),
    ],
)
def test_weak_passwords_are_refused(password, codes):
    assert refusal_codes(password) == codes


def test_a_password_like_the_username_is_refused():
    user = factories.UserFactory.build(username="marijke.jansen", email="marijke.jansen@example.nl")
    assert "password_too_similar" in refusal_codes("marijke.jansen1", user)


@pytest.mark.parametrize("password", [DEMO_PASSWORD, "wachtwoord-123", "Zorg aan de Maas 2026"])
def test_reasonable_passwords_pass(password):
    assert validate_password(password) is None


def test_the_set_password_form_applies_the_validators(provider_user):
    form = SetPasswordForm(provider_user, {"new_password1": "98712634", "new_password2": "98712634"})
    assert not form.is_valid()
    assert {error.code for error in form.errors.as_data()["new_password2"]} >= {"password_entirely_numeric"}
