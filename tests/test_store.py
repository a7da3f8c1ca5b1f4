"""The store's guarantees, each against a real GeoPackage file."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyogrio
import pytest

from events import ArticleRecord
from store import GeoPackageStore, StoreError
from store import gpkg_format as gpkg

from .conftest import sample_event, write_old_store

ROOT = Path(__file__).resolve().parent.parent


def _event(i: int, article: str = "a1", **kw):
    return sample_event(i, article, **kw)


def test_new_store_holds_the_seed_events_and_gis_reads_it(tmp_path):
    path = tmp_path / "s.gpkg"
    store = GeoPackageStore(path)
    assert store.count() >= 6
    store.close()
    gdf = pyogrio.read_dataframe(path, layer="events")
    assert len(gdf) >= 6 and gdf.crs.to_epsg() == 4326
    assert {"event_id_cnty", "x_uid", "x_evidence"} <= set(gdf.columns)
    info = pyogrio.read_info(path, layer="events")
    assert info["capabilities"]["fast_spatial_filter"]  # the R-tree is seen by GDAL
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == gpkg.GPKG_APPLICATION_ID


def test_seed_events_load_once(tmp_path):
    path = tmp_path / "s.gpkg"
    n = GeoPackageStore(path).count()
    assert GeoPackageStore(path).count() == n


def test_user_seed_folder_is_loaded(tmp_path, monkeypatch):
    folder = tmp_path / "myseeds"
    folder.mkdir()
    (folder / "mine.json").write_text(
        '{"article": {"article_id": "user-1", "title": "t", "published": "2022-12-12"},'
        ' "events": [{"event_date": "2022-12-12", "event_type": "Protests", "sub_event_type": "Peaceful protest",'
        ' "x_place_id": "shusha", "source": "me"}]}', encoding="utf-8")
    monkeypatch.setenv("KARABAKH_MAP_SEEDS", str(folder))
    store = GeoPackageStore(tmp_path / "s.gpkg")
    got = store.query(article_id="user-1")
    assert list(got["x_place_id"]) == ["shusha"]


def test_ingest_is_all_or_nothing(tmp_path):
    store = GeoPackageStore(tmp_path / "s.gpkg", load_seeds=False)
    good = [_event(i) for i in range(3)]
    bad = _event(3)
    object.__setattr__(bad, "event_date", None)  # fails in the middle of the insert
    with pytest.raises(Exception):
        store.ingest(ArticleRecord("a1", "t"), [*good, bad])
    assert store.count() == 0
    assert not store.has_article("a1")
    assert store.ingest(ArticleRecord("a1", "t"), good).stored == 3


def test_ingesting_the_same_article_again_adds_nothing(tmp_path):
    store = GeoPackageStore(tmp_path / "s.gpkg", load_seeds=False)
    events = [_event(i) for i in range(4)]
    assert store.ingest(ArticleRecord("a1", "t"), events).stored == 4
    again = store.ingest(ArticleRecord("a1", "t"), events)
    assert again.duplicate and again.stored == 0
    assert store.count() == 4


def test_acled_row_with_same_id_updates(tmp_path):
    store = GeoPackageStore(tmp_path / "s.gpkg", load_seeds=False)
    first = _event(1, event_id_cnty="AZE12345", fatalities=1, x_method="import")
    assert store.upsert_events([first]).inserted == 1
    second = _event(1, event_id_cnty="AZE12345", fatalities=5, x_method="import")
    res = store.upsert_events([second])
    assert (res.inserted, res.updated) == (0, 1)
    rows = store.query()
    assert len(rows) == 1 and rows["fatalities"].iloc[0] == 5


def test_query_by_date_type_bbox_and_review(tmp_path):
    store = GeoPackageStore(tmp_path / "s.gpkg", load_seeds=False)
    events = [_event(0, event_date="2020-10-04"), _event(1, event_date="2023-09-19"),
              _event(2, latitude=40.68, longitude=46.36, event_date="2020-10-11")]
    store.ingest(ArticleRecord("a1"), events)
    assert len(store.query(since="2020-10-05")) == 2
    assert len(store.query(until="2020-10-04")) == 1
    assert len(store.query(bbox=(46.7, 39.7, 46.8, 39.9))) == 2
    assert len(store.query(bbox=(46.3, 40.6, 46.4, 40.7))) == 1
    assert len(store.query(event_types=["Battles"])) == 0
    uid = events[0].x_uid
    store.set_review(uid, "rejected")
    assert len(store.query(review=["unreviewed", "confirmed"])) == 2


def test_review_change_is_seen_by_another_connection(tmp_path):
    path = tmp_path / "s.gpkg"
    a = GeoPackageStore(path, load_seeds=False)
    a.ingest(ArticleRecord("a1"), [_event(0)])
    b = GeoPackageStore(path, load_seeds=False)
    a.set_review(a.query()["x_uid"].iloc[0], "confirmed")
    assert b.query()["x_review"].iloc[0] == "confirmed"


# Several writer processes at once: tests/test_store_backends.py (both backends).


KILL_SCRIPT = """
import sys
from events import ArticleRecord, make_event
from store import GeoPackageStore
store = GeoPackageStore(sys.argv[1], load_seeds=False)
print("ready", flush=True)
i = 0
while True:
    batch = [make_event(event_date="2023-09-19", event_type="Battles", sub_event_type="Armed clash",
                        latitude=39.8 + i * 1e-4, longitude=46.75 + j * 1e-5, x_article_id=f"k{i}", x_evidence_start=j)
             for j in range(200)]
    store.ingest(ArticleRecord(f"k{i}"), batch)
    i += 1
