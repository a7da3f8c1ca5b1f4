"""ACLED CSV in and out.

Reading accepts ACLED's own exports as they are: its column names (any order, extra
columns ignored), dates as ``YYYY-MM-DD``, ``16 May 2025`` or ``dd-mm-yyyy``, and actor
categories as numbers or text. A bad row stops the import with an error naming the
row, the column and the value; nothing from the file is stored.

Writing gives ACLED's columns in ACLED's order, then the ``x_`` columns and
``x_geometry`` (WKT, for events on a line or area). Cells that a spreadsheet would run
as a formula (starting with ``= + - @``, tab or carriage return) get a leading
apostrophe; numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator


from events import COLUMNS, Event, EventError, EventValidationError, make_event

from .reading import ImportFileError, is_frame, read_limited

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

REQUIRED = ("event_date", "event_type", "sub_event_type", "latitude", "longitude")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
GEOMETRY_COLUMN = "x_geometry"
_NUMERIC = {"year", "time_precision", "inter1", "inter2", "interaction", "iso", "latitude", "longitude",
            "geo_precision", "fatalities", "timestamp", "x_confidence", "x_evidence_start", "x_evidence_end"}


def neutralise_cell(value: object) -> object:
    """Make a text cell safe for spreadsheets: prefix formula starters with ``'``.

    Numbers (``int``/``float``) are returned unchanged, so ``-73.9`` stays a number.
    """
    if isinstance(value, (int, float)) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _restore_cell(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def read_acled_csv(source: str | Path | bytes, *, name: str | None = None) -> list[Event]:
    """Events from an ACLED CSV file (path) or its bytes.

    Raises
    ------
    ImportFileError
        For an unreadable file, a missing required column, or a bad row (named by
        its number, counting the header as row 1, with the column and the value).
    """
    return list(iter_acled_csv(source, name=name))


def iter_acled_csv(source: str | Path | bytes, *, name: str | None = None) -> Iterator[Event]:
    """The events of an ACLED CSV, one at a time: memory stays bounded by the file's
    bytes, whatever the number of rows (a caller stores them in batches).

    Raises
    ------
    ImportFileError
        As :func:`read_acled_csv`, when the bad row is reached; and when the file has
        no rows at all.
    """
    label = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    data = read_limited(source, label)
    if b"\x00" in data:
        raise ImportFileError(f"{label} holds NUL bytes: it is not a CSV text file")
    # A line or area's WKT can exceed the csv module's default cell limit (131,072
    # characters); what the project exports it must import again. The file is already
    # size-limited, so a cell can be no larger than the file.
    csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(text)
        header = reader.fieldnames or []
    except csv.Error as err:
        raise ImportFileError(f"{label} is not a CSV file: {err}") from err
    except UnicodeDecodeError as err:
        raise ImportFileError(f"{label} is not UTF-8 text (byte {err.start}): save the CSV as UTF-8 and import it again") from err
    header_set = {h.strip() for h in header if h}
    missing = [c for c in REQUIRED if c not in header_set]
    if missing:
        raise ImportFileError(
            f"{label} lacks the column(s) {', '.join(missing)}: an ACLED CSV needs {', '.join(REQUIRED)}"
        )
    ignored = sorted(header_set - set(COLUMNS) - {GEOMETRY_COLUMN})
    if ignored:
        log.info("%s: ignoring columns %s", label, ", ".join(ignored[:10]))
    n = 0
    rownum = 1
    try:
        for rownum, raw in enumerate(reader, start=2):
            if None in raw:
                raise ImportFileError(f"{label}, row {rownum}: has more cells than the header has columns")
            row = {k.strip(): _restore_cell(v.strip()) if isinstance(v, str) else v for k, v in raw.items() if k}
            if not any(row.values()):
                continue
            n += 1
            yield _event_from_row(row, rownum, label)
    except csv.Error as err:
        raise ImportFileError(f"{label}: CSV syntax error near row {reader.line_num}: {err}") from err
    except UnicodeDecodeError as err:
        raise ImportFileError(f"{label} is not UTF-8 text (near row {rownum + 1}): save the CSV as UTF-8 and import it again") from err
    if not n:
        raise ImportFileError(f"{label} has a header but no rows: nothing to import")


def _event_from_row(row: dict, rownum: int, label: str) -> Event:
    fields = {k: (v if v != "" else None) for k, v in row.items() if k in COLUMNS}
    for derived in ("year", "disorder_type", "interaction", "x_uid"):
        fields.pop(derived, None)
    geom_text = row.get(GEOMETRY_COLUMN)
    if geom_text:
        import shapely

        try:
            fields["geometry"] = shapely.from_wkt(geom_text)
        except (shapely.errors.ShapelyError, ValueError, OverflowError) as err:
            raise ImportFileError(f"{label}, row {rownum}, column {GEOMETRY_COLUMN}: value {geom_text[:40]!r} is not WKT") from err
    fields.setdefault("x_method", "import")
    fields["x_method"] = fields.get("x_method") or "import"
    try:
        return make_event(**fields)
    except EventValidationError as err:
        raise ImportFileError(f"{label}, row {rownum}, column {err.field}: value {err.value!r} {err.fix}") from err
    except EventError as err:
        raise ImportFileError(f"{label}, row {rownum}: {err}") from err


def events_to_acled_csv(events: "gpd.GeoDataFrame | Iterable[Event]") -> str:
    """Events as ACLED CSV text (ACLED columns, then ``x_`` columns and ``x_geometry``)."""
    return _write_rows(_records(events))


def _write_rows(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, GEOMETRY_COLUMN])
    for rec in rows:
        geom = rec.get("geometry")
        wkt = "" if geom is None or geom.geom_type == "Point" else _wkt(geom)
        cells = []
        for c in COLUMNS:
            v = rec.get(c)
            if c in _NUMERIC and v is not None and v == v:
                v = float(v) if c in ("latitude", "longitude", "x_confidence") else int(v)
            elif v is None or (isinstance(v, float) and v != v):
                v = ""
            cells.append(neutralise_cell(v if c in _NUMERIC else str(v)))
        writer.writerow([*cells, wkt])
    return out.getvalue()


def incidents_to_acled_csv(events: "gpd.GeoDataFrame | Iterable[Event]") -> str:
    """One ACLED row per incident (``events.incidents.incident_record``): its sources joined
    by "; " with ``source_scale``, the incident id in ``x_incident``. The events export
    (:func:`events_to_acled_csv`) keeps every report; this one is for ACLED's tools."""
    from events.incidents import incident_record

    groups: dict[str, list[dict]] = {}
    for rec in _records(events):
        groups.setdefault(str(rec.get("x_incident") or rec.get("x_uid")), []).append(rec)
    return _write_rows([incident_record(rows) for rows in groups.values()])


def _wkt(geom) -> str:
    import shapely  # loaded already: the geometry is shapely's

    return shapely.to_wkt(geom, rounding_precision=6)


def _records(events) -> list[dict]:
    if is_frame(events):
        return events.to_dict("records")
    # a point is written as latitude and longitude alone: no shapely point is made for it
    return [e.to_record(with_geometry=e.point_xy() is None) for e in events]


