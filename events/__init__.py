"""The event vocabulary: the ``Event`` model and its validation, the ACLED taxonomy,
actors, places, and the record of a source article.

Every other package speaks in these terms: ``extract`` makes events from articles,
``store`` keeps them, ``exchange`` reads and writes them as ACLED CSV and GeoJSON,
``render`` draws them. This package imports no other project package but ``layers``.
"""
from __future__ import annotations

from .errors import EventError, EventValidationError
from .model import (
    ACLED_COLUMNS, COLUMNS, METHODS, REVIEW_STATES, X_COLUMNS, Event, empty_events_frame, event_from_record,
    events_to_geodataframe, make_event, parse_event_date,
)
from .records import ArticleRecord
from .taxonomy import EVENT_COLOURS, EVENT_TYPES

__all__ = [
    "ACLED_COLUMNS", "COLUMNS", "EVENT_COLOURS", "EVENT_TYPES", "METHODS", "REVIEW_STATES", "X_COLUMNS",
    "ArticleRecord", "Event", "EventError", "EventValidationError", "empty_events_frame", "event_from_record",
    "events_to_geodataframe", "make_event", "parse_event_date",
]
