"""The interactive map at three levels: structure, HTML, and escaping of article text."""
from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import urljoin

import pytest

import layers
from events import make_event
from events.model import events_to_geodataframe
from render.folium_map import attribution_text, event_at, legend_html, map_from_view, map_to_html
from render.view import View

PAYLOADS = ["<img src=x onerror=alert(1)>", "${globalThis.pwned=1}", "`;globalThis.pwned=2;`", "</script><script>globalThis.pwned=3</script>",
            "javascript:alert(1)"]


def _event(**kw):
    base = dict(event_date="2023-09-19", event_type="Explosions/Remote violence",
                sub_event_type="Shelling/artillery/missile attack", latitude=39.8177, longitude=46.7528,
                x_place_id="stepanakert", source="test", location="Stepanakert")
    base.update(kw)
    return make_event(**base)


def test_map_has_every_layer_on_and_no_cdn():
    html = map_to_html(map_from_view(View(layers=("borders", "seven_districts", "contact_line", "lachin_corridor", "peacekeeping_zone", "nkao", "stepanakert"))))
    for lid in ("borders", "seven_districts", "contact_line", "lachin_corridor", "peacekeeping_zone", "nkao", "stepanakert"):
        assert f"km-layer-{lid}" in html, lid
    assert not re.search(r"(?:src|href)=\"https?://", html), "the map must load nothing from the network"
    assert "cdn.jsdelivr" not in html and "code.jquery" not in html


def test_layer_switched_off_is_absent():
    html = map_to_html(map_from_view(View(layers=("borders", "seven_districts"))))
    assert "km-layer-seven_districts" in html and "km-layer-contact_line" not in html


def test_as_of_date_changes_the_layers_drawn():
    html_2021 = map_to_html(map_from_view(View(as_of=__import__("datetime").date(2021, 6, 1))))
    html_2024 = map_to_html(map_from_view(View(as_of=__import__("datetime").date(2024, 1, 1))))
    assert "km-layer-contact_line" in html_2021 and "km-layer-contact_line" not in html_2024
    assert "km-layer-lachin_corridor" not in html_2024


def test_naming_choice_applies_to_labels_and_popups():
    az = map_to_html(map_from_view(View(naming="azerbaijani"), events_to_geodataframe([_event()])))
    hy = map_to_html(map_from_view(View(naming="armenian"), events_to_geodataframe([_event()])))
    both = map_to_html(map_from_view(View(naming="both"), events_to_geodataframe([_event()])))
    assert "Khankendi" in az and "Stepanakert / Khankendi" not in az
    assert "Stepanakert" in hy and "Khankendi \u00b7" not in hy
    assert "Stepanakert / Khankendi" in both


def test_popup_has_what_when_where_who_evidence_source_confidence():
    e = _event(actor1="Military Forces of Azerbaijan (2003-)", x_evidence="Shells fell on the city.",
               x_source_url="https://example.org/report", x_source_title="A report", x_confidence=0.7)
    html = map_to_html(map_from_view(View(), events_to_geodataframe([e])))
    for part in ("Shelling/artillery/missile attack", "2023-09-19", "precision: town", "Military Forces of Azerbaijan",
                 "Shells fell on the city.", 'href=\\"https://example.org/report\\"', "0.70"):
        assert part in html, part


@pytest.mark.parametrize("payload", PAYLOADS)
def test_article_text_is_escaped_everywhere_in_the_map(payload):
    e = _event(notes=payload, x_evidence=payload, source=payload, x_source_title=payload, location=payload,
               x_source_url=payload, actor1=payload, x_place_id="")
    html = map_to_html(map_from_view(View(title=payload), events_to_geodataframe([e])))
    if not payload.startswith("javascript:"):  # as text it is harmless; it must not become a link
        assert payload not in html
    assert "<img src=x" not in html and "${globalThis" not in html and "</script><script>globalThis" not in html
    assert 'href="javascript:' not in html and "href=\\\"javascript:" not in html


def test_legend_lists_only_what_is_shown():
    legend = legend_html(["borders", "contact_line"], ["Battles"], View())
    assert "Line of contact" in legend and "Battles" in legend
    assert "Lachin corridor" not in legend and "Protests" not in legend


def test_attribution_credits_each_licence_shown():
    text = attribution_text(["borders", "seven_districts", "places"])
    assert "Natural Earth" in text and "CC BY-SA 3.0" in text and "GeoNames" in text
    assert "CC BY-SA" not in attribution_text(["borders"])


