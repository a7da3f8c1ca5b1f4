"""GeoPackage plumbing: geometry blobs, the core tables, R-tree triggers, migrations.

The store writes OGC GeoPackage 1.3 by hand through :mod:`sqlite3`, so that one
transaction covers an article and all its events, and WAL mode lets several processes
write. Any GIS reads the file: ``pyogrio.read_dataframe(path, layer="events")`` or QGIS.

The spatial index is the GeoPackage R-tree extension, kept in step by the standard
triggers. They call ``ST_IsEmpty``/``ST_MinX``/... which GDAL defines; this module
defines them on its own connections (:func:`register_functions`).
"""
from __future__ import annotations

import sqlite3
import struct
from typing import TYPE_CHECKING, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .base import ROADS_WHERE, VAGUE_WHERE

if TYPE_CHECKING:
    from events import Event

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10300  # GeoPackage 1.3.0
SRS_ID = 4326
_HEADER = struct.Struct("<2sBBi4d")
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)


def to_blob(geom: BaseGeometry) -> bytes:
    """A shapely geometry as a GeoPackage geometry blob (little endian, xy envelope)."""
    minx, miny, maxx, maxy = geom.bounds
    return _HEADER.pack(b"GP", 0, 0b011, SRS_ID, minx, maxx, miny, maxy) + shapely.to_wkb(geom, byte_order=1)


# a point's blob: the header with its envelope, then the WKB point (little endian, type 1)
_POINT_BLOB = struct.Struct("<2sBBi4dBI2d")


def event_blobs(events: Sequence[Event]) -> list[bytes]:
    """The events' geometries as GeoPackage blobs, the same bytes as :func:`to_blobs`; a
    point is packed from its coordinates, with no shapely geometry made for it."""
    out: list[bytes | None] = []
    others: list[int] = []
    for i, e in enumerate(events):
        xy = e.point_xy()
        if xy is None:
            others.append(i)
            out.append(None)
        else:
            x, y = xy
            out.append(_POINT_BLOB.pack(b"GP", 0, 0b011, SRS_ID, x, x, y, y, 1, 1, x, y))
    if others:
        for i, blob in zip(others, to_blobs([events[i].geometry for i in others])):
            out[i] = blob
    return out  # type: ignore[return-value]


def to_blobs(geoms: Sequence[BaseGeometry]) -> list[bytes]:
    """Vectorised :func:`to_blob`."""
    arr = np.asarray(geoms, dtype=object)
    bounds = shapely.bounds(arr)
    wkbs = shapely.to_wkb(arr, byte_order=1)
    return [
        _HEADER.pack(b"GP", 0, 0b011, SRS_ID, b[0], b[2], b[1], b[3]) + w
        for b, w in zip(bounds.tolist(), wkbs)
    ]


def _wkb_offset(blob: bytes) -> int:
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob (no 'GP' magic)")
    flags = blob[3]
    return 8 + _ENVELOPE_BYTES[(flags >> 1) & 0b111]


def from_blob(blob: bytes) -> BaseGeometry:
    """A GeoPackage geometry blob as a shapely geometry."""
    return shapely.from_wkb(bytes(blob[_wkb_offset(blob):]))


def from_blobs(blobs: Sequence[bytes]) -> np.ndarray:
    """Vectorised :func:`from_blob`."""
    return shapely.from_wkb([bytes(b[_wkb_offset(b):]) for b in blobs])


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    if blob is None:
        return None
    flags = blob[3]
    if (flags >> 1) & 0b111:
        order = "<" if flags & 1 else ">"
        return struct.unpack_from(f"{order}4d", blob, 8)  # minx, maxx, miny, maxy
    offset = _wkb_offset(blob)
    if len(blob) == offset + 21:  # a 2-D point (byte order, type 1, x, y): read it, no parsing
        order = "<" if blob[offset] == 1 else ">"
        kind, x, y = struct.unpack_from(f"{order}I2d", blob, offset + 1)
        if kind == 1:
            return (x, x, y, y)
    x0, y0, x1, y1 = from_blob(blob).bounds
    return (x0, x1, y0, y1)


def _is_empty(blob: bytes | None) -> int:
    if blob is None:
        return 1
    return 1 if (blob[3] >> 4) & 1 else 0


