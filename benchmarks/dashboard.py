"""Dashboard benchmark: server-side time of a rerun after toggling one layer (Streamlit
AppTest, median of repeated runs) and the size of the map sent to the browser, with the
seed events and with 10,000 synthetic events; against a naive page (one folium.Marker
per event, no caching) in the same run.

Targets (issues): toggle rerun < 300 ms with the seed data (later: 40 ms of server CPU),
< 1 s with 10,000 and with 100,000 events; map < 1.5 MB with 10,000 events. Run: ``python benchmarks/dashboard.py``.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project first, so that `store` and `extract` are its packages; then the helpers here.
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "benchmarks"))


def _map_bytes(at) -> int:
    comps = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    return len(comps[0].proto.json_args.encode()) if comps else 0


def measure(script: Path, repeat: int = 9) -> tuple[float, float, int]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=600)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    times = []
    for i in range(repeat):
        box = at.checkbox(key="layer_nkao")
        t = time.perf_counter()
        (box.uncheck() if box.value else box.check()).run()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times), _map_bytes(at)


def main() -> None:
    from synthetic import synthetic_events
    from store import GeoPackageStore

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, n in (("seed events", 0), ("10,000 events", 10_000), ("100,000 events", 100_000)):
            path = Path(tmp) / f"store-{n}.gpkg"
            store = GeoPackageStore(path)
            if n:
                store.upsert_events(synthetic_events(n))
            count = store.count()
            store.close()
            os.environ["KARABAKH_MAP_STORE"] = str(path)
            pages = [("karabakh-map", ROOT / "streamlit_app.py")]
            if n <= 10_000:  # the naive page draws every event as a marker: 100,000 would take minutes
                pages.append(("naive page", ROOT / "benchmarks" / "naive_page.py"))
            for page, script in pages:
                first, toggle, size = measure(script)
                rows.append((label, count, page, first, toggle, size))
    print(f"{'data':<14} {'events':>7}  {'page':<13} {'first run':>10} {'toggle rerun (median)':>22} {'map sent':>10}")
    for label, count, page, first, toggle, size in rows:
        print(f"{label:<14} {count:>7}  {page:<13} {first * 1000:>8.0f} ms {toggle * 1000:>19.0f} ms {size / 1e6:>7.2f} MB")
    for label in ("seed events", "10,000 events"):
        ours = next(r for r in rows if r[0] == label and r[2] == "karabakh-map")
        naive = next(r for r in rows if r[0] == label and r[2] == "naive page")
        print(f"{label}: naive/ours toggle time {naive[4] / ours[4]:.1f}x, map size {naive[5] / max(1, ours[5]):.1f}x")


if __name__ == "__main__":
    main()
