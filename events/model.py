"""The event: one thing that happened at one place on one day, in ACLED's columns.

Columns keep ACLED's names and order (docs/ARCHITECTURE.md, "The event schema") so that ACLED exports
import as they are; the project's own columns follow with an ``x_`` prefix. An event
is validated when it is made (:func:`make_event`): a wrong type, date, position or
code raises :class:`~events.EventValidationError` naming the field and the value.

Coordinates are WGS84 (EPSG:4326) degrees. ``geometry`` is a shapely geometry: a point,
or the line or area of the layer feature the event sits on; ``latitude``/``longitude``
then hold a representative point of it. An event made from coordinates makes its point
when ``geometry`` is first read, so that extracting and printing events imports neither
shapely nor NumPy (``karabakh-map extract``).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .errors import EventValidationError
from .geometry import DeferredGeometry
from .sources import SIDES

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry
from .taxonomy import (
    GEO_PRECISION,
    TIME_PRECISION,
    check_event_type,
    disorder_type_for,
    inter_code,
    interaction_code,
)

log = logging.getLogger(__name__)

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)
X_COLUMNS: tuple[str, ...] = (
    "x_uid", "x_place_id", "x_layer", "x_source_url", "x_source_title", "x_published",
    "x_evidence", "x_evidence_start", "x_evidence_end", "x_date_text", "x_confidence",
    "x_method", "x_review", "x_article_id", "x_incident", "x_incident_reason", "x_claim", "x_claimant",
)
COLUMNS: tuple[str, ...] = ACLED_COLUMNS + X_COLUMNS
_FIELD_NAMES = frozenset(COLUMNS) | {"geometry"}  # what make_event accepts

METHODS = ("seed", "rules", "manual", "import")
REVIEW_STATES = ("unreviewed", "confirmed", "rejected")
CLAIM_KINDS = ("", "claim", "denial")  # a plain report, someone's claim, a denial

# Where events of this conflict happen: Armenia, Azerbaijan (with Nakhchivan) and their
# borders. A point outside it whose swap lies inside was almost surely given lat/lon
# the wrong way round.
REGION_BOUNDS = (43.4, 38.3, 50.9, 41.95)  # west, south, east, north

COUNTRY_CODES = {"Azerbaijan": (31, "AZE"), "Armenia": (51, "ARM"), "Iran": (364, "IRN"),
                 "Georgia": (268, "GEO"), "Turkey": (792, "TUR"), "Russia": (643, "RUS")}
ACLED_REGION = "Caucasus and Central Asia"

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def parse_event_date(value: object, *, field: str = "event_date") -> dt.date:
    """A date from a ``date``, ``YYYY-MM-DD``, ``16 May 2025`` or ``dd-mm-yyyy``.

    Raises
    ------
    EventValidationError
        If the value is none of these forms or not a real calendar date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip() if value is not None else ""
    fix = "is not a date: give YYYY-MM-DD, e.g. 2023-09-19"
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})", text):
            month = _MONTHS.get(m[2][:3].casefold())
            if month:
                return dt.date(int(m[3]), month, int(m[1]))
        if m := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text):
            month = _MONTHS.get(m[1][:3].casefold())
            if month:
                return dt.date(int(m[3]), month, int(m[2]))
    except ValueError as err:
        raise EventValidationError(field, value, fix) from err
    raise EventValidationError(field, value, fix)


def _in_region(lon: float, lat: float) -> bool:
    west, south, east, north = REGION_BOUNDS
    return west <= lon <= east and south <= lat <= north


