"""Leaflet and its plugins from installed packages, so the map needs no network.

folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. The classes here
replace those links with ``data:`` URIs built from the files the XStatic packages
install (``xstatic-leaflet``, ``xstatic-leaflet-markercluster``); a ``data:`` URI
also loads inside streamlit-folium's frame. jQuery, which folium's popups call as
``$(html)[0]``, is replaced by a four-line shim; Bootstrap and Font Awesome are not
needed (no awesome markers are used).
"""
from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

import folium
from folium.plugins import MarkerCluster

# folium's popups need only `$(html)[0]`: parse the HTML, return its first element.
JQUERY_SHIM = """
(function () {
  if (window.$) { return; }
  window.$ = function (markup) {
    var t = document.createElement('template'); t.innerHTML = String(markup).trim();
    return [t.content.firstElementChild || document.createTextNode(t.innerHTML)];
  };
})();
"""


def _data_uri(content: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode("ascii")


@functools.lru_cache(maxsize=None)
def _xstatic_dir(module: str) -> Path:
    import importlib

    pkg = importlib.import_module(f"xstatic.pkg.{module}")
    return Path(pkg.BASE_DIR)


@functools.lru_cache(maxsize=None)
def leaflet_js() -> str:
    """Leaflet's JavaScript as a ``data:`` URI."""
    return _data_uri((_xstatic_dir("leaflet") / "leaflet.js").read_bytes(), "text/javascript")


@functools.lru_cache(maxsize=None)
def leaflet_css() -> str:
    """Leaflet's CSS as a ``data:`` URI, with its images inlined too."""
    base = _xstatic_dir("leaflet")
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
    return _data_uri(JQUERY_SHIM.encode("utf-8"), "text/javascript")


@functools.lru_cache(maxsize=None)
def markercluster_js() -> str:
    return _data_uri((_xstatic_dir("leaflet_markercluster") / "leaflet.markercluster.js").read_bytes(), "text/javascript")


@functools.lru_cache(maxsize=None)
def markercluster_css() -> tuple[str, str]:
    base = _xstatic_dir("leaflet_markercluster")
    return (_data_uri((base / "MarkerCluster.css").read_bytes(), "text/css"),
            _data_uri((base / "MarkerCluster.Default.css").read_bytes(), "text/css"))


_LINKS_OUTSIDE_HEADER = "_km_links_outside_header"


def for_st_folium(fmap: folium.Map) -> folium.Map:
    """``fmap`` made ready for ``streamlit_folium.st_folium``: its elements' scripts and
    styles stay out of the page header it renders.

    st_folium loads them from each element's ``default_js``/``default_css`` (its
    ``js_links``/``css_links``), and it strips every script and link from the header it
    renders anyway. Rendered there, Leaflet's ``data:`` URIs (about 270 KB) were only
    scanned by st_folium's regular expressions, on every rerun. A map written as a file
    (:func:`render.folium_map.map_to_html`) keeps them in its header.
    """
    setattr(fmap.get_root(), _LINKS_OUTSIDE_HEADER, True)
    return fmap


class _Links:
    """Leaves the element's script and style links out of the header of a figure marked by
    :func:`for_st_folium` (the element keeps them: st_folium reads them from it)."""

    def render(self, **kwargs):
        if not getattr(self.get_root(), _LINKS_OUTSIDE_HEADER, False):
            return super().render(**kwargs)
        self.default_js, self.default_css = [], []  # for this render only: the class keeps its links
        try:
            return super().render(**kwargs)
        finally:
            del self.default_js, self.default_css


class OfflineMap(_Links, folium.Map):
    """A :class:`folium.Map` whose Leaflet comes from the installed XStatic package."""

    default_js: list = []
    default_css: list = []

    def __init__(self, *args, **kwargs):
        type(self).default_js = [("leaflet", leaflet_js()), ("jquery_shim", jquery_shim_js())]
        type(self).default_css = [("leaflet_css", leaflet_css())]
        super().__init__(*args, **kwargs)


class OfflineMarkerCluster(_Links, MarkerCluster):
    """A marker cluster whose plugin files come from the installed XStatic package."""

    default_js: list = []
    default_css: list = []

    def __init__(self, *args, **kwargs):
        type(self).default_js = [("markerclusterjs", markercluster_js())]
        css, default_css = markercluster_css()
        type(self).default_css = [("markerclustercss", css), ("markerclusterdefaultcss", default_css)]
        super().__init__(*args, **kwargs)
