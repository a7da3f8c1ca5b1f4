"""Where events sit: gazetteer places and layer features, by id.

A place id is a ``places`` layer id (``stepanakert``). A layer reference is
``LAYER:FEATURE`` (``contact_line:contact_line_2020``,
``lachin_corridor:route_2022_road``, ``seven_districts:lachin``), or ``LAYER`` alone
for a layer with a single feature or to mean all of it (``seven_districts``).

A point of the gazetteer is placed from its coordinates alone, and an event on a layer
feature from the feature's representative point: the country and district of each place,
and the point and country of each feature, are found once with shapely and kept in the
user's cache (:mod:`layers.tables_cache`); a feature's geometry is made when an event's
is first read (:class:`LayerGeometry`). Extracting an article therefore imports neither
shapely nor NumPy.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import layers
from layers import GEODATA_DIR, collector, tables_cache
from layers.features import Feature, features, features_on
from layers.names import NamingMode, display_name
from layers.timefilter import parse_date

from .errors import EventValidationError
from .geometry import DeferredGeometry
from .villages import villages, village

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry


@functools.lru_cache(maxsize=None)
def _prepared(layer_id: str, name_column: str) -> tuple[tuple[str, "BaseGeometry"], ...]:
    """(name, prepared geometry) per feature: point-in-polygon in microseconds."""
    return tuple((str(f.get(name_column, "")), f.geometry) for f in features(layer_id))


def _first_containing(layer_id: str, name_column: str, lon: float, lat: float) -> str:
    import shapely

    for name, geom in _prepared(layer_id, name_column):
        if shapely.contains_xy(geom, lon, lat):
            return name
    return ""


def country_name(lon: float, lat: float) -> str:
    """The country (``borders`` layer) a point lies in ('' if none)."""
    return _first_containing("borders", "name", lon, lat)


def district_name(lon: float, lat: float) -> str:
    """The seven-districts district a point lies in ('' if none)."""
    return _first_containing("seven_districts", "name_en", lon, lat)


def _point_areas(lon: float, lat: float) -> tuple[str, str]:
    """(country, district) a point lies in."""
    return country_name(lon, lat), district_name(lon, lat)


def _build_areas() -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for f in features("places"):
        lonlat = f.lonlat
        if lonlat is not None:
            out[str(f.get("id"))] = _point_areas(*lonlat)
    for vid, v in villages().items():
        out[vid] = _point_areas(v.lon, v.lat)
    for layer_id in layers.LAYER_IDS:  # its named features, and each set of features it held on some day
        feats = features(layer_id)
        groups = {tuple(i for i, g in enumerate(feats) if g.get("feature_id") == f.get("feature_id")) for f in feats}
        groups |= {_indices(feats, features_on(layer_id, day)) for day in _change_days(feats)}
        for group in filter(None, groups):
            chosen = [feats[i] for i in group]
            rep = (_union(chosen) if len(chosen) > 1 else chosen[0].geometry).representative_point()
            out[_layer_key(layer_id, group)] = (country_name(rep.x, rep.y), rep.x, rep.y)
    return out


def _change_days(feats: tuple[Feature, ...]) -> set[dt.date | None]:
    """The days on which a layer's set of features may change (bounds are inclusive), the
    day before the first of them, and ``None`` (every feature)."""
    days: set[dt.date] = set()
    for f in feats:
        for bound, shift in (("valid_from", 0), ("valid_to", 1)):
            day = parse_date(f.get(bound, "") or None)
            if day is not None:
                days.add(day + dt.timedelta(days=shift))
    return {None, *days, *([min(days) - dt.timedelta(days=1)] if days else [])}


def _indices(feats: tuple[Feature, ...], chosen: Iterable[Feature]) -> tuple[int, ...]:
    position = {id(f): i for i, f in enumerate(feats)}
    return tuple(sorted(position[id(f)] for f in chosen))


def _layer_key(layer_id: str, indices: Iterable[int]) -> str:
    return f"{layer_id}|" + "|".join(map(str, indices))


def _union(feats: list[Feature]) -> "BaseGeometry":
    import shapely

    return shapely.union_all([f.geometry for f in feats])


@functools.lru_cache(maxsize=1)
def _areas() -> dict[str, tuple]:
    """(country, district) of every point of the gazetteer by id, and (country, longitude,
    latitude of a representative point) of every layer feature and of every set of
    features a layer held: built with shapely once, then read from the user's cache
    (keyed by the code that reads them and ``geodata/``)."""
    import events.villages
    import layers.timefilter

    code = (Path(__file__), Path(layers.features.__file__), Path(layers.timefilter.__file__), Path(events.villages.__file__))
    key = tables_cache.digest(code, GEODATA_DIR)
    with collector.paused():
        return tables_cache.load_or_build("place-areas", key, _build_areas)


@dataclass(frozen=True)
class LayerGeometry(DeferredGeometry):
    """The geometry of a layer reference ``LAYER[:FEATURE]`` as on ``as_of``, made from
    the layer when an event's geometry is first read."""

    layer_ref: str
    as_of: str | None
    geom_type: str = ""  # the GeoJSON type when one feature's, else "" (a union of several)
    geojson: Mapping[str, Any] | None = None  # that one feature's GeoJSON geometry, as the layer file holds it

    def make(self) -> "BaseGeometry":
        return layer_feature(self.layer_ref, as_of=self.as_of).geometry


