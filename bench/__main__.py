"""``python -m bench [NAME ...]`` (``make bench``): run every benchmark module of this package.

A benchmark is a module ``bench/<name>.py`` with a ``main(argv: list[str] | None) -> int`` that prints
its own report; this runner finds them (modules whose name starts with ``_`` are helpers), runs each in
its own process (``python -m bench.<name>``, so each configures Django and its database by itself) and
exits non-zero when one of them fails. Options reach the modules through the environment, e.g.
``BENCH_LINES=100000`` for a quick run of ``bench.production``.
"""

import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def discover() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(PACKAGE)])
        if not info.name.startswith("_") and not info.ispkg
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    names = discover()
    chosen = [name for name in argv if not name.startswith("-")] or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        print(f"Unknown benchmarks: {', '.join(unknown)} (available: {', '.join(names)})", file=sys.stderr)
        return 2
    failures = []
    for name in chosen:
        print(f"\n==> bench.{name}", flush=True)
        started = time.monotonic()
        code = subprocess.call(
            [sys.executable, "-m", f"bench.{name}"], cwd=PACKAGE.parent, env=os.environ.copy()
        )
        print(f"<== bench.{name}: exit {code} after {time.monotonic() - started:,.0f}s", flush=True)
        if code:
            failures.append(name)
    if failures:
        print(f"\nFailed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
