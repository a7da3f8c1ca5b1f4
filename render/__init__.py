"""Layers and events to maps: the interactive folium map, the static snapshot, exports."""
from __future__ import annotations

from .view import DEFAULT_BBOX, REGION_BBOX, View, ViewError, parse_bbox

__all__ = ["DEFAULT_BBOX", "REGION_BBOX", "View", "ViewError", "parse_bbox"]
