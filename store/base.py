"""The store interface, shared by every backend: the protocol, the result records,
the row layout, the attribute-filter builder and the checks both backends apply.

A backend (``store.geopackage``, ``store.postgis``) implements :class:`EventStore`
and imports this module, never another backend (docs/ARCHITECTURE.md, "The store
contract").
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import operator
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Protocol, Sequence, runtime_checkable

from events import COLUMNS, ArticleRecord, Event, EventValidationError, parse_event_date
from events.incidents import CANDIDATE_COLUMNS, ROAD_LAYERS, Candidate, assign_incidents, event_window, search_window
from layers import collector

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

EVENT_COLUMNS: tuple[str, ...] = tuple(COLUMNS)


class StoreError(OSError):
    """The store cannot be opened or written; the message says why and what to do."""


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: ``stored`` events, or ``duplicate`` when the article was known."""

    article_id: str
    stored: int
    duplicate: bool


@dataclass(frozen=True)
class UpsertResult:
    """What an import did: rows ``inserted`` and rows ``updated`` (same ``event_id_cnty``)."""

    inserted: int
    updated: int


@runtime_checkable
class EventStore(Protocol):
    """What every store backend offers; the guarantees are in docs/ARCHITECTURE.md.

    Attributes
    ----------
    path
        Where the store is, fit to print (a file path, or a URL without its password).
    """

    path: object

    def has_article(self, article_id: str) -> bool:
        """Whether an article with this id is stored."""

    def ingest(self, article: ArticleRecord, events: Sequence[Event]) -> IngestResult:
        """Store an article and all its events in one transaction, or nothing; the same
        article again adds nothing and returns ``duplicate=True``."""

    def upsert_events(self, events: Sequence[Event], *, article: ArticleRecord | None = None) -> UpsertResult:
        """Insert events, or update those whose ``event_id_cnty`` is stored, in one transaction."""

    def set_review(self, uid: str, state: str) -> None:
        """Set an event's review status (one of ``events.REVIEW_STATES``)."""

    def set_incident(self, uids: Sequence[str], incident: str, reason: str) -> int:
        """Put the events ``uids`` in ``incident`` (by hand: a split or a merge), with
        ``reason`` in words; returns how many changed."""

    def revision(self) -> int:
        """A number that grows with every write by any process: a cache key for reads."""

    def count(self) -> int:
        """Number of stored events."""

    def articles(self) -> pd.DataFrame:
        """Stored articles, newest ingest first."""

    def query(self, *, since: dt.date | str | None = None, until: dt.date | str | None = None,
              event_types: Iterable[str] | None = None, sources: Iterable[str] | None = None,
              bbox: tuple[float, float, float, float] | None = None, min_confidence: float | None = None,
              review: Iterable[str] | None = None, article_id: str | None = None,
              limit: int | None = None, columns: Iterable[str] | None = None) -> gpd.GeoDataFrame:
        """Events matching every filter given, oldest first, as a GeoDataFrame (EPSG:4326):
        every column, or only ``columns`` (:func:`check_columns`; a page reads fewer columns
        than an export, and each one costs on every read)."""

    def grid_counts(self, *, cell_deg: float, since: dt.date | str | None = None, until: dt.date | str | None = None,
                    event_types: Iterable[str] | None = None, sources: Iterable[str] | None = None,
                    bbox: tuple[float, float, float, float] | None = None, min_confidence: float | None = None,
                    review: Iterable[str] | None = None) -> pd.DataFrame:
        """The events ``query`` would return, counted per grid cell of ``cell_deg``
        degrees and event type, in the database: columns ``latitude``, ``longitude``
        (the cell's centre), ``event_type``, ``n``. For views of more events than a
        map can draw. An event counts where its point is (``latitude``/``longitude``,
        where the map draws it), so ``bbox`` is matched against that point."""

    def integrity_check(self) -> str:
        """``"ok"`` when the store is sound, else what is wrong."""

    @property
    def schema_version(self) -> int:
        """The schema version the store is at."""

    def close(self) -> None:
        """Release the connection."""


