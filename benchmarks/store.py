"""Store benchmark: ingest 100,000 synthetic events, then query by date range and bbox.

Prints events/s for ingest, the median query time over repeated runs, and peak memory.
Targets (issue): ingest >= 20,000 events/s; a date-and-bbox query over 100,000 events
under 50 ms. Run: ``python benchmarks/store.py [--events N]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from events import ArticleRecord, EventStore, make_event  # noqa: E402

TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Strategic developments", "Other"), ("Protests", "Peaceful protest")]


def synthetic_events(n: int, seed: int = 1) -> list:
    rng = random.Random(seed)
    start = dt.date(2016, 1, 1)
    out = []
    for i in range(n):
        et, st = TYPES[i % len(TYPES)]
        out.append(make_event(
            event_date=start + dt.timedelta(days=rng.randrange(0, 2900)), event_type=et, sub_event_type=st,
            latitude=round(rng.uniform(38.9, 40.6), 5), longitude=round(rng.uniform(45.8, 47.6), 5),
            actor1="Military Forces of Azerbaijan (2003-)", inter1=1, source="synthetic", location=f"synthetic {i}",
            x_evidence=f"synthetic event {i}", x_evidence_start=i, x_article_id=f"bench-{i // 1000}", x_method="import",
        ))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    t = time.perf_counter()
    events = synthetic_events(args.events)
    make_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        store = EventStore(Path(tmp) / "bench.gpkg", load_seeds=False)
        t = time.perf_counter()
        for i in range(0, len(events), 1000):
            batch = events[i : i + 1000]
            store.ingest(ArticleRecord(f"bench-{i // 1000}"), batch)
        ingest_s = time.perf_counter() - t
        assert store.count() == len(events)
        with tempfile.TemporaryDirectory() as tmp2:
            bulk = EventStore(Path(tmp2) / "bulk.gpkg", load_seeds=False)
            t = time.perf_counter()
            bulk.upsert_events(events)
            bulk_s = time.perf_counter() - t
            bulk.close()
        queries = []
        rng = random.Random(2)
        for _ in range(args.repeat):
            d0 = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 2500))
            w, s = rng.uniform(45.8, 47.0), rng.uniform(38.9, 40.0)
            t = time.perf_counter()
            got = store.query(since=d0, until=d0 + dt.timedelta(days=90), bbox=(w, s, w + 0.5, s + 0.5))
            queries.append((time.perf_counter() - t) * 1000)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"events: {len(events):,}")
        print(f"make (validate) events: {len(events) / make_s:,.0f} events/s")
        print(f"ingest: {len(events) / ingest_s:,.0f} events/s ({ingest_s:.2f} s, batches of 1,000 in one transaction each)")
        print(f"bulk import (one transaction, as `karabakh-map import`): {len(events) / bulk_s:,.0f} events/s ({bulk_s:.2f} s)")
        print(f"query, 90 days x 0.5 deg box: median {statistics.median(queries):.1f} ms, "
              f"p95 {sorted(queries)[int(0.95 * len(queries)) - 1]:.1f} ms ({len(got)} rows in the last)")
        print(f"peak memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
