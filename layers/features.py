"""Layer features without GeoPandas: each layer's GeoJSON as (properties, geometry)
pairs, read once with ``json``. The extraction path uses these, so that reading one
article needs neither pandas nor GeoPandas; drawing and exports use
:func:`layers.load_layer`. A feature's shapely geometry is made (and prepared) when it is
first asked for: placing an event on a point of the gazetteer needs only its
coordinates, and ``karabakh-map extract`` then never imports shapely and NumPy.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from ._errors import LayerError
from ._registry import LAYER_IDS, LAYERS
from .timefilter import parse_date, valid_on

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Feature:
    """One feature of a layer: its GeoJSON properties and geometry."""

    props: Mapping[str, Any]
    geojson: Mapping[str, Any]  # the GeoJSON geometry object, as the file holds it

    def get(self, key: str, default: Any = None) -> Any:
        value = self.props.get(key, default)
        return default if value is None else value

    @functools.cached_property
    def geometry(self) -> "BaseGeometry":
        """The feature's shapely geometry, prepared (made on first use, then kept)."""
        import shapely
        from shapely.geometry import shape

        geom = shape(self.geojson)
        shapely.prepare(geom)
        return geom

    @property
    def lonlat(self) -> tuple[float, float] | None:
        """(longitude, latitude) of a point feature, read from its GeoJSON; ``None`` for
        any other geometry."""
        if self.geojson.get("type") != "Point":
            return None
        lon, lat = self.geojson["coordinates"][:2]
        return float(lon), float(lat)


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
        props = dict(f.get("properties") or {})
        if layer_id in ("places", "stepanakert"):  # as load_layer: a place's id is its feature id
            if layer_id == "stepanakert" and props.get("id") != "stepanakert":
                continue
            props.setdefault("feature_id", props.get("id"))
        out.append(Feature(props, f["geometry"]))
    return tuple(out)


def features_on(layer_id: str, as_of: dt.date | str | None) -> tuple[Feature, ...]:
    """The features of a layer that existed on ``as_of`` (all when ``None``)."""
    day = parse_date(as_of)
    if day is None:
        return features(layer_id)
    return tuple(f for f in features(layer_id) if valid_on(f.get("valid_from", ""), f.get("valid_to", ""), day))
