"""The store's settings, read from the environment.

``KARABAKH_MAP_STORE``
    Path of the GeoPackage store (default ``data/karabakh-map.gpkg`` under the working
    directory).
``KARABAKH_MAP_DATABASE_URL``
    A ``postgresql://`` URL: the store is then that PostGIS database, for teams.
``KARABAKH_MAP_SEEDS``
    Extra folders of seed files (``os.pathsep``-separated), loaded after ``seeds/``.

The article size limit, ``KARABAKH_MAP_MAX_ARTICLE_BYTES``, is extraction's
(:func:`extract.max_article_bytes`).
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_SEEDS_DIR = ROOT / "seeds"
DEFAULT_STORE = Path("data") / "karabakh-map.gpkg"


def store_path() -> Path:
    """Where the store lives: ``$KARABAKH_MAP_STORE`` or ``data/karabakh-map.gpkg``."""
    return Path(os.environ.get("KARABAKH_MAP_STORE") or DEFAULT_STORE)


def seed_dirs() -> list[Path]:
    """Folders whose ``*.json`` seed files a store loads: bundled first, then the user's."""
    extra = [Path(p) for p in os.environ.get("KARABAKH_MAP_SEEDS", "").split(os.pathsep) if p]
    return [BUNDLED_SEEDS_DIR, *extra]


def database_url() -> str:
    """The PostGIS store's URL, or '' for the GeoPackage file."""
    return os.environ.get("KARABAKH_MAP_DATABASE_URL", "").strip()