"""


@pytest.mark.parametrize("run", range(5))
def test_writer_killed_mid_ingest_leaves_whole_articles(tmp_path, run):
    path = tmp_path / "s.gpkg"
    GeoPackageStore(path, load_seeds=False).close()
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(path)], stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(0.3 + run * 0.17)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = GeoPackageStore(path, load_seeds=False)
    assert store.integrity_check() == "ok"
    con = sqlite3.connect(path)
    per_article = con.execute("SELECT x_article_id, count(*) FROM events GROUP BY x_article_id").fetchall()
    assert per_article, "the writer stored nothing before it was killed"
    assert all(n == 200 for _, n in per_article)
    assert len(per_article) == con.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_older_store_is_migrated(tmp_path):
    path = tmp_path / "old.gpkg"
    write_old_store(path, schema=1)
    store = GeoPackageStore(path, load_seeds=False)
    assert store.schema_version == gpkg.SCHEMA_VERSION
    row = store.query()
    assert list(row["event_id_cnty"]) == ["AZEOLD1"]
    assert row["x_review"].iloc[0] == "unreviewed"


@pytest.mark.parametrize("content", [b"this is not a database", b"SQLite format 3\x00" + b"\x00" * 200])
def test_corrupt_or_foreign_file_is_refused_and_kept(tmp_path, content):
    path = tmp_path / "bad.gpkg"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="left as it is|corrupt|not a GeoPackage"):
        GeoPackageStore(path)
    assert path.read_bytes() == content


def test_other_applications_geopackage_is_refused(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp_path / "qgis.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(46, 39)], crs=4326).to_file(path, layer="roads")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another application"):
        GeoPackageStore(path)
    assert path.read_bytes() == before


def test_read_only_store_gives_a_clear_error_and_stays_as_it_was(tmpfs):
    """A store on a file system remounted read-only (a real tmpfs; root ignores file modes)."""
    mnt = tmpfs("8m")
    path = mnt / "s.gpkg"
    store = GeoPackageStore(path, load_seeds=False)
    store.ingest(ArticleRecord("a1"), [_event(0)])
    store.close()
    before = path.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    with pytest.raises(StoreError, match="read-only file system.*nothing was changed"):
        GeoPackageStore(path, load_seeds=False)
    assert path.read_bytes() == before


def test_file_mode_read_only_store_is_refused(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes through file modes; the read-only file system case above covers root")
    path = tmp_path / "s.gpkg"
    GeoPackageStore(path, load_seeds=False).close()
    path.chmod(0o444)
    with pytest.raises(StoreError, match="read-only"):
        GeoPackageStore(path, load_seeds=False)


@pytest.mark.parametrize("n", [3, gpkg.BULK_MIN_ROWS + 20])
def test_small_and_large_batches_are_both_in_the_spatial_index(tmp_path, n):
    """An article's few events go in through the R-tree trigger, a large batch in bulk:
    either way every event has its envelope, and GDAL sees the standard trigger."""
    store = GeoPackageStore(tmp_path / "s.gpkg", load_seeds=False)
    events = [_event(i) for i in range(n)]
    store.ingest(ArticleRecord("a1"), events)
    con = sqlite3.connect(tmp_path / "s.gpkg")
    fids = {r[0] for r in con.execute("SELECT fid FROM events")}
    boxes = dict(((r[0], r[1:]) for r in con.execute("SELECT id, minx, maxx, miny, maxy FROM rtree_events_geom")))
    assert set(boxes) == fids and len(fids) == n
    for fid, lon, lat in con.execute("SELECT fid, longitude, latitude FROM events"):
        minx, maxx, miny, maxy = boxes[fid]
        assert minx <= lon <= maxx and miny <= lat <= maxy
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'rtree_events_geom_insert'").fetchone()[0] == 1
    con.close()
    assert len(store.query(bbox=(40, 35, 50, 45))) == n
    store.close()


def test_the_envelope_functions_read_points_and_lines():
    from shapely.geometry import LineString, Point

    point, line = gpkg.to_blobs([Point(46.75, 39.81), LineString([(46, 39), (47, 40.5)])])
    assert gpkg._envelope(point) == (46.75, 46.75, 39.81, 39.81)  # minx, maxx, miny, maxy
    assert gpkg._envelope(line) == (46.0, 47.0, 39.0, 40.5)
    assert gpkg._envelope(None) is None


def test_a_bulk_write_pauses_the_cycle_collector_and_resumes_it_however_it_ends(tmp_path, monkeypatch):
    """Large writes run with Python's cycle collector paused (its passes over the
    caller's events cost a quarter of an import), and leave it as they found it."""
    import gc

    from events import EventValidationError
    from store import base

    seen = []
    store = GeoPackageStore(tmp_path / "gc.gpkg", load_seeds=False)
    real_write = store._write

    def watching(fn):
        seen.append(gc.isenabled())
        return real_write(fn)

    monkeypatch.setattr(store, "_write", watching)
    monkeypatch.setattr(base, "GC_PAUSE_MIN_EVENTS", 3)
    assert gc.isenabled()
    store.upsert_events([_event(i, article="") for i in range(2)])  # small: runs as it is
    store.upsert_events([_event(i, article="") for i in range(10, 14)])
    assert seen == [True, False] and gc.isenabled()
    with pytest.raises(EventValidationError):  # a failed write resumes it too
        store.ingest(ArticleRecord("bad"), [_event(i, article="other") for i in range(20, 24)])
    assert seen[-1] is False and gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        store.upsert_events([_event(i, article="") for i in range(30, 34)])
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert store.count() == 10
    store.close()


def test_a_point_is_written_as_the_bytes_shapely_writes_without_making_one():
    """The GeoPackage blob of an event on a point is packed from its coordinates (no
    shapely point is made for it): byte for byte what shapely's WKB gives, for a point
    made from latitude and longitude, a point given as a geometry, and a line."""
    from shapely.geometry import LineString, Point

    made = sample_event(1)
    made.geometry  # made now
    given = sample_event(2, geometry=Point(46.752812345678, 39.817712345678), latitude=None, longitude=None)
    line = sample_event(3, geometry=LineString([(46.7, 39.8), (46.8, 39.9)]), latitude=None, longitude=None)
    unmade = sample_event(4)
    events = [unmade, made, given, line]
    assert gpkg.event_blobs(events) == gpkg.to_blobs([Point(unmade.longitude, unmade.latitude), made.geometry,
                                                       given.geometry, line.geometry])
    assert gpkg.from_blob(gpkg.event_blobs([given])[0]).equals(given.geometry)  # every digit kept
