"""Print-ready snapshots: sizes, text, extent, legend, scale bar, pixels, escaping."""
from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from events.places import place_fields
from PIL import Image
from pyproj import Geod, Transformer

from events import make_event
from events.model import events_to_geodataframe
from render.snapshot import SnapshotError, snapshot_bytes, snapshot_figure, write_snapshot
from render.view import View

REFERENCE = Path(__file__).parent / "data" / "snapshot_reference.png"
MADE_AT = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
REFERENCE_VIEW = View(title="Reference view")


def _seed_events():
    from store import GeoPackageStore

    return GeoPackageStore().query()


@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("paper, orientation, mm", [("a4", "landscape", (297, 210)), ("letter", "portrait", (215.9, 279.4))])
def test_png_has_the_requested_size_and_dpi(dpi, paper, orientation, mm):
    data = snapshot_bytes(View(), "png", dpi=dpi, paper=paper, orientation=orientation)
    img = Image.open(io.BytesIO(data))
    expected = (mm[0] / 25.4 * dpi, mm[1] / 25.4 * dpi)
    assert abs(img.size[0] - expected[0]) <= 1 and abs(img.size[1] - expected[1]) <= 1
    assert [round(v) for v in img.info["dpi"]] == [dpi, dpi]


def test_600_dpi_on_request():
    img = Image.open(io.BytesIO(snapshot_bytes(View(layers=("borders",)), "png", dpi=600)))
    assert abs(img.size[0] - 297 / 25.4 * 600) <= 1


def test_pdf_has_one_page_with_searchable_title_and_sources():
    from pypdf import PdfReader

    data = snapshot_bytes(View(title="Shelling of Stepanakert, September 2023"), "pdf", events=_seed_events())
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Shelling of Stepanakert, September 2023" in text
    for source in ("Natural Earth", "geoBoundaries", "CC BY-SA 3.0", "GeoNames", "accuracy"):
        assert source in text, source


def test_svg_parses_and_keeps_text():
    root = ET.fromstring(snapshot_bytes(View(title="SVG title"), "svg"))
    texts = "".join(root.itertext())
    assert "SVG title" in texts and "Natural Earth" in texts


def test_drawn_extent_matches_the_bbox():
    from shapely.geometry import box
    from shapely.ops import transform

    bbox = (46.2, 39.4, 47.2, 40.3)
    _, info = snapshot_figure(View(bbox=bbox))
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32638", always_xy=True)
    wanted = transform(to_utm.transform, box(*bbox).segmentize(0.01))
    x0, y0, x1, y1 = info.extent_utm
    bx0, by0, bx1, by1 = wanted.bounds
    # the whole box is drawn ...
    assert x0 <= bx0 + 1 and y0 <= by0 + 1 and x1 >= bx1 - 1 and y1 >= by1 - 1
    # ... exactly in one direction, widened in the other only to fill the frame
    assert min(abs(x0 - bx0) + abs(x1 - bx1), abs(y0 - by0) + abs(y1 - by1)) < 1.0


def test_layer_switched_off_is_absent_from_map_and_legend():
    on = View(layers=("borders", "seven_districts", "contact_line"), as_of=dt.date(2021, 6, 1))
    off = on.replace(layers=("borders", "seven_districts"))
    _, info_on = snapshot_figure(on)
    _, info_off = snapshot_figure(off)
    assert "contact_line" in info_on.layers and "Line of contact" in info_on.legend_labels
    assert "contact_line" not in info_off.layers and "Line of contact" not in info_off.legend_labels
    svg_on = snapshot_bytes(on, "svg").decode()
    svg_off = snapshot_bytes(off, "svg").decode()
    assert 'id="layer-contact_line' in svg_on and 'id="layer-contact_line' not in svg_off


def test_legend_lists_only_event_types_shown():
    _, info = snapshot_figure(View(), _seed_events())
    assert "Event: Battles" in info.legend_labels
    assert "Event: Protests" not in info.legend_labels


