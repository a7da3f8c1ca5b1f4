"""GeoJSON in and out (RFC 7946: EPSG:4326, longitude then latitude).

Reading parses the JSON in Python (never through GDAL, so a file cannot point GDAL at
another path or URL), with a size limit; each feature's properties are event columns
and its geometry is the event's geometry.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from events import COLUMNS, Event, EventError, EventValidationError, make_event

from .reading import ImportFileError, is_frame, read_limited

if TYPE_CHECKING:
    import geopandas as gpd


GEOJSON_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def read_events_geojson(source: str | Path | bytes, *, name: str | None = None) -> list[Event]:
    """Events from a GeoJSON FeatureCollection (path or bytes).

    Raises
    ------
    ImportFileError
        For bad JSON, a non-FeatureCollection, or a bad feature (named by its index,
        the property and the value). Nothing is stored from a file that fails.
    """
    label = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    data = read_limited(source, label)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise ImportFileError(f"{label} is not UTF-8 text: GeoJSON must be UTF-8 (RFC 7946)") from err
    except json.JSONDecodeError as err:
        raise ImportFileError(f"{label} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from err
    except RecursionError as err:
        raise ImportFileError(f"{label} is nested too deeply to be GeoJSON") from err
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        raise ImportFileError(f"{label} holds a value JSON readers refuse ({err}): fix the file") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise ImportFileError(f"{label} is not a GeoJSON FeatureCollection: it needs \"type\": \"FeatureCollection\" and a \"features\" list")
    from shapely.errors import ShapelyError
    from shapely.geometry import shape

    events = []
    for i, feat in enumerate(doc["features"]):
        where = f"{label}, feature {i}"
        if not isinstance(feat, dict) or not isinstance(feat.get("properties"), dict):
            raise ImportFileError(f"{where}: not a Feature with properties")
        props = {k: v for k, v in feat["properties"].items() if k in COLUMNS}
        for derived in ("year", "disorder_type", "interaction"):
            props.pop(derived, None)
        props["x_method"] = props.get("x_method") or "import"
        geom = feat.get("geometry")
        if geom is not None:
            kind = geom.get("type") if isinstance(geom, dict) else None
            if kind not in GEOJSON_TYPES:
                raise ImportFileError(f"{where}: geometry type {str(kind)[:40]!r} is not a GeoJSON geometry: "
                                      f"use one of {', '.join(GEOJSON_TYPES)}")
            try:
                props["geometry"] = shape(geom)
            except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError, ShapelyError) as err:
                raise ImportFileError(f"{where}: geometry is not GeoJSON ({err})") from err
            except RecursionError as err:
                raise ImportFileError(f"{where}: geometry is nested too deeply") from err
        try:
            events.append(make_event(**props))
        except EventValidationError as err:
            raise ImportFileError(f"{where}, property {err.field}: value {err.value!r} {err.fix}") from err
        except EventError as err:
            raise ImportFileError(f"{where}: {err}") from err
    if not events:
        raise ImportFileError(f"{label} holds no features: nothing to import")
    return events


def events_to_geojson(events: "gpd.GeoDataFrame | Iterable[Event]") -> str:
    """Events as a GeoJSON FeatureCollection (text), properties in column order."""
    if is_frame(events):
        from shapely.geometry import mapping

        rows = [(rec, None if rec.get("geometry") is None else mapping(rec["geometry"])) for rec in events.to_dict("records")]
    else:  # an event on a point needs no shapely geometry to be written
        rows = [(e.to_record(with_geometry=False), e.geojson_geometry()) for e in events]
    features = []
    for rec, geometry in rows:
        props = {}
        for c in COLUMNS:
            v = rec.get(c)
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            props[c] = v
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
