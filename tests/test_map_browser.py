"""The map's cartography in a real browser (Debian's Chromium): names and how they thin
out by zoom, the symbol of region-level events and the feature drawn only while one is
selected, the legend, and the optional basemap against a tile server on the loopback.

The map is the standalone HTML the page and ``snapshot --out map.html`` produce, opened
from a file, so that each check sees exactly one map.
"""
from __future__ import annotations

import http.server
import io
import threading
import time

import pytest

from render.folium_map import AREA_EVENT_NOTE, map_from_view, map_to_html
from render.view import View

from .test_browser import ARTIFACTS, HAVE_BROWSER, _wait, browser  # noqa: F401  (the browser fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not HAVE_BROWSER, reason="Debian's chromium and chromium-driver are not installed: apt-get install chromium chromium-driver")]

_VISIBLE_LABELS = """
return Array.from(document.querySelectorAll('.km-lbl')).filter(function (e) {
    return e.tagName === 'DIV' && getComputedStyle(e).display !== 'none';
}).map(function (e) { var r = e.getBoundingClientRect();
    return {text: e.innerText.replace(/\\n/g, ' '), kind: e.className, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; });
"""
_MAP = "return window[Object.keys(window).find(function (k) { return k.indexOf('map_') === 0; })];"


def _seed_events():
    from store import GeoPackageStore

    return GeoPackageStore().query()


def _open(driver, tmp_path, view: View, events=None, selected_uid=None, name="map.html"):
    path = tmp_path / name
    path.write_text(map_to_html(map_from_view(view, events, selected_uid=selected_uid)), encoding="utf-8")
    driver.get(path.as_uri())
    _wait(driver, lambda: driver.execute_script("return document.querySelectorAll('.km-lbl').length") > 10, what="labels")
    time.sleep(0.5)


def _set_zoom(driver, z: int) -> None:
    driver.execute_script(_MAP.replace("return ", "var m = ", 1) + f" m.setZoom({z}, {{animate: false}});")
    _wait(driver, lambda: f"km-zoom-{z}" in driver.execute_script(
        "return document.querySelector('.leaflet-container').className"), what=f"zoom {z}")
    time.sleep(0.3)


def _overlapping(labels) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if a["x0"] < b["x1"] - 1 and b["x0"] < a["x1"] - 1 and a["y0"] < b["y1"] - 1 and b["y0"] < a["y1"] - 1:
                out.append((a["text"], b["text"]))
    return out


def test_the_map_names_countries_towns_districts_and_rivers_without_collisions(browser, tmp_path):  # noqa: F811
    d = browser
    _open(d, tmp_path, View(), _seed_events())
    z = d.execute_script(_MAP.replace("return ", "var m = ", 1) + " return m.getZoom();")
    shown = d.execute_script(_VISIBLE_LABELS)
    texts = {lab["text"] for lab in shown}
    d.save_screenshot(str(ARTIFACTS / "map_labels_default.png"))
    assert {"ARMENIA", "AZERBAIJAN", "IRAN"} <= texts, texts
    assert "Stepanakert / Khankendi" in texts
    assert len(texts & {"Shushi / Shusha", "Berdzor / Lachin", "Goris", "Martakert / Aghdara", "Martuni / Khojavend", "Hadrut",
                        "Kapan", "Tartar", "Barda", "Askeran / Asgaran", "Karvachar / Kalbajar"}) >= 8, texts
    assert any("km-lbl-district" in lab["kind"] for lab in shown)
    assert texts & {"Aras", "Kura", "Terter", "Vorotan"}
    assert not _overlapping(shown), _overlapping(shown)
    # fewer names zoomed out, more zoomed in, never overlapping
    counts = {}
    for zoom in (z - 2, z + 2):
        _set_zoom(d, zoom)
        labels = d.execute_script(_VISIBLE_LABELS)
        counts[zoom] = len(labels)
        assert not _overlapping(labels), (zoom, _overlapping(labels))
    d.save_screenshot(str(ARTIFACTS / "map_labels_zoomed_in.png"))
    assert counts[z - 2] < len(shown) < counts[z + 2], (counts, len(shown))


