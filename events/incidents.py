"""Incidents: the events of several reports that describe one thing that happened.

Two events describe the same incident when all three hold (:func:`link_reason`):

1. **Compatible kinds**: both are violence (battles, shelling, strikes, attacks on
   civilians: a shelling and its casualties are one incident), or both are changes of
   territory, or both are protests or riots; any other strategic development only with the
   same sub-type (a ceasefire never joins a shelling).
2. **The same day, within each report's time precision**: the same day for reports dated
   to the day, the same week or month when a report gives only that; a day either side
   when a report speaks of the night ("overnight into Tuesday" is dated Monday by one
   report and Tuesday by another).
3. **The same place**: the same gazetteer place, or the same layer feature (a line, a
   region); two different gazetteer places never ("same day, next village" stays apart).
   A place and a road of the corridor layer when the place lies within
   :data:`ROAD_REACH_KM` of it (a blockade "near Shusha" and "on the Lachin corridor").
   Events known only by coordinates join within a distance set by both geo precisions.

Linking is deterministic: a new event joins the incident of its best match (same place
first, then the nearest day, then the nearest point, then the earliest dated, then the lowest id), and never
merges two existing incidents; the user does that by hand (split, merge). Each event keeps
its own report, evidence and confidence; ``x_incident`` names the incident (the ``x_uid``
of its first event) and ``x_incident_reason`` says why it was linked.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from .model import Event
from .sources import OFFICIAL_SIDES, PARTY_SIDES, SIDES, outlet_of, side_of

VIOLENCE = {"Armed clash", "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED", "Grenade", "Attack", "Sexual violence", "Abduction/forced disappearance"}
TERRITORY = {"Government regains territory", "Non-state actor overtakes territory", "Non-violent transfer of territory"}
UNREST = {"Peaceful protest", "Protest with intervention", "Excessive force against protesters", "Violent demonstration",
          "Mob violence"}
DAY_WINDOW = {1: 0, 2: 6, 3: 30}  # days either side a report's date may be off, by time precision
RADIUS_KM = {1: 2.0, 2: 5.0}  # how far two events known by coordinates may lie apart, by geo precision
# A place and a road: a blockade reported "near Shusha" by one side and "on the Lachin
# corridor" by the other. Roads only (the corridor layer's lines), never a whole line of
# contact or border, where any village on it would join.
ROAD_LAYERS = ("lachin_corridor",)
ROAD_REACH_KM = 5.0
SEARCH_DAYS = max(DAY_WINDOW.values())
SEARCH_DEG = 0.1  # the candidate box around a new event (about 9-11 km), beyond every radius

# The columns a store reads to find candidates, narrow on purpose.
CANDIDATE_COLUMNS = ("x_uid", "x_incident", "sub_event_type", "event_date", "time_precision", "geo_precision",
                     "x_place_id", "x_layer", "latitude", "longitude", "location", "x_date_text")
# "overnight", "during the night": one report dates the night by its eve, another by its morning
_NIGHT = re.compile(r"\b(?:overnight|night|midnight)\b", re.IGNORECASE)


@dataclass(slots=True)
class Candidate:
    """A stored (or earlier new) event as linking sees it (slots, not frozen: a store
    makes thousands of these per second)."""

    x_uid: str
    x_incident: str
    sub_event_type: str
    event_date: dt.date
    time_precision: int
    geo_precision: int
    x_place_id: str
    x_layer: str
    latitude: float
    longitude: float
    location: str
    date_text: str = ""
    family: str = field(init=False, default="")  # what it links with (see :func:`family`)
    night: bool = field(init=False, default=False)  # dated by a night ("overnight")

    def __post_init__(self) -> None:
        self.family = _FAMILIES.get(self.sub_event_type, self.sub_event_type)
        self.night = bool(self.date_text) and bool(_NIGHT.search(self.date_text))

    @classmethod
    def from_row(cls, row: Sequence) -> "Candidate":
        """From a row in :data:`CANDIDATE_COLUMNS` order (the date as text or a date)."""
        uid, incident, sub, day, tp, gp, pid, layer, lat, lon, loc, date_text = row
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        return cls(uid, incident or uid, sub, day, int(tp or 1), int(gp or 1), pid or "", layer or "",
                   float(lat), float(lon), loc or "", date_text or "")

    @classmethod
    def from_event(cls, e: Event) -> "Candidate":
        return cls(e.x_uid, e.x_incident or e.x_uid, e.sub_event_type, e.event_date, e.time_precision, e.geo_precision,
                   e.x_place_id, e.x_layer, e.latitude, e.longitude, e.location, e.x_date_text)


_FAMILIES = {**{s: "violence" for s in VIOLENCE}, **{s: "territory" for s in TERRITORY}, **{s: "unrest" for s in UNREST}}


def family(sub_event_type: str) -> str:
    """The kind of incident a sub-type belongs to: violence, territory, unrest, or the sub-type itself."""
    return _FAMILIES.get(sub_event_type, sub_event_type)


def _km(a: Candidate, b: Candidate) -> float:
    mean_lat = math.radians((a.latitude + b.latitude) / 2)
    dx = (a.longitude - b.longitude) * 111.32 * math.cos(mean_lat)
    dy = (a.latitude - b.latitude) * 110.57
    return math.hypot(dx, dy)


@functools.lru_cache(maxsize=256)
def _road(ref: str):
    from .places import layer_feature

    if ref.partition(":")[0] not in ROAD_LAYERS:
        return None
    try:
        geom = layer_feature(ref).geometry
    except ValueError:
        return None
    return geom if geom.geom_type in ("LineString", "MultiLineString") else None


def _km_to_road(place: Candidate, ref: str) -> float | None:
    """How far a place lies from a road feature, in km (``None`` when ``ref`` is no road)."""
    road = _road(ref)
    if road is None:
        return None
    from shapely import Point  # loaded with the road's geometry

    scale = math.cos(math.radians(place.latitude))
    nearest = road.interpolate(road.project(Point(place.longitude, place.latitude)))
    return math.hypot((nearest.x - place.longitude) * 111.32 * scale, (nearest.y - place.latitude) * 110.57)


def _linkable(a: Candidate, b: Candidate) -> tuple[str, float] | None:
    """Whether ``a`` and ``b`` are one incident: ``(how, km)`` ("road", "place",
    "feature" or "near", and the distance where it counts), or ``None``. Cheap, so that
    a batch compares many pairs and words only the one it keeps (:func:`link_reason`)."""
    if a.family != b.family:
        return None
    gap = abs((a.event_date - b.event_date).days)
    if gap > max(DAY_WINDOW.get(a.time_precision, 0), DAY_WINDOW.get(b.time_precision, 0), 1 if a.night or b.night else 0):
        return None
    if a.x_place_id and b.x_layer and not b.x_place_id or b.x_place_id and a.x_layer and not a.x_place_id:
        place, road = (a, b) if a.x_place_id else (b, a)
        km = _km_to_road(place, road.x_layer)
        return None if km is None or km > ROAD_REACH_KM else ("road", km)
    if a.x_place_id or b.x_place_id:
        return ("place", 0.0) if a.x_place_id == b.x_place_id else None
    if a.x_layer or b.x_layer:
        return ("feature", 0.0) if a.x_layer == b.x_layer else None
    if a.geo_precision >= 3 or b.geo_precision >= 3:
        return None
    km = _km(a, b)
    return ("near", km) if km <= max(RADIUS_KM.get(a.geo_precision, 0), RADIUS_KM.get(b.geo_precision, 0)) else None


def _reason(a: Candidate, b: Candidate, how: str, km: float) -> str:
    """The words of a link :func:`_linkable` found."""
    if how == "road":
        place, road = (a, b) if a.x_place_id else (b, a)
        where = f"{place.location or place.x_place_id} lies {km:.1f} km from the {road.location or road.x_layer}"
    elif how == "place":
        where = f"same place {a.location or a.x_place_id}"
    elif how == "feature":
        where = f"same feature {a.location or a.x_layer}"
    else:
        where = f"{km:.1f} km apart"
    gap = abs((a.event_date - b.event_date).days)
    when = ("same day" if gap == 0 else "a night dated by its eve and by its morning" if gap == 1 and (a.night or b.night)
            else f"{gap} day{'s' if gap > 1 else ''} apart, within the reports' date precision")
    kinds = a.sub_event_type if a.sub_event_type == b.sub_event_type else f"{b.sub_event_type} and {a.sub_event_type}"
    return f"linked because: {where}, {when}, {kinds.lower()}"


def link_reason(a: Candidate, b: Candidate) -> str | None:
    """Why ``a`` and ``b`` are one incident, in words, or ``None`` when they are not."""
    basis = _linkable(a, b)
    return None if basis is None else _reason(a, b, *basis)


def _rank(a: Candidate, b: Candidate, order: int) -> tuple:
    same = bool(a.x_place_id and a.x_place_id == b.x_place_id) or bool(a.x_layer and a.x_layer == b.x_layer)
    return (not same, abs((a.event_date - b.event_date).days), _km(a, b), order)


def search_window(events: Sequence[Event]) -> tuple[dt.date, dt.date, tuple[float, float, float, float], tuple[dt.date, dt.date]]:
    """The dates and box (west, south, east, north) that hold every candidate of ``events``,
    and the narrower dates a candidate dated to the day must fall in (the batch's own
    windows, and a day for a night): :func:`event_window` of each, put together."""
    windows = [event_window(e) for e in events]
    if len(windows) == 1:
        return windows[0]
    return (min(w[0] for w in windows), max(w[1] for w in windows),
            (min(w[2][0] for w in windows), min(w[2][1] for w in windows),
             max(w[2][2] for w in windows), max(w[2][3] for w in windows)),
            (min(w[3][0] for w in windows), max(w[3][1] for w in windows)))


def event_window(e: Event) -> tuple[dt.date, dt.date, tuple[float, float, float, float], tuple[dt.date, dt.date]]:
    """:func:`search_window` of one event: SEARCH_DAYS either side, the box SEARCH_DEG
    around it (around the whole road for an event on a road: a place anywhere along it
    may be a candidate), and its own date window (at least a day, for a night)."""
    day = e.event_date
    reach = dt.timedelta(days=max(DAY_WINDOW.get(e.time_precision, 0), 1))
    x, y = e.longitude, e.latitude
    w, s, east, n = x, y, x, y
    road = _road(e.x_layer) if e.x_layer else None
    if road is not None:
        rw, rs, re_, rn = road.bounds
        w, s, east, n = min(w, rw), min(s, rs), max(east, re_), max(n, rn)
    return (day - _SEARCH, day + _SEARCH, (w - SEARCH_DEG, s - SEARCH_DEG, east + SEARCH_DEG, n + SEARCH_DEG),
            (day - reach, day + reach))


_SEARCH = dt.timedelta(days=SEARCH_DAYS)


_NONE: list[int] = []  # never appended to: by_key.setdefault makes each key's own list


class _Pool:
    """Candidates by what can link them: place, feature, grid cell and family; a new event
    is compared with the few that share one, not with all."""

    CELL = 0.07  # degrees (6 km east-west here): coordinates within RADIUS_KM lie in a 3 x 3 block

    def __init__(self) -> None:
        self.items: list[Candidate] = []
        self.by_key: dict[tuple, list[int]] = {}

    def _cell(self, c: Candidate) -> tuple[int, int]:
        return int(math.floor(c.latitude / self.CELL)), int(math.floor(c.longitude / self.CELL))

    def add(self, c: Candidate) -> None:
        i = len(self.items)
        self.items.append(c)
        fam = c.family
        keys = []
        if c.x_place_id:
            keys += [("place", fam, c.x_place_id), ("placed", fam)]
        elif c.x_layer:
            keys.append(("layer", fam, c.x_layer))
            if _road(c.x_layer) is not None:
                keys.append(("road", fam))
        else:
            keys.append(("cell", fam, *self._cell(c)))
        for k in keys:
            self.by_key.setdefault(k, []).append(i)

    def near(self, c: Candidate) -> list[int]:
        """Indexes of the candidates that may link with ``c``, in pool order."""
        fam = c.family
        found: list[int] = []
        if c.x_place_id:
            same = self.by_key.get(("place", fam, c.x_place_id), _NONE)
            roads = self.by_key.get(("road", fam), _NONE)
            if not roads:
                return same  # one key's list: in pool order already, each index once
            found = same + roads
        elif c.x_layer:
            same = self.by_key.get(("layer", fam, c.x_layer), _NONE)
            if _road(c.x_layer) is None:
                return same
            found = same + self.by_key.get(("placed", fam), _NONE)
        else:
            y, x = self._cell(c)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    found += self.by_key.get(("cell", fam, y + dy, x + dx), [])
        return sorted(set(found))


def assign_incidents(events: Sequence[Event], candidates: Iterable[Candidate]) -> list[Event]:
    """``events`` with ``x_incident`` and ``x_incident_reason`` set, in order.

    Each event joins the incident of its best match among ``candidates`` (stored events)
    and the events before it; with no match it is its own incident. An event that comes
    with an incident of its own making (copied from another store, split or merged by
    hand) keeps it.
    """
    pool = _Pool()
    for c in candidates:
        pool.add(c)
    out = []
    for e in events:
        me = Candidate.from_event(e)
        if e.x_incident != e.x_uid or e.x_incident_reason:
            out.append(e)  # linked already (a copy of a store, a split or merge by hand): kept as it is
            pool.add(me)
            continue
        best, best_rank, basis = None, None, None
        for order in pool.near(me):
            c = pool.items[order]
            found = _linkable(me, c)
            if found is None:
                continue
            rank = _rank(me, c, order)
            if best_rank is None or rank < best_rank:
                best, best_rank, basis = c, rank, found
        if best is None:
            linked = replace(e, x_incident=e.x_uid, x_incident_reason="") if e.x_incident != e.x_uid or e.x_incident_reason else e
        else:
            reason = _reason(me, best, *basis)
            linked = replace(e, x_incident=best.x_incident, x_incident_reason=f"{reason} (with {best.x_uid})")
        out.append(linked)
        me.x_incident = linked.x_incident
        pool.add(me)
    return out


# -- what an incident says ----------------------------------------------------------

@dataclass(frozen=True)
class IncidentSummary:
    """Who reports an incident and who claims or denies it.

    ``independent_outlets`` are the outlets that are no government's voice (media,
    international bodies) and report the incident in their own voice or on an
    international body's word: a wire story that only relays one side's claim counts as
    an outlet, not as independent confirmation.
    """

    incident: str
    n_reports: int
    outlets: tuple[str, ...]
    independent_outlets: tuple[str, ...]
    claimed_by: tuple[str, ...]
    denied_by: tuple[str, ...]

    @property
    def one_side_only(self) -> bool:
        """Claimed by one party of the conflict, and confirmed by no independent outlet."""
        parties = [s for s in self.claimed_by if s in PARTY_SIDES]
        return len(parties) == 1 and not self.independent_outlets

    @property
    def denied_by_other_side(self) -> bool:
        """A party denies what the other party (or anyone else) reports."""
        return any(d in PARTY_SIDES for d in self.denied_by)

    def words(self) -> str:
        """One line for a popup or a caption."""
        parts = [f"{self.n_reports} report{'s' if self.n_reports != 1 else ''} from {len(self.outlets)} outlet"
                 f"{'s' if len(self.outlets) != 1 else ''} ({len(self.independent_outlets)} independent)"]
        if self.claimed_by:
            parts.append("claimed by " + ", ".join(SIDES[s] for s in self.claimed_by))
        if self.denied_by:
            parts.append("denied by " + ", ".join(SIDES[s] for s in self.denied_by))
        return "; ".join(parts)


@functools.lru_cache(maxsize=4096)
def report_side(source: str) -> str:
    """The side of the outlet of an event's ``source`` (cached: a map asks it per report)."""
    return side_of((source or "").split(";")[0])


