"""Pause Python's cyclic garbage collector during allocation-heavy passes.

Loading a snapshot and planning create millions of small acyclic objects; the collector's
repeated generation scans cost about a fifth of the planning time on a million invoices
(benchmarks/plan_bench.py). Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