def _point(lon: float, lat: float) -> "BaseGeometry":
    from shapely import Point

    return Point(lon, lat)


@functools.lru_cache(maxsize=1)
def places_table() -> "gpd.GeoDataFrame":
    """The gazetteer's places indexed by id, as a GeoDataFrame (for tables and maps)."""
    return layers.load_layer("places").set_index("id", drop=False)


@functools.lru_cache(maxsize=1)
def _places_by_id() -> dict[str, Feature]:
    return {str(f.get("id")): f for f in features("places")}


@dataclass(frozen=True)
class Placement:
    """Where an event sits: a point (``lonlat``) or a layer's line or area (``shape``, or
    ``deferred`` with its representative point as ``lonlat``), display names, ACLED geo
    precision, and the country and district where known without shapely."""

    name_hy: str
    name_az: str
    geo_precision: int
    place_id: str = ""
    layer_ref: str = ""
    admin1: str = ""
    country: str = ""
    lonlat: tuple[float, float] | None = None  # a point, or a layer feature's representative point
    shape: "BaseGeometry | None" = None
    deferred: LayerGeometry | None = None  # a layer feature whose geometry is made when first read

    @property
    def geometry(self) -> "BaseGeometry":
        """The placement as a shapely geometry."""
        if self.shape is not None:
            return self.shape
        return self.deferred.make() if self.deferred is not None else _point(*self.lonlat)

    def name(self, mode: NamingMode = "both") -> str:
        return display_name(self.name_hy, self.name_az, mode)


@functools.lru_cache(maxsize=4096)
def place(place_id: str) -> Placement:
    """The placement of a gazetteer place or a village (cached).

    Raises
    ------
    EventValidationError
        If the id is neither a place of the ``places`` layer nor a village id.
    """
    row = _places_by_id().get(place_id)
    if row is None:
        v = village(place_id)
        if v is None:
            raise EventValidationError(
                "x_place_id", place_id, "is not in the gazetteer: see `karabakh-map layers --json` or layers/places, "
                "or geodata/villages.csv for village ids"
            )
        country, district = _areas().get(place_id) or _point_areas(v.lon, v.lat)
        return Placement(v.name_hy, v.name_az, 1, place_id=place_id, admin1=district or v.admin1, country=country,
                         lonlat=(v.lon, v.lat))
    hy, az = row.get("name_hy", ""), row.get("name_az_en", "")
    lonlat = row.lonlat
    if lonlat is None:  # a place drawn as an area
        rep = row.geometry.representative_point()
        return Placement(hy, az, 1, place_id=place_id, admin1=district_name(rep.x, rep.y), shape=row.geometry)
    country, district = _areas().get(place_id) or _point_areas(*lonlat)
    return Placement(hy, az, 1, place_id=place_id, admin1=district, country=country, lonlat=lonlat)


def layer_feature(ref: str, *, as_of: str | None = None) -> Placement:
    """The placement of a layer feature ``LAYER[:FEATURE]`` (geo precision 3)."""
    return _layer_feature(ref, _date_key(ref, as_of))


def _date_key(ref: str, as_of: str | None) -> str | None:
    """The day a layer reference's features depend on, as the caches key it: ``None`` for
    a named feature (the same whatever the date: cached once), else ``as_of``."""
    return None if ref.partition(":")[2] else (str(as_of) if as_of else None)


def _is_shared_border(layer_id: str, feature_id: str) -> bool:
    """Whether ``borders:A-B`` names the line two countries share."""
    return layer_id == "borders" and "-" in feature_id


def _chosen_features(ref: str, as_of: str | None) -> tuple[str, str, tuple[Feature, ...]]:
    """(layer id, feature id, the features) a layer reference means on ``as_of``."""
    layer_id, _, feature_id = ref.partition(":")
    if layer_id not in layers.LAYERS:
        raise EventValidationError("x_layer", ref, f"names no layer: use LAYER:FEATURE with LAYER one of {', '.join(layers.LAYER_IDS)}")
    # A named feature is that feature whatever the date; a bare layer means what it held then.
    feats = features(layer_id) if feature_id else features_on(layer_id, as_of)
    if _is_shared_border(layer_id, feature_id):
        return layer_id, feature_id, feats
    if feature_id:
        feats = tuple(f for f in feats if f.get("feature_id") == feature_id)
        if not feats:
            known = ", ".join(str(f.get("feature_id")) for f in features(layer_id))
            raise EventValidationError("x_layer", ref, f"names no feature of {layer_id}: use one of {known}")
    if not feats:
        raise EventValidationError("x_layer", ref, f"has no feature on {as_of}")
    return layer_id, feature_id, feats


