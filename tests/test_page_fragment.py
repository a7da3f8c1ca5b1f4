"""A map-only change reruns the map alone: the page's map fragment, over Streamlit's own
websocket protocol, against the page as ``karabakh-map dashboard`` serves it.

Ticking a layer (as a browser does: the widget's state and the fragment that drew it)
must redraw the map without the layer and put the new view in the URL, and send nothing
else: no table, no chart, no other panel. Any other widget reruns the whole page.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import urllib.parse
import urllib.request

import pytest

from .conftest import free_port, wait_until_serving
from .page_socket import PageSocket, elements

pytest.importorskip("websockets")  # the client of .page_socket


def _map_args(sent: list) -> dict:
    maps = [json.loads(el.component_instance.json_args) for kind, _, el in elements(sent) if kind == "component_instance"
            and el.component_instance.component_name.endswith("st_folium")]
    assert len(maps) == 1, f"{len(maps)} maps drawn"
    return maps[0]


def _map_script(sent: list) -> str:
    return _map_args(sent)["script"]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fragment")
    env = dict(os.environ, KARABAKH_MAP_STORE=str(tmp / "store.gpkg"))
    port = free_port()
    from cli.main import dashboard_command

    proc = subprocess.Popen(dashboard_command(port, "127.0.0.1"), cwd=tmp, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    wait_until_serving(f"http://127.0.0.1:{port}", proc)
    yield f"ws://127.0.0.1:{port}/_stcore/stream"
    proc.terminate()
    proc.wait(10)


def test_a_layer_toggle_reruns_the_map_alone_and_updates_the_url(page):
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def scenario():
        tab = PageSocket(page)
        full = await tab.run()
        drawn = elements(full)
        assert not [el for kind, _, el in drawn if kind == "exception"]
        box = next((el.checkbox, frag) for kind, frag, el in drawn if kind == "checkbox" and el.checkbox.id.endswith("layer_seven_districts"))
        checkbox, fragment = box
        assert fragment, "the layer checkbox is not drawn by a fragment: a toggle would rerun the whole page"
        kinds_full = {kind for kind, _, _ in drawn}
        assert {"dataframe", "vega_lite_chart"} <= kinds_full  # the table and the chart, on a full run
        assert "km-pane-seven_districts" in _map_script(full)

        toggled = await tab.run({checkbox.id: ("bool_value", False)}, fragment_id=fragment)
        assert toggled[-1].script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
        drawn = elements(toggled)
        assert {frag for _, frag, _ in drawn} == {fragment}  # nothing outside the fragment was sent again
        assert not {"dataframe", "vega_lite_chart", "exception"} & {kind for kind, _, _ in drawn}
        script = _map_script(toggled)
        assert "km-pane-seven_districts" not in script and "km-pane-nkao" in script
        urls = [m.page_info_changed.query_string for m in toggled if m.WhichOneof("type") == "page_info_changed"]
        assert urls and "seven_districts" not in urls[-1] and "nkao" in urls[-1]

        # a widget outside the fragment reruns the whole page, with the layer still off
        again = await tab.run({checkbox.id: ("bool_value", False)})
        assert again[-1].script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
        assert "dataframe" in {kind for kind, _, _ in elements(again)}
        assert "km-pane-seven_districts" not in _map_script(again)
        await tab.close()

    asyncio.run(scenario())


def test_the_map_loads_leaflet_and_the_layers_from_the_page_host(page):
    """The links st_folium's frame loads (relative to it) are served by the page itself:
    Leaflet, its images, the shim and the cluster plugin, with their content types; and
    the features each layer's script fetches."""
    sent = asyncio.run(PageSocket(page).run())
    args = _map_args(sent)
    frame = page.replace("ws://", "http://").replace("/_stcore/stream", "/component/streamlit_folium.st_folium/index.html")
    links = args["js_links"] + args["css_links"]
    assert links and not [link for link in links if link.startswith(("data:", "http:", "https:", "//"))]
    for link in links:
        url = urllib.parse.urljoin(frame, link)
        with urllib.request.urlopen(url, timeout=10) as answer:
            body, kind = answer.read(), answer.headers["Content-Type"]
        assert ("javascript" in kind) if link.endswith(".js") else ("text/css" in kind), (url, kind)
        assert len(body) > 100, url
        if link.endswith("leaflet.css"):  # its images, relative to it
            image = urllib.parse.urljoin(url, "images/layers.png")
            assert urllib.request.urlopen(image, timeout=10).headers["Content-Type"] == "image/png"
    fetched = re.findall(r'fetch\("([^"]+)"\)', args["script"])
    assert len(fetched) >= 8
    for link in fetched:
        with urllib.request.urlopen(urllib.parse.urljoin(frame, link), timeout=10) as answer:
            assert answer.headers["Content-Type"].startswith("application/json")
            assert json.loads(answer.read())["features"], link
