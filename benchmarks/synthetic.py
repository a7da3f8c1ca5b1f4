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




def article_batches(n_articles: int, size: int, seed: int = 7) -> list[list[Event]]:
    """Articles as reports are: ``size`` events each, within three days and about 5 km of
    one another, at random days and places of the region; a fifth of them repeat an
    earlier article's incident (the same day and place, another outlet)."""
    rng = random.Random(seed)
    start = dt.date(2016, 1, 1)
    anchors: list[tuple[dt.date, float, float]] = []
    out = []
    for a in range(n_articles):
        if anchors and rng.random() < 0.2:
            day, lat, lon = rng.choice(anchors)
        else:
            day = start + dt.timedelta(days=rng.randrange(0, 2900))
            lat, lon = rng.uniform(38.9, 40.6), rng.uniform(45.8, 47.6)
            anchors.append((day, lat, lon))
        batch = []
        for j in range(size):
            et, st = TYPES[(a + j) % len(TYPES)]
            batch.append(make_event(
                event_date=day + dt.timedelta(days=rng.randrange(-1, 2)), event_type=et, sub_event_type=st,
                latitude=round(lat + rng.uniform(-0.03, 0.03), 5), longitude=round(lon + rng.uniform(-0.03, 0.03), 5),
                actor1="Military Forces of Azerbaijan (2003-)", inter1=1, source=f"outlet {a % 17}",
                location=f"article {a} place {j}", x_evidence=f"article {a} event {j}", x_evidence_start=j,
                x_article_id=f"art-{seed}-{a}", x_method="rules",
            ))
        out.append(batch)
    return out
