"""Read a layer file, check it, and add the metadata every feature must carry."""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import geopandas as gpd
import pyogrio

from ._errors import LayerError

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("source", "licence", "accuracy_m", "valid_from", "valid_to")


def read_layer_file(path: Path | str) -> gpd.GeoDataFrame:
    """Read and validate one layer file (cached; returns a fresh copy each call).

    Parameters
    ----------
    path
        A GeoJSON or GeoPackage file whose features have the columns of
        ``REQUIRED_COLUMNS``.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326 (longitude, latitude in degrees).

    Raises
    ------
    LayerError
        If the file is missing or unreadable, has no CRS, or holds an empty or
        invalid geometry or a feature without source, licence or accuracy. The
        message names the file and the feature.
    """
    return _read_cached(str(Path(path).resolve())).copy()


@functools.lru_cache(maxsize=32)
def _read_cached(path: str) -> gpd.GeoDataFrame:
    p = Path(path)
    if not p.is_file():
        raise LayerError(f"layer file {p} does not exist: reinstall the project or restore geodata/ from git")
    try:
        gdf = pyogrio.read_dataframe(p, DATE_AS_STRING="YES")  # dates stay ISO text
    except Exception as err:  # pyogrio raises several GDAL-derived types
        raise LayerError(f"layer file {p.name} cannot be read ({err}); restore it from git") from err
    validate_layer(gdf, p.name)
    log.debug("read %s: %d features", p.name, len(gdf))
    return gdf


def validate_layer(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Check CRS, geometry and provenance columns of a layer; raise :class:`LayerError`."""
    if gdf.crs is None:
        raise LayerError(f"{name} has no CRS: write it as GeoJSON (EPSG:4326) or set its CRS")
    if gdf.crs.to_epsg() != 4326:
        raise LayerError(f"{name} is in {gdf.crs.to_string()}, not EPSG:4326: reproject it with to_crs(4326)")
    missing = [c for c in REQUIRED_COLUMNS if c not in gdf.columns]
    if missing:
        raise LayerError(f"{name} lacks the column(s) {missing}: every feature needs source, licence, accuracy and validity")
    for i, row in gdf.iterrows():
        label = row.get("feature_id", row.get("id", i))
        geom = row.geometry
        if geom is None or geom.is_empty:
            raise LayerError(f"{name}: feature {label!r} has no geometry")
        if not geom.is_valid:
            from shapely.validation import explain_validity

            raise LayerError(f"{name}: feature {label!r} has an invalid geometry ({explain_validity(geom)}); repair it with make_valid()")
        for col in ("source", "licence"):
            if not isinstance(row[col], str) or not row[col].strip():
                raise LayerError(f"{name}: feature {label!r} has no {col}: record where it came from in the file and geodata/SOURCES.md")
        if not (row["accuracy_m"] == row["accuracy_m"]) or row["accuracy_m"] <= 0:
            raise LayerError(f"{name}: feature {label!r} has accuracy_m={row['accuracy_m']!r}: give a positive number of metres")
