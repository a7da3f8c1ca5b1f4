"""Corroboration: reports of one incident linked, each side's claim and denial kept apart.

Real reports go through the real extractor into real stores (a GeoPackage file, and
PostGIS where ``KARABAKH_MAP_TEST_DATABASE_URL`` names a server).
"""
from __future__ import annotations

import datetime as dt
import csv
import io
from pathlib import Path

import pytest

from cli.linking import evaluate_linking
from events import ArticleRecord
from events.model import replace
from events.incidents import Candidate, link_reason, pairwise_scores, summarise
from events.sources import side_of
from exchange.acled_csv import events_to_acled_csv, incidents_to_acled_csv, read_acled_csv
from exchange.geojson_io import events_to_geojson, read_events_geojson
from extract.article import read_article
from extract.claims import claim_in
from extract.pipeline import events_from_article
from render.folium_map import map_from_view, map_to_html
from render.incidents import collapse, filter_by_corroboration, incidents_table
from render.view import View
from store import open_store

from .conftest import write_old_store
from .test_store_backends import pg_url, target  # noqa: F401  (fixtures: both backends)

LINKING_SET = Path(__file__).parent / "data" / "corroboration"


def _report(source: str, url: str, day: str, body: str) -> str:
    return f"TITLE: report\nSOURCE: {url} ({source})\nPUBLISHED: {day}\n\n{body}"


THREE_REPORTS = [
    _report("Armenpress", "https://armenpress.am/eng/news/t1", "2020-10-04",
            "STEPANAKERT, October 4. Azerbaijani forces shelled Stepanakert on Sunday morning, wounding several "
            "civilians, the Armenian defence ministry said."),
    _report("AZERTAC", "https://azertag.az/en/xeber/t2", "2020-10-04",
            "BAKU, October 4. The Azerbaijani defence ministry denied that its forces shelled Stepanakert on Sunday, "
            "calling the reports disinformation."),
    _report("Associated Press", "https://apnews.com/article/t3", "2020-10-04",
            "STEPANAKERT (AP). Explosions shook Stepanakert on Sunday, October 4, as the city came under heavy shelling, "
            "an Associated Press reporter saw."),
]
NEXT_DAY = _report("Associated Press", "https://apnews.com/article/t4", "2020-10-05",
                   "STEPANAKERT (AP). Stepanakert was shelled again on Monday, October 5, AP journalists saw.")


def _ingest(store, text: str):
    article = read_article(text)
    result = events_from_article(article)
    store.ingest(article.record(), [*result.events, *result.denials])
    return result


def test_three_reports_of_one_shelling_are_one_incident_and_the_next_day_is_another(target):
    store = open_store(target, load_seeds=False)
    for text in THREE_REPORTS + [NEXT_DAY]:
        _ingest(store, text)
    events = store.query()
    assert len(events) == 4
    by_day = {d: g for d, g in events.groupby("event_date")}
    oct4, oct5 = by_day["2020-10-04"], by_day["2020-10-05"]
    assert oct4["x_incident"].nunique() == 1
    assert oct5["x_incident"].iloc[0] not in set(oct4["x_incident"])
    summary = summarise(oct4.to_dict("records"))
    assert summary.n_reports == 3
    assert summary.claimed_by == ("armenian_official",)
    assert summary.denied_by == ("azerbaijani_official",)
    assert summary.independent_outlets == ("Associated Press",)
    assert summary.denied_by_other_side and not summary.one_side_only
    reasons = [r for r in oct4["x_incident_reason"] if r]
    assert len(reasons) == 2 and all(r.startswith("linked because: same place Stepanakert") and "same day" in r for r in reasons)
    # on the map: two marks, the first with its three reports and the denial named
    drawn = collapse(events)
    assert len(drawn) == 2 and sorted(drawn["x_n_reports"]) == [1, 3]
    html = map_to_html(map_from_view(View(as_of=None), events))
    assert "3 reports" in html and "denies it" in html and "Azerbaijani official" in html
    store.close()


def test_a_denial_alone_is_stored_but_never_drawn(target):
    store = open_store(target, load_seeds=False)
    result = _ingest(store, THREE_REPORTS[1])
    assert result.events == [] and len(result.denials) == 1
    events = store.query()
    assert len(events) == 1 and events["x_claim"].iloc[0] == "denial"
    assert collapse(events).empty
    html = map_to_html(map_from_view(View(as_of=None), events))
    assert "L.circleMarker([r[0], r[1]]" not in html  # no event layer at all
    store.close()


