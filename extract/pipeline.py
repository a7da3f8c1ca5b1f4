"""Article to events, offline, by rules (docs/ARCHITECTURE.md, "The extraction pipeline").

For each sentence: the event rules that fire (not negated, hypothetical, requested,
cited or narrated as background), the places each trigger governs (gazetteer), its
date (explicit, or carried from the text before it, or the publication date), the
actors and sources, and the deaths reported. One event per place. A sentence that
names no place at all may take the area the report is about (the region, the line or
the border), with lower confidence and a note; otherwise an event with no place, or
dated only by a year, is returned as unplaced with the reason. Nothing is dated that
the text does not date, and history is listed apart from news.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
import re
from dataclasses import asdict, dataclass, field

from events import Event, EventError, make_event
from events.actors import ACTORS_BY_ID, Actor, actors_in, sources_in
from events.model import replace
from events.places import place_fields
from events.villages import village

from .article import Article, read_article
from .claims import DENIAL_VERB, claim_in
from .dates import find_dates, has_year_only
from .fatalities import fatalities_in
from .gazetteer import TOWN_OR_DISTRICT, Gazetteer, Mention, default_gazetteer, feature_ref
from .prefilter import LiteralIndex
from .unlocated import unlocated_names
from .rules import (
    CIVILIAN_RX, DEADLINE, DOCUMENT_REFERENCE, PEOPLE_TAKEN, RULES, SCHEDULED_HANDOVER, SHELLING_WORDS, SOLDIER_RX, Rule,
    REFERENCE, may_match, negated_or_hypothetical, rule_needles, requested,
)

log = logging.getLogger(__name__)

# Seats of government: a report names them as speakers ("Yerevan said") far more often
# than as where something happened.
CAPITALS = {"yerevan", "baku", "moscow", "ankara", "tehran"}
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|near|outside|around|into|across|on the outskirts of|streets of)\s+(?:central\s+|downtown\s+|the\s+)?$", re.IGNORECASE)
CELEBRATION = re.compile(r"\b(?:celebrat\w*|victory (?:march\w*|parades?|rall(?:y|ies))|festivit\w+|jubilant|rejoic\w+)\b", re.IGNORECASE)
_IDIOM_AFTER = re.compile(r"^\s+for\s+(?:his|her|their|its|the)\s+li(?:fe|ves)\b", re.IGNORECASE)
_DEAL_STRUCK = re.compile(r"\b(?:deal|agreement|accord|truce|cease-?fire|bargain|compromise|balance)\s+(?:\w+\s+)?struck\b|\bstruck\s+(?:a|an|the)\s+(?:\w+\s+)?(?:deal|agreement|accord|truce|bargain|compromise|balance|chord|note|tone)\b", re.IGNORECASE)
_UNLIKELY_AFTER = re.compile(r"^[^.;,]{0,70}?\b(?:(?:highly |very )?(?:unlikely|improbable|impossible|doubtful)|not expected)\b", re.IGNORECASE)
_NAMED_WAR = re.compile(r"\b(?:the\s+)?(?:(?:first|second|third)\s+(?:nagorno-?\s?)?karabakh\s+war|patriotic\s+war|44-day\s+war|six-week\s+war|"
                        r"(?:19|20)\d\d\s+war|war\s+(?:of|in)\s+(?:19|20)\d\d)\b", re.IGNORECASE)
_CASUALTY_WORDS = re.compile(r"\b(?:killed|died|dead|wounded|injured|hurt|casualt\w*)\b", re.IGNORECASE)
_CONCESSIVE_LEAD = re.compile(r"^(?:while|although|though|even though|whereas|despite)\b", re.IGNORECASE)
_THE_TOWN = re.compile(r"\bthe (?:city|town|regional capital|village|settlement)\b(?!\s+of\b)|\bin the (?:area|vicinity)\b(?!\s+of\b)",
                       re.IGNORECASE)
# "the damage done to the church": a building the report placed in a town before
_THE_BUILDING = re.compile(r"\bthe (?:church|cathedral|mosque|monastery|hospital|maternity hospital|school|market|"
                           r"bridge|airport|power (?:plant|station))\b(?!\s+(?:of|in|at|near)\b)", re.IGNORECASE)
BACKGROUND_YEARS = 5  # an event this many years before the report is history it narrates
VAGUE_BACKGROUND_DAYS = 60  # "at the end of September 2020" in a 2022 report: narrative, not news
SEVEN_DISTRICTS = {"kalbajar", "lachin", "qubadli", "zangilan", "jabrayil", "fuzuli", "aghdam"}

_ABBREV_END = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|St|No|Vol|vs|etc|e\.g|i\.e|U\.S|U\.N|U\.K|E\.U|[A-Z])\.$")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-ZÀ-ÖØ-ÞƏŞÇĞÜİ0-9А-Я])")
_CLAUSE_BREAK = re.compile(
    r"\s+(?:since|after|before|while|whereas|following|which|who|although|though|as well as)\s+|;\s*|\s+[-–—]\s+"
    # ", and it accused ...", ", but Armenian forces said ...": a new subject, a new clause
    r"|,\s+(?:and|but|yet)\s+(?=(?:it|he|she|they|we|its|their|his|her|the\s+\w+\s+(?:said|says|accused|reported|added))\b|(?-i:[A-Z]))",
    re.IGNORECASE)

# "recaptured the height, which Azeri troops seized on Saturday": a relative clause with
# a trigger of its own dates that trigger, not the one before it ("shelling of towns,
# which went on on Thursday" has none, and dates the shelling).
_RELATIVE_LEAD = re.compile(r"[\s,]*(?:which|who|whom|whose|where)\b", re.IGNORECASE)
def _has_trigger(text: str) -> bool:
    """Whether any event rule matches ``text`` (a short span: a relative clause)."""
    low = text.lower()  # a rule none of whose words the span holds is not compiled or run
    return any(may_match(rule, low) and rule.pattern.search(text) for rule in RULES if rule.name != "casualties")


_LEAD_SUBORDINATE = re.compile(r"^(?:since|after|following|before|when|once|as soon as)\b[^,;]{3,200},\s*", re.IGNORECASE)

# A place named as where a speaker sits, not where the event happened.
_SPEAKER_BEFORE = re.compile(
    r"\b(?:ministry|ministry of \w+|officials?|authorities|government|spokes\w+|mayor|governor|ombudsman|office|"
    r"administration|parliament|president|leader|envoy|embassy|correspondent|reporter|journalist|headquarters|"
    r"leadership|speaking|based|said|told)\s+(?:\w+\s+){0,2}(?:in|of|from)\s+(?:the\s+)?$", re.IGNORECASE)
_SPEAKER_AFTER = re.compile(
    r"^(?:-based\b|(?:'s?)? (?:armenian |azerbaijani )?(?:ombudsman|authorities|officials?|government|leader(?:ship)?|administration|defen[cs]e (?:ministry|army)|foreign ministry|human rights defender|emergency service|president)\b|'s? (?:mayor|governor|ombudsman|authorities|government|officials?|leader(?:ship)?|president|"
    r"administration|defen[cs]e ministry|foreign ministry|envoy|representative)\b|\s*(?:said|says|claims?|claimed|"
    r"accused|denied|rejected|urged|called|insisted|stated|announced|reported|warned)\b"
    # a place as the title of a speaker: "a Nagorno-Karabakh human rights lawyer said"
    r"|\s+(?:(?:human rights|foreign|defen[cs]e|local|regional|city|state|government|de facto|separatist|former|"
    r"emergenc(?:y|ies)|health)\s+){0,2}(?:lawyer|official|officials|ombudsman|spokes(?:man|woman|person)|minister|ministry|"
    r"president|prime minister|governor|mayor|analyst|lawmaker|mp|information cent(?:er|re)|news agency|press service|"
    r"television|radio)\b)", re.IGNORECASE)
_PEACEFUL_TRANSFER = re.compile(r"\b(?:handed (?:over|back)|handover|under the (?:\w+ )*(?:statement|agreement|deal)|(?:residents|population|people) (?:had )?(?:left|departed)|last [\w ]{0,30}(?:residents|inhabitants) left|withdr[ae]w\w*)\b", re.IGNORECASE)
_NEAR_BEFORE = re.compile(r"\b(?:near|outside|close to|on the outskirts of|outskirts of|around|north of|south of|east of|west of|kilometres from|km from|miles from)\s+(?:the\s+)?(?:\w+\s+){0,2}$", re.IGNORECASE)
_FORMER_BEFORE = re.compile(r"\bformer\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class UnplacedEvent:
    """An event the text reports that could not be placed or dated; listed, never dropped."""

    event_type: str
    sub_event_type: str
    evidence: str
    start: int
    end: int
    reason: str
    event_date: str = ""
    date_text: str = ""
    actor1: str = ""
    actor2: str = ""
    fatalities: int = 0
    places: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["unplaced"] = True
        return d


@dataclass
class ExtractionResult:
    """The events placed and dated, those that could not be, and background: events the
    report narrates from long before it (:data:`BACKGROUND_YEARS`), listed apart. A side's
    denial of an event ("the ministry denied shelling Martuni") is in ``denials``, not in
    ``events``: it is stored with the incident it denies and never drawn on its own."""

    article: Article
    events: list[Event] = field(default_factory=list)
    unplaced: list[UnplacedEvent] = field(default_factory=list)
    background: list[Event] = field(default_factory=list)  # narrated history: shown apart, never stored
    denials: list[Event] = field(default_factory=list)  # "X denied shelling Y": stored, linked to the incident, never drawn alone
    on_area: set[str] = field(default_factory=set)  # x_uid of events put on the report's area (their sentence names no place)
    unlocated: set[str] = field(default_factory=set)  # x_uid of events at a name the gazetteer does not know


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[_Sentence]:
    """Sentences with their offsets; line breaks always end a sentence."""
    out: list[_Sentence] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        last = 0
        for m in _SENTENCE_END.finditer(line):
            if _ABBREV_END.search(line[max(0, m.start() - 6):m.start()]):
                continue  # "Sept. 19", "U.S. envoy": not a sentence end
            _add(out, line, line_start, last, m.start())
            last = m.end()
        _add(out, line, line_start, last, len(line))
    return out


def _add(out: list[_Sentence], line: str, offset: int, a: int, b: int) -> None:
    seg = line[a:b]
    lead = len(seg) - len(seg.lstrip())
    seg = seg.strip()
    if seg:
        out.append(_Sentence(offset + a + lead, offset + a + lead + len(seg), seg))


def _clause_bounds(sentence: str, pos: int) -> tuple[int, int]:
    """The clause of ``sentence`` around character ``pos``. A leading subordinate clause
    ("Since fighting broke out on September 27, Shushi came under shelling") ends at
    its comma."""
    start, end = 0, len(sentence)
    lead_end, starts, ends = _clause_breaks(sentence)
    if lead_end:
        if pos < lead_end:
            end = lead_end - 1
        else:
            start = lead_end
    # breaks do not overlap, so their starts and ends are both sorted: two binary
    # searches, not a scan (a sentence of a thousand clauses stays linear)
    i = bisect.bisect_right(ends, pos) - 1  # the last break that ends at or before pos
    if i >= 0 and ends[i] > start:
        start = ends[i]
    j = bisect.bisect_left(starts, pos)  # the first break that starts at or after pos
    if j < len(starts):
        end = min(end, starts[j])
    return start, end


@functools.lru_cache(maxsize=512)
def _clause_breaks(sentence: str) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """Where a sentence's clauses break: the end of a leading subordinate clause (0 if
    none) and the starts and ends of the breaks, found once per sentence."""
    lead = _LEAD_SUBORDINATE.match(sentence)
    spans = [(m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(sentence)]
    return (lead.end() if lead else 0), tuple(a for a, _ in spans), tuple(b for _, b in spans)


def _is_headline(s: _Sentence) -> bool:
    return len(s.text) < 130 and not s.text.rstrip("\"”’)").endswith((".", "!", "?")) and s.text[:1].isupper() and sum(
        w[:1].isupper() for w in s.text.split()) >= max(3, len(s.text.split()) // 2)


def _why_blocked(sentence: str, rule: Rule, m: re.Match, concessive_end: int, celebration: bool) -> str:
    """Why the trigger ``m`` of ``rule`` reports no event ('' when it does): negated,
    hypothetical, a reference, an idiom, a celebration and the rest. One test for every
    match, the first of a rule and its repeats in relative clauses alike."""
    a, b = _clause_bounds(sentence, m.start())
    why = negated_or_hypothetical(sentence[a:b], m.start() - a, m.end() - a)
    if why == "negated" and _only_a_denial(sentence[a:b], m.start() - a, m.end() - a):
        why = ""  # "the ministry denied shelling X": kept, as that side's denial (extract.claims)
    if not why and rule.name in ("territory", "handover") and REFERENCE.search(sentence[max(0, m.start() - 60):m.start()]):
        why = "a reference to an earlier event"  # "positions which it claimed to have liberated"
    if not why and rule.event_type in _VIOLENT_PAIR and _ENDED_BEFORE.search(sentence[max(0, m.start() - 40):m.start()]):
        why = "the end of fighting, not fighting"  # "the ceasefire ended heavy fighting"
    if not why and rule.name == "territory" and PEOPLE_TAKEN.search(sentence[max(0, m.start() - 30):m.end() + 40]):
        why = "people captured, not territory"
    if not why and m.start() < concessive_end:
        why = "a concessive clause: background to the main clause"
    if not why and rule.name == "clash" and _IDIOM_AFTER.match(sentence[m.end():m.end() + 30]):
        why = "an idiom ('fighting for his life')"
    if not why and rule.name in ("shelling", "drone") and _DEAL_STRUCK.search(sentence[max(0, m.start() - 30):m.end() + 25]):
        why = "a deal struck, not a strike"
    if not why and _UNLIKELY_AFTER.match(sentence[m.end():m.end() + 90]):
        why = "said to be unlikely"
    if not why and rule.name == "agreement" and requested(sentence[a:b], m.start() - a):
        why = "an agreement asked for, not made"
    if not why and rule.name == "agreement" and DOCUMENT_REFERENCE.search(sentence[max(0, m.start() - 60):m.start()]):
        why = "a document cited, not a new agreement"
    if not why and rule.name == "protest" and celebration:
        why = "a celebration, not a protest"
    return why


# (order, rule): what _fire_all asks of each rule; and which rules' words a sentence
# holds, found in one pass
_RULE_TABLE = tuple(enumerate(RULES))
_RULE_WORDS = LiteralIndex([rule_needles(rule) for rule in RULES])


def _fire_all(sentence: str) -> list[tuple[Rule, re.Match]] | str:
    """Every rule that fires in ``sentence`` (its first unblocked match each), the one
    that decides the sentence first: the one whose words come first (the main clause
    usually leads), rule order breaking ties, a report of deaths only when nothing else
    fires, a riot over a protest. Returns the reason when every trigger was blocked,
    '' when there is none."""
    blocked = ""
    candidates = []
    low = sentence.lower()
    same_length = len(low) == len(sentence)  # "İ".lower() is two characters: then offsets would shift
    # a concessive lead ("While ..., ") holds background up to its comma
    concessive_end = sentence.find(",") if _CONCESSIVE_LEAD.match(sentence) else -1
    celebration = bool(CELEBRATION.search(sentence))
    candidates_mask = _RULE_WORDS.candidates(low)  # extract.prefilter: a rule none of whose words is here is skipped
    for order, rule in _RULE_TABLE:
        if not candidates_mask >> order & 1:
            continue
        fast = rule.lower if same_length else None
        for m in (fast.finditer(low) if fast is not None else rule.pattern.finditer(sentence)):
            why = _why_blocked(sentence, rule, m, concessive_end, celebration)
            if why.startswith("hypothetical") and rule.name in ("handover", "territory") and DEADLINE.search(sentence):
                candidates.append((False, m.start(), order, SCHEDULED_HANDOVER, m))  # announced, with a deadline
                break
            if why:
                blocked = blocked or why
                continue
            candidates.append((rule.name == "casualties", m.start(), order, rule, m))
            if rule.name != "casualties":
                candidates += [(False, m2.start(), order, rule, m2)
                               for m2 in _relative_repeats(sentence, low if fast is not None else sentence, rule, m, fast,
                                                           concessive_end, celebration)]
            break
    if not candidates:
        return blocked
    if any(c[3].event_type in _VIOLENT_PAIR for c in candidates):
        # "explosions shook the city as it came under shelling": the shelling says what they were
        candidates = [c for c in candidates if c[3].name != "explosion_reported"]
    candidates.sort(key=lambda c: c[:3])
    fired = [(c[3], c[4]) for c in candidates]
    if fired[0][0].name == "protest" and any(r.name == "riot" for r, _ in fired):
        # a protest that turned violent is a riot (ACLED's rule): the riot decides
        fired.sort(key=lambda rm: rm[0].name != "riot")
    return fired


_VIOLENT_PAIR = {"Battles", "Explosions/Remote violence"}
_DATE_RIGHT_AFTER = re.compile(r"\s+(?:on|in)\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?(?:\s+\d{1,2}\b)?",
                               re.IGNORECASE)
# a date that another action in the clause owns: "the deal the two sides reached on April 5"
_DATE_OWNER_BEFORE = re.compile(r"\b(?:reached|signed|agreed|declared|announced|struck|brokered|concluded)\s+(?:\w+\s+){0,1}(?:on|in)\s+(?:the\s+)?$",
                                re.IGNORECASE)
# a date the statement owns: "the ministry said on Monday (that ...)"
_SPEECH_BEFORE_DATE = re.compile(r"\b(?:said|says|reported|stated|announced|claimed|added|told\s+(?:\w+\s+){0,2}?)\s*(?:late\s+|early\s+)?$",
                                 re.IGNORECASE)
_SUBORDINATOR_BEFORE = re.compile(r"\b(?:after|before|since|following|while|whereas|although|though)\s+$", re.IGNORECASE)
_ENDED_BEFORE = re.compile(r"\b(?:ended|halted|stopped|end to|an end to|ending|halting|stopping)\s+(?:the\s+)?(?:\w+\s+){0,2}$", re.IGNORECASE)
_ONGOING_BEFORE = re.compile(r"\b(?:keeps?|continues? to|is still|are still|still)\s+(?:on\s+)?$", re.IGNORECASE)
_COORDINATE_BEFORE = re.compile(r"(?:,\s+(?:and|but|yet)|;)\s+$", re.IGNORECASE)
_RELATIVE_BEFORE = re.compile(r"(?:,\s*|\s)(?:which|where|whom|that)\s+$", re.IGNORECASE)


def _relative_repeats(sentence: str, text: str, rule: Rule, first: re.Match, fast: re.Pattern | None,
                      concessive_end: int, celebration: bool) -> list[re.Match]:
    """Later matches of ``rule`` that head a relative clause of their own ("recaptured
    the height, which Azeri troops seized on Saturday"): a second event of the same kind,
    kept when the clause has a date of its own (see :func:`_jobs`). ``text`` is what
    ``fast`` (the lower-case pattern) or else the rule's own pattern scans."""
    pattern = fast if fast is not None else rule.pattern
    first_clause = _clause_bounds(sentence, first.start())
    out = []
    for m in pattern.finditer(text, first.end()):
        a, b = _clause_bounds(sentence, m.start())
        if (a, b) == first_clause or not _RELATIVE_BEFORE.search(sentence[max(0, a - 12):a]):
            continue
        if _why_blocked(sentence, rule, m, concessive_end, celebration):
            continue
        out.append(m)
        if len(out) == 3:
            break
    return out


def _only_a_denial(clause: str, start: int, end: int) -> bool:
    """Whether the only negation of a trigger is a denial verb ("denied that its forces
    shelled"): the event is then someone's denial, which corroboration keeps."""
    before = clause[max(0, start - 60):start]
    if not DENIAL_VERB.search(before):
        return False
    return not negated_or_hypothetical(DENIAL_VERB.sub("said", clause[:start]) + clause[start:], start, end)


_CONJOINED = re.compile(r"^\s*(?:,\s*)?(?:and|as well as|along with|with)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def _conjoined(sentence: str, a: re.Match, b: re.Match) -> bool:
    """Whether two triggers are two actions joined by "and" ("fighting and shelling",
    "shelled and stormed"), not one action named twice ("shelled ... in what Baku called
    anti-terrorist measures")."""
    first, second = (a, b) if a.start() < b.start() else (b, a)
    return bool(_CONJOINED.match(sentence[first.end():second.start()]))


def _jobs(sentence: str, fired: list[tuple[Rule, re.Match]], mention_spans: list[tuple[int, int]], date_starts: list[int] = ()):
    """The events a sentence reports: (rule, match, in_scope) for the deciding trigger
    and for each other trigger that stands in a clause of its own with a place of its
    own ("A was shelled on Monday, while B was captured"). A trigger of the same kind
    counts only in a relative clause with a date of its own ("recaptured the height,
    which Azeri troops seized on Saturday"); the place it has there, else the one the
    relative pronoun follows, is its place. ``in_scope(pos)`` says whether a place at
    ``pos`` (offset in the sentence) belongs to that event."""
    main_rule, main_m = fired[0]
    main_clause = _clause_bounds(sentence, main_m.start())
    mention_starts = [a for a, _ in mention_spans]
    own: list[tuple[Rule, re.Match, tuple[int, int]]] = []
    shared: list[tuple[Rule, re.Match]] = []
    antecedent: dict[tuple[int, int], int] = {}
    for rule, m in fired[1:]:
        if rule.name == "casualties":
            continue
        clause = _clause_bounds(sentence, m.start())
        if rule.event_type == main_rule.event_type and rule.sub_event_type == main_rule.sub_event_type:
            if clause == main_clause or not _RELATIVE_BEFORE.search(sentence[max(0, clause[0] - 12):clause[0]]) \
                    or not any(clause[0] <= d < clause[1] for d in date_starts) or any(clause == c for _, _, c in own):
                continue
            if not any(clause[0] <= p < clause[1] for p in mention_starts):
                before = [a for a, b in mention_spans if 0 <= clause[0] - b <= 30 and _ANTECEDENT_GAP.match(sentence[b:clause[0]])]
                if not before:
                    continue
                antecedent[clause] = before[-1]
            own.append((rule, m, clause))
            continue
        if clause == main_clause and rule.name == "agreement" and _DATE_RIGHT_AFTER.match(sentence, m.end()) \
                and not any(r.name == "agreement" for r, _ in shared):
            # "keeps breaching the ceasefire agreement the two sides reached on April 5":
            # the agreement, with a day of its own, is an event too
            shared.append((rule, m))
            continue
        if clause == main_clause:
            # shelling and fighting reported as two actions ("shelled and stormed positions"): both
            if {rule.event_type, main_rule.event_type} == _VIOLENT_PAIR and _conjoined(sentence, main_m, m) \
                    and not any(r.event_type == rule.event_type for r, _ in shared):
                shared.append((rule, m))
            continue
        if any(clause == c for _, _, c in own):
            continue
        if any(clause[0] <= p < clause[1] for p in mention_starts):
            own.append((rule, m, clause))
        elif rule.event_type != main_rule.event_type and (_COORDINATE_BEFORE.search(sentence[max(0, clause[0] - 8):clause[0]])
                                                          or any(clause[0] <= d < clause[1] for d in date_starts)):
            # "Azerbaijan declared a ceasefire ..., yet Armenian forces reported that fighting
            # went on", "dissolved it on September 28, following the offensive of September
            # 19-20": a clause of its own, of another kind (and its own day), placed as its
            # sentence allows
            own.append((rule, m, clause))
    taken = [c for _, _, c in own]
    in_main = lambda p: not any(a <= p < b for a, b in taken)  # noqa: E731
    jobs = [(main_rule, main_m, in_main)] + [(rule, m, in_main) for rule, m in shared]
    jobs += [(rule, m, (lambda p, c=c: c[0] <= p < c[1] or p == antecedent.get(c))) for rule, m, c in own]
    return jobs


# what may stand between a place and the relative pronoun that refers to it
_ANTECEDENT_GAP = re.compile(r"^(?:\s+(?:height|hill|village|town|city|settlement|district|region|area))?[\s,]*(?:which|where|that)\b",
                             re.IGNORECASE)


def _speaker_place(text: str, mention: Mention) -> bool:
    """Whether a place is named as who speaks or acts, not where the event happened:
    "officials in Stepanakert said", "Yerevan rejects", "backed by Moscow". A capital
    counts as a place only after a preposition of place ("a protest in Yerevan")."""
    before = text[max(0, mention.start - 60):mention.start]
    after = text[mention.end:mention.end + 40]
    if mention.target in CAPITALS and not _LOCATIVE_BEFORE.search(before):
        return True
    return bool(_SPEAKER_BEFORE.search(before) or _SPEAKER_AFTER.search(after) or _FORMER_BEFORE.search(before))


# The region named as a side or a subject, not as where something happened: "the Karabakh
# military said", "Karabakh forces recaptured", "the conflict over Nagorno-Karabakh".
_REGION_AS_ACTOR_AFTER = re.compile(
    r"(?:'s)?\s+(?:armenian\s+)?(?:military|forces|troops|army|side|separatists?|rebels?|leadership|authorities|"
    r"officials?|government|armenians|fighters|defen[cs]e army)\b", re.IGNORECASE)
_REGION_AS_TOPIC_BEFORE = re.compile(
    r"\b(?:(?:army|military|ministry(?: of \w+)?|forces|government|authorities|president|ombudsman|republic|leadership|"
    r"parliament|people|armenians) of|over|about|on the status of|the status of|settlement of|the future of)\s+(?:the\s+)?"
    r"(?:(?:contested|disputed|breakaway|mountainous|separatist)\s+){0,2}(?:region\s+of\s+)?$", re.IGNORECASE)


def _region_not_place(text: str, mention: Mention) -> bool:
    """Whether a mention of the whole region names a side ("Karabakh forces") or the
    subject of a dispute ("violence over contested Nagorny Karabakh"), not a place: the
    event then goes where the report's other places, or its area, put it."""
    if mention.target != "@region":
        return False
    return bool(_REGION_AS_ACTOR_AFTER.match(text, mention.end)
                or _REGION_AS_TOPIC_BEFORE.search(text[max(0, mention.start - 60):mention.start]))


def _choose_actors(sentence: str, rule: Rule) -> tuple[Actor | None, Actor | None]:
    found = [(pos, a) for pos, a in actors_in(sentence) if not a.is_source_only]
    if not found:
        return None, None
    attackers = [a for pos, a in found if re.search(r"\b(?:by|from)\s+(?:the\s+)?$", sentence[max(0, pos - 10):pos], re.I)]
    ordered = attackers + [a for _, a in found if a not in attackers]
    sides: list[Actor] = []
    for a in ordered:
        if a.side not in {s.side for s in sides} or not a.side:
            sides.append(a)
    if sides[0].id == "civilians":  # civilians are whom an attack hits, never its actor
        rest = [a for a in sides if a.id != "civilians"]
        return (rest[0] if rest else None), ACTORS_BY_ID["civilians"]
    a1 = sides[0]
    a2 = next((a for a in sides[1:] if a.id != a1.id), None)
    if rule.event_type == "Protests" and a1.id != "protesters_az":
        a1, a2 = ACTORS_BY_ID["protesters_az"], a1
    return a1, a2


def events_from_article(article: Article, *, gazetteer: Gazetteer | None = None) -> ExtractionResult:
    """Extract the events an article reports.

    Parameters
    ----------
    article
        From :func:`extract.article.read_article`.
    gazetteer
        Defaults to the bundled one.

    Returns
    -------
    ExtractionResult
        ``events`` (validated, placed, dated, with evidence and confidence),
        ``unplaced`` (with the reason each could not be placed or dated) and
        ``background`` (history the report narrates; never to be stored as news).
    """
    gz = gazetteer or default_gazetteer()
    text = article.text
    result = ExtractionResult(article)
    published = article.published
    context_date: tuple[dt.date, int, str, float] | None = (
        (published, 1, f"report of {published.isoformat()}", 0.85) if published else None
    )
    dateline_end = article.dateline[1] if article.dateline else -1
    seen: dict[tuple, int] = {}  # (sub-type, place, day) -> index in result.events
    all_mentions = list(gz.find(text))  # one pass over the whole text, sorted by start, sliced per sentence below
    mention_starts = [mm.start for mm in all_mentions]
    areas = _report_areas(all_mentions, dateline_end)
    s_index = -1
    for s in split_sentences(text):
        if _is_headline(s) or s.end <= dateline_end:
            continue
        s_index += 1
        dates = [d for d in find_dates(s.text, published) if s.start + d.start >= dateline_end]
        fired = _fire_all(s.text)
        if not isinstance(fired, list) or not fired:
            if dates and dates[0].precision == 1:
                d = dates[-1]
                context_date = (d.date, d.precision, d.text, 0.85)
            continue
        first, last = bisect.bisect_left(mention_starts, max(s.start, dateline_end)), bisect.bisect_left(mention_starts, s.end)
        in_sentence = [mm for mm in all_mentions[first:last] if mm.end <= s.end]
        in_sentence = _with_unlocated(s, in_sentence)
        spans = [(mm.start - s.start, mm.end - s.start) for mm in in_sentence]
        for rule, m, in_scope in _jobs(s.text, fired, spans, [d.start for d in dates if d.precision == 1]):
            context_date = _one_event(result, article, s, rule, m, in_scope, in_sentence, dates, context_date, seen, areas,
                                      s_index, lambda pos, dateline_first=True: _recent_town(all_mentions, article, pos, dateline_first))
    result.events = _drop_summaries(result.events, result.on_area, result.unlocated)
    # a side's denial reports no event: kept apart, to be stored with the incident it denies
    result.denials = [e for e in result.events if e.x_claim == "denial"]
    result.events = [e for e in result.events if e.x_claim != "denial"]
    log.info("extracted %d events (%d unplaced) from %s", len(result.events), len(result.unplaced), article.title or article.filename or article.article_id)
    return result


def _one_event(result: ExtractionResult, article: Article, s: _Sentence, rule: Rule, m: re.Match, in_scope, in_sentence,
               dates, context_date, seen: dict, areas: dict[str, int], s_index: int, recent_town):
    """Make the event(s) one trigger reports, one per place; returns the date context
    for the sentences that follow."""
    published = article.published
    ca, cb = _clause_bounds(s.text, m.start())
    clause = s.text[ca:cb]
    event_type, sub_type, conf = rule.event_type, rule.sub_event_type, rule.confidence
    if rule.name == "ceasefire_violation" and re.search(rf"\b(?:{SHELLING_WORDS})\b", s.text, re.I):
        event_type, sub_type = "Explosions/Remote violence", "Shelling/artillery/missile attack"
    actor1, actor2 = _choose_actors(s.text, rule)
    if ca and _RELATIVE_BEFORE.search(s.text[max(0, ca - 12):ca]):
        # "..., which Azeri troops seized on Saturday": the relative clause names its own actor
        own1, own2 = _choose_actors(clause, rule)
        if own1 is not None:
            actor1, actor2 = own1, own2
    if rule.name == "clash" and _civilians_hit(clause) and not SOLDIER_RX.search(clause) and not _MILITARY_TARGET.search(clause):
        event_type, sub_type = "Violence against civilians", "Attack"  # e.g. a civilian hit by sniper fire
    casualties_only = False  # deaths or wounded with no one named: only as part of an event found before
    if rule.name == "casualties":
        if _civilians_hit(clause):
            event_type, sub_type = "Violence against civilians", "Attack"
        elif not SOLDIER_RX.search(clause):
            casualties_only = True
    if rule.name == "territory":
        if actor1 is not None and actor1.side == "ka":
            sub_type = "Non-state actor overtakes territory"
        elif _PEACEFUL_TRANSFER.search(s.text):
            event_type, sub_type = "Strategic developments", "Non-violent transfer of territory"
    # -- date
    # a date another action owns ("breaching the truce the two sides reached on April 5") is not this one's
    dates = [d for d in dates if d.start < m.start() or not _DATE_OWNER_BEFORE.search(s.text[max(0, d.start - 30):d.start])
             or _DATE_OWNER_BEFORE.search(m.group(0) + " on ")]
    clause_dates = [d for d in dates if 0 <= d.start - m.end() <= 8 and _DATE_RIGHT_AFTER.match(s.text, m.end())] \
        or [d for d in dates if ca <= d.start < cb] or [d for d in dates if d.start < ca] \
        or [d for d in dates if not (_RELATIVE_LEAD.match(s.text, cb) and _has_trigger(s.text[cb:d.start]))]
    if len(clause_dates) > 1 and clause_dates[0].start < m.start() and \
            _SPEECH_BEFORE_DATE.search(s.text[max(0, clause_dates[0].start - 40):clause_dates[0].start]):
        # "officials said on Wednesday that forces shelled X overnight": the day of the
        # statement, when the event has a date of its own after it
        clause_dates = [d for d in clause_dates if d.start > m.start()] or clause_dates
    scheduled = rule is SCHEDULED_HANDOVER
    deadlines = clause_dates if scheduled else []
    if scheduled:
        clause_dates = [d for d in clause_dates if not DEADLINE.match(s.text[max(0, d.start - 4):d.end + 1].lstrip())
                        and not s.text[max(0, d.start - 4):d.start].strip().lower().endswith("by")]
    if clause_dates:
        d = clause_dates[0]
        event_date, precision, date_text, date_conf = d.date, d.precision, d.text, 1.0 if d.precision == 1 else 0.8
        if d.precision == 1:
            context_date = (d.date, 1, d.text, 0.85)
    elif published is not None and _ONGOING_BEFORE.search(s.text[max(0, m.start() - 30):m.start()]):
        # "Azerbaijan keeps breaching the ceasefire": going on as the report is written
        event_date, precision, date_text, date_conf = published, 1, f"ongoing at the report of {published.isoformat()}", 0.85
    elif has_year_only(clause):
        result.unplaced.append(_unplaced(rule, event_type, sub_type, s, "dated only by a year or as years ago: not an event date", actor1, actor2))
        return context_date
    elif _NAMED_WAR.search(s.text):
        # "The Patriotic War ended with the liberation of Shusha": history, and no day of its own
        result.unplaced.append(_unplaced(rule, event_type, sub_type, s, "history told through a named war, with no date of its own",
                                         actor1, actor2))
        return context_date
    elif context_date is not None:
        event_date, precision, date_text, date_conf = context_date
        if not date_text.startswith("report of"):
            date_text = f"{date_text} (earlier in the text)"
    else:
        result.unplaced.append(_unplaced(rule, event_type, sub_type, s, "no date: the text gives none and no publication date is known", actor1, actor2))
        return context_date
    if published is not None and event_date > published:
        result.unplaced.append(_unplaced(rule, event_type, sub_type, s, "dated after the report: a plan or a deadline, not an event",
                                         actor1, actor2, event_date=event_date, date_text=date_text))
        return context_date
    # -- places
    mentions = [Mention(mm.start - s.start, mm.end - s.start, mm.surface, mm.target, mm.kind, mm.ambiguous)
                for mm in in_sentence if in_scope(mm.start - s.start)]
    mentions_here = [Mention(mm.start - s.start, mm.end - s.start, mm.surface, mm.target, mm.kind, mm.ambiguous) for mm in in_sentence]
    mentions = [mm for mm in mentions if not _region_not_place(s.text, mm)]
    named_any = bool(mentions)
    mentions = [mm for mm in mentions if not _speaker_place(s.text, mm)]
    if event_type in _FRONT_TYPES or event_type == "Violence against civilians":
        mentions = [mm for mm in mentions if not _DESTINATION_BEFORE.search(s.text[max(0, mm.start - 50):mm.start])]
    # the places of the trigger's own clause, when it has some: "The meeting in Yevlakh came
    # after local forces in Nagorno-Karabakh accepted a ceasefire" puts the ceasefire in Karabakh
    own_clause = [mm for mm in mentions if ca <= mm.start < cb]
    if own_clause and len(own_clause) < len(mentions) and _SUBORDINATOR_BEFORE.search(s.text[max(0, ca - 14):ca]):
        mentions = own_clause
    governed = _governed(s.text, m, mentions)
    if governed:
        mentions = governed
    mentions = _rayon_lists(s.text, mentions)
    mentions = [mm for mm in mentions if not _container(s.text, mm, mentions)]
    districts = {mm.target.split(":", 1)[1] for mm in mentions if mm.target.startswith("@district:")}
    towns = list({mm.target: mm for mm in mentions if (mm.is_place or mm.kind == UNLOCATED) and mm.target not in districts}.values())
    features = list({mm.target: mm for mm in mentions if not mm.is_place and mm.kind != UNLOCATED}.values())
    specific = [f for f in features if f.target not in ("@region",)]
    chosen = towns or specific or features
    # villages the sentence counts in districts but does not name: each district too
    chosen += [mm for mm in mentions if mm.ambiguous.startswith(RAYON_NOTE) and mm not in chosen]
    area_note = ""
    # The area only for news: a trigger with a day of its own, or one in the lede; never
    # a bare tally of deaths ("the war cost 6,500 lives"), which is no event.
    dated_here = any(ca <= d.start < cb and d.precision == 1 for d in dates)
    anchored = date_text.endswith("(earlier in the text)") and precision == 1  # a narrative of a stated day
    lede_or_dated = rule.name != "casualties" and (dated_here or anchored or s_index < 3)
    if not chosen and not named_any and (town := _the_town(s, clause, ca, recent_town)) is not None:
        chosen = [town]
        conf *= 0.85
    if not chosen and not named_any and not dated_here and rule.name != "casualties" and (prev := _previous_place(result, article, s, event_date)) is not None:
        chosen = [prev]  # "On Friday, protesters blocked the road near Kirants ... Protesters threw stones at the police."
        conf *= 0.8
        area_note = f"the sentence names no place: placed at {prev.surface}, where the sentence before in its paragraph put its event"
    area = _area_for(event_type, sub_type, areas, soldiers=bool(SOLDIER_RX.search(clause)))
    if not chosen and not named_any and area is not None and lede_or_dated:
        # No place in the sentence at all: the area the report is about, less sure.
        chosen = [Mention(0, 0, _AREA_NAMES[area], area, "feature")]
        conf *= 0.6
        area_note = "the sentence names no place: placed on the area the report is about"
    if not chosen and rule.name == "casualties" and result.events and result.events[-1].event_date == event_date \
            and result.events[-1].event_type in _FRONT_TYPES | {"Violence against civilians"}:
        # "A border guard was wounded": the casualties of the event just reported. If that
        # sentence named several places, the toll is not theirs to split: notes only.
        last = result.events[-1]
        siblings = [i for i, e in enumerate(result.events) if e.x_evidence_start == last.x_evidence_start]
        toll = fatalities_in(clause) if len(siblings) == 1 else 0
        for i in siblings:
            _note_casualties(result, i, toll, s.text)
        return context_date
    if not chosen:
        result.unplaced.append(_unplaced(rule, event_type, sub_type, s, "no place named in the sentence", actor1, actor2,
                                         event_date=event_date, date_text=date_text))
        return context_date
    if rule.name == "casualties" and not dates and all(mm.target in _AREA_TARGETS for mm in chosen):
        result.unplaced.append(_unplaced(rule, event_type, sub_type, s, "a tally of deaths with no day, over a whole region, line or border: not an event",
                                         actor1, actor2, event_date=event_date, date_text=date_text))
        return context_date
    if sub_type == "Agreement" and len(chosen) > 1 and not scheduled:
        # an agreement is one event; naming several places, it is about them: on the area
        area = _area_for(event_type, sub_type, areas)
        chosen = [Mention(0, 0, _AREA_NAMES[area], area, "feature")] if area else chosen[:1]
    fatalities = fatalities_in(clause)
    if rule.name == "casualties" and _add_to_earlier(result, chosen, event_date, fatalities, s.text):
        return context_date  # deaths reported for an event already found at that place and day
    if casualties_only:
        return context_date
    sources = sources_in(s.text)
    source = "; ".join(dict.fromkeys([x for x in [article.source_name, *sources] if x]))
    clause_a, clause_b = _clause_bounds(s.text, m.start())
    claim, claimant = claim_in(s.text, source, denied=_only_a_denial(s.text[clause_a:clause_b], m.start() - clause_a, m.end() - clause_a))
    for mm in chosen:
        own_date = None if scheduled else _date_for_place(mm, clause_dates, len(chosen))
        if own_date is not None:
            event_date, precision, date_text = own_date.date, own_date.precision, own_date.text
        place_conf = 0.95 if mm.is_place else (0.85 if mm.target != "@region" else 0.75)
        note = _deadline_note(s.text, mm, deadlines) if scheduled else area_note
        if mm.ambiguous:
            # a close choice between places of one name, or a town that names its district,
            # costs more than a name whose other bearers the context rules out
            place_conf *= 0.95 if " names " in mm.ambiguous and "a close choice" not in mm.ambiguous else 0.8
            note = "; ".join(x for x in (note, mm.ambiguous) if x)
        if len(chosen) > 1:
            place_conf *= 0.9
        if mm.kind == UNLOCATED:
            within = _unlocated_within(s.text, mm, mentions_here, area)
            if within is None:
                continue
            ref = f"{mm.target}@{within}"
        else:
            ref = mm.target if mm.is_place else feature_ref(mm.target, event_date)
        key = (sub_type, ref, event_date)
        confidence = round(min(1.0, conf * place_conf * date_conf), 3)
        if key in seen and result.events[seen[key]].x_confidence >= confidence:
            # the same event again (a lede repeated), no surer: keep what the repeat adds
            if _CASUALTY_WORDS.search(s.text) and s.text[:200] not in result.events[seen[key]].notes:
                _add_to_earlier(result, [mm], event_date, fatalities if len(chosen) == 1 else 0, s.text)
            continue
        fields = dict(
            event_date=event_date, time_precision=precision, event_type=event_type, sub_event_type=sub_type,
            actor1=actor1.name if actor1 else "", inter1=actor1.inter if actor1 else 0,
            actor2=actor2.name if actor2 else "", inter2=actor2.inter if actor2 else 0,
            civilian_targeting="Civilian targeting" if (actor2 and actor2.id == "civilians") or event_type == "Violence against civilians" else "",
            source=source, source_scale="", fatalities=fatalities if mm is chosen[0] else 0,
            notes=_notes(event_type, sub_type, mm, event_date, sources, note, fatalities, chosen),
            x_source_url=article.source_url, x_source_title=article.title,
            x_published=published.isoformat() if published else "",
            x_evidence=s.text[:600], x_evidence_start=s.start, x_evidence_end=s.end, x_date_text=date_text,
            x_confidence=confidence, x_method="rules",
            x_article_id=article.article_id, x_claim=claim, x_claimant=claimant,
        )
        if mm.kind == UNLOCATED:
            _place_unlocated(fields, mm, within, event_date)
        elif mm.is_place:
            fields["x_place_id"] = mm.target
            if mm.ambiguous.startswith(RAYON_NOTE):
                fields["geo_precision"] = 3
            elif _NEAR_BEFORE.search(s.text[max(0, mm.start - 40):mm.start]):
                fields["geo_precision"] = 2
        else:
            fields["x_layer"] = feature_ref(mm.target, event_date)
            if mm.target == "@region":
                fields["location"] = "Nagorno-Karabakh"
            # else the feature's own name ("Lachin corridor ..."), not the words that named it
        try:
            event = make_event(**place_fields(fields))
            if event.event_type in ("Protests", "Riots") and (not event.actor1 or event.actor1.startswith("Protesters")):
                event = _protesters_of(event)
            if published is not None and ((published - event_date).days > 365 * BACKGROUND_YEARS
                                           or precision >= 2 and (published - event_date).days > VAGUE_BACKGROUND_DAYS):
                result.background.append(event)  # "Shusha, which Armenian forces seized in 1992"
                continue
            if key in seen:
                result.events[seen[key]] = event
            else:
                seen[key] = len(result.events)
                result.events.append(event)
            if area_note:
                result.on_area.add(event.x_uid)
            if mm.kind == UNLOCATED:
                result.unlocated.add(event.x_uid)
        except EventError as err:
            result.unplaced.append(_unplaced(rule, event_type, sub_type, s, f"could not be placed: {err}", actor1, actor2,
                                             event_date=event_date, date_text=date_text))
    return context_date


_AREA_TARGETS = ("@region", "@contact_line", "@border")
_AREA_NAMES = {"@region": "Nagorno-Karabakh", "@contact_line": "line of contact", "@border": "Armenia-Azerbaijan border"}
_IN_BEFORE = re.compile(r"\bin\s+(?:the\s+)?$", re.IGNORECASE)
_JUST_IN = re.compile(r"^\s*,?\s*in\s+(?:the\s+)?$", re.IGNORECASE)  # all that lies between a place and its container
_REGION_AFTER = re.compile(r"^\s+(?:region|district|rayon|province)\b", re.IGNORECASE)
_RAYONS_AFTER = re.compile(r"^\s*(?:(?:,|and|,\s*and)\s+[^,;.]{2,30}?)*?\s*\b(?:regions|districts|rayons|provinces)\b", re.IGNORECASE)


_WIDE_LAYERS = ("peacekeeping_zone", "nkao")
_FRONT_LAYERS = ("contact_line", "borders")


def _drop_summaries(events: list[Event], on_area: set[str], unlocated: frozenset[str] | set[str] = frozenset()) -> list[Event]:
    """Drop the summaries of events placed more precisely in the same report:

    - fighting on the whole region that repeats, on the same day, fighting of the same
      kind placed more precisely ("the fighting over Nagorno-Karabakh, which killed one
      soldier" after "clashes near Sotk"); lines and borders stay (shelling of a town and
      along the line on one day are two events), and so do "Other" events, a catch-all;
    - an event on a whole district that repeats, on the same day, events of the same
      kind at places inside it ("23 villages in the Fuzuli region were freed", then the
      villages by name).

    An event put on the report's area (``on_area``: its sentence named no place) is no
    more precise than the region, so it never makes another event a summary; and it is
    itself dropped when the text placed an event of the same kind on the same day on a
    region, line or border: a second wide claim for one event. (Beside a town's event
    it stays: fighting along the front and at a town on one day are two events.)
    An event at a place the gazetteer does not know (``unlocated``) is put on its
    district, but it is that place's event, not a summary of the district.
    """
    violent = _FRONT_TYPES | {"Violence against civilians"}
    precise = {(e.sub_event_type, e.event_date) for e in events
               if not e.x_layer.startswith(_WIDE_LAYERS) and e.x_uid not in on_area}
    in_district = {(e.sub_event_type, e.event_date, _district_id(e)) for e in events if e.x_place_id}
    placed_wide = {(e.sub_event_type, e.event_date) for e in events
                   if e.x_uid not in on_area and e.x_layer.startswith(_WIDE_LAYERS + _FRONT_LAYERS)}
    out = []
    for e in events:
        if e.x_uid in on_area and (e.sub_event_type, e.event_date) in placed_wide:
            continue
        if e.event_type in violent and e.x_layer.startswith(_WIDE_LAYERS) and (e.sub_event_type, e.event_date) in precise:
            continue
        if e.x_layer.startswith("seven_districts:") and e.x_uid not in unlocated and (e.sub_event_type, e.event_date, e.x_layer.split(":", 1)[1]) in in_district:
            continue
        out.append(e)
    return out


def _district_id(event: Event) -> str:
    """The seven-districts id of a placed event's district ('' outside them)."""
    v = village(event.x_place_id)
    if v is not None:
        return v.district
    return event.x_place_id if event.x_place_id in SEVEN_DISTRICTS else ""


def _report_areas(mentions: list[Mention], dateline_end: int) -> dict[str, int]:
    """How often a report names the region, the line of contact and the border."""
    counts: dict[str, int] = {}
    for mm in mentions:
        if mm.start >= dateline_end and mm.target in _AREA_TARGETS:
            counts[mm.target] = counts.get(mm.target, 0) + 1
    return counts


_FRONT_TYPES = {"Battles", "Explosions/Remote violence"}


def _area_for(event_type: str, sub_type: str, areas: dict[str, int], soldiers: bool = False) -> str | None:
    """Where an event with no place goes: fighting, ceasefires and soldiers taken prisoner
    on the front the report names (the line of contact, else the border), anything else
    on the region; failing that, whichever of them the report names most."""
    if not areas:
        return None
    if event_type in _FRONT_TYPES or sub_type == "Agreement" or (sub_type == "Arrests" and soldiers):
        for front in ("@contact_line", "@border"):
            if front in areas:
                return front
    if "@region" in areas:
        return "@region"
    return max(areas, key=lambda t: areas[t])


def _deadline_note(sentence: str, mm: Mention, dates) -> str:
    """The deadline of a scheduled handover at ``mm``: the date written nearest after the
    place, else the sentence's deadline words."""
    after = [d for d in dates if d.start >= mm.end]
    if after:
        d = min(after, key=lambda d: d.start - mm.end)
        return f"handover scheduled, deadline '{d.text}' ({d.date.strftime('%d %B')}); the handover itself is not reported"
    m = DEADLINE.search(sentence)
    return f"handover scheduled ('{m.group(0)}'); the handover itself is not reported" if m else "handover scheduled"


def _protesters_of(event: Event) -> Event:
    """Protesters (or rioters) are named by the country they protest in (ACLED's
    "Protesters (Armenia)"), also when the report names no one."""
    kind = "Rioters" if event.event_type == "Riots" else "Protesters"
    who = f"{kind} ({event.country})" if event.country in ("Armenia", "Azerbaijan") else kind
    return replace(event, actor1=who, inter1=5 if kind == "Rioters" else 6) if who != event.actor1 else event


_GOVERNS = re.compile(r"^[^.;:!?]{0,45}?\b(?:on|along|in|at|near|across|around|into|against|outside|of)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}$", re.IGNORECASE)
_LIST_JOIN = re.compile(r"^\s*(?:,|;|[,;]?\s+and|[,;]?\s+as well as|,?\s+or)\s+(?:the\s+)?(?:(?!in\b|on\b|at\b)[\w'’-]+\s+){0,2}$", re.IGNORECASE)
_DESTINATION_BEFORE = re.compile(r"\b(?:hospitals?|taken|rushed|brought|evacuated|transferred|flown|moved|travel\w*|returned|headed|driven|buried|funeral\w*|mourn\w*)[\s,]+(?:\w+\s+){0,3}(?:to|in|into|at)\s+(?:the\s+)?$", re.IGNORECASE)


def _governed(sentence: str, trigger: re.Match, mentions: list[Mention]) -> list[Mention]:
    """The places a trigger governs: named right after it through a preposition of place
    ("fighting broke out on the line of contact", "freed the villages of A, B and C"),
    with the places listed with them; [] when it governs none (then the clause decides)."""
    head_end = trigger.end()
    inside = [mm for mm in mentions if trigger.start() <= mm.start < trigger.end()]
    if inside:  # a trigger that spans its place: "houses in the village of X ... were burning"
        head_end = trigger.start() + len(trigger.group(0).split()[0])
    after = sorted((mm for mm in mentions if mm.start >= head_end), key=lambda mm: mm.start)
    if not after or not _GOVERNS.match(_unquote(sentence[head_end:after[0].start])):
        return []
    out = [after[0]]
    for mm in after[1:]:
        if not _list_gap(_unquote(sentence[out[-1].end:mm.start])):
            break
        if mm.target != out[-1].target:  # "Lachin, called Berdzor by Armenians": one place
            out.append(mm)
        else:
            out[-1] = Mention(out[-1].start, mm.end, out[-1].surface, out[-1].target, out[-1].kind, out[-1].ambiguous)
    return out


# Case-sensitive on purpose: the last branch takes capitalised words (names) only.
_GAP_WORDS = re.compile(r"[,;()]|\b(?:and|as well as|or|in|of|the|nearby|neighbou?ring|(?:town|city|village|villages|region|district|settlement)s? of|"
                        r"(?:also )?(?:called|known as)|by(?=\s+(?:the\s+)?[A-Z])|(?:which|that)(?=\s+[A-Z]\w+\s+call\b)|call)\b"
                        r"|\b[A-ZÀ-ÖØ-ÞƏŞÇĞÜİ][\w'’-]*")


def _unquote(text: str) -> str:
    return text.translate(_QUOTES)


_QUOTES = str.maketrans({c: " " for c in "\"“”«»‘’'"})


def _list_gap(gap: str) -> bool:
    """Whether the text between two places only continues a list: separators, "in"
    (the district of the items before), "the town of", "nearby", another name of the
    place ("called Berdzor by Armenians"), and names the gazetteer does not know."""
    return bool(gap.strip()) and len(gap) < 80 and not _GAP_WORDS.sub("", gap).strip()


_MILITARY_TARGET = re.compile(r"\bmilitary (?:installations?|positions?|targets?|facilit\w+|objects?|infrastructure)\b", re.IGNORECASE)
_NEGATED_BEFORE = re.compile(r"\b(?:not|n't|never|no|without|denied|deny|denies|rejected)\b[^.;,]{0,30}$", re.IGNORECASE)


def _civilians_hit(clause: str) -> bool:
    """Whether the clause names civilians as hit, not in a denial ("weren't targeting
    civilian areas", "denied hitting civilians")."""
    return any(not _NEGATED_BEFORE.search(clause[max(0, m.start() - 40):m.start()]) for m in CIVILIAN_RX.finditer(clause))


def _recent_town(mentions: list[Mention], article: Article, pos: int, dateline_first: bool = True) -> Mention | None:
    """The town "the city" refers to at ``pos``: the dateline's place (unless
    ``dateline_first`` is false), else the last town named before ``pos`` (not as a
    speaker's seat)."""
    if article.dateline and dateline_first:
        a, b = article.dateline
        for mm in mentions:
            if a <= mm.start < b and mm.is_place:
                return mm
    last = None
    for mm in mentions:
        if mm.start >= pos:
            break
        if mm.is_place and mm.target not in CAPITALS:
            last = mm
    return last


def _previous_place(result: ExtractionResult, article: Article, s: _Sentence, day: dt.date) -> Mention | None:
    """The town or village where the sentence just before ``s``, in the same paragraph,
    put an event of the same day: where a sentence that names no place goes on."""
    if not result.events:
        return None
    last = result.events[-1]
    if not last.x_place_id or last.event_date != day or last.x_evidence_end > s.start:
        return None
    between = article.text[last.x_evidence_end:s.start]
    if "\n\n" in between or len(between) > 400:
        return None
    return Mention(0, 0, last.location, last.x_place_id, "place", "")


def _the_town(s: _Sentence, clause: str, clause_start: int, recent_town) -> Mention | None:
    """The place "the city", "the town" or "the regional capital" in ``clause`` means
    (the dateline's town, else the last named); for "the church", "the hospital" and
    other buildings, the last town named before, where the report put the building."""
    m = _THE_TOWN.search(clause)
    building = m is None and (m := _THE_BUILDING.search(clause)) is not None
    if not m:
        return None
    town = recent_town(s.start, not building)
    if town is None:
        return None
    start = clause_start + m.start()
    note = f"'{m.group(0)}' read as {town.surface}, the dateline or the last town named before"
    return Mention(start, clause_start + m.end(), town.surface, town.target, town.kind, note)


def _container(sentence: str, mm: Mention, mentions: list[Mention]) -> bool:
    """Whether a town named "in X" right after villages of X's rayon only says where
    they are ("A, B and C in Fuzuli"): X is then no place of the event."""
    if not mm.is_place or mm.ambiguous.startswith(RAYON_NOTE) or not _IN_BEFORE.search(sentence[max(0, mm.start - 10):mm.start]):
        return False
    named_as_region = bool(_REGION_AFTER.match(sentence[mm.end:mm.end + 12]))
    for other in mentions:
        if (named_as_region and other is not mm and (other.is_place or other.kind == UNLOCATED) and other.end <= mm.start
                and _JUST_IN.match(sentence[other.end:mm.start])):
            return True  # "the village of X in the Y region": the region says where X is, whatever the gazetteer files X under
        if other.kind == UNLOCATED and 0 <= mm.start - other.end < 20:
            return True  # "the village of X in Fuzuli": Fuzuli places X

        if other.end <= mm.start and mm.start - other.end < 120:
            v = village(other.target)
            if v is not None and v.district == mm.target:
                return True
    return False


_RAYON_TOWNS = TOWN_OR_DISTRICT | {"martuni", "martakert", "hadrut", "askeran"}  # towns that name a rayon too


RAYON_NOTE = "named as its district"  # a Mention's note: a rayon the map does not draw, placed at its main town
_UNNAMED_VILLAGES_BEFORE = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|a number of|dozens of|many|more)\s+"
    r"(?:more\s+|other\s+|nearby\s+)?(?:villages|settlements)\s+(?:in|of|across)\s+(?:the\s+)?"
    r"(?:[\w-]+(?:\s*,\s*and\s+|\s*,\s*|\s+and\s+))*$", re.IGNORECASE)


