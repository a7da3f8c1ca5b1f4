"""The gazetteer: every name a report may use for a place or a layer feature.

Built on the ``places`` layer (each place with its Armenian-usage, Azerbaijani-usage,
Azerbaijani-script, Russian and other spellings), phrases that name layer features
("the line of contact", "the Lachin corridor", "the Hakari bridge", "the seven
districts", "Kalbajar district"), and the village gazetteer (``events.villages``).
Matching is case- and diacritic-insensitive, on whole words, longest name first: the
curated places and features by their spellings, then, on the words left, the curated
places by transliteration (:func:`~extract.textnorm.translit_key`: "Gyanja" is Ganja),
then the villages by spelling and by transliteration. A village name must be written
with a capital, and one that is also a common English word needs a cue ("the village
of Bar"). Where a name fits several villages, the one that fits the report is chosen
(:meth:`Gazetteer.choose_village`) and the others are named in the mention.
"""
from __future__ import annotations

import datetime as dt
import functools
import gc
import logging
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, NamedTuple

import events.villages
import layers.features
from events.villages import Village, village_index, villages
from layers import GEODATA_DIR, collector, tables_cache
from layers.features import features

from . import textnorm
from .textnorm import fold, fold_key, translit_key, translit_phrase

log = logging.getLogger(__name__)

# Phrases naming layer features. Target "corridor" resolves by date to the road in use.
FEATURE_PHRASES: dict[str, tuple[str, ...]] = {
    "contact_line": (
        "line of contact", "contact line", "line of contract", "lines of contact", "frontline",
        "front line", "front lines", "frontlines", "line of control", "the front", "entire front", "whole front",
    ),
    "corridor": (
        "lachin corridor", "lachin road", "lachin highway", "laçın corridor", "lachin-khankendi road",
        "lachin-khankendi highway", "berdzor corridor", "stepanakert-goris highway", "goris-stepanakert highway",
        "stepanakert-goris road", "goris-stepanakert road", "goris-stepanakert route", "khankendi-lachin road",
        "the corridor", "lachin checkpoint", "lachin border checkpoint", "only road linking", "only road connecting",
        "the road connecting nagorno-karabakh to armenia", "road linking nagorno-karabakh to armenia",
        "road connecting karabakh to armenia", "road linking karabakh with armenia", "лачинский коридор",
    ),
    "hakari_bridge": ("hakari bridge", "hakari river bridge", "kornidzor bridge", "hakari checkpoint", "həkəri körpüsü", "hakari kamurj"),
    "seven_districts": ("seven districts", "seven surrounding districts", "seven adjacent districts", "seven regions", "occupied territories"),
    "region": (
        "nagorno-karabakh", "nagorno karabakh", "nagorny karabakh", "nagorno-karabagh", "karabakh",
        "karabagh", "artsakh", "nkr", "нагорный карабах", "нагорном карабахе", "карабах", "qarabağ",
        "dağlıq qarabağ", "the enclave", "the breakaway region", "the disputed region", "the disputed territory",
        "the breakaway territory", "the separatist region", "the mountainous region",
    ),
    "peacekeeping_zone": ("peacekeeping zone", "peacekeepers' zone", "zone of responsibility", "area of responsibility"),
    "border": (
        "armenia-azerbaijan border", "armenian-azerbaijani border", "azerbaijan-armenia border",
        "border with azerbaijan", "border with armenia", "armenia's border", "armenian border",
        "interstate border", "state border", "eastern part of the border", "eastern border of armenia",
        "armenia's eastern border", "armenian-azerbaijani state border",
    ),
}
DISTRICT_WORDS = ("district", "region", "rayon", "province", "raion")

# Names that mean a district as well as its town: bare, they mean the town, with a
# note and a lower confidence.
TOWN_OR_DISTRICT = {"lachin", "kalbajar", "aghdam", "fuzuli", "jabrayil", "qubadli", "zangilan", "shusha", "khojaly", "tartar"}


@dataclass(frozen=True)
class Mention:
    """One name found in a text: ``target`` is a place id or ``@feature`` key."""

    start: int
    end: int
    surface: str
    target: str
    kind: str  # "place" or "feature"
    ambiguous: str = ""

    @property
    def is_place(self) -> bool:
        return self.kind == "place"


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