def test_split_and_merge_by_hand(target):
    store = open_store(target, load_seeds=False)
    for text in THREE_REPORTS + [NEXT_DAY]:
        _ingest(store, text)
    events = store.query()
    oct4 = events[events["event_date"] == "2020-10-04"]
    incident = oct4["x_incident"].iloc[0]
    wire = oct4[oct4["source"].str.startswith("Associated Press")]["x_uid"].iloc[0]
    assert store.set_incident([wire], wire, "split by hand") == 1
    after = store.query().set_index("x_uid")
    assert after.loc[wire, "x_incident"] == wire and after.loc[wire, "x_incident_reason"] == "split by hand"
    assert (after["x_incident"] == incident).sum() == 2
    # merge the next day's report into the first incident
    next_day = after.index[after["event_date"] == "2020-10-05"][0]
    store.set_incident([next_day], incident, f"merged by hand with {wire}")
    merged = store.query().set_index("x_uid")
    assert merged.loc[next_day, "x_incident"] == incident
    assert (merged["x_incident"] == incident).sum() == 3
    with pytest.raises(ValueError, match="not a stored event"):
        store.set_incident(["nope"], incident, "x")
    with pytest.raises(ValueError, match="empty"):
        store.set_incident([], incident, "x")
    store.close()


def test_rejected_events_attract_no_links(target):
    store = open_store(target, load_seeds=False)
    _ingest(store, THREE_REPORTS[0])
    first = store.query()["x_uid"].iloc[0]
    store.set_review(first, "rejected")
    _ingest(store, THREE_REPORTS[2])
    events = store.query().set_index("x_uid")
    wire = [u for u in events.index if u != first][0]
    assert events.loc[wire, "x_incident"] == wire


def _cand(**kw) -> Candidate:
    base = dict(x_uid="u", x_incident="u", sub_event_type="Shelling/artillery/missile attack", event_date=dt.date(2020, 10, 4),
                time_precision=1, geo_precision=1, x_place_id="stepanakert", x_layer="", latitude=39.8177,
                longitude=46.7528, location="Stepanakert", date_text="")
    base.update(kw)
    return Candidate(**base)


@pytest.mark.parametrize("other, linked", [
    (dict(), True),
    (dict(sub_event_type="Attack"), True),  # a shelling and its casualties
    (dict(sub_event_type="Agreement"), False),  # a shelling and a ceasefire
    (dict(event_date=dt.date(2020, 10, 5)), False),  # the next day
    (dict(event_date=dt.date(2020, 10, 5), date_text="overnight into Monday"), True),  # a night, two dates
    (dict(event_date=dt.date(2020, 10, 8), time_precision=2), True),  # a report dated to the week
    (dict(x_place_id="krkjan", latitude=39.803, longitude=46.737), False),  # the next village
    (dict(x_place_id="", geo_precision=1), False),  # a place and bare coordinates
])
def test_link_rules(other, linked):
    assert (link_reason(_cand(), _cand(**other)) is not None) == linked


def test_coordinates_link_within_the_precision_radius_only():
    a = _cand(x_place_id="", latitude=39.80, longitude=46.70)
    assert link_reason(a, _cand(x_place_id="", latitude=39.81, longitude=46.71)) is not None  # 1.4 km
    assert link_reason(a, _cand(x_place_id="", latitude=39.85, longitude=46.76)) is None  # 7 km
    near = dict(x_place_id="", latitude=39.83, longitude=46.72)  # 3.7 km away
    assert link_reason(a, _cand(**near)) is None  # both to the town: 2 km
    assert link_reason(a, _cand(**near, geo_precision=2)) is not None  # "near" a place: 5 km
    # region-level events join only the same feature
    region = _cand(x_place_id="", x_layer="seven_districts:lachin", geo_precision=3)
    assert link_reason(region, _cand(x_place_id="", x_layer="seven_districts:lachin", geo_precision=3)) is not None
    assert link_reason(region, _cand(x_place_id="", x_layer="seven_districts:kalbajar", geo_precision=3)) is None
    assert link_reason(region, _cand(x_place_id="", geo_precision=1, latitude=39.64, longitude=46.55)) is None


