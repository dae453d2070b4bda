"""The state diagrams: drawn from the same FSM definitions as docs/state-machines.md, laid out without
overlaps, labelled in Dutch, with the current state and the reader's steps marked; shown on each
machine's admin page and, for agreements, on the relationship page."""

import re
from pathlib import Path

import pytest

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from contracting.models import Agreement, AgreementStatus
from core.state_diagram import CHAR_EDGE, FONT_EDGE, machine_edges, state_diagram
from devtools.management.commands.statemachines import MACHINES
from tests import factories
from tests.compliance.factories import DocumentFactory, FraudSignalFactory
from tests.ui.scanner import findings, visible_text

MODELS = [machine.model for machine in MACHINES]


def instance(model, status: str):
    obj = model()
    obj.__dict__["status"] = status  # protected FSM field: set in memory only, nothing is saved
    return obj


def mermaid_edges(model) -> set[tuple[str, str, str]]:
    """The transitions of ``model`` in the committed docs/state-machines.md."""
    text = (Path(settings.BASE_DIR) / "docs" / "state-machines.md").read_text(encoding="utf-8")
    section = text.split(f"(`{model._meta.label}`)", 1)[1].split("```mermaid", 1)[1].split("```", 1)[0]
    return {
        (m[1], m[2], m[3]) for m in re.finditer(r"^\s+(\w+) --> (\w+): (\w+)$", section, flags=re.MULTILINE)
    }


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_box(edge):
    width = len(edge.label) * CHAR_EDGE
    left = edge.label_x - (width if edge.label_anchor == "end" else 0)
    return (left, edge.label_y - FONT_EDGE, left + width, edge.label_y + 3)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_diagram_has_the_states_and_transitions_of_the_generated_docs(model):
    # when
    with translation.override("nl"):
        diagram = state_diagram(instance(model, model._meta.get_field("status").default))
    # then: every state is drawn, and every transition of the docs' Mermaid is an arrow
    assert {n.value for n in diagram.nodes} == {v for v, _ in model._meta.get_field("status").choices}
    drawn = {(e.source, e.target, name) for e in diagram.edges for name in e.names}
    assert drawn == {(e.source, e.target, e.name) for e in machine_edges(model)} == mermaid_edges(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_nothing_overlaps_and_everything_fits(model):
    with translation.override("nl"):
        diagram = state_diagram(instance(model, model._meta.get_field("status").default))
    boxes = [(n.x, n.y, n.x + n.width, n.y + n.height) for n in diagram.nodes]
    labels = [label_box(e) for e in diagram.edges]
    for i, a in enumerate(boxes):
        assert all(not overlaps(a, b) for b in boxes[i + 1 :])
        assert all(not overlaps(a, b) for b in labels)
    for i, a in enumerate(labels):
        assert all(not overlaps(a, b) for b in labels[i + 1 :])
    for left, top, right, bottom in boxes + labels:
        assert left >= 0 and right <= diagram.width and top >= 0 and bottom <= diagram.height


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_labels_are_dutch_words_not_codes(model):
    with translation.override("nl"):
        diagram = state_diagram(instance(model, model._meta.get_field("status").default))
        text = " ".join([n.label for n in diagram.nodes] + [e.label for e in diagram.edges])
        text += " " + diagram.description
    assert findings(text) == []
    names = {e.name for e in machine_edges(model)} | {n.value for n in diagram.nodes}
    assert not {word for word in re.findall(r"\w+", text) if "_" in word or word in names and word.islower()}


def test_current_state_and_the_readers_steps_are_marked():
    # given an active agreement and a reader who may suspend it and extend it (an operation, no arrow)
    agreement = instance(Agreement, AgreementStatus.ACTIVE)
    # when
    with translation.override("nl"):
        diagram = state_diagram(
            agreement, available=["suspend", "extend"], step_labels={"extend": "Verlengen"}, step_urls={}
        )
    # then
    assert [n.value for n in diagram.nodes if n.current] == ["active"]
    assert diagram.current_label == "Actief"
    assert [(e.source, e.target) for e in diagram.edges if e.available] == [("active", "suspended")]
    assert [n.value for n in diagram.nodes if n.reachable_now] == ["suspended"]
    assert [(s.name, s.label) for s in diagram.steps] == [("suspend", "Opschorten"), ("extend", "Verlengen")]
    assert diagram.description.startswith("Huidige status: Actief.")


# --------------------------------------------------------------------------- on the pages


def objects():
    """One saved object of each machine, in a state with steps, with its admin change URL name."""
    return {
        "procedure": (lambda: factories.ProcedureFactory(), "contracting_procedure"),
        "application": (lambda: factories.ApplicationFactory(submitted=True), "contracting_application"),
        "agreement": (lambda: factories.AgreementFactory(active=True), "contracting_agreement"),
        "coalition": (lambda: factories.CoalitionFactory(), "coalitions_coalition"),
        "membership": (lambda: factories.MembershipFactory(active=True), "coalitions_membership"),
        "document": (lambda: DocumentFactory(), "compliance_accountabilitydocument"),
        "signal": (lambda: FraudSignalFactory(), "compliance_fraudsignal"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(objects()))
def test_each_admin_change_page_shows_the_diagram_with_the_current_state(client_for, officer, kind):
    # given
    make, url_name = objects()[kind]
    obj = make()
    # when
    response = client_for(officer).get(reverse(f"admin:{url_name}_change", args=[obj.pk]))
    # then: an accessible SVG, the current state highlighted, the officer's steps linked by label
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="state-machine"' in html
    assert re.search(r'<svg class="sm-svg"[^>]*role="img"[^>]*aria-labelledby="sm-title-', html)
    assert re.search(rf'class="sm-node sm-current" data-state="{obj.status}"', html)
    steps = response.context["state_diagram"].steps
    assert steps, "an officer has a step in this state"
    for step in steps:
        assert f'href="{step.url}"' in html and step.label in html and "_" not in step.label
    assert (
        findings(visible_text(html.split('id="state-machine"', 1)[1].split("transition-history", 1)[0])) == []
    )


@pytest.mark.django_db
def test_an_auditor_sees_the_diagram_without_steps(client_for, auditor):
    agreement = factories.AgreementFactory(active=True)
    response = client_for(auditor).get(reverse("admin:contracting_agreement_change", args=[agreement.pk]))
    assert response.status_code == 200
    assert response.context["state_diagram"].steps == ()
    assert 'class="sm-no-steps"' in response.content.decode()


@pytest.mark.django_db
def test_the_relationship_page_shows_each_agreements_diagram_and_steps(client_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = client_for(officer).get(reverse("workspace:provider", args=[agreement.provider.uuid]))
    # then
    html = response.content.decode()
    assert f'id="agreement-{agreement.pk}-states"' in html
    assert re.search(r'class="sm-node sm-current" data-state="active"', html)
    suspend = reverse("admin:contracting_agreement_transition", args=[agreement.pk, "suspend"])
    assert f'href="{suspend}"' in html