class _Entry(NamedTuple):
    target: str
    kind: str


CONFLICT_RADIUS_KM = 130  # NKAO, the seven districts and the border areas on both sides
_VILLAGE_CUE_BEFORE = re.compile(r"\b(?:villages?|settlements?|hamlets?|towns?|communit(?:y|ies))\s+(?:of\s+)?(?:\w+\s*,\s*|\w+\s+and\s+)*$", re.IGNORECASE)
_VILLAGE_CUE_AFTER = re.compile(r"^\s+(?:village|settlement|community)\b", re.IGNORECASE)
_MAX_VILLAGE_WORDS = 4
_OTHER_FEATURE_AFTER = re.compile(r"\s+(?:corridor|mountains?|range|river|valley|pass|gorge|highway|lake|reservoir|plateau)\b", re.IGNORECASE)
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s+and|,?\s+or)\s*$", re.IGNORECASE)
_NEAR_MIN_CHARS = 8  # one letter off is a match only for names this long (loose key)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km between two (lon, lat) points (equirectangular, fine at this scale)."""
    x = (a[0] - b[0]) * 111.32 * math.cos(math.radians((a[1] + b[1]) / 2))
    y = (a[1] - b[1]) * 110.57
    return math.hypot(x, y)


class Gazetteer:
    """Names to places and features; :meth:`find` lists the mentions in a text.

    ``tables`` are those :func:`build_tables` gives (built when not given).
    """

    def __init__(self, tables: dict | None = None) -> None:
        t = _Tables(**(tables or build_tables()))
        self._names = {key: _Entry(*entry) for key, entry in t.names.items()}
        self.place_ids, self.place_lonlat = t.place_ids, t.place_lonlat
        self._longest, self._name_prefixes = t.longest, t.name_prefixes
        self._loose_places, self._loose_place_first = t.loose_places, t.loose_place_first
        self._village_exact, self._village_loose, self._loose_by_prefix = t.village_exact, t.village_loose, t.loose_by_prefix
        self._english_like, self._near_english, self._first_words = t.english_like, t.near_english, t.first_words
        self._near_memo: dict[str, list[str]] = {}

    @functools.cached_property
    def villages(self) -> Mapping[str, Village]:
        """The village records by id (read on first use)."""
        return villages()

    def __len__(self) -> int:
        return len(self._names)

    def names(self) -> dict[str, str]:
        """Every folded name and its target (a place id or an ``@feature`` key)."""
        return {key: entry.target for key, entry in self._names.items()}

    def lookup(self, name: str) -> str | None:
        """The target of an exact name (folded), or ``None``."""
        entry = self._names.get(fold_key(name))
        return entry.target if entry else None

    def find(self, text: str) -> Iterator[Mention]:
        """Every mention in ``text``, left to right, longest match at each position.

        Names match on whole words; spaces and hyphens between words are alike
        ("Stepanakert-Goris" and "Stepanakert Goris"), case and diacritics are folded.
        """
        folded = fold(text)
        tokens = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(folded)]
        joinable = _joinable(folded, tokens)
        found: list[Mention] = []
        taken = [False] * len(tokens)
        i = 0
        while i < len(tokens):
            longest = self._longest.get(tokens[i][2], 0)
            hit = None
            key, n = tokens[i][2], 1
            while longest:
                entry = self._names.get(key)
                if entry is None and key.endswith("'s"):
                    entry = self._names.get(key[:-2])  # "Yerevan's"
                if entry is not None:
                    hit = (n, entry)  # the longest so far; a longer one may follow
                # one more word, if only spaces or hyphens separate it and a name still can
                if n >= longest or i + n >= len(tokens) or not joinable[i + n - 1]:
                    break
                longer = f"{key} {tokens[i + n][2]}"
                if longer not in self._name_prefixes and longer not in self._names \
                        and not (longer.endswith("'s") and longer[:-2] in self._names):
                    break
                key, n = longer, n + 1
            if hit is None and tokens[i][2].endswith("'s"):
                entry = self._names.get(tokens[i][2][:-2])
                hit = (1, entry) if entry is not None else None
            if hit is None:
                i += 1
                continue
            n, entry = hit
            start, end = tokens[i][0], tokens[i + n - 1][1]
            if text[start:end].endswith(("'s", "’s")):
                end -= 2
            for k in range(i, i + n):
                taken[k] = True
            i += n
            found.append(Mention(start, end, text[start:end], entry.target, entry.kind, _town_or_district(entry, text[start:end])))
        found += self._find_loose(text, joinable, tokens, taken, found)
        found.sort(key=lambda m: m.start)
        yield from found

    def _find_loose(self, text: str, joinable: list[bool], tokens, taken: list[bool], curated: list[Mention]) -> list[Mention]:
        """Curated places by transliteration, then villages, on the words not taken."""
        out: list[Mention] = []
        pending: list[tuple[int, int, list[str], str]] = []  # (start, end, candidate ids, how)
        i = 0
        while i < len(tokens):
            if taken[i] or not _capitalised(text, tokens[i][0]):
                i += 1
                continue
            word = tokens[i][2]
            lword = translit_key(word)
            if word not in self._first_words and lword not in self._first_words and lword not in self._loose_place_first \
                    and len(lword) < _NEAR_MIN_CHARS:
                i += 1  # no name starts with this word, and it is too short to be one letter off one
                continue
            hit = None
            for n in range(min(_MAX_VILLAGE_WORDS, len(tokens) - i), 0, -1):
                if any(taken[i:i + n]) or (n > 1 and not _joined(joinable, i, n)):
                    continue
                key = " ".join(t[2] for t in tokens[i:i + n])
                lkey = translit_phrase(key)
                if lkey in self._loose_places and len(key) >= 4:
                    hit = (n, "place", [self._loose_places[lkey]])
                elif (key in self._village_exact or lkey in self._village_loose or n > 1 and lkey.replace(" ", "") in self._village_loose) \
                        and (ids := _unique(self._village_exact.get(key, ()), self._village_loose.get(lkey, ()),
                                            self._village_loose.get(lkey.replace(" ", ""), ()) if n > 1 else ())):
                    hit = (n, "village", ids)
                elif n <= 2 and len(lkey) >= _NEAR_MIN_CHARS and (near := self._near(lkey)):
                    hit = (n, "village", near)
                if hit:
                    break
            if hit is None:
                i += 1
                continue
            n, how, ids = hit
            start, end = tokens[i][0], tokens[i + n - 1][1]
            i += n
            if _part_of_longer_name(text, start, end):
                continue  # "Lala" of "Lala-Tepe", "Levon" of "Levon Ter-Petrosyan", "Massis" of "Massis Post"
            if how == "village" and _OTHER_FEATURE_AFTER.match(text[end:end + 20]):
                continue  # "the Zangezur corridor", "the Vorotan river": a feature named like a village
            if how == "place":
                out.append(Mention(start, end, text[start:end], ids[0], "place", ""))
                continue
            surface = text[start:end]
            cue = bool(_VILLAGE_CUE_BEFORE.search(text[max(0, start - 80):start]) or _VILLAGE_CUE_AFTER.search(text[end:end + 20])
                       or (pending and _LIST_GAP.match(text[pending[-1][1]:start])))  # "Domi, Tugh, Akaku": a list of villages
            key = fold_key(surface)
            if not cue and (key in self._english_like or translit_phrase(key) in self._english_like):
                continue
            ids = [v for v in ids if cue or surface not in self.villages[v].common_words]
            if ids:
                pending.append((start, end, ids, surface))
        if pending:
            context = _Context(self, curated, [p[3] for p in pending])
            for start, end, ids, surface in pending:
                chosen, note = self.choose_village(ids, context, start, surface)
                out.append(Mention(start, end, surface, chosen, "place", note))
        return out

    def _near(self, lkey: str) -> list[str]:
        """Villages whose loose key is one edit (a letter added, dropped or changed) off
        ``lkey``; long names only, looked up among the keys with the same first letters."""
        cached = self._near_memo.get(lkey)
        if cached is not None:
            return cached
        out: list[str] = []
        for k in self._loose_by_prefix.get(lkey[:3], ()):
            if k not in self._near_english and abs(len(k) - len(lkey)) <= 1 and one_edit(k, lkey):
                out.extend(v for v in self._village_loose[k] if v not in out)
        if len(self._near_memo) < 100_000:  # words recur across reports ("Azerbaijani"): look each up once
            self._near_memo[lkey] = out
        return out

    def choose_village(self, ids: list[str], context: "_Context", pos: int, surface: str) -> tuple[str, str]:
        """The village a name means here, and a note naming the other candidates.

        Scores: the village's rayon named in the report (+3, +1 more within 300
        characters, +2 more when it is the first place named after the village within
        200 characters, as in "A, B and C in Fuzuli"; any other rayon or marz of the
        source named in the report, +3), inside the former NKAO or the
        seven districts (+2) or else within 130 km of Stepanakert (+1), and nearness to the other places the report names (up to +2). The note says
        when the choice was close.
        """
        if len(ids) == 1:
            return ids[0], ""
        scored = []
        for vid in ids:
            v = self.villages[vid]
            score = 0.0
            named = [pl for pl in v.context_places if pl in context.named]
            if named:
                score += 3 + (1 if any(abs(p - pos) < 300 for pl in named for p in context.named[pl]) else 0)
                if context.nearest_after(pos) in named:
                    score += 2  # "A, B and C in Fuzuli"
            elif v.admin1 and fold_key(v.admin1) in context.region_names:
                score += 3  # its marz or rayon is named ("Tavush")
            if v.in_conflict_area:
                score += 2
            elif _km((v.lon, v.lat), self.place_lonlat["stepanakert"]) <= CONFLICT_RADIUS_KM:
                score += 1
            if context.centre is not None:
                score += max(0.0, 2 - _km((v.lon, v.lat), context.centre) / 50)
            scored.append((score, vid))
        scored.sort(key=lambda t: -t[0])
        best, best_id = scored[0]
        others = ", ".join(f"{self.villages[v].name} ({_where(self.villages[v])})" for _, v in scored[1:4])
        close = best - scored[1][0] < 1.0
        note = (f"'{surface}' names {len(ids)} places; chose {self.villages[best_id].name} ({_where(self.villages[best_id])})"
                f"{', a close choice' if close else ''}; others: {others}")
        return best_id, note


