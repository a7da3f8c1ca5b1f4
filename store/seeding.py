"""Seed files: bundled, sourced events that a new store starts with.

A seed file is JSON: ``{"article": {...}, "events": [{...}, ...]}``. ``article`` has
``article_id`` (unique, e.g. ``seed-000-9ced106a71ad0fd7``), ``title``,
``source_name``, ``source_url`` (may be empty) and ``published`` (YYYY-MM-DD). Each
event gives the columns of :data:`events.COLUMNS` it knows, and its position either as
``x_place_id`` (a gazetteer id) or ``x_layer`` (``LAYER:FEATURE``), or as
``latitude``/``longitude``. Users add their own in a folder named by
``KARABAKH_MAP_SEEDS``.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from events import ArticleRecord, Event, EventError, make_event
from events.places import place_fields

from . import settings

if TYPE_CHECKING:
    from .base import EventStore

log = logging.getLogger(__name__)


def read_seed_file(path: Path) -> tuple[ArticleRecord, list[Event]]:
    """Read one seed file into an article record and validated events.

    Raises
    ------
    EventError
        Naming the file, the event's position in it and the bad field.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise EventError(f"seed file {path} cannot be read: {err}; fix the JSON or remove the file") from err
    if not isinstance(data, dict) or not isinstance(data.get("article"), dict) or not isinstance(data.get("events"), list):
        raise EventError(f"seed file {path} needs an 'article' object and an 'events' list")
    a = data["article"]
    if not a.get("article_id"):
        raise EventError(f"seed file {path}: article has no article_id")
    article = ArticleRecord(
        article_id=str(a["article_id"]), title=str(a.get("title", "")), source_name=str(a.get("source_name", "")),
        source_url=str(a.get("source_url", "")), published=str(a.get("published", "")), origin="seed",
    )
    events = []
    for i, raw in enumerate(data["events"], start=1):
        fields = {
            "x_method": "seed", "x_source_title": article.title, "x_source_url": article.source_url,
            "x_published": article.published, "x_article_id": article.article_id, **raw,
        }
        try:
            events.append(make_event(**place_fields(fields)))
        except EventError as err:
            raise EventError(f"seed file {Path(path).name}, event {i}: {err}") from err
    return article, events


def seed_files() -> list[Path]:
    """Every seed file, bundled first, in name order within each folder."""
    files: list[Path] = []
    for folder in settings.seed_dirs():
        if folder.is_dir():
            files += sorted(folder.glob("*.json"))
        elif folder != settings.BUNDLED_SEEDS_DIR:
            log.warning("seed folder %s does not exist", folder)
    return files


def load_new_seeds(store: "EventStore") -> int:
    """Ingest every seed file whose article the store lacks; return events added."""
    added = 0
    for path in seed_files():
        try:
            with open(path, encoding="utf-8") as fh:
                article_id = json.load(fh).get("article", {}).get("article_id")
        except (OSError, json.JSONDecodeError, AttributeError):
            article_id = None
        if article_id and store.has_article(str(article_id)):
            continue
        article, events = read_seed_file(path)
        added += store.ingest(article, events).stored
    if added:
        log.info("loaded %d seed events", added)
    return added