def register_functions(con: sqlite3.Connection) -> None:
    """Define the SQL functions the GeoPackage R-tree triggers call, and a Unicode lower()."""
    con.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    # lower() as PostgreSQL's: Unicode, not SQLite's ASCII-only one, so filters agree
    con.create_function("lower", 1, lambda t: t.lower() if isinstance(t, str) else t, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(name, 1, lambda b, i=i: (_envelope(b) or (None,) * 4)[i], deterministic=True)


CORE_DDL = f"""
PRAGMA application_id = {GPKG_APPLICATION_ID};
PRAGMA user_version = {GPKG_USER_VERSION};
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, '{WGS84_WKT}', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
CREATE TABLE km_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def insert_trigger_sql(table: str, column: str, pk: str = "fid") -> str:
    """The GeoPackage R-tree insert trigger of ``table`` (see :func:`rtree_ddl`)."""
    t, c, r = table, column, f"rtree_{table}_{column}"
    vals = f"NEW.{pk}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    return (f"CREATE TRIGGER {r}_insert AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))\n"
            f"BEGIN INSERT OR REPLACE INTO {r} VALUES ({vals}); END;")


BULK_MIN_ROWS = 100  # below this many rows the R-tree trigger indexes them (measured: benchmarks/store.py --articles)


def bulk_insert(con: sqlite3.Connection, insert_sql: str, rows: list[tuple], *, table: str = "events",
                column: str = "geom") -> None:
    """Insert ``rows`` (geometry blob first, as :func:`to_blobs` writes it, or ``None``)
    and index them in the R-tree in bulk.

    Inside the caller's transaction the insert trigger is dropped, the rows and their
    envelopes are inserted with two ``executemany`` calls, and the trigger is created
    again: one transaction, so a failure or a kill restores the trigger with the rest.
    GDAL likewise defers its spatial index on bulk loads. About 1.6 times faster than
    calling the trigger's SQL functions row by row.
    """
    if not rows:
        return
    if len(rows) < BULK_MIN_ROWS:
        # an article's few events: the trigger's per-row calls cost less than dropping
        # and creating it (a schema change that also makes SQLite prepare every
        # statement of the connection again)
        con.executemany(insert_sql, rows)
        return
    r = f"rtree_{table}_{column}"
    before = con.execute(f"SELECT coalesce(max(fid), 0) FROM {table}").fetchone()[0]
    con.execute(f"DROP TRIGGER IF EXISTS {r}_insert")
    con.executemany(insert_sql, rows)
    fids = [f for (f,) in con.execute(f"SELECT fid FROM {table} WHERE fid > ? ORDER BY fid", (before,))]
    if len(fids) != len(rows):
        raise sqlite3.IntegrityError(f"bulk insert stored {len(fids)} of {len(rows)} rows")
    # each blob's envelope, as the trigger's ST_MinX... read it; an empty geometry's is NaN
    envelopes = ((f, _envelope(row[0])) for f, row in zip(fids, rows))
    con.executemany(f"INSERT OR REPLACE INTO {r} VALUES (?, ?, ?, ?, ?)",
                    [(f, *env) for f, env in envelopes if env is not None and env[0] == env[0]])
    con.execute(insert_trigger_sql(table, column))


def rtree_ddl(table: str, column: str, pk: str = "fid") -> str:
    """The R-tree virtual table, its registration and the six standard triggers."""
    t, c, r = table, column, f"rtree_{table}_{column}"
    vals = f"NEW.{pk}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    return f"""
CREATE VIRTUAL TABLE {r} USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO gpkg_extensions VALUES ('{t}', '{c}', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
CREATE TRIGGER {r}_insert AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN INSERT OR REPLACE INTO {r} VALUES ({vals}); END;
CREATE TRIGGER {r}_update1 AFTER UPDATE OF {c} ON {t} WHEN OLD.{pk} = NEW.{pk} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN INSERT OR REPLACE INTO {r} VALUES ({vals}); END;
CREATE TRIGGER {r}_update2 AFTER UPDATE OF {c} ON {t} WHEN OLD.{pk} = NEW.{pk} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id = OLD.{pk}; END;
CREATE TRIGGER {r}_update3 AFTER UPDATE ON {t} WHEN OLD.{pk} != NEW.{pk} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id = OLD.{pk}; INSERT OR REPLACE INTO {r} VALUES ({vals}); END;
CREATE TRIGGER {r}_update4 AFTER UPDATE ON {t} WHEN OLD.{pk} != NEW.{pk} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))
BEGIN DELETE FROM {r} WHERE id IN (OLD.{pk}, NEW.{pk}); END;
CREATE TRIGGER {r}_delete AFTER DELETE ON {t} WHEN old.{c} NOT NULL
BEGIN DELETE FROM {r} WHERE id = OLD.{pk}; END;
"""


# Schema history. A new store runs every step; an older one runs the steps it lacks.
# Never edit a released step: add a new one.
_EVENTS_V1_COLUMNS = """
  event_id_cnty TEXT NOT NULL UNIQUE, event_date DATE NOT NULL, year INTEGER, time_precision INTEGER,
  disorder_type TEXT, event_type TEXT NOT NULL, sub_event_type TEXT NOT NULL, actor1 TEXT, assoc_actor_1 TEXT,
  inter1 INTEGER, actor2 TEXT, assoc_actor_2 TEXT, inter2 INTEGER, interaction INTEGER,
  civilian_targeting TEXT, iso INTEGER, region TEXT, country TEXT, admin1 TEXT, admin2 TEXT, admin3 TEXT,
  location TEXT, latitude REAL, longitude REAL, geo_precision INTEGER, source TEXT, source_scale TEXT,
  notes TEXT, fatalities INTEGER, tags TEXT, timestamp INTEGER,
  x_uid TEXT NOT NULL UNIQUE, x_place_id TEXT, x_layer TEXT, x_source_url TEXT, x_source_title TEXT,
  x_published DATE, x_evidence TEXT, x_date_text TEXT, x_confidence REAL, x_method TEXT
