"""The page under Streamlit's AppTest, driven by widget key."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

import layers
from render import dashboard as dash
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
XSS_ARTICLE = """Title: Shelling <img src=x onerror=alert(1)> ${globalThis.pwned=1}
Published: 2023-09-20

Azerbaijani artillery shelled Martuni on Wednesday <img src=x onerror=alert(1)> ${globalThis.pwned=1}, officials said.
"""


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_panel(at: AppTest, name: str) -> AppTest:
    """Choose a panel under the map, as a click on its tab does (a rerun that draws it)."""
    assert name in dash.PANELS, name
    at.session_state["panel"] = name
    return at.run()


def map_script(at: AppTest) -> str:
    """The map's script, with the layer features it fetches from the page's host (the
    files this process serves) put back in place of each fetch, as the browser draws them."""
    from render.served import payload_dir

    comps = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    assert comps, "the page shows no map"
    script = json.loads(comps[0].proto.json_args)["script"]
    return re.sub(r'fetch\("[^"]*/render\.served\.layers/([0-9a-f]{32}\.json)"\)',
                  lambda m: (payload_dir() / m.group(1)).read_text(encoding="utf-8"), script)


def test_page_opens_with_layers_and_seed_events(app):
    script = map_script(app)
    for lid in ("borders", "seven_districts", "contact_line", "peacekeeping_zone", "lachin_corridor", "stepanakert"):
        assert f"km-layer-{lid}" in script, lid
    assert app.session_state["map_summary"]["events"] >= 6
    assert "Armed clash" in script


@pytest.mark.parametrize("lid", ["borders", "seven_districts", "nkao", "peacekeeping_zone", "lachin_corridor", "contact_line", "stepanakert"])
def test_unticking_a_layer_removes_it_from_the_map(app, lid):
    app.checkbox(key=f"layer_{lid}").uncheck().run()
    assert not app.exception
    assert f"km-layer-{lid}" not in map_script(app)
    app.checkbox(key=f"layer_{lid}").check().run()
    assert f"km-layer-{lid}" in map_script(app)


def test_places_layer_can_be_switched_on(app):
    assert "km-layer-places" not in map_script(app)
    app.checkbox(key="layer_places").check().run()
    assert "km-layer-places" in map_script(app)


def test_as_of_date_redraws_the_layers(app):
    app.slider(key="as_of").set_value(dt.date(2024, 1, 1)).run()
    script = map_script(app)
    assert "km-layer-contact_line" not in script and "km-layer-lachin_corridor" not in script
    app.slider(key="as_of").set_value(dt.date(2021, 6, 1)).run()
    assert "km-layer-contact_line" in map_script(app)


def test_key_date_jumps_the_slider(app):
    option = next(o for o in app.selectbox(key="key_date").options if o.startswith("12 Dec 2022"))
    app.selectbox(key="key_date").select(option).run()
    assert app.slider(key="as_of").value == dt.date(2022, 12, 12)


@pytest.mark.parametrize("widget, value, expected", [
    ("event_types", ["Battles"], 1),
    ("min_confidence", 0.86, 2),
    ("review", ["confirmed"], 0),
])
def test_event_filters(app, widget, value, expected):
    if widget == "min_confidence":
        app.slider(key=widget).set_value(value).run()
    else:
        app.multiselect(key=widget).set_value(value).run()
    assert app.session_state["map_summary"]["events"] == expected


def test_event_date_filter(app):
    app.date_input(key="event_dates").set_value((dt.date(2020, 1, 1), dt.date(2020, 12, 31))).run()
    assert app.session_state["map_summary"]["events"] == 0


def test_naming_choice(app):
    app.radio(key="naming").set_value("azerbaijani").run()
    script = map_script(app)
    assert "Khankendi" in script and "Stepanakert / Khankendi" not in script
    app.radio(key="naming").set_value("armenian").run()
    assert "Stepanakert / Khankendi" not in map_script(app)


def test_add_article_preview_store_and_see_it(app):
    before = app.session_state["map_summary"]["events"]
    app.slider(key="as_of").set_value(dt.date(2023, 9, 20)).run()
    app.text_area(key="article_text").input("Title: Test report\nPublished: 2023-09-20\n\n"
                                            "Azerbaijani forces shelled Martuni on Wednesday, officials said.").run()
    app.button(key="extract").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "preview" in app.session_state
    _, extracted = app.session_state["preview"]
    assert [e.x_place_id for e in extracted.events] == ["martuni"]
    app.button(key="store_events").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["map_summary"]["events"] == before + 1
    assert any("Martuni" in str(v) for v in app.dataframe[0].value["place"])


def test_untrusted_article_appears_as_plain_text(app):
    app.slider(key="as_of").set_value(dt.date(2023, 9, 20)).run()  # the article reports 20 Sep
    app.text_area(key="article_text").input(XSS_ARTICLE).run()
    app.button(key="extract").click().run()
    app.button(key="store_events").click().run()
    assert not app.exception
    script = map_script(app)
    assert "<img src=x" not in script and "${globalThis" not in script
    # escaped for HTML, then written as JSON with < > & as \u escapes
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in script
    assert "\\u0026#36;\\u0026#123;globalThis.pwned=1\\u0026#125;" in script
    table = app.dataframe[0].value
    assert any("<img src=x onerror=alert(1)>" in str(v) for v in table["evidence"])  # shown as text, not markup


def test_bad_article_gives_a_clear_error_and_stores_nothing(app):
    before = app.session_state["map_summary"]["events"]
    app.button(key="extract").click().run()
    assert any("nothing to read" in e.value for e in app.error)
    assert app.session_state["map_summary"]["events"] == before


def test_review_status_can_be_set(app):
    assert not any(r.key == "review_state" for r in app.radio)  # not drawn until the panel is chosen
    open_panel(app, "Review")
    app.radio(key="review_state").set_value("rejected").run()
    app.button(key="save_review").click().run()
    assert not app.exception
    assert app.session_state["map_summary"]["events"] == 5  # rejected events are hidden by default


def test_view_lives_in_the_url(app):
    app.checkbox(key="layer_nkao").uncheck().run()
    app.radio(key="naming").set_value("armenian").run()
    params = dict(app.query_params)
    layers_param = params["layers"][0] if isinstance(params["layers"], list) else params["layers"]
    assert "nkao" not in layers_param and "contact_line" in layers_param
    naming = params["naming"][0] if isinstance(params["naming"], list) else params["naming"]
    assert naming == "armenian"


def test_a_shared_link_reopens_the_view():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["layers"] = "borders,contact_line"
    at.query_params["as_of"] = "2021-06-01"
    at.query_params["naming"] = "azerbaijani"
    at.run()
    assert not at.exception
    assert at.checkbox(key="layer_seven_districts").value is False
    assert at.slider(key="as_of").value == dt.date(2021, 6, 1)
    assert "km-layer-seven_districts" not in map_script(at)


def test_a_broken_link_still_opens_and_says_why():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["bbox"] = "39.5,46.2,40.2,47.3"
    at.run()
    assert not at.exception
    assert any("lat,lon order" in w.value.replace("\\", "") for w in at.warning)  # shown as escaped Markdown


def test_sources_panel_lists_every_layer(app):
    assert not any("licence" in d.value.columns for d in app.dataframe)  # drawn only when chosen
    tables = [d.value for d in open_panel(app, "Sources").dataframe]
    sources = next(t for t in tables if "licence" in t.columns)
    assert len(sources) == len(layers.LAYER_IDS) and sources["licence"].str.contains("CC BY-SA 3.0").any()


def test_selected_event_shows_its_details_and_centres_the_map(app):
    from store import open_store

    uid = open_store().query(sources=["Vardanyan"])["x_uid"].iloc[0]
    app.session_state["selected_uid"] = uid
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    texts = " ".join(t.value for t in app.text)
    assert "Stepanakert / Khankendi" in texts and "mass artillery fire" in texts
    comps = [c for c in app.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    args = json.loads(comps[0].proto.json_args)
    assert args["zoom"] == 11 and abs(args["center"][0] - 39.8177) < 1e-3


def test_an_added_report_shows_villages_and_lists_history_apart(app):
    app.text_area(key="article_text").input(
        "Title: Villages freed\nPublished: 2020-11-09\n\n"
        "The army freed the villages of Karkhulu, Horovlu and Dejal in Jabrayil on Monday. "
        "Armenian forces seized Shusha on May 8, 1992.\n").run()
    app.button(key="extract").click().run()
    assert not app.exception, [e.value for e in app.exception]
    _, extracted = app.session_state["preview"]
    assert len(extracted.events) == 3 and all(e.x_place_id.startswith(("wof-", "gn-")) for e in extracted.events)
    captions = " ".join(c.value for c in app.caption)
    assert "Background" in captions
    frames = [f.value for f in app.dataframe]
    assert any("1992-05-08" in str(df) for df in frames)


def _add_through_the_page(app, text: str) -> None:
    app.text_area(key="article_text").input(text).run()
    app.button(key="extract").click().run()
    app.button(key="store_events").click().run()
    assert not app.exception, [e.value for e in app.exception]


def test_two_reports_of_one_shelling_are_one_mark_and_can_be_split_and_merged(app):
    app.slider(key="as_of").set_value(dt.date(2023, 9, 21)).run()
    before = len(app.session_state["store"].query())
    _add_through_the_page(app, "Title: One\nSource: https://armenpress.am/x (Armenpress)\nPublished: 2023-09-20\n\n"
                               "Azerbaijani forces shelled Martuni on Wednesday, the Armenian defence ministry said.")
    _add_through_the_page(app, "Title: Two\nSource: https://apnews.com/y (Associated Press)\nPublished: 2023-09-20\n\n"
                               "Shelling hit Martuni on Wednesday, September 20, AP journalists saw.")
    store = app.session_state["store"]
    events = store.query()
    martuni = events[events["x_place_id"] == "martuni"]
    assert len(events) == before + 2 and martuni["x_incident"].nunique() == 1
    script = map_script(app)
    assert "2 reports" in script and "Armenian / Karabakh Armenian official claims it" in script
    app.toggle(key="group_by_incident").set_value(True).run()
    grouped = app.dataframe[0].value
    assert list(grouped.loc[grouped["place"].str.contains("Martuni"), "reports"]) == [2]
    # split the wire story off in the Review tab, then merge it back
    wire = martuni[martuni["source"].str.startswith("Associated Press")]["x_uid"].iloc[0]
    open_panel(app, "Review")
    app.selectbox(key="review_event").set_value(wire).run()
    app.button(key="split_incident").click().run()
    assert not app.exception, [e.value for e in app.exception]
    after = store.query().set_index("x_uid")
    assert after.loc[wire, "x_incident"] == wire and after.loc[wire, "x_incident_reason"] == "split by hand"
    other = [u for u in martuni["x_uid"] if u != wire][0]
    app.selectbox(key="review_event").set_value(wire).run()
    app.selectbox(key="merge_target").set_value(after.loc[other, "x_incident"]).run()
    app.button(key="merge_incident").click().run()
    assert not app.exception, [e.value for e in app.exception]
    merged = store.query().set_index("x_uid")
    assert merged.loc[wire, "x_incident"] == merged.loc[other, "x_incident"]


def test_the_data_files_hold_every_column_of_the_events_shown(app):
    """The map reads only the columns it shows (render.dashboard.MAP_COLUMNS); the data
    files behind the view read every one, for the same events."""
    import csv
    import io

    from events import COLUMNS

    open_panel(app, "Export")
    app.button(key="prepare_data").click().run()
    assert not app.exception
    files = app.session_state["data_files"]
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8"))))
    assert len(rows) == app.session_state["map_summary"]["events"]
    assert {"event_id_cnty", "region", "source_scale", "timestamp"} <= set(rows[0])
    from store import open_store

    stored = open_store(load_seeds=False).query().set_index("event_id_cnty")
    for r in rows:  # the columns the map does not read, as stored
        for col in ("region", "iso", "source_scale", "year", "admin1"):
            assert r[col] == ("" if stored.loc[r["event_id_cnty"], col] is None else str(stored.loc[r["event_id_cnty"], col])), col
    assert all(r["region"] and r["iso"] and r["source_scale"] for r in rows)
    features = json.loads(files["geojson"])["features"]
    assert len(features) == len(rows)
    assert set(COLUMNS) - {"latitude", "longitude"} <= set(features[0]["properties"]) | {"latitude", "longitude"}


def test_panels_are_drawn_when_chosen_and_a_pasted_report_stays(app):
    """Only the chosen panel is drawn (the others cost the first view and every rerun);
    the report pasted in "Add an article" stays while another panel is open."""
    assert not any(b.key == "prepare_data" for b in app.button)
    app.text_area(key="article_text").input("Published: 2023-09-19\n\nShelling of Martuni was reported.").run()
    open_panel(app, "Export")
    assert any(b.key == "prepare_data" for b in app.button)
    assert not any(r.key == "review_state" for r in app.radio)
    open_panel(app, "Add an article")
    assert not any(b.key == "prepare_data" for b in app.button)
    assert app.text_area(key="article_text").value.endswith("Shelling of Martuni was reported.")


def test_panel_choices_outlive_a_visit_to_another_panel(app):
    """Streamlit forgets the state of widgets it does not draw: the snapshot's settings
    and the event chosen for review are kept while another panel is open."""
    open_panel(app, "Export")
    app.text_input(key="snap_title").input("Shelling of Martuni, 19 September").run()
    app.selectbox(key="snap_paper").select("letter").run()
    app.selectbox(key="snap_dpi").select(600).run()
    open_panel(app, "Review")
    first = app.selectbox(key="review_event").value
    chosen = next(uid for uid in app.session_state["store"].query()["x_uid"] if uid != first)
    app.selectbox(key="review_event").set_value(chosen).run()
    open_panel(app, "Add an article")
    assert not any(t.key == "snap_title" for t in app.text_input)  # closed: not drawn
    open_panel(app, "Export")
    assert app.text_input(key="snap_title").value == "Shelling of Martuni, 19 September"
    assert app.selectbox(key="snap_paper").value == "letter" and app.selectbox(key="snap_dpi").value == 600
    assert app.selectbox(key="snap_orientation").value == "landscape"
    open_panel(app, "Review")
    assert app.selectbox(key="review_event").value == chosen
    assert not app.exception and not app.warning
