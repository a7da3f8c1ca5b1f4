"""Score the extractor on labelled reports (``karabakh-map evaluate DIR``).

A folder in the development set's format holds report files (``NN_slug.txt``) and a
``labels.json``: a list of ``{"article": FILE, "events": [{"place", "kind", "date"}],
"places_mentioned": [{"name", "aliases"}]}``. Each report is extracted as the CLI
would, and its events are matched to the labels, one to one:

- **place**: the label's place, or one of its aliases in ``places_mentioned``, names
  the event's place: a spelling of the same gazetteer place or village
  (``x_place_id``), of the same layer feature (the cover names in
  :data:`COVER_NAMES`), or the event's ``location``; spellings are compared folded
  and by transliteration key ("Karkhulu" is "Karxulu"), and two spellings of at least
  :data:`TYPO_MIN_LENGTH` letters one letter apart are one name (a label keeps the
  text's spelling, and texts misspell: "Asahgi Sirik");
- **kind**: the label's kind allows the event's ACLED type and sub-type
  (:data:`KIND_TO_ACLED`; ACLED has no kind of its own for several of them, so those
  share "Strategic developments / Other");
- **date**: a pair with the same date is preferred; a label whose date is ``null``
  (the text gives none) matches on place and kind alone.

A ``casualties`` label is ACLED's fatalities of a violent event, not an event of its
own, so it matches a violent event (ACLED's political violence: battles, explosions and
remote violence, violence against civilians, riots) at the place whose fatalities,
evidence or notes report casualties ("killed", "wounded", "losses", ...; preferring the
same day), without using it up. Figures: event recall (labels matched / labels), precision (events that
match a label / events), place recall (labels whose place some event of the report
has / labels) and date accuracy (matched labels with a date whose event has that
date / matched labels with a date), overall, per kind and per report, with every
miss and every extra.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from events import Event

from .article import read_article_file
from .gazetteer import Gazetteer, default_gazetteer
from .pipeline import events_from_article
from .textnorm import fold_key, translit_phrase

log = logging.getLogger(__name__)

_SD = "Strategic developments"
_ER = "Explosions/Remote violence"
KIND_TO_ACLED: dict[str, set[tuple[str, str]]] = {
    "shelling/artillery/missile": {(_ER, "Shelling/artillery/missile attack"), (_ER, "Air/drone strike")},
    "armed clash/offensive": {("Battles", "Armed clash")},
    "ceasefire violation": {("Battles", "Armed clash"), (_ER, "Shelling/artillery/missile attack")},
    "territorial control change": {("Battles", "Government regains territory"),
                                   ("Battles", "Non-state actor overtakes territory"),
                                   (_SD, "Non-violent transfer of territory")},
    # the development set labels peacekeepers' posts and headquarters, set up to carry
    # out a ceasefire, as its implementation; ACLED's type for them is a base established
    "ceasefire/agreement": {(_SD, "Agreement"), (_SD, "Headquarters or base established")},
    "humanitarian corridor/evacuation/displacement": {(_SD, "Other")},
    "blockade/checkpoint": {(_SD, "Other"), (_SD, "Headquarters or base established")},
    "explosion/accident": {(_ER, "Remote explosive/landmine/IED"), (_SD, "Other")},
    "statement/diplomacy": {(_SD, "Other"), (_SD, "Agreement")},
    "arrest/detention": {(_SD, "Arrests"), ("Violence against civilians", "Abduction/forced disappearance")},
    "protest": {("Protests", "Peaceful protest"), ("Protests", "Protest with intervention"),
                ("Protests", "Excessive force against protesters"), ("Riots", "Violent demonstration"),
                ("Riots", "Mob violence")},
}
VIOLENT_TYPES = {"Battles", _ER, "Violence against civilians", "Riots"}  # ACLED's political violence
KINDS = (*KIND_TO_ACLED, "casualties")

# The development set's cover names for lines and areas, by layer feature.
COVER_NAMES: dict[str, tuple[str, ...]] = {
    "contact_line:contact_line_1994": ("Line of Contact (1994–2020)", "Line of Contact", "contact line"),
    "contact_line:contact_line_2020": ("2020 contact line", "contact line", "Line of Contact"),
    "borders:ARM-AZE": ("Armenia–Azerbaijan border", "Armenia-Azerbaijan border"),
    "peacekeeping_zone:peacekeeping_zone": ("Nagorno-Karabakh",),
    "nkao:nkao": ("Nagorno-Karabakh",),
    "lachin_corridor:route_2020_road": ("Lachin corridor",),
    "lachin_corridor:route_2022_road": ("Lachin corridor",),
    "seven_districts": ("seven districts",),
}

# The gazetteer's feature targets each layer answers to.
LAYER_TARGETS: dict[str, tuple[str, ...]] = {
    "contact_line": ("@contact_line",), "lachin_corridor": ("@corridor", "@hakari_bridge"), "borders": ("@border",),
    "peacekeeping_zone": ("@region", "@peacekeeping_zone"), "nkao": ("@region",), "seven_districts": ("@seven_districts",),
}


@dataclass(frozen=True)
class Label:
    """One labelled event."""

    article: str
    place: str
    kind: str
    date: str | None
    aliases: tuple[str, ...] = ()


@dataclass
class ArticleScore:
    """The matching of one report."""

    article: str
    labels: list[Label]
    events: list[Event]
    matched: list[tuple[Label, Event]] = field(default_factory=list)
    missed: list[tuple[Label, str]] = field(default_factory=list)  # (label, why)
    extra: list[Event] = field(default_factory=list)
    places_found: int = 0


@dataclass
class Evaluation:
    """Scores over a folder of labelled reports."""

    articles: list[ArticleScore]

    @property
    def n_labels(self) -> int:
        return sum(len(a.labels) for a in self.articles)

    @property
    def n_events(self) -> int:
        return sum(len(a.events) for a in self.articles)

    def figures(self) -> dict[str, float]:
        """Event recall, precision, place recall, date accuracy, with the counts behind them."""
        matched = [m for a in self.articles for m in a.matched]
        dated = [(lab, e) for lab, e in matched if lab.date]
        n_extra = sum(len(a.extra) for a in self.articles)
        n_events = self.n_events
        return {
            "event_recall": _ratio(len(matched), self.n_labels),
            "precision": _ratio(n_events - n_extra, n_events),
            "place_recall": _ratio(sum(a.places_found for a in self.articles), self.n_labels),
            "date_accuracy": _ratio(sum(e.event_date.isoformat() == lab.date for lab, e in dated), len(dated)),
            "labels": self.n_labels, "events": n_events, "matched": len(matched), "extra": n_extra,
        }

    def per_kind(self) -> dict[str, tuple[int, int]]:
        """kind -> (labels matched, labels)."""
        total = Counter(lab.kind for a in self.articles for lab in a.labels)
        found = Counter(lab.kind for a in self.articles for lab, _ in a.matched)
        return {k: (found[k], total[k]) for k in sorted(total, key=lambda k: (-total[k], k))}

    def report(self, *, details: bool = True) -> str:
        """The figures as text: overall, per kind, per report, then every miss and extra."""
        f = self.figures()
        lines = [
            f"event recall {f['event_recall']:.2f} ({f['matched']}/{f['labels']}), precision {f['precision']:.2f} "
            f"({f['events'] - f['extra']}/{f['events']}), place recall {f['place_recall']:.2f}, "
            f"date accuracy {f['date_accuracy']:.2f}",
            "", "per kind (found/labelled):",
        ]
        lines += [f"  {k:48s} {a:3d}/{b:<3d} {_ratio(a, b):.2f}" for k, (a, b) in self.per_kind().items()]
        lines += ["", "per report (found/labelled, extra):"]
        lines += [f"  {a.article:52s} {len(a.matched):3d}/{len(a.labels):<3d} extra {len(a.extra)}" for a in self.articles]
        if details:
            for a in self.articles:
                if not (a.missed or a.extra):
                    continue
                lines += ["", a.article]
                lines += [f"  MISS  {lab.date or 'undated':10s} {lab.kind:32s} {lab.place}  ({why})" for lab, why in a.missed]
                lines += [f"  EXTRA {e.event_date.isoformat():10s} {e.event_type} / {e.sub_event_type} at "
                          f"{e.location}: {e.x_evidence[:90]!r}" for e in a.extra]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            **self.figures(),
            "per_kind": {k: {"found": a, "labelled": b} for k, (a, b) in self.per_kind().items()},
            "articles": [
                {"article": a.article, "labelled": len(a.labels), "found": len(a.matched), "extra": len(a.extra),
                 "missed": [{"place": lab.place, "kind": lab.kind, "date": lab.date, "why": why} for lab, why in a.missed],
                 "extras": [{"date": e.event_date.isoformat(), "type": e.event_type, "sub_type": e.sub_event_type,
                             "location": e.location, "evidence": e.x_evidence[:200]} for e in a.extra]}
                for a in self.articles
            ],
        }


def _loose(key: str) -> str:
    return "~" + translit_phrase(key)


def _ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 0.0


def read_labels(folder: Path) -> dict[str, list[Label]]:
    """The labels of a folder, by report file name.

    Raises
    ------
    ValueError
        If ``labels.json`` is missing, not JSON, or not in the development set's format.
    """
    path = Path(folder) / "labels.json"
    if not path.is_file():
        raise ValueError(f"{path} does not exist: a folder to evaluate needs labels.json beside its reports")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not JSON ({err}): fix the file") from err
    if not isinstance(data, list):
        raise ValueError(f"{path} must hold a list of {{'article', 'events', 'places_mentioned'}} objects")
    out: dict[str, list[Label]] = {}
    for i, item in enumerate(data, start=1):
        try:
            aliases = {p["name"]: tuple(p.get("aliases") or ()) for p in item.get("places_mentioned", [])}
            out[item["article"]] = [
                Label(item["article"], ev["place"], ev["kind"], ev.get("date"), aliases.get(ev["place"], ()))
                for ev in item["events"]
            ]
        except (KeyError, TypeError) as err:
            raise ValueError(f"{path}, item {i}: missing or malformed field {err}: each event needs place, kind and date") from err
        unknown = {lab.kind for lab in out[item["article"]]} - set(KINDS)
        if unknown:
            raise ValueError(f"{path}, item {i}: unknown kind {sorted(unknown)}: use one of {sorted(KINDS)}")
    return out


class _Places:
    """Which names an event's place answers to, and which targets a label names."""

    def __init__(self, gz: Gazetteer) -> None:
        self.gz = gz
        self.names_of: dict[str, set[str]] = {}
        for key, target in gz.names().items():
            self.names_of.setdefault(target, set()).add(key)
        for ref, names in COVER_NAMES.items():
            self.names_of.setdefault(ref, set()).update(fold_key(n) for n in names)

    def event_names(self, e: Event) -> set[str]:
        names = {fold_key(e.location)} | {fold_key(p) for p in e.location.split("/")}
        layer = e.x_layer.split(":")[0] if e.x_layer else ""
        for ref in (e.x_place_id, e.x_layer, *LAYER_TARGETS.get(layer, ())):
            if ref:
                names |= self.names_of.get(ref, set())
        if e.x_layer.startswith("seven_districts:"):
            names |= self.names_of.get(e.x_layer.split(":", 1)[1], set())
        return names | {_loose(n) for n in names} | ({f"@id:{e.x_place_id}"} if e.x_place_id else set())

    def label_names(self, lab: Label) -> set[str]:
        """The label's spellings, and the ids the gazetteer reads them as (a label names
        a place as the text writes it, so the text's reading is the fair one)."""
        names = {fold_key(n) for n in (lab.place, *lab.aliases) if n}
        ids = {m.target for n in (lab.place, *lab.aliases) if n for m in self.gz.find(f"the village of {n}")
               if m.is_place and m.surface.casefold() == n.casefold()}
        return names | {_loose(n) for n in names} | {f"@id:{i}" for i in ids}


