"""The scanner of tests/ui/test_dutch_formats.py catches each defect that was seen, and lets Dutch
formats, file names and addresses through."""

import pytest

from tests.ui.scanner import findings, visible_text

SEEN_DEFECTS = [
    "De tarief is lager dan de reële prijs € 31.93.",  # an amount with a decimal point
    "tarief 67.55 en plafond 115700.00",  # numbers of the evidence
    "Budgetplafond 33725175,00",  # no thousands separator
    "Gebruikt 0.0%",  # a percentage with a point
    "Aantal fte 412.5",
    "Op 2025-12-31: aantal te late documenten",  # ISO date in a sentence
    "Uitvoerder None",
    "None% (unknown)",
    "ANTI_DISCRIMINATION_POLICY",  # a condition code as a header
    "anti_discrimination_policy Vastgesteld beleid",
    "Gebeurtenis agreement.offered",  # an event name
    "Groep procurement_officer",
]


@pytest.mark.parametrize("text", SEEN_DEFECTS)
def test_each_seen_defect_is_found(text):
    assert findings(text)


@pytest.mark.parametrize(
    "text",
    [
        "€ 1.234,56 en € 31,93",
        "12,5% van 3 december 2026 om 17:00 (03-12-2026)",
        "Aantal fte 412,5",
        "Bestand dossier_zorg_aan_de_maas.pdf",
        "Bron https://www.cbs.nl/nl-nl/cijfers/detail/83451NED?dl=a_b",
        "Mail naar info_inkoop@gemeente.nl",
    ],
)
def test_dutch_formats_file_names_and_addresses_pass(text):
    assert findings(text) == []


def test_visible_text_leaves_out_code_and_stored_json_but_keeps_buttons():
    # given
    html = (
        "<html><head><title>x_y</title></head><body><script>var a_b = 1.5;</script>"
        '<pre>{"oldEndDate": "2026-01-01"}</pre><p title="Status">Actief</p>'
        '<input type="submit" value="Propose confirmation"><input type="hidden" value="a_b"></body></html>'
    )
    # when
    text = visible_text(html)
    # then
    assert text == "Status Actief Propose confirmation"