def test_a_place_links_with_the_road_it_lies_on_but_not_with_a_whole_line():
    protest = dict(sub_event_type="Peaceful protest")
    shusha = _cand(x_place_id="shusha", latitude=39.76, longitude=46.75, location="Shusha", event_date=dt.date(2022, 12, 12), **protest)
    road = _cand(x_place_id="", x_layer="lachin_corridor:route_2022_road", geo_precision=3, latitude=39.6, longitude=46.5,
                 event_date=dt.date(2022, 12, 12), location="Lachin corridor", **protest)
    assert "km from the Lachin corridor" in link_reason(shusha, road)
    goris_far = _cand(x_place_id="kapan", latitude=39.2, longitude=46.4, event_date=dt.date(2022, 12, 12), **protest)
    assert link_reason(goris_far, road) is None
    line = _cand(x_place_id="", x_layer="contact_line:contact_line_2020", geo_precision=3, event_date=dt.date(2022, 12, 12),
                 **protest)
    assert link_reason(shusha, line) is None


@pytest.mark.parametrize("sentence, source, expected", [
    ("Azerbaijani forces shelled Stepanakert, the Armenian defence ministry said.", "AFP; Armenian Ministry of Defence",
     ("claim", "armenian_official")),
    ("Baku denied that its troops shelled Martuni.", "Reuters", ("denial", "azerbaijani_official")),
    ("Shelling hit Martuni on Tuesday.", "OC Media", ("", "")),
    ("Armenian forces shelled Tartar.", "AZERTAC", ("claim", "azerbaijani_official")),  # an official voice's report
    ("Two civilians were wounded in Ganja, the ICRC said.", "Reuters; ICRC", ("claim", "international")),
])
def test_claims_and_whose(sentence, source, expected):
    denied = "denied" in sentence
    assert claim_in(sentence, source, denied=denied) == expected


def test_a_sentence_that_denies_one_thing_and_claims_another():
    text = _report("Associated Press", "https://apnews.com/x", "2020-11-06",
                   "Azerbaijan's Defense Ministry denied hitting civilian areas on Friday, and it accused Armenia of "
                   "firing on the city of Terter on Friday, November 6.")
    result = events_from_article(read_article(text))
    tartar = [e for e in result.events if e.x_place_id == "tartar"]
    assert tartar and tartar[0].x_claim == "claim" and tartar[0].x_claimant == "azerbaijani_official"


def test_the_source_table_names_sides_and_a_desk_can_replace_it(tmp_path, monkeypatch):
    assert side_of("AZERTAC") == "azerbaijani_official"
    assert side_of("Gulf Time, AFP copy") == "media"
    assert side_of("TASS, quoting the Russian Defence Ministry bulletin") == "russian_official"
    assert side_of("Some blog") == "media"  # unknown: media, not an official voice
    table = tmp_path / "sides.csv"
    table.write_text("match,name,side,country,note\nsome blog,Some Blog,armenian_official,AM,\n", encoding="utf-8")
    monkeypatch.setenv("KARABAKH_MAP_SOURCE_SIDES", str(table))
    assert side_of("Some blog") == "armenian_official"
    table.write_text("match,name,side,country,note\nsome blog,Some Blog,friendly,AM,\n", encoding="utf-8")
    monkeypatch.setenv("KARABAKH_MAP_SOURCE_SIDES", str(table) + "")
    from events.sources import _load

    _load.cache_clear()
    with pytest.raises(ValueError, match="'friendly'.*not a side"):
        side_of("Some blog")
    _load.cache_clear()


