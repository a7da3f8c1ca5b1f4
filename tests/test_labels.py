"""The label hierarchy and its placement (render.labels), shared by page and snapshot."""
from __future__ import annotations

import datetime as dt

from events import make_event
from render.dashboard import preview_view
from render.folium_map import label_payload
from render.labels import Label, labels_for, mercator_px, place_labels, text_box, zooms_per_label
from render.view import DATA_BBOX, View


def test_every_level_of_the_hierarchy_is_there_in_the_default_view():
    kinds = {}
    for lab in labels_for(View()):
        kinds.setdefault(lab.kind, set()).add(lab.text)
    assert {"Armenia", "Azerbaijan", "Iran"} <= kinds["country"]
    assert kinds["capital"] == {"Stepanakert / Khankendi"}
    assert len(kinds["district"]) >= 5 and len(kinds["town"]) >= 12
    assert {"Aras", "Kura"} <= kinds["water"]


def test_azerbaijan_is_not_named_on_top_of_karabakh():
    aze = next(lab for lab in labels_for(View()) if lab.text == "Azerbaijan")
    assert aze.lon > 47.2  # east of the former NKAO and the seven districts, in the lowland


def test_placed_labels_never_overlap_and_important_ones_win():
    labels = [Label("Stepanakert / Khankendi", 46.7528, 39.8177, "capital", True),
              Label("Nearby", 46.7600, 39.8177, "village", True),
              Label("Far away", 47.3, 39.5, "village", True)]
    to_px = lambda lon, lat: mercator_px(lon, lat, 8)  # noqa: E731
    x0, y1 = to_px(*DATA_BBOX[:2])
    x1, y0 = to_px(*DATA_BBOX[2:])
    kept = place_labels(labels, to_px, (x0, y0, x1, y1))
    assert kept[0] == "right" and 2 in kept  # the capital keeps its place; the village beside it moves or gives way
    assert kept.get(1) != "right"
    boxes = [text_box(labels[i], *to_px(labels[i].lon, labels[i].lat), 1.0, pos) for i, pos in kept.items()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_more_names_show_as_one_zooms_in():
    labels = labels_for(View(layers=("borders", "seven_districts", "rivers", "places")), bbox=DATA_BBOX)
    per_label = zooms_per_label(labels, DATA_BBOX)
    shown = {z: sum(any(z in zs for zs in by_pos.values()) for by_pos in per_label) for z in (7, 9, 12)}
    assert shown[7] < shown[9] < shown[12]


def test_the_page_payload_escapes_names_and_keeps_dots_only_where_names_show():
    payload = label_payload(View(), None)
    assert all("<script" not in lab["html"] for lab in payload["labels"])
    assert any("Stepanakert /" in lab["html"] for lab in payload["labels"])
    assert all(dot[2].startswith("km-town-dot km-lbl ") and "km-lz" in dot[2] for dot in payload["dots"])


def test_the_preview_of_an_article_shows_the_map_on_the_articles_day():
    e = make_event(event_date="2020-10-04", event_type="Battles", sub_event_type="Armed clash", x_place_id="jabrayil",
                   latitude=39.4, longitude=47.03, source="test")
    v = preview_view(View(as_of=dt.date(2023, 9, 19)), [e])
    assert v.as_of == dt.date(2020, 10, 4) and "seven_districts" in v.layers


def test_names_keep_clear_of_region_event_symbols():
    lachin = Label("Berdzor / Lachin", 46.54977, 39.63742, "town", True)
    to_px = lambda lon, lat: mercator_px(lon, lat, 9)  # noqa: E731
    x0, y1 = to_px(*DATA_BBOX[:2])
    x1, y0 = to_px(*DATA_BBOX[2:])
    frame = (x0, y0, x1, y1)
    free = place_labels([lachin], to_px, frame)
    assert free == {0: "right"}
    # a square just right of the town: the name moves to another side
    moved = place_labels([lachin], to_px, frame, symbols=[(46.5498 + 0.04, 39.6374, 1)])
    assert moved and moved[0] != "right"
