"""Copy a store to another, GeoPackage or PostGIS, without loss (``karabakh-map store copy``)."""
from __future__ import annotations

import logging
from collections import defaultdict

from events import ArticleRecord, event_from_record

from .base import EventStore

log = logging.getLogger(__name__)


def copy_store(source: EventStore, target: EventStore) -> tuple[int, int]:
    """Copy every article and event of ``source`` into ``target``.

    Each article goes in with its events in one transaction, so an interrupted copy
    leaves whole articles only, and running it again adds only what is missing.
    Events keep every column, their ``x_uid``, ``event_id_cnty``, review status and
    geometry. Returns (articles copied, events copied).
    """
    articles = source.articles()
    events = source.query()
    by_article: dict[str, list] = defaultdict(list)
    for rec in events.to_dict("records"):
        by_article[rec.get("x_article_id") or ""].append(event_from_record(rec))
    n_articles = n_events = 0
    for row in articles.to_dict("records"):
        record = ArticleRecord(
            article_id=row["article_id"], title=_text(row["title"]), source_name=_text(row["source_name"]),
            source_url=_text(row["source_url"]), published=_text(row["published"]), n_chars=int(_text(row.get("n_chars")) or 0),
            origin=_text(row["origin"]) or "ingest", ingested_at=_text(row["ingested_at"]),
        )
        result = target.ingest(record, by_article.pop(row["article_id"], []))
        if not result.duplicate:
            n_articles += 1
            n_events += result.stored
    orphans = [e for evs in by_article.values() for e in evs]  # imported rows belong to no article
    if orphans:
        n_events += target.upsert_events(orphans).inserted
    log.info("copied %d articles and %d events", n_articles, n_events)
    return n_articles, n_events


def _text(value) -> str:
    """A cell as text: '' for None and for pandas' NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)
