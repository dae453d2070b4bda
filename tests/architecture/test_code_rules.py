"""Rules about the code itself that a reviewer would otherwise have to remember."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "api",
    "audit",
    "coalitions",
    "compliance",
    "config",
    "contracting",
    "core",
    "devtools",
    "portal",
]


def modules(folders):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def function_level_imports(path: pathlib.Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and path.name == "apps.py":
            continue  # AppConfig.ready() is where Django wants receivers imported
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if path.name == "apps.py" and node.name == "ready":
                continue
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return found


def test_no_import_inside_a_function_except_a_task_importing_its_service():
    """Imports inside functions hide dependency cycles from lint-imports; tasks may import their
    service lazily (the task module is loaded by the worker before the domain is)."""
    offenders = [
        hit for path in modules(APPS) if path.name != "tasks.py" for hit in function_level_imports(path)
    ]
    assert offenders == []


def test_every_test_asserts_something():
    """A test without an assertion (or pytest.raises, or an assert_* helper) cannot fail."""
    silent = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for fn in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(fn, ast.FunctionDef) and fn.name.startswith("test")):
                continue
            checks = any(isinstance(n, ast.Assert) for n in ast.walk(fn)) or any(
                isinstance(n, ast.Call)
                and any(word in ast.unparse(n.func).lower() for word in ("assert", "raises", "expect"))
                for n in ast.walk(fn)
            )
            if not checks:
                silent.append(f"{path.relative_to(ROOT)}::{fn.name}")
    assert silent == []
