"""Every operation that writes also writes the audit trail.

A static check that finds the writing modules by itself: every module of our apps (outside migrations,
admin, API, views and developer tools) whose public functions (directly or through the module's own
helpers) save, create, update or delete rows. Each such function must record an audit event
(``audit_record``), go through ``perform_transition`` / ``perform_operation`` (which record one), or
delegate to a function that does. What is exempt is listed below with the reason."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ["accounts", "audit", "core", "contracting", "coalitions", "compliance", "portal", "workspace"]
INTERFACES = {"admin", "admin_panels", "api", "views", "urls", "forms", "serializers", "apps", "migrations"}
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
AMBIGUOUS = {"update", "delete"}  # dict.update / set.discard...: counted only on a queryset or a model
AUDITS = {"audit_record", "perform_transition", "perform_operation"}
EXEMPT = {
    # the evaluation history is itself append-only: the evaluations are the record
    "compliance/conditions/services.py": {
        "conditions_evaluate",
        "conditions_record_transition",
        "reevaluate_provider",
    },
    # the reminder digest rows are themselves the record of what was sent to whom
    "compliance/documents/reminders.py": {"document_reminders_send"},
    # saves the openpyxl workbook into the export's stream (no row); the export itself is audited
    "compliance/reports/workbook.py": {"write_workbook"},
    # keeps the role groups in line with contracting.roles after every migrate (configuration, no decision)
    "contracting/roles_setup.py": {"sync_roles"},
    # loads the reference data from reference/*.csv in a data migration
    "contracting/reference_data.py": {"load_reference_data"},
    "workspace/reference_data.py": {"load_lead_times"},
    # the alarm rows are themselves the record of what was sent to whom (as the document reminders)
    "workspace/services.py": {"calendar_alarms_send"},
    "compliance/conditions/library.py": {"load_library"},
    # the daily anchor is itself the append-only, signed record of the chain's head (table and file); an
    # event for it would move the very head it names
    "audit/services.py": {"audit_anchor_create"},
    # the ScheduledRun rows are themselves the record of what ran when (no decision); each job's own
    # services record their audit events
    "core/scheduler.py": {"run_due"},
    # puts the files of a backup back (an administrator's restore on an empty installation, verified
    # against the restored audit trail and checksums afterwards): no decision to record
    "core/backup.py": {"restore_files"},
    # the last use of an API token: a timestamp on the credential (at most one write a minute), no decision
    "accounts/services.py": {"api_token_authenticate"},
}


def python_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = set(path.relative_to(ROOT).with_suffix("").parts)
            if parts & INTERFACES or "management" in parts or path.name.startswith("test"):
                continue
            yield path


def calls(node: ast.AST) -> set[str]:
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            func = child.func
            if isinstance(func, ast.Attribute):
                on_rows = isinstance(func.value, ast.Call) or (
                    isinstance(func.value, ast.Attribute) and func.value.attr == "objects"
                )
                if func.attr not in AMBIGUOUS or on_rows:
                    names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


def functions_of(path: Path) -> dict[str, set[str]]:
    tree = ast.parse(path.read_text())
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        # functions of classes that are not models (e.g. an importer's sink) belong to the module
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name not in functions:
                functions[f"{cls.name}.{item.name}"] = item
    called = {name: calls(node) for name, node in functions.items()}
    short = {name.split(".")[-1]: name for name in functions}

    def closure(name: str, seen: set[str]) -> set[str]:
        if name in seen:
            return set()
        seen.add(name)
        result = set(called[name])
        for other in called[name] & short.keys():
            result |= closure(short[other], seen)
        return result

    return {name: closure(name, set()) for name in functions if not name.split(".")[-1].startswith("_")}


def writers() -> dict[str, dict[str, set[str]]]:
    """{module: {public function: what it reaches}} for every module with a writing public function."""
    found = {}
    for path in python_modules():
        reached = functions_of(path)
        writing = {name: r for name, r in reached.items() if r & WRITES and "." not in name}
        if writing:
            found[str(path.relative_to(ROOT))] = writing
    return found


def test_the_writing_modules_are_found_by_the_check_itself():
    found = writers()
    # the check must see the services, the importer and the rule engine; if it finds none, it checks nothing
    for module in (
        "contracting/services.py",
        "coalitions/services.py",
        "compliance/conditions/services.py",
        "compliance/documents/services.py",
        "compliance/fraud/services.py",
        "compliance/fraud/importer.py",
        "compliance/fraud/engine.py",
        "compliance/reports/services.py",
    ):
        assert module in found, f"{module} writes but the check did not find it"


def test_every_writing_operation_records_an_audit_event():
    found = writers()
    audited = set(AUDITS)
    # a function that delegates to an audited function of another module is audited too (fixed point)
    changed = True
    while changed:
        changed = False
        for functions in found.values():
            for name, reached in functions.items():
                if name not in audited and reached & audited:
                    audited.add(name)
                    changed = True
    missing = sorted(
        f"{module}::{name}"
        for module, functions in found.items()
        for name in functions
        if name not in audited and name not in EXEMPT.get(module, set())
    )
    assert missing == [], f"operations that write without an audit event: {missing}"


def test_every_exemption_still_names_a_writing_function():
    found = writers()
    stale = sorted(
        f"{module}::{name}"
        for module, names in EXEMPT.items()
        for name in names
        if name not in found.get(module, {})
    )
    assert stale == [], f"exemptions that no longer match a writing function: {stale}"
