"""Extraction with a time and memory budget, for servers (the page).

:func:`extract_within_budget` runs :func:`extract.pipeline.events_from_article` in a
child process with a memory limit, waits at most a number of seconds, and kills the
child when the time is up or when the caller stops waiting: the page passes a callback
that touches the page while it waits, so a session that closes (or a user who starts
over) raises in the callback and the work stops at once instead of holding a core.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Callable

from .article import Article, ArticleError

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 30.0
DEFAULT_MEMORY_MB = 1536


def budget_seconds() -> float:
    """``KARABAKH_MAP_EXTRACT_SECONDS``, else 30."""
    return _env_number("KARABAKH_MAP_EXTRACT_SECONDS", DEFAULT_SECONDS)


def budget_memory_mb() -> float:
    """``KARABAKH_MAP_EXTRACT_MEMORY_MB``, else 1536."""
    return _env_number("KARABAKH_MAP_EXTRACT_MEMORY_MB", DEFAULT_MEMORY_MB)


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ArticleError(f"{name}={raw!r} is not a number: give seconds or megabytes, e.g. {default:g}") from None
    if value <= 0:
        raise ArticleError(f"{name}={raw!r} must be more than 0")
    return value


def _worker(memory_mb: float, out_path: str) -> None:
    """The child: a pickled Article on stdin, the pickled outcome written to ``out_path``."""
    import pickle
    import sys

    # Loaded before the limit: a geometry made in the child (shapely, with NumPy and
    # OpenBLAS's thread buffers) would otherwise reserve its address space under it and
    # fail on a small budget. The limit is for what the article costs.
    import shapely  # noqa: F401

    try:
        import resource

        limit = int(memory_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass
    try:
        article = pickle.loads(sys.stdin.buffer.read())
        from .pipeline import events_from_article

        outcome = ("ok", events_from_article(article))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as err:  # sent back and raised in the parent with its message
        outcome = ("error", f"{type(err).__name__}: {err}")
    with open(out_path, "wb") as fh:
        pickle.dump(outcome, fh)


def extract_within_budget(article: Article, *, seconds: float | None = None, memory_mb: float | None = None,
                          on_wait: Callable[[float], None] | None = None):
    """The events of ``article``, extracted in a child process within a budget.

    Parameters
    ----------
    article
        From :func:`extract.article.read_article`.
    seconds, memory_mb
        The budget; defaults from :func:`budget_seconds` and :func:`budget_memory_mb`.
    on_wait
        Called with the seconds elapsed about five times a second while the child
        works. If it raises, the child is killed and the exception propagates.

    Returns
    -------
    ExtractionResult

    Raises
    ------
    ArticleError
        When the time or memory is exhausted (the message gives the budget and what to
        do), or when extraction fails in the child.
    """
    import pickle
    import subprocess
    import sys
    import tempfile

    seconds = budget_seconds() if seconds is None else seconds
    memory_mb = budget_memory_mb() if memory_mb is None else memory_mb
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="km-extract-") as tmp:
        out_path = os.path.join(tmp, "result.pickle")
        # A fresh interpreter, not a fork of the threaded server: nothing of the page is
        # shared, and killing it frees everything it held.
        proc = subprocess.Popen([sys.executable, "-c", f"from extract.budget import _worker; _worker({memory_mb!r}, {out_path!r})"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        try:
            try:
                proc.stdin.write(pickle.dumps(article))
                proc.stdin.close()
            except BrokenPipeError:  # the child died before reading (e.g. out of memory at start)
                proc.wait(5)
            while True:
                try:
                    proc.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    pass
                elapsed = time.monotonic() - start
                if elapsed > seconds:
                    raise ArticleError(f"extracting this article took more than {seconds:g} s and was stopped: split it "
                                       "into shorter articles (or raise KARABAKH_MAP_EXTRACT_SECONDS)")
                if on_wait is not None:
                    on_wait(elapsed)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            stderr = proc.stderr.read().decode("utf-8", "replace")[-2000:] if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
        try:
            with open(out_path, "rb") as fh:
                status, payload = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError):
            status, payload = (("memory", None) if "MemoryError" in stderr or proc.returncode in (-9, 137)
                               else ("error", stderr.strip() or f"exit code {proc.returncode}"))
    if status == "ok":
        log.info("extracted %s in %.2f s (child process)", article.title or article.article_id, time.monotonic() - start)
        return payload
    if status == "memory":
        raise ArticleError(f"extracting this article needed more than {memory_mb:g} MB and was stopped: split it into "
                           "shorter articles (or raise KARABAKH_MAP_EXTRACT_MEMORY_MB)")
    raise ArticleError(f"extraction failed: {payload}")
