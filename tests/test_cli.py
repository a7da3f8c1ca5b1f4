"""The command line, as a user runs it (through main(), and once as a real process)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from cli.main import main

ARTICLES = Path(__file__).parent / "data" / "articles"


def test_layers_json_lists_every_layer_with_metadata(capsys):
    assert main(["layers", "--json"]) == 0
    meta = json.loads(capsys.readouterr().out)
    ids = [m["id"] for m in meta]
    assert {"borders", "lakes", "rivers", "seven_districts", "contact_line", "lachin_corridor", "peacekeeping_zone", "nkao", "places",
            "stepanakert"} == set(ids)
    for m in meta:
        assert m["source"] and m["licence"] and m["accuracy_m"] > 0


def test_layers_as_of_filters(capsys):
    assert main(["layers", "--as-of", "2024-01-01", "--json"]) == 0
    meta = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    assert meta["contact_line"]["features"] == 0 and meta["lachin_corridor"]["features"] == 0


@pytest.mark.parametrize("fmt, suffix", [("geojson", ".geojson"), ("gpkg", ".gpkg")])
def test_layers_export(tmp_path, capsys, fmt, suffix):
    assert main(["layers", "export", str(tmp_path / "out"), "--format", fmt, "--as-of", "2021-06-01"]) == 0
    files = list((tmp_path / "out").glob(f"*{suffix}"))
    assert files
    if fmt == "gpkg":
        names = [n for n, _ in pyogrio.list_layers(files[0])]
        assert "contact_line" in names and "seven_districts" in names
    else:
        assert (tmp_path / "out" / "contact_line.geojson").exists()


@pytest.mark.parametrize("argv, message", [
    (["layers", "--as-of", "2023-02-30"], "is not a date"),
    (["layers", "export", "x", "--format", "shp"], "not a layer export format"),
    (["snapshot", "--out", "x.png", "--bbox", "47,39,46,40"], "west"),
    (["snapshot", "--out", "x.png", "--layers", "roads"], "unknown layer 'roads'"),
    (["extract", "/no/such/file.txt"], "does not exist"),
])
def test_bad_arguments_get_clear_errors(capsys, argv, message):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "error" in err


def test_extract_prints_events_without_storing(capsys):
    from store import GeoPackageStore

    before = GeoPackageStore().count()
    assert main(["extract", str(ARTICLES / "19_offensive.txt"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    placed = [e for e in out if e.get("geometry")]
    assert {e["x_place_id"] for e in placed} == {"stepanakert", "martuni"}
    assert all(e["event_date"] == "2023-09-19" for e in placed)
    assert GeoPackageStore().count() == before


def test_ingest_stores_reports_duplicates_and_unplaced(capsys, tmp_path):
    unplaceable = tmp_path / "unplaceable.txt"
    unplaceable.write_text("Published: 2023-09-20\n\nHeavy shelling was reported on Tuesday, officials said.\n", encoding="utf-8")
    files = [str(ARTICLES / "19_offensive.txt"), str(ARTICLES / "17_blockade_begins.txt"), str(unplaceable)]
    assert main(["ingest", *files]) == 0
    first = capsys.readouterr().out
    assert "stored 2 events" in first and "could not be placed" in first
    assert main(["ingest", files[0]]) == 0
    assert "duplicate" in capsys.readouterr().out


def test_console_script_runs_as_a_process(tmp_path):
    exe = Path(sys.executable).parent / "karabakh-map"
    proc = subprocess.run([str(exe), "layers", "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)
    bad = subprocess.run([str(exe), "events", "--since", "yesterday"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "since='yesterday' is not a date" in bad.stderr


def _extract_in_a_process(article: Path, *options: str) -> tuple[str, list[str]]:
    """What `karabakh-map extract` prints for ``article``, and which heavy modules it loaded."""
    code = ("import sys; from cli.main import main; rc = main(['extract', *sys.argv[2:], sys.argv[1]]); "
            "heavy = [m for m in ('pandas', 'geopandas', 'matplotlib', 'streamlit', 'pyogrio', 'shapely', 'numpy') "
            "if m in sys.modules]; print('HEAVY', heavy); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, str(article), *options], capture_output=True, text=True, timeout=120,
                          cwd=str(Path(__file__).resolve().parent.parent))
    assert proc.returncode == 0, proc.stderr
    out, _, heavy = proc.stdout.rpartition("HEAVY ")
    return out, eval(heavy)  # the list printed above


def test_extract_needs_neither_pandas_nor_geopandas(tmp_path):
    """`karabakh-map extract` starts fast because reading and extracting import no
    pandas, GeoPandas, matplotlib or Streamlit; and a report whose events sit on places
    and villages of the gazetteer not even shapely and NumPy (the points are their
    coordinates, and the district and country of each place were found once, when the
    first run made the tables of the user's cache). An event on a line or an area has
    that layer's geometry."""
    article = tmp_path / "a.txt"
    article.write_text("Published: 2023-09-20\n\nAzerbaijani forces shelled Stepanakert on Tuesday. "
                       "Two civilians were killed by shelling in the village of Mataghis on Tuesday.\n", encoding="utf-8")
    _extract_in_a_process(article)  # the first run on a machine builds the cached tables
    out, heavy = _extract_in_a_process(article)
    assert "Shelling" in out and "Stepanakert" in out and "Mataghis" in out and heavy == [], out
    out, heavy = _extract_in_a_process(article, "--json")
    events = json.loads(out)
    assert heavy == [] and {e["geometry"]["type"] for e in events} == {"Point"}
    stepanakert = next(e for e in events if "Stepanakert" in e["location"])
    assert stepanakert["geometry"]["coordinates"] == [stepanakert["longitude"], stepanakert["latitude"]]
    assert stepanakert["country"] == "Azerbaijan"  # the borders layer, read from the places' cached table
    mataghis = next(e for e in events if "Mataghis" in e["location"])
    assert mataghis["country"] == "Azerbaijan"

    line = tmp_path / "b.txt"
    line.write_text("Published: 2023-09-20\n\nHeavy clashes broke out along the line of contact on Tuesday.\n", encoding="utf-8")
    out, _ = _extract_in_a_process(line, "--json")
    (clash,) = json.loads(out)
    from shapely.geometry import shape

    from events.places import layer_feature

    assert shape(clash["geometry"]).equals(layer_feature(clash["x_layer"], as_of=clash["event_date"]).geometry)
