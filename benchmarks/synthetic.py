"""Synthetic events for the benchmarks: valid, spread over the region and 2016-2023.

A module of its own (not ``store.py``) so that ``store`` always means the project's
package in a benchmark.
"""
from __future__ import annotations

import datetime as dt
import random

from events import Event, make_event

TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Strategic developments", "Other"), ("Protests", "Peaceful protest")]


def synthetic_events(n: int, seed: int = 1) -> list[Event]:
    """``n`` distinct valid events, the same for the same ``seed``."""
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


