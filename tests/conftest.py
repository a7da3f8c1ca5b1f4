"""Shared fixtures: an isolated store per test, and the project root."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Built tables (layers.tables_cache) go to a folder of the test run's own, not the
# user's cache; the page and command processes the tests start inherit it.
_CACHE = tempfile.mkdtemp(prefix="karabakh-map-test-cache-")
os.environ["KARABAKH_MAP_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    """Every test gets its own store file, so none touches data/ or another test."""
    monkeypatch.setenv("KARABAKH_MAP_STORE", str(tmp_path / "store.gpkg"))
    monkeypatch.delenv("KARABAKH_MAP_DATABASE_URL", raising=False)
    yield


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, proc, what: str = "streamlit", seconds: float = 120) -> None:
    """Wait until the Streamlit server at ``url`` answers its health check; kill ``proc``
    and raise with the end of its output if it does not."""
    import time
    import urllib.request

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"{what} did not start: " + (proc.stdout.read().decode()[-2000:] if proc.stdout else ""))


def sample_event(i: int, article: str = "a1", **kw):
    """A valid test event near Stepanakert, distinct for each ``i``."""
    from events import make_event

    base = dict(event_date="2023-09-19", event_type="Explosions/Remote violence",
                sub_event_type="Shelling/artillery/missile attack", latitude=39.8 + i * 1e-4, longitude=46.75,
                location=f"test place {i}", source="test", x_article_id=article, x_evidence_start=i)
    base.update(kw)
    return make_event(**base)


def write_old_store(path, schema: int) -> None:
    """A GeoPackage store at an older ``schema`` version holding one event (``AZEOLD1``,
    x_uid ``olduid``), written as that version wrote it: for migration tests."""
    import sqlite3

    from store import gpkg_format

    con = sqlite3.connect(path, isolation_level=None)
    gpkg_format.register_functions(con)
    gpkg_format.migrate(con, target=schema)
    blob = gpkg_format.to_blob(sample_event(0).geometry)
    con.execute("INSERT INTO events (geom, event_id_cnty, event_date, event_type, sub_event_type, x_uid, x_confidence, x_method,"
                " latitude, longitude) VALUES (?, 'AZEOLD1', '2020-10-04', 'Battles', 'Armed clash', 'olduid', 0.5, 'manual',"
                " 39.8, 46.75)", (blob,))
    con.close()


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs (root only; the test skips otherwise); unmounted afterwards."""
    import subprocess

    mounted = []

    def mount(size: str = "1m"):
        mnt = tmp_path / f"mnt{len(mounted)}"
        mnt.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True).returncode:
            pytest.skip("cannot mount a tmpfs here (needs root): this case is not tested on this machine")
        mounted.append(mnt)
        return mnt

    yield mount
    for mnt in mounted:  # lazy: an open handle must not leave it mounted
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