@dataclass
class _Tables:
    """What a :class:`Gazetteer` looks names up in: plain containers, as
    :func:`build_tables` gives them and :mod:`layers.tables_cache` keeps them."""

    names: dict[str, tuple[str, str]]  # folded name -> (target, kind)
    place_ids: set[str]
    place_lonlat: dict[str, tuple[float, float]]
    # first word -> longest name (in words) starting with it: find() tries only the
    # n-grams that can match, instead of one regex with a thousand alternatives
    longest: dict[str, int]
    # every leading run of two or more words of a name: find() extends a match word by
    # word only while it can still become a name ("the" stops at "the city")
    name_prefixes: set[str]
    loose_places: dict[str, str]  # curated places by transliteration key, where it names one place
    loose_place_first: set[str]
    # villages by spelling and by transliteration: key -> village ids (the records
    # themselves load on the first village found: see Gazetteer.villages)
    # (tuples of interned ids: the cache then holds each id once, and reading it back makes
    # 25,000 fewer lists and strings: about half the time for these tables)
    village_exact: dict[str, tuple[str, ...]]
    village_loose: dict[str, tuple[str, ...]]
    loose_by_prefix: dict[str, tuple[str, ...]]  # first 3 letters -> long loose keys
    english_like: set[str]  # keys that need a cue ("the village of ...")
    near_english: set[str]  # keys never matched one letter off
    first_words: set[str]  # first words (folded and loose) of village names


