"""ACLED CSV and GeoJSON: import, export, round trips, and bad rows."""
from __future__ import annotations

import csv
import io
import json

import pytest

from events import make_event
from exchange import ImportFileError
from store import GeoPackageStore
from exchange.acled_csv import events_to_acled_csv, neutralise_cell, read_acled_csv
from exchange.geojson_io import events_to_geojson, read_events_geojson
from events.model import COLUMNS

HEADER = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"


def _acled_file(tmp_path, rows: list[str], name="acled.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


ROW_ISO = "AZE100,2023-09-19,2023,1,Political violence,Explosions/Remote violence,Shelling/artillery/missile attack,Military Forces of Azerbaijan (2003-),,1,Civilians (Azerbaijan),,7,17,Civilian targeting,31,Caucasus and Central Asia,Azerbaijan,Khankendi,,,Khankendi,39.8177,46.7528,1,Test wire,International,Test row written by the tests.,2,,1695100000"
ROW_TEXT_DATE = "AZE101,16 May 2025,2025,1,Political violence,Battles,Armed clash,Military Forces of Azerbaijan (2003-),,State forces,Military Forces of Armenia (2018-),,State forces,11,,31,Caucasus and Central Asia,Azerbaijan,,,,Somewhere,40.1,45.9,2,Test,National,Another,0,,0"
ROW_DMY = "ARM102,19-09-2023,2023,1,Strategic developments,Strategic developments,Other,,,,,,,,,51,Caucasus and Central Asia,Armenia,,,,Goris,39.51111,46.34168,1,Test,,x,0,,0"


def test_acled_rows_import_in_every_date_and_inter_form(tmp_path):
    events = read_acled_csv(_acled_file(tmp_path, [ROW_ISO, ROW_TEXT_DATE, ROW_DMY]))
    assert [e.event_date.isoformat() for e in events] == ["2023-09-19", "2025-05-16", "2023-09-19"]
    assert events[1].inter1 == 1 and events[1].interaction == 11
    assert events[0].interaction == 17 and events[0].x_method == "import"


@pytest.mark.parametrize(
    "row, match",
    [(ROW_ISO.replace("2023-09-19", "2023-19-09"), r"row 2, column event_date: value '2023-19-09'"),
     (ROW_ISO.replace("Shelling/artillery/missile attack", "Bombing"), r"row 2, column sub_event_type: value 'Bombing'"),
     (ROW_ISO.replace("39.8177,46.7528", "46.7528,39.8177"), r"row 2, column latitude: .*swapped"),
     (ROW_ISO.replace("39.8177,46.7528", "95.0,46.7"), r"row 2, column latitude: value '95.0' is out of range"),
     (ROW_ISO.replace(",1,Civilians", ",Warlords,Civilians"), r"row 2, column inter1: value 'Warlords'")],
)
def test_bad_row_names_row_column_value_and_stores_nothing(tmp_path, row, match):
    path = _acled_file(tmp_path, [row])
    with pytest.raises(ImportFileError, match=match):
        read_acled_csv(path)


def test_bad_row_later_in_file_stores_nothing(tmp_path, monkeypatch):
    from cli.main import main

    path = _acled_file(tmp_path, [ROW_ISO, ROW_TEXT_DATE.replace("Armed clash", "Brawl")])
    store = GeoPackageStore()
    before = store.count()
    assert main(["import", str(path)]) == 1
    assert GeoPackageStore().count() == before


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("event_date,event_type\n2023-09-19,Battles\n")
    with pytest.raises(ImportFileError, match="lacks the column.*sub_event_type"):
        read_acled_csv(path)


def test_acled_round_trip_keeps_every_field(tmp_path):
    from cli.main import main

    path = _acled_file(tmp_path, [ROW_ISO, ROW_TEXT_DATE, ROW_DMY])
    assert main(["import", str(path)]) == 0
    out = tmp_path / "out.csv"
    assert main(["events", "--source", "Test", "--format", "acled-csv", "--out", str(out)]) == 0
    original = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}
    exported = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert set(original) == set(exported)
    for eid, row in original.items():
        for col, value in row.items():
            got = exported[eid][col]
            if col == "event_date":
                continue  # normalised to ISO
            if col in ("latitude", "longitude"):
                assert float(got) == pytest.approx(float(value))
            elif col in ("inter1", "inter2") and value and not value.isdigit():
                assert got == "1"  # text categories are stored as ACLED's numbers
            elif col in ("inter1", "inter2", "interaction") and not value:
                assert got == "0"  # ACLED's code for no actor
            else:
                assert got == value, (eid, col)
    # and the re-import of our own export changes nothing
    again = read_acled_csv(out)
    assert {e.event_id_cnty for e in again} == set(original)


