"""Print-ready snapshots: sizes, text, extent, legend, scale bar, pixels, escaping."""
from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
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
    boxes = [t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts if t.get_gid() == "label"]
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


def _reference_png() -> bytes:
    return snapshot_bytes(REFERENCE_VIEW, "png", dpi=60, made_at=MADE_AT,
                          events=events_to_geodataframe([make_event(
                              event_date="2023-09-19", event_type="Explosions/Remote violence",
                              sub_event_type="Shelling/artillery/missile attack", latitude=39.8177, longitude=46.7528,
                              x_place_id="stepanakert", source="reference")]))


def test_rendering_matches_the_reference_image():
    got = np.asarray(Image.open(io.BytesIO(_reference_png())).convert("RGB"), dtype=np.int16)
    want = np.asarray(Image.open(REFERENCE).convert("RGB"), dtype=np.int16)
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


if __name__ == "__main__":  # python -m tests.test_snapshot  rewrites the reference image
    REFERENCE.write_bytes(_reference_png())
    print(f"wrote {REFERENCE}")
