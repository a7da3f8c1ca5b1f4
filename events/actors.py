"""The actor table: who acts in this conflict, in ACLED's naming and categories.

ACLED names state forces "Military Forces of COUNTRY (YEAR-)" after the government in
office, and codes the forces of an unrecognised state as a rebel group (inter 2);
the table follows it. Each actor has the patterns that name it in reports.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """An actor: ACLED name, ACLED category (inter code), the side it belongs to,
    and regular expressions (case-insensitive) that name it in text."""

    id: str
    name: str
    inter: int
    side: str
    patterns: tuple[str, ...]
    is_source_only: bool = False


ACTORS: tuple[Actor, ...] = (
    Actor("az_forces", "Military Forces of Azerbaijan (2003-)", 1, "az", (
        r"(?:azerbaijani?|azeri) (?:army|armed forces|forces|troops|military|soldiers|units|artillery|drones?|side)",
        r"azerbaijan(?:'s)? (?:army|armed forces|forces|troops|military)",
        r"\bbaku\b(?=[^.]{0,40}(?:forces|troops|army))",
        r"azerbaijan (?:has |had )?(?:launched|started|began|attacked|shelled|fired|struck|took|captured|seized|violated|broke|regained|retook|set up|established|installed|blocked|closed)",
        r"\bazerbaijan\b(?= (?:said|says) its forces)",
    )),
    Actor("am_forces", "Military Forces of Armenia (2018-)", 1, "am", (
        r"armenian (?:army|armed forces|troops|military|soldiers|border guards?)",
        r"armenia(?:'s)? (?:army|armed forces|forces|troops|military)",
    )),
    Actor("ka_forces", "Karabakh Armenian forces (Artsakh Defence Army)", 2, "ka", (
        r"karabakh(?:i)? (?:armenian )?(?:forces|army|troops|fighters|defen[cs]e army|military)",
        r"(?:artsakh|nagorno-karabakh|nkr)(?:'s)? (?:defen[cs]e army|army|forces|troops)",
        r"ethnic armenian (?:forces|fighters|troops|separatists)", r"armenian separatists?",
        r"separatist (?:forces|fighters|troops)", r"defen[cs]e army",
        r"armenian (?:forces|positions|military positions)",
    )),
    Actor("ru_peacekeepers", "Military Forces of Russia (2000-) Peacekeeping contingent", 8, "ru", (
        r"russian peace ?keep(?:ers|ing (?:forces|troops|contingent|mission))", r"peace ?keepers",
    )),
    Actor("eu_mission", "EUMA: European Union Mission in Armenia", 8, "eu", (
        r"\beuma\b", r"eu (?:monitoring )?mission", r"european union mission", r"eu monitors",
    )),
    Actor("az_police", "Police Forces of Azerbaijan (2003-)", 1, "az", (
        r"azerbaijani (?:police|border (?:service|guards?)|state border service)", r"border checkpoint",
    )),
    Actor("protesters_az", "Protesters (Azerbaijan)", 6, "az", (
        r"(?:eco-?)?activists", r"protesters", r"demonstrators",
    )),
    Actor("civilians", "Civilians", 7, "", (
        r"civilians?", r"residents", r"refugees", r"displaced people",
    )),
)
ACTORS_BY_ID = {a.id: a for a in ACTORS}

# Named officials and bodies cited as sources: they say, they do not act.
SOURCE_PATTERNS: dict[str, str] = {
    r"defen[cs]e ministry in baku|azerbaijan(?:i|'s)? defen[cs]e ministry|ministry of defen[cs]e of azerbaijan|azerbaijani mod": "Azerbaijani Ministry of Defence",
    r"defen[cs]e ministry in yerevan|armenia(?:n|'s)? defen[cs]e ministry|ministry of defen[cs]e of armenia": "Armenian Ministry of Defence",
    r"(?:karabakh|nagorno-karabakh|artsakh)[^.]{0,20}defen[cs]e ministry|defen[cs]e army": "Karabakh Armenian Ministry of Defence",
    r"russian defen[cs]e ministry|russia's defen[cs]e ministry|russian mod": "Russian Ministry of Defence",
    r"foreign ministry spokes(?:wo)?man maria zakharova|maria zakharova": "Russian Foreign Ministry (Maria Zakharova)",
    r"ruben vardanyan": "Ruben Vardanyan",
    r"arayik harutyunyan": "Arayik Harutyunyan",
    r"samvel shahramanyan": "Samvel Shahramanyan",
    r"hikmet hajiyev": "Hikmet Hajiyev",
    r"ilham aliyev|president aliyev": "Ilham Aliyev",
    r"nikol pashinyan|prime minister pashinyan": "Nikol Pashinyan",
    r"toivo klaar": "Toivo Klaar (EU)",
    r"\bicrc\b|red cross": "ICRC",
    r"artsakh ombudsman|human rights defender": "Artsakh Human Rights Defender",
}

_COMPILED = [(a, re.compile("|".join(f"(?:{p})" for p in a.patterns), re.IGNORECASE)) for a in ACTORS]
_COMPILED_SOURCES = [(re.compile(p, re.IGNORECASE), name) for p, name in SOURCE_PATTERNS.items()]


@functools.lru_cache(maxsize=256)
def actors_in(text: str) -> tuple[tuple[int, Actor], ...]:
    """Actors named in ``text``, as (offset, actor), in order of first mention (cached:
    the extractor asks once per event, and a sentence often reports several)."""
    found = []
    for actor, rx in _COMPILED:
        m = rx.search(text)
        if m:
            found.append((m.start(), actor))
    return tuple(sorted(found, key=lambda t: t[0]))


@functools.lru_cache(maxsize=256)
def sources_in(text: str) -> tuple[str, ...]:
    """Named sources (officials, ministries) cited in ``text``, in order (cached)."""
    found = []
    for rx, name in _COMPILED_SOURCES:
        m = rx.search(text)
        if m:
            found.append((m.start(), name))
    return tuple(n for _, n in sorted(found))