# Events a stored report may be dated loosely (to the week or month) or sit on a road
# (events.incidents.ROAD_LAYERS, whose label point may lie far from a place on it): few,
# each found through a partial index of its own.
ROADS_WHERE = " OR ".join(f"x_layer LIKE '{layer}:%'" for layer in ROAD_LAYERS)
VAGUE_WHERE = "time_precision >= 2"


@functools.lru_cache(maxsize=4)
def candidate_query(placeholder: str) -> str:
    """The query for the stored events a new batch may link to (``events.incidents``), in
    three parts, each answered by an index without reading rows it does not return: by
    the batch's days and point (``events_date_point``; parameters since, until, south,
    north, west, east), events dated only to the week or month over the wider window
    (``events_vague``; since, until, south, north, west, east), and events on roads
    (``events_roads``; since, until). Rejected events never attract links."""
    ph, cols = placeholder, ", ".join(CANDIDATE_COLUMNS)
    roads = ROADS_WHERE.replace("%", "%%") if ph == "%s" else ROADS_WHERE  # psycopg reads % as a placeholder
    box = f"latitude BETWEEN {ph} AND {ph} AND longitude BETWEEN {ph} AND {ph}"
    return (f"SELECT {cols} FROM events WHERE event_date BETWEEN {ph} AND {ph} AND {box} AND x_review <> 'rejected'"
            f" UNION ALL SELECT {cols} FROM events WHERE {VAGUE_WHERE} AND event_date BETWEEN {ph} AND {ph} AND {box}"
            f" AND x_review <> 'rejected'"
            f" UNION ALL SELECT {cols} FROM events WHERE ({roads}) AND event_date BETWEEN {ph} AND {ph}"
            " AND x_review <> 'rejected'")


def candidate_query_many(placeholder: str, tables: tuple[str, str] | None = None) -> str:
    """:func:`candidate_query` for a batch spread over years or the region: one
    statement for all its events, over two tables of windows (:func:`spread_windows`).

    - days ``(day, s, n, w, e)``: each day of each event's own date window, with its box.
      Asking for one day at a time lets the ``events_date_point`` index narrow by
      latitude too: a range of days would read every event of those days.
    - spans ``(since, until, s, n, w, e)``: each event's wider window, for the events
      dated only to the week or month (``events_vague``).

    ``tables`` names the two tables (a backend that fills temporary tables); without
    it the parameters start with the two as JSON arrays of arrays, read once into
    tables of plain values (PostgreSQL's ``jsonb``). The last two parameters are the
    batch's since and until, for the roads."""
    ph, cols = placeholder, ", ".join(f"ev.{c}" for c in CANDIDATE_COLUMNS)
    roads = ROADS_WHERE.replace("%", "%%") if ph == "%s" else ROADS_WHERE  # psycopg reads % as a placeholder
    if tables is None:
        def table(kinds: tuple[str, ...]) -> str:
            values = ", ".join(f"(value->>{i})::{kind}" for i, kind in enumerate(kinds))
            return f"(SELECT {values} FROM jsonb_array_elements({ph}::jsonb))"
        days = table(("date", "float8", "float8", "float8", "float8"))
        spans = table(("date", "date", "float8", "float8", "float8", "float8"))
        head = f"WITH d (day, s, n, w, e) AS MATERIALIZED {days}, v (since, until, s, n, w, e) AS MATERIALIZED {spans} "
        days_table, spans_table = "d", "v"
    else:
        head, (days_table, spans_table) = "", tables
    box = "ev.latitude BETWEEN w.s AND w.n AND ev.longitude BETWEEN w.w AND w.e"
    return (f"{head}SELECT {cols} FROM {days_table} AS w CROSS JOIN events ev WHERE ev.event_date = w.day AND {box}"
            f" AND ev.x_review <> 'rejected'"
            f" UNION ALL SELECT {cols} FROM {spans_table} AS w CROSS JOIN events ev WHERE ev.{VAGUE_WHERE}"
            f" AND ev.event_date BETWEEN w.since AND w.until AND {box} AND ev.x_review <> 'rejected'"
            f" UNION ALL SELECT {cols} FROM events ev WHERE ({roads.replace('x_layer', 'ev.x_layer')})"
            f" AND ev.event_date BETWEEN {ph} AND {ph} AND ev.x_review <> 'rejected'")


