"""A literal prefilter for regular expressions.

Most of the extractor's patterns are long alternations of words: scanning a sentence
with each costs far more than asking whether the sentence contains any of the words
every match must contain. :func:`required_literals` finds those words in the parsed
pattern (CPython's own ``re`` parser); :func:`may_contain_match` is the test. The
prefilter only ever skips a scan that could not match, so results are the same with
it and without it; on another Python, where the parser differs, it is simply off.
:class:`LiteralIndex` tells, in one pass of an Aho-Corasick automaton (pyahocorasick),
which of many patterns' literals a text holds. :func:`required_groups` finds the
literals of every required part (a date needs a month's name and a digit),
:func:`may_contain_all` tests them all, and :class:`Prefiltered` wraps a pattern with
them.
"""
from __future__ import annotations

import re
from typing import Iterator, Sequence

try:
    import ahocorasick
except ImportError:  # a dependency (pyproject.toml); without it LiteralIndex loops, with the same results
    ahocorasick = None


def _parts(items: list) -> Iterator[tuple[list[str] | None, list]]:
    """The required parts of a parsed pattern sequence, in order: for each, the literal
    texts one of which every match of it contains (``None``: none) and its parsed items.
    A run of literal characters is one part."""
    from re import _constants as sre  # the parser's own opcodes (CPython's re package)

    i = 0
    while i < len(items):
        if items[i][0] is sre.LITERAL:
            j, run = i, ""
            while j < len(items) and items[j][0] is sre.LITERAL:
                run += chr(items[j][1])
                j += 1
            yield [run], items[i:j]
            i = j
        else:
            yield _item_literals(*items[i], sre), items[i:i + 1]
            i += 1


def _item_literals(op, av, sre) -> list[str] | None:
    """:func:`_literals_in` of one parsed item that is not a literal."""
    if op is sre.SUBPATTERN:
        return _literals_in(list(av[3].data))
    if op is sre.BRANCH:
        out: list[str] = []
        for alternative in av[1]:
            found = _literals_in(list(alternative.data))
            if found is None:
                return None
            out += found
        return out
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
        return _literals_in(list(av[2].data))
    return None


def _literals_in(items: list) -> list[str] | None:
    """Literal texts one of which every match of a parsed pattern sequence contains,
    chosen to be as long (as selective) as the pattern allows, or ``None`` when the
    pattern has none (see :func:`required_literals`)."""
    best: list[str] | None = None
    for found, _ in _parts(items):
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found
    return best


def required_literals(pattern: re.Pattern | str) -> tuple[str, ...] | None:
    """Substrings of which a lower-cased text must hold one for ``pattern`` (compiled, or
    its source) to match it, or ``None`` when the pattern gives none (then every text
    must be scanned)."""
    try:
        from re import _parser

        found = _literals_in(list(_parser.parse(pattern if isinstance(pattern, str) else pattern.pattern).data))
    except Exception:  # another Python's internals: no prefilter, the same results
        return None
    if not found or min(map(len, found)) < 2 or any(n != n.lower() for n in found):
        return None  # tested on lower-cased text: an upper-case literal would never be found
    return tuple(sorted(set(found)))


DIGIT = ("\\d",)  # a group that stands for "a decimal digit" (any script's, as ``\\d`` means)
_A_DIGIT = re.compile(r"\d")


def required_groups(pattern: re.Pattern) -> tuple[tuple[str, ...], ...] | None:
    """Every group of substrings one of which a lower-cased text must hold for
    ``pattern`` to match it, one group per required part of the pattern's top-level
    sequence ("\\bN days ago" needs "day" and one of "ago", "earlier"; a date needs a
    month's name and :data:`DIGIT`); ``None`` when the pattern gives none. Each group
    is one part's :func:`required_literals`; parts of one letter are not kept."""
    try:
        from re import _constants as sre
        from re import _parser

        groups: list[tuple[str, ...]] = []
        for found, part in _parts(list(_parser.parse(pattern.pattern).data)):
            if _needs_digit(part, sre):
                groups.append(DIGIT)
            if found and min(map(len, found)) >= 2 and all(n == n.lower() for n in found):
                groups.append(tuple(sorted(set(found))))
    except Exception:  # another Python's internals: no prefilter, the same results
        return None
    unique = list(dict.fromkeys(groups))
    unique.sort(key=lambda g: g is DIGIT)  # words first: a digit is the commonest part
    return tuple(unique) or None


