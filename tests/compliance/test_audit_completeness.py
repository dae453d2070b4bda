"""Every service that writes also writes the audit trail.

A static check over the service modules: a public function that (directly or through the module's own
helpers) saves, creates, updates or deletes rows must also record an audit event (``audit_record``) or go
through ``perform_transition`` (which records one), or delegate to a service that does. What is exempt
is listed below with the reason."""

import ast
from pathlib import Path

import pytest

from django.conf import settings

SERVICE_MODULES = [
    "contracting/services.py",
    "coalitions/services.py",
    "compliance/services.py",
    "compliance/documents/services.py",
    "compliance/reports/services.py",
    "compliance/fraud/engine.py",
]
WRITES = {
    "save",
    "create",
    "bulk_create",
    "bulk_update",
    "update_or_create",
    "get_or_create",
    "delete",
    "update",
}
AMBIGUOUS = {
    "update"
}  # dict.update / set.update too: counted only on a queryset (x.objects..., x.filter(...))
AUDITS = {"audit_record", "perform_transition"}
EXEMPT = {
    # the evaluation history is itself append-only; the evaluations are the record
    "compliance/services.py": {"conditions_evaluate", "reevaluate_provider"},
    # removes stored files that no row refers to (no row changes)
    "compliance/documents/services.py": {"document_files_sweep"},
}


def calls(node: ast.AST) -> set[str]:
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            func = child.func
            if isinstance(func, ast.Attribute):
                on_queryset = isinstance(func.value, ast.Call) or (
                    isinstance(func.value, ast.Attribute) and func.value.attr == "objects"
                )
                if func.attr not in AMBIGUOUS or on_queryset:
                    names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


def unaudited_writers(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    called = {name: calls(node) for name, node in functions.items()}

    def closure(name: str, seen: set[str]) -> set[str]:
        if name in seen:
            return set()
        seen.add(name)
        result = set(called[name])
        for other in called[name] & functions.keys():
            result |= closure(other, seen)
        return result

    missing = []
    for name in functions:
        if name.startswith("_"):
            continue
        reached = closure(name, set())
        if reached & WRITES and not reached & AUDITS:
            missing.append(name)
    return missing


@pytest.mark.parametrize("module", SERVICE_MODULES)
def test_every_writing_service_records_an_audit_event(module):
    path = Path(settings.BASE_DIR) / module
    if not path.exists():
        pytest.skip(f"{module} does not exist (yet)")
    missing = set(unaudited_writers(path)) - EXEMPT.get(module, set())
    assert missing == set(), f"{module}: services that write without an audit event: {sorted(missing)}"