# "inflicted losses in personnel" reports casualties without a figure
_CASUALTY_WORDS = re.compile(r"\b(?:killed|died|dead|deaths?|wounded|injured|hurt|casualt\w*|fatalit\w*|lives|losses)\b", re.IGNORECASE)


def _kind_ok(kind: str, e: Event) -> bool:
    if kind == "casualties":  # the fatalities or casualties of a violent event the report gives
        return e.event_type in VIOLENT_TYPES and (e.fatalities > 0 or bool(_CASUALTY_WORDS.search(f"{e.x_evidence} {e.notes}")))
    return (e.event_type, e.sub_event_type) in KIND_TO_ACLED[kind]


TYPO_MIN_LENGTH = 8  # names this long that differ by one letter are one name misspelt


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one inserted, dropped or changed letter, or two
    neighbours swapped (the report's "Asahgi Sirik" for Ashaghi/Aşağı Sirik)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


def _same_place(label_names: set[str], event_names: set[str]) -> bool:
    """Whether a label and an event name one place: a shared name, alias or gazetteer id,
    or, for names of at least :data:`TYPO_MIN_LENGTH` letters, one letter apart (a label
    keeps the text's spelling, and texts misspell)."""
    if label_names & event_names:
        return True
    loose = lambda names: [n for n in names if n.startswith("~") and len(n) > TYPO_MIN_LENGTH]  # noqa: E731
    return any(_one_edit_apart(a, b) for a in loose(label_names) for b in loose(event_names))


def score_article(labels: list[Label], events: list[Event], places: _Places, article: str) -> ArticleScore:
    """Match one report's events to its labels (see the module docstring)."""
    out = ArticleScore(article, labels, events)
    enames = [places.event_names(e) for e in events]
    used: set[int] = set()
    lnames = [places.label_names(lab) for lab in labels]
    out.places_found = sum(any(_same_place(ln, en) for en in enames) for ln in lnames)
    pairs: dict[int, int] = {}
    # same date first, then any date, so that a dated match is never taken by an undated one
    order = sorted(range(len(labels)), key=lambda i: labels[i].kind == "casualties")
    for want_same_date in (True, False):
        for i in order:
            lab = labels[i]
            if i in pairs:
                continue
            for j, e in enumerate(events):
                consuming = lab.kind != "casualties"
                if (consuming and j in used) or not _same_place(lnames[i], enames[j]) or not _kind_ok(lab.kind, e):
                    continue
                if want_same_date and lab.date and e.event_date.isoformat() != lab.date:
                    continue
                pairs[i] = j
                if consuming:
                    used.add(j)
                break
    for i, lab in enumerate(labels):
        if i in pairs:
            out.matched.append((lab, events[pairs[i]]))
            continue
        at_place = [e for j, e in enumerate(events) if _same_place(lnames[i], enames[j])]
        if not at_place:
            why = "no event at this place"
        elif not any(_kind_ok(lab.kind, e) for e in at_place):
            why = "events here are of other kinds: " + ", ".join(sorted({e.sub_event_type for e in at_place}))
        else:
            why = "taken by another label"
        out.missed.append((lab, why))
    hit = {j for j in pairs.values()}
    out.extra = [e for j, e in enumerate(events) if j not in hit]
    return out


def evaluate_folder(folder: str | Path, *, gazetteer: Gazetteer | None = None) -> Evaluation:
    """Extract every labelled report of ``folder`` and score the result.

    Raises
    ------
    ValueError
        If the folder has no usable ``labels.json`` or a labelled report is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder: give the folder that holds labels.json and the reports")
    labels = read_labels(folder)
    gz = gazetteer or default_gazetteer()
    places = _Places(gz)
    scores = []
    for name in sorted(labels):
        path = folder / name
        if not path.is_file():
            raise ValueError(f"{path} is named in labels.json but does not exist: add the report or remove its entry")
        result = events_from_article(read_article_file(path), gazetteer=gz)
        scores.append(score_article(labels[name], result.events, places, name))
    return Evaluation(scores)