def build_tables() -> dict:
    """The gazetteer's tables (see :class:`_Tables`), built from the ``places`` and
    ``seven_districts`` layers, :data:`FEATURE_PHRASES` and the village index."""
    places = features("places")
    names: dict[str, tuple[str, str]] = {}
    for row in places:
        spellings = [row.get(k) for k in ("name_en", "name_hy", "name_az_en", "name_az", "name_hy_script")]
        spellings += [a.strip() for a in str(row.get("aliases", "")).split(";")]
        for s in spellings:
            key = fold_key(s) if isinstance(s, str) else ""
            if len(key) >= 3 and key not in names:
                names[key] = (str(row.get("id")), "place")
    town_names: dict[str, set[str]] = {}
    for key, (target, _) in names.items():
        town_names.setdefault(target, set()).add(key)
    for row in features("seven_districts"):
        fid = str(row.get("feature_id"))
        for s in {row.get("name_en", ""), row.get("name_az", ""), row.get("name_hy", ""), fid} | town_names.get(fid, set()):
            for word in DISTRICT_WORDS:
                names.setdefault(fold_key(f"{s} {word}"), (f"@district:{fid}", "feature"))
            names.setdefault(fold_key(f"{s}skiy rayon"), (f"@district:{fid}", "feature"))
    for feature, phrases in FEATURE_PHRASES.items():
        for phrase in phrases:
            names[fold_key(phrase)] = (f"@{feature}", "feature")
    longest: dict[str, int] = {}
    name_prefixes: set[str] = set()
    for key in names:
        words = key.split(" ")
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
        for k in range(2, len(words)):
            name_prefixes.add(" ".join(words[:k]))
    loose: dict[str, set[str]] = {}
    for key, (target, kind) in names.items():
        if kind == "place" and len(key) >= 4:
            loose.setdefault(translit_phrase(key), set()).add(target)
    loose_places = {k: next(iter(v)) for k, v in loose.items() if len(v) == 1}
    exact: dict[str, list[str]] = {}
    loose_index: dict[str, list[str]] = {}
    by_prefix: dict[str, list[str]] = {}
    english_like: set[str] = set()
    near_english: set[str] = set()
    first: set[str] = set()
    for key, lkey, ids, english in village_index():
        if key in names or len(key) - key.count(" ") < 3 or key.count(" ") >= _MAX_VILLAGE_WORDS:
            continue
        if english == 2:  # the name is an English word: read only with a cue
            english_like.add(key)
            english_like.add(lkey)
        if english:  # one letter off an English word: never matched one letter off
            near_english.add(lkey)
        exact.setdefault(key, []).extend(ids)
        first.add(key.partition(" ")[0])
        first.add(lkey.partition(" ")[0])
        for k in (lkey, lkey.replace(" ", "")) if " " in lkey else (lkey,):
            bucket = loose_index.get(k)
            if bucket is None:
                loose_index[k] = bucket = []
                if len(k) >= _NEAR_MIN_CHARS:
                    by_prefix.setdefault(k[:3], []).append(k)
            bucket.extend(ids)
    return dict(
        names=names, place_ids={str(f.get("id")) for f in places},
        place_lonlat={str(row.get("id")): row.lonlat for row in places},
        longest=longest, name_prefixes=name_prefixes, loose_places=loose_places,
        loose_place_first={k.split(" ")[0] for k in loose_places}, village_exact=_frozen(exact),
        village_loose=_frozen(loose_index), loose_by_prefix=_frozen(by_prefix), english_like=english_like,
        near_english=near_english, first_words=first,
    )


