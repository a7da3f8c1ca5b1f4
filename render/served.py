"""What the page's own host serves to the map's frame: Leaflet, its plugins, the jQuery
shim, and the layers' features.

st_folium draws the map in a frame from the script, the header and the links it is
given, all sent on the websocket at every rerun. Carried there, Leaflet (as ``data:``
URIs, 270 KB) and the layers' features (200 KB of JSON) were serialised, scanned by
st_folium's regular expressions and sent again at each layer toggle, pan and click, and
the browser parsed them again. Here they become files Streamlit serves as components'
files (``/component/<name>/<file>``): the script keeps only links to them, and the
browser loads each once and keeps it.

A map written as a file (:func:`render.folium_map.map_to_html`) does not come here: it
carries everything inline and opens with no server.
"""
from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

import folium

from .offline import ASSETS_DIR, OfflineMap, OfflineMarkerCluster, xstatic_dir

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=None)
def payload_dir() -> Path:
    """This process's folder of layer features, one file per distinct payload (removed
    when the process ends)."""
    path = Path(tempfile.mkdtemp(prefix="karabakh-map-layers-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    log.info("layer features for the page are served from %s", path)
    return path


# the folders the page serves, by the name Streamlit serves them under
_SERVED = {"leaflet": lambda: xstatic_dir("leaflet"), "markercluster": lambda: xstatic_dir("leaflet_markercluster"),
           "assets": lambda: ASSETS_DIR, "layers": payload_dir}


def _serve(folder: str) -> str:
    """Have Streamlit serve ``folder`` (a key of ``_SERVED``) and return the URL prefix of
    its files, relative to the frame st_folium draws the map in (itself a component's
    page, ``component/streamlit_folium.st_folium/index.html``): relative, so the links
    hold behind a proxy and under Streamlit's ``server.baseUrlPath``."""
    from streamlit.components.v1 import declare_component

    component = declare_component(folder, path=str(_SERVED[folder]()))  # registers it with the running server
    return f"../{component.name}/"


_writing = threading.Lock()
_written: dict[str, str] = {}  # payload -> its file's name (payloads are cached strings: the lookup hashes once)


def payload_file(data: str) -> str:
    """The name of the served file holding ``data`` (JSON), written on first use. Named by
    its content, so a changed payload is a new name and a browser never keeps a stale one."""
    name = _written.get(data)
    if name is not None:
        return name
    name = hashlib.sha256(data.encode("utf-8")).hexdigest()[:32] + ".json"
    path = payload_dir() / name
    with _writing:  # sessions run in threads of one process: one writes, the others find it written
        if not path.exists():
            partial = path.with_name(f"{name}.{os.getpid()}.{threading.get_ident()}.part")
            partial.write_text(data, encoding="utf-8")
            partial.replace(path)  # whole or absent: the server may read it at any moment
        if len(_written) > 512:  # a long-running page: drop the lookup, keep the files
            _written.clear()
        _written[data] = name
    return name


def for_st_folium(fmap: folium.Map) -> folium.Map:
    """``fmap`` made ready for ``streamlit_folium.st_folium`` in the page: Leaflet and its
    plugins linked from the page's own host, and each layer's features fetched from it.

    Call it while the page runs (it registers the served folders with Streamlit).
    """
    links = {folder: _serve(folder) for folder in _SERVED}
    for element in (fmap, *_descendants(fmap)):
        if isinstance(element, (OfflineMap, OfflineMarkerCluster)):
            element.default_js, element.default_css = element.page_links(links)
        elif getattr(element, "layer_id", None) and callable(getattr(element, "fetch_data_from", None)):
            # a layer's features: a few payloads, the same for every session (the grid's
            # counts, one per filter set, stay in the script)
            element.fetch_data_from(links["layers"] + payload_file(element.data))
    return fmap


def _descendants(element):
    for child in element._children.values():
        yield child
        yield from _descendants(child)