def summarise(rows: Iterable[dict]) -> IncidentSummary:
    """The summary of one incident's events (records with the event columns)."""
    rows = list(rows)
    outlets: dict[str, str] = {}
    own_voice: set[str] = set()
    claimed: set[str] = set()
    denied: set[str] = set()
    for r in rows:
        src = str(r.get("source") or "")
        outlet = outlet_of(src) or str(r.get("x_source_title") or r.get("x_source_url") or "unnamed source")
        side = report_side(src)
        outlets.setdefault(outlet, side)
        claim, claimant = str(r.get("x_claim") or ""), str(r.get("x_claimant") or "")
        if side in ("media", "international") and (claim == "" or (claim == "claim" and claimant in ("", "international"))):
            own_voice.add(outlet)  # the outlet's own report, or an international body's: not a relay of a party
        if claim == "denial":
            if claimant:
                denied.add(claimant)
        else:
            if claimant and claimant != "media":
                claimed.add(claimant)
            elif side in OFFICIAL_SIDES:
                claimed.add(side)
    claimed -= denied
    independent = tuple(sorted(own_voice))
    order = list(SIDES)
    return IncidentSummary(
        incident=str(rows[0].get("x_incident") or rows[0].get("x_uid")) if rows else "",
        n_reports=len(rows), outlets=tuple(sorted(outlets)), independent_outlets=independent,
        claimed_by=tuple(sorted(claimed, key=order.index)), denied_by=tuple(sorted(denied, key=order.index)),
    )


