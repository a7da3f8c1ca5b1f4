"""A view: what the user is looking at, shared by the page, the CLI and the snapshot.

Layers switched on, the "as of" date, the extent, the event filters, the naming
choice and a title. It round-trips through URL query parameters, so a link reopens
the same view.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Mapping

import layers
from events.taxonomy import EVENT_TYPES
from layers.names import NAMING_MODES

from events import EventError
from store.base import check_filter_values

from .basemaps import BASEMAP_IDS

# West, south, east, north in degrees (EPSG:4326).
REGION_BBOX = (43.4, 38.3, 50.9, 41.95)  # Armenia and Azerbaijan: where a view may look
DEFAULT_BBOX = (46.0, 39.05, 47.5, 40.4)  # Nagorno-Karabakh and the seven districts
# The extent of the map's own data (the countries layer): the page cannot pan beyond
# it and a snapshot may not show more (tools/build_geodata.py, DATA_BOX).
DATA_BBOX = (36.0, 34.0, 56.0, 46.0)
DEFAULT_AS_OF = dt.date(2023, 9, 19)
AS_OF_RANGE = layers.AS_OF_RANGE  # the days the layers model (the page's slider, --as-of)
EVENT_DATES_FIRST = layers.EVENT_DATES_FIRST  # the event-date filter's first day
DEFAULT_TITLE = "Nagorno-Karabakh"


def _text_list(value: str) -> tuple[str, ...]:
    """A list of free-text items from a URL parameter: a JSON array (or, from older
    links, items separated by "|")."""
    if value.startswith("["):
        items = json.loads(value)
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ViewError(f"{value!r} is not a list of texts")
        return tuple(i for i in items if i)
    return tuple(x for x in value.split("|") if x)


# How the subtitle states the naming choice, in words a reader of the map understands.
NAMES_SUBTITLE = {
    "both": "Names: Armenian and Azerbaijani usage (Stepanakert / Khankendi)",
    "armenian": "Names: Armenian usage (Stepanakert, Shushi)",
    "azerbaijani": "Names: Azerbaijani usage (Khankendi, Shusha)",
}


# The page's corroboration filter: incidents by who claims and denies them.
CORROBORATION_FILTERS = {
    "any": "Any incident",
    "one_side": "Claimed by one side only",
    "denied": "Denied by a side",
}


class ViewError(ValueError):
    """A view parameter (bbox, layer list, date, filter) is not usable; the message says why."""


def parse_bbox(value: str | tuple | list) -> tuple[float, float, float, float]:
    """``W,S,E,N`` (text or sequence, degrees) to a checked tuple.

    Raises
    ------
    ViewError
        For anything but four numbers, west > east, south > north, a box that looks
        given as lat,lon, or a box that does not overlap Armenia/Azerbaijan.
    """
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        w, s, e, n = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise ViewError(f"bbox={value!r} is not four numbers: give W,S,E,N in degrees, e.g. 46.2,39.4,47.2,40.3") from None
    rw, rs, re_, rn = REGION_BBOX
    def inside(x0, y0, x1, y1):
        return x0 < re_ and x1 > rw and y0 < rn and y1 > rs
    if not inside(w, s, e, n) and inside(s, w, n, e):
        raise ViewError(f"bbox={value!r} looks like lat,lon order: give W,S,E,N (longitude first), e.g. {s},{w},{n},{e}")
    if w >= e:
        raise ViewError(f"bbox={value!r} has west {w} >= east {e}: give W,S,E,N with west < east")
    if s >= n:
        raise ViewError(f"bbox={value!r} has south {s} >= north {n}: give W,S,E,N with south < north")
    if not inside(w, s, e, n):
        raise ViewError(f"bbox={value!r} lies outside the region ({rw},{rs},{re_},{rn}): this map covers Armenia and Azerbaijan")
    return w, s, e, n


def _clamped(day: dt.date | None, first: dt.date, last: dt.date, name: str, problems: list[str]) -> dt.date | None:
    """A date from a link moved into the range the page's widgets offer, saying so."""
    if day is None or first <= day <= last:
        return day
    near = first if day < first else last
    problems.append(f"{name}: {day.isoformat()} is outside {first.isoformat()} to {last.isoformat()}, the range the "
                    f"page offers: {near.isoformat()} is shown instead")
    return near