def test_many_events_get_compact_popups_and_stay_small():
    events = events_to_geodataframe([_event(latitude=39.5 + (i % 100) * 0.005, longitude=46.3 + (i // 100) * 0.01,
                                            x_evidence_start=i, x_place_id="") for i in range(2000)])
    html = map_to_html(map_from_view(View(), events))
    assert "details below the map" in html
    assert len(html) < 1_500_000


def test_click_finds_the_event():
    events = events_to_geodataframe([_event(), _event(latitude=39.76, longitude=46.75, x_place_id="shusha", x_evidence_start=5)])
    assert event_at(events, 39.76, 46.75)["x_place_id"] == "shusha"
    assert event_at(events, 40.5, 46.0) is None


def test_what_a_frame_decides_is_worked_out_once_per_frame_and_view():
    """render.memo: the event layer and the labels are kept for the frame object and the
    parts of the view that decide them; a new frame, even an equal one, is worked anew."""
    import pandas as pd

    from render.memo import per_frame

    calls = []

    @per_frame
    def work(frame, naming):
        calls.append(naming)
        return [0 if frame is None else len(frame), naming]

    a = pd.DataFrame({"x": [1, 2]})
    assert work(a, "both") is work(a, "both") and calls == ["both"]
    work(a, "hy")
    assert calls == ["both", "hy"]
    b = a.copy()  # the same content, another frame: no answer of a's
    work(b, "both")
    assert calls == ["both", "hy", "both"]
    assert work(None, "both") == work(None, "both") and calls.count("both") == 3


def test_a_toggle_of_an_unlabelled_layer_places_no_label_again(monkeypatch):
    from render import folium_map as fm

    events = events_to_geodataframe([_event()])
    placed = []
    real = fm.zooms_per_label
    monkeypatch.setattr(fm, "zooms_per_label", lambda *a, **k: placed.append(1) or real(*a, **k))
    fm._label_payload.cache_clear()
    view = View()
    first = fm.label_payload(view, events)
    other = dataclasses.replace(view, layers=tuple(lid for lid in view.layers if lid != "nkao"))
    assert fm.label_payload(other, events) is first and len(placed) == 1  # the NKAO outline names nothing
    named = sorted(fm.LABELLED_LAYERS)[0]  # a layer whose features are named: toggling it places the labels again
    toggled = set(view.layers) ^ {named}
    fm.label_payload(dataclasses.replace(view, layers=tuple(lid for lid in layers.LAYER_IDS if lid in toggled)), events)
    assert len(placed) == 2


def test_the_template_shortcut_renders_the_map_as_jinja_does(monkeypatch):
    """``render.template_cache``: the map's HTML (layers, labels, events with hostile
    text, the grid) is the same byte for byte as with a Jinja compilation of every
    element, and rendering it compiles none of the texts that hold no Jinja syntax."""
    import itertools

    import branca.element
    import jinja2

    from render import template_cache

    events = events_to_geodataframe([make_event(
        event_date="2023-09-19", event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack",
        latitude=39.82, longitude=46.75, location="{{ 7*7 }} <b>x</b>\r\n{% raw %}", source="s {# c #}", notes="a\rb")])
    view = View(layers=("borders", "seven_districts", "contact_line", "places"))

    def html(template_class) -> str:
        ids = itertools.count()
        monkeypatch.setattr(branca.element.Element, "_generate_id", lambda self: f"id{next(ids)}")
        monkeypatch.setattr(branca.element, "Template", template_class)
        return map_to_html(map_from_view(view, events))

    plain = html(jinja2.Template)
    compiled = []
    original_new = template_cache.CachedTemplate.__new__

    def counting_new(cls, source, *a, **k):
        made = original_new(cls, source, *a, **k)
        compiled.append(not isinstance(made, template_cache.StaticText))
        return made

    monkeypatch.setattr(template_cache.CachedTemplate, "__new__", counting_new)
    fast = html(template_cache.CachedTemplate)
    assert fast == plain
    assert "7*7" in fast  # a report's text is data, never a template
    assert compiled and not any(compiled)  # every element's text was static: nothing compiled


def _st_folium_args(fmap) -> dict:
    """What st_folium hands its front end for ``fmap`` (its component call, captured)."""
    import streamlit_folium

    got = []
    real = streamlit_folium._component_func
    streamlit_folium._component_func = lambda **kwargs: got.append(kwargs)
    try:
        streamlit_folium.st_folium(fmap, key="map", height=700)
    finally:
        streamlit_folium._component_func = real
    return got[0]


def test_a_map_for_st_folium_links_leaflet_from_the_page_host_and_a_file_carries_it():
    from render.served import for_st_folium

    events = events_to_geodataframe([_event(), _event(latitude=39.9, location="Shusha")])
    page = _st_folium_args(for_st_folium(map_from_view(View(), events)))
    # the page's map: Leaflet, the shim and the cluster plugin from the page's own host,
    # relative to st_folium's frame, and no data: URI anywhere in what st_folium sends
    frame = "http://page.test/base/component/streamlit_folium.st_folium/index.html"  # where st_folium draws it
    served = "http://page.test/base/component/render.served."
    assert [urljoin(frame, link) for link in page["js_links"]] == [
        served + "leaflet/leaflet.js", served + "assets/jquery-shim.js", served + "markercluster/leaflet.markercluster.js"]
    assert [urljoin(frame, link) for link in page["css_links"]] == [
        served + "leaflet/leaflet.css", served + "markercluster/MarkerCluster.css", served + "markercluster/MarkerCluster.Default.css"]
    assert "data:" not in json.dumps(page, default=str)
    # and each layer's features are fetched from it, from a file named by their content:
    # no layer geometry is left in the script
    from render.served import payload_dir

    fmap = for_st_folium(map_from_view(View(), events))
    feature_layers = [e for e in fmap._children.values() if type(e).__name__ == "_FeatureLayer"]
    script = _st_folium_args(fmap)["script"]
    fetched = [urljoin(frame, link) for link in re.findall(r'fetch\("([^"]+)"\)', script)]
    assert len(fetched) == len(feature_layers) >= 8
    names = [link.removeprefix(served + "layers/") for link in fetched]
    assert all(re.fullmatch(r"[0-9a-f]{32}\.json", name) for name in names), names
    assert [(payload_dir() / name).read_text(encoding="utf-8") for name in names] == [e.data for e in feature_layers]
    assert '"MultiPolygon"' not in script and '"LineString"' not in script
    # a map written as a file carries Leaflet in its own header, and the shim with it
    html = map_to_html(map_from_view(View(), events))
    assert 'src="data:text/javascript' in html and "https://" not in html.split("<body>")[0]
    from render.offline import jquery_shim_js
    assert jquery_shim_js() in html