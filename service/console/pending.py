"""Live lists a page could not wait for: the page answers at once with a progress line, and its
list part asks again until the list is ready.

Kept per process, by who asked and for what, until fetched (or a minute); a part that reaches
another worker process computes the list there (the store and model are the same).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

PAGE_WAIT = 0.15  # seconds a page waits for its list before showing progress instead
KEEP = 60.0  # seconds a list waits for its part to fetch it


class PendingLists:
    def __init__(self, threads: int = 8) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="kyoso-console-list")
        self._lock = threading.Lock()
        self._lists: dict[tuple, tuple[float, Future[Any]]] = {}

    def get(self, key: tuple, compute: Callable[[], Any], wait: float | None = None) -> Future[Any]:
        """The list asked for under ``key`` (the one being computed, or a new computation),
        after waiting up to ``wait`` seconds (default ``PAGE_WAIT``) for it; ``done()`` says
        whether it is ready."""
        wait = PAGE_WAIT if wait is None else wait
        now = time.monotonic()
        with self._lock:  # lists nobody came back for are let go
            self._lists = {k: (at, f) for k, (at, f) in self._lists.items()
                           if not f.done() or now - at < KEEP}
            found = self._lists.get(key)
            if found is None:
                found = (now, self._pool.submit(compute))
                self._lists[key] = found
        future = found[1]
        with contextlib.suppress(TimeoutError):
            future.exception(timeout=wait)
        if future.done():
            with self._lock:  # fetched: the next page asks anew
                self._lists.pop(key, None)
        return future
