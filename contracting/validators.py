"""Validators for Dutch identifiers (see reference/identifiers.csv). Messages are Dutch through gettext."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_kvk_number(value: str) -> None:
    # KvK numbers have 8 digits and no documented check digit: do not apply the 11-test.
    if not re.fullmatch(r"\d{8}", value or ""):
        raise ValidationError(_("A KvK number consists of exactly 8 digits."), code="invalid_kvk_number")


def validate_agb_code(value: str) -> None:
    if not re.fullmatch(r"\d{8}", value or ""):
        raise ValidationError(_("An AGB code consists of exactly 8 digits."), code="invalid_agb_code")


def iban_is_valid(value: str) -> bool:
    iban = (value or "").replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    if iban.startswith("NL") and not re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", iban):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def validate_iban(value: str) -> None:
    if not iban_is_valid(value):
        raise ValidationError(
            _("This is not a valid IBAN (check the format and the check digits)."), code="invalid_iban"
        )


def validate_cbs_municipality_code(value: str) -> None:
    if not re.fullmatch(r"GM\d{4}", value or ""):
        raise ValidationError(
            _("A CBS municipality code is 'GM' followed by 4 digits, e.g. GM0599."), code="invalid_cbs_code"
        )


def validate_cbs_region_code(value: str) -> None:
    if not re.fullmatch(r"JZ\d{2}", value or ""):
        raise ValidationError(
            _("A CBS youth care region code is 'JZ' followed by 2 digits, e.g. JZ13."),
            code="invalid_region_code",
        )


def normalise_iban(value: str) -> str:
    return (value or "").replace(" ", "").upper()
