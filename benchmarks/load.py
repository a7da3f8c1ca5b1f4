"""Load benchmark: the dashboard on localhost under 20 concurrent sessions.

Starts ``streamlit run streamlit_app.py`` on a free loopback port (a temporary store with
the seed events), then drives 20 websocket clients speaking Streamlit's own protocol
(the protobuf messages the browser sends) for 60 s: each toggles a layer and waits for
the rerun to finish, again and again. Reports errors (script exceptions, broken
connections), the 50th and 95th percentile of rerun latency, and the server's memory
over the run; then one session reruns 200 times and the memory after it is compared
with the level after its first 20 (target: within 50 MB).

All traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
Run: ``python benchmarks/load.py [--sessions 20] [--seconds 60] [--url URL]``; with
``--url`` it loads a deployment already running there (``karabakh-map serve``), each
session first fetching the page as a browser does, so a proxy's cookie routes it.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb(pid: int) -> float:
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Session:
    """One browser tab, as Streamlit sees it: a websocket and widget states."""

    def __init__(self, url: str):
        self.url = url  # the websocket's; the page is the same address over http
        self.ws = None
        self.checkbox_id = ""
        self.fragment_id = ""  # the fragment the checkbox is drawn by: a browser reruns that alone
        self.value = True
        self.errors = 0
        self.problems: list[str] = []  # what each error was

    async def open(self) -> float:
        import websockets

        # as a browser: the page first, keeping the cookie a proxy sets (sticky routing)
        page = self.url.replace("ws", "http", 1).rsplit("/_stcore/", 1)[0] + "/"
        set_cookie = await asyncio.to_thread(lambda: urllib.request.urlopen(page, timeout=30).headers.get("Set-Cookie", ""))
        headers = {"Cookie": set_cookie.split(";")[0]} if set_cookie else {}
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=64 * 2**20, open_timeout=30,
                                           additional_headers=headers)
        return await self.rerun(None)

    async def rerun(self, toggle: bool | None) -> float:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        if toggle is not None and self.checkbox_id:
            self.value = toggle
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.checkbox_id
            w.bool_value = toggle
            msg.rerun_script.fragment_id = self.fragment_id
        t = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        deadline = t + 120
        while time.perf_counter() < deadline:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=120)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                which = el.WhichOneof("type")
                if which == "exception":
                    self.errors += 1
                    self.problems.append(f"{el.exception.type}: {el.exception.message}"[:300])
                elif which == "checkbox" and el.checkbox.id.endswith("layer_nkao"):
                    self.checkbox_id = el.checkbox.id
                    self.fragment_id = fwd.delta.fragment_id
            elif kind == "script_finished":
                return time.perf_counter() - t
        raise TimeoutError("no script_finished within 120 s")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def _drive(session: Session, until: float, latencies: list[float]) -> None:
    while time.perf_counter() < until:
        try:
            latencies.append(await session.rerun(not session.value))
        except Exception as err:  # a broken connection or a timeout is an error of the run
            session.errors += 1
            session.problems.append(f"{type(err).__name__}: {err}"[:300])
            return


async def run(url: str, pid: int | None, sessions: int, seconds: float) -> None:
    clients = [Session(url) for _ in range(sessions)]
    memory = [_rss_mb(pid) if pid else float("nan")]
    await asyncio.gather(*(c.open() for c in clients))
    if not all(c.checkbox_id for c in clients):
        raise RuntimeError("the layer checkbox was not found in the page: the benchmark would toggle nothing")
    latencies: list[float] = []
    until = time.perf_counter() + seconds

    async def sample():
        while time.perf_counter() < until:
            memory.append(_rss_mb(pid) if pid else float("nan"))
            await asyncio.sleep(2)

    await asyncio.gather(sample(), *(_drive(c, until, latencies) for c in clients))
    errors = sum(c.errors for c in clients)
    for c in clients:
        await c.close()
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 20 else [float("nan")] * 19
    print(f"{sessions} sessions for {seconds:.0f} s: {len(latencies)} reruns, {errors} errors")
    for problem, count in Counter(p for c in clients for p in c.problems).most_common(5):
        print(f"  {count} x {problem}")
    print(f"rerun latency: p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms")
    if pid is None:
        print("server memory: not measured (a deployment given by --url)")
        return
    print(f"server memory: start {memory[0]:.0f} MB, peak {max(memory):.0f} MB, end {memory[-1]:.0f} MB")
    one = Session(url)
    await one.open()
    for i in range(200):
        await one.rerun(not one.value)
        if i == 19:
            after20 = _rss_mb(pid)
    after200 = _rss_mb(pid)
    await one.close()
    print(f"one session, 200 reruns: memory after 20 {after20:.0f} MB, after 200 {after200:.0f} MB "
          f"(growth {after200 - after20:+.0f} MB; target within 50 MB); {one.errors} errors")


def _page_flags() -> list[str]:
    """The settings the page is served with (``karabakh-map dashboard``'s), not Streamlit's defaults."""
    sys.path.insert(0, str(ROOT))
    from cli.main import DASHBOARD_FLAGS

    return [f for f in DASHBOARD_FLAGS]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--url", help="load a running deployment (e.g. http://127.0.0.1:8501 from `karabakh-map serve`) "
                                  "instead of starting one page process")
    args = ap.parse_args()
    if args.url:
        base = args.url.rstrip("/")
        ws = base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        asyncio.run(run(f"{ws}/_stcore/stream", None, args.sessions, args.seconds))
        return
    sys.path.insert(0, str(ROOT))
    from cli.serve import free_port, wait_healthy

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KARABAKH_MAP_STORE=str(Path(tmp) / "store.gpkg"))
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                                 "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                                 *_page_flags()], cwd=tmp, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy([f"http://127.0.0.1:{port}"], [proc])
            asyncio.run(run(f"ws://127.0.0.1:{port}/_stcore/stream", proc.pid, args.sessions, args.seconds))
        finally:
            proc.terminate()
            proc.wait(15)


if __name__ == "__main__":
    main()
