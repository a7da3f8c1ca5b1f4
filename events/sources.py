"""Whose voice a report is: the side of each outlet and official a report cites.

The source table (``events/source_sides.csv``, or the file ``KARABAKH_MAP_SOURCE_SIDES``
names) lists outlets, ministries and officials with their side:

``armenian_official``
    the governments of Armenia and of the Karabakh Armenian authorities, their
    ministries, officials and state news agencies;
``azerbaijani_official``
    the government of Azerbaijan, its ministries, officials and state news agency;
``russian_official``
    the Russian government, its ministries and state news agencies;
``international``
    international organisations (ICRC, UN bodies, the OSCE, EU bodies, human rights NGOs);
``media``
    news outlets that are not a government's voice (wires, national and regional media).

An event's ``source`` is the outlet, then the officials its sentence cites, joined by
"; " (``AFP; Armenian Ministry of Defence``). A desk edits the table to add its own
outlets; a name the table does not know counts as ``media``, and says so.
"""
from __future__ import annotations

import csv
import functools
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import EventValidationError

SIDES: dict[str, str] = {
    "armenian_official": "Armenian / Karabakh Armenian official",
    "azerbaijani_official": "Azerbaijani official",
    "russian_official": "Russian official",
    "international": "International organisation",
    "media": "Independent / media",
}
OFFICIAL_SIDES = ("armenian_official", "azerbaijani_official", "russian_official")
# The sides of the conflict, for "claimed by one side, denied by the other".
PARTY_SIDES = ("armenian_official", "azerbaijani_official")
SIDES_FILE_ENV = "KARABAKH_MAP_SOURCE_SIDES"


@dataclass(frozen=True)
class SourceEntry:
    """One row of the source table: text that names a source, its name and side."""

    match: str
    name: str
    side: str
    country: str
    note: str


def _table_path() -> Path | None:
    env = os.environ.get(SIDES_FILE_ENV, "").strip()
    return Path(env) if env else None


@functools.lru_cache(maxsize=4)
def _load(path: str | None) -> tuple[tuple[SourceEntry, ...], re.Pattern | None]:
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise EventValidationError(SIDES_FILE_ENV, path, f"cannot be read ({err.strerror}): give the path of a CSV "
                                       "with columns match,name,side,country,note, or unset it") from None
    else:
        text = resources.files("events").joinpath("source_sides.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    entries = []
    for i, row in enumerate(rows, start=2):
        match = (row.get("match") or "").strip().casefold()
        side = (row.get("side") or "").strip()
        if not match:
            continue
        if side not in SIDES:
            raise EventValidationError("side", side, f"in line {i} of the source table is not a side: use one of {', '.join(SIDES)}")
        entries.append(SourceEntry(match, (row.get("name") or match).strip(), side, (row.get("country") or "").strip(),
                                   (row.get("note") or "").strip()))
    if not entries:
        return (), None
    # the word boundaries once, around the whole alternation: the scan then looks for the
    # names' first letters only (the same matches as a boundary around each name)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(e.match) for e in entries) + r")(?!\w)")
    return tuple(entries), pattern


def source_table() -> tuple[SourceEntry, ...]:
    """The source table's rows, in file order."""
    return _load(str(_table_path()) if _table_path() else None)[0]


def entry_for(text: str) -> SourceEntry | None:
    """The table row of the first source ``text`` names (leftmost), or ``None``."""
    if not text:
        return None
    path = _table_path()
    entries, pattern = _load(str(path) if path else None)
    if pattern is None:
        return None
    memo = _MEMO.get(pattern)
    if memo is None:  # a table read anew (another path, or the cache cleared): its own memo
        _MEMO.clear()
        memo = _MEMO[pattern] = {}
    if text in memo:
        return memo[text]
    m = pattern.search(text.casefold())
    found = next(e for e in entries if e.match == m.group(0)) if m else None
    if len(memo) < 8192:  # an outlet's name recurs in every event of its reports
        memo[text] = found
    return found


_MEMO: dict[re.Pattern, dict[str, SourceEntry | None]] = {}  # the table's pattern -> text -> its entry


def side_of(text: str) -> str:
    """The side of a source named in ``text`` (``media`` when the table does not know it)."""
    entry = entry_for(text)
    return entry.side if entry else "media"


def outlet_of(source: str) -> str:
    """The outlet of an event's ``source`` (its first part), under the table's name for it."""
    first = (source or "").split(";")[0].strip()
    entry = entry_for(first)
    return entry.name if entry else first


def cited_sides(source: str) -> list[str]:
    """The sides of the officials and bodies an event's ``source`` cites after its outlet."""
    return [side_of(part) for part in (source or "").split(";")[1:] if part.strip()]
