"""The event store: a GeoPackage file (docs/ARCHITECTURE.md, "The store contract").

Guarantees, each tested in ``tests/test_store.py``:

- an ingest stores all of an article's events or none;
- ingesting the same article again adds nothing; an ACLED row whose
  ``event_id_cnty`` is stored already updates that row;
- several processes may write at once (WAL journal, busy timeout, ``BEGIN IMMEDIATE``);
- a writer killed mid-ingest leaves a store that opens, passes
  ``PRAGMA integrity_check`` and holds whole articles only (SQLite's atomic commit);
- the schema has a version; an older store is migrated when opened;
- a file that is not a karabakh-map GeoPackage is refused, never overwritten.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import os
import sqlite3
from pathlib import Path
from typing import Iterable, Sequence

import geopandas as gpd
import pandas as pd

from events import REVIEW_STATES, ArticleRecord, Event, EventValidationError, empty_events_frame

from . import gpkg_format as gpkg
from . import settings
from .base import (
    EVENT_COLUMNS, IngestResult, StoreError, UpsertResult, check_article_link, check_bbox, check_cell,
    candidate_query_many, check_columns, check_incident_change, event_row, events_frame, filter_clauses, link_new_events,
    X_UID_COLLISION, gc_paused, grid_frame, with_article,
)
from .seeding import load_new_seeds

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000
_EVENT_COLS = list(EVENT_COLUMNS)
_INSERT_SQL = (
    f"INSERT INTO events (geom, {', '.join(_EVENT_COLS)}) "
    f"VALUES (?, {', '.join('?' for _ in _EVENT_COLS)})"
)
# A plain UPDATE, not an UPSERT: inside an UPSERT SQLite overrides the R-tree
# triggers' INSERT OR REPLACE, and the index update fails.
_UPDATE_SQL = "UPDATE events SET geom=?, " + ", ".join(f"{c}=?" for c in _EVENT_COLS if c != "event_id_cnty") + " WHERE event_id_cnty=?"


class GeoPackageStore:
    """Events and articles in one GeoPackage file: the single analyst's store.

    Parameters
    ----------
    path
        The ``.gpkg`` file; ``None`` means :func:`store.settings.store_path`. Created,
        with its folder, when missing.
    load_seeds
        Whether to load seed files not loaded yet (``seeds/`` and ``KARABAKH_MAP_SEEDS``).

    Raises
    ------
    StoreError
        If the file exists but is not a GeoPackage written by karabakh-map, is
        corrupt, or cannot be created (the message says why and what to do).
    """

    def __init__(self, path: str | os.PathLike | None = None, *, load_seeds: bool = True):
        self.path = Path(path) if path is not None else settings.store_path()
        self._con = self._connect()
        if load_seeds:
            load_new_seeds(self)

    # -- opening -----------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        existed = self.path.exists() and self.path.stat().st_size > 0
        if existed:
            _check_writable(self.path)
            _check_foreign(self.path)
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"cannot create the store folder {self.path.parent}: {err.strerror}; "
                                 "set KARABAKH_MAP_STORE to a writable path") from err
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                  check_same_thread=False)
            gpkg.register_functions(con)
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not existed:
                con.execute("PRAGMA page_size = 8192")  # fewer, fuller pages for 45-column rows
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("store %s uses journal mode %s, not WAL", self.path, mode)
            con.execute("PRAGMA synchronous = NORMAL")
            # Random keys (x_uid, the R-tree) touch pages all over the file: a larger page
            # cache keeps ingest speed flat as the store grows.
            con.execute("PRAGMA cache_size = -131072")  # KiB: 128 MiB at most
            con.execute("PRAGMA temp_store = MEMORY")
            # Checkpoint the WAL every ~32 MiB instead of every 4 MiB: fewer, larger
            # checkpoints (each one fsyncs) make ingest about twice as fast.
            con.execute("PRAGMA wal_autocheckpoint = 8000")
            con.execute("PRAGMA foreign_keys = ON")
            before, after = gpkg.migrate(con)
        except sqlite3.DatabaseError as err:
            raise StoreError(_explain(err, self.path)) from err
        if before != after:
            # GDAL reads the GeoPackage header from the main file: put it there now.
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if before:
                log.info("migrated store %s from schema %d to %d", self.path, before, after)
            else:
                log.info("created store %s (schema %d)", self.path, after)
        return con

    def close(self) -> None:
        """Checkpoint the WAL into the file (so other tools see every write) and close."""
        try:
            self._con.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as err:
            log.debug("checkpoint on close skipped: %s", err)
        self._con.close()

    def __enter__(self) -> "GeoPackageStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return gpkg.schema_version(self._con)

    # -- writing -------------------------------------------------------------------
    def _write(self, fn):
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise StoreError(_explain(err, self.path)) from err
        try:
            result = fn(self._con)
            self._con.execute(
                "INSERT INTO km_meta VALUES ('revision', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
            self._con.execute("COMMIT")
            return result
        except BaseException as err:
            if self._con.in_transaction:  # SQLite may have rolled back already (disk full, I/O error)
                self._con.execute("ROLLBACK")
            if isinstance(err, sqlite3.DatabaseError):
                raise StoreError(_explain(err, self.path)) from err
            raise

    def has_article(self, article_id: str) -> bool:
        """Whether an article with this id is stored."""
        return self._con.execute("SELECT 1 FROM articles WHERE article_id=?", (article_id,)).fetchone() is not None

    def ingest(self, article: ArticleRecord, events: Sequence[Event]) -> IngestResult:
        """Store an article and all its events in one transaction, or nothing.

        An article stored already (same ``article_id``) adds nothing and returns
        ``duplicate=True``. An event whose ``x_uid`` is stored already (the same fact
        from another copy of the article) is skipped.
        """
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

        def do(con: sqlite3.Connection) -> IngestResult:
            if con.execute("SELECT 1 FROM articles WHERE article_id=?", (article.article_id,)).fetchone():
                return IngestResult(article.article_id, 0, True)
            con.execute(
                "INSERT INTO articles (article_id, title, source_name, source_url, published, ingested_at, n_chars, n_events, origin)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (article.article_id, article.title, article.source_name, article.source_url,
                 article.published or None, article.ingested_at or now, article.n_chars, len(events), article.origin),
            )
            rows = _new_events(con, events)
            check_article_link(article, rows)
            rows = link_new_events(rows, lambda sql, params: con.execute(sql, params).fetchall(), "?",
                                   lambda *windows: _fetch_spread(con, *windows))
            blobs = gpkg.event_blobs(rows)
            gpkg.bulk_insert(con, _INSERT_SQL, [(b, *event_row(with_article(e, article.article_id))) for b, e in zip(blobs, rows)])
            return IngestResult(article.article_id, _count_article(con, article.article_id), False)

        with gc_paused(len(events)):
            result = self._write(do)
        log.info("ingest %s: %s", article.article_id, "duplicate, nothing added" if result.duplicate else f"stored {result.stored} events")
        return result

    def upsert_events(self, events: Sequence[Event], *, article: ArticleRecord | None = None) -> UpsertResult:
        """Insert events, or update those whose ``event_id_cnty`` is stored, in one transaction."""
        def do(con: sqlite3.Connection) -> UpsertResult:
            ids = [e.event_id_cnty for e in events]
            existing = set()
            for i in range(0, len(ids), 900):
                chunk = ids[i : i + 900]
                existing.update(r[0] for r in con.execute(
                    f"SELECT event_id_cnty FROM events WHERE event_id_cnty IN ({','.join('?' * len(chunk))})", chunk))
            if article is not None and not con.execute("SELECT 1 FROM articles WHERE article_id=?", (article.article_id,)).fetchone():
                con.execute(
                    "INSERT INTO articles (article_id, title, source_name, source_url, published, ingested_at, n_chars, n_events, origin)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    (article.article_id, article.title, article.source_name, article.source_url, article.published or None,
                     dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), article.n_chars, len(events), article.origin),
                )
            blobs = gpkg.event_blobs(events)
            aid = article.article_id if article else ""
            inserts, updates = [], []
            for b, e in zip(blobs, events):
                row = event_row(with_article(e, e.x_article_id or aid))
                if e.event_id_cnty in existing:
                    values = dict(zip(_EVENT_COLS, row))
                    updates.append((b, *(values[c] for c in _EVENT_COLS if c != "event_id_cnty"), e.event_id_cnty))
                else:
                    existing.add(e.event_id_cnty)  # a repeated id later in the same file updates
                    inserts.append((b, *row))
            gpkg.bulk_insert(con, _INSERT_SQL, inserts)
            con.executemany(_UPDATE_SQL, updates)
            return UpsertResult(len(inserts), len(updates))

        try:
            with gc_paused(len(events)):
                result = self._write(do)
        except StoreError as err:
            if "UNIQUE constraint failed: events.x_uid" in str(err.__cause__):
                raise StoreError(X_UID_COLLISION) from err
            raise
        log.info("import: %d inserted, %d updated", result.inserted, result.updated)
        return result

    def set_review(self, uid: str, state: str) -> None:
        """Set an event's review status (``unreviewed``, ``confirmed`` or ``rejected``)."""
        if state not in REVIEW_STATES:
            raise EventValidationError("x_review", state, f"is not a review state: use one of {', '.join(REVIEW_STATES)}")
        n = self._write(lambda con: con.execute("UPDATE events SET x_review=? WHERE x_uid=?", (state, uid)).rowcount)
        if n == 0:
            raise EventValidationError("x_uid", uid, "is not a stored event: list events with `karabakh-map events`")

    def set_incident(self, uids: Sequence[str], incident: str, reason: str) -> int:
        """Put the events ``uids`` in ``incident`` by hand (a split or a merge); returns how many changed."""
        uids = check_incident_change(uids, incident)

        def do(con: sqlite3.Connection) -> int:
            n = 0
            for i in range(0, len(uids), 900):
                chunk = uids[i : i + 900]
                n += con.execute(f"UPDATE events SET x_incident=?, x_incident_reason=? WHERE x_uid IN ({','.join('?' * len(chunk))})",
                                 (incident, reason, *chunk)).rowcount
            return n

        n = self._write(do)
        if n == 0:
            raise EventValidationError("x_uid", uids[0], "is not a stored event: list events with `karabakh-map events`")
        log.info("incident %s: %d events moved (%s)", incident, n, reason)
        return n

    # -- reading -------------------------------------------------------------------
    def revision(self) -> int:
        """A number that grows with every write by any process: a cache key for reads."""
        row = self._con.execute("SELECT value FROM km_meta WHERE key='revision'").fetchone()
        return int(row[0]) if row else 0

    def count(self) -> int:
        """Number of stored events."""
        return self._con.execute("SELECT count(*) FROM events").fetchone()[0]

    def articles(self) -> pd.DataFrame:
        """Stored articles, newest ingest first."""
        return pd.read_sql_query(
            "SELECT article_id, title, source_name, source_url, published, ingested_at, n_events, origin, n_chars "
            "FROM articles ORDER BY fid DESC", self._con)

    def query(
        self,
        *,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        event_types: Iterable[str] | None = None,
        sources: Iterable[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        min_confidence: float | None = None,
        review: Iterable[str] | None = None,
        article_id: str | None = None,
        limit: int | None = None,
        columns: Iterable[str] | None = None,
    ) -> gpd.GeoDataFrame:
        """Events matching every filter given, oldest first, as a GeoDataFrame (EPSG:4326).

        Parameters
        ----------
        since, until
            Inclusive date bounds (date or ``YYYY-MM-DD``).
        event_types
            ACLED event types to keep.
        sources
            Keep events whose ``source`` contains any of these (case-insensitive).
        bbox
            ``(west, south, east, north)`` in degrees: events whose geometry's envelope
            meets it (the GeoPackage R-tree answers this).
        min_confidence
            Keep events with ``x_confidence`` at least this.
        review
            Review states to keep.
        article_id
            Keep the events of this article.
        limit
            At most this many events (the oldest).
        columns
            The event columns to return (:func:`store.base.check_columns`); all when ``None``.
        """
        cols = check_columns(columns)
        where, params = filter_clauses(since=since, until=until, event_types=event_types, sources=sources,
                                       min_confidence=min_confidence, review=review, article_id=article_id,
                                       placeholder="?", column_prefix="e.")
        join = ""
        if bbox is not None:
            w, s, e_, n = check_bbox(bbox)
            join = "JOIN rtree_events_geom r ON r.id = e.fid"
            where.append("r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?")
            params += [w, e_, s, n]
        sql = f"SELECT e.geom, {', '.join('e.' + c for c in cols)} FROM events e {join}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY e.event_date, e.fid"
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = self._con.execute(sql, params).fetchall()
        if not rows:
            return empty_events_frame(cols)
        return events_frame([r[1:] for r in rows], cols, gpkg.from_blobs([r[0] for r in rows]))

    def grid_counts(self, *, cell_deg: float, since=None, until=None, event_types=None, sources=None, bbox=None,
                    min_confidence=None, review=None) -> pd.DataFrame:
        """Events per grid cell and type, counted in SQLite (see store.base.EventStore.grid_counts)."""
        cell = check_cell(cell_deg)
        where, params = filter_clauses(since=since, until=until, event_types=event_types, sources=sources,
                                       min_confidence=min_confidence, review=review, placeholder="?", column_prefix="e.")
        if bbox is not None:  # by the event's point, where the map draws it: the covering index answers
            w, s, e_, n = check_bbox(bbox)
            where.append("e.latitude BETWEEN ? AND ? AND e.longitude BETWEEN ? AND ?")
            params += [s, n, w, e_]
        # one integer per cell (row * columns + column): grouping by it costs less than by two
        n_cols = math.ceil(360 / cell) + 1
        sql = (f"SELECT CAST((e.latitude + 90) / {cell!r} AS INTEGER) * {n_cols} + CAST((e.longitude + 180) / {cell!r} AS INTEGER)"
               f" AS k, e.event_type, count(*) FROM events e INDEXED BY events_date_point")  # never the wide rows
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " GROUP BY k, e.event_type"
        rows = self._con.execute(sql, params).fetchall()
        return grid_frame([(k // n_cols, k % n_cols, kind, n) for k, kind, n in rows], cell)

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result (``"ok"`` when sound)."""
        return self._con.execute("PRAGMA integrity_check").fetchone()[0]


# The windows of a batch spread over years or the region, in tables of the connection's
# own (temporary: never in the file), filled anew for each batch.
_WINDOW_TABLES = ("temp.km_link_days", "temp.km_link_spans")
_SPREAD_SQL = candidate_query_many("?", _WINDOW_TABLES)


def _fetch_spread(con: sqlite3.Connection, days: list[list], spans: list[list], since: str, until: str) -> list:
    """The candidates of a spread batch (``store.base.candidate_query_many``), its
    windows put in the connection's temporary tables: read by SQLite as plain values,
    not parsed from JSON for every probe."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS km_link_days (day TEXT, s REAL, n REAL, w REAL, e REAL)")
    con.execute("CREATE TEMP TABLE IF NOT EXISTS km_link_spans (since TEXT, until TEXT, s REAL, n REAL, w REAL, e REAL)")
    con.execute("DELETE FROM temp.km_link_days")
    con.execute("DELETE FROM temp.km_link_spans")
    con.executemany("INSERT INTO temp.km_link_days VALUES (?, ?, ?, ?, ?)", days)
    con.executemany("INSERT INTO temp.km_link_spans VALUES (?, ?, ?, ?, ?, ?)", spans)
    return con.execute(_SPREAD_SQL, (since, until)).fetchall()


def _new_events(con: sqlite3.Connection, events: Sequence[Event]) -> list[Event]:
    """Events whose ``x_uid`` is neither stored nor repeated earlier in ``events``."""
    uids = [e.x_uid for e in events]
    stored: set[str] = set()
    for i in range(0, len(uids), 900):
        chunk = uids[i : i + 900]
        stored.update(r[0] for r in con.execute(f"SELECT x_uid FROM events WHERE x_uid IN ({','.join('?' * len(chunk))})", chunk))
    out = []
    for e in events:
        if e.x_uid not in stored:
            stored.add(e.x_uid)
            out.append(e)
    return out


def _count_article(con: sqlite3.Connection, article_id: str) -> int:
    return con.execute("SELECT count(*) FROM events WHERE x_article_id=?", (article_id,)).fetchone()[0]


def _check_foreign(path: Path) -> None:
    """Refuse a file that is not a karabakh-map GeoPackage, without writing to it."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as err:
        raise StoreError(f"cannot read the store {path}: {err.strerror}") from err
    if not header.startswith(b"SQLite format 3\x00"):
        raise StoreError(
            f"{path} is not a GeoPackage (not an SQLite file): point KARABAKH_MAP_STORE at a new path; "
            "the file was left as it is"
        )
    try:
        # As a file: URI with the path percent-encoded, so that "#", "?" or "%41" in a
        # name are part of the name, never URI syntax that points at another file.
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as err:
        raise StoreError(_explain(err, path)) from err
    # Ours is decided by the application id and the tables, never by emptiness: a file
    # another program has claimed (its application id) is not migrated into.
    if app_id not in (0, gpkg.GPKG_APPLICATION_ID):
        raise StoreError(
            f"{path} belongs to another application (SQLite application id {app_id:#010x}, not GeoPackage's): "
            "point KARABAKH_MAP_STORE at a new path; the file was left as it is"
        )
    if tables and not {"km_meta", "events"} <= tables:
        raise StoreError(
            f"{path} is an SQLite/GeoPackage file of another application (tables: {', '.join(sorted(tables)[:5])}): "
            "point KARABAKH_MAP_STORE at a new path; the file was left as it is"
        )


def _check_writable(path: Path) -> None:
    """Refuse a store that cannot be written (read-only file system or file mode)."""
    read_only_fs = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    if read_only_fs or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        where = "on a read-only file system" if read_only_fs else "not writable by this user"
        raise StoreError(
            f"the store {path} is read-only ({where}): copy it to a writable folder or point "
            "KARABAKH_MAP_STORE elsewhere; nothing was changed"
        )


def _explain(err: sqlite3.Error, path: Path) -> str:
    msg = str(err)
    if "readonly" in msg or "read-only" in msg:
        return f"the store {path} is read-only ({msg}): make it writable or point KARABAKH_MAP_STORE elsewhere; nothing was changed"
    if "disk is full" in msg or "disk I/O" in msg:
        return f"the store {path} could not be written ({msg}): free disk space and try again; nothing was changed"
    if "malformed" in msg or "not a database" in msg or "file is encrypted" in msg:
        return f"the store {path} is corrupt ({msg}): restore it from a backup or point KARABAKH_MAP_STORE at a new path; the file was left as it is"
    if "locked" in msg or "busy" in msg:
        return f"the store {path} stayed locked by another writer for {BUSY_TIMEOUT_MS // 1000} s ({msg}): try again"
    if "unable to open" in msg:
        return f"the store {path} cannot be opened ({msg}): check the path and its permissions, or set KARABAKH_MAP_STORE"
    return f"the store {path} failed: {msg}"
