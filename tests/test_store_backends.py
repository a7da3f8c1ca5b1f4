"""The store's guarantees on both backends: the GeoPackage file and PostGIS.

The PostGIS half needs a server: ``KARABAKH_MAP_TEST_DATABASE_URL`` names one where
databases may be created (``.ci/run`` starts one with ``tools/pg_test_server.sh``).
Without it those tests are skipped, with that reason.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import uuid

import pytest

from events import ArticleRecord, EventValidationError
from store import GeoPackageStore, open_store

from .conftest import sample_event

ADMIN_URL = os.environ.get("KARABAKH_MAP_TEST_DATABASE_URL", "")
NO_POSTGIS = "no PostGIS server: set KARABAKH_MAP_TEST_DATABASE_URL (tools/pg_test_server.sh start) to run these"


def _event(i: int, article: str = "a1", **kw):
    return sample_event(i, article, location=f"place {i}", **kw)


@pytest.fixture
def pg_url():
    if not ADMIN_URL:
        pytest.skip(NO_POSTGIS)
    import psycopg

    name = f"km_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with psycopg.connect(ADMIN_URL, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, tmp_path):
    if request.param == "gpkg":
        return str(tmp_path / "s.gpkg")
    return request.getfixturevalue("pg_url")


def test_new_store_starts_with_the_seed_events(target):
    store = open_store(target)
    assert store.count() >= 6
    assert open_store(target).count() == store.count()  # loaded once


def test_ingest_is_all_or_nothing(target):
    store = open_store(target, load_seeds=False)
    good = [_event(i) for i in range(3)]
    bad = _event(3)
    object.__setattr__(bad, "event_date", None)
    with pytest.raises(Exception):
        store.ingest(ArticleRecord("a1"), [*good, bad])
    assert store.count() == 0 and not store.has_article("a1")
    assert store.ingest(ArticleRecord("a1"), good).stored == 3


def test_same_article_again_adds_nothing(target):
    store = open_store(target, load_seeds=False)
    events = [_event(i) for i in range(4)]
    assert store.ingest(ArticleRecord("a1"), events).stored == 4
    again = store.ingest(ArticleRecord("a1"), events)
    assert again.duplicate and store.count() == 4


def test_acled_row_with_same_id_updates(target):
    store = open_store(target, load_seeds=False)
    store.upsert_events([_event(1, event_id_cnty="AZE1", fatalities=1, x_method="import")])
    res = store.upsert_events([_event(1, event_id_cnty="AZE1", fatalities=5, x_method="import")])
    assert (res.inserted, res.updated) == (0, 1)
    assert store.query()["fatalities"].tolist() == [5]


def test_queries_run_in_the_store(target):
    store = open_store(target, load_seeds=False)
    events = [_event(0, event_date="2020-10-04"), _event(1), _event(2, latitude=40.68, longitude=46.36, event_date="2020-10-11")]
    store.ingest(ArticleRecord("a1"), events)
    assert len(store.query(since="2020-10-05")) == 2
    assert len(store.query(until="2020-10-04")) == 1
    assert len(store.query(bbox=(46.7, 39.7, 46.8, 39.9))) == 2
    assert len(store.query(bbox=(46.3, 40.6, 46.4, 40.7), since="2020-10-01", until="2020-10-31")) == 1
    assert len(store.query(event_types=["Battles"])) == 0
    assert len(store.query(sources=["TEST"])) == 3
    got = store.query(bbox=(46.3, 40.6, 46.4, 40.7)).iloc[0]
    assert got["event_date"] == "2020-10-11" and got.geometry.x == pytest.approx(46.36)


def test_a_query_returns_only_the_columns_asked_for_with_the_same_values(target):
    store = open_store(target, load_seeds=False)
    store.ingest(ArticleRecord("a1"), [_event(0, event_date="2020-10-04"), _event(1), _event(2, event_date="2020-10-11")])
    full = store.query()
    asked = ["x_uid", "notes", "event_date", "latitude", "fatalities"]
    part = store.query(columns=asked)
    assert list(part.columns) == ["event_date", "latitude", "notes", "fatalities", "x_uid", "geometry"]  # the store's order
    assert part.drop(columns="geometry").equals(full[list(part.columns[:-1])])
    assert list(part.geometry.to_wkt()) == list(full.geometry.to_wkt())
    empty = store.query(since="2030-01-01", columns=asked)
    assert empty.empty and list(empty.columns[:-1]) == list(part.columns[:-1])


@pytest.mark.parametrize("columns, named", [(["x_uid", "no_such"], "no_such"), ([], "names no column")])
def test_a_query_for_an_unknown_column_says_which(target, columns, named):
    store = open_store(target, load_seeds=False)
    with pytest.raises(EventValidationError, match=named) as err:
        store.query(columns=columns)
    assert "events.COLUMNS" in str(err.value) or "None for all" in str(err.value)


def test_postgis_answers_a_date_and_box_query_from_one_index(pg_url):
    store = open_store(pg_url, load_seeds=False)
    store.upsert_events([_event(i, event_date=f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}", latitude=39 + (i % 90) / 100,
                                longitude=46 + (i % 70) / 100) for i in range(3000)])
    with store._con.cursor() as cur:
        cur.execute("ANALYZE events")
        cur.execute("SET enable_seqscan = off")  # a small table: make the planner show the index it would use
        cur.execute("EXPLAIN SELECT fid FROM events WHERE event_date >= '2020-03-01' AND event_date <= '2020-05-30'"
                    " AND geom && ST_MakeEnvelope(46.2, 39.3, 46.3, 39.4, 4326)")
        plan = "\n".join(r[0] for r in cur.fetchall())
    store._con.rollback()
    assert "events_date_geom" in plan and "BitmapAnd" not in plan, plan


def test_review_by_one_analyst_is_seen_by_another(target):
    a = open_store(target, load_seeds=False)
    a.ingest(ArticleRecord("a1"), [_event(0)])
    b = open_store(target, load_seeds=False)
    rev = b.revision()
    a.set_review(a.query()["x_uid"].iloc[0], "confirmed")
    assert b.query()["x_review"].iloc[0] == "confirmed"
    assert b.revision() > rev


def _writer(target: str, worker: int, n: int) -> None:
    store = open_store(target, load_seeds=False)
    for i in range(n // 50):
        store.ingest(ArticleRecord(f"w{worker}-{i}"),
                     [_event(worker * 10_000 + i * 50 + j, article=f"w{worker}-{i}") for j in range(50)])
    store.close()


def test_four_processes_500_events_each_lose_nothing(target):
    open_store(target, load_seeds=False).close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(target, w, 500)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    store = open_store(target, load_seeds=False)
    assert store.count() == 2000
    assert store.integrity_check() == "ok"


def test_older_postgis_store_is_migrated(pg_url):
    import psycopg

    from store import postgis as store_postgis

    with psycopg.connect(pg_url, autocommit=False) as con:
        for sql in store_postgis.MIGRATIONS[0]:
            con.execute(sql)
        con.execute("INSERT INTO km_meta VALUES ('schema_version', '1')")
        con.execute("INSERT INTO events (geom, event_id_cnty, event_date, event_type, sub_event_type, x_uid) VALUES "
                    "(ST_SetSRID(ST_MakePoint(46.75, 39.8), 4326), 'AZEOLD', '2020-10-04', 'Battles', 'Armed clash', 'old')")
        con.commit()
    store = open_store(pg_url, load_seeds=False)
    assert store.schema_version == store_postgis.SCHEMA_VERSION
    row = store.query()
    assert list(row["event_id_cnty"]) == ["AZEOLD"] and row["x_review"].iloc[0] == "unreviewed"


def test_copy_gpkg_to_postgis_and_back_keeps_every_field(tmp_path, pg_url):
    from cli.main import main
    from events.model import COLUMNS

    src = tmp_path / "a.gpkg"
    store = GeoPackageStore(src)
    store.ingest(ArticleRecord("extra", title="Extra"), [_event(i, article="extra") for i in range(5)])
    before = store.query()
    n_articles = len(store.articles())
    store.close()
    os.environ["KARABAKH_MAP_STORE"] = str(src)
    assert main(["store", "copy", "--to", pg_url]) == 0
    back = tmp_path / "b.gpkg"
    assert main(["store", "copy", "--from", pg_url, "--to", str(back)]) == 0
    after = GeoPackageStore(back, load_seeds=False)
    got = after.query()
    assert len(after.articles()) == n_articles
    assert len(got) == len(before)
    b = before.set_index("x_uid").sort_index()
    g = got.set_index("x_uid").sort_index()
    for col in COLUMNS:
        if col == "x_uid":
            continue
        assert list(b[col]) == list(g[col]), col
    assert all(x.equals(y) for x, y in zip(b.geometry, g.geometry))
