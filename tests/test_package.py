"""karabakh-map as an installed package: the wheel carries its data and its page, and the
command works from any folder (issue: a newcomer's first hour).

The wheel is built offline from a copy of the source (``pip wheel --no-build-isolation``)
and installed with ``--no-deps`` into a fresh virtual environment that sees this
environment's third-party packages through a ``.pth`` file, but not the project's
source tree: every module and data file it uses must come from the wheel.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, free_port, wait_until_serving

ARTICLE = "SOURCE: https://example.org/news/1 (Example News)\nPUBLISHED: 2023-09-19\n\nAzerbaijani artillery shelled Martuni on Tuesday, officials said.\n"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("package")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "tests", "build", "*.egg-info", "data",
                                                            "__pycache__", ".pytest_cache", ".hypothesis"))
    wheels = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("karabakh_map-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(subprocess.check_output([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    # third-party packages from this environment; the project's editable finder is not a
    # site directory's .pth here, so the source tree stays invisible
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=300)
    work = tmp / "elsewhere"
    work.mkdir()
    home = tmp / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARABAKH_MAP_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), PYTHONNOUSERSITE="1")
    return {"bin": venv / "bin", "site": site, "work": work, "env": env, "home": home, "wheel": wheel}


def _run(inst, *args, timeout=180):
    return subprocess.run([str(inst["bin"] / "karabakh-map"), *args], cwd=inst["work"], env=inst["env"],
                          capture_output=True, text=True, timeout=timeout)


def test_the_wheel_carries_the_data_and_the_page(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for needed in ("geodata/borders.geojson", "geodata/villages.csv", "geodata/villages_index.tsv", "geodata/SOURCES.md",
                   "streamlit_app.py", "seeds/000_bloomberg_2023-09-19.json", "render/assets/jquery-shim.js"):
        assert any(n.endswith(needed) for n in names), needed


def test_layers_extract_and_snapshot_work_from_any_folder(installed):
    where = subprocess.check_output([str(installed["bin"] / "python"), "-c", "import layers; print(layers.GEODATA_DIR)"],
                                    cwd=installed["work"], env=installed["env"], text=True).strip()
    assert where.startswith(str(installed["site"])), where  # the wheel's copy, not the source tree
    proc = _run(installed, "layers")
    assert proc.returncode == 0, proc.stderr
    assert "contact_line" in proc.stdout and "rivers" in proc.stdout
    article = installed["work"] / "report.txt"
    article.write_text(ARTICLE)
    proc = _run(installed, "extract", str(article), "--json")
    assert proc.returncode == 0, proc.stderr
    import json

    events = json.loads(proc.stdout)
    assert events and events[0]["x_place_id"] == "martuni"
    assert events[0]["x_source_url"] == "https://example.org/news/1" and events[0]["source"] == "Example News"
    proc = _run(installed, "snapshot", "--out", str(installed["work"] / "map.png"), "--dpi", "50")
    assert proc.returncode == 0, proc.stderr
    assert (installed["work"] / "map.png").stat().st_size > 10_000
    # the store went to the user's data folder, not the folder the command ran in
    assert (installed["home"] / ".local" / "share" / "karabakh-map" / "karabakh-map.gpkg").is_file()
    assert not (installed["work"] / "data").exists()


def test_the_dashboard_starts_from_the_installed_package(installed):
    port = free_port()
    proc = subprocess.Popen([str(installed["bin"] / "karabakh-map"), "dashboard", "--port", str(port)], cwd=installed["work"],
                            env=installed["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", proc, what="the dashboard")
        config = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/host-config", timeout=5).read().decode()
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(20)
    assert config  # served
    time.sleep(1)
    with pytest.raises(OSError):  # stopping the command stopped the server: nothing left running
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
