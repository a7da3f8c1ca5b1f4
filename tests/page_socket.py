"""One browser tab as Streamlit sees it, for tests that talk to a running page: a
websocket speaking Streamlit's own protocol (the protobuf messages a browser sends)."""
from __future__ import annotations

import asyncio


class PageSocket:
    """A websocket to a page at ``url`` (``ws://HOST:PORT/_stcore/stream``), with the
    ``headers`` a browser would send (a proxy's routing cookie)."""

    def __init__(self, url: str, headers: dict | None = None):
        self.url, self.headers, self.ws = url, headers or {}, None

    async def run(self, widgets: dict | None = None, fragment_id: str = "") -> list:
        """Run the page, or only the fragment ``fragment_id`` as a browser does for a
        widget the fragment drew, with ``widgets`` (widget id -> (WidgetState field,
        value), e.g. ``("bool_value", False)``), and return every message the server sent
        until the run finished."""
        import websockets
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if self.ws is None:
            self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=64 * 2**20, open_timeout=60,
                                               additional_headers=self.headers)
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        msg.rerun_script.fragment_id = fragment_id
        for wid, (field, value) in (widgets or {}).items():
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = wid
            setattr(w, field, value)
        await self.ws.send(msg.SerializeToString())
        sent = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), timeout=120))
            sent.append(fwd)
            if fwd.WhichOneof("type") == "script_finished":
                return sent

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def elements(sent: list) -> list[tuple[str, str, object]]:
    """(element type, fragment id, element) of every element a run drew."""
    return [(m.delta.new_element.WhichOneof("type"), m.delta.fragment_id, m.delta.new_element) for m in sent
            if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element"]


def blocks(sent: list) -> list[object]:
    """Every block (container, tabs, columns) a run drew."""
    return [m.delta.add_block for m in sent
            if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "add_block"]