def _frozen(index: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """``index`` with tuples of interned strings for lists (see :class:`_Tables`)."""
    return {key: tuple(map(sys.intern, values)) for key, values in index.items()}


class _Context:
    """What a report says around its village names: the rayons it names and where its
    other places are."""

    def __init__(self, gz: Gazetteer, curated: list[Mention], village_surfaces: list[str]) -> None:
        self.named: dict[str, list[int]] = {}
        words = {fold_key(m.surface) for m in curated} | {fold_key(s) for s in village_surfaces}
        self.region_names = words | {" ".join(w for w in k.split(" ") if w not in _PLACE_WORDS) for k in words}
        points = []
        for m in curated:
            target = m.target.split(":", 1)[1] if m.target.startswith("@district:") else m.target
            self.named.setdefault(target, []).append(m.start)
            if m.is_place and m.target in gz.place_lonlat:
                points.append(gz.place_lonlat[m.target])
        self.centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)) if points else None
        self._after = sorted((m.start, m.target.split(":", 1)[1] if m.target.startswith("@district:") else m.target)
                             for m in curated)

    def nearest_after(self, pos: int, within: int = 200) -> str:
        """The first curated place or district named after ``pos`` (within ``within`` characters)."""
        for start, target in self._after:
            if pos < start <= pos + within:
                return target
        return ""


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one inserted, dropped or changed letter."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]


