"""A progress bar for management commands, with Django's own output (no extra dependency)."""

import sys
import time
from typing import TextIO


class ProgressBar:
    """``bar(rows, fraction)`` redraws at most five times a second; ``done()`` ends the line. On a
    terminal the bar redraws in place; otherwise (a log file, CI) it prints a line per 10 %."""

    WIDTH = 30

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_decile = -1

    def __call__(self, rows: int, fraction: float | None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = max(now - self.started, 1e-6)
        rate = rows / elapsed
        if self.tty:
            if now - self.last_draw < 0.2 and fraction != 1.0:
                return
            self.last_draw = now
            if fraction is None:
                text = f"\r{self.label}: {rows:,} rows  {rate:,.0f} rows/s  {elapsed:,.0f}s"
            else:
                filled = int(self.WIDTH * fraction)
                eta = (elapsed / fraction - elapsed) if fraction > 0 else 0
                text = (
                    f"\r{self.label}: [{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction * 100:5.1f}%  "
                    f"{rows:,} rows  {rate:,.0f} rows/s  eta {eta:,.0f}s "
                )
            self.stream.write(text)
            self.stream.flush()
            return
        decile = int((fraction or 0) * 10)
        if decile > self.last_decile:
            self.last_decile = decile
            share = f"{fraction * 100:.0f}% " if fraction is not None else ""
            self.stream.write(f"{self.label}: {share}{rows:,} rows ({rate:,.0f} rows/s)\n")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