def check_position(latitude: object, longitude: object) -> tuple[float, float]:
    """Validate a latitude/longitude pair; return them as floats.

    Raises
    ------
    EventValidationError
        If either is not a number, out of range, or the pair looks swapped.
    """
    try:
        lat = float(latitude)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EventValidationError("latitude", latitude, "is not a number: give decimal degrees, e.g. 39.8177") from None
    try:
        lon = float(longitude)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EventValidationError("longitude", longitude, "is not a number: give decimal degrees, e.g. 46.7528") from None
    if not math.isfinite(lat) or not -90 <= lat <= 90:
        raise EventValidationError("latitude", latitude, "is out of range: a latitude lies between -90 and 90")
    if not math.isfinite(lon) or not -180 <= lon <= 180:
        raise EventValidationError("longitude", longitude, "is out of range: a longitude lies between -180 and 180")
    if not _in_region(lon, lat):
        if _in_region(lat, lon):
            raise EventValidationError(
                "latitude", latitude,
                f"with longitude={longitude!r} lies outside the region, but swapped it lies inside: "
                "latitude and longitude look swapped (latitude is about 38-42 here, longitude 43-51)",
            )
        log.warning("event at lat=%s lon=%s lies outside Armenia/Azerbaijan", lat, lon)
    return lat, lon


class _Geometry:
    """The ``geometry`` field of :class:`Event`: the geometry it was given, else a point
    at its longitude and latitude or what a :class:`~events.geometry.DeferredGeometry`
    makes, made when first read and then kept (in the event's ``_given``)."""

    def __get__(self, obj: "Event | None", objtype: type | None = None) -> "BaseGeometry | _Geometry":
        if obj is None:
            return self
        geom = obj._given
        if geom is None:
            from shapely import Point

            geom = obj._given = Point(obj.longitude, obj.latitude)
        elif isinstance(geom, DeferredGeometry):
            geom = obj._given = geom.make()
        return geom

    def __set__(self, obj: "Event", value: "BaseGeometry | DeferredGeometry | None") -> None:
        obj._given = value


@dataclass
class Event:
    """One event. Build it with :func:`make_event`, which fills derived fields and validates."""

    event_id_cnty: str
    event_date: dt.date
    year: int
    time_precision: int
    disorder_type: str
    event_type: str
    sub_event_type: str
    actor1: str
    assoc_actor_1: str
    inter1: int
    actor2: str
    assoc_actor_2: str
    inter2: int
    interaction: int
    civilian_targeting: str
    iso: int
    region: str
    country: str
    admin1: str
    admin2: str
    admin3: str
    location: str
    latitude: float
    longitude: float
    geo_precision: int
    source: str
    source_scale: str
    notes: str
    fatalities: int
    tags: str
    timestamp: int
    x_uid: str
    x_place_id: str
    x_layer: str
    x_source_url: str
    x_source_title: str
    x_published: str
    x_evidence: str
    x_evidence_start: int
    x_evidence_end: int
    x_date_text: str
    x_confidence: float
    x_method: str
    x_review: str
    x_article_id: str
    x_incident: str
    x_incident_reason: str
    x_claim: str
    x_claimant: str
    geometry: BaseGeometry = field(repr=False)  # read through _Geometry (set below)

    def to_record(self, *, with_geometry: bool = True) -> dict[str, Any]:
        """The event as a flat dict: every column, ``event_date`` as ISO text, plus
        ``geometry`` (``None`` when not ``with_geometry``: a point is then its latitude
        and longitude)."""
        rec = {c: getattr(self, c) for c in COLUMNS}
        rec["event_date"] = self.event_date.isoformat()
        rec["geometry"] = self.geometry if with_geometry else None
        return rec

    def point_xy(self) -> tuple[float, float] | None:
        """(x, y) of the event's point (without making a shapely one when it has none
        yet); ``None`` when it sits on a line or an area, or on a layer feature whose
        geometry is not made yet."""
        geom = self._given
        if geom is None:
            return self.longitude, self.latitude
        if geom.geom_type != "Point" or isinstance(geom, DeferredGeometry):
            return None
        return geom.x, geom.y

    def geojson_geometry(self) -> dict[str, Any]:
        """The geometry as a GeoJSON object (a point, or one layer feature, without making
        a shapely geometry)."""
        geom = self._given
        if geom is None:
            return {"type": "Point", "coordinates": [self.longitude, self.latitude]}
        if isinstance(geom, DeferredGeometry) and geom.geojson is not None:
            return dict(geom.geojson)
        from shapely.geometry import mapping

        return mapping(self.geometry)

    @property
    def label(self) -> str:
        """A short plain-text summary, e.g. ``Shelling/artillery/missile attack, Stepanakert, 2023-09-19``."""
        return f"{self.sub_event_type}, {self.location}, {self.event_date.isoformat()}"


