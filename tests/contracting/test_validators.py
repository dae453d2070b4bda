import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from contracting.models import ContractingAuthority
from contracting.validators import (
    iban_is_valid,
    validate_agb_code,
    validate_cbs_municipality_code,
    validate_iban,
    validate_kvk_number,
)
from tests import factories


@pytest.mark.parametrize("value", ["12345678", "00000001"])
def test_valid_kvk_number(value):
    assert validate_kvk_number(value) is None  # accepted: no ValidationError


@pytest.mark.parametrize("value", ["1234567", "123456789", "1234567a", "", " 12345678"])
def test_invalid_kvk_number_has_its_own_code(value):
    with pytest.raises(ValidationError) as exc:
        validate_kvk_number(value)
    assert exc.value.code == "invalid_kvk_number"


@pytest.mark.parametrize("value", ["1234567", "ABCDEFGH", "123456789"])
def test_invalid_agb_code(value):
    with pytest.raises(ValidationError) as exc:
        validate_agb_code(value)
    assert exc.value.code == "invalid_agb_code"


@pytest.mark.parametrize("value", ["NL91ABNA0417164300", "nl91 abna 0417 1643 00", "DE89370400440532013000"])
def test_valid_iban(value):
    assert iban_is_valid(value)


@pytest.mark.parametrize(
    "value",
    ["NL92ABNA0417164300", "NL91ABNA041716430", "NL91ABN10417164300", "XX", "", "NL91ABNA04171643000"],
)
def test_invalid_iban(value):
    with pytest.raises(ValidationError) as exc:
        validate_iban(value)
    assert exc.value.code == "invalid_iban"


@pytest.mark.parametrize("value", ["GM059", "0599", "JZ13", "gm0599"])
def test_invalid_cbs_code(value):
    with pytest.raises(ValidationError) as exc:
        validate_cbs_municipality_code(value)
    assert exc.value.code == "invalid_cbs_code"


@pytest.mark.django_db
def test_provider_full_clean_reports_every_identifier():
    provider = factories.ProviderFactory.build(kvk_number="123", agb_code="x", iban="NL00ABNA0000000000")
    with pytest.raises(ValidationError) as exc:
        provider.full_clean()
    assert set(exc.value.error_dict) >= {"kvk_number", "agb_code", "iban"}


@pytest.mark.django_db
def test_iban_is_stored_normalised():
    provider = factories.ProviderFactory(iban="nl91 abna 0417 1643 00")
    provider.refresh_from_db()
    assert provider.iban == "NL91ABNA0417164300"


@pytest.mark.django_db
def test_database_refuses_malformed_kvk_number():
    with pytest.raises(IntegrityError):
        factories.ProviderFactory(kvk_number="1234")


@pytest.mark.django_db
def test_municipality_needs_cbs_code():
    authority = ContractingAuthority(
        name="Nergens", kind=ContractingAuthority.Kind.MUNICIPALITY, cbs_code="X1"
    )
    with pytest.raises(ValidationError) as exc:
        authority.full_clean()
    assert "cbs_code" in exc.value.error_dict