def test_filters_by_corroboration(target):
    store = open_store(target, load_seeds=False)
    for text in THREE_REPORTS + [NEXT_DAY]:
        _ingest(store, text)
    claim_only = _report("Artsakhpress", "https://artsakhpress.am/eng/news/t5", "2020-10-06",
                         "STEPANAKERT, October 6. Azerbaijani drones struck Martuni on Tuesday, October 6, the Karabakh authorities said.")
    _ingest(store, claim_only)
    events = store.query()
    days = lambda frame: sorted(set(frame["event_date"]))  # noqa: E731
    assert days(filter_by_corroboration(events, View(as_of=None, corroboration="denied"))) == ["2020-10-04"]
    assert days(filter_by_corroboration(events, View(as_of=None, corroboration="one_side"))) == ["2020-10-06"]
    assert days(filter_by_corroboration(events, View(as_of=None, min_independent=1))) == ["2020-10-04", "2020-10-05"]
    assert filter_by_corroboration(events, View(as_of=None, min_independent=2)).empty
    view = View(min_independent=1, corroboration="denied")
    assert View.from_query_params(view.to_query_params()) == view  # the link keeps them
    assert "independent outlet" in view.subtitle() and "denied by a side" in view.subtitle()
    table = incidents_table(events)
    assert sorted(table["reports"]) == [1, 1, 3]
    store.close()


def test_exports_one_acled_row_per_incident_and_round_trips_keep_the_incident(target, tmp_path):
    store = open_store(target, load_seeds=False)
    for text in THREE_REPORTS + [NEXT_DAY]:
        _ingest(store, text)
    events = store.query()
    text = incidents_to_acled_csv(events)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    first = next(r for r in rows if r["event_date"] == "2020-10-04")
    assert set(first["source"].split("; ")) == {"Armenpress", "Armenian Ministry of Defence", "AZERTAC",
                                                  "Azerbaijani Ministry of Defence", "Associated Press"}
    assert first["source_scale"] == "National-International"
    assert "Corroboration: 3 reports" in first["notes"]
    # every report's event keeps its incident through CSV and GeoJSON
    for name, data, read in (("events.csv", events_to_acled_csv(events), read_acled_csv),
                             ("events.geojson", events_to_geojson(events), read_events_geojson)):
        back = read(data.encode("utf-8"))
        assert {e.x_uid: e.x_incident for e in back} == dict(zip(events["x_uid"], events["x_incident"])), name
        assert {e.x_uid: (e.x_claim, e.x_claimant) for e in back} == dict(zip(events["x_uid"], zip(events["x_claim"], events["x_claimant"])))
        fresh = open_store(str(tmp_path / f"{name}.gpkg"), load_seeds=False)
        fresh.upsert_events(back)
        again = fresh.query()
        assert dict(zip(again["x_uid"], again["x_incident"])) == dict(zip(events["x_uid"], events["x_incident"]))
        fresh.close()
    store.close()


def test_linking_scores_on_the_labelled_set(target):
    """The set's own reports (paraphrased; incidents that only look alike included)."""
    store = open_store(target, load_seeds=False)
    scores = evaluate_linking(LINKING_SET, store)
    assert scores["found"] == scores["labelled"] == 35
    assert scores["precision"] >= 0.9 and scores["recall"] >= 0.9, scores
    store.close()


def test_pairwise_scores():
    gold = {"a": 1, "b": 1, "c": 2, "d": 3}
    assert pairwise_scores(gold, {"a": "x", "b": "x", "c": "y", "d": "z"})["precision"] == 1.0
    wrong = pairwise_scores(gold, {"a": "x", "b": "y", "c": "y", "d": "z"})
    assert wrong["recall"] == 0.0 and wrong["precision"] == 0.0


def test_a_store_of_the_last_schema_gains_incidents(tmp_path):
    """A store made before incidents (schema 3): every event becomes its own incident."""
    from store import gpkg_format
    from store.geopackage import GeoPackageStore

    path = tmp_path / "old.gpkg"
    write_old_store(path, schema=3)
    store = GeoPackageStore(path, load_seeds=False)
    assert store.schema_version == gpkg_format.SCHEMA_VERSION
    events = store.query()
    assert list(events["x_incident"]) == ["olduid"] and list(events["x_claim"]) == [""]
    store.close()


def test_the_snapshot_draws_one_mark_per_incident_and_says_so(tmp_path):
    import matplotlib.pyplot as plt

    from render.snapshot import snapshot_figure

    store = open_store(str(tmp_path / "s.gpkg"), load_seeds=False)
    for text in THREE_REPORTS + [NEXT_DAY]:
        _ingest(store, text)
    events = store.query()
    fig, info = snapshot_figure(View(as_of=dt.date(2020, 10, 6), bbox=(46.5, 39.6, 47.0, 40.0)), events)
    legend = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    plt.close(fig)
    assert info.n_events == 4 and info.n_incidents == 2
    assert "2 incidents from 4 reports" in info.caption
    assert "Larger: one incident in several reports" in legend
    store.close()