# after the dataclass is made, so that its __init__ and __eq__ go through the descriptor
Event.geometry = _Geometry()  # type: ignore[assignment]


_TEXT_FIELDS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "civilian_targeting", "region",
                "country", "admin1", "admin2", "admin3", "location", "source", "source_scale", "notes",
                "tags", "x_place_id", "x_layer", "x_source_url", "x_source_title", "x_published",
                "x_evidence", "x_date_text", "x_article_id", "event_id_cnty", "x_uid", "x_incident",
                "x_incident_reason", "x_claim", "x_claimant")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).replace("\x00", "").strip()


# The largest whole number any integer column takes: exact in a float, in JavaScript and
# in SQLite's and PostgreSQL's 64-bit integers.
_MAX_INT = 2 ** 53


def _int(field_name: str, value: object, default: int, allowed: Iterable[int] | None = None, fix: str = "",
         maximum: int = _MAX_INT) -> int:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return default
    shown = value if not isinstance(value, (str, int)) or len(str(value)) <= 40 else f"{str(value)[:20]}... ({len(str(value))} digits)"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise EventValidationError(field_name, shown, fix or "is not a whole number") from None
    if not number.is_integer():
        raise EventValidationError(field_name, shown, fix or "is not a whole number")
    if abs(number) > maximum:
        raise EventValidationError(field_name, shown, f"is too large: give a number up to {maximum:,}")
    result = int(number)
    if allowed is not None and result not in allowed:
        raise EventValidationError(field_name, shown, fix)
    return result


def content_uid(fields: Mapping[str, Any]) -> str:
    """A stable hash of what makes an event this event (date, type, place, actors, source)."""
    key = [
        str(fields.get("event_date")), fields.get("sub_event_type", ""),
        fields.get("x_place_id") or fields.get("x_layer") or fields.get("location", ""),
        f"{float(fields.get('latitude') or 0):.4f},{float(fields.get('longitude') or 0):.4f}",
        fields.get("actor1", ""), fields.get("actor2", ""),
        fields.get("x_source_url") or fields.get("source", ""),
        str(fields.get("x_evidence_start", "")),
    ]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:16]


