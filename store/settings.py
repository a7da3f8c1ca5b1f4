"""The store's settings, read from the environment.

``KARABAKH_MAP_STORE``
    Path of the GeoPackage store. Default: ``data/karabakh-map.gpkg`` when working in the
    project's folder, else ``~/.local/share/karabakh-map/karabakh-map.gpkg``
    (``$XDG_DATA_HOME`` is honoured).
``KARABAKH_MAP_DATABASE_URL``
    A ``postgresql://`` URL: the store is then that PostGIS database, for teams.
``KARABAKH_MAP_SEEDS``
    Extra folders of seed files (``os.pathsep``-separated), loaded after ``seeds/``.

The article size limit, ``KARABAKH_MAP_MAX_ARTICLE_BYTES``, is extraction's
(:func:`extract.max_article_bytes`).
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

BUNDLED_SEEDS_DIR = Path(str(resources.files("seeds")))  # shipped with the package
DEFAULT_STORE = Path("data") / "karabakh-map.gpkg"


def user_data_dir() -> Path:
    """The user's data folder for karabakh-map: ``$XDG_DATA_HOME/karabakh-map``, else
    ``~/.local/share/karabakh-map``."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "karabakh-map"


def _in_project_folder(folder: Path) -> bool:
    return (folder / "streamlit_app.py").is_file() and (folder / "geodata").is_dir()


def store_path() -> Path:
    """Where the store lives: ``$KARABAKH_MAP_STORE``; else ``data/karabakh-map.gpkg``
    in the project's folder when working there (a clone); else
    ``karabakh-map.gpkg`` in the user's data folder (an installed package)."""
    if os.environ.get("KARABAKH_MAP_STORE"):
        return Path(os.environ["KARABAKH_MAP_STORE"])
    if _in_project_folder(Path.cwd()):
        return DEFAULT_STORE
    return user_data_dir() / "karabakh-map.gpkg"


def seed_dirs() -> list[Path]:
    """Folders whose ``*.json`` seed files a store loads: bundled first, then the user's."""
    extra = [Path(p) for p in os.environ.get("KARABAKH_MAP_SEEDS", "").split(os.pathsep) if p]
    return [BUNDLED_SEEDS_DIR, *extra]


def database_url() -> str:
    """The PostGIS store's URL, or '' for the GeoPackage file."""
    return os.environ.get("KARABAKH_MAP_DATABASE_URL", "").strip()