def test_scale_bar_matches_its_label_within_2_percent():
    geod = Geod(ellps="WGS84")
    to_lonlat = Transformer.from_crs("EPSG:32638", "EPSG:4326", always_xy=True)
    for bbox in [(45.95, 39.0, 47.55, 40.45), (46.6, 39.7, 46.9, 39.9), (44.0, 38.5, 48.5, 41.5)]:
        _, info = snapshot_figure(View(bbox=bbox))
        x0, y0, x1, y1 = info.scale_bar_utm
        lon0, lat0 = to_lonlat.transform(x0, y0)
        lon1, lat1 = to_lonlat.transform(x1, y1)
        _, _, metres = geod.inv(lon0, lat0, lon1, lat1)
        assert abs(metres / 1000 - info.scale_bar_km) / info.scale_bar_km < 0.02, (bbox, metres, info.scale_bar_km)


def test_labels_do_not_collide():
    fig, info = snapshot_figure(View(layers=("borders", "places", "stepanakert")))
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts
             if (t.get_gid() or "").startswith("label-") and t.get_gid() != "label-halo"]
    assert len(boxes) >= 10
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


def test_caption_names_sources_naming_and_time():
    _, info = snapshot_figure(View(naming="armenian"), _seed_events(), made_at=MADE_AT)
    assert "Made 2026-01-01 12:00 UTC" in info.caption
    assert "Names: Armenian usage" in info.caption
    assert "Bloomberg" in info.caption and "±3,000 m" in info.caption


