"""Where events are kept: one interface, two backends.

``store.base`` defines the interface (:class:`EventStore`), the result records and
what the backends share; ``store.geopackage`` keeps events in one GeoPackage file
(one analyst), ``store.postgis`` in a PostGIS database (a team). :func:`open_store`
picks the backend from the settings (``store.settings``); ``store.seeding`` loads the
bundled seed events into a new store and ``store.copy_store`` moves a store from one
backend to the other without loss. The guarantees are in docs/ARCHITECTURE.md, "The
store contract".
"""
from __future__ import annotations

import os

from typing import TYPE_CHECKING

from . import settings
from .base import EventStore, IngestResult, StoreError, UpsertResult, redact_target

if TYPE_CHECKING:
    from .geopackage import GeoPackageStore


def __getattr__(name: str):
    """``GeoPackageStore`` (and with it pandas and GeoPandas) is imported on first use, so
    that a command that only reads and extracts starts fast."""
    if name == "GeoPackageStore":
        from .geopackage import GeoPackageStore

        return GeoPackageStore
    raise AttributeError(f"module 'store' has no attribute {name!r}")

__all__ = [
    "EventStore", "GeoPackageStore", "IngestResult", "StoreError", "UpsertResult", "open_store", "redact_target",
]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(target: str | os.PathLike | None = None, *, load_seeds: bool = True) -> EventStore:
    """The store that ``target`` or the settings name.

    Parameters
    ----------
    target
        A ``postgresql://`` URL (PostGIS), a ``.gpkg`` path (GeoPackage), or ``None``
        for ``KARABAKH_MAP_DATABASE_URL``, else ``KARABAKH_MAP_STORE``, else
        ``data/karabakh-map.gpkg``.
    load_seeds
        Whether to load the seed files the store lacks.

    Raises
    ------
    StoreError
        If the store cannot be opened or prepared; the message says why and what to do.
    """
    url = str(target) if target is not None else settings.database_url()
    if url and url.startswith(_POSTGRES_SCHEMES):
        from .postgis import PostgisStore  # psycopg is imported only for a team store

        return PostgisStore(url, load_seeds=load_seeds)
    from .geopackage import GeoPackageStore

    return GeoPackageStore(target, load_seeds=load_seeds)
