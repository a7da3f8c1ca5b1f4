"""Reading untrusted import files: size-limited, from a path or from bytes."""
from __future__ import annotations

from pathlib import Path

from events import EventError

MAX_IMPORT_BYTES = 50_000_000


class ImportFileError(EventError):
    """An import file (ACLED CSV, GeoJSON) is unusable; nothing from it was stored."""


def read_limited(source: str | Path | bytes, label: str, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """The bytes of an import file, refused past ``limit`` before they are read.

    Raises
    ------
    ImportFileError
        If the path is not a file or the data is over the limit.
    """
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        if not path.is_file():
            raise ImportFileError(f"{path} does not exist or is not a file")
        if path.stat().st_size > limit:
            raise ImportFileError(f"{label} is {path.stat().st_size:,} bytes: the limit is {limit:,}; split the file")
        data = path.read_bytes()
    if len(data) > limit:
        raise ImportFileError(f"{label} is {len(data):,} bytes: the limit is {limit:,}; split the file")
    return data


def is_frame(value: object) -> bool:
    """Whether ``value`` is a (Geo)DataFrame rather than a sequence of events; tested
    by its shape, so that writing a list of events needs no pandas import."""
    return hasattr(value, "columns") and hasattr(value, "to_dict")
