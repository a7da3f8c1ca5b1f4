"""Untrusted input and faults (issue 8, in progress): parsers fuzzed with hypothesis,
hostile files, writers killed at random, a full disk."""
from __future__ import annotations

import datetime as dt
import os
import random
import signal
import socket
import sqlite3
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import ArticleRecord, make_event
from exchange import ImportFileError
from extract import ArticleError
from store import GeoPackageStore, StoreError
from exchange.acled_csv import read_acled_csv
from extract.article import read_article
from extract.dates import find_dates
from extract.pipeline import events_from_article
from exchange.geojson_io import read_events_geojson
from layers import LayerError, parse_date
from render.view import ViewError, parse_bbox

FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=3000))
def test_any_bytes_as_an_article_read_or_refused(data):
    try:
        article = read_article(data, published="2023-09-19")
    except ArticleError:
        return
    events_from_article(article)  # and extraction never crashes on what was read


@FAST
@given(st.text(max_size=2000))
def test_any_text_with_headers_extracts_or_refuses(text):
    try:
        article = read_article("Title: t\nPublished: 2023-09-19\n\n" + text)
    except ArticleError:
        return
    for e in events_from_article(article).events:
        assert article.text[e.x_evidence_start:e.x_evidence_end] == e.x_evidence[: e.x_evidence_end - e.x_evidence_start]


@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=500))
def test_any_html_is_read_or_refused(body):
    try:
        read_article(f"<html><head><title>{body[:40]}</title></head><body><p>{body}</p></body></html>", filename="a.html")
    except ArticleError:
        pass


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_as_acled_csv_only_documented_errors(data):
    try:
        read_acled_csv(data)
    except ImportFileError:
        pass


@FAST
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
                    max_leaves=30))
