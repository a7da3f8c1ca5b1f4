"""A geometry made when first read: what an event holds for a layer feature until its
shapely geometry is needed (printing or counting events needs only their coordinates).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry


class DeferredGeometry:
    """A geometry known by reference, made by :meth:`make` when an event's geometry is
    first read (:class:`events.places.LayerGeometry` is the one kind).

    Attributes
    ----------
    geom_type
        The GeoJSON type when known without making it, else ``""``.
    geojson
        Its GeoJSON geometry object when known without making it, else ``None``.
    """

    geom_type: str = ""
    geojson: Mapping[str, Any] | None = None

    def make(self) -> "BaseGeometry":
        raise NotImplementedError