def link_new_events(events: Sequence[Event], fetch, placeholder: str, fetch_spread=None) -> list[Event]:
    """``events`` linked to their incidents.

    ``fetch(sql, params)`` runs :func:`candidate_query` (or, for a batch spread over
    years or the region, :func:`candidate_query_many` with JSON windows) in the
    backend's transaction and returns its rows. A backend that keeps the windows in
    tables of its own passes ``fetch_spread(days, spans, since, until)`` instead for
    the spread batch (see :func:`spread_windows`)."""
    if not events:
        return list(events)
    rows: dict = {}
    if _is_compact(events):
        # A report's events lie close in time and space: one window, one query.
        since, until, (w, s, e, n), (near_since, near_until) = search_window(events)
        wide = (since.isoformat(), until.isoformat())
        found = fetch(candidate_query(placeholder), (near_since.isoformat(), near_until.isoformat(), s, n, w, e,
                                                    *wide, s, n, w, e, *wide))
    else:
        # A batch spread over years or the whole region (a bulk load): a window per
        # event, all in one statement.
        days, spans = spread_windows(events)
        since, until = min(span[0] for span in spans), max(span[1] for span in spans)  # ISO dates: as text, in order
        if fetch_spread is not None:
            found = fetch_spread(days, spans, since, until)
        else:
            found = fetch(candidate_query_many(placeholder), (json.dumps(days), json.dumps(spans), since, until))
    for r in found:
        rows.setdefault(r[0], r)
    ordered = sorted(rows.values(), key=lambda r: (str(r[3]), r[0]))  # oldest first, then by id: deterministic
    return assign_incidents(events, (Candidate.from_row(r) for r in ordered))


def spread_windows(events: Sequence[Event]) -> tuple[list[list], list[list]]:
    """The two tables of :func:`candidate_query_many`, as lists of rows: each day of
    each event's own date window with its box, and each event's wider window with its
    box (:func:`events.incidents.event_window`)."""
    days, spans = [], []
    one_day = dt.timedelta(days=1)
    for event in events:
        since, until, (w, s, e, n), (day, near_until) = event_window(event)
        while day <= near_until:
            days.append([day.isoformat(), s, n, w, e])
            day += one_day
        spans.append([since.isoformat(), until.isoformat(), s, n, w, e])
    return days, spans


COMPACT_DAYS = 14  # a batch within this many days and COMPACT_DEG degrees is searched at once
COMPACT_DEG = 0.5


def _is_compact(events: Sequence[Event]) -> bool:
    """Whether a batch lies within COMPACT_DAYS and COMPACT_DEG (a report's events)."""
    days = (max(e.event_date for e in events) - min(e.event_date for e in events)).days
    lats, lons = [e.latitude for e in events], [e.longitude for e in events]
    return days <= COMPACT_DAYS and max(lats) - min(lats) <= COMPACT_DEG and max(lons) - min(lons) <= COMPACT_DEG


GC_PAUSE_MIN_EVENTS = 1000  # writes of at least this many events run with the cycle collector paused


@contextlib.contextmanager
def gc_paused(n_events: int):
    """Pause Python's cycle collector while a write of ``n_events`` builds its rows.

    A bulk write makes a tuple per event and a float per coordinate; with 100,000
    events held by the caller, each of the collector's full passes walks them all,
    and these passes took a quarter of an import's time (benchmarks/store.py). The
    rows hold no cycles; whatever cycles are made meanwhile (here or by another thread)
    are collected once the collector is resumed, which it is (if it was running) when
    the write ends, however it ends (:func:`layers.collector.paused`). Small writes run
    as they are."""
    if n_events < GC_PAUSE_MIN_EVENTS:
        yield
        return
    with collector.paused():
        yield


def check_incident_change(uids: Sequence[str], incident: str) -> list[str]:
    """The uids of a split or merge, checked: at least one, and an incident id."""
    uids = [str(u) for u in uids if str(u)]
    if not uids:
        raise EventValidationError("uids", uids, "is empty: name the events to move (their x_uid)")
    if not incident:
        raise EventValidationError("incident", incident, "is empty: give the incident id (an x_uid) to move them to")
    return uids


_GET_COLUMNS = operator.attrgetter(*EVENT_COLUMNS)
_DATE_INDEX = EVENT_COLUMNS.index("event_date")