@pytest.mark.parametrize("payload", ["<b>bold</b> & <script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "$x^2$ ${y}"])
def test_markup_and_formulas_print_as_plain_text(payload):
    e = make_event(event_date="2023-09-19", event_type="Battles", sub_event_type="Armed clash", latitude=39.8177,
                   longitude=46.7528, source=payload, x_place_id="stepanakert")
    svg = snapshot_bytes(View(title=payload), "svg", events=events_to_geodataframe([e]))
    root = ET.fromstring(svg)  # parses: no markup was injected
    texts = [t.strip() for t in root.itertext() if t.strip()]
    assert payload in texts  # the title, exactly as typed
    assert payload in "".join(texts)  # and in the caption's sources
    assert not root.findall(".//{http://www.w3.org/2000/svg}script")


def _area_event():
    return make_event(**place_fields(dict(event_date="2020-09-27", event_type="Battles", sub_event_type="Armed clash",
                                          x_layer="contact_line:contact_line_1994", source="reference")))


REFERENCES = {
    # the default view with an event at a town
    "snapshot_reference.png": (REFERENCE_VIEW, lambda: [make_event(
        event_date="2023-09-19", event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack",
        latitude=39.8177, longitude=46.7528, x_place_id="stepanakert", source="reference")]),
    # the 2020 war, armenian names, with an event on the whole line of contact
    "snapshot_reference_war.png": (View(title="Reference view, war", as_of=dt.date(2020, 10, 15), naming="armenian"),
                                   lambda: [_area_event()]),
}


def _reference_png(name: str = "snapshot_reference.png") -> bytes:
    view, events = REFERENCES[name]
    return snapshot_bytes(view, "png", dpi=60, made_at=MADE_AT, events=events_to_geodataframe(events()))


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_rendering_matches_the_reference_image(name):
    got = np.asarray(Image.open(io.BytesIO(_reference_png(name))).convert("RGB"), dtype=np.int16)
    want = np.asarray(Image.open(REFERENCE.parent / name).convert("RGB"), dtype=np.int16)
    assert got.shape == want.shape
    diff = np.abs(got - want)
    assert diff.mean() < 1.5, diff.mean()
    assert (diff.max(axis=2) > 40).mean() < 0.01


def test_rendering_is_deterministic():
    assert _reference_png() == _reference_png()
    assert snapshot_bytes(REFERENCE_VIEW, "pdf", made_at=MADE_AT) == snapshot_bytes(REFERENCE_VIEW, "pdf", made_at=MADE_AT)


def test_html_snapshot_is_standalone_and_offline(tmp_path):
    path = write_snapshot(View(), tmp_path / "map.html", events=_seed_events())
    html = path.read_text()
    assert "km-layer-contact_line" in html
    assert not re.search(r"(?:src|href)=\"https?://", html)


@pytest.mark.parametrize("kwargs, match", [
    ({"dpi": 5}, "dpi=5 is out of range"), ({"paper": "a3"}, "not a paper size"),
    ({"orientation": "sideways"}, "not an orientation")])
def test_bad_options_are_clear_errors(kwargs, match):
    with pytest.raises(SnapshotError, match=match):
        snapshot_bytes(View(), "png", **kwargs)


def test_bad_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(SnapshotError, match=r"\.png, \.pdf, \.svg or \.html"):
        write_snapshot(View(), tmp_path / "map.tiff")


def _svg_texts(svg: bytes) -> list[str]:
    return [t.strip() for t in ET.fromstring(svg).itertext() if t.strip()]


def test_the_default_snapshot_names_countries_towns_districts_and_rivers():
    texts = " ".join(_svg_texts(snapshot_bytes(View(), "svg", made_at=MADE_AT, events=_seed_events())))
    _, info = snapshot_figure(View(), _seed_events(), made_at=MADE_AT)
    legend = info.legend_labels
    main_map = set(info.labels)  # drawn on the main map, not the inset
    assert {"Armenia", "Azerbaijan", "Iran"} <= main_map
    towns = {"Stepanakert / Khankendi", "Shushi / Shusha", "Berdzor / Lachin", "Goris", "Kapan", "Martakert / Aghdara",
             "Martuni / Khojavend", "Askeran / Asgaran", "Hadrut", "Akna / Aghdam", "Varanda / Fuzuli", "Jrakan / Jabrayil",
             "Kashunik / Gubadli", "Kovsakan / Zangilan", "Karvachar / Kalbajar", "Barda", "Tartar"}
    assert len(towns & main_map) >= 9, main_map
    assert main_map & {"Aras", "Kura", "Terter", "Vorotan"}
    assert "Event on a region, line or border (no precise place)" in legend and "Town" in legend
    assert "Names: Armenian and Azerbaijani usage" in texts and "names: both names" not in texts
    for name in ("ARMENIA", "IRAN", "Stepanakert /"):
        assert name in texts  # as text in the SVG, searchable


def test_labels_follow_the_naming_choice():
    _, info = snapshot_figure(View(naming="azerbaijani"))
    assert "Khankendi" in info.labels and "Shusha" in info.labels
    assert not any("Stepanakert" in t or "Shushi" in t for t in info.labels)


def test_a_wide_snapshot_shows_land_not_empty_water():
    fig, info = snapshot_figure(View(bbox=(40.0, 35.0, 47.0, 41.0)))
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=40)
    ax = fig.axes[0]
    img = np.asarray(Image.open(io.BytesIO(png.getvalue())).convert("RGB"), dtype=np.int16)
    h, w = img.shape[:2]
    box_px = ax.get_window_extent().transformed(fig.dpi_scale_trans.inverted())  # inches
    x0, x1 = int(box_px.x0 * 40) + 2, int(box_px.x1 * 40) - 2
    y0, y1 = h - int(box_px.y1 * 40) + 2, h - int(box_px.y0 * 40) - 2
    inside = img[y0:y1, x0:x1]
    sea = np.all(np.abs(inside - np.array([0xdb, 0xe7, 0xee])) < 6, axis=2).mean()
    assert sea < 0.03, sea  # this box has no sea; lakes are a sliver
    assert {"Turkey", "Iran", "Iraq"} <= set(info.labels)


def test_a_box_beyond_the_data_is_refused():
    with pytest.raises(SnapshotError, match="beyond the map's data"):
        snapshot_figure(View(bbox=(43.5, 38.4, 58.0, 41.0)))


def test_region_level_events_get_their_own_symbol_and_no_painted_feature():
    fig, info = snapshot_figure(View(as_of=dt.date(2020, 10, 15)), events_to_geodataframe([_area_event()]))
    ax = fig.axes[0]
    gids = [c.get_gid() for c in ax.collections]
    assert "events-area" in gids and "event-features" not in gids
    assert "Event on a region, line or border (no precise place)" in info.legend_labels


def test_the_2020_war_says_the_front_moved_and_which_line_is_drawn():
    _, info = snapshot_figure(View(as_of=dt.date(2020, 10, 15)))
    assert "the front moved daily" in info.caption and "27 Sep 2020" in info.caption
    assert any("front moved daily" in t for t in info.legend_labels)
    assert "District held by Karabakh Armenian forces on this date" in info.legend_labels
    _, after = snapshot_figure(View(as_of=dt.date(2021, 6, 1)))
    assert "front moved daily" not in after.caption


if __name__ == "__main__":  # python -m tests.test_snapshot  rewrites the reference images
    for ref in REFERENCES:
        (REFERENCE.parent / ref).write_bytes(_reference_png(ref))
        print(f"wrote {REFERENCE.parent / ref}")
