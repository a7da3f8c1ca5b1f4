"""Names a report gives as places that the gazetteer does not know.

A report often names a village or a height that no gazetteer holds ("the strategic
Lala-Tepe height", "the villages of A, B and Asgarli in Fuzuli"). Dropping the name
loses the event; guessing a point invents a location. The pipeline keeps the name as
the event's ``location`` and places it on what contains it (the district or town named
"in X" after it, else the report's area), with a coarse geo precision and a note that
says so, for a reviewer to locate.

Only explicit place constructions count, so that a capitalised word is not taken for
a place on its own:

- a list after "the village(s)/settlement(s)/height(s)/hill(s) of";
- a name before "height(s)", "hill", "village" or "settlement" ("the Lala-Tepe height",
  "Madagiz village").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-ZÀ-ÖØ-ÞƏŞÇĞÜİ][\w'’]*(?:-[\w'’]+)*"
_NAME_RUN = rf"{_NAME}(?:\s+{_NAME}){{0,2}}"
_PLACE_NOUN_OF = re.compile(r"\b(?:villages?|settlements?|hamlets?|heights?|hills?)\s+of\s+", re.IGNORECASE)
_LIST_ITEM = re.compile(rf"(?:\s*(?:,|;|\band\b|\bas well as\b))*\s*(?:the\s+)?(?P<name>{_NAME_RUN})"
                        rf"(?:\s+in\s+(?:the\s+)?{_NAME_RUN}(?:\s+(?:district|region|province|rayon))?)?(?:,\s*again\b)?")
_SPEECH_AFTER = re.compile(r"\s*,?\s*(?:said|says|told|reported|announced|stated|claimed|added|wrote|tweeted|noted)\b", re.IGNORECASE)
_NAME_BEFORE_NOUN = re.compile(rf"(?P<name>{_NAME_RUN})\s+(?:heights?|hill|village|settlement)\b")
# Capitalised words that are not place names in these constructions.
_NOT_A_NAME = {
    "the", "a", "an", "and", "in", "of", "armenian", "azerbaijani", "azeri", "karabakh", "russian", "turkish", "iranian",
    "strategic", "key", "important", "several", "many", "some", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "other", "border", "frontline", "front", "mountain", "mountainous", "nagorno", "nagorno-karabakh",
    "ancient", "historic", "historical", "former", "occupied", "liberated", "abandoned", "neighbouring", "neighboring",
    "nearby", "northern", "southern", "eastern", "western", "central", "upper", "lower", "new", "old", "this", "that",
    "these", "those", "its", "their", "his", "her", "our", "christian", "muslim", "ethnic", "soviet", "glorious", "army",
    "forces", "troops", "ministry", "defense", "defence", "according",
}


@dataclass(frozen=True)
class UnlocatedName:
    """A place name in ``sentence[start:end]`` that the gazetteer did not find."""

    start: int
    end: int
    surface: str


def _clean(run: str, start: int) -> tuple[int, str] | None:
    """Drop leading non-names ("the Strategic ..."); ``None`` when nothing is left."""
    words = run.split()
    while words and words[0].casefold() in _NOT_A_NAME:
        start += len(words[0]) + 1
        words = words[1:]
    if not words or any(w.casefold() in _NOT_A_NAME for w in words) or len("".join(words)) < 3:
        return None
    return start, " ".join(words)


def unlocated_names(sentence: str, known: list[tuple[int, int]]) -> list[UnlocatedName]:
    """The place names of ``sentence`` in an explicit place construction that overlap
    none of the ``known`` spans (the gazetteer's mentions, sentence offsets)."""
    found: dict[int, UnlocatedName] = {}

    def add(a: int, b: int, text: str) -> None:
        cleaned = _clean(text, a)
        if cleaned is None or text.endswith(("'s", "’s")) or _SPEECH_AFTER.match(sentence, b):
            return
        a, name = cleaned
        b = a + len(name)
        if any(a < kb and ka < b for ka, kb in known):
            return
        found.setdefault(a, UnlocatedName(a, b, name))

    for head in _PLACE_NOUN_OF.finditer(sentence):
        pos = head.end()
        while pos < len(sentence):
            m = _LIST_ITEM.match(sentence, pos)
            if not m or m.end() == pos:
                break
            add(m.start("name"), m.end("name"), m.group("name"))
            pos = m.end()
    for m in _NAME_BEFORE_NOUN.finditer(sentence):
        add(m.start("name"), m.end("name"), m.group("name"))
    return sorted(found.values(), key=lambda u: u.start)
