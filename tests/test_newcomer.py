"""A newcomer's first hour: settings, labels a person reads, one date validator, where
the store goes (issue: a newcomer's first hour). The wheel and the browser checks are
in tests/test_package.py and tests/test_browser.py."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tomllib

import pytest

import layers
from cli.main import DASHBOARD_FLAGS, dashboard_command
from extract import events_from_text, max_article_bytes
from render import dashboard as dash
from store import settings

from .conftest import ROOT


def test_streamlit_settings_phone_no_one_and_state_the_article_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] * 1_000_000 >= max_article_bytes() > (config["server"]["maxUploadSize"] - 1) * 1_000_000
    flags = dict(zip(DASHBOARD_FLAGS[::2], DASHBOARD_FLAGS[1::2]))  # the installed route says the same
    assert flags["--browser.gatherUsageStats"] == "false" and flags["--server.maxUploadSize"] == str(config["server"]["maxUploadSize"])
    assert config["runner"]["magicEnabled"] is False and flags["--runner.magicEnabled"] == "false"  # no rewrite per compile
    cmd = dashboard_command(8600, "127.0.0.1")
    assert cmd[-len(DASHBOARD_FLAGS):] == list(DASHBOARD_FLAGS) and cmd[cmd.index("--server.port") + 1] == "8600"


def test_tables_show_names_and_sentences_not_ids_and_offsets():
    text = ("Published: 2023-09-19\n\nFighting broke out along the line of contact on Tuesday. "
            "Somewhere, something was shelled long ago in 1990, residents said.")
    result = events_from_text(text, published="2023-09-19")
    table = dash.preview_table(result.events)
    assert not any(":" in str(p) and "_" in str(p) for p in table["place"])  # no lachin_corridor:route_2022_road
    assert any("ine of contact" in str(p) for p in table["place"])
    unplaced = dash.unplaced_table(result.unplaced)
    assert list(unplaced.columns) == ["what", "why not placed", "date", "places named", "sentence"]
    assert not unplaced.empty and unplaced["sentence"].str.contains("shelled").any()


def test_a_place_is_changed_by_id_in_its_own_column():
    result = events_from_text("Azerbaijani artillery shelled Martuni on Tuesday.", published="2023-09-19")
    table = dash.preview_table(result.events)
    table.loc[0, "change place to"] = "hadrut"
    kept = dash.apply_preview_edits(result.events, table)
    assert kept[0].x_place_id == "hadrut" and kept[0].x_method == "manual"
    table.loc[0, "change place to"] = "nowhere_at_all"
    with pytest.raises(Exception, match="row 1"):
        dash.apply_preview_edits(result.events, table)


@pytest.mark.parametrize("args", [
    ["extract", "README.md", "--published", "19/09/2023"], ["layers", "--as-of", "2023-13-01"],
    ["events", "--since", "2023/09/01"], ["snapshot", "--out", "x.png", "--as-of", "tomorrow"],
    ["events", "--until", "19 September 2023"],
])
def test_every_date_option_is_refused_in_one_wording(args, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, KARABAKH_MAP_STORE=str(tmp_path / "s.gpkg")))
    assert proc.returncode == 1
    assert "is not a date: give YYYY-MM-DD, e.g. 2023-09-19" in proc.stderr, proc.stderr


@pytest.mark.parametrize("args, range_text", [
    (["layers", "--as-of", "1980-01-01"], "1994-05-12 to 2024-12-31"),
    (["snapshot", "--out", "x.png", "--as-of", "2030-01-01"], "1994-05-12 to 2024-12-31"),
    (["events", "--since", "1900-01-01"], f"1988-01-01 to {dt.date.today().isoformat()}"),
])
def test_dates_outside_the_range_the_page_offers_are_refused(args, range_text, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, KARABAKH_MAP_STORE=str(tmp_path / "s.gpkg")))
    assert proc.returncode == 1 and f"is outside {range_text}" in proc.stderr, proc.stderr
    assert (dash.AS_OF_MIN, dash.AS_OF_MAX) == layers.AS_OF_RANGE  # the page's slider: the same range


def test_the_store_goes_to_the_users_data_folder_outside_the_project(tmp_path, monkeypatch):
    monkeypatch.delenv("KARABAKH_MAP_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert settings.store_path() == tmp_path / "xdg" / "karabakh-map" / "karabakh-map.gpkg"
    monkeypatch.chdir(ROOT)
    assert settings.store_path() == settings.DEFAULT_STORE  # a clone keeps its data/ folder
    monkeypatch.setenv("KARABAKH_MAP_STORE", str(tmp_path / "mine.gpkg"))
    assert settings.store_path() == tmp_path / "mine.gpkg"
