"""The event store on PostgreSQL/PostGIS, for teams (docs/ARCHITECTURE.md, "The store contract").

Same interface and guarantees as the GeoPackage :class:`~store.geopackage.GeoPackageStore`:
an ingest stores all of an article's events or none (one transaction); the same
article again adds nothing (unique ``article_id``); an ACLED row with a stored
``event_id_cnty`` updates it; concurrent writers lose nothing (row-level locks and
unique constraints); the schema is versioned and migrated. Geometries live in a
``geometry(Geometry, 4326)`` column with a GiST index; dates are indexed; filters run
in the database. Selected by ``KARABAKH_MAP_DATABASE_URL=postgresql://...``.
"""
from __future__ import annotations

import logging
from typing import Iterable, Sequence

import geopandas as gpd
import pandas as pd
import shapely

from events import REVIEW_STATES, ArticleRecord, Event, EventValidationError, empty_events_frame

from .base import (
    EVENT_COLUMNS, IngestResult, StoreError, UpsertResult, check_article_link, check_bbox, check_cell,
    ROADS_WHERE, VAGUE_WHERE, check_columns, check_incident_change, event_row, events_frame, filter_clauses,
    link_new_events,
    X_UID_COLLISION, gc_paused, grid_frame, upsert_counts,
    redact_target, with_article,
)
from .seeding import load_new_seeds

log = logging.getLogger(__name__)

_COLS = list(EVENT_COLUMNS)
_TYPES = {
    "event_date": "date NOT NULL", "year": "integer", "time_precision": "integer", "inter1": "integer",
    "inter2": "integer", "interaction": "integer", "iso": "integer", "latitude": "double precision",
    "longitude": "double precision", "geo_precision": "integer", "fatalities": "integer", "timestamp": "bigint",
    "x_confidence": "double precision", "x_published": "date", "x_evidence_start": "integer DEFAULT -1",
    "x_evidence_end": "integer DEFAULT -1", "event_id_cnty": "text NOT NULL UNIQUE", "x_uid": "text NOT NULL UNIQUE",
    "x_review": "text DEFAULT 'unreviewed'", "x_article_id": "text DEFAULT ''",
}
_V2_COLUMNS = ("x_evidence_start", "x_evidence_end", "x_review", "x_article_id")
_V4_COLUMNS = ("x_incident", "x_incident_reason", "x_claim", "x_claimant")
_V1_COLUMNS = [c for c in _COLS if c not in _V2_COLUMNS + _V4_COLUMNS]

