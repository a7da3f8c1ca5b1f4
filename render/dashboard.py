"""Pure functions behind the Streamlit page: no streamlit import here, so the tests
call them directly and the page stays thin."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

import layers
from events.model import Event
from events.taxonomy import EVENT_COLOURS, EVENT_TYPES

from events.taxonomy import GEO_PRECISION

from .describe import place_labels
from .memo import per_frame
from .view import AS_OF_RANGE, EVENT_DATES_FIRST, View

AS_OF_MIN, AS_OF_MAX = AS_OF_RANGE

# The event columns the page's map, popups, tables, timeline and incident panels read
# (``store.query(columns=...)``): every column costs on every rerun's read, so the page
# reads these and the data files read all. tests/test_page_columns.py draws the page's
# parts from these and from every column and finds them equal.
MAP_COLUMNS: tuple[str, ...] = (
    "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "location",
    "latitude", "longitude", "geo_precision", "source", "notes", "fatalities", "x_uid", "x_place_id", "x_layer",
    "x_source_url", "x_source_title", "x_evidence", "x_confidence", "x_method", "x_review", "x_incident",
    "x_incident_reason", "x_claim", "x_claimant",
)


def view_from_state(state: Mapping[str, Any], base: View) -> View:
    """The view the sidebar widgets describe (keys as the page uses them)."""
    date_range = state.get("event_dates") or (None, None)
    since, until = (list(date_range) + [None, None])[:2] if isinstance(date_range, (list, tuple)) else (None, None)
    return map_choices(state, base).replace(
        as_of=state.get("as_of", base.as_of),
        since=since,
        until=until,
        event_types=tuple(state.get("event_types") or ()),
        sources=tuple(state.get("sources") or ()),
        min_confidence=float(state.get("min_confidence", base.min_confidence)),
        review=tuple(state.get("review") or base.review),
        naming=state.get("naming", base.naming),
        min_independent=int(state.get("min_independent", base.min_independent) or 0),
        corroboration=state.get("corroboration", base.corroboration),
    )


def map_choices(state: Mapping[str, Any], base: View) -> View:
    """``base`` with the layers and the basemap the map's own widgets choose (the page's
    map fragment reruns with these alone: they change no query)."""
    chosen = tuple(lid for lid in layers.LAYER_IDS if state.get(f"layer_{lid}", lid in base.layers))
    return base.replace(layers=chosen, basemap=state.get("basemap", base.basemap))


def event_row(events: pd.DataFrame, uid: str | None) -> dict[str, Any] | None:
    """The event ``uid`` of ``events`` as a dict (with its ``x_uid``), or ``None`` when it
    is not among them. Reads one row: no copy of the frame, as ``set_index`` would make."""
    if not uid or events is None or events.empty:
        return None
    hits = np.flatnonzero(events["x_uid"].to_numpy() == uid)
    return events.iloc[int(hits[0])].to_dict() if len(hits) else None


def initial_state(view: View) -> dict[str, Any]:
    """Widget values for a view (the page seeds session state with them once)."""
    state: dict[str, Any] = {f"layer_{lid}": lid in view.layers for lid in layers.LAYER_IDS}
    state.update(as_of=view.as_of or dt.date(2023, 9, 19), event_types=list(view.event_types), sources=list(view.sources),
                 min_confidence=view.min_confidence, review=list(view.review), naming=view.naming, basemap=view.basemap,
                 min_independent=view.min_independent, corroboration=view.corroboration)
    if view.since or view.until:
        state["event_dates"] = (view.since or dt.date(1994, 1, 1), view.until or dt.date.today())
    return state


@per_frame
def events_table(events: gpd.GeoDataFrame, naming: str) -> pd.DataFrame:
    """The events as the page's table shows them (plain text: st.dataframe escapes nothing
    because it renders no HTML). Kept for the frame (``render.memo``): do not change it."""
    if events is None or events.empty:
        return pd.DataFrame(columns=["date", "type", "what", "place", "precision", "actors", "deaths", "confidence", "review", "source", "evidence"])
    precision = {1: "", 2: " (to the week)", 3: " (to the month)"}
    actors = events["actor1"].fillna("").astype(str) + (" vs " + events["actor2"].fillna("").astype(str)).where(events["actor2"].fillna("") != "", "")
    return pd.DataFrame({
        "date": events["event_date"].astype(str) + events["time_precision"].map(lambda p: precision.get(int(p or 1), "")),
        "type": events["event_type"].to_numpy(),
        "what": events["sub_event_type"].to_numpy(),
        "place": place_labels(events, naming),
        "precision": events["geo_precision"].map(lambda p: GEO_PRECISION.get(int(p or 1), "town")).to_numpy(),
        "actors": actors.to_numpy(),
        "deaths": events["fatalities"].fillna(0).astype(int).to_numpy(),
        "confidence": events["x_confidence"].astype(float).to_numpy(),
        "review": events["x_review"].to_numpy(),
        "source": events["source"].to_numpy(),
        "evidence": events["x_evidence"].to_numpy(),
    })


@per_frame
def timeline(events: gpd.GeoDataFrame) -> pd.DataFrame:
    """Events per day by type: index dates, one column per event type present (kept for
    the frame: do not change it)."""
    if events is None or events.empty:
        return pd.DataFrame()
    counts = events.groupby(["event_date", "event_type"]).size().unstack(fill_value=0)
    counts.index = pd.to_datetime(counts.index)
    return counts[[t for t in EVENT_TYPES if t in counts.columns]]


def preview_view(view: View, events) -> View:
    """The view for the preview of an article's events: the map as it was on the
    latest of their days (not the sidebar's date), with the base layers."""
    days = [e.event_date for e in events]
    as_of = max(days) if days else view.as_of
    as_of = min(max(as_of, AS_OF_MIN), AS_OF_MAX) if as_of else as_of
    return view.replace(layers=("borders", "rivers", "seven_districts", "contact_line", "lachin_corridor"), as_of=as_of,
                        since=None, until=None)


# The page's panels under the map, in order; all but the first are drawn only while chosen
# (the page's st.tabs key "panel": set it to a name to open that panel).
PANELS: tuple[str, ...] = ("Add an article", "Review", "Export", "Sources")
MAP_EVENT_LIMIT = 5_000  # events drawn one by one; more are counted per cell (render.folium_map)


def grid_cell(bbox: tuple[float, float, float, float]) -> float:
    """A round cell size in degrees giving about 60 cells across the view."""
    span = max(bbox[2] - bbox[0], bbox[3] - bbox[1]) / 60
    for cell in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0):
        if cell >= span:
            return cell
    return 1.0