def test_the_geopackage_export_keeps_each_report_with_its_incident(tmp_path):
    import geopandas as gpd

    from render.export import events_to_gpkg_bytes

    store = open_store(str(tmp_path / "s.gpkg"), load_seeds=False)
    for text in THREE_REPORTS:
        _ingest(store, text)
    events = store.query()
    path = tmp_path / "out.gpkg"
    path.write_bytes(events_to_gpkg_bytes(events))
    back = gpd.read_file(path, layer="events")
    assert dict(zip(back["x_uid"], back["x_incident"])) == dict(zip(events["x_uid"], events["x_incident"]))
    assert set(back["x_claim"]) == {"claim", "denial", ""}
    store.close()


def _fact(uid_hint: int, article: str, day: str, *, place: str = "", sub: str = "Shelling/artillery/missile attack",
          lat: float = 0.0, lon: float = 0.0, **kw):
    from events.places import place as placement

    from .conftest import sample_event

    types = {"Shelling/artillery/missile attack": "Explosions/Remote violence", "Armed clash": "Battles",
             "Attack": "Violence against civilians"}
    if place:
        point = placement(place).geometry
        lat, lon = point.y, point.x
    return sample_event(uid_hint, article, event_date=day, event_type=types[sub], sub_event_type=sub, x_place_id=place,
                        latitude=lat, longitude=lon, **kw)


def test_a_batch_spread_over_years_links_as_its_events_would_one_by_one(target):
    """A bulk load (one batch over years and the whole region) finds its candidates in one
    statement (``store.base.candidate_query_many``); each event links as it would have
    alone: by place and day, by coordinates, over a road, by a week-dated report, never
    to a rejected event, and not to the day after."""
    store = open_store(target, load_seeds=False)
    stored = [
        _fact(1, "s1", "2020-10-04", place="stepanakert"),
        _fact(2, "s1", "2018-05-02", lat=39.9, lon=46.5),
        _fact(3, "s1", "2021-03-03", x_layer="lachin_corridor:route_2020_road", lat=39.63, lon=46.55, geo_precision=3),
        _fact(4, "s1", "2016-04-05", place="shusha", sub="Armed clash", time_precision=2),
        _fact(5, "s1", "2019-07-07", place="martakert"),
    ]
    store.ingest(ArticleRecord("s1"), stored)
    store.set_review(stored[4].x_uid, "rejected")
    batch = [
        _fact(11, "n1", "2020-10-04", place="stepanakert", sub="Attack"),  # A's place and day
        _fact(12, "n1", "2018-05-02", lat=39.905, lon=46.505, sub="Attack"),  # 0.7 km from B
        _fact(13, "n1", "2021-03-03", place="lachin"),  # on C's road
        _fact(14, "n1", "2016-04-08", place="shusha", sub="Armed clash"),  # within D's week
        _fact(15, "n1", "2019-07-07", place="martakert"),  # E is rejected
        _fact(16, "n1", "2020-10-06", place="stepanakert"),  # two days after A
    ]
    from store.base import _is_compact

    assert not _is_compact(batch)
    store.ingest(ArticleRecord("n1"), batch)
    incident = store.query().set_index("x_uid")["x_incident"]
    expected = {11: stored[0], 12: stored[1], 13: stored[2], 14: stored[3]}
    for i, e in zip(range(11, 17), batch):
        assert incident[e.x_uid] == (expected[i].x_uid if i in expected else e.x_uid), i
    # and one by one (each a compact batch of its own), into a second store: the same links
    one_by_one = open_store(target.replace("s.gpkg", "t.gpkg"), load_seeds=False) if target.endswith(".gpkg") else None
    if one_by_one is not None:
        one_by_one.ingest(ArticleRecord("s1"), stored)
        one_by_one.set_review(stored[4].x_uid, "rejected")
        for e in batch:
            one_by_one.ingest(ArticleRecord(e.x_article_id + e.x_uid), [replace(e, x_article_id=e.x_article_id + e.x_uid)])
        again = one_by_one.query().set_index("x_uid")["x_incident"]
        assert {u: again[u] for u in again.index if u in incident.index} == {u: incident[u] for u in again.index if u in incident.index}
