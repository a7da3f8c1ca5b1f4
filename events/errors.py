"""Exceptions of the event vocabulary. Each subclasses ValueError, so callers may catch
either the specific type or the built-in one. The other packages derive theirs from
:class:`EventError` (``extract.ArticleError``, ``exchange.ImportFileError``) or from
OSError (``store.StoreError``)."""
from __future__ import annotations


class EventError(ValueError):
    """Base class for a bad event, article or import file."""


class EventValidationError(EventError):
    """An event field holds a value that cannot be right; the message names both."""

    def __init__(self, field: str, value: object, fix: str, *, where: str = ""):
        self.field = field
        self.value = value
        self.fix = fix
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{field}={value!r} {fix}")