def timeline_colours(chart: pd.DataFrame) -> list[str]:
    """The map's colour of each event type column of :func:`timeline`, in order."""
    return [EVENT_COLOURS[t] for t in chart.columns]


@per_frame
def timeline_chart(chart: pd.DataFrame, height: int = 180) -> tuple[pd.DataFrame, dict]:
    """:func:`timeline` as long rows (day, type, events) and the Vega-Lite spec of a
    stacked bar per day in the map's colours: given to ``st.vega_lite_chart`` as they
    are, with no chart library building and validating a spec on every rerun. Kept for
    the frame of :func:`timeline` (itself kept for the events frame): do not change it."""
    rows = chart.rename_axis("day").reset_index().melt(id_vars="day", var_name="type", value_name="events")
    rows = rows[rows["events"] > 0]
    spec = {
        "mark": {"type": "bar"},
        "height": height,
        "encoding": {
            "x": {"field": "day", "type": "temporal", "title": None},
            "y": {"field": "events", "type": "quantitative", "stack": True, "title": "events"},
            "color": {"field": "type", "type": "nominal", "title": None,
                      "scale": {"domain": list(chart.columns), "range": timeline_colours(chart)}},
            "tooltip": [{"field": "day", "type": "temporal"}, {"field": "type", "type": "nominal"},
                        {"field": "events", "type": "quantitative"}],
        },
    }
    return rows, spec


