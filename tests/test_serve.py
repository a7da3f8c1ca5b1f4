"""The page from two processes behind Debian's HAProxy, sharing one PostGIS store.

``karabakh-map serve --workers 2`` starts the processes and the proxy on the loopback;
two sessions (two browsers, as HAProxy's cookie tells them apart) speak Streamlit's own
websocket protocol through the proxy, each to its own process; a review saved in one
shows in the other after a rerun. Skipped without HAProxy (``apt-get install haproxy``)
or without a PostGIS server (``KARABAKH_MAP_TEST_DATABASE_URL``); in CI
(``KARABAKH_MAP_REQUIRE_PROXY=1``) a missing HAProxy fails.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from cli.serve import COOKIE, SERVED_BY, haproxy_config, parse_backend

from .conftest import ROOT, free_port
from .page_socket import PageSocket, blocks, elements
from .test_store_backends import pg_url  # noqa: F401  (fixture: a throwaway PostGIS database)

HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.access("/usr/sbin/haproxy", os.X_OK) else None)


def _need_haproxy() -> None:
    if HAPROXY is None:
        if os.environ.get("KARABAKH_MAP_REQUIRE_PROXY"):
            pytest.fail("HAProxy is required here (KARABAKH_MAP_REQUIRE_PROXY) but not installed")
        pytest.skip("HAProxy is not installed (apt-get install haproxy)")


def test_the_proxy_configuration_is_sticky_and_valid(tmp_path):
    """The configuration HAProxy gets: one server per backend, a cookie per server,
    health checks, and HAProxy itself finds it valid."""
    config = haproxy_config("127.0.0.1", 8600, [("127.0.0.1", 9001), ("10.0.0.5", 8501)])
    assert f"cookie {COOKIE} insert" in config
    assert "server w1 127.0.0.1:9001 check inter 3s fall 5 rise 1 cookie w1" in config
    assert "server w2 10.0.0.5:8501 check inter 3s fall 5 rise 1 cookie w2" in config
    assert f"set-header {SERVED_BY} %[srv_name]" in config
    assert "option httpchk GET /_stcore/health" in config
    with pytest.raises(ValueError, match="'nowhere' is not HOST:PORT"):
        parse_backend("nowhere")
    _need_haproxy()
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    check = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


class _Session(PageSocket):
    """One browser as Streamlit and HAProxy see it: a cookie and a websocket."""

    def __init__(self, url: str, cookie: str):
        super().__init__(url, {"Cookie": f"{COOKIE}={cookie}"})
        self.ids: dict[str, str] = {}
        self.kept: dict[str, str] = {}  # states a browser sends on every rerun (the chosen panel)

    async def rerun(self, **states) -> dict:
        """Run the script once with ``states`` (widget key -> value: a button's press, a
        radio's option, the panel to open, which is kept for later runs) and return what
        the page drew: the review radio's chosen index."""
        if "panel" in states:
            self.kept["panel"] = states.pop("panel")
        states = {**self.kept, **states}
        sent = await self.run({self.ids[key]: ("trigger_value" if isinstance(value, bool) else "string_value", value)
                               for key, value in states.items()})
        for block in blocks(sent):
            if block.WhichOneof("type") == "tab_container" and block.tab_container.id:
                self.ids["panel"] = block.tab_container.id
        drawn: dict = {"exceptions": 0}
        for kind, _, el in elements(sent):
            if kind == "exception":
                drawn["exceptions"] += 1
            elif kind == "radio" and el.radio.id.endswith("review_state"):
                self.ids["review_state"] = el.radio.id
                drawn["review_state"] = el.radio.default
            elif kind == "button" and el.button.id.endswith("save_review"):
                self.ids["save_review"] = el.button.id
        return drawn


def _answer(url: str, cookie: str = "") -> tuple[str, str]:
    """(the cookie the proxy set, or '', the process that answered) for a GET of ``url``."""
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    headers = urllib.request.urlopen(request, timeout=30).headers
    set_cookie = headers.get("Set-Cookie", "")
    return (set_cookie.split(";")[0].split("=", 1)[1] if set_cookie.startswith(f"{COOKIE}=") else ""), headers.get(SERVED_BY, "")


def test_two_processes_behind_the_proxy_share_the_store(pg_url, tmp_path):  # noqa: F811
    _need_haproxy()
    port = free_port()
    # the user's cookie secret, which every worker must share (and page processes elsewhere too)
    env = {**os.environ, "KARABAKH_MAP_DATABASE_URL": pg_url, "STREAMLIT_SERVER_COOKIE_SECRET": "desk-secret-" + "7" * 20}
    env.pop("KARABAKH_MAP_STORE", None)
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--workers", "2", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise AssertionError("serve stopped: " + proc.stdout.read().decode()[-2000:])
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        seen: dict[str, str] = {}  # cookie set -> the process that answered
        for _ in range(20):  # new browsers are spread over the processes: both serve
            cookie, served_by = _answer(base + "/")
            seen[cookie] = served_by
            if len(seen) == 2:
                break
        assert seen == {"w1": "w1", "w2": "w2"}, seen
        for cookie in ("w1", "w2"):  # and a browser's cookie keeps it with its process
            assert _answer(base + "/", cookie) == ("", cookie)
        cookies = ["w1", "w2"]

        async def scenario():
            a, b = (_Session(base.replace("http", "ws") + "/_stcore/stream", c) for c in cookies)
            first_a, first_b = await asyncio.gather(a.rerun(), b.rerun())
            assert first_a["exceptions"] == first_b["exceptions"] == 0
            assert "review_state" not in first_a  # the Review panel is drawn only when opened
            first_a, first_b = await asyncio.gather(a.rerun(panel="Review"), b.rerun(panel="Review"))
            assert first_a["exceptions"] == first_b["exceptions"] == 0
            assert first_a["review_state"] == first_b["review_state"] == 0  # the first event: unreviewed
            await a.rerun(review_state="confirmed", save_review=True)  # saved by process a
            for _ in range(20):  # process b reads the shared store on its next rerun
                seen = await b.rerun()
                if seen["review_state"] == 1:
                    break
                await asyncio.sleep(0.5)
            assert seen["review_state"] == 1, "the review made through one process is not seen through the other"
            for s in (a, b):
                await s.close()

        asyncio.run(scenario())
        # each worker serves the map's Leaflet and layers itself, and the cookie routes there
        for cookie in cookies:
            request = urllib.request.Request(f"{base}/component/render.served.leaflet/leaflet.js",
                                             headers={"Cookie": f"{COOKIE}={cookie}"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.headers[SERVED_BY] == cookie and "javascript" in answer.headers["Content-Type"]
        workers = [int(c) for c in open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()]
        secrets_seen = {dict(v.split("=", 1) for v in open(f"/proc/{w}/environ").read().split("\0") if "=" in v)
                        .get("STREAMLIT_SERVER_COOKIE_SECRET") for w in workers if b"streamlit" in open(f"/proc/{w}/cmdline", "rb").read()}
        assert secrets_seen == {env["STREAMLIT_SERVER_COOKIE_SECRET"]}, "the workers do not share the user's cookie secret"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert proc.returncode == 0  # stopped cleanly: the workers and the proxy with it
