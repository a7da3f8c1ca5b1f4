"""A literal prefilter for regular expressions.

Most of the extractor's patterns are long alternations of words: scanning a sentence
with each costs far more than asking whether the sentence contains any of the words
every match must contain. :func:`required_literals` finds those words in the parsed
pattern (CPython's own ``re`` parser); :func:`may_contain_match` is the test. The
prefilter only ever skips a scan that could not match, so results are the same with
it and without it; on another Python, where the parser differs, it is simply off.
:class:`Prefiltered` wraps a pattern with its literals.
"""
from __future__ import annotations

import re
from typing import Iterator


def _literals_in(items: list) -> list[str] | None:
    """Literal texts one of which every match of a parsed pattern sequence contains,
    chosen to be as long (as selective) as the pattern allows, or ``None`` when the
    pattern has none (see :func:`required_literals`)."""
    from re import _constants as sre  # the parser's own opcodes (CPython's re package)

    def one(op, av) -> list[str] | None:
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

    best: list[str] | None = None
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is sre.LITERAL:
            run = ""
            while i < len(items) and items[i][0] is sre.LITERAL:
                run += chr(items[i][1])
                i += 1
            found = [run]
        else:
            found = one(op, av)
            i += 1
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found
    return best


def required_literals(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Substrings of which a lower-cased text must hold one for ``pattern`` to match it,
    or ``None`` when the pattern gives none (then every text must be scanned)."""
    try:
        from re import _parser

        found = _literals_in(list(_parser.parse(pattern.pattern).data))
    except Exception:  # another Python's internals: no prefilter, the same results
        return None
    if not found or min(map(len, found)) < 2 or any(n != n.lower() for n in found):
        return None  # tested on lower-cased text: an upper-case literal would never be found
    return tuple(sorted(set(found)))


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
    """A compiled pattern that skips, by :func:`may_contain_match`, the texts it cannot
    match: ``search`` and ``finditer`` give what the pattern's own would."""

    __slots__ = ("pattern", "needles")

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern
        self.needles = required_literals(pattern)

    def search(self, text: str) -> re.Match | None:
        """The pattern's first match in ``text``, or ``None``."""
        return self.pattern.search(text) if may_contain_match(self.needles, text.lower()) else None

    def finditer(self, text: str, low: str | None = None) -> Iterator[re.Match]:
        """The pattern's matches in ``text`` (``low``: ``text.lower()``, when known)."""
        if may_contain_match(self.needles, text.lower() if low is None else low):
            return self.pattern.finditer(text)
        return iter(())
