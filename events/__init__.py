"""Articles to events: the event model, places, extraction, the store, import/export.

The public surface is listed in ``__all__``; modules with a leading underscore are
private plumbing.
"""
from __future__ import annotations

from ._errors import ArticleError, EventError, EventValidationError, ImportFileError, StoreError
from .model import (
    ACLED_COLUMNS, COLUMNS, METHODS, REVIEW_STATES, X_COLUMNS, Event, event_from_record,
    events_to_geodataframe, make_event, parse_event_date,
)
from .store import ArticleRecord, EventStore, IngestResult, UpsertResult, open_store
from .taxonomy import EVENT_COLOURS, EVENT_TYPES

__all__ = [
    "ACLED_COLUMNS", "COLUMNS", "EVENT_COLOURS", "EVENT_TYPES", "METHODS", "REVIEW_STATES", "X_COLUMNS",
    "ArticleError", "ArticleRecord", "Event", "EventError", "EventStore", "EventValidationError",
    "ImportFileError", "IngestResult", "StoreError", "UpsertResult", "event_from_record",
    "events_to_geodataframe", "make_event", "open_store", "parse_event_date",
]
