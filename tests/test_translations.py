"""The Dutch translation is complete and compiles.

* every entry of locale/nl/LC_MESSAGES/django.po has a translation and none is fuzzy;
* msgfmt accepts the file with --check-format (what `manage.py compilemessages` runs), so the
  placeholders of each translation match its msgid;
* `manage.py makemessages` run on a copy of the project finds no string that the committed .po lacks,
  i.e. every new or changed msgid in the code and templates has been translated.

The .po file is parsed here with a few lines of Python, not polib, so the tests need no extra package.
GNU gettext (msgfmt, xgettext, msgmerge) is needed: the tests skip without it, except in CI.
"""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = Path("locale", "nl", "LC_MESSAGES", "django.po")
# The same directories `makemessages --ignore` leaves out (see the README), plus what is not source.
NOT_COPIED = {".venv", "var", "tests", ".git", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}


def parse_po(text: str) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags, line.
    Obsolete entries (#~) are left out; the header (empty msgid) is included."""
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple[str, int | None] | None = None
    flags: set[str] = set()

    def start(line_no: int) -> dict:
        nonlocal flags
        new = {
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": {},
            "flags": flags,
            "line": line_no,
        }
        flags = set()
        entries.append(new)
        return new

    def store(key: tuple[str, int | None], value: str) -> None:
        name, index = key
        if name == "msgstr":
            entry["msgstr"][index or 0] = entry["msgstr"].get(index or 0, "") + value
        else:
            entry[name] = (entry[name] or "") + value

    for line_no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            store(field, ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        # An entry starts at its msgctxt, or at its msgid when it has no context.
        context_waits_for_msgid = entry is not None and entry["msgid"] is None
        if keyword == "msgctxt" or (keyword == "msgid" and not context_waits_for_msgid):
            entry = start(line_no)
        if keyword.startswith("msgstr["):
            field = ("msgstr", int(keyword[7:-1]))
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            field = (keyword, None)
        else:
            raise ValueError(f"line {line_no}: cannot parse {raw!r}")
        store(field, ast.literal_eval(rest.strip()))
    return entries


def incomplete_entries(po_file: Path) -> list[str]:
    """Descriptions of the entries that are fuzzy or have an empty translation."""
    problems = []
    for entry in parse_po(po_file.read_text(encoding="utf-8")):
        if entry["msgid"] == "" and entry["msgctxt"] is None:
            continue  # the header
        label = repr(entry["msgid"]) + (f" (context {entry['msgctxt']!r})" if entry["msgctxt"] else "")
        if "fuzzy" in entry["flags"]:
            problems.append(f"line {entry['line']}: fuzzy {label}")
        elif not entry["msgstr"] or not all(entry["msgstr"].values()):
            problems.append(f"line {entry['line']}: untranslated {label}")
    return problems


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} (GNU gettext) is missing; CI needs it: apt-get install gettext")
        pytest.skip(f"{name} (GNU gettext) is not installed")
    return path


def test_po_parser_reads_plurals_context_and_continuations():
    entries = parse_po(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
        '#, fuzzy, python-format\nmsgctxt "month"\nmsgid "May"\nmsgstr "mei"\n\n'
        'msgid "one"\nmsgid_plural "many %(n)s"\nmsgstr[0] "één"\nmsgstr[1] ""\n\n'
        'msgid ""\n"long "\n"text"\nmsgstr "lange tekst"\n\n'
        '#~ msgid "old"\n#~ msgstr "oud"\n'
    )
    assert [(e["msgctxt"], e["msgid"]) for e in entries] == [
        (None, ""),
        ("month", "May"),
        (None, "one"),
        (None, "long text"),
    ]
    assert entries[0]["msgstr"] == {0: "Language: nl\n"}
    assert entries[1]["flags"] == {"fuzzy", "python-format"}
    assert entries[2]["msgid_plural"] == "many %(n)s" and entries[2]["msgstr"] == {0: "één", 1: ""}
    assert entries[3]["msgstr"] == {0: "lange tekst"} and entries[3]["flags"] == set()


def test_committed_po_is_complete():
    problems = incomplete_entries(ROOT / PO_PATH)
    assert not problems, "Dutch translations missing or fuzzy in django.po:\n" + "\n".join(problems)


def test_committed_po_compiles():
    msgfmt = need_tool("msgfmt")
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", os.devnull, str(ROOT / PO_PATH)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_makemessages_finds_no_new_strings(tmp_path):
    need_tool("xgettext")
    need_tool("msgmerge")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda directory, names: [
            name for name in names if name in NOT_COPIED or name.endswith((".sqlite3", ".mo", ".pyc"))
        ],
    )
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete", "--verbosity=0"]
        + [f"--ignore={name}" for name in sorted(NOT_COPIED)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    problems = incomplete_entries(copy / PO_PATH)
    assert not problems, (
        "The code has strings that locale/nl/LC_MESSAGES/django.po does not translate (run "
        "`DEBUG=true .venv/bin/python manage.py makemessages -l nl --ignore=.venv --ignore=var "
        "--ignore=tests --no-obsolete` and translate them):\n" + "\n".join(problems)
    )