def test_labels_follow_the_naming_choice(browser, tmp_path):  # noqa: F811
    d = browser
    _open(d, tmp_path, View(naming="azerbaijani"))
    texts = {lab["text"] for lab in d.execute_script(_VISIBLE_LABELS)}
    assert "Khankendi" in texts and not any("Stepanakert" in t for t in texts)


def test_region_events_have_their_symbol_and_their_feature_shows_only_when_selected(browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    d = browser
    events = _seed_events()
    area = events[events.geom_type != "Point"]
    assert len(area) >= 2
    _open(d, tmp_path, View(), events)
    assert len(d.find_elements(By.CSS_SELECTOR, ".km-event-area")) == len(area)
    assert not d.find_elements(By.CSS_SELECTOR, "path.km-event-feature")  # no feature is painted unselected
    legend = d.find_element(By.CSS_SELECTOR, ".km-legend").text
    for entry in (AREA_EVENT_NOTE, "Town", "Line of contact", "The seven districts", *set(events["event_type"])):
        assert entry in legend, entry

    # clicking a region event draws its feature, only that one; closing the popup removes it
    ActionChains(d).move_to_element(d.find_elements(By.CSS_SELECTOR, ".km-event-area")[0]).click().perform()
    _wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "path.km-event-feature"), what="the selected event's feature")
    assert len(d.find_elements(By.CSS_SELECTOR, "path.km-event-feature")) == 1
    # the popup fills as it opens: wait for its text rather than read it at once
    _wait(d, lambda: "precision: region" in " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content")),
          timeout=15, what="the popup's placement line")
    d.save_screenshot(str(ARTIFACTS / "map_area_event_selected.png"))
    d.find_element(By.CSS_SELECTOR, ".leaflet-popup-close-button").click()
    _wait(d, lambda: not d.find_elements(By.CSS_SELECTOR, "path.km-event-feature"), what="the feature to go")

    # an event selected in the table opens with its feature drawn
    uid = area["x_uid"].iloc[-1]
    _open(d, tmp_path, View(), events, selected_uid=uid, name="selected.html")
    _wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "path.km-event-feature"), what="the feature of the selected event")
    assert d.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content")


def test_the_default_map_requests_nothing_and_a_basemap_loads_from_its_server(browser, tmp_path, monkeypatch):  # noqa: F811
    from PIL import Image

    d = browser
    _open(d, tmp_path, View())
    resources = d.execute_script("return performance.getEntriesByType('resource').map(function (r) { return r.name; })")
    assert all(r.startswith(("data:", "file:", "blob:")) for r in resources), resources

    requested: list[str] = []
    tile = io.BytesIO()
    Image.new("RGB", (256, 256), (40, 160, 90)).save(tile, format="PNG")

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(tile.getvalue())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("KARABAKH_MAP_TILES_OSM", f"http://127.0.0.1:{server.server_port}/osm/{{z}}/{{x}}/{{y}}.png")
        view = View.from_query_params({"basemap": "osm"})
        assert view.basemap == "osm" and view.to_query_params()["basemap"] == "osm"  # remembered in the link
        _open(d, tmp_path, view, name="basemap.html")
        _wait(d, lambda: d.execute_script(
            "return Array.from(document.querySelectorAll('img.leaflet-tile-loaded')).length") > 0, what="tiles")
        d.save_screenshot(str(ARTIFACTS / "map_basemap.png"))
        assert requested and all(p.startswith("/osm/") for p in requested)
        assert "OpenStreetMap contributors" in d.execute_script(
            "return document.querySelector('.leaflet-control-attribution').innerText")
    finally:
        server.shutdown()