def test_acled_same_id_updates_instead_of_duplicating(tmp_path):
    from cli.main import main

    assert main(["import", str(_acled_file(tmp_path, [ROW_ISO]))]) == 0
    n = GeoPackageStore().count()
    changed = ROW_ISO.replace(",2,,1695100000", ",5,,1695100000")
    assert main(["import", str(_acled_file(tmp_path, [changed], "b.csv"))]) == 0
    store = GeoPackageStore()
    assert store.count() == n
    assert store.query(sources=["Test wire"])["fatalities"].tolist() == [5]


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("@SUM(1)", "'@SUM(1)"), ("+cmd", "'+cmd"),
    ("-1+1", "'-1+1"), ("\tx", "'\tx"), ("plain", "plain"), (-73.9, -73.9), (5, 5)])
def test_formulas_are_neutralised_and_numbers_stay_numbers(text, expected):
    assert neutralise_cell(text) == expected


def test_csv_export_neutralises_event_text():
    e = make_event(event_date="2023-09-19", event_type="Battles", sub_event_type="Armed clash",
                   latitude=39.8, longitude=46.75, notes="=HYPERLINK(\"http://evil\")", location="@SUM(1)")
    text = events_to_acled_csv([e])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["notes"].startswith("'=") and row["location"] == "'@SUM(1)"
    assert row["longitude"] == "46.75"
    assert read_acled_csv(text.encode())[0].notes == "=HYPERLINK(\"http://evil\")"


def test_geojson_round_trip_keeps_every_field_and_line_geometry(tmp_path):
    store = GeoPackageStore()
    seeds = store.query()
    text = events_to_geojson(seeds)
    events = read_events_geojson(text.encode())
    again = json.loads(events_to_geojson(events))
    first = json.loads(text)
    for a, b in zip(first["features"], again["features"]):
        assert a["geometry"]["type"] == b["geometry"]["type"]
        for col in COLUMNS:
            if col == "x_method":
                continue
            assert a["properties"][col] == b["properties"][col], col
    assert any(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in first["features"])


@pytest.mark.parametrize("content, match", [
    (b"{not json", "not valid JSON"), (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"event_date": "2023-09-19", "event_type": "Battles", "sub_event_type": "Armed clash"}, "geometry": {"type": "Point", "coordinates": [39.8, 46.7]}}]}', "feature 0, property latitude.*swapped"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply|not a GeoJSON")])
def test_bad_geojson_is_refused_clearly(content, match):
    with pytest.raises(ImportFileError, match=match):
        read_events_geojson(content)


def test_cli_exports_geojson_and_table(tmp_path, capsys):
    from cli.main import main

    out = tmp_path / "e.geojson"
    assert main(["events", "--format", "geojson", "--out", str(out)]) == 0
    fc = json.loads(out.read_text())
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 6
    assert main(["events", "--since", "2023-09-19", "--until", "2023-09-19", "--type", "Battles"]) == 0
    printed = capsys.readouterr().out
    assert "Armed clash" in printed and "1 events" in printed
    assert main(["events", "--format", "xml"]) == 1
    assert "not a format" in capsys.readouterr().err


def test_an_event_on_coordinates_is_written_the_same_whether_its_point_is_made_or_not():
    """An event made from latitude and longitude makes its shapely point only when asked
    for it (the extraction path needs none); the files written from it, its copies and
    its equality do not depend on whether the point was made yet."""
    from shapely.geometry import Point

    from events.model import replace

    def fresh():
        return make_event(event_date="2023-09-19", event_type="Explosions/Remote violence",
                          sub_event_type="Shelling/artillery/missile attack", latitude=39.8177, longitude=46.7528,
                          location="Stepanakert", source="test")

    unmade, made = fresh(), fresh()
    assert made.geometry.equals(Point(46.7528, 39.8177))  # now made
    assert unmade.geojson_geometry() == {"type": "Point", "coordinates": [46.7528, 39.8177]}
    assert events_to_geojson([unmade]) == events_to_geojson([made])
    assert events_to_acled_csv([unmade]) == events_to_acled_csv([made])
    assert replace(unmade, notes="n") == replace(made, notes="n")
    moved = replace(unmade, latitude=39.76, longitude=46.75)
    assert moved.geometry.equals(Point(46.75, 39.76)) and moved.x_uid != unmade.x_uid
    assert [e.geometry.wkt for e in read_events_geojson(events_to_geojson([unmade]).encode())] == [made.geometry.wkt]