def event_row(event: Event) -> tuple:
    """The event's values in :data:`EVENT_COLUMNS` order, the date as ``YYYY-MM-DD``."""
    values = _GET_COLUMNS(event)
    return values[:_DATE_INDEX] + (values[_DATE_INDEX].isoformat(),) + values[_DATE_INDEX + 1:]


def with_article(event: Event, article_id: str) -> Event:
    """The event linked to ``article_id`` (the same object when it is already)."""
    if event.x_article_id == article_id:
        return event
    return replace(event, x_article_id=article_id)


def check_article_link(article: ArticleRecord, events: Sequence[Event]) -> None:
    """Refuse events that name another article than the one they are stored with.

    Raises
    ------
    EventValidationError
        Naming the event's ``x_article_id`` and the article.
    """
    for e in events:
        if e.x_article_id and e.x_article_id != article.article_id:
            raise EventValidationError("x_article_id", e.x_article_id, f"does not match the article {article.article_id}")


# The one message of both backends when an imported row repeats a stored event's content.
X_UID_COLLISION = ("an imported row repeats an event that is stored under another event_id_cnty "
                   "(same date, type, place, actors and source): remove the duplicate row or give it the stored id")


def upsert_counts(ids: Sequence[str], existing: set[str]) -> UpsertResult:
    """(inserted, updated) for rows with these ``event_id_cnty`` in file order, as both
    backends count them: a stored id is an update, and so is an id repeated later in
    the same file."""
    seen = set(existing)
    inserted = updated = 0
    for i in ids:
        if i in seen:
            updated += 1
        else:
            inserted += 1
            seen.add(i)
    return UpsertResult(inserted, updated)


MAX_FILTER_VALUES = 50  # values in one filter (sources, types, review states)
MAX_FILTER_LENGTH = 200  # characters in one filter value


def check_filter_values(name: str, values) -> list[str]:
    """A filter's values as a list of texts, bounded.

    Raises
    ------
    EventValidationError
        For more than :data:`MAX_FILTER_VALUES` values, a value longer than
        :data:`MAX_FILTER_LENGTH` characters, or one that is not text (a lone surrogate).
    """
    values = [str(v) for v in values]
    if len(values) > MAX_FILTER_VALUES:
        raise EventValidationError(name, f"{len(values)} values", f"has too many values: give at most {MAX_FILTER_VALUES}")
    for v in values:
        if len(v) > MAX_FILTER_LENGTH:
            raise EventValidationError(name, v[:40] + "...", f"is longer than {MAX_FILTER_LENGTH} characters: give a shorter text")
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise EventValidationError(name, v.encode("utf-8", "backslashreplace").decode()[:40],
                                       "holds a character that is not text (a lone surrogate): retype it") from None
    return values


def filter_clauses(*, since=None, until=None, event_types=None, sources=None, min_confidence=None, review=None,
                   article_id=None, placeholder: str, column_prefix: str = "", contains: str = "instr") -> tuple[list[str], list]:
    """WHERE clauses and parameters for the attribute filters of ``query``, shared by
    every backend (``placeholder`` is ``?`` for SQLite, ``%s`` for psycopg; ``contains``
    the backend's substring position function, ``instr`` or ``strpos``). The spatial
    filter is each backend's own (R-tree join or ``&&``).

    A source matches literally, ignoring case: ``%``, ``_`` and ``\\`` are characters,
    never wildcards, on every backend.
    """
    ph, c = placeholder, column_prefix
    where: list[str] = []
    params: list = []

    def any_of(column: str, values) -> None:
        values = check_filter_values(column, values)
        where.append(f"{c}{column} IN ({', '.join([ph] * len(values))})")
        params.extend(values)

    if since:
        where.append(f"{c}event_date >= {ph}")
        params.append(parse_event_date(since, field="since").isoformat())
    if until:
        where.append(f"{c}event_date <= {ph}")
        params.append(parse_event_date(until, field="until").isoformat())
    if event_types:
        any_of("event_type", event_types)
    if sources:
        srcs = check_filter_values("sources", sources)
        where.append("(" + " OR ".join(f"{contains}(lower({c}source), {ph}) > 0" for _ in srcs) + ")")
        params.extend(s.lower() for s in srcs)
    if min_confidence is not None:
        where.append(f"{c}x_confidence >= {ph}")
        params.append(float(min_confidence))
    if review:
        any_of("x_review", review)
    if article_id:
        where.append(f"{c}x_article_id = {ph}")
        params.append(article_id)
    return where, params