"""
MIGRATIONS: list[str] = [
    # 1: articles and events
    CORE_DDL
    + """
CREATE TABLE articles (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, article_id TEXT NOT NULL UNIQUE, title TEXT,
  source_name TEXT, source_url TEXT, published DATE, ingested_at DATETIME, n_chars INTEGER,
  n_events INTEGER, origin TEXT);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
  VALUES ('articles', 'attributes', 'articles', 'Articles the events came from');
CREATE TABLE events (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY,"""
    + _EVENTS_V1_COLUMNS
    + """);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
  VALUES ('events', 'features', 'events', 'Events, ACLED columns then x_ columns', 43.4, 38.3, 50.9, 41.95, 4326);
INSERT INTO gpkg_geometry_columns VALUES ('events', 'geom', 'GEOMETRY', 4326, 0, 0);
"""
    + rtree_ddl("events", "geom"),
    # 2: evidence offsets, review status, the article link; index on the date
    """
ALTER TABLE events ADD COLUMN x_evidence_start INTEGER DEFAULT -1;
ALTER TABLE events ADD COLUMN x_evidence_end INTEGER DEFAULT -1;
ALTER TABLE events ADD COLUMN x_review TEXT DEFAULT 'unreviewed';
ALTER TABLE events ADD COLUMN x_article_id TEXT DEFAULT '';
CREATE INDEX events_event_date ON events (event_date);
CREATE INDEX events_article ON events (x_article_id);
""",
    # 3: a covering index for counting events per grid cell (views of many events)
    """
CREATE INDEX events_grid ON events (latitude, longitude, event_type, event_date, x_review, x_confidence);
""",
    # 4: incidents (events of several reports linked into one) and each report's claim;
    # the date index also holds the point, so finding an incident's candidates reads no row
    # it does not return
    """
ALTER TABLE events ADD COLUMN x_incident TEXT DEFAULT '';
ALTER TABLE events ADD COLUMN x_incident_reason TEXT DEFAULT '';
ALTER TABLE events ADD COLUMN x_claim TEXT DEFAULT '';
ALTER TABLE events ADD COLUMN x_claimant TEXT DEFAULT '';
UPDATE events SET x_incident = x_uid WHERE x_incident = '' OR x_incident IS NULL;
DROP INDEX events_event_date;
CREATE INDEX events_date_point ON events (event_date, latitude, longitude);
"""
    + f"CREATE INDEX events_vague ON events (event_date, latitude, longitude) WHERE {VAGUE_WHERE};\n"
    + f"CREATE INDEX events_roads ON events (event_date) WHERE {ROADS_WHERE};\n",
    # 5: one index for the candidates and the grid counts: the date index also holds what a
    # cell count reads (type, review, confidence), and the grid index of schema 3 goes. An
    # article's write then dirties one index leaf per event fewer (benchmarks/store.py
    # --articles), and the counts, read in date order, are grouped by one integer per cell
    """
DROP INDEX events_grid;
DROP INDEX events_date_point;
CREATE INDEX events_date_point ON events (event_date, latitude, longitude, event_type, x_review, x_confidence);
""",
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(con: sqlite3.Connection) -> int:
    """The store's schema version (0 for an empty file)."""
    has_meta = con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='km_meta'").fetchone()
    if not has_meta:
        return 0
    row = con.execute("SELECT value FROM km_meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: sqlite3.Connection, *, target: int = SCHEMA_VERSION) -> tuple[int, int]:
    """Bring the schema up to ``target`` in one transaction; return (from, to)."""
    current = schema_version(con)
    if current >= target:
        return current, current
    con.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(con)  # another process may have migrated meanwhile
        for step in range(current, target):
            for statement in _split_sql(MIGRATIONS[step]):
                con.execute(statement)
        con.execute("INSERT OR REPLACE INTO km_meta VALUES ('schema_version', ?)", (str(target),))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    return current, target


def _split_sql(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements, buf = [], ""
    for line in script.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements
