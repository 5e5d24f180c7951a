"""Progress of a long job: rows done, rate and time left."""

from __future__ import annotations

import sys
import time


class Progress:
    """Rows done, rate and time left: redrawn on a terminal, plain lines otherwise."""

    def __init__(self, total: int, label: str, out=None, initial: int = 0) -> None:
        # ``initial``: rows done before this process started (a resumed run). ``out`` is read
        # when a job starts, not at import: standard error may have been replaced since.
        self.total, self.label, self.out, self.initial = total, label, out or sys.stderr, initial
        self.start = time.perf_counter()
        self.tty = self.out.isatty()
        self.last = 0.0

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if done < self.total and now - self.last < (0.2 if self.tty else 15):
            return
        self.last = now
        rate = (done - self.initial) / max(now - self.start, 1e-9)
        left = (self.total - done) / rate if rate > 0 else 0
        line = f"{self.label}: {done:,}/{self.total:,} ({rate:,.0f}/s, {left:,.0f}s left)"
        self.out.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and done >= self.total:
            self.out.write("\n")
        self.out.flush()
