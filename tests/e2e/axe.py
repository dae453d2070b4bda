"""axe-core in the browser tests: the version pinned in package.json (``npm ci`` installs it into
node_modules/), evaluated in the page through the DevTools protocol (the site's CSP allows no injected
script tag), then run on the whole document. Without node_modules the test skips, and fails in CI."""

import functools
import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: frames are left out: the only ones are the browser's own PDF viewer (a preview), not our HTML
RUN = "() => axe.run(document, {resultTypes: ['violations'], iframes: false})"


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def require_axe() -> None:
    if AXE.exists():
        return
    message = f"axe-core is not installed ({AXE} is missing): run `npm ci`."
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " CI must run the accessibility checks.")
    pytest.skip(message)


def serious_violations(page) -> list[str]:
    """The serious and critical axe-core violations on the page as it is now, one line each."""
    require_axe()
    page.evaluate(axe_source())
    results = page.evaluate(RUN)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
