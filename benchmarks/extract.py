"""Extraction benchmark: articles per second and ms per article on one core, against
geotext (a general offline place extractor) on the same articles, with place recall.

Articles are about 4 KB: the project's own reports (tests/data/articles) joined in
groups, each keeping its own expected places; then the 24 real reports of the
development set (tests/data/devset) as they are. Target (issue): >= 200 articles/s on
one core for 4 KB articles. Then ``karabakh-map extract`` as a user runs it, one
article per process, wall time from start to exit (target: under 0.3 s). Run:
``python benchmarks/extract.py`` (geotext is in requirements-bench.txt; without it its
rows are skipped).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.article import read_article  # noqa: E402
from extract.pipeline import events_from_article  # noqa: E402
from extract.gazetteer import default_gazetteer  # noqa: E402

ARTICLES = ROOT / "tests" / "data" / "articles"
DEVSET = ROOT / "tests" / "data" / "devset"


def _corpus(size: int = 4096) -> list[tuple[str, str, set[str]]]:
    """(published, text, expected place ids) for ~4 KB articles built from the set."""
    expected = json.loads((ARTICLES / "expected.json").read_text())
    items = []
    for path in sorted(ARTICLES.glob("*.txt")):
        head, _, body = path.read_text().partition("\n\n")
        published = next(line.split(":", 1)[1].strip() for line in head.splitlines() if line.startswith("Published"))
        places = {e["place"] for e in expected[path.name]} & default_gazetteer().place_ids
        items.append((published, body, places))
    out = []
    for i in range(len(items)):
        text, places, j = "", set(), i
        while len(text) < size:
            pub, body, pl = items[j % len(items)]
            text += body.strip() + "\n\n"
            places |= pl
            j += 1
        out.append((items[i][0], text[: size + 400], places))
    return out


def _time(fn, corpus, repeat: int = 5) -> list[float]:
    times = []
    for _ in range(repeat):
        for pub, text, _ in corpus:
            t = time.perf_counter()
            fn(pub, text)
            times.append((time.perf_counter() - t) * 1000)
    return times


def _command_line(articles: list[Path], rounds: int = 3) -> None:
    """``karabakh-map extract FILE`` in a new process per article (caches warm: run once
    first), wall time of each run."""
    exe = Path(sys.executable).parent / "karabakh-map"
    subprocess.run([str(exe), "extract", str(articles[0])], check=True, capture_output=True)
    times = []
    for _ in range(rounds):
        for path in articles:
            t = time.perf_counter()
            subprocess.run([str(exe), "extract", str(path)], check=True, capture_output=True)
            times.append(time.perf_counter() - t)
    print(f"karabakh-map extract FILE, one process per article ({len(articles)} articles x {rounds}): "
          f"median {statistics.median(times):.2f} s, fastest {min(times):.2f} s, slowest {max(times):.2f} s (target < 0.3 s)")


def main() -> None:
    # first, as a user runs it: a process on whichever core is free (the rest is pinned)
    _command_line(sorted(ARTICLES.glob("*.txt"))[:6] + sorted(DEVSET.glob("*.txt"))[:6])
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core
    corpus = _corpus()
    gz = default_gazetteer()

    def ours(pub, text):
        return events_from_article(read_article(text, published=pub))

    ours(*corpus[0][:2])  # warm caches (gazetteer, layers)
    times = _time(ours, corpus)
    found = total = 0
    for pub, text, places in corpus:
        got = {m.target for m in gz.find(text)}
        found += len(places & got)
        total += len(places)
    size = statistics.mean(len(t.encode()) for _, t, _ in corpus)
    print(f"{len(corpus)} articles of {size:,.0f} bytes on average, one core")
    print(f"karabakh-map: median {statistics.median(times):.1f} ms/article, {1000 / statistics.mean(times):.0f} articles/s, "
          f"place recall {found / total:.2f} (gazetteer matches of the expected places)")
    n_events = sum(len(ours(pub, text).events) for pub, text, _ in corpus)
    print(f"  ({n_events / len(corpus):.0f} events per article: {statistics.mean(times) / (n_events / len(corpus)):.2f} ms per event)")
    devset = [p.read_text(encoding="utf-8") for p in sorted(DEVSET.glob("*.txt"))]
    dtimes = _time(lambda pub, text: events_from_article(read_article(text)), [(None, t, set()) for t in devset])
    print(f"development set ({len(devset)} real reports, {statistics.mean(len(t.encode()) for t in devset):,.0f} bytes on average): "
          f"median {statistics.median(dtimes):.1f} ms/article, {1000 / statistics.mean(dtimes):.0f} articles/s")
    seed = ROOT.parent / "shared" / "seeds"
    if seed.is_dir():
        text = next(seed.glob("*.txt")).read_text()
        st = _time(ours, [("2023-09-19", text, set())], repeat=30)
        print(f"seed article ({len(text.encode()):,} bytes, a real report with {len(ours('2023-09-19', text).events)} events): "
              f"median {statistics.median(st):.1f} ms, {1000 / statistics.mean(st):.0f} articles/s")
    try:
        from geotext import GeoText
    except ImportError:
        print("geotext: not installed (pip install -r requirements-bench.txt)")
        return
    gtimes = _time(lambda pub, text: GeoText(text), corpus)
    gfound = 0
    for pub, text, places in corpus:
        names = GeoText(text).cities
        ids = {gz.lookup(n) for n in names}
        gfound += len(places & ids)
    print(f"geotext:      median {statistics.median(gtimes):.1f} ms/article, {1000 / statistics.mean(gtimes):.0f} articles/s, "
          f"place recall {gfound / total:.2f} (cities it finds, mapped through the gazetteer)")


if __name__ == "__main__":
    main()
