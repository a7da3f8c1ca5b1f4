"""Exceptions of the events package. Each subclasses ValueError or OSError, so callers
may catch either the specific type or the built-in one."""
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


class ImportFileError(EventError):
    """An import file (ACLED CSV, GeoJSON) is unusable; nothing from it was stored."""


class ArticleError(EventError):
    """An article cannot be read: encoding, size or format."""


class StoreError(OSError):
    """The store cannot be opened or written; the message says why and what to do."""
