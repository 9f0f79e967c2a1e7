"""One shared, lazily loaded instance of a heavy read-only object.

The shipped models, the word-vector table and the gazetteer take 0.05–0.5 s to load and
are never written after: every caller in a process should share one copy, built on first
use (so importing watchfloor stays cheap) and built once even when threads race for it.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def shared(build: Callable[[], T]) -> Callable[[], T]:
    """A getter that calls `build` on first use, once (thread-safe), and then returns its
    result; if `build` raises, the next call tries again."""
    lock = threading.Lock()
    box: list[T] = []

    def get() -> T:
        if not box:
            with lock:
                if not box:
                    box.append(build())
        return box[0]

    return get
