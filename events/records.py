"""The record of a source article, as extraction produces it and a store keeps it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArticleRecord:
    """An article's metadata as stored: its id is a hash of its text.

    Attributes
    ----------
    article_id
        Unique id (a hash of the folded text, or ``seed-...`` for seed files).
    title, source_name, source_url, published
        Metadata; ``published`` is ``YYYY-MM-DD`` or empty.
    n_chars
        Length of the article's text.
    origin
        ``ingest``, ``seed`` or ``import``.
    ingested_at
        Set by the store; kept when a store is copied.
    """

    article_id: str
    title: str = ""
    source_name: str = ""
    source_url: str = ""
    published: str = ""
    n_chars: int = 0
    origin: str = "ingest"
    ingested_at: str = ""
