"""``karabakh-map serve``: the page from several Streamlit processes behind HAProxy.

One Streamlit process runs every session's script under one interpreter lock, so a desk
of analysts queues on one core. ``serve`` starts ``--workers`` page processes on loopback
ports and Debian's HAProxy in front of them on ``--port``. Streamlit keeps a session in
the process that opened it (its websocket, the files it uploads, the downloads it
makes), so routing is sticky: HAProxy's first answer to a browser sets a cookie
(``KM_WORKER``) naming a worker, and every later request of that browser, the websocket
included, goes to that worker; a new browser goes to the next worker in turn. The
workers share one store: PostGIS (``KARABAKH_MAP_DATABASE_URL``) for a desk, or the
GeoPackage file on one machine (SQLite lets several processes write it), and one cookie
secret, so that any of them accepts the others' cookies.

Over several machines: run ``karabakh-map dashboard --address 0.0.0.0`` on each page
machine (the same ``KARABAKH_MAP_DATABASE_URL`` everywhere, and the same
``STREAMLIT_SERVER_COOKIE_SECRET``), then ``karabakh-map serve --backend HOST:PORT ...`` on the
proxy machine, or give the configuration ``--print-config`` writes to a HAProxy of
your own.
"""
from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Callable, Sequence

log = logging.getLogger(__name__)

COOKIE = "KM_WORKER"
SERVED_BY = "X-KM-Worker"  # the response header naming the process that answered
HAPROXY_HINT = "install Debian's HAProxy (apt-get install haproxy), or serve one process with `karabakh-map dashboard`"
START_SECONDS = 120  # a worker that answers no health check by then has failed


class ServeError(RuntimeError):
    """Why the deployment cannot start (a message for the user)."""


def haproxy_config(address: str, port: int, backends: Sequence[tuple[str, int]]) -> str:
    """The HAProxy configuration: HTTP on ``address:port``, sticky by cookie to
    ``backends`` (host, port), each checked on Streamlit's health endpoint; websockets
    pass through (HAProxy upgrades them in HTTP mode) and stay open for a working day;
    every answer names its process in the ``X-KM-Worker`` header."""
    # lenient checks: a process busy with a first run answers late, and is not down
    servers = "\n".join(f"    server w{i} {host}:{p} check inter 3s fall 5 rise 1 cookie w{i}"
                        for i, (host, p) in enumerate(backends, 1))
    return f"""# karabakh-map serve: {len(backends)} page processes behind one address (cli/serve.py)
global
    maxconn 4096

defaults
    mode http
    option http-server-close
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 8h
    timeout http-request 30s

frontend page
    bind {address}:{port}
    default_backend pages

backend pages
    balance roundrobin
    # a session lives in one process: its websocket, uploads and downloads go there
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /_stcore/health
    timeout check 10s
    # which process answered, for whoever runs the desk (and the tests)
    http-response set-header {SERVED_BY} %[srv_name]
{servers}
"""


def free_port() -> int:
    """A free TCP port on the loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_backend(text: str) -> tuple[str, int]:
    """``HOST:PORT`` as a pair (raises ``ValueError`` naming the bad value)."""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--backend {text!r} is not HOST:PORT: give e.g. 10.0.0.5:8501")
    return host, int(port)


def _healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok"
    except OSError:
        return False


def wait_healthy(urls: Sequence[str], procs: Sequence[subprocess.Popen], *, poll: float = 0.5) -> None:
    """Wait until every page at ``urls`` answers Streamlit's health check, checking every
    ``poll`` seconds. Raises ``RuntimeError`` when one of ``procs`` exits first or
    START_SECONDS pass."""
    deadline = time.monotonic() + START_SECONDS
    pending = list(urls)
    while pending:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"a process it started exited with status {p.returncode}: {' '.join(map(str, p.args))[:200]}")
        pending = [u for u in pending if not _healthy(u)]
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"no answer from {', '.join(pending)} within {START_SECONDS} s")
        if pending:
            time.sleep(poll)


def serve(workers: int, port: int, address: str, page_command: Callable[[int, str], list[str]],
          backends: Sequence[tuple[str, int]] = ()) -> int:
    """Start the workers (unless ``backends`` are given; ``page_command(port, address)``
    is the command of one) and HAProxy, and run until interrupted or until one of them
    exits; then stop them all. Returns an exit status.

    Raises
    ------
    ServeError
        HAProxy missing, a bad number, a process that does not start.
    """
    haproxy = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)), None)
    if haproxy is None:
        raise ServeError(f"HAProxy is not installed: {HAPROXY_HINT}")
    if not backends and not 1 <= workers <= 64:
        raise ServeError(f"--workers {workers} is not a number of processes: give 1-64 (about one per core)")
    if not 0 < port < 65536:
        raise ServeError(f"--port {port} is not a port: give 1-65535")
    if not backends and not os.environ.get("KARABAKH_MAP_DATABASE_URL"):
        log.warning("the workers share the GeoPackage store on this machine; set KARABAKH_MAP_DATABASE_URL to share "
                    "a PostGIS store across machines")
    procs: list[subprocess.Popen] = []
    # the user's own secret when set (a deployment whose processes also run elsewhere), else one for these workers
    secret = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32)
    with tempfile.TemporaryDirectory(prefix="karabakh-map-serve-") as tmp:
        try:
            if not backends:
                backends = [("127.0.0.1", free_port()) for _ in range(workers)]
                env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secret}  # Streamlit reads it only so
                for host, p in backends:
                    procs.append(subprocess.Popen(page_command(p, host), stdin=subprocess.DEVNULL, env=env))
                wait_healthy([f"http://{h}:{p}" for h, p in backends], procs)
            config = Path(tmp) / "haproxy.cfg"
            config.write_text(haproxy_config(address, port, backends), encoding="utf-8")
            check = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
            if check.returncode != 0:
                raise ServeError(f"HAProxy refused its configuration: {check.stderr.strip()[:500]}")
            procs.append(subprocess.Popen([haproxy, "-db", "-f", str(config)], stdin=subprocess.DEVNULL))
            wait_healthy([f"http://{'127.0.0.1' if address in ('0.0.0.0', '') else address}:{port}"], procs)
            print(f"karabakh-map serve: http://{address}:{port} ({len(backends)} page processes behind HAProxy; "
                  "Ctrl-C stops them)", file=sys.stderr, flush=True)
            return _supervise(procs)
        except ServeError:
            raise
        except RuntimeError as err:
            raise ServeError(f"serve could not start: {err}") from None
        finally:
            _stop(procs)


def _supervise(procs: list[subprocess.Popen]) -> int:
    """Wait until a signal comes or a process exits; the exit status to return."""
    stopping = {"signal": 0}

    def on_signal(signum, _frame):
        stopping["signal"] = signum

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping["signal"]:
            for p in procs:
                if p.poll() is not None:
                    log.error("%s exited with status %s: stopping the others", p.args[0], p.returncode)
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
