"""The village gazetteer: 5,677 populated places of Armenia and Azerbaijan in the
region (``geodata/villages.csv``, Who's On First + GeoNames), with the renamings and
Armenian/Azerbaijani name pairs the source lacks (``geodata/village_names_added.csv``,
each with its source). Read with the ``csv`` module: no GeoPandas on this path.

A village id is ``wof-<id>`` or ``gn-<geonameid>``; :func:`events.places.place`
resolves it like a place of the ``places`` layer.
"""
from __future__ import annotations

import csv
import functools
import logging
from collections.abc import Iterator, Mapping
from dataclasses import astuple, dataclass
from pathlib import Path

from layers import GEODATA_DIR, collector, tables_cache

log = logging.getLogger(__name__)

GEODATA = GEODATA_DIR
VILLAGES_FILE = GEODATA / "villages.csv"
ADDED_FILE = GEODATA / "village_names_added.csv"

# The source's rayons (admin1, as spelled there) in and around the conflict area, by
# the id of the place they are named after: a district of ``seven_districts`` or the
# town that centres a former NKAO rayon.
RAYON_PLACES = {
    "Kəlbəcər": "kalbajar", "Laçın": "lachin", "Qubadli": "qubadli", "Zəngilan": "zangilan", "Cəbrayıl": "jabrayil",
    "Füzuli": "fuzuli", "Ağdam": "aghdam", "Xocalı": "khojaly", "Xocavənd": "martuni", "Şuşa": "shusha",
    "Tərtər": "tartar", "Xankəndi": "stepanakert",
}


# Towns whose former NKAO rayons the source files under these Azerbaijani rayons (its
# Tərtər includes the old Martakert/Aghdara area; Xocavənd, Martuni and Hadrut; Xocalı,
# Askeran): a report naming the town speaks of the rayon's villages too.
RAYON_TOWNS = {
    "Tərtər": {"tartar", "martakert"}, "Xocavənd": {"martuni", "hadrut"}, "Xocalı": {"khojaly", "askeran"},
    "Şuşa": {"shusha"}, "Xankəndi": {"stepanakert"},
}


@dataclass(frozen=True)
class Village:
    """One populated place of the village gazetteer.

    Attributes
    ----------
    id
        ``wof-<id>`` or ``gn-<geonameid>``.
    name
        The source's name (usually the official one of the country it lies in).
    name_hy, name_az
        Armenian and Azerbaijani usage in Latin letters where both are known (from
        ``village_names_added.csv``), else both ``name``.
    names
        Every spelling: Latin, Cyrillic, Armenian script.
    common_words
        Spellings that are also common English words (matched only with a cue).
    country
        ``AM`` or ``AZ``.
    admin1
        The rayon or marz the source gives ('' when unknown).
    district
        The ``seven_districts`` feature it lies in, else the place its rayon is named
        after (``jabrayil``, ``khojaly``), else ''.
    in_conflict_area
        Whether it lies in the former NKAO or the seven districts.
    """

    id: str
    name: str
    name_hy: str
    name_az: str
    names: tuple[str, ...]
    common_words: frozenset[str]
    lat: float
    lon: float
    country: str
    feature_code: str
    admin1: str
    population: int
    district: str = ""
    in_conflict_area: bool = False
    source_note: str = ""

    @property
    def context_places(self) -> set[str]:
        """The place ids whose naming in a report points to this village's rayon."""
        return ({self.district} if self.district else set()) | RAYON_TOWNS.get(self.admin1, set())


class VillageTable(Mapping):
    """The villages by id, each :class:`Village` made when it is first asked for.

    Holds the records as plain tuples (what :mod:`layers.tables_cache` keeps): a report
    names a few villages of the 5,677, and making them all cost 60 ms of every
    ``karabakh-map extract``."""

    def __init__(self, records: dict[str, tuple]) -> None:
        self._records = records
        self._made: dict[str, Village] = {}

    def __getitem__(self, village_id: str) -> Village:
        made = self._made.get(village_id)
        if made is None:
            r = self._records[village_id]  # KeyError for an unknown id, as a dict
            made = self._made[village_id] = Village(*r[:5], frozenset(r[5]), *r[6:])
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, village_id: object) -> bool:
        return village_id in self._records