def check_cell(cell_deg: float) -> float:
    """A grid cell size in degrees, checked (0.001 to 10)."""
    try:
        cell = float(cell_deg)
    except (TypeError, ValueError):
        raise EventValidationError("cell_deg", cell_deg, "is not a number of degrees") from None
    if not 0.001 <= cell <= 10:
        raise EventValidationError("cell_deg", cell_deg, "is out of range: give 0.001 to 10 degrees")
    return cell


def grid_frame(rows, cell: float) -> pd.DataFrame:
    """Rows of (row index, column index, event type, count) as cell centres."""
    import pandas as pd  # only where a frame is returned: base stays light

    df = pd.DataFrame.from_records(list(rows), columns=["gy", "gx", "event_type", "n"])
    df["latitude"] = (df["gy"].astype(float) + 0.5) * cell - 90
    df["longitude"] = (df["gx"].astype(float) + 0.5) * cell - 180
    return df[["latitude", "longitude", "event_type", "n"]].astype({"n": int})


def check_bbox(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` as floats, checked.

    Raises
    ------
    EventValidationError
        If it is not four numbers, is out of range, or has west > east or south > north.
    """
    try:
        w, s, e, n = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise EventValidationError("bbox", bbox, "is not four numbers: give west, south, east, north in degrees") from None
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90 and -90 <= n <= 90):
        raise EventValidationError("bbox", bbox, "is out of range: longitudes lie in -180..180, latitudes in -90..90")
    if w > e or s > n:
        raise EventValidationError("bbox", bbox, "has west > east or south > north: give west, south, east, north")
    return w, s, e, n


def check_columns(columns: Iterable[str] | None) -> list[str]:
    """The event columns a query returns: all of them for ``None``, else those named,
    each once, in :data:`EVENT_COLUMNS` order (the geometry always comes with them).

    Raises
    ------
    EventValidationError
        If a name is not an event column, or none is named.
    """
    if columns is None:
        return list(EVENT_COLUMNS)
    if isinstance(columns, str):
        columns = [columns]
    wanted = set(columns)
    unknown = sorted(wanted - set(EVENT_COLUMNS))
    if unknown:
        raise EventValidationError("columns", ", ".join(unknown),
                                   "is not an event column: use the names of events.COLUMNS (ACLED's, then x_...)")
    if not wanted:
        raise EventValidationError("columns", "", "names no column: give at least one, or None for all")
    return [c for c in EVENT_COLUMNS if c in wanted]


def events_frame(rows: Sequence[Sequence], columns: Sequence[str], geometry) -> "gpd.GeoDataFrame":
    """A query's rows (``columns`` in order, geometry apart) as a GeoDataFrame (EPSG:4326),
    built a column at a time: a store's query builds one on every page rerun."""
    import geopandas as gpd
    import pandas as pd

    frame = pd.DataFrame(dict(zip(columns, zip(*rows))), columns=list(columns))
    if "x_published" in frame:
        frame["x_published"] = frame["x_published"].fillna("")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


# Every form a database password takes in a connection string: the user-info of a URL
# (also with no user name: "postgresql://:PW@host"), a query parameter
# ("?password=PW", "&sslpassword=PW"), and a libpq key/value pair ("password=PW",
# "password='P W'").
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s]*):[^@\s]*@", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"([?&;](?:ssl)?(?:password|passwd|pwd|pass)=)[^&#\s]*", re.IGNORECASE)
_KEYVALUE_PASSWORD = re.compile(r"\b((?:ssl)?password\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|[^\s&]+)", re.IGNORECASE)


def redact_target(target: str) -> str:
    """Text fit to print (a store path, a URL, or a message that quotes one): every
    password in it replaced by ``***``. Every message that names a store goes
    through this."""
    text = _URL_PASSWORD.sub(r"\1:***@", str(target))
    text = _QUERY_PASSWORD.sub(r"\1***", text)
    return _KEYVALUE_PASSWORD.sub(r"\1***", text)
