"""Events in and out of the project's exchange formats: ACLED CSV (ACLED's columns and
order, cells neutralised against spreadsheet formulas) and GeoJSON (every column as a
property). Imports are size-limited and parsed in Python, never handed to GDAL; a bad
row stops an import with an :class:`ImportFileError` naming the row and the field.
"""
from __future__ import annotations

from .acled_csv import events_to_acled_csv, iter_acled_csv, neutralise_cell, read_acled_csv
from .geojson_io import events_to_geojson, read_events_geojson
from .reading import MAX_IMPORT_BYTES, ImportFileError, read_limited

__all__ = [
    "MAX_IMPORT_BYTES", "ImportFileError", "events_to_acled_csv", "events_to_geojson", "neutralise_cell",
    "iter_acled_csv", "read_acled_csv", "read_events_geojson", "read_limited",
]
