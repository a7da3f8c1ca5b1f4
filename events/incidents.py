"""Incidents: the events of several reports that describe one thing that happened.

Two events describe the same incident when all three hold (:func:`link_reason`):

1. **Compatible kinds**: both are violence (battles, shelling, strikes, attacks on
   civilians: a shelling and its casualties are one incident), or both are changes of
   territory, or both are protests or riots; any other strategic development only with the
   same sub-type (a ceasefire never joins a shelling).
2. **The same day, within each report's time precision**: the same day for reports dated
   to the day, the same week or month when a report gives only that.
3. **The same place**: the same gazetteer place, or the same layer feature (a line, a
   region); two different gazetteer places never ("same day, next village" stays apart).
   Events known only by coordinates join within a distance set by both geo precisions.

Linking is deterministic: a new event joins the incident of its best match (same place
first, then the nearest day, then the nearest point, then the first stored), and never
merges two existing incidents; the user does that by hand (split, merge). Each event keeps
its own report, evidence and confidence; ``x_incident`` names the incident (the ``x_uid``
of its first event) and ``x_incident_reason`` says why it was linked.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
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
SEARCH_DAYS = max(DAY_WINDOW.values())
SEARCH_DEG = 0.1  # the candidate box around a new event (about 9-11 km), beyond every radius

# The columns a store reads to find candidates, narrow on purpose.
CANDIDATE_COLUMNS = ("x_uid", "x_incident", "sub_event_type", "event_date", "time_precision", "geo_precision",
                     "x_place_id", "x_layer", "latitude", "longitude", "location")


@dataclass(frozen=True)
class Candidate:
    """A stored (or earlier new) event as linking sees it."""

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

    @classmethod
    def from_row(cls, row: Sequence) -> "Candidate":
        """From a row in :data:`CANDIDATE_COLUMNS` order (the date as text or a date)."""
        uid, incident, sub, day, tp, gp, pid, layer, lat, lon, loc = row
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        return cls(uid, incident or uid, sub, day, int(tp or 1), int(gp or 1), pid or "", layer or "",
                   float(lat), float(lon), loc or "")

    @classmethod
    def from_event(cls, e: Event) -> "Candidate":
        return cls(e.x_uid, e.x_incident or e.x_uid, e.sub_event_type, e.event_date, e.time_precision, e.geo_precision,
                   e.x_place_id, e.x_layer, e.latitude, e.longitude, e.location)


def family(sub_event_type: str) -> str:
    """The kind of incident a sub-type belongs to: violence, territory, unrest, or the sub-type itself."""
    if sub_event_type in VIOLENCE:
        return "violence"
    if sub_event_type in TERRITORY:
        return "territory"
    if sub_event_type in UNREST:
        return "unrest"
    return sub_event_type


def _km(a: Candidate, b: Candidate) -> float:
    mean_lat = math.radians((a.latitude + b.latitude) / 2)
    dx = (a.longitude - b.longitude) * 111.32 * math.cos(mean_lat)
    dy = (a.latitude - b.latitude) * 110.57
    return math.hypot(dx, dy)


def link_reason(a: Candidate, b: Candidate) -> str | None:
    """Why ``a`` and ``b`` are one incident, in words, or ``None`` when they are not."""
    if family(a.sub_event_type) != family(b.sub_event_type):
        return None
    gap = abs((a.event_date - b.event_date).days)
    if gap > max(DAY_WINDOW.get(a.time_precision, 0), DAY_WINDOW.get(b.time_precision, 0)):
        return None
    if a.x_place_id or b.x_place_id:
        if a.x_place_id != b.x_place_id:
            return None
        where = f"same place {a.location or a.x_place_id}"
    elif a.x_layer or b.x_layer:
        if a.x_layer != b.x_layer:
            return None
        where = f"same feature {a.location or a.x_layer}"
    else:
        if a.geo_precision >= 3 or b.geo_precision >= 3:
            return None
        km = _km(a, b)
        if km > max(RADIUS_KM.get(a.geo_precision, 0), RADIUS_KM.get(b.geo_precision, 0)):
            return None
        where = f"{km:.1f} km apart"
    when = "same day" if gap == 0 else f"{gap} day{'s' if gap > 1 else ''} apart, within the reports' date precision"
    kinds = a.sub_event_type if a.sub_event_type == b.sub_event_type else f"{b.sub_event_type} and {a.sub_event_type}"
    return f"linked because: {where}, {when}, {kinds.lower()}"


def _rank(a: Candidate, b: Candidate, order: int) -> tuple:
    same = bool(a.x_place_id and a.x_place_id == b.x_place_id) or bool(a.x_layer and a.x_layer == b.x_layer)
    return (not same, abs((a.event_date - b.event_date).days), _km(a, b), order)


def search_window(events: Sequence[Event]) -> tuple[dt.date, dt.date, tuple[float, float, float, float]]:
    """The dates and box (west, south, east, north) that hold every candidate of ``events``."""
    since = min(e.event_date for e in events) - dt.timedelta(days=SEARCH_DAYS)
    until = max(e.event_date for e in events) + dt.timedelta(days=SEARCH_DAYS)
    box = (min(e.longitude for e in events) - SEARCH_DEG, min(e.latitude for e in events) - SEARCH_DEG,
           max(e.longitude for e in events) + SEARCH_DEG, max(e.latitude for e in events) + SEARCH_DEG)
    return since, until, box


def assign_incidents(events: Sequence[Event], candidates: Iterable[Candidate]) -> list[Event]:
    """``events`` with ``x_incident`` and ``x_incident_reason`` set, in order.

    Each event joins the incident of its best match among ``candidates`` (stored events)
    and the events before it; with no match it is its own incident.
    """
    pool = list(candidates)
    out = []
    for e in events:
        me = Candidate.from_event(e)
        best, best_rank, reason = None, None, None
        for order, c in enumerate(pool):
            why = link_reason(me, c)
            if why is None:
                continue
            rank = _rank(me, c, order)
            if best_rank is None or rank < best_rank:
                best, best_rank, reason = c, rank, why
        if best is None:
            linked = replace(e, x_incident=e.x_uid, x_incident_reason="") if e.x_incident != e.x_uid or e.x_incident_reason else e
        else:
            linked = replace(e, x_incident=best.x_incident, x_incident_reason=f"{reason} (with {best.x_uid})")
        out.append(linked)
        pool.append(Candidate.from_event(linked))
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


def report_side(source: str) -> str:
    """The side of the outlet of an event's ``source``."""
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
