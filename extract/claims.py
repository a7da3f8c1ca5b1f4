"""Whether a sentence reports an event as fact, as someone's claim, or as a denial, and whose.

``claim_in`` reads the sentence an event came from. A denial ("denied", "rejected the
reports", "the claims are false") makes the event a ``denial``; a speech verb or "according
to" makes it a ``claim``; otherwise it is a plain report (``""``). The claimant is the side
(``events.sources.SIDES``) of the official or body the sentence cites, else of the
government its subject names ("Baku said", "Yerevan denied"), else of the outlet when the
outlet is itself an official voice (a ministry's statement is its claim).
"""
from __future__ import annotations

import re

from events.sources import OFFICIAL_SIDES, cited_sides, side_of

from .prefilter import Prefiltered

_DENIAL = re.compile(
    r"\b(?:denied|denies|deny|denying|refuted|refutes|refuting"
    r"|rejected|rejects|dismissed)\b(?=[^.;]{0,80}\b(?:claims?|reports?|allegations?|accusations?|information|statements?|attack|shelling|strike|fire|firing|striking|shooting|killing|targeting|violat))"
    r"|\b(?:denied|denies|refuted|refutes)\b"
    r"|\b(?:claims?|reports?|allegations?|information|statements?) (?:(?:is|was|are|were) )?(?:false|untrue|groundless|baseless|fake|not true|a lie)"
    r"|\b(?:disinformation|fake news)\b",
    re.IGNORECASE,
)
# a verb that denies what follows it (the extractor keeps such a trigger as a denial)
DENIAL_VERB = re.compile(r"\b(?:denied|denies|deny|denying|refuted|refutes|rejected|rejects)\b", re.IGNORECASE)
_SPEECH = re.compile(
    r"\b(?:said|says|say|saying|claimed|claims|claiming|alleged|alleges|accused|accuses|accusing|blamed|blames"
    r"|reported|reports|stated|states|announced|announces|told|insisted|insists|wrote|tweeted)\b"
    r"|\baccording to\b|\bquoted\b|\bcited\b",
    re.IGNORECASE,
)
_DENIAL_FILTERED, _SPEECH_FILTERED = Prefiltered(_DENIAL), Prefiltered(_SPEECH)
# A government named as the speaker: the words before the verb, nearest first.
_SPEAKERS = (
    ("azerbaijani_official", re.compile(r"\b(?:baku|azerbaijan(?:'s|i)?|azerbaijani (?:officials|authorities|government|side|presidency))\b", re.IGNORECASE)),
    ("armenian_official", re.compile(r"\b(?:yerevan|stepanakert|armenia(?:'s|n)?|karabakh(?:'s)?|artsakh(?:'s)?|(?:karabakh|separatist|ethnic armenian) (?:authorities|officials|leaders?))\b", re.IGNORECASE)),
    ("russian_official", re.compile(r"\b(?:moscow|kremlin|russia(?:'s|n)?)\b", re.IGNORECASE)),
)
_SPEAKER_REACH = 90  # characters before the verb where the speaker is named


def claim_in(sentence: str, source: str, *, denied: bool | None = None) -> tuple[str, str]:
    """``(kind, claimant)`` of an event read from ``sentence``.

    Parameters
    ----------
    sentence
        The evidence sentence.
    source
        The event's ``source``: the outlet, then the officials the sentence cites.
    denied
        Whether the event's own trigger is what a denial verb denies (the extractor
        knows); ``None`` to judge from the whole sentence. A sentence may deny one thing
        and claim another ("denied hitting civilians, and accused Armenia of firing on
        Tartar").

    Returns
    -------
    tuple
        ``kind`` is ``"denial"``, ``"claim"`` or ``""`` (a plain report); ``claimant`` a
        side of ``events.sources.SIDES`` or ``""`` (no one named; the outlet reports it).
    """
    denial = _DENIAL_FILTERED.search(sentence) if denied is None or denied else None
    if denied and denial is None:
        denial = DENIAL_VERB.search(sentence)
    speech = denial or _SPEECH_FILTERED.search(sentence)
    outlet_side = side_of((source or "").split(";")[0])
    cited = [s for s in cited_sides(source) if s != "media"]
    if not speech:
        if outlet_side in OFFICIAL_SIDES:
            return "claim", outlet_side
        return "", ""
    claimant = _speaker_before(sentence, speech.start()) or _speaker_after(sentence, speech.end())
    if cited and not claimant:
        claimant = cited[0]
    if not claimant and outlet_side in OFFICIAL_SIDES + ("international",):
        claimant = outlet_side
    return ("denial" if denial else "claim"), claimant


def _speaker_before(sentence: str, at: int) -> str:
    window = sentence[max(0, at - _SPEAKER_REACH):at]
    best, best_pos = "", -1
    for side, rx in _SPEAKERS:
        for m in rx.finditer(window):
            if m.start() > best_pos:
                best, best_pos = side, m.start()
    cited = side_of(window) if best == "" else ""
    return best or (cited if cited != "media" else "")


def _speaker_after(sentence: str, at: int) -> str:
    """"..., said the Armenian defence ministry": the speaker follows the verb."""
    window = sentence[at:at + 60]
    for side, rx in _SPEAKERS:
        m = rx.search(window)
        if m and m.start() < 25:
            return side
    entry_side = side_of(window)
    return entry_side if entry_side != "media" else ""
