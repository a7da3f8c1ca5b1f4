"""Data exports: the layers and the events in a view, as files.

Layers as GeoJSON (one file each) or one GeoPackage; events as GeoJSON, ACLED CSV or
GeoPackage. Files are written by the project to paths it chooses, so nothing a user
typed reaches GDAL as a path.
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

import layers
from exchange.acled_csv import events_to_acled_csv, incidents_to_acled_csv
from exchange.geojson_io import events_to_geojson

log = logging.getLogger(__name__)

LAYER_EXPORT_FORMATS = ("geojson", "gpkg")


def _writable_layer(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out.attrs = {}
    return out


def export_layers(folder: str | Path, *, fmt: str = "geojson", as_of=None, layer_ids=None, bbox=None) -> list[Path]:
    """Write layers to ``folder``: ``ID.geojson`` each, or one ``layers.gpkg``.

    Parameters
    ----------
    folder
        Created if missing.
    fmt
        ``geojson`` or ``gpkg``.
    as_of
        Only features that existed that day.
    layer_ids
        Which layers (default all).
    bbox
        (W, S, E, N): clip to this box.

    Returns
    -------
    list of Path
        The files written.
    """
    if fmt not in LAYER_EXPORT_FORMATS:
        raise layers.LayerError(f"format {fmt!r} is not a layer export format: choose from {', '.join(LAYER_EXPORT_FORMATS)}")
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise layers.LayerError(f"cannot create {folder}: {err.strerror}") from err
    loaded = layers.load_layers(layer_ids, as_of=as_of)
    written: list[Path] = []
    target = folder / "layers.gpkg"
    if fmt == "gpkg" and target.exists():
        target.unlink()
    for lid, gdf in loaded.items():
        if bbox is not None:
            gdf = gdf.clip(box(*bbox))
        if gdf.empty:
            log.info("layer %s has no features%s; not written", lid, f" on {as_of}" if as_of else "")
            continue
        gdf = _writable_layer(gdf)
        if fmt == "geojson":
            path = folder / f"{lid}.geojson"
            gdf.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "YES"})
            written.append(path)
        else:
            gdf.to_file(target, layer=lid, driver="GPKG", engine="pyogrio")
    if fmt == "gpkg" and target.exists():
        written.append(target)
    log.info("exported %d layer file(s) to %s", len(written), folder)
    return written


def layers_to_gpkg_bytes(*, as_of=None, layer_ids=None, bbox=None) -> bytes:
    """The layers in a view as GeoPackage bytes (for a download button)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = export_layers(tmp, fmt="gpkg", as_of=as_of, layer_ids=layer_ids, bbox=bbox)
        return paths[0].read_bytes() if paths else b""


def events_to_gpkg_bytes(events: gpd.GeoDataFrame) -> bytes:
    """Events as GeoPackage bytes (layer ``events``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.gpkg"
        out = events.copy()
        out.attrs = {}
        out.to_file(path, layer="events", driver="GPKG", engine="pyogrio", geometry_type="Unknown")
        return path.read_bytes()


def events_to_csv_bytes(events: gpd.GeoDataFrame) -> bytes:
    """Events as ACLED CSV bytes (UTF-8, formulas neutralised)."""
    return events_to_acled_csv(events).encode("utf-8")


def incidents_to_csv_bytes(events: gpd.GeoDataFrame) -> bytes:
    """One ACLED CSV row per incident, its sources joined (UTF-8, formulas neutralised)."""
    return incidents_to_acled_csv(events).encode("utf-8")


def events_to_geojson_bytes(events: gpd.GeoDataFrame) -> bytes:
    """Events as GeoJSON bytes."""
    return events_to_geojson(events).encode("utf-8")