def _unique(*groups) -> list[str]:
    out: list[str] = []
    for group in groups:
        out.extend(v for v in group if v not in out)
    return out


def _where(v: Village) -> str:
    return ", ".join(x for x in (v.admin1, v.country) if x)


def _joinable(folded: str, tokens) -> list[bool]:
    """For each token, whether only spaces or hyphens separate it from the next."""
    return [not folded[a[1]:b[0]].strip(" -\t") for a, b in zip(tokens, tokens[1:])]


def _joined(joinable: list[bool], i: int, n: int) -> bool:
    """Whether tokens i..i+n-1 are separated only by spaces or hyphens."""
    return all(joinable[i:i + n - 1])


_PLACE_WORDS = {"district", "region", "province", "rayon", "marz", "village", "villages", "town", "city", "river",
                "valley", "highway", "road", "checkpoint", "bridge", "heights", "height", "hill", "community"}


def _part_of_longer_name(text: str, start: int, end: int) -> bool:
    """Whether the words at start..end are part of a longer name: joined by a hyphen
    to another capitalised word, or followed by a capitalised word that is not a place
    word (a person's surname, an outlet's second word)."""
    before = text[max(0, start - 2):start]
    after = text[end:end + 40]
    if before.endswith("-") and start >= 2 and text[start - 2].isalpha():
        return True
    m = re.match(r"(-|\s+)([^\W\d_][\w'’-]*)", after)
    if not m or not m.group(2)[:1].isupper():
        return False
    if m.group(1) == "-":
        return True
    return m.group(2).lower() not in _PLACE_WORDS


def _capitalised(text: str, pos: int) -> bool:
    ch = text[pos]
    return ch.isupper() or not ch.isascii() and not ch.islower()


def _town_or_district(entry: _Entry, surface: str) -> str:
    if entry.kind == "place" and entry.target in TOWN_OR_DISTRICT:
        if entry.target == "lachin":
            return "'Lachin' may mean the town, the district or the corridor"
        return f"'{surface}' may mean the town or the district"
    return ""


# The code whose output the cached tables are (layers.tables_cache keys them by it)
_BUILT_FROM = tuple(Path(module.__file__) for module in (sys.modules[__name__], textnorm, events.villages, layers.features))


@functools.lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer built from the bundled layers (cached in the process, and on disk
    by :mod:`layers.tables_cache`).

    Its tables are some 80,000 objects that never change. The collector is paused while
    they are read or built (each collection would walk them again, half made: that
    tripled the time to read them), then they are moved out of its sight with
    ``gc.freeze``: otherwise every full collection walks them again, which cost a third
    of an article's extraction.
    """
    key = tables_cache.digest(_BUILT_FROM, GEODATA_DIR)
    with collector.paused():
        gazetteer = Gazetteer(tables_cache.load_or_build("gazetteer", key, build_tables))
    gc.freeze()
    log.debug("gazetteer ready; %d objects frozen out of garbage collection", gc.get_freeze_count())
    return gazetteer


CORRIDOR_SWITCH = dt.date(2022, 8, 30)


def feature_ref(target: str, day: dt.date | None) -> str:
    """The ``LAYER:FEATURE`` reference for a feature target on a given day."""
    day = day or dt.date(2023, 9, 19)
    if target == "@contact_line":
        return "contact_line:contact_line_1994" if day < dt.date(2020, 11, 10) else "contact_line:contact_line_2020"
    if target in ("@corridor", "@hakari_bridge"):
        return "lachin_corridor:route_2020_road" if day < CORRIDOR_SWITCH and target == "@corridor" else "lachin_corridor:route_2022_road"
    if target == "@seven_districts":
        return "seven_districts"
    if target.startswith("@district:"):
        return "seven_districts:" + target.split(":", 1)[1]
    if target == "@region":
        return "peacekeeping_zone:peacekeeping_zone" if dt.date(2020, 11, 10) <= day <= dt.date(2023, 9, 20) else "nkao:nkao"
    if target == "@peacekeeping_zone":
        return "peacekeeping_zone:peacekeeping_zone"
    if target == "@border":
        return "borders:ARM-AZE"
    raise KeyError(target)
