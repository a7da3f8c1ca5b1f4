"""Dates in report text, resolved against the publication date.

- A weekday ("on Tuesday") is the latest such day on or before publication.
- "today", "this morning", "tonight" are the publication day; "yesterday", "last
  night" and "overnight" the day before; "N days ago" counts back.
- "on Sept. 19", "12 December", "December 12, 2022", "2023-09-19" are days; without a
  year the latest such date on or before publication is meant.
- "last week" is a week (ACLED time precision 2); "in September 2023" or "this month"
  a month (precision 3).
- A year alone ("in 2020") is context, never an event date.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .prefilter import may_contain_all, required_groups

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1, "an": 1}

_M = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<mo>\d\d)-(?P<d>\d\d)\b")),
    ("day_month_year", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_M},?\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("month_day_year", re.compile(rf"\b{_M}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("day_month", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_M}(?![a-z])", re.I)),
    ("month_day", re.compile(rf"\b{_M}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:%|km|per|people|troops|soldiers|,\d))", re.I)),
    ("weekday", re.compile(r"\b(?:(?P<last>last|past|this|on|since|early|late)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?P<part>morning|afternoon|evening|night))?\b", re.I)),
    ("yesterday", re.compile(r"\b(?:yesterday|last night|overnight|the previous (?:day|evening|night)|the day before|the night before)\b", re.I)),
    ("today", re.compile(r"\b(?:today|this morning|this afternoon|this evening|tonight|earlier today|on the day)\b", re.I)),
    ("days_ago", re.compile(r"\b(?P<n>\d+|one|two|three|four|five|six|seven|a|an)\s+days?\s+(?:ago|earlier)\b", re.I)),
    ("last_week", re.compile(r"\b(?:last|past|previous)\s+week\b", re.I)),
    ("month_year", re.compile(rf"\b(?:in|during|since|through|throughout|of|early|late|mid-?)\s*{_M}\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("month_only", re.compile(rf"\b(?:in|during|early|late|mid-?)\s*{_M}(?!\s*\d)\b", re.I)),
    ("this_month", re.compile(r"\bthis month\b", re.I)),
]
# A date naming a document or an event ("the November 10 statement") dates that
# thing, not the sentence's event.
_ATTRIBUTIVE = re.compile(r"^\s*(?:trilateral\s+|joint\s+|tripartite\s+)?(?:statement|agreement|deal|declaration|accord|cease-?fire|truce|protocol|memorandum|war|offensive|elections?|ultimatum|meeting|summit)\b", re.I)
YEAR_RX = re.compile(r"\b(?:in|since|of|during|until|by)\s+(?:the\s+(?:early\s+|mid-?|late\s+)?)?(?:19|20)\d\d(?:'?s)?\b|\b(?:19|20)\d\d(?:'?s)?\b|\byears? ago\b|\bdecades?\b", re.I)


@dataclass(frozen=True)
class ResolvedDate:
    """A date found in text: the day, ACLED time precision, and the words that gave it."""

    date: dt.date
    precision: int  # 1 day, 2 week, 3 month
    text: str
    start: int
    end: int


def _latest_on_or_before(month: int, day: int, ref: dt.date) -> dt.date:
    for year in (ref.year, ref.year - 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= ref + dt.timedelta(days=1):  # a day's slack for time zones
            return candidate
    raise ValueError("no such date")


def _resolve(kind: str, m: re.Match, ref: dt.date | None) -> tuple[dt.date, int] | None:
    g = m.groupdict()
    month = MONTHS.get((g.get("month") or "").lower().rstrip(".")) if g.get("month") else None
    if kind == "iso":
        return dt.date(int(g["y"]), int(g["mo"]), int(g["d"])), 1
    if kind in ("day_month_year", "month_day_year"):
        return dt.date(int(g["y"]), month, int(g["d"])), 1
    if kind == "month_year":
        return dt.date(int(g["y"]), month, 1), 3
    if ref is None:
        return None
    if kind in ("day_month", "month_day"):
        return _latest_on_or_before(month, int(g["d"]), ref), 1
    if kind == "weekday":
        target = WEEKDAYS[g["wd"].lower()]
        back = (ref.weekday() - target) % 7
        if (g.get("last") or "").lower() in ("last", "past") and back == 0:
            back = 7
        return ref - dt.timedelta(days=back), 1
    if kind == "yesterday":
        return ref - dt.timedelta(days=1), 1
    if kind == "today":
        return ref, 1
    if kind == "days_ago":
        n = g["n"].lower()
        return ref - dt.timedelta(days=int(n) if n.isdigit() else NUMBER_WORDS[n]), 1
    if kind == "last_week":
        monday = ref - dt.timedelta(days=ref.weekday() + 7)
        return monday + dt.timedelta(days=3), 2
    if kind == "month_only":
        year = ref.year if month <= ref.month else ref.year - 1
        return dt.date(year, month, 1), 3
    if kind == "this_month":
        return ref.replace(day=1), 3
    return None


# what each pattern's matches must hold: a month's name and a digit, "day" and "ago" ...
_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {kind: required_groups(rx) or () for kind, rx in _PATTERNS}


def find_dates(text: str, reference: dt.date | None) -> list[ResolvedDate]:
    """Every date expression in ``text`` resolved against ``reference`` (the
    publication date), left to right, without overlaps. Expressions that need a
    reference are skipped when it is ``None``."""
    found: list[ResolvedDate] = []
    taken = bytearray(len(text))  # characters already part of a date: linear, however many dates
    low = text.lower()
    present: dict[tuple[str, ...], bool] = {}  # the patterns share groups (the months): each tested once
    for kind, rx in _PATTERNS:
        for group in _GROUPS[kind]:
            ok = present.get(group)
            if ok is None:
                ok = present[group] = may_contain_all((group,), low)
            if not ok:
                break
        else:
            ok = True
        if not ok:
            continue  # a part this pattern needs is missing (extract.prefilter)
        for m in rx.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            try:
                resolved = _resolve(kind, m, reference)
            except (ValueError, KeyError, TypeError):
                continue
            if resolved is None:
                continue
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
            if _ATTRIBUTIVE.match(text[m.end():m.end() + 40]):
                continue
            day, precision = resolved
            if reference is not None and day > reference + dt.timedelta(days=1) and precision == 1:
                continue  # a future date is an announcement, not an event day
            found.append(ResolvedDate(day, precision, m.group(0).strip(), m.start(), m.end()))
    return sorted(found, key=lambda r: r.start)


def has_year_only(text: str) -> bool:
    """Whether ``text`` dates itself only by a year or "years ago" (context, not a day)."""
    return bool(YEAR_RX.search(text))