def _needs_digit(items: list, sre) -> bool:
    """Whether every match of a parsed pattern sequence holds a decimal digit."""
    for op, av in items:
        if op is sre.IN and len(av) == 1 and av[0] == (sre.CATEGORY, sre.CATEGORY_DIGIT):
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1 and _needs_digit(list(av[2].data), sre):
            return True
        if op is sre.SUBPATTERN and _needs_digit(list(av[3].data), sre):
            return True
        if op is sre.BRANCH and all(_needs_digit(list(alt.data), sre) for alt in av[1]):
            return True
    return False


def may_contain_all(groups: tuple[tuple[str, ...], ...] | None, low: str) -> bool:
    """Whether a pattern whose :func:`required_groups` are ``groups`` can match the
    lower-cased text ``low`` (``False`` only when it certainly cannot)."""
    if groups is None:
        return True
    for group in groups:
        if group is DIGIT:
            if _A_DIGIT.search(low) is None:
                return False
        elif not may_contain_match(group, low):
            return False
    return True


def may_contain_match(needles: tuple[str, ...] | None, low: str) -> bool:
    """Whether a pattern whose :func:`required_literals` are ``needles`` can match the
    lower-cased text ``low`` (``False`` only when it certainly cannot)."""
    if needles is None:
        return True
    for needle in needles:  # a plain loop: no generator to build per call
        if needle in low:
            return True
    return False


class Prefiltered:
    """A compiled pattern that skips, by :func:`may_contain_all`, the texts it cannot
    match: ``search`` and ``finditer`` give what the pattern's own would."""

    __slots__ = ("pattern", "groups")

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern
        self.groups = required_groups(pattern)

    def search(self, text: str) -> re.Match | None:
        """The pattern's first match in ``text``, or ``None``."""
        return self.pattern.search(text) if may_contain_all(self.groups, text.lower()) else None

    def finditer(self, text: str, low: str | None = None) -> Iterator[re.Match]:
        """The pattern's matches in ``text`` (``low``: ``text.lower()``, when known)."""
        if may_contain_all(self.groups, text.lower() if low is None else low):
            return self.pattern.finditer(text)
        return iter(())


class LiteralIndex:
    """Which of many patterns' :func:`required_literals` a text holds, in one pass.

    ``needles[i]`` are pattern *i*'s literals (``None``: the pattern has none, and is
    always to be tried). :meth:`candidates` gives a bit mask with bit *i* set when
    pattern *i* may match: the same answer as :func:`may_contain_match` for each
    pattern, from one scan of an Aho-Corasick automaton instead of a loop over every
    literal of every pattern (50 against 4 microseconds for a sentence and the rules).
    """

    def __init__(self, needles: Sequence[tuple[str, ...] | None]) -> None:
        self._needles = tuple(needles)
        self._always = 0
        masks: dict[str, int] = {}
        for i, group in enumerate(self._needles):
            if group is None:
                self._always |= 1 << i
                continue
            for needle in group:
                masks[needle] = masks.get(needle, 0) | 1 << i
        self._automaton = None
        if ahocorasick is not None and masks:
            self._automaton = ahocorasick.Automaton()
            for needle, mask in masks.items():
                self._automaton.add_word(needle, mask)
            self._automaton.make_automaton()

    def candidates(self, low: str) -> int:
        """The bit mask of the patterns that may match the lower-cased text ``low``."""
        bits = self._always
        if self._automaton is not None:
            for _, mask in self._automaton.iter(low):
                bits |= mask
            return bits
        for i, group in enumerate(self._needles):
            if group is not None and may_contain_match(group, low):
                bits |= 1 << i
        return bits