def make_event(**fields: Any) -> Event:
    """Make a validated :class:`Event` from column values.

    Required: ``event_date``, ``event_type``, ``sub_event_type``, and a position: either
    ``geometry`` (shapely, EPSG:4326) or ``latitude`` and ``longitude``. Everything else
    has a default or is derived: ``year``, ``disorder_type``, ``interaction``,
    ``x_uid``, ``event_id_cnty``, ``latitude``/``longitude`` from a line or area.

    Raises
    ------
    EventValidationError
        Naming the first field whose value cannot be right, and how to fix it.
    """
    unknown = fields.keys() - _FIELD_NAMES
    if unknown:
        raise EventValidationError(
            sorted(unknown)[0], fields[sorted(unknown)[0]],
            "is not an event column: see events.COLUMNS (ACLED's names, then x_ columns)",
        )
    f: dict[str, Any] = {c: _text(fields.get(c)) for c in _TEXT_FIELDS}
    f["event_date"] = parse_event_date(fields.get("event_date"))
    f["year"] = f["event_date"].year
    f["event_type"] = _text(fields.get("event_type"))
    f["sub_event_type"] = _text(fields.get("sub_event_type"))
    check_event_type(f["event_type"], f["sub_event_type"])
    f["disorder_type"] = disorder_type_for(f["event_type"], f["sub_event_type"])
    f["time_precision"] = _int("time_precision", fields.get("time_precision"), 1, TIME_PRECISION,
                               "is not an ACLED time precision: 1 (day), 2 (week) or 3 (month)")
    f["geo_precision"] = _int("geo_precision", fields.get("geo_precision"), 1, GEO_PRECISION,
                              "is not an ACLED geo precision: 1 (town), 2 (near or part of), 3 (region or line)")
    f["inter1"] = inter_code(fields.get("inter1"), field="inter1")
    f["inter2"] = inter_code(fields.get("inter2"), field="inter2")
    f["interaction"] = interaction_code(f["inter1"], f["inter2"])
    f["fatalities"] = _int("fatalities", fields.get("fatalities"), 0, None,
                           "is not a count: give the lowest reported number of deaths, 0 if none", maximum=1_000_000)
    if f["fatalities"] < 0:
        raise EventValidationError("fatalities", fields.get("fatalities"), "is negative: give 0 or more")
    f["timestamp"] = _int("timestamp", fields.get("timestamp"), 0, None, "is not a Unix timestamp", maximum=10 ** 10)
    f["iso"] = _int("iso", fields.get("iso"), 0, None, "is not an ISO 3166 numeric code", maximum=999)
    f["x_evidence_start"] = _int("x_evidence_start", fields.get("x_evidence_start"), -1)
    f["x_evidence_end"] = _int("x_evidence_end", fields.get("x_evidence_end"), -1)

    geom = fields.get("geometry")
    deferred = isinstance(geom, DeferredGeometry)  # a feature of the project's layers: checked by its tests, made when read
    if geom is not None and not deferred:
        from shapely.geometry.base import BaseGeometry  # whoever has a geometry has shapely loaded

        if not isinstance(geom, BaseGeometry):
            raise EventValidationError("geometry", geom, "is not a shapely geometry")
        if not _valid(geom):
            raise EventValidationError("geometry", geom.wkt[:60], "is empty or invalid: give a valid geometry in EPSG:4326")
    lat_in, lon_in = fields.get("latitude"), fields.get("longitude")
    if geom is None or deferred:
        if lat_in in (None, "") or lon_in in (None, ""):
            fix = ("a layer geometry comes with its representative point" if deferred
                   else "give latitude and longitude, or a place the gazetteer knows")
            raise EventValidationError("latitude", lat_in, f"is missing: {fix}")
        lat, lon = check_position(lat_in, lon_in)  # the point is made from them when first asked for
    else:
        rep = geom if geom.geom_type == "Point" else _representative_point(geom)
        if lat_in not in (None, "") and lon_in not in (None, ""):
            lat, lon = check_position(lat_in, lon_in)
        else:
            lat, lon = check_position(rep.y, rep.x)
    f["latitude"], f["longitude"] = round(lat, 6), round(lon, 6)
    f["geometry"] = geom

    try:
        conf = float(fields.get("x_confidence", 1.0) if fields.get("x_confidence") not in (None, "") else 1.0)
    except (TypeError, ValueError):
        raise EventValidationError("x_confidence", fields.get("x_confidence"), "is not a number between 0 and 1") from None
    if not 0.0 <= conf <= 1.0:
        raise EventValidationError("x_confidence", fields.get("x_confidence"), "is not between 0 and 1")
    f["x_confidence"] = round(conf, 3)
    f["x_method"] = _text(fields.get("x_method")) or "manual"
    if f["x_method"] not in METHODS:
        raise EventValidationError("x_method", f["x_method"], f"is not a method: use one of {', '.join(METHODS)}")
    f["x_review"] = _text(fields.get("x_review")) or "unreviewed"
    if f["x_review"] not in REVIEW_STATES:
        raise EventValidationError("x_review", f["x_review"], f"is not a review state: use one of {', '.join(REVIEW_STATES)}")
    if f["x_claim"] not in CLAIM_KINDS:
        raise EventValidationError("x_claim", f["x_claim"], "is not a claim kind: use claim, denial, or leave it empty (a report)")
    if f["x_claimant"] and f["x_claimant"] not in SIDES:
        raise EventValidationError("x_claimant", f["x_claimant"], f"is not a side: use one of {', '.join(SIDES)}, or leave it empty")
    if f["x_published"]:
        f["x_published"] = parse_event_date(f["x_published"], field="x_published").isoformat()
    if not f["country"]:
        f["country"] = country_of(lon, lat)
    if not f["iso"] and f["country"] in COUNTRY_CODES:
        f["iso"] = COUNTRY_CODES[f["country"]][0]
    f["region"] = f["region"] or ACLED_REGION
    f["x_uid"] = f["x_uid"] or content_uid(f)
    f["x_incident"] = f["x_incident"] or f["x_uid"]  # alone, an event is its own incident
    if not f["event_id_cnty"]:
        iso3 = COUNTRY_CODES.get(f["country"], (0, "XXX"))[1]
        # the whole 64-bit uid: 8 hex digits (32 bits) collide once a store holds ~100,000 events
        f["event_id_cnty"] = f"{iso3}KM{f['x_uid'].upper()}"
    return Event(**f)


