"""A cache on disk for tables built from the bundled geodata (the gazetteer's, the
village records).

Building the gazetteer from ``geodata/`` (the ``places`` layer and the 5,677-village
index) takes a quarter of a second or more, reading the village records another
eighth; every ``karabakh-map extract`` and every fresh page process paid it again. The
built tables are plain dicts, sets, lists and strings, so they are kept with
:mod:`marshal`, which reads them back in a few milliseconds.

Where: ``$KARABAKH_MAP_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/karabakh-map``, else
``~/.cache/karabakh-map``. The file's name holds a digest of everything the tables are
built from (the Python version, the code that builds them and the size and modification
time of every file in ``geodata/``), so an edited file or a new version builds them anew; an old file is
then never read again and can be deleted. A cache that cannot be read or written is
only slower: the tables are built, and the reason is logged at DEBUG. The cache is the
user's own directory: like their shell's start-up files, only they can write it, which
is what makes reading it with :mod:`marshal` safe.
"""
from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "KARABAKH_MAP_CACHE_DIR"
FORMAT = 1  # bump when the layout of a cached table changes without its code changing


def cache_dir() -> Path:
    """Where the cache files go (see the module's docstring)."""
    env = os.environ.get(CACHE_DIR_ENV, "").strip()
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "karabakh-map"


def digest(code_files: Iterable[Path], data_dir: Path | None = None) -> str:
    """A digest of what built tables depend on: the bytes of ``code_files`` and the
    name, size and modification time of every file in ``data_dir`` (tables built from
    code alone, such as the rules' words, give none)."""
    # marshal's format is the interpreter's own: each Python version keeps its own file
    h = hashlib.sha256(f"format {FORMAT} marshal {marshal.version} python {sys.version}\n".encode())
    for path in code_files:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted(data_dir.iterdir()) if data_dir is not None else ():
        if path.is_file() and not path.name.startswith("."):
            st = path.stat()
            h.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def load(name: str, key: str) -> Any | None:
    """The tables saved under ``name`` and ``key``, or ``None`` when there are none
    (or they cannot be read)."""
    path = cache_dir() / f"{name}-{key}.marshal"
    try:
        return marshal.loads(path.read_bytes())  # one read: marshal.load reads a file in small pieces
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError) as err:
        log.debug("cache %s not read (%s): building anew", path, err)
        return None


def save(name: str, key: str, tables: Any) -> None:
    """Keep ``tables`` (plain containers of strings and numbers) under ``name`` and
    ``key``; written to a temporary file first, so a reader never sees half a file."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(tables, fh)
            os.replace(tmp, folder / f"{name}-{key}.marshal")
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError) as err:  # read-only home, full disk, an unmarshallable value
        log.debug("cache %s/%s-%s not written (%s)", folder, name, key, err)


def load_or_build(name: str, key: str, build: Callable[[], Any]) -> Any:
    """The tables saved under ``name`` and ``key``; when there are none, ``build()``
    makes them and they are saved for the next process."""
    tables = load(name, key)
    if tables is None:
        tables = build()
        save(name, key, tables)
    return tables