def test_any_json_as_geojson_only_documented_errors(doc):
    import json

    for wrapped in (doc, {"type": "FeatureCollection", "features": [doc]},
                    {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": doc, "geometry": doc}]}):
        try:
            read_events_geojson(json.dumps(wrapped).encode())
        except ImportFileError:
            pass


@FAST
@given(st.text(max_size=300), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_date_resolution_never_crashes_or_goes_far_ahead(text, published):
    for found in find_dates(text, published):
        assert found.date <= published + dt.timedelta(days=1) or found.precision > 1


@FAST
@given(st.text(max_size=60))
def test_bbox_and_date_arguments_only_documented_errors(text):
    try:
        parse_bbox(text)
    except ViewError:
        pass
    try:
        parse_date(text)
    except LayerError:
        pass


# -- hostile files -----------------------------------------------------------------------------
def test_vrt_disguised_as_geojson_is_refused(tmp_path):
    vrt = tmp_path / "x.geojson"
    vrt.write_text('<OGRVRTDataSource><OGRVRTLayer name="p"><SrcDataSource>/etc/passwd</SrcDataSource>'
                   "</OGRVRTLayer></OGRVRTDataSource>")
    with pytest.raises(ImportFileError, match="not valid JSON"):
        read_events_geojson(vrt)


def test_vsicurl_name_reaches_no_network():
    received = []
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(2)
    port = srv.getsockname()[1]

    def accept():
        try:
            conn, _ = srv.accept()
            received.append(conn.recv(100))
        except OSError:
            pass

    t = threading.Thread(target=accept)
    t.start()
    for reader in (read_events_geojson, read_acled_csv):
        with pytest.raises(ImportFileError, match="does not exist"):
            reader(f"/vsicurl/http://127.0.0.1:{port}/x.geojson")
    t.join(3)
    srv.close()
    assert received == []


def test_deeply_nested_json_is_refused_quickly():
    t = time.perf_counter()
    with pytest.raises(ImportFileError):
        read_events_geojson(b"[" * 100_000 + b"]" * 100_000)
    assert time.perf_counter() - t < 2


@pytest.mark.parametrize("make, match", [
    (lambda: b"x" * 5_000_000, "limit is 1,000,000 bytes"),
    (lambda: b"", "is empty"),
    (lambda: b"\x00\x01\x02" * 1000, "binary file"),
])
def test_bad_articles_are_refused_clearly(make, match):
    with pytest.raises(ArticleError, match=match):
        read_article(make())


def test_cp1251_and_mixed_script_articles_are_read():
    text = "Published: 2023-09-19\n\nАзербайджанская армия обстреляла Степанакерт во вторник."
    article = read_article(text.encode("cp1251"))
    assert "Степанакерт" in article.text
    mixed = read_article("Artillery shelled Xankәndi on Tuesday.", published="2023-09-19")  # Cyrillic schwa
    assert [e.x_place_id for e in events_from_article(mixed).events] == ["stepanakert"]


def test_nul_bytes_in_text_are_dropped():
    article = read_article(b"Artillery shelled Martuni\x00 on Tuesday.", published="2023-09-19")
    assert "\x00" not in article.text and events_from_article(article).events


# -- faults ------------------------------------------------------------------------------------
def _batch(i: int):
    return [make_event(event_date="2023-09-19", event_type="Battles", sub_event_type="Armed clash",
                       latitude=39.8 + i * 1e-4, longitude=46.75 + j * 1e-5, x_article_id=f"k{i}", x_evidence_start=j)
            for j in range(100)]


def test_200_writers_killed_at_random_leave_whole_articles(tmp_path):
    path = tmp_path / "s.gpkg"
    GeoPackageStore(path, load_seeds=False).close()
    batches = [_batch(i) for i in range(40)]
    rng = random.Random(8)
    article = 0
    for run in range(200):
        pid = os.fork()
        if pid == 0:  # the writer: ingest until killed
            try:
                store = GeoPackageStore(path, load_seeds=False)
                for k in range(1000):
                    n = article + k
                    events = [e for e in batches[n % 40]]
                    store.ingest(ArticleRecord(f"k{n}"), [_with(e, f"k{n}", n) for e in events])
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = con.execute("SELECT x_article_id, count(*) FROM events GROUP BY x_article_id").fetchall()
        assert all(c == 100 for _, c in counts), (run, [x for x in counts if x[1] != 100][:3])
        n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        con.close()
        assert n_articles == len(counts)
        article += 1000
    assert n_articles > 0


def _with(event, article_id: str, n: int):
    from dataclasses import replace

    return replace(event, x_article_id=article_id, x_uid=f"{n:08d}{event.x_evidence_start:08d}",
                   event_id_cnty=f"AZEKMTEST{n:08d}{event.x_evidence_start:04d}")


def test_full_disk_is_a_clear_error_and_the_store_stays_whole(tmpfs):
    path = tmpfs("1m") / "s.gpkg"
    store = GeoPackageStore(path, load_seeds=False)
    stored = 0
    with pytest.raises(StoreError, match="could not be written|free disk space|full"):
        for i in range(1000):
            stored += store.ingest(ArticleRecord(f"k{i}"), [_with(e, f"k{i}", i) for e in _batch(i)]).stored
    store.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == stored
    con.close()


# -- injection ------------------------------------------------------------------------------------
PAYLOADS = [
    "<script>globalThis.pwned=1</script>", "<img src=x onerror=globalThis.pwned=2>", "${globalThis.pwned=3}",
    "`;globalThis.pwned=4;`", "</script><script>globalThis.pwned=5</script>", "javascript:globalThis.pwned=6",
    '=HYPERLINK("http://evil.example","x")', "@SUM(1)", "+cmd|' /C calc'!A0", "-1+1", "\tTAB", "\rCR",
]
STRING_FIELDS = ["actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "location", "source", "notes", "tags",
                 "x_source_title", "x_evidence", "x_date_text"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_every_string_field_stays_text_everywhere(payload, tmp_path):
    import csv
    import io
    import xml.etree.ElementTree as ET

    from exchange.acled_csv import events_to_acled_csv
    from events.model import events_to_geodataframe
    from render.folium_map import map_from_view, map_to_html
    from render.snapshot import snapshot_bytes
    from render.view import View

    fields = {f: payload for f in STRING_FIELDS}
    e = make_event(event_date="2023-09-19", event_type="Battles", sub_event_type="Armed clash", latitude=39.8177,
                   longitude=-73.9 + 120.65, x_source_url=payload, **fields)
    gdf = events_to_geodataframe([e])
    html = map_to_html(map_from_view(View(title=payload, sources=(payload,)), gdf))
    for raw in ("<script>globalThis", "<img src=x", "${globalThis", "`;globalThis", 'href="javascript:'):
        assert raw not in html, raw
    rows = list(csv.DictReader(io.StringIO(events_to_acled_csv(gdf))))
    for f in STRING_FIELDS:
        cell = rows[0][f]
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (f, cell)
    assert float(rows[0]["longitude"]) == pytest.approx(46.75)  # numbers stay numbers
    svg = snapshot_bytes(View(title=payload), "svg", events=gdf)
    root = ET.fromstring(svg)
    assert payload.strip() in " ".join(t.strip() for t in root.itertext())
    assert not root.findall(".//{http://www.w3.org/2000/svg}script")


def test_zip_and_other_archives_are_refused_without_reading(tmp_path, capsys):
    from cli.main import main

    bomb = tmp_path / "events.zip"
    with open(bomb, "wb") as fh:  # 1 GB of zeros, sparse: it must not be read at all
        fh.truncate(1 << 30)
    t = time.perf_counter()
    assert main(["import", str(bomb)]) == 1
    assert time.perf_counter() - t < 2
    assert "reads ACLED CSV (.csv) or GeoJSON" in capsys.readouterr().err


@pytest.mark.parametrize("suffix, reader", [(".geojson", read_events_geojson), (".csv", read_acled_csv)])
def test_file_over_the_size_limit_is_refused_before_reading(tmp_path, suffix, reader):
    big = tmp_path / f"big{suffix}"
    with open(big, "wb") as fh:
        fh.truncate(60_000_000)
    t = time.perf_counter()
    with pytest.raises(ImportFileError, match="the limit is 50,000,000"):
        reader(big)
    assert time.perf_counter() - t < 2


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_url_parameters_and_pdf_caption_stays_text(payload):
    import io

    from pypdf import PdfReader

    from events.model import events_to_geodataframe
    from render.snapshot import snapshot_bytes
    from render.view import View

    view = View(sources=(payload,), title="T")
    back = View.from_query_params(view.to_query_params())
    assert back.sources == (payload,)
    e = make_event(event_date="2023-09-19", event_type="Battles", sub_event_type="Armed clash", latitude=39.8177,
                   longitude=46.7528, source=payload)
    text = PdfReader(io.BytesIO(snapshot_bytes(View(), "pdf", events=events_to_geodataframe([e])))).pages[0].extract_text()
    assert payload.strip()[:12] in " ".join(text.split()) or payload.strip()[:12] in text


@FAST
@given(st.dictionaries(st.sampled_from(["layers", "as_of", "bbox", "naming", "since", "until", "types", "sources",
                                        "min_conf", "review"]), st.text(max_size=40), max_size=10))
def test_any_shared_link_opens_a_view(params):
    from render.view import View

    view, problems = View.from_query_params_checked(params)
    assert isinstance(view, View) and isinstance(problems, list)
