"""The gazetteer: every name a report may use for a place or a layer feature.

Built on the ``places`` layer (each place with its Armenian-usage, Azerbaijani-usage,
Azerbaijani-script, Russian and other spellings) plus phrases that name layer features
("the line of contact", "the Lachin corridor", "the Hakari bridge", "the seven
districts", "Kalbajar district"). Matching is case- and diacritic-insensitive, on
whole words, longest name first.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Iterator

import layers

from .textnorm import fold, fold_key

# Phrases naming layer features. Target "corridor" resolves by date to the road in use.
FEATURE_PHRASES: dict[str, tuple[str, ...]] = {
    "contact_line": (
        "line of contact", "contact line", "line of contract", "lines of contact", "frontline",
        "front line", "front lines", "frontlines", "line of control",
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
        "interstate border",
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


@dataclass(frozen=True)
class _Entry:
    target: str
    kind: str


class Gazetteer:
    """Names to places and features; :meth:`find` lists the mentions in a text."""

    def __init__(self) -> None:
        places = layers.load_layer("places")
        districts = layers.load_layer("seven_districts")
        names: dict[str, _Entry] = {}
        self.place_ids = set(places["id"])
        for row in places.itertuples():
            spellings = [row.name_en, row.name_hy, row.name_az_en, row.name_az, row.name_hy_script]
            spellings += [a.strip() for a in str(row.aliases or "").split(";")]
            for s in spellings:
                key = fold_key(s) if isinstance(s, str) else ""
                if len(key) >= 3 and key not in names:
                    names[key] = _Entry(row.id, "place")
        town_names: dict[str, set[str]] = {}
        for key, entry in names.items():
            town_names.setdefault(entry.target, set()).add(key)
        for row in districts.itertuples():
            for s in {row.name_en, row.name_az, row.name_hy, row.feature_id} | town_names.get(row.feature_id, set()):
                for word in DISTRICT_WORDS:
                    names.setdefault(fold_key(f"{s} {word}"), _Entry(f"@district:{row.feature_id}", "feature"))
                names.setdefault(fold_key(f"{s}skiy rayon"), _Entry(f"@district:{row.feature_id}", "feature"))
        for feature, phrases in FEATURE_PHRASES.items():
            for phrase in phrases:
                names[fold_key(phrase)] = _Entry(f"@{feature}", "feature")
        self._names = names
        # First word -> longest name (in words) starting with it: lets find() try only the
        # n-grams that can match, instead of one regex with a thousand alternatives.
        self._longest: dict[str, int] = {}
        for key in names:
            words = key.split(" ")
            self._longest[words[0]] = max(self._longest.get(words[0], 0), len(words))

    def __len__(self) -> int:
        return len(self._names)

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
        i = 0
        while i < len(tokens):
            longest = self._longest.get(tokens[i][2], 0)
            hit = None
            for n in range(min(longest, len(tokens) - i), 0, -1):
                if n > 1 and any(folded[tokens[k][1]:tokens[k + 1][0]].strip(" -\t") for k in range(i, i + n - 1)):
                    continue  # words separated by more than spaces or hyphens
                entry = self._names.get(" ".join(t[2] for t in tokens[i:i + n]))
                if entry is not None:
                    hit = (n, entry)
                    break
            if hit is None:
                i += 1
                continue
            n, entry = hit
            start, end = tokens[i][0], tokens[i + n - 1][1]
            m = _Span(start, end)
            i += n
            ambiguous = ""
            if entry.kind == "place" and entry.target in TOWN_OR_DISTRICT:
                ambiguous = f"'{text[m.start:m.end]}' may mean the town or the district"
                if entry.target == "lachin":
                    ambiguous = "'Lachin' may mean the town, the district or the corridor"
            yield Mention(m.start, m.end, text[m.start:m.end], entry.target, entry.kind, ambiguous)


@functools.lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer built from the bundled layers (cached)."""
    return Gazetteer()


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
