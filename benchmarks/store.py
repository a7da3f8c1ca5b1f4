"""Store benchmark: ingest 100,000 synthetic events, then query by date range and bbox.

Prints events/s for ingest, the median query time over repeated runs (every column, and
the columns the page reads), and peak memory. Targets (issues): ingest >= 20,000 events/s;
a date-and-bbox query over 100,000 events under 50 ms, and over 1,000,000 in PostGIS
under 100 ms. Run: ``python benchmarks/store.py [--events N] [--backend postgis]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from events import ArticleRecord  # noqa: E402
from render.dashboard import MAP_COLUMNS  # noqa: E402
from store import open_store  # noqa: E402
from synthetic import article_batches, synthetic_events  # noqa: E402

def _fresh_target(backend: str, tmp: str, name: str) -> str:
    if backend == "gpkg":
        return str(Path(tmp) / f"{name}.gpkg")
    import psycopg

    admin = os.environ["KARABAKH_MAP_TEST_DATABASE_URL"]
    db = f"km_bench_{name}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {db}")
    return admin.rsplit("/", 1)[0] + "/" + db


def run(backend: str, events: list, repeat: int, tmp: str) -> None:
    store = open_store(_fresh_target(backend, tmp, "articles"), load_seeds=False)
    t = time.perf_counter()
    for i in range(0, len(events), 1000):
        store.ingest(ArticleRecord(f"bench-{i // 1000}"), events[i : i + 1000])
    ingest_s = time.perf_counter() - t
    assert store.count() == len(events)
    bulk = open_store(_fresh_target(backend, tmp, "bulk"), load_seeds=False)
    t = time.perf_counter()
    for i in range(0, len(events), 100_000):
        bulk.upsert_events(events[i : i + 100_000])
    bulk_s = time.perf_counter() - t
    bulk.close()
    timed = {}
    for label, columns in (("every column", None), ("the page's columns", MAP_COLUMNS)):
        queries = []
        rng = random.Random(2)  # the same queries for both
        for _ in range(repeat):
            d0 = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 2500))
            w, s = rng.uniform(45.8, 47.0), rng.uniform(38.9, 40.0)
            t = time.perf_counter()
            got = store.query(since=d0, until=d0 + dt.timedelta(days=90), bbox=(w, s, w + 0.5, s + 0.5), columns=columns)
            queries.append((time.perf_counter() - t) * 1000)
        timed[label] = (queries, len(got), len(got.columns) - 1)
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[{backend}] events: {len(events):,}")
    print(f"[{backend}] ingest: {len(events) / ingest_s:,.0f} events/s ({ingest_s:.1f} s, articles of 1,000 events, one transaction each)")
    print(f"[{backend}] bulk import (transactions of 100,000, as `karabakh-map import`): {len(events) / bulk_s:,.0f} events/s ({bulk_s:.1f} s)")
    for label, (queries, rows, n_columns) in timed.items():
        print(f"[{backend}] query, 90 days x 0.5 deg box, {label} ({n_columns}): median {statistics.median(queries):.1f} ms, "
              f"p95 {sorted(queries)[int(0.95 * len(queries)) - 1]:.1f} ms ({rows} rows in the last)")
    print(f"[{backend}] peak memory of the process so far: {peak_mb:,.0f} MB")


def run_articles(backend: str, events: list, n_articles: int, size: int, tmp: str) -> None:
    """Articles as reports are (``size`` events near one another) into a store that holds
    ``events`` already: what a desk's ingest costs at that size (linking included)."""
    store = open_store(_fresh_target(backend, tmp, "desk"), load_seeds=False)
    for i in range(0, len(events), 100_000):
        store.upsert_events(events[i : i + 100_000])
    batches = article_batches(n_articles, size)
    t = time.perf_counter()
    for i, batch in enumerate(batches):
        store.ingest(ArticleRecord(batch[0].x_article_id), batch)
    seconds = time.perf_counter() - t
    n = sum(len(b) for b in batches)
    frame = store.query(since="2016-01-01")
    linked = int((frame["x_incident"] != frame["x_uid"]).sum()) if "x_incident" in frame else 0
    store.close()
    print(f"[{backend}] ingest into a store of {len(events):,}: {n_articles:,} articles of {size} events: "
          f"{n / seconds:,.0f} events/s, {1000 * seconds / n_articles:.2f} ms per article ({linked:,} events linked to another)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--articles", type=int, default=0,
                    help="also ingest this many articles of --article-size events into a store of --events (a desk's ingest)")
    ap.add_argument("--article-size", type=int, default=10)
    ap.add_argument("--skip-bulk", action="store_true", help="only the articles run")
    ap.add_argument("--backend", choices=["gpkg", "postgis", "both"], default="gpkg",
                    help="postgis needs KARABAKH_MAP_TEST_DATABASE_URL (tools/pg_test_server.sh start)")
    args = ap.parse_args()
    t = time.perf_counter()
    events = synthetic_events(args.events)
    print(f"make (validate) events: {len(events) / (time.perf_counter() - t):,.0f} events/s")
    backends = ["gpkg", "postgis"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if not args.skip_bulk:
                run(backend, events, args.repeat, tmp)
            if args.articles:
                run_articles(backend, events, args.articles, args.article_size, tmp)


if __name__ == "__main__":
    main()
