"""core.labels: codes become words, and no code is ever shown raw."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from django.utils import translation

from contracting.models import AgreementStatus, CostModel, Provider, Tariff
from core import labels
from core.admin_display import display_decimal

pytestmark = pytest.mark.django_db


def test_every_recorded_event_in_the_code_has_a_label():
    # given every event name the code records (audit_record(event="...") and the FSM's custom events)
    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        found |= set(re.findall(r"[\"']event[\"']\s*:\s*\"([a-z_]+\.[a-z_]+)\"", path.read_text()))
        found |= set(re.findall(r"event=\"([a-z_]+\.[a-z_]+)\"", path.read_text()))
    # then
    assert found
    assert found <= set(labels.EVENT_LABELS), found - set(labels.EVENT_LABELS)


def test_an_event_reads_as_words_in_dutch():
    with translation.override("nl"):
        assert labels.event_label("agreement.offered") == "Overeenkomst aangeboden aan de aanbieder"
        # an edit in the admin: the model's name and what happened
        assert labels.event_label("provider.changed") == "Zorgaanbieder: gewijzigd in het beheer"


def test_an_unknown_code_becomes_words_not_a_code():
    assert labels.event_label("something_new.happened_today") == "Something new happened today"
    assert labels.group_label("procurement_officer") == str(labels.GROUP_LABELS["procurement_officer"])


def test_a_state_reads_as_its_label():
    assert labels.state_label("contracting.agreement", "active") == str(AgreementStatus.ACTIVE.label)
    assert labels.state_label("contracting.agreement", "") == ""


def test_registered_codes_have_their_label_and_others_become_words():
    labels.codes_named("test_kind", {"a_code": "Een code"})

    assert labels.code_label("test_kind", "a_code") == "Een code"
    assert labels.code_label("test_kind", "other_code") == "Other code"


def test_the_admin_shows_decimals_as_amounts_percentages_or_numbers():
    with translation.override("nl"):
        amount = Tariff._meta.get_field("amount")
        pct = CostModel._meta.get_field("overhead_pct")
        fte = Provider._meta.get_field("fte")

        assert display_decimal(Decimal("33725175.00"), amount) == "€\u00a033.725.175,00"
        assert display_decimal(Decimal("12.50"), pct) == "12,5%"
        assert display_decimal(Decimal("412.50"), fte) == "412,5"
