"""Generated documentation stays in sync with the code."""

import io
from types import SimpleNamespace

import pytest

from django.core.management import call_command

from devtools.management.commands.statemachines import DOCS_PATH, MACHINES


def test_state_machine_docs_are_current():
    out = io.StringIO()
    call_command("statemachines", "--print", stdout=out)

    committed = DOCS_PATH.read_text(encoding="utf-8") if DOCS_PATH.exists() else ""
    assert committed == out.getvalue(), (
        "docs/state-machines.md is out of date: run `python manage.py statemachines` and commit the result."
    )


# operations whose service says when it may be offered (an `available` predicate)
OPERATIONS = [
    (machine.model, op)
    for machine in MACHINES
    for op in machine.operations
    if getattr(op.service, "available", None)
]


@pytest.mark.parametrize(("model", "operation"), OPERATIONS, ids=lambda v: getattr(v, "name", None))
def test_documented_states_of_an_operation_match_the_service(model, operation):
    available = operation.service.available
    officer = SimpleNamespace(is_authenticated=True, has_perm=lambda perm, obj=None: True)
    states = [value for value, _label in model._meta.get_field("status").choices]

    allowed = {state for state in states if available(model(status=state, **operation.ready), officer)}

    assert allowed == set(operation.states)
