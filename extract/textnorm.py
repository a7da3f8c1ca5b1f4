"""Text folding for matching: case, diacritics, Azerbaijani letters and mixed scripts.

:func:`fold` maps every character to exactly one character, so offsets in the folded
text are offsets in the original: a match found in folded text points at the same
span of the article.
"""
from __future__ import annotations

import functools
import unicodedata

# Letters NFKD does not reduce to ASCII, and Cyrillic letters that look Latin (a
# mixed-script "Xankәndi" uses Cyrillic schwa; "Stepаnakert" may hide a Cyrillic a).
_SPECIAL = {
    "ə": "e", "Ə": "e", "ә": "e", "Ә": "e", "ı": "i", "İ": "i", "ł": "l", "ø": "o", "đ": "d",
    "ß": "s", "æ": "a", "œ": "o", "ʻ": "'", "ʼ": "'", "’": "'", "‘": "'", "`": "'", "´": "'",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "\u00a0": " ",
}
_CYRILLIC_LOOKALIKE = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "к": "k", "м": "m",
    "т": "t", "н": "h", "в": "b", "і": "i", "ј": "j", "ѕ": "s",
}


# ASCII letters fold by a lower-case table; other ASCII stays. Both keep the length.
_ASCII_SAFE = frozenset(chr(i) for i in range(128) if chr(i) not in "`")
_ASCII_LOWER = str.maketrans({chr(i): chr(i).lower() for i in range(65, 91)} | {"`": "'"})


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    low = ch.lower()
    if len(low) != 1:
        low = ch
    base = unicodedata.normalize("NFKD", low)
    for c in base:
        if not unicodedata.combining(c):
            return c if len(c) == 1 else low
    return low if not unicodedata.combining(low) else " "


def fold(text: str) -> str:
    """Case- and diacritic-folded text of the same length as ``text``.

    Latin and Cyrillic letters keep their script, except that Cyrillic look-alikes
    inside a word that also has Latin letters become Latin (so a mixed-script
    "Xankәndi" folds like "Xankendi").
    """
    table = {ord(c): _fold_char(c) for c in set(text) if c not in _ASCII_SAFE}
    folded = text.translate(table) if table else text
    # ASCII text (most reports, once quotes and dashes are folded) lower-cases in C
    folded = folded.lower().replace("`", "'") if folded.isascii() else folded.translate(_ASCII_LOWER)
    if any(c in _CYRILLIC_LOOKALIKE for c in set(folded)):
        out = list(folded)
        _latinise_mixed_words(out)
        return "".join(out)
    return folded


def _latinise_mixed_words(chars: list[str]) -> None:
    start = 0
    n = len(chars)
    while start < n:
        while start < n and not chars[start].isalpha():
            start += 1
        end = start
        while end < n and (chars[end].isalpha() or chars[end] in "'-"):
            end += 1
        word = chars[start:end]
        if any("a" <= c <= "z" for c in word) and any(c in _CYRILLIC_LOOKALIKE for c in word):
            for i in range(start, end):
                chars[i] = _CYRILLIC_LOOKALIKE.get(chars[i], chars[i])
        start = end + 1


@functools.lru_cache(maxsize=65536)
def fold_key(text: str) -> str:
    """A folded lookup key: :func:`fold` with runs of spaces and hyphens made one space."""
    folded = fold(text.strip())
    return " ".join(folded.replace("-", " ").split())


# English, Russian-style and Azerbaijani spellings of one name, brought to one skeleton
# (applied after fold(), which has already made ş->s, ç->c, ğ->g, ı->i, ə->e, ü->u).
_TRANSLIT_STEPS: tuple[tuple[str, str], ...] = (
    ("'", ""), ("dzh", "c"), ("gy", "g"), ("ky", "k"), ("kh", "x"), ("sh", "s"), ("ch", "c"), ("gh", "g"), ("zh", "j"), ("j", "c"),
    ("q", "g"), ("w", "v"), ("e", "a"), ("y", "i"), ("ou", "u"),
)


@functools.lru_cache(maxsize=65536)
def translit_key(word: str) -> str:
    """A loose key under which the usual transliterations of one name agree.

    "Shukurbayli" and "Şükürbəyli", "Dejal" and "Dəcəl", "Khocik" and "Xocik",
    "Gubadli" and "Qubadlı", "Dzhafarabad" and "Jafarabad" get the same key: digraphs
    are reduced (kh/x, sh/ş, ch/ç, gh/ğ, j/c, q/g; Russian-style "gy", "ky" as g, k), ``a``/``e`` and ``i``/``y`` are
    one vowel each, apostrophes go, and doubled letters are written once. Use it only
    where a looser match is wanted: different names can share a key.
    """
    s = fold_key(word)
    for a, b in _TRANSLIT_STEPS:
        s = s.replace(a, b)
    out = []
    for ch in s:
        if not out or ch != out[-1] or ch == " ":
            out.append(ch)
    return "".join(out)


def translit_phrase(key: str) -> str:
    """:func:`translit_key` of each word of a folded key ("yuxari maralyan" -> "iuxari maralian")."""
    return " ".join(translit_key(w) for w in key.split(" "))