# Layer features (prepared geometries, kept for the process's life) checked once: id ->
# (the geometry, its representative point). Holding the geometry keeps its id its own.
_CHECKED_FEATURES: dict[int, tuple[BaseGeometry, BaseGeometry]] = {}
_MAX_CHECKED = 10_000


def _valid(geom: BaseGeometry) -> bool:
    """Whether ``geom`` can place an event: not empty, and valid (a point's only defect
    is its coordinates, which :func:`check_position` tests)."""
    if geom.geom_type == "Point":
        return not geom.is_empty
    known = _CHECKED_FEATURES.get(id(geom))
    if known is not None and known[0] is geom:
        return True
    if geom.is_empty or not geom.is_valid:
        return False
    import shapely

    if shapely.is_prepared(geom) and len(_CHECKED_FEATURES) < _MAX_CHECKED:
        _CHECKED_FEATURES[id(geom)] = (geom, geom.representative_point())
    return True


def _representative_point(geom: BaseGeometry) -> BaseGeometry:
    """A point inside ``geom`` (kept for layer features, see :func:`_valid`)."""
    known = _CHECKED_FEATURES.get(id(geom))
    return known[1] if known is not None and known[0] is geom else geom.representative_point()


@functools.lru_cache(maxsize=65_536)
def country_of(lon: float, lat: float) -> str:
    """The country a point lies in, from the ``borders`` layer ('' when none; cached:
    events sit on a few thousand places)."""
    from .places import country_name

    return country_name(lon, lat)


def event_from_record(record: Mapping[str, Any]) -> Event:
    """Rebuild an event from a stored or exported record (keys as :data:`COLUMNS`)."""
    data = {k: record.get(k) for k in COLUMNS if k in record}
    geom = record.get("geometry")
    if isinstance(geom, str):
        import shapely

        geom = shapely.from_wkt(geom)
    data["geometry"] = geom
    return make_event(**data)


def events_to_geodataframe(events: Iterable[Event]) -> "gpd.GeoDataFrame":
    """Events as a GeoDataFrame in EPSG:4326, columns in :data:`COLUMNS` order."""
    records = [e.to_record() for e in events]
    if not records:
        return empty_events_frame()
    import geopandas as gpd  # imported here: reading and extracting need no GeoPandas

    return gpd.GeoDataFrame(records, columns=[*COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326")


def empty_events_frame(columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """A GeoDataFrame with the event columns (or ``columns``) and no rows."""
    import geopandas as gpd

    return gpd.GeoDataFrame({c: [] for c in (COLUMNS if columns is None else columns)},
                            geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def replace(event: Event, **changes: Any) -> Event:
    """A copy of ``event`` with ``changes``, validated again (uid kept unless content changes)."""
    rec = event.to_record(with_geometry=False)
    rec["geometry"] = event._given  # a point or a layer's feature not yet made stays so
    rec.update(changes)
    if any(k in changes for k in ("event_date", "x_place_id", "latitude", "longitude", "geometry", "sub_event_type")):
        if rec.get("x_incident") == rec["x_uid"]:
            rec["x_incident"] = ""  # its own incident: under its new uid
        rec["x_uid"] = ""
        if re.fullmatch(r"[A-Z]{3}KM[0-9A-F]{16}", rec["event_id_cnty"] or ""):
            rec["event_id_cnty"] = ""  # an id made from the old content: make it anew
    if "geometry" not in changes and ("latitude" in changes or "longitude" in changes):
        rec["geometry"] = None
    return make_event(**rec)