def _rayon_lists(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """"in the Tartar, Jabrayil and Fuzuli regions": districts, not towns. A district
    of the map becomes its area. A rayon the map does not draw is dropped, unless the
    sentence counts villages in it that it does not name ("seven villages in the Tartar,
    Jabrayil and Fuzulu regions"): then that rayon is the event's only place, and it goes
    on its main town at the precision of a region (ACLED's geo precision 3)."""
    out = []
    for mm in mentions:
        if mm.is_place and mm.target in _RAYON_TOWNS and \
                _RAYONS_AFTER.match(sentence[mm.end:mm.end + 80]):
            unnamed = bool(_UNNAMED_VILLAGES_BEFORE.search(sentence[max(0, mm.start - 90):mm.start]))
            if mm.target in SEVEN_DISTRICTS:
                out.append(Mention(mm.start, mm.end, mm.surface, f"@district:{mm.target}", "feature", RAYON_NOTE if unnamed else ""))
            elif unnamed:
                out.append(Mention(mm.start, mm.end, mm.surface, mm.target, "place",
                                   f"{RAYON_NOTE}: the {mm.surface} district, placed at its main town"))
            continue
        out.append(mm)
    return out


UNLOCATED = "unlocated"  # a Mention kind: a place name the gazetteer does not know
_WITHIN_AFTER = re.compile(r"(?:,\s*again)?\s+in\s+(?:the\s+)?$", re.IGNORECASE)


def _with_unlocated(s: _Sentence, in_sentence: list[Mention]) -> list[Mention]:
    """The sentence's mentions, with the names it gives as places that the gazetteer
    does not know (:mod:`extract.unlocated`), in text order."""
    unknown = unlocated_names(s.text, [(mm.start - s.start, mm.end - s.start) for mm in in_sentence])
    if not unknown:
        return in_sentence
    extra = [Mention(s.start + u.start, s.start + u.end, u.surface, f"@{UNLOCATED}:{u.surface}", UNLOCATED) for u in unknown]
    return sorted(in_sentence + extra, key=lambda mm: mm.start)


def _unlocated_within(sentence: str, mm: Mention, mentions: list[Mention], area: str | None) -> str | None:
    """What places a name the gazetteer does not know: the first known place or district
    named "in X" after it in its part of the sentence ("Asgarli in Fuzuli; ..."), else
    the report's area; ``None`` when there is neither."""
    segment_end = sentence.find(";", mm.end)
    segment_end = len(sentence) if segment_end < 0 else segment_end
    for other in mentions:
        if mm.end <= other.start < segment_end and other.kind != UNLOCATED \
                and (other.is_place or other.target.startswith("@district:")) \
                and _WITHIN_AFTER.search(sentence[max(mm.end, other.start - 20):other.start]):
            target = other.target.split(":", 1)[1] if other.target.startswith("@district:") else other.target
            return f"@district:{target}" if target in SEVEN_DISTRICTS else target
    return area


def _place_unlocated(fields: dict, mm: Mention, within: str, day: dt.date) -> None:
    """Put an event at a name the gazetteer does not know on what contains it: a town's
    point ("near", geo precision 2) or an area (geo precision 3), keeping the name."""
    if within.startswith("@"):
        fields["x_layer"] = feature_ref(within, day)
        fields["geo_precision"] = 3
        where = "the district" if within.startswith("@district:") else "the report's area"
    else:
        fields["x_place_id"] = within
        fields["geo_precision"] = 2
        where = "the town named with it"
    fields["location"] = mm.surface
    note = (f"'{mm.surface}' is not in the gazetteer: placed on {where} ({fields['x_layer'] if 'x_layer' in fields else within}); "
            "locate it before publishing")
    fields["notes"] = f"{fields['notes']} {note}".strip()
    fields["x_confidence"] = round(fields["x_confidence"] * 0.7, 3)


def _add_to_earlier(result: ExtractionResult, chosen: list[Mention], day: dt.date, fatalities: int, sentence: str = "") -> bool:
    """Fold a casualties-only sentence into the event found before at the same place and
    day: the higher death toll, and the sentence in the notes (ACLED has no field for the
    wounded, so the notes keep them)."""
    if len(chosen) != 1:
        return False
    target = chosen[0].target
    here = [i for i, e in enumerate(result.events)
            if e.event_date == day and (e.x_place_id == target or (not chosen[0].is_place and e.x_layer == feature_ref(target, day)))]
    if not here:
        return False
    # the casualties of violence there that day, if any (a riot's, not the protest's before it)
    violent = [i for i in here if result.events[i].event_type in _FRONT_TYPES | {"Violence against civilians", "Riots"}]
    _note_casualties(result, (violent or here)[0], fatalities, sentence)
    return True


def _note_casualties(result: ExtractionResult, index: int, fatalities: int, sentence: str) -> None:
    """Give event ``index`` the higher death toll, and the casualty sentence in its notes."""
    e = result.events[index]
    note = f"casualties reported later in the report: \u201c{sentence[:200]}\u201d" if sentence else ""
    notes = e.notes if not note or note in e.notes else f"{e.notes.rstrip('.')}; {note}."
    result.events[index] = replace(e, fatalities=max(fatalities, e.fatalities), notes=notes)


def _date_for_place(mm: Mention, dates, n_places: int):
    """With several places and several dates in a sentence, each place takes the date
    written nearest after it ("seized Zangilan on October 20 and entered Qubadli on
    Sunday"); otherwise ``None`` (the sentence's date applies)."""
    if n_places < 2 or len(dates) < 2:
        return None
    after = [d for d in dates if d.start >= mm.end]
    return min(after, key=lambda d: d.start - mm.end) if after else None


def _notes(event_type, sub_type, mm: Mention, day, sources, note, fatalities, chosen: list[Mention]) -> str:
    bits = [f"{sub_type} ({event_type}) reported at {mm.surface} on {day.isoformat()}"]
    if sources:
        bits.append("per " + ", ".join(sources))
    if fatalities and len(chosen) == 1:
        bits.append(f"{fatalities} killed (lowest figure reported)")
    if note:
        bits.append(note)
    if len(chosen) > 1:
        bits.append(f"the sentence names {len(chosen)} places; one event each")
        if fatalities and mm is chosen[0]:
            bits.append(f"{fatalities} killed across them (lowest figure reported, not split by place): counted on this event only")
        elif fatalities:
            bits.append(f"the {fatalities} deaths the sentence reports are counted on the event at {chosen[0].surface}")
    return "; ".join(bits) + "."


def _unplaced(rule, event_type, sub_type, s: _Sentence, reason, actor1, actor2, *, event_date=None, date_text="") -> UnplacedEvent:
    return UnplacedEvent(
        event_type=event_type, sub_event_type=sub_type, evidence=s.text[:600], start=s.start, end=s.end, reason=reason,
        event_date=event_date.isoformat() if event_date else "", date_text=date_text,
        actor1=actor1.name if actor1 else "", actor2=actor2.name if actor2 else "",
    )


def events_from_text(text: str, *, published: dt.date | str | None = None, title: str = "", source_url: str = "") -> ExtractionResult:
    """Convenience: :func:`events_from_article` on a text string."""
    return events_from_article(read_article(text, published=published, title=title, source_url=source_url))