MIGRATIONS: list[list[str]] = [
    # 1: articles and events, with the spatial index
    [
        "CREATE EXTENSION IF NOT EXISTS postgis",
        "CREATE TABLE IF NOT EXISTS km_meta (key text PRIMARY KEY, value text NOT NULL)",
        "CREATE TABLE articles (fid bigserial PRIMARY KEY, article_id text NOT NULL UNIQUE, title text, source_name text,"
        " source_url text, published date, ingested_at timestamptz, n_chars integer, n_events integer, origin text)",
        "CREATE TABLE events (fid bigserial PRIMARY KEY, geom geometry(Geometry, 4326), "
        + ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in _V1_COLUMNS) + ")",
        "CREATE INDEX events_geom_gist ON events USING gist (geom)",
    ],
    # 2: evidence offsets, review status, the article link; index on the date
    [
        *(f"ALTER TABLE events ADD COLUMN {c} {_TYPES[c]}" for c in _V2_COLUMNS),
        "CREATE INDEX events_event_date ON events (event_date)",
        "CREATE INDEX events_article ON events (x_article_id)",
    ],
    # 3: a covering index for counting events per grid cell (views of many events)
    [
        "CREATE INDEX events_grid ON events (latitude, longitude, event_type, event_date, x_review, x_confidence)",
    ],
    # 4: incidents (events of several reports linked into one) and each report's claim;
    # the date index also holds the point (candidates are found without reading other rows)
    [
        *(f"ALTER TABLE events ADD COLUMN {c} text DEFAULT ''" for c in _V4_COLUMNS),
        "UPDATE events SET x_incident = x_uid WHERE x_incident = '' OR x_incident IS NULL",
        "DROP INDEX events_event_date",
        "CREATE INDEX events_date_point ON events (event_date, latitude, longitude)",
        f"CREATE INDEX events_vague ON events (event_date, latitude, longitude) WHERE {VAGUE_WHERE}",
        f"CREATE INDEX events_roads ON events (event_date) WHERE {ROADS_WHERE}",
    ],
    # 5: one index for the page's usual read, a date range and a box together: the date
    # index and the spatial one each match far more rows than both do (btree_gist ships
    # with PostgreSQL and is a trusted extension: a database owner may create it)
    [
        "CREATE EXTENSION IF NOT EXISTS btree_gist",
        "CREATE INDEX events_date_geom ON events USING gist (event_date, geom)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
_INSERT = (f"INSERT INTO events (geom, {', '.join(_COLS)}) VALUES (ST_GeomFromWKB(%s, 4326), "
           + ", ".join(["%s"] * len(_COLS)) + ")")


_PUBLISHED = _COLS.index("x_published")


def _pg_row(event: Event, article_id: str) -> tuple:
    """A row for PostgreSQL: geometry as WKB, an empty publication date as NULL."""
    row = event_row(with_article(event, article_id))
    if row[_PUBLISHED] == "":
        row = row[:_PUBLISHED] + (None,) + row[_PUBLISHED + 1:]
    return (shapely.to_wkb(event.geometry), *row)


def _connect(url: str):
    try:
        import psycopg
    except ImportError as err:
        raise StoreError("KARABAKH_MAP_DATABASE_URL is set but psycopg is not installed: pip install 'psycopg[binary]'") from err
    try:
        return psycopg.connect(url, autocommit=False, connect_timeout=10)
    except psycopg.Error as err:
        # the driver's own message may quote the connection string: redact all of it
        raise StoreError(redact_target(f"cannot connect to the PostGIS store ({url}): {err}".strip())
                         + "; check KARABAKH_MAP_DATABASE_URL and that the server runs") from None


class PostgisStore:
    """Events and articles in a PostGIS database; see :class:`store.base.EventStore`."""

    def __init__(self, url: str, *, load_seeds: bool = True):
        self.url = url
        self.path = redact_target(url)
        self._con = _connect(url)
        try:
            self._migrate()
        except Exception as err:
            self._con.rollback()
            raise StoreError(redact_target(f"the PostGIS store {self.path} could not be prepared: {err}")) from err
        if load_seeds:
            load_new_seeds(self)

    # -- schema --------------------------------------------------------------------
    def _version(self, cur) -> int:
        cur.execute("SELECT to_regclass('km_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return 0
        cur.execute("SELECT value FROM km_meta WHERE key = 'schema_version'")
        row = cur.fetchone()
        return int(row[0]) if row else 0

    def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        with self._con.transaction():
            cur = self._con.cursor()
            cur.execute("SELECT pg_advisory_xact_lock(7402011)")  # one migrator at a time
            current = self._version(cur)
            for step in range(current, target):
                for sql in MIGRATIONS[step]:
                    cur.execute(sql)
            if current < target:
                cur.execute("INSERT INTO km_meta VALUES ('schema_version', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                            (str(target),))
                log.info("PostGIS store %s: schema %d -> %d", self.path, current, target)
        self._con.commit()

    @property
    def schema_version(self) -> int:
        with self._con.cursor() as cur:
            v = self._version(cur)
        self._con.commit()
        return v

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "PostgisStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------
    def _write(self, fn):
        import psycopg

        try:
            with self._con.transaction():
                cur = self._con.cursor()
                result = fn(cur)
                cur.execute("INSERT INTO km_meta VALUES ('revision', '1') ON CONFLICT (key) "
                            "DO UPDATE SET value = (km_meta.value::bigint + 1)::text")
            return result
        except psycopg.Error as err:
            raise StoreError(f"the PostGIS store {self.path} failed: {err}; nothing was changed") from err

    def has_article(self, article_id: str) -> bool:
        with self._con.cursor() as cur:
            cur.execute("SELECT 1 FROM articles WHERE article_id = %s", (article_id,))
            found = cur.fetchone() is not None
        self._con.commit()
        return found

    def _insert_article(self, cur, article: ArticleRecord, n: int) -> bool:
        cur.execute(
            "INSERT INTO articles (article_id, title, source_name, source_url, published, ingested_at, n_chars, n_events, origin)"
            " VALUES (%s, %s, %s, %s, %s, coalesce(%s::timestamptz, now()), %s, %s, %s)"
            " ON CONFLICT (article_id) DO NOTHING RETURNING fid",
            (article.article_id, article.title, article.source_name, article.source_url, article.published or None,
             article.ingested_at or None, article.n_chars, n, article.origin))
        return cur.fetchone() is not None

    def ingest(self, article: ArticleRecord, events: Sequence[Event]) -> IngestResult:
        """Store an article and its events in one transaction, or nothing."""
        def do(cur) -> IngestResult:
            if not self._insert_article(cur, article, len(events)):
                return IngestResult(article.article_id, 0, True)
            check_article_link(article, events)
            # one statement: the article's events stored already (by another route, such as an
            # import) and which of these events are; the count after the insert follows
            cur.execute("SELECT (SELECT count(*) FROM events WHERE x_article_id = %s),"
                        " array(SELECT x_uid FROM events WHERE x_uid = ANY(%s))",
                        (article.article_id, [e.x_uid for e in events]))
            before, stored_uids = cur.fetchone()
            stored = set(stored_uids)

            def fetch(sql, params):
                cur.execute(sql, params)
                return cur.fetchall()

            fresh = [e for e in dict((e.x_uid, e) for e in events).values() if e.x_uid not in stored]
            linked = link_new_events(fresh, fetch, "%s")
            rows = [_pg_row(e, article.article_id) for e in linked]
            cur.executemany(_INSERT + " ON CONFLICT (x_uid) DO NOTHING", rows)
            inserted = cur.rowcount if rows else 0  # the rows all the inserts added (psycopg >= 3.1)
            return IngestResult(article.article_id, before + inserted, False)

        with gc_paused(len(events)):
            result = self._write(do)
        log.info("ingest %s: %s", article.article_id, "duplicate" if result.duplicate else f"stored {result.stored}")
        return result

    def upsert_events(self, events: Sequence[Event], *, article: ArticleRecord | None = None) -> UpsertResult:
        """Insert events, or update those whose ``event_id_cnty`` is stored, in one transaction."""
        sets = ", ".join(["geom = EXCLUDED.geom"] + [f"{c} = EXCLUDED.{c}" for c in _COLS if c != "event_id_cnty"])

        def do(cur) -> UpsertResult:
            if article is not None:
                self._insert_article(cur, article, len(events))
            aid = article.article_id if article else ""
            ids = [e.event_id_cnty for e in events]
            cur.execute("SELECT event_id_cnty FROM events WHERE event_id_cnty = ANY(%s)", (list(set(ids)),))
            existing = {r[0] for r in cur.fetchall()}
            rows = [_pg_row(e, e.x_article_id or aid) for e in events]
            cur.executemany(_INSERT + f" ON CONFLICT (event_id_cnty) DO UPDATE SET {sets}", rows)
            return upsert_counts(ids, existing)

        try:
            with gc_paused(len(events)):
                return self._write(do)
        except StoreError as err:
            if "events_x_uid_key" in str(err.__cause__ or err):
                raise StoreError(X_UID_COLLISION) from err
            raise

    def set_review(self, uid: str, state: str) -> None:
        if state not in REVIEW_STATES:
            raise EventValidationError("x_review", state, f"is not a review state: use one of {', '.join(REVIEW_STATES)}")

        def do(cur) -> int:
            cur.execute("UPDATE events SET x_review = %s WHERE x_uid = %s", (state, uid))
            return cur.rowcount

        if self._write(do) == 0:
            raise EventValidationError("x_uid", uid, "is not a stored event: list events with `karabakh-map events`")

    def set_incident(self, uids: Sequence[str], incident: str, reason: str) -> int:
        """Put the events ``uids`` in ``incident`` by hand (a split or a merge); returns how many changed."""
        uids = check_incident_change(uids, incident)

        def do(cur) -> int:
            cur.execute("UPDATE events SET x_incident = %s, x_incident_reason = %s WHERE x_uid = ANY(%s)", (incident, reason, uids))
            return cur.rowcount

        n = self._write(do)
        if n == 0:
            raise EventValidationError("x_uid", uids[0], "is not a stored event: list events with `karabakh-map events`")
        log.info("incident %s: %d events moved (%s)", incident, n, reason)
        return n

    # -- reading -------------------------------------------------------------------
    def _scalar(self, sql: str, params=()):
        with self._con.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
        self._con.commit()
        return row[0] if row else None

    def revision(self) -> int:
        return int(self._scalar("SELECT value FROM km_meta WHERE key = 'revision'") or 0)

    def count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM events"))

    def articles(self) -> pd.DataFrame:
        with self._con.cursor() as cur:
            cur.execute("SELECT article_id, title, source_name, source_url, published::text, "
                        "to_char(ingested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS+00:00'), n_events, origin, n_chars "
                        "FROM articles ORDER BY fid DESC")
            rows = cur.fetchall()
        self._con.commit()
        return pd.DataFrame(rows, columns=["article_id", "title", "source_name", "source_url", "published", "ingested_at",
                                           "n_events", "origin", "n_chars"])

    def query(self, *, since=None, until=None, event_types: Iterable[str] | None = None, sources: Iterable[str] | None = None,
              bbox=None, min_confidence: float | None = None, review: Iterable[str] | None = None,
              article_id: str | None = None, limit: int | None = None,
              columns: Iterable[str] | None = None) -> gpd.GeoDataFrame:
        """Events matching every filter, oldest first; filters run in PostGIS (see store.base.EventStore.query)."""
        cols = check_columns(columns)
        where, params = filter_clauses(since=since, until=until, event_types=event_types, sources=sources,
                                       min_confidence=min_confidence, review=review, article_id=article_id,
                                       placeholder="%s", contains="strpos")
        if bbox is not None:
            w, s, e, n = check_bbox(bbox)
            where.append("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
            params += [w, s, e, n]
        sql = f"SELECT ST_AsBinary(geom), {', '.join(c if c not in ('event_date', 'x_published') else c + '::text' for c in cols)} FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY event_date, fid"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._con.cursor(binary=True) as cur:  # binary: numbers, dates and the WKB as they are, no text to parse
            cur.execute(sql, params)
            rows = cur.fetchall()
        self._con.commit()
        if not rows:
            return empty_events_frame(cols)
        geoms = shapely.from_wkb([r[0] for r in rows])
        return events_frame([r[1:] for r in rows], cols, geoms)

    def grid_counts(self, *, cell_deg: float, since=None, until=None, event_types=None, sources=None, bbox=None,
                    min_confidence=None, review=None) -> pd.DataFrame:
        """Events per grid cell and type, counted in PostGIS (see store.base.EventStore.grid_counts)."""
        cell = check_cell(cell_deg)
        where, params = filter_clauses(since=since, until=until, event_types=event_types, sources=sources,
                                       min_confidence=min_confidence, review=review, placeholder="%s", contains="strpos")
        if bbox is not None:  # by the event's point, where the map draws it (the covering index answers)
            w, s, e, n = check_bbox(bbox)
            where.append("latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s")
            params += [s, n, w, e]
        sql = (f"SELECT floor((latitude + 90) / {cell!r})::int AS gy, floor((longitude + 180) / {cell!r})::int AS gx,"
               " event_type, count(*) FROM events")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " GROUP BY gy, gx, event_type"
        with self._con.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        self._con.commit()
        return grid_frame(rows, cell)

    def integrity_check(self) -> str:
        """'ok' when every event has a valid geometry and an article."""
        bad = self._scalar("SELECT count(*) FROM events WHERE geom IS NULL OR NOT ST_IsValid(geom)")
        return "ok" if not bad else f"{bad} events with missing or invalid geometry"
