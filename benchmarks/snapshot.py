"""Snapshot benchmark: median time to make an A4 300-dpi PNG and a PDF of the default
view, with the seed events and with 10,000 events; and folium's own ``_to_png`` of the
same view through Debian's Chromium (the map served offline), with the ratio.

Target (issue): under 2 s for the PNG and the PDF with the seed events.
Run: ``python benchmarks/snapshot.py``.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project first, so that `store` and `extract` are its packages; then the helpers here.
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "benchmarks"))

from store import GeoPackageStore  # noqa: E402
from render.folium_map import map_from_view  # noqa: E402
from render.snapshot import snapshot_bytes  # noqa: E402
from render.view import View  # noqa: E402


def _median(fn, repeat: int = 5) -> float:
    fn()  # warm caches
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _folium_png(view, events) -> float | None:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1600,1130"):
        opts.add_argument(a)
    times = []
    for _ in range(3):
        try:
            driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        except Exception as err:  # no browser here
            print(f"folium _to_png: Chromium not available ({err.__class__.__name__})")
            return None
        m = map_from_view(view, events)
        t = time.perf_counter()
        m._to_png(delay=1, driver=driver, size=(1600, 1130))  # loads the page, waits, shoots, quits the driver
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    from synthetic import synthetic_events

    view = View()
    with tempfile.TemporaryDirectory() as tmp:
        seeds = GeoPackageStore(Path(tmp) / "s.gpkg").query()
        big = GeoPackageStore(Path(tmp) / "b.gpkg", load_seeds=False)
        big.upsert_events(synthetic_events(10_000))
        many = big.query()
    for label, events in (("seed events", seeds), ("10,000 events", many)):
        png = _median(lambda: snapshot_bytes(view, "png", events=events, dpi=300))
        pdf = _median(lambda: snapshot_bytes(view, "pdf", events=events))
        print(f"{label:>14}: A4 300-dpi PNG {png:.2f} s, PDF {pdf:.2f} s (median of 5)")
        if label == "seed events":
            fol = _folium_png(view, events)
            if fol is not None:
                print(f"{'':>14}  folium _to_png (Chromium, 1600x1130 px screen image, 1 s render delay): {fol:.2f} s; "
                      f"ratio to our PNG {fol / png:.1f}x")


if __name__ == "__main__":
    main()