def bbox_from_bounds(bounds: Mapping | None, fallback: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """(W, S, E, N) from st_folium's ``bounds`` (``_southWest``/``_northEast``)."""
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        box = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
    except (TypeError, KeyError, ValueError):
        return fallback
    if box[0] >= box[2] or box[1] >= box[3]:
        return fallback
    return box


def sources_table() -> pd.DataFrame:
    """Every layer's title, source, licence, accuracy and validity (a copy of a table
    made once: the layer files do not change while the page runs)."""
    return _sources_table().copy()


@functools.lru_cache(maxsize=1)
def _sources_table() -> pd.DataFrame:
    rows = []
    for lid in layers.LAYER_IDS:
        meta = layers.layer_metadata(lid)
        rows.append({"layer": meta["title"], "source": meta["source"], "licence": meta["licence"],
                     "accuracy (m)": meta["accuracy_m"], "valid from": meta["valid_from"] or "", "valid to": meta["valid_to"] or "",
                     "about": meta["description"]})
    return pd.DataFrame(rows)


def preview_table(events: list[Event]) -> pd.DataFrame:
    """Extracted events as an editable table: keep, the place (its name), a place to move
    it to (a gazetteer id such as ``martuni``, or a layer feature such as
    ``contact_line:contact_line_2020``), the date, and what was found."""
    return pd.DataFrame({
        "keep": [True] * len(events),
        "place": [e.location for e in events],
        "change place to": [""] * len(events),
        "date": [e.event_date for e in events],
        "what": [e.sub_event_type for e in events],
        "type": [e.event_type for e in events],
        "confidence": [e.x_confidence for e in events],
        "evidence": [e.x_evidence for e in events],
    })


def apply_preview_edits(events: list[Event], edited: pd.DataFrame) -> list[Event]:
    """The events the user kept, with the places and dates they fixed.

    Raises
    ------
    events.EventValidationError
        Naming the row and the bad place or date.
    """
    from events import EventValidationError
    from events.model import replace
    from events.places import place as place_by_id
    from events.places import layer_feature

    kept: list[Event] = []
    for i, (event, row) in enumerate(zip(events, edited.to_dict("records"))):
        if not row.get("keep", True):
            continue
        changes: dict[str, Any] = {}
        new_date = row.get("date")
        if isinstance(new_date, (pd.Timestamp, dt.datetime)):
            new_date = new_date.date()
        if new_date and new_date != event.event_date:
            changes["event_date"] = new_date
        new_place = str(row.get("change place to") or "").strip()
        if new_place and new_place != (event.x_place_id or event.x_layer):
            try:
                p = layer_feature(new_place) if ":" in new_place or new_place in layers.LAYERS else place_by_id(new_place)
            except EventValidationError as err:
                raise EventValidationError(err.field, err.value, f"{err.fix} (row {i + 1})") from err
            changes.update(geometry=p.geometry, latitude=None, longitude=None, location=p.name("both"),
                           geo_precision=p.geo_precision, x_place_id=p.place_id, x_layer=p.layer_ref,
                           x_method="manual")
        kept.append(replace(event, **changes) if changes else event)
    return kept


def unplaced_table(unplaced) -> pd.DataFrame:
    """What could not be placed or dated, in words: what, why, the day if any, and the
    sentence (not character offsets)."""
    return pd.DataFrame({
        "what": [u.sub_event_type for u in unplaced],
        "why not placed": [u.reason for u in unplaced],
        "date": [u.event_date or "" for u in unplaced],
        "places named": [u.places for u in unplaced],
        "sentence": [u.evidence for u in unplaced],
    })


def events_to_frame(events: list[Event]) -> gpd.GeoDataFrame:
    """Extracted events as a GeoDataFrame, for the preview map."""
    from events.model import events_to_geodataframe

    return events_to_geodataframe(events)


def background_table(events: list[Event]) -> list[dict]:
    """The background events of an article as plain rows: date, what, where, evidence."""
    return [{"date": e.event_date.isoformat(), "what": e.sub_event_type, "where": e.location, "evidence": e.x_evidence[:300]}
            for e in events]


@per_frame
def incident_reports(events: gpd.GeoDataFrame, uid: str) -> gpd.GeoDataFrame:
    """The reports (events) in view that share ``uid``'s incident, ``uid``'s first (kept
    for the frame: do not change it)."""
    from .incidents import incident_ids

    inc = incident_ids(events)
    mine = inc[events["x_uid"] == uid]
    if mine.empty:
        return events.iloc[0:0]
    same = events[(inc == mine.iloc[0]).to_numpy()]
    return same.loc[sorted(same.index, key=lambda i: same.at[i, "x_uid"] != uid)]


@per_frame
def other_incidents(events: gpd.GeoDataFrame, uid: str, naming: str) -> dict[str, str]:
    """Incidents in view other than ``uid``'s, as id -> a label, for a merge by hand.
    Kept for the frame, the event and the naming (``render.memo``): do not change it."""
    from .incidents import incident_ids

    inc = incident_ids(events)
    mine = set(inc[events["x_uid"] == uid])
    labels: dict[str, str] = {}
    for i, d, t, p in zip(inc, events["event_date"].astype(str), events["sub_event_type"], place_labels(events, naming)):
        if i not in mine and i not in labels:
            labels[i] = f"{d} · {t} · {p}"
    return labels
