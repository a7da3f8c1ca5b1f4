"""Reports to events, offline, by rules.

Stages (docs/ARCHITECTURE.md, "The extraction pipeline"): :mod:`extract.article`
reads bytes, text or HTML into an :class:`Article`; :mod:`extract.pipeline` splits it
into sentences, fires the event :mod:`~extract.rules`, finds the places
(:mod:`~extract.gazetteer`, over :mod:`~extract.textnorm`'s folded text), dates
(:mod:`~extract.dates`) and deaths (:mod:`~extract.fatalities`), and returns events
with the sentences it could not place or date. It imports ``events`` and ``layers``,
never the store: what is kept is the caller's choice.
"""
from __future__ import annotations

from .article import Article, ArticleError, max_article_bytes, read_article, read_article_file
from .pipeline import ExtractionResult, UnplacedEvent, events_from_article, events_from_text, split_sentences

__all__ = [
    "Article", "ArticleError", "ExtractionResult", "UnplacedEvent", "events_from_article", "events_from_text",
    "max_article_bytes", "read_article", "read_article_file", "split_sentences",
]