def _record(v: Village) -> tuple:
    """A village as plain values, in field order (``common_words`` as a sorted tuple)."""
    values = list(astuple(v))
    values[5] = tuple(sorted(v.common_words))
    return tuple(values)


@functools.lru_cache(maxsize=1)
def villages() -> VillageTable:
    """Every village by id, with the curated names merged in (cached in the process,
    and on disk by :mod:`layers.tables_cache`, keyed by this module's code and the
    files of ``geodata/``: an edited table is read anew).

    Raises
    ------
    FileNotFoundError
        If ``geodata/villages.csv`` is missing (rebuild it with ``tools/build_villages.py``).
    """
    key = tables_cache.digest((Path(__file__),), GEODATA)
    with collector.paused():  # 5,677 records of tuples: a collection halfway would walk them for nothing
        records = tables_cache.load_or_build(
            "villages", key, lambda: {vid: _record(v) for vid, v in read_villages(VILLAGES_FILE).items()})
    return VillageTable(records)


def read_villages(path: Path) -> dict[str, Village]:
    """The villages of a table in ``geodata/villages.csv``'s format, curated names merged."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: rebuild it with `python tools/build_villages.py`")
    added = _added()
    out: dict[str, Village] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            extra = added.get(r["id"], {})
            names = [n for n in r["names"].split("|") if n]
            for n in extra.get("aliases", ()):
                if n not in names:
                    names.append(n)
            out[r["id"]] = Village(
                id=r["id"], name=r["name"], name_hy=extra.get("name_hy") or r["name"],
                name_az=extra.get("name_az") or r["name"], names=tuple(names),
                common_words=frozenset(w for w in r["common_words"].split("|") if w),
                lat=float(r["lat"]), lon=float(r["lon"]), country=r["country"], feature_code=r["feature_code"],
                admin1=r["admin1"], population=int(r["population"] or 0), district=r["district"],
                in_conflict_area=r["in_conflict_area"] == "1", source_note=extra.get("source", ""),
            )
    unknown = set(added) - set(out)
    if unknown:
        raise ValueError(f"{ADDED_FILE} names village ids not in {path.name}: {sorted(unknown)}; fix the ids")
    log.debug("village gazetteer: %d places, %d with curated names", len(out), len(added))
    return out


def _added() -> dict[str, dict]:
    """The curated names by village id."""
    if not ADDED_FILE.is_file():
        return {}
    out: dict[str, dict] = {}
    with open(ADDED_FILE, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            out[r["village_id"]] = {
                "name_hy": r["name_hy"].strip(), "name_az": r["name_az"].strip(),
                "aliases": tuple(a.strip() for a in r["aliases"].split("|") if a.strip()), "source": r["source"].strip(),
            }
    return out


INDEX_FILE = GEODATA / "villages_index.tsv"


@functools.lru_cache(maxsize=1)
def village_index() -> tuple[tuple[str, str, tuple[str, ...], int], ...]:
    """(folded key, transliteration key, village ids, English flag) for every spelling,
    from ``geodata/villages_index.tsv`` (written by ``tools/build_villages.py``): the
    flag is 2 for an English word, 1 for one letter off one, 0 otherwise."""
    if not INDEX_FILE.is_file():
        raise FileNotFoundError(f"{INDEX_FILE} is missing: rebuild it with `python tools/build_villages.py`")
    out = []
    with open(INDEX_FILE, encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            key, loose, ids, english = line.rstrip("\n").split("\t")
            out.append((key, loose, tuple(ids.split("|")), int(english)))
    return tuple(out)


VILLAGE_ID_PREFIXES = ("wof-", "gn-")


def village(village_id: str) -> Village | None:
    """The village with this id, or ``None`` (at once for an id that is not a village
    id, without reading the table)."""
    if not village_id or not village_id.startswith(VILLAGE_ID_PREFIXES):
        return None
    return villages().get(village_id)
