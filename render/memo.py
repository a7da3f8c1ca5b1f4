"""Results worked out from an events frame, kept while the frame lives.

The page reads its events once per store revision and filter set, and Streamlit hands
every rerun that same frame object (``st.cache_resource``). A layer toggle or a zoom then
asks again for what only that frame decides: one mark per incident, the popups, the
label placement. :func:`per_frame` keeps those results for the frame object itself
(checked by a weak reference, so a new frame with a recycled ``id`` never gets an old
answer) and the other arguments, a few at a time. The results are shared: callers
must not change them.
"""
from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
SLOTS = 16  # results kept per function: a few views of a few frames


def per_frame(fn: F | None = None, *, key: Callable[..., Any] | None = None):
    """Cache ``fn(frame, *args)`` by the identity of ``frame`` and the value of ``args``
    (or of ``key(*args)`` when ``args`` are not hashable), for as long as ``frame``
    lives; ``frame`` may be ``None``."""
    if fn is None:
        return lambda f: per_frame(f, key=key)
    kept: OrderedDict[tuple, tuple[Any, Any]] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(fn)
    def wrapper(frame, *args):
        key_ = (id(frame), key(*args) if key is not None else args)
        with lock:
            hit = kept.get(key_)
            if hit is not None and (hit[0] is None if frame is None else hit[0]() is frame):
                kept.move_to_end(key_)
                return hit[1]
        result = fn(frame, *args)
        with lock:
            kept[key_] = (None if frame is None else weakref.ref(frame), result)
            while len(kept) > SLOTS:
                kept.popitem(last=False)
        return result

    wrapper.cache_clear = kept.clear  # type: ignore[attr-defined]
    return wrapper
