"""Event rules: patterns that name an event, mapped to ACLED's taxonomy.

Each rule has a regular expression (case-insensitive) and the ACLED event type and
sub-type it gives, with a base confidence. Rules are tried in order; the first that
matches a sentence (and is not negated or hypothetical) decides its type.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from layers import tables_cache

from . import prefilter
from .prefilter import may_contain_match, required_literals

SHELLING_WORDS = (
    r"shell(?:ed|ing|s)?|artillery|mortars?|rockets?|missiles?|grad|smerch|polonez|howitzers?|"
    r"cluster (?:munitions?|bombs?)|bombard\w*|under (?:heavy |intense |mass |constant )?(?:artillery )?fire|"
    r"fired (?:at|on|upon|towards)|firing (?:at|on|upon|towards)|barrages?|struck|strikes? (?:on|against)|shelled"
)


@dataclass(frozen=True)
class Rule:
    """A trigger pattern and what it means in ACLED's terms.

    ``source`` is the regular expression, matched case-insensitively. Its compiled forms
    are made when first asked for (a report that never holds a rule's words never pays
    for compiling it): ``pattern``, and ``lower``, the same pattern compiled to run on
    lower-cased text, twice as fast, or ``None`` where the pattern has a case-sensitive
    part (``(?-i:...)``).
    """

    name: str
    source: str
    event_type: str
    sub_event_type: str
    confidence: float

    @property
    def pattern(self) -> re.Pattern:
        return _compiled(self.source, re.IGNORECASE)

    @property
    def lower(self) -> re.Pattern | None:
        return None if "(?-i" in self.source else _compiled(self.source, 0)


@functools.cache
def _compiled(source: str, flags: int) -> re.Pattern:
    """``source`` compiled with ``flags``, once per process."""
    return re.compile(source, flags)


def _rx(p: str) -> re.Pattern:
    return re.compile(p, re.IGNORECASE)


RULES: tuple[Rule, ...] = (
    Rule("ceasefire_violation", r"\b(?:violat\w*|breach\w*|broke|broken|breaking)\b[^.;]{0,40}\b(?:cease-?fire|truce)\b|\bcease-?fire violations?\b",
         "Battles", "Armed clash", 0.8),
    Rule("drone", r"\b(?:drone|uav|air) ?strikes?\b|\bairstrikes?\b|\b(?:drones?|uavs?|bayraktars?|tb2s?|loitering munitions?|kamikaze drones?|warplanes?|aircraft)\b[^.;]{0,60}\b(?:struck|strike|hit|attack\w*|destroy\w*|bomb\w*|target\w*)\b|\b(?:struck|hit|attack\w*|destroy\w*|target\w*)\b[^.;]{0,40}\b(?:with|by) (?:a |an )?(?:drones?|uavs?)\b|\b(?:drones?|uavs?) (?:were |was )?used against\b|\bus(?:ed|ing) (?:\w+ )?(?:drones?|uavs?) against\b",
         "Explosions/Remote violence", "Air/drone strike", 0.8),
    Rule("shelling", rf"\b(?:{SHELLING_WORDS})\b", "Explosions/Remote violence", "Shelling/artillery/missile attack", 0.8),
    Rule("landmine", r"\b(?:land)?mines? (?:exploded|detonated|went off|blew up)\b|\blandmines?\b|\banti-?(?:tank|personnel) mines?\b|\b(?:stepped on|hit|struck|detonated|ran over) an? (?:land)?mine\b|\bmine (?:explosion|blast)\b|\bieds?\b|\bimprovised explosive\b",
         "Explosions/Remote violence", "Remote explosive/landmine/IED", 0.75),
    Rule("accidental_explosion", r"\b(?:explosions?|exploded|blasts?|blew up|fire broke out)\b[^.;]{0,80}\b(?:fuel|petrol|gas(?:oline)? station|depot|warehouse|storage|tank)\b|\b(?:fuel|petrol|gas(?:oline)?) (?:depot|station|warehouse|storage)\b[^.;]{0,60}\b(?:explosion|exploded|blast|blew up)\b",
         "Strategic developments", "Other", 0.7),
    # explosions heard or reported with no cause or target given: a development to note, not an attack
    Rule("explosion_reported", r"\b(?:explosions?|blasts?|detonations?)\s+(?:were|was|had been|have been)\s+(?:heard|reported|recorded)\b"
                                   r"|\b(?:heard|reported)\s+(?:several\s+|two\s+|three\s+|a series of\s+|loud\s+|powerful\s+)*(?:explosions|blasts)\b"
                                   r"|\b(?:explosions?|blasts?)\s+(?:rocked|shook)\b",
         "Strategic developments", "Other", 0.55),
    Rule("protest", r"\b(?:protested|protesting|rallied|demonstrated|picketed|picketing|took to the streets|marched)\b"
                        r"|\b(?:held|hold|holding|staged|staging|organi[sz]ed|began|continued|joined)\s+(?:a |an |the )?(?:\w+ )?(?:protests?|rall(?:y|ies)|demonstrations?|sit-ins?|pickets?)\b"
                        r"|\b(?:protests?|rall(?:y|ies)|demonstrations?|sit-ins?|pickets?)\s+(?:\w+\s+){0,3}(?:is|are|was|were|has|have|had)\s+(?:now\s+)?(?:been\s+)?(?:under way|held|staged|taking place|going on|gone on|continu\w+|lasted|entered)\b"
                        r"|\b(?:protesters|demonstrators|(?:eco-?)?activists|villagers|residents)\s+(?:\w+\s+){0,3}(?:gathered|rallied|blocked|marched|chanted|staged|picketed|continued|clashed|threw|are demonstrating|were demonstrating|demonstrat\w+)\b"
                        r"|\b(?:a|the) (?:\w+ )?(?:protest|rally|demonstration|picket|sit-in) (?:in|at|near|outside|on|against)\b",
         "Protests", "Peaceful protest", 0.7),
    Rule("territory", r"\b(?:(?:took|retook|take|taken|taking) (?:over )?(?=(?:the )?(?:strategic |key |important |nearby |several |two |three |\d+ )?(?:town|city|village|villages|heights?|hills?|positions?|settlements?|(?-i:[A-ZÀ-ÖØ-ÞƏŞÇĞÜİ])))|took (?:full )?control|taken (?:full )?control|(?:took|taken|won) back|captured|seized|(?:was|were|been|had|have|has|army|forces|troops) (?:\w+ )?freed|freed (?:from (?:the )?occupation|the (?:town|city|village|villages|settlements?|heights?))|(?:the |newly )?freed (?:settlements?|villages?|towns?|territor\w+)|liberat(?:ed|ing|ion of)|recaptured|retook|retaken|regained(?: control)?|fell to|entered the (?:city|town|village)|raised (?:the|its|their) flags?|under (?:its|azerbaijani|armenian|full|their) control|brought (?:\w+ ){0,3}under (?:\w+ )?control|(?:restored|re-?established) (?:\w+ ){0,2}(?:control|sovereignty)|lost control of)\b",
         "Battles", "Government regains territory", 0.75),
    Rule("handover", r"\b(?:handed (?:over|back)|hand(?:s|ing)? over|handover|hand(?:s|ed|ing)? (?:[\w-]+ ){1,3}(?:back|over)\b|returned to azerbaijan(?:i control)?|withdr[ae]w\w*|pulled out|pulled (?:\w+ ){0,2}(?:troops|forces|units|soldiers) (?:out|back)|(?:taken|took|moved) (?:its |their )?(?:\w+ )?(?:troops|forces|units|soldiers) (?:out|back)|transferred (?:to|under))\b",
         "Strategic developments", "Non-violent transfer of territory", 0.75),
    Rule("clash", r"\b(?:(?:punitive|retaliatory|pre-?emptive|targeted|precision) (?:operations?|actions?|strikes?|attacks?)|clash(?:es|ed)?|fighting|fought|battles?|offensive|counter-?offensive|assault\w*|skirmish\w*|firefights?|exchanges? of fire|exchanged fire|opened fire|gunfire|sniper\w*|military operations?|anti-?terror(?:ist)? (?:operation|measures)|hostilities|incursion|infiltrat\w*|attack(?:ed|s|ing)?(?: on)?(?: the| its| their| our)? (?:armenian |azerbaijani |military |army |combat )?(?:positions?|posts?|installations?|troops|units|soldiers)|launched (?:an? )?(?:attacks?|offensives?|operations?)|storm(?:ed|ing)|repel(?:led|ling)|repuls(?:ed|ing)|fended off|beat back|shot down|downed|brought down|destroyed (?:an? |the )?(?:\w+ ){0,2}(?:jet|aircraft|plane|helicopter|su-25))\b",
         "Battles", "Armed clash", 0.75),
    Rule("agreement", r"\b(?:agreed|signed|reached|brokered|came into (?:force|effect)|took effect|accepted|announced|declared|proclaimed|struck|concluded)\b[^.;]{0,60}\b(?:cease-?fire|truce|agreement|deal|statement|accord|surrender|disarm\w*)\b|\b(?:cease-?fire|truce|agreement|deal|armistice)\b[^.;]{0,40}\b(?:was|were|has been|had been|is) (?:agreed|signed|reached|announced|declared|brokered)\b|\b(?:cease-?fire|truce)s? (?:took|takes|came into|went into) (?:effect|force)\b|\b(?:cease-?fire|truce)\s+(?:\w+\s+)?(?:declared|agreed|announced|brokered|reached|signed)\b|\b(?:accepted|agreed to|declared|announced) (?:a |an |the )?(?:\w+ )?(?:cease-?fire|truce)\b|\btrilateral statement\b|\bagreed (?:on|to) (?:a |the )?(?:disarm|dissolve|lay down|border|delimitation|cease-?fire|truce)\w*|\bhalt(?:ed)? (?:the )?hostilities\b|\b(?:provisionally )?agreed on the (?:border|line)\b"
                         # "the ceasefire agreement the two sides reached on April 5"
                         r"|\b(?:cease-?fire|truce|agreement|deal|accord)\s+(?:that\s+)?(?:the|both)\s+(?:two\s+|warring\s+)?(?:sides|parties|countries|leaders)\s+(?:had\s+)?(?:reached|signed|agreed|struck|concluded)\b",
         "Strategic developments", "Agreement", 0.75),
    Rule("talks", r"\b(?:held|hold|holding) (?:\w+ ){0,3}talks\b|\btalks with\b|\btalks (?:were |was )?(?:held|over|took place|began|ended)\b|\bsat down with\b|\b(?:the|a) (?:meeting|talks|negotiations) (?:in|at) (?=(?:the )?(?-i:[A-Z])|the (?:\w+ )?(?:city|town|capital) of\b)|\bmet (?:with )?(?:\w+ ){0,4}(?:to discuss|for talks)\b|\b(?:dissolv\w+|dissolution of)\b[^.;]{0,40}\b(?:republic|state institutions|government)\b"
                        r"|\b(?:dissolved|disbanded|abolished)\s+(?:it|them|itself|the\s+(?:\w+\s+){0,2}(?:republic|entity|state|parliament|government|institutions))\b",
         "Strategic developments", "Other", 0.65),
    Rule("checkpoint", r"\b(?:set up|established|installed|erected|opened|placed)\b[^.;]{0,30}\bcheck-?points?\b|\bcheck-?points? (?:was|were|had been|has been) (?:set up|established|installed|erected)\b",
         "Strategic developments", "Headquarters or base established", 0.75),
    Rule("blockade", r"\b(?:blockade[sd]?|blockading|blocked|blocking|(?:gas|electricity|power|water)(?: supplies?| supply)?(?: [\w-]+){0,3} (?:was |were |had been |has been )?(?:cut|interrupted|halted|stopped|disrupted|switched off)\b|interruptions? (?:of|in) (?:the )?(?:gas|power|electricity|water)|(?:cut|interrupted|halted|stopped|disrupted|suspended) (?:the )?(?:\w+ ){0,2}(?:gas|electricity|power|water) suppl(?:y|ies)|suppl(?:y|ies)\b[^.;]{0,40}?\b(?:was|were) (?:cut|interrupted|halted|stopped)(?: off)?(?: again)?|(?:gas|power) cuts?|closed (?:the |off the )?(?:\w+ ){0,2}(?:road|corridor|highway|route|checkpoint)|closures? of (?:the )?(?:\w+ ){0,3}(?:road|corridor|highway|route|checkpoint|border crossing)|road closure|sealed off|cut off|suspended (?:traffic|movement)|halted (?:traffic|deliveries))\b",
         "Strategic developments", "Other", 0.7),
    Rule("displacement", r"\b(?:evacuat\w+|humanitarian corridors?|fled|flee(?:ing)?|exodus|displaced|refugees|stranded|uprooted|"
                             r"(?:forced|driven) (?:from|out of) their homes|(?:started|began|begun|were|are) (?:leaving|to leave|fleeing|to flee)\b(?! (?:the )?(?:office|post|job|meeting|talks|room))|(?:leaving|left|fled) en masse|"
                             r"(?:bring|brought|bringing|take|took|taken|get|got)\s+(?:\d+\s+|[\w-]+\s+){0,3}(?:patients|wounded|sick|injured|civilians)\s+(?:out|across)\b|"
                             r"stuck (?:on|at|in) the (?:road|highway|border|corridor)|(?:transfer(?:red)?|transport(?:ed)?|mov(?:ed|ing)) (?:of )?(?:\d+ |[\w-]+ ){0,2}(?:patients|wounded|sick|injured)\b|"
                             r"(?:stayed|sheltered|slept|spent the night) (?:\w+ ){0,3}in (?:guest ?houses|hotels|shelters|tents|schools|their (?:cars|vehicles))|took shelter|"
                             r"set (?:\w+ )?(?:homes?|houses?) (?:on fire|alight|ablaze)|burn(?:ed|t|ing) (?:down )?(?:their |his |her )?(?:own )?(?:homes?|houses?)|"
                             r"(?:houses?|homes?)\b[^.;]{0,160}?\b(?:were|was) (?:burning|set alight|set on fire|ablaze|torched)|(?:houses?|homes?) (?:set alight|set on fire|burning|ablaze)|left for armenia|crossed into armenia|arrived in armenia|(?:left|leaving|leave) (?:nagorno-)?karabakh|convoys? of (?:cars|vehicles|refugees))\b",
         "Strategic developments", "Other", 0.7),
    Rule("arrest", r"\b(?:arrested|detained|apprehended|taken into custody|taken prisoner|(?:were|was) captured (?=\w)|captured (?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a dozen|dozens of) (?:\w+ )?(?:servicemen|soldiers|troops))\b", "Strategic developments", "Arrests", 0.75),
    Rule("abduction", r"\b(?:abducted|kidnapped|taken hostage)\b", "Violence against civilians", "Abduction/forced disappearance", 0.7),
    Rule("peacekeeper_posts", r"\b(?:set up|placed|installed|installing|established|built|opened)\b[^.;]{0,40}\b(?:observation posts?|posts?|bases?)\b|\b(?:observation posts?|bases?)\b[^.;]{0,30}\b(?:have been|were|was|had been) (?:set up|placed|installed|established)\b|\b(?:command cent(?:re|er)|headquarters)\b[^.;]{0,60}\b(?:move|moved|relocat\w+|set up|established)\b",
         "Strategic developments", "Headquarters or base established", 0.65),
    Rule("peacekeepers", r"\b(?:deploy\w*|arrived|entered|began (?:their )?(?:mission|patrols?))\b[^.;]{0,50}\bpeace ?keep\w*|\bpeace ?keep\w*[^.;]{0,50}\b(?:deploy\w*|arrived|set up|withdr\w*|left)\b",
         "Strategic developments", "Other", 0.65),
    Rule("riot", r"\b(?:riots?|rioters|rioting|clashed with (?:the )?police|threw (?:stones|rocks|bottles)|set (?:\w+ )?tires? (?:on fire|alight|ablaze)|tires? (?:were |was )?set (?:on fire|alight|ablaze))\b",
         "Riots", "Violent demonstration", 0.7),
    Rule("casualties", r"\b(?:killed|died|dead|wounded|injured|hurt|casualties|death toll|lost (?:their )?lives|fatalities)\b",
         "Battles", "Armed clash", 0.6),
)

# A handover announced for later ("Armenia is to hand Kalbajar back by November 15"): an
# agreement on the day it is reported, the deadline in the notes (extract.pipeline).
SCHEDULED_HANDOVER = Rule("scheduled_handover", r"$^", "Strategic developments", "Agreement", 0.6)
DEADLINE = _rx(r"\bby\s+(?:the\s+)?(?:end of\s+)?(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2}|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\bdeadline\b|\bno later than\b")

def _rule_words() -> dict[str, tuple[str, ...] | None]:
    """The prefilter's words of every rule (:func:`extract.prefilter.required_literals`):
    found by parsing each pattern, which costs as much as compiling them all, so kept in
    the user's cache (:mod:`layers.tables_cache`), keyed by the code of the rules and of
    the prefilter that finds their words, and by the Python that parsed them."""
    key = tables_cache.digest((Path(__file__), Path(prefilter.__file__)))
    return tables_cache.load_or_build("rule_words", key, lambda: {r.name: required_literals(r.source) for r in RULES})


_PREFILTER: dict[str, tuple[str, ...] | None] = _rule_words()


def may_match(rule: Rule, low: str) -> bool:
    """Whether ``rule`` can match the lower-cased sentence ``low`` (``False`` only when
    it certainly cannot)."""
    return may_contain_match(_PREFILTER[rule.name], low)


def rule_needles(rule: Rule) -> tuple[str, ...] | None:
    """The words one of which every match of ``rule`` holds, lower-cased (``None``: no
    such words; see :mod:`extract.prefilter`)."""
    return _PREFILTER[rule.name]

# A trigger inside a reference to the past ("the areas it captured") reports nothing new.
# "32 captured", "captured two soldiers": people taken, not ground.
PEOPLE_TAKEN = _rx(r"(?:\b\d+|\b(?:two|three|four|five|six|seven|eight|nine|ten|dozens|several))\s+(?:\w+\s+){0,2}(?:were\s+)?(?:captured|seized)\b|\b(?:captured|seized)\s+(?:\w+\s+){0,2}(?:soldiers|servicemen|troops|prisoners|civilians|people|men)\b")

# "as set out in the Trilateral Statement signed on ...": a document cited, not news.
DOCUMENT_REFERENCE = _rx(r"\b(?:as set out in|set out in|under|in line with|according to|pursuant to|in accordance with|"
                         r"provided for (?:by|in)|envisaged (?:by|in)|stipulated (?:by|in)|the terms of|since)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$")

REFERENCE = _rx(r"\b(?:areas?|territor\w+|lands?|villages?|positions?|districts?|regions?|towns?)\s+(?:(?:that|which)\s+)?(?:it|they|that|which|azerbaijan|armenia|baku)"
                r"(?:\s+had|\s+has|\s+(?:claim(?:ed|s)?|said|says)\s+(?:it\s+|they\s+)?(?:to\s+)?(?:have|had|has))?\s*[\"“']?\s*$")

NEGATION = _rx(
    r"\b(?:no|not|never|without|denied|deny|denies|didn't|did not|weren't|wasn't|isn't|aren't|haven't|hasn't|"
    r"rejected|refuted|false|nor|neither|none)\b|n't\b"
)
HYPOTHETICAL = _rx(
    r"\b(?:would|could|may|might|threaten\w*|plans? to|planning to|ready to|prepar\w+ (?:to|for)|urg\w+|"
    r"call(?:ed|s|ing)? for|need for|demand\w*|warn\w* (?:of|that|against)|fears? (?:of|that)|risk of|if|"
    r"unless|aimed at preventing|to prevent|possible|potential|intend\w*|seeks? to|sought to|vow\w*|pledg\w*|"
    r"to take control|(?:is|are|was|were) to|will|shall|feared|fear(?:s|ing)?|expected to|set to|likely to|ought to|should|"
    r"must|supposed to|once\s+(?:\w+\s+){0,3}(?:is|are))\b"
)
# Markers that govern a whole clause, however far before the trigger they stand (up to
# CLAUSE_REACH characters: a real clause is shorter; a hostile one stays linear).
CLAUSE_REACH = 400
CLAUSE_MODAL = _rx(r"\b(?:(?:this|that|which|it) (?:would |will )?means?|speculat\w+|rumou?r\w*)\b")
REQUEST = _rx(r"\b(?:urg\w+|call(?:ed|s|ing)? (?:on|for|upon)|appeal\w*|demand\w*|ask(?:ed|s|ing)?|insist\w*)\b")

CIVILIAN_RX = _rx(r"\bcivilians?\b|\bresidents?\b|\bchildren\b|\bwomen\b|\bresidential\b|\bhomes?\b|\bhospitals?\b|\bschools?\b")
SOLDIER_RX = _rx(r"\bsoldiers?\b|\bservicem[ae]n\b|\btroops\b|\bconscripts?\b|\bofficers?\b|\bmilitary personnel\b|\bfighters\b")


def negated_or_hypothetical(clause: str, trigger_start: int, trigger_end: int) -> str:
    """Why a trigger at ``trigger_start`` in ``clause`` does not report an event ('' if it does)."""
    before = clause[max(0, trigger_start - 60):trigger_start]
    after = clause[trigger_end:trigger_end + 40]
    if NEGATION.search(before) or re.search(r"^\W*(?:\w+\W+){0,3}(?:was|were|has been|have been|had been) (?:not )?reported\b", after, re.I) and NEGATION.search(before + after):
        return "negated"
    if re.search(r"\bno\b[^.;]{0,40}$", before, re.I):
        return "negated"
    if REFERENCE.search(before):
        return "a reference to an earlier event"
    if HYPOTHETICAL.search(before[-45:]):
        return "hypothetical or announced, not reported as done"
    if CLAUSE_MODAL.search(clause[max(0, trigger_start - CLAUSE_REACH):trigger_start]):
        return "a consequence, rumour or request, not reported as done"
    return ""


def requested(clause: str, trigger_start: int) -> bool:
    """Whether the clause asks for what the trigger names ("urged the other side ... to
    respect the ceasefire"): a request for an agreement is not one."""
    return bool(REQUEST.search(clause[max(0, trigger_start - CLAUSE_REACH):trigger_start]))
