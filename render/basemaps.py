"""Optional online basemaps under the map's own layers.

The default is none: the map draws its land from the countries layer and contacts no
host. A user may pick OpenStreetMap or a terrain map; the tiles then come from that
provider, which learns which part of the map is being looked at (the page says so).
A newsroom that runs its own tile server points a basemap at it with an environment
variable holding a URL template (``{z}/{x}/{y}``, optionally ``{s}``):
``KARABAKH_MAP_TILES_OSM`` or ``KARABAKH_MAP_TILES_TERRAIN``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Basemap:
    """A tile layer: what the user sees in the menu, where tiles come from, the credit
    its licence requires, and the deepest zoom it serves."""

    id: str
    title: str
    url: str | None
    attribution: str
    max_zoom: int = 15


_DEFAULTS = {
    "none": Basemap("none", "None (offline, the default)", None, ""),
    "osm": Basemap("osm", "OpenStreetMap (online)", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                   "Basemap © OpenStreetMap contributors (ODbL)", 15),
    "terrain": Basemap("terrain", "Terrain, OpenTopoMap (online)", "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
                       "Basemap: © OpenStreetMap contributors, SRTM; style © OpenTopoMap (CC BY-SA)", 15),
}
BASEMAP_IDS = tuple(_DEFAULTS)
_TEMPLATE = re.compile(r"^https?://[^\s\"'<>]+$")


class BasemapError(ValueError):
    """A basemap id or tile URL template is not usable; the message says why."""


def basemap(basemap_id: str) -> Basemap:
    """The basemap of an id, with its URL from the environment when one is set.

    Raises
    ------
    BasemapError
        For an unknown id, or an environment URL that is not an http(s) template with
        ``{z}``, ``{x}`` and ``{y}``.
    """
    try:
        base = _DEFAULTS[basemap_id]
    except KeyError:
        raise BasemapError(f"basemap={basemap_id!r} is not a basemap: choose from {', '.join(BASEMAP_IDS)}") from None
    env = f"KARABAKH_MAP_TILES_{basemap_id.upper()}"
    url = os.environ.get(env)
    if not url or base.url is None:
        return base
    if not _TEMPLATE.match(url) or not all(k in url for k in ("{z}", "{x}", "{y}")):
        raise BasemapError(f"{env}={url!r} is not a tile URL template: give http(s)://HOST/PATH/{{z}}/{{x}}/{{y}}.png")
    return Basemap(base.id, base.title, url, base.attribution, base.max_zoom)
