"""Leaflet and its plugins from installed packages, so the map needs no network.

folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. The classes here
load them from the files the XStatic packages install (``xstatic-leaflet``,
``xstatic-leaflet-markercluster``) instead. jQuery, which folium's popups call as
``$(html)[0]``, is replaced by a four-line shim (``assets/jquery-shim.js``); Bootstrap
and Font Awesome are not needed (no awesome markers are used).

Two ways to load them:

- a map written as a file (:func:`render.folium_map.map_to_html`) carries them as
  ``data:`` URIs, so it opens anywhere with no server;
- the page's map links them from the page's own host (:mod:`render.served`).
"""
from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

import folium
from folium.plugins import MarkerCluster

ASSETS_DIR = Path(__file__).resolve().parent / "assets"


def _data_uri(content: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode("ascii")


@functools.lru_cache(maxsize=None)
def xstatic_dir(module: str) -> Path:
    import importlib

    pkg = importlib.import_module(f"xstatic.pkg.{module}")
    return Path(pkg.BASE_DIR)


@functools.lru_cache(maxsize=None)
def leaflet_js() -> str:
    """Leaflet's JavaScript as a ``data:`` URI."""
    return _data_uri((xstatic_dir("leaflet") / "leaflet.js").read_bytes(), "text/javascript")


@functools.lru_cache(maxsize=None)
def leaflet_css() -> str:
    """Leaflet's CSS as a ``data:`` URI, with its images inlined too."""
    base = xstatic_dir("leaflet")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(m: re.Match) -> str:
        path = base / m.group(1)
        if not path.is_file():
            return m.group(0)
        mime = "image/svg+xml" if path.suffix == ".svg" else f"image/{path.suffix.lstrip('.')}"
        return f"url({_data_uri(path.read_bytes(), mime)})"

    css = re.sub(r"url\((images/[^)]+)\)", inline, css)
    return _data_uri(css.encode("utf-8"), "text/css")


@functools.lru_cache(maxsize=None)
def jquery_shim_js() -> str:
    return _data_uri((ASSETS_DIR / "jquery-shim.js").read_bytes(), "text/javascript")


@functools.lru_cache(maxsize=None)
def markercluster_js() -> str:
    return _data_uri((xstatic_dir("leaflet_markercluster") / "leaflet.markercluster.js").read_bytes(), "text/javascript")


@functools.lru_cache(maxsize=None)
def markercluster_css() -> tuple[str, str]:
    base = xstatic_dir("leaflet_markercluster")
    return (_data_uri((base / "MarkerCluster.css").read_bytes(), "text/css"),
            _data_uri((base / "MarkerCluster.Default.css").read_bytes(), "text/css"))


class OfflineMap(folium.Map):
    """A :class:`folium.Map` whose Leaflet comes from the installed XStatic package."""

    default_js: list = []
    default_css: list = []

    def __init__(self, *args, **kwargs):
        type(self).default_js = [("leaflet", leaflet_js()), ("jquery_shim", jquery_shim_js())]
        type(self).default_css = [("leaflet_css", leaflet_css())]
        super().__init__(*args, **kwargs)

    @staticmethod
    def page_links(served: dict[str, str]) -> tuple[list, list]:
        """(scripts, styles) as links to the files the page serves (see :func:`render.served.for_st_folium`)."""
        return ([("leaflet", served["leaflet"] + "leaflet.js"), ("jquery_shim", served["assets"] + "jquery-shim.js")],
                [("leaflet_css", served["leaflet"] + "leaflet.css")])


class OfflineMarkerCluster(MarkerCluster):
    """A marker cluster whose plugin files come from the installed XStatic package."""

    default_js: list = []
    default_css: list = []

    def __init__(self, *args, **kwargs):
        type(self).default_js = [("markerclusterjs", markercluster_js())]
        css, default_css = markercluster_css()
        type(self).default_css = [("markerclustercss", css), ("markerclusterdefaultcss", default_css)]
        super().__init__(*args, **kwargs)

    @staticmethod
    def page_links(served: dict[str, str]) -> tuple[list, list]:
        """(scripts, styles) as links to the files the page serves (see :func:`render.served.for_st_folium`)."""
        base = served["markercluster"]
        return ([("markerclusterjs", base + "leaflet.markercluster.js")],
                [("markerclustercss", base + "MarkerCluster.css"), ("markerclusterdefaultcss", base + "MarkerCluster.Default.css")])
