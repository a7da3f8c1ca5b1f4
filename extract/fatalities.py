"""Fatality counts by ACLED's rules: the lowest figure reported; "dozens" is 12,
"hundreds" 100, "several", "a few" and "many" 3 when no number is given."""
from __future__ import annotations

import re

from .prefilter import Prefiltered

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a hundred": 100, "hundred": 100,
    "a dozen": 12, "dozen": 12, "a soldier": 1, "a civilian": 1, "a serviceman": 1, "a man": 1, "a woman": 1,
    "a child": 1,
}
VAGUE = {"dozens": 12, "scores": 12, "hundreds": 100, "thousands": 1000, "several": 3, "a few": 3, "many": 3, "some": 3}

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+|" + "|".join(sorted(map(re.escape, WORD_NUMBERS), key=len, reverse=True)) + r")"
_KILLED = r"(?:killed|dead|died|deaths?|lost (?:their |his |her )?lives?|fatalities|death toll|bodies)"
# Prefiltered: most sentences name no deaths, and these patterns try a number at every word
_COUNT_BEFORE = Prefiltered(re.compile(
    rf"\b(?:at least |some |about |around |nearly |almost |more than |over |up to |as many as )?(?P<n>{_NUM}|dozens|scores|hundreds|thousands|several|a few|many)"
    rf"(?:\s+(?:\w+\s+){{0,4}}?)(?:were |was |have been |had been |are |being )?(?:reported |confirmed )?{_KILLED}\b",
    re.IGNORECASE,
))
_COUNT_AFTER = Prefiltered(re.compile(rf"\b(?:{_KILLED}|killing|claimed the lives of)\b\s+(?:of\s+|at\s+least\s+|rose to\s+|reached\s+|stood at\s+|was\s+|to\s+)*(?P<n>\d{{1,3}}(?:,\d{{3}})*|{_NUM})\b", re.IGNORECASE))
_RANGE = re.compile(rf"\bbetween (?P<a>{_NUM}) and (?P<b>{_NUM})\b|\b(?P<c>\d+)\s*(?:-|to|–)\s*(?P<d>\d+)\b", re.IGNORECASE)


_SINGLE = Prefiltered(re.compile(
    r"(?<!no )(?<!no-)\b(?:an?|one)\s+(?:\w+\s+){0,2}(?:serviceman|soldier|civilian|man|woman|child|boy|girl|person|officer|conscript|resident|driver|farmer)\b"
    r"[^.;]{0,25}?\b(?:was|has been|had been|is)\s+(?:reported\s+)?(?:killed|shot dead|dead)\b",
    re.IGNORECASE,
))


def _value(token: str) -> int | None:
    t = token.lower().strip()
    if t in VAGUE:
        return VAGUE[t]
    if t in WORD_NUMBERS:
        return WORD_NUMBERS[t]
    digits = t.replace(",", "")
    return int(digits) if digits.isdigit() else None


def fatalities_in(text: str) -> int:
    """The lowest number of deaths ``text`` reports (0 when it reports none)."""
    counts: list[int] = []
    lowered = text.lower()
    for rx in (_COUNT_BEFORE, _COUNT_AFTER):
        for m in rx.finditer(text, lowered):
            if re.search(r"\bno[\s-]*$", text[max(0, m.start() - 4):m.start()], re.IGNORECASE):
                continue  # "no one was killed"
            span_text = text[max(0, m.start() - 30):m.end()]
            r = _RANGE.search(span_text)
            if r:
                low = _value(r.group("a") or r.group("c"))
                if low is not None:
                    counts.append(low)
                    continue
            v = _value(m.group("n"))
            if v is not None and not _is_year(m.group("n")):
                counts.append(v)
    if not counts and _SINGLE.search(text):
        counts.append(1)
    return min(counts) if counts else 0


def _is_year(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and token.startswith(("19", "20"))