def representative(rows: Sequence[dict]) -> dict:
    """The report that stands for an incident: not a denial, the most precise place, the
    surest, the first."""
    return min(enumerate(rows), key=lambda ir: (str(ir[1].get("x_claim") or "") == "denial",
                                                int(ir[1].get("geo_precision") or 1),
                                                -float(ir[1].get("x_confidence") or 0), ir[0]))[1]


# ACLED's source scale, by the country of an outlet (events.sources table): the country's
# own media are national, Russia's regional, the rest (wires, NGOs, the UN) international.
_SCALES = {"AM": "National", "AZ": "National", "RU": "Regional"}
_SCALE_ORDER = ("Subnational", "National", "Regional", "International")


def incident_record(rows: Sequence[dict]) -> dict:
    """One ACLED row for an incident: its standing report, every outlet and official in
    ``source`` (joined as ACLED does, by "; "), ``source_scale`` from the outlets' countries,
    the lowest death count a report gives, and who claims and denies it in ``notes``."""
    from .sources import entry_for

    rep = dict(representative(rows))
    names: dict[str, None] = {}
    scales: set[str] = set()
    for r in rows:
        parts = [p.strip() for p in str(r.get("source") or "").split(";") if p.strip()]
        for i, part in enumerate(parts):
            entry = entry_for(part)
            names.setdefault(entry.name if entry else part, None)
            if i == 0:
                scales.add(_SCALES.get(entry.country, "International") if entry and entry.country else
                           ("International" if entry else "National"))
    counts = [int(r.get("fatalities") or 0) for r in rows if str(r.get("x_claim") or "") != "denial"]
    given = [c for c in counts if c > 0]
    summary = summarise(rows)
    rep["source"] = "; ".join(names)
    rep["source_scale"] = "-".join(s for s in _SCALE_ORDER if s in scales)
    rep["fatalities"] = min(given) if given else 0
    rep["notes"] = "; ".join(x for x in (str(rep.get("notes") or ""), f"Corroboration: {summary.words()}") if x)
    rep["x_incident"] = summary.incident or rep.get("x_incident") or rep.get("x_uid")
    return rep


def pairwise_scores(gold: dict, predicted: dict) -> dict[str, float]:
    """Pairwise precision and recall of a linking: ``gold`` and ``predicted`` map the same
    event keys to incident labels; a pair of events is linked when they share a label.

    Returns ``pairs_gold``, ``pairs_predicted``, ``pairs_right``, ``precision``, ``recall``
    (1.0 when there is nothing to find or nothing predicted).
    """
    keys = sorted(set(gold) & set(predicted))
    pairs_gold = pairs_pred = right = 0
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            g = gold[a] == gold[b]
            p = predicted[a] == predicted[b]
            pairs_gold += g
            pairs_pred += p
            right += g and p
    return {"pairs_gold": pairs_gold, "pairs_predicted": pairs_pred, "pairs_right": right,
            "precision": right / pairs_pred if pairs_pred else 1.0, "recall": right / pairs_gold if pairs_gold else 1.0}