def _layer_names(layer_id: str, feature_id: str, feats: tuple[Feature, ...]) -> tuple[str, str]:
    title = layers.LAYERS[layer_id].title
    if feature_id and len(feats) == 1 and isinstance(feats[0].get("name"), str) and feats[0].get("name"):
        title = feats[0].get("name")
    if layer_id == "seven_districts" and feature_id:
        return feats[0].get("name_hy", title), feats[0].get("name_en", title)
    return title, title


@functools.lru_cache(maxsize=1024)
def _layer_feature(ref: str, as_of: str | None) -> Placement:
    layer_id, feature_id, feats = _chosen_features(ref, as_of)
    if _is_shared_border(layer_id, feature_id):
        return _shared_border(feats, feature_id, ref)
    import shapely

    geom = shapely.union_all([f.geometry for f in feats]) if len(feats) > 1 else feats[0].geometry
    shapely.prepare(geom)  # cached with the placement: prepared, as the layers' own features are
    hy, az = _layer_names(layer_id, feature_id, feats)
    return Placement(hy, az, 3, layer_ref=ref, shape=geom)


def layer_placement(ref: str, *, as_of: str | None = None) -> Placement:
    """As :func:`layer_feature`, with the geometry left to be made when the event's is
    first read: the representative point and the country come from the cached table."""
    return _layer_placement(ref, _date_key(ref, as_of))


@functools.lru_cache(maxsize=1024)
def _layer_placement(ref: str, as_of: str | None) -> Placement:
    layer_id, _, feature_id = ref.partition(":")
    if _is_shared_border(layer_id, feature_id):  # not in the table: made now
        return _layer_feature(ref, as_of)
    layer_id, feature_id, feats = _chosen_features(ref, as_of)
    facts = _areas().get(_layer_key(layer_id, _indices(features(layer_id), feats)))
    if facts is None:  # a set of features the table does not hold: made now
        return _layer_feature(ref, as_of)
    country, lon, lat = facts
    one = feats[0].geojson if len(feats) == 1 else None
    hy, az = _layer_names(layer_id, feature_id, feats)
    return Placement(hy, az, 3, layer_ref=ref, country=country, lonlat=(lon, lat),
                     deferred=LayerGeometry(ref, as_of, one["type"] if one else "", one))


def _shared_border(borders: tuple[Feature, ...], feature_id: str, ref: str) -> Placement:
    """``borders:ARM-AZE``: the line two countries share."""
    a, _, b = feature_id.partition("-")
    by_id = {f.get("feature_id"): f for f in borders}
    if a not in by_id or b not in by_id:
        raise EventValidationError("x_layer", ref, f"names no pair of countries: use codes of {', '.join(map(str, by_id))}")
    import shapely

    line = by_id[a].geometry.boundary.intersection(by_id[b].geometry.boundary)
    if line.is_empty:
        raise EventValidationError("x_layer", ref, "names two countries that share no border")
    shapely.prepare(line)
    names = f"{by_id[a].get('name')}-{by_id[b].get('name')} border"
    return Placement(names, names, 3, layer_ref=ref, shape=line)


def place_fields(fields: dict, *, as_of: str | None = None) -> dict:
    """Fill ``geometry``, ``location``, ``geo_precision`` and ``admin1`` from
    ``x_place_id`` or ``x_layer`` when no coordinates are given.

    Raises
    ------
    EventValidationError
        If the fields give neither coordinates, nor a place id, nor a layer reference.
    """
    out = dict(fields)
    if out.get("geometry") is not None or (out.get("latitude") not in (None, "") and out.get("longitude") not in (None, "")):
        return out
    if out.get("x_place_id"):
        p = place(out["x_place_id"])
    elif out.get("x_layer"):
        p = layer_placement(out["x_layer"], as_of=as_of or str(out.get("event_date") or "") or None)
    else:
        raise EventValidationError("x_place_id", None, "is missing: give x_place_id, x_layer, or latitude and longitude")
    if p.lonlat is not None:  # make_event makes the geometry when it is first read
        out["longitude"], out["latitude"] = p.lonlat
        if p.deferred is not None:
            out["geometry"] = p.deferred
        if p.country:
            out.setdefault("country", p.country)
    else:
        out["geometry"] = p.shape
    out.setdefault("location", p.name("both"))
    out.setdefault("geo_precision", p.geo_precision)
    if p.admin1:
        out.setdefault("admin1", p.admin1)
    return out
