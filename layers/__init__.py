"""The region's geography as GeoDataFrames in EPSG:4326 (longitude, latitude).

Each layer of the registry is read from ``geodata/``, validated, filtered to an
"as of" date when one is given, and returned with its metadata in ``gdf.attrs``:
``id``, ``title``, ``description``, ``source``, ``licence``, ``accuracy_m``,
``valid_from``, ``valid_to``, ``style``.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import logging
from typing import TYPE_CHECKING

from ._errors import LayerError
from ._registry import AS_OF_RANGE, EVENT_DATES_FIRST, GEODATA_DIR, KEY_DATES, LAYER_IDS, LAYERS, LayerSpec
from .names import NAMING_MODES, display_name
from .timefilter import DATE_HINT, filter_as_of, parse_date, valid_on

__all__ = [
    "AS_OF_RANGE", "EVENT_DATES_FIRST", "GEODATA_DIR", "KEY_DATES", "LAYER_IDS", "LAYERS", "LayerError", "LayerSpec",
    "NAMING_MODES", "DATE_HINT", "display_name", "feature_count", "filter_as_of", "layer_metadata", "load_layer",
    "load_layers", "parse_date", "validate_layer", "valid_on", "read_layer_file",
]

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)


def __getattr__(name: str):
    """``read_layer_file`` and ``validate_layer`` import GeoPandas: only when asked for."""
    if name in ("read_layer_file", "validate_layer"):
        from . import _io

        return getattr(_io, name)
    raise AttributeError(f"module 'layers' has no attribute {name!r}")


def _spec(layer_id: str) -> LayerSpec:
    try:
        return LAYERS[layer_id]
    except KeyError:
        raise LayerError(
            f"unknown layer {layer_id!r}: choose from {', '.join(LAYER_IDS)}"
        ) from None


def load_layer(layer_id: str, *, as_of: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """Load one layer, keeping only what existed on ``as_of``.

    Parameters
    ----------
    layer_id
        One of :data:`LAYER_IDS`.
    as_of
        A date or ``YYYY-MM-DD``; ``None`` keeps every feature whatever its dates.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per feature, metadata in ``attrs`` (see module docstring).
        ``seven_districts`` gains a ``control`` column for the ``as_of`` date.

    Raises
    ------
    LayerError
        For an unknown id, a bad date, or a file that fails validation.
    """
    spec = _spec(layer_id)
    day = parse_date(as_of)
    cached = _load_layer(spec.id, day)
    gdf = cached.copy()  # the caller's own: the cached frame never changes
    gdf.attrs = copy.deepcopy(cached.attrs)
    return gdf


def feature_count(layer_id: str, *, as_of: dt.date | str | None = None) -> int:
    """How many features of a layer existed on ``as_of`` (no copy of the layer made)."""
    return len(_load_layer(_spec(layer_id).id, parse_date(as_of)))


@functools.lru_cache(maxsize=512)
def _load_layer(layer_id: str, day: dt.date | None) -> gpd.GeoDataFrame:
    """:func:`load_layer`, kept per layer and day: a page rerun draws the same layers
    again, and every session shares them (the layer files never change while it runs)."""
    from ._io import read_layer_file

    spec = _spec(layer_id)
    gdf = read_layer_file(spec.path)
    if layer_id == "stepanakert":
        gdf = gdf[gdf["id"] == "stepanakert"].copy()
        gdf["feature_id"] = "stepanakert"
    elif layer_id == "places":
        gdf["feature_id"] = gdf["id"]
    elif layer_id == "seven_districts":
        gdf["control"] = [
            _district_control(returned, day) for returned in gdf["returned"]
        ]
    meta = layer_metadata(layer_id, gdf)
    gdf = filter_as_of(gdf, day)
    meta["features"] = int(len(gdf))
    gdf.attrs = meta
    gdf.attrs["as_of"] = day.isoformat() if day else None
    return gdf


def _district_control(returned: str, day: dt.date | None) -> str:
    if day is None:
        return f"Azerbaijan (since {returned})"
    if day >= dt.date.fromisoformat(returned):
        return "Azerbaijan"
    if day < dt.date(1993, 4, 2):  # before the 1993 offensives the map is not modelled
        return "not modelled before 1993"
    return "Karabakh Armenian forces"


def load_layers(
    layer_ids: list[str] | tuple[str, ...] | None = None, *, as_of: dt.date | str | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Load several layers (all of them by default), in drawing order."""
    ids = LAYER_IDS if layer_ids is None else tuple(layer_ids)
    for lid in ids:
        _spec(lid)
    ordered = sorted(ids, key=lambda i: LAYERS[i].z)
    return {lid: load_layer(lid, as_of=as_of) for lid in ordered}


def layer_metadata(layer_id: str, gdf: gpd.GeoDataFrame | None = None) -> dict:
    """Metadata of a layer: registry fields plus source, licence, accuracy and dates
    summarised over its features (all features when ``gdf`` is ``None``; that summary is
    kept, and the caller gets its own copy)."""
    if gdf is None:
        return copy.deepcopy(_layer_metadata(_spec(layer_id).id))
    return _summarise(layer_id, gdf)


@functools.lru_cache(maxsize=None)
def _layer_metadata(layer_id: str) -> dict:
    return _summarise(layer_id, None)


def _summarise(layer_id: str, gdf: gpd.GeoDataFrame | None) -> dict:
    spec = _spec(layer_id)
    if gdf is None:
        from ._io import read_layer_file

        gdf = read_layer_file(spec.path)
        if layer_id == "stepanakert":
            gdf = gdf[gdf["id"] == "stepanakert"]
    def _joined(col: str) -> str:
        return "; ".join(dict.fromkeys(str(v) for v in gdf[col] if isinstance(v, str) and v))
    froms = [v for v in gdf["valid_from"] if v]
    tos = [v for v in gdf["valid_to"] if v]
    open_end = any(not v for v in gdf["valid_to"]) or gdf.empty
    return {
        "id": spec.id,
        "title": spec.title,
        "description": spec.description,
        "source": _joined("source"),
        "licence": _joined("licence"),
        "accuracy_m": float(gdf["accuracy_m"].max()) if len(gdf) else None,
        "valid_from": min(froms) if froms and len(froms) == len(gdf) else None,
        "valid_to": None if open_end or not tos else max(tos),
        "features": int(len(gdf)),
        "style": dict(spec.style),
        "z": spec.z,
    }
