"""Python's cycle collector, paused while many long-lived objects are made at once.

Reading the gazetteer's tables, the village records or a bulk write's rows makes tens
of thousands of objects that hold no cycles; each full collection meanwhile walks them
all again, half made (it tripled the time to read the gazetteer's tables). The callers
are ``extract.gazetteer``, ``events.villages`` and ``store.base``.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cycle collector off, then turn it back on, however the
    block ends, if it was on: a caller that turned it off, or an enclosing ``paused()``,
    keeps it off. Cycles made meanwhile are collected once it runs again."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