def _date(value, name: str) -> dt.date | None:
    try:
        return layers.parse_date(value, name=name)
    except layers.LayerError as err:
        raise ViewError(str(err)) from err


@dataclass(frozen=True)
class View:
    """What is shown. Dates are ``datetime.date``; ``bbox`` is (W, S, E, N) in degrees."""

    layers: tuple[str, ...] = tuple(i for i in layers.LAYER_IDS if layers.LAYERS[i].default_on)
    as_of: dt.date | None = DEFAULT_AS_OF
    bbox: tuple[float, float, float, float] = DEFAULT_BBOX
    since: dt.date | None = None
    until: dt.date | None = None
    event_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    min_confidence: float = 0.0
    review: tuple[str, ...] = ("unreviewed", "confirmed")
    naming: str = "both"
    title: str = DEFAULT_TITLE
    show_events: bool = True
    basemap: str = "none"
    min_independent: int = 0  # incidents confirmed by at least this many independent outlets
    corroboration: str = "any"  # "any", "one_side" (claimed by one side only), "denied" (denied by a side)

    def __post_init__(self):
        unknown = [lid for lid in self.layers if lid not in layers.LAYERS]
        if unknown:
            raise ViewError(f"unknown layer {unknown[0]!r}: choose from {', '.join(layers.LAYER_IDS)}")
        bad_types = [t for t in self.event_types if t not in EVENT_TYPES]
        if bad_types:
            raise ViewError(f"event type {bad_types[0]!r} is not an ACLED event type: choose from {', '.join(EVENT_TYPES)}")
        if self.naming not in NAMING_MODES:
            raise ViewError(f"naming={self.naming!r} is not a naming mode: choose from {', '.join(NAMING_MODES)}")
        if self.basemap not in BASEMAP_IDS:
            raise ViewError(f"basemap={self.basemap!r} is not a basemap: choose from {', '.join(BASEMAP_IDS)}")
        if not 0 <= self.min_confidence <= 1:
            raise ViewError(f"min_confidence={self.min_confidence!r} is not between 0 and 1")
        if self.corroboration not in CORROBORATION_FILTERS:
            raise ViewError(f"corroboration={self.corroboration!r} is not a filter: choose from {', '.join(CORROBORATION_FILTERS)}")
        if not isinstance(self.min_independent, int) or not 0 <= self.min_independent <= 20:
            raise ViewError(f"min_independent={self.min_independent!r} is not a whole number from 0 to 20")
        try:
            check_filter_values("sources", self.sources)
            check_filter_values("event types", self.event_types)
        except EventError as err:
            raise ViewError(str(err)) from None
        if self.since and self.until and self.since > self.until:
            raise ViewError(f"since={self.since} is after until={self.until}: swap them")
        object.__setattr__(self, "bbox", parse_bbox(self.bbox))

    def replace(self, **changes) -> "View":
        return dataclasses.replace(self, **changes)

    def query_filters(self) -> dict:
        """Keyword arguments for :meth:`store.EventStore.query`.

        Events after the "as of" day are left out: the map shows that day as it was.
        """
        until = self.until
        if self.as_of and (until is None or until > self.as_of):
            until = self.as_of
        return dict(since=self.since, until=until, event_types=self.event_types or None,
                    sources=self.sources or None, min_confidence=self.min_confidence or None,
                    review=self.review or None)

    def subtitle(self) -> str:
        """A plain-text line stating the date and the filters."""
        bits = [f"As of {self.as_of:%d %B %Y}" if self.as_of else "All dates"]
        if self.since or self.until:
            bits.append(f"events {self.since or '…'} to {self.until or '…'}")
        if self.event_types:
            bits.append("types: " + ", ".join(self.event_types))
        if self.sources:
            bits.append("sources: " + ", ".join(self.sources))
        if self.min_confidence:
            bits.append(f"confidence ≥ {self.min_confidence:.2f}")
        if set(self.review) != {"unreviewed", "confirmed"}:
            bits.append("review: " + ", ".join(self.review))
        if self.min_independent:
            bits.append(f"incidents confirmed by ≥ {self.min_independent} independent outlet{'s' if self.min_independent > 1 else ''}")
        if self.corroboration != "any":
            bits.append(CORROBORATION_FILTERS[self.corroboration].lower())
        bits.append(NAMES_SUBTITLE[self.naming])
        return "; ".join(bits)

    # -- URL query parameters -----------------------------------------------------
    def to_query_params(self) -> dict[str, str]:
        """The view as URL query parameters (strings only)."""
        q = {
            "layers": ",".join(self.layers),
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "bbox": ",".join(f"{v:.4f}" for v in self.bbox),
            "naming": self.naming,
        }
        if self.since:
            q["since"] = self.since.isoformat()
        if self.until:
            q["until"] = self.until.isoformat()
        if self.event_types:
            q["types"] = "|".join(self.event_types)  # ACLED type names hold no "|"
        if self.sources:
            q["sources"] = json.dumps(list(self.sources), ensure_ascii=False)  # free text: any character
        if self.min_confidence:
            q["min_conf"] = f"{self.min_confidence:.2f}"
        if tuple(self.review) != ("unreviewed", "confirmed"):
            q["review"] = ",".join(self.review)
        if self.basemap != "none":
            q["basemap"] = self.basemap
        if self.min_independent:
            q["min_indep"] = str(self.min_independent)
        if self.corroboration != "any":
            q["corrob"] = self.corroboration
        return q

    @classmethod
    def from_query_params(cls, params: Mapping[str, str]) -> "View":
        """A view from URL query parameters; bad or missing values fall back to defaults.

        Parameters that cannot be used are dropped (a shared link must still open);
        the page tells the user which.
        """
        view, problems = cls._from_params(params)
        return view

    @classmethod
    def from_query_params_checked(cls, params: Mapping[str, str]) -> tuple["View", list[str]]:
        """Like :meth:`from_query_params`, also returning the problems found."""
        return cls._from_params(params)

    @classmethod
    def _from_params(cls, params: Mapping[str, str]) -> tuple["View", list[str]]:
        base = cls()
        problems: list[str] = []
        changes: dict = {}
        def attempt(key, fn):
            raw = params.get(key)
            if raw in (None, ""):
                return
            try:
                candidate = {**changes, **fn(raw)}
                cls(**{**dataclasses.asdict(base), **candidate})
            except (ViewError, ValueError, TypeError) as err:
                problems.append(f"{key}: {err}")
            else:
                changes.update(candidate)
        attempt("layers", lambda v: {"layers": tuple(x for x in v.split(",") if x)})
        attempt("as_of", lambda v: {"as_of": _clamped(_date(v, "as_of"), *AS_OF_RANGE, "as_of", problems)})
        attempt("bbox", lambda v: {"bbox": parse_bbox(v)})
        attempt("naming", lambda v: {"naming": v})
        attempt("since", lambda v: {"since": _clamped(_date(v, "since"), EVENT_DATES_FIRST, dt.date.today(), "since", problems)})
        attempt("until", lambda v: {"until": _clamped(_date(v, "until"), EVENT_DATES_FIRST, dt.date.today(), "until", problems)})
        attempt("types", lambda v: {"event_types": tuple(x for x in v.split("|") if x)})
        attempt("sources", lambda v: {"sources": _text_list(v)})
        attempt("min_conf", lambda v: {"min_confidence": float(v)})
        attempt("review", lambda v: {"review": tuple(x for x in v.split(",") if x)})
        attempt("basemap", lambda v: {"basemap": v})
        attempt("min_indep", lambda v: {"min_independent": int(v)})
        attempt("corrob", lambda v: {"corroboration": v})
        try:
            return cls(**{**dataclasses.asdict(base), **changes}), problems
        except ViewError as err:
            return base, problems + [str(err)]

    @classmethod
    def from_cli(cls, *, layers: str | None = None, as_of: str | None = None, bbox: str | None = None,
                 title: str | None = None, naming: str = "both", since: str | None = None,
                 until: str | None = None) -> "View":
        """A view from the CLI's strings; errors name the flag."""
        changes: dict = {"naming": naming}
        if layers:
            changes["layers"] = tuple(x.strip() for x in layers.split(",") if x.strip())
        if as_of:
            changes["as_of"] = _date(as_of, "--as-of")
        if bbox:
            changes["bbox"] = parse_bbox(bbox)
        if title:
            changes["title"] = title
        if since:
            changes["since"] = _date(since, "--since")
        if until:
            changes["until"] = _date(until, "--until")
        return cls(**changes)
