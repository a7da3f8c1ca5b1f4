"""The page reads only ``render.dashboard.MAP_COLUMNS`` from the store: every part it
draws from them (the map and its popups, the tables, the timeline, an event's details,
the incident panels) must equal the same part drawn from every column. A column the page
starts to read without adding it there makes this test fail, not the page show less."""
from __future__ import annotations

import re

import pytest

from render import dashboard as dash
from render.describe import geo_label, place_label
from render.folium_map import event_at, map_from_view, map_to_html
from render.incidents import filter_by_corroboration, incident_ids, incident_voices, incidents_table, summaries
from render.view import View
from store import open_store

from .test_corroboration import NEXT_DAY, THREE_REPORTS, _ingest

_FOLIUM_ID = re.compile(r"_[0-9a-f]{32}")  # folium names each element with a fresh uuid


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("cols") / "s.gpkg")  # the seed events too
    for text in [*THREE_REPORTS, NEXT_DAY]:
        _ingest(store, text)
    full, part = store.query(), store.query(columns=dash.MAP_COLUMNS)
    store.close()
    assert (incident_ids(full).value_counts() > 1).any()  # an incident of several reports is among them
    return full, part


def _html(events, view: View) -> str:
    return _FOLIUM_ID.sub("_id", map_to_html(map_from_view(view, events)))


@pytest.mark.parametrize("naming", ["both", "azerbaijani", "armenian"])
def test_the_map_and_its_popups_need_no_other_column(frames, naming):
    full, part = frames
    view = View(naming=naming)
    assert _html(part, view) == _html(full, view)


def test_the_tables_and_the_timeline_need_no_other_column(frames):
    full, part = frames
    for naming in ("both", "azerbaijani"):
        assert dash.events_table(part, naming).equals(dash.events_table(full, naming))
        assert incidents_table(part, naming).equals(incidents_table(full, naming))
    assert dash.timeline(part).equals(dash.timeline(full))


def test_an_event_and_its_incident_need_no_other_column(frames):
    full, part = frames
    for uid, lat, lon in zip(full["x_uid"], full["latitude"], full["longitude"]):
        picked_full, picked_part = event_at(full, lat, lon), event_at(part, lat, lon)
        assert picked_full["x_uid"] == picked_part["x_uid"]
        assert place_label(picked_part, "both") == place_label(picked_full, "both")
        assert geo_label(picked_part) == geo_label(picked_full)
        for key in ("sub_event_type", "event_type", "event_date", "actor1", "actor2", "source", "x_source_url",
                    "x_confidence", "x_review", "x_evidence", "x_incident_reason"):
            assert picked_part[key] == picked_full[key], key
        reports_full, reports_part = dash.incident_reports(full, uid), dash.incident_reports(part, uid)
        assert list(reports_part["x_uid"]) == list(reports_full["x_uid"])
        assert dash.events_table(reports_part, "both").equals(dash.events_table(reports_full, "both"))
        assert list(incident_voices(reports_part)) == list(incident_voices(reports_full))
        assert dash.other_incidents(part, uid, "both") == dash.other_incidents(full, uid, "both")
    words = {k: s.words() for k, s in summaries(full).items()}
    assert {k: s.words() for k, s in summaries(part).items()} == words


@pytest.mark.parametrize("min_independent, corroboration", [(1, "any"), (0, "one_side"), (0, "denied")])
def test_the_corroboration_filters_need_no_other_column(frames, min_independent, corroboration):
    full, part = frames
    view = View(min_independent=min_independent, corroboration=corroboration)
    assert list(filter_by_corroboration(part, view)["x_uid"]) == list(filter_by_corroboration(full, view)["x_uid"])
