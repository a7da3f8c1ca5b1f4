"""Layer features without GeoPandas: each layer's GeoJSON as (properties, geometry)
pairs, read once with ``json`` and shapely. The extraction path uses these, so that
reading one article needs neither pandas nor GeoPandas; drawing and exports use
:func:`layers.load_layer`.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any, Mapping

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ._errors import LayerError
from ._registry import LAYER_IDS, LAYERS
from .timefilter import parse_date, valid_on


@dataclass(frozen=True)
class Feature:
    """One feature of a layer: its GeoJSON properties and its (prepared) geometry."""

    props: Mapping[str, Any]
    geometry: BaseGeometry

    def get(self, key: str, default: Any = None) -> Any:
        value = self.props.get(key, default)
        return default if value is None else value


@functools.lru_cache(maxsize=None)
def features(layer_id: str) -> tuple[Feature, ...]:
    """Every feature of a layer, whatever its dates (cached).

    Raises
    ------
    LayerError
        For an unknown layer id or a file that cannot be read.
    """
    spec = LAYERS.get(layer_id)
    if spec is None:
        raise LayerError(f"unknown layer {layer_id!r}: choose from {', '.join(LAYER_IDS)}")
    try:
        data = json.loads(spec.path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise LayerError(f"layer file {spec.path} cannot be read ({err}): rebuild geodata/ with tools/build_geodata.py") from err
    out = []
    for f in data.get("features", []):
        geom = shape(f["geometry"])
        shapely.prepare(geom)
        props = dict(f.get("properties") or {})
        if layer_id in ("places", "stepanakert"):  # as load_layer: a place's id is its feature id
            if layer_id == "stepanakert" and props.get("id") != "stepanakert":
                continue
            props.setdefault("feature_id", props.get("id"))
        out.append(Feature(props, geom))
    return tuple(out)


def features_on(layer_id: str, as_of: dt.date | str | None) -> tuple[Feature, ...]:
    """The features of a layer that existed on ``as_of`` (all when ``None``)."""
    day = parse_date(as_of)
    if day is None:
        return features(layer_id)
    return tuple(f for f in features(layer_id) if valid_on(f.get("valid_from", ""), f.get("valid_to", ""), day))
