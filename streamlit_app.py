"""karabakh-map: the dashboard. Widgets, session state and calls into the packages.

Run with ``streamlit run streamlit_app.py`` (see README). All logic lives in
``layers``, ``events`` and ``render``; this page only wires widgets to it.
"""
from __future__ import annotations

import datetime as dt
import logging

import streamlit as st
from streamlit_folium import st_folium

import layers
from events import EventError
from store import StoreError, open_store
from extract.article import read_article
from extract.budget import extract_within_budget
from events.taxonomy import EVENT_TYPES
from layers.names import NAMING_MODES
from render import dashboard as dash
from render.export import events_to_csv_bytes, events_to_geojson_bytes, events_to_gpkg_bytes, layers_to_gpkg_bytes
from render.describe import geo_label, place_label
from render.escape import md_text
from render.basemaps import BASEMAP_IDS, basemap
from render.folium_map import event_at, map_from_view, map_to_html
from render.served import for_st_folium
from render.snapshot import PREVIEW_DPI, snapshot_bytes
from render.view import CORROBORATION_FILTERS, View, ViewError
from render.incidents import filter_by_corroboration, incident_ids, incident_voices, incidents_table, summaries
from render.export import incidents_to_csv_bytes

log = logging.getLogger("karabakh_map.page")
st.set_page_config(page_title="karabakh-map", page_icon=None, layout="wide")


# -- shared handles and cached reads ------------------------------------------------
def store():
    """One store connection per session (SQLite connections are not shared across threads)."""
    if "store" not in st.session_state:
        st.session_state["store"] = open_store()
    return st.session_state["store"]


@st.cache_resource(show_spinner=False, max_entries=32)
def query_events(path: str, revision: int, filters: tuple) -> "dash.gpd.GeoDataFrame":
    """Events for a filter set at a store revision. Shared, not copied: read-only."""
    store = open_store(path if "://" not in path else None, load_seeds=False)
    try:
        return store.query(**dict(filters))
    finally:
        store.close()


@st.cache_resource(show_spinner=False, max_entries=8)
def query_articles(path: str, revision: int) -> "dash.pd.DataFrame":
    """The stored articles at a store revision. Shared, not copied: read-only."""
    store = open_store(path if "://" not in path else None, load_seeds=False)
    try:
        return store.articles()
    finally:
        store.close()


@st.cache_resource(show_spinner=False, max_entries=16)
def query_grid(path: str, revision: int, filters: tuple, cell: float) -> "dash.pd.DataFrame":
    """Events per grid cell for a filter set at a store revision (for views of many events)."""
    store = open_store(path if "://" not in path else None, load_seeds=False)
    try:
        return store.grid_counts(cell_deg=cell, **dict(filters))
    finally:
        store.close()


# -- panel widgets that keep their values while another panel is open ---------------
_KEPT = "kept:"  # session keys of no widget: Streamlit drops a widget's state in a run that does not draw it


def kept(key: str, default, options: list | None = None) -> str:
    """``key``, its widget's value set before the widget is drawn: the value it had when
    its panel was last open (see :func:`remember`), else ``default`` (or ``default``
    when the kept value is no longer among ``options``). Draw the widget with no value
    of its own, then call :func:`remember`."""
    if key not in st.session_state:
        value = st.session_state.get(_KEPT + key, default)
        st.session_state[key] = value if options is None or value in options else default
    return key


def remember(key: str) -> None:
    """Keep the value of the widget ``key`` for the next time its panel is drawn."""
    st.session_state[_KEPT + key] = st.session_state[key]


def _filters(view: View) -> tuple:
    return tuple(sorted((k, v if not isinstance(v, list) else tuple(v)) for k, v in view.query_filters().items()))


@st.fragment
def map_panel(base: View, events: "dash.gpd.GeoDataFrame", grid: "dash.pd.DataFrame | None", layer_controls, basemap_controls) -> None:
    """The layer and basemap widgets, the map, the clicked event and the view in the URL.

    A fragment: ticking a layer, changing the basemap, panning or clicking the map reruns
    this alone, on the events of the last full run (none of these changes which events
    match); every other widget reruns the whole page.
    """
    with layer_controls:
        for lid in layers.LAYER_IDS:
            st.checkbox(layers.LAYERS[lid].title, key=f"layer_{lid}", help=layers.LAYERS[lid].description)
    with basemap_controls:
        st.selectbox("Basemap", list(BASEMAP_IDS), format_func=lambda b: basemap(b).title, key="basemap")
        if st.session_state.get("basemap", "none") != "none":
            st.caption("An online basemap loads tiles from its provider, which then learns which area you look at.")
    view = dash.map_choices(st.session_state, base)
    selected_uid = st.session_state.get("selected_uid")
    # Built on every run: st_folium rewrites the map object it is given, so a cached
    # map object breaks on the second run. The costly parts (layer GeoJSON, the query)
    # are cached below it.
    fmap = map_from_view(view, events if grid is None else None, selected_uid=selected_uid, grid=grid)
    st.session_state["map_summary"] = {"layers": [lid for lid in view.layers if layers.feature_count(lid, as_of=view.as_of)],
                                       "events": int(len(events))}
    selected = dash.event_row(events, selected_uid)
    center, zoom = ((float(selected["latitude"]), float(selected["longitude"])), 11) if selected else (None, None)
    result = st_folium(for_st_folium(fmap), key="map", height=700, use_container_width=True, center=center, zoom=zoom,
                       returned_objects=["last_object_clicked", "bounds"])
    st.session_state["map_bounds"] = dash.bbox_from_bounds((result or {}).get("bounds"), view.bbox)
    clicked = (result or {}).get("last_object_clicked")
    picked = (event_at(events, clicked.get("lat"), clicked.get("lng")) if clicked else None) or selected
    if picked:
        with st.container(border=True):
            st.markdown(f"**{md_text(picked['sub_event_type'])}** ({md_text(picked['event_type'])}), {md_text(picked['event_date'])}")
            st.text(f"Where: {place_label(picked, view.naming)} ({geo_label(picked)})\n"
                    f"Who: {' vs '.join(x for x in (picked.get('actor1'), picked.get('actor2')) if x) or 'not named'}\n"
                    f"Source: {picked.get('source')}  {picked.get('x_source_url') or ''}\n"
                    f"Confidence: {picked.get('x_confidence')}   Review: {picked.get('x_review')}")
            st.text(f"Evidence: \u201c{picked.get('x_evidence')}\u201d")
            reports = dash.incident_reports(events, picked["x_uid"])
            if len(reports) > 1:
                summary = summaries(reports)[incident_ids(reports).iloc[0]]
                st.markdown(f"**One incident:** {md_text(summary.words())}")
                st.dataframe(dash.events_table(reports, view.naming)[["date", "place", "source", "evidence"]]
                             .assign(voice=incident_voices(reports)), hide_index=True, width="stretch")
    # the view in the URL, with the map's extent
    shared = view.replace(bbox=st.session_state["map_bounds"]) if st.session_state.get("map_bounds") else view
    try:
        st.query_params.from_dict(shared.to_query_params())
    except ViewError:
        st.query_params.from_dict(view.to_query_params())


# -- state from the URL, once per session ----------------------------------------------
if "initialised" not in st.session_state:
    url_view, problems = View.from_query_params_checked(dict(st.query_params))
    for key, value in dash.initial_state(url_view).items():
        st.session_state.setdefault(key, value)
    st.session_state["initialised"] = True
    st.session_state["url_problems"] = problems

try:
    s = store()
except StoreError as err:
    st.error(f"The event store cannot be opened: {md_text(err)}")
    st.stop()
# read once a run: every write on the page reruns it, and every cached read is keyed by it
revision = s.revision()

# -- sidebar ------------------------------------------------------------------------------
with st.sidebar:
    st.header("Map")
    st.caption("Layers")
    layer_controls = st.container()  # filled by the map fragment below: a toggle reruns the map alone
    st.caption("The map as it was on")
    key_dates = {f"{dt.date.fromisoformat(d):%d %b %Y}: {label}": dt.date.fromisoformat(d) for d, label in layers.KEY_DATES.items()}
    jump = st.selectbox("Key dates", ["(choose)", *key_dates], key="key_date")
    if jump != "(choose)" and st.session_state.get("_last_jump") != jump:
        st.session_state["_last_jump"] = jump
        st.session_state["as_of"] = key_dates[jump]
    st.slider("As of", min_value=dash.AS_OF_MIN, max_value=dash.AS_OF_MAX, key="as_of", format="YYYY-MM-DD")
    st.radio("Names", list(NAMING_MODES), format_func=NAMING_MODES.get, key="naming")
    basemap_controls = st.container()  # as the layers: filled by the map fragment
    st.header("Events")
    st.date_input("Event dates", value=st.session_state.get("event_dates", ()), key="event_dates",
                  min_value=dash.EVENT_DATES_FIRST, max_value=dt.date.today())
    st.multiselect("Event types", list(EVENT_TYPES), key="event_types")
    outlets = sorted(set(query_articles(str(s.path), revision)["source_name"].dropna()) - {""})
    st.multiselect("Sources", outlets, key="sources", accept_new_options=True)
    st.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="min_confidence")
    st.multiselect("Review status", ["unreviewed", "confirmed", "rejected"], key="review")
    st.header("Incidents")
    st.number_input("Confirmed by at least this many independent outlets", min_value=0, max_value=20, step=1,
                    key="min_independent", help="Outlets that are no government's voice and report the incident in their own "
                                                "words (a wire story relaying one side's claim does not count)")
    st.selectbox("Claims", list(CORROBORATION_FILTERS), format_func=CORROBORATION_FILTERS.get, key="corroboration")

try:
    view = dash.view_from_state(st.session_state, View())
except ViewError as err:
    st.error(f"These settings cannot be shown: {md_text(err)}")
    view = View()
for problem in st.session_state.pop("url_problems", []):
    st.warning(f"A part of the link was not used: {md_text(problem)}")

# -- map ---------------------------------------------------------------------------------
st.title("Nagorno-Karabakh: events on the map")
st.caption(md_text(view.subtitle()))
filters = _filters(view)
# At most MAP_EVENT_LIMIT events are read and drawn one by one; above that the map
# shows counts per cell, computed in the database, so a rerun stays bounded. Only the
# columns the page shows are read; the data files read every column (below).
events = query_events(str(s.path), revision, filters + (("limit", dash.MAP_EVENT_LIMIT + 1), ("columns", dash.MAP_COLUMNS)))
grid = None
if len(events) > dash.MAP_EVENT_LIMIT:
    cell = dash.grid_cell(view.bbox)
    grid = query_grid(str(s.path), revision, filters, cell)
    events = events.iloc[:dash.MAP_EVENT_LIMIT]
    st.info(f"{int(grid['n'].sum()):,} events match: the map counts them per {cell:g}° cell, and the table lists the "
            f"first {dash.MAP_EVENT_LIMIT:,}. Narrow the dates, types or sources to see each event.")
events = filter_by_corroboration(events, view)  # whole incidents, by who claims and denies them
map_panel(view, events, grid, layer_controls, basemap_controls)

st.subheader(f"Events ({len(events)})")
if st.toggle("Group by incident", key="group_by_incident"):
    st.dataframe(incidents_table(events, view.naming), key="incidents_table", hide_index=True, width="stretch")
    rows = []
else:
    table = dash.events_table(events, view.naming)
    selection = st.dataframe(table, key="events_table", on_select="rerun", selection_mode="single-row",
                             hide_index=True, width="stretch")
    rows = selection.selection.rows if selection and hasattr(selection, "selection") else []
new_uid = events.iloc[rows[0]]["x_uid"] if rows else None
if new_uid != st.session_state.get("selected_uid") and rows:
    st.session_state["selected_uid"] = new_uid
    st.rerun()
chart = dash.timeline(events)
if not chart.empty:
    st.caption("Events per day, by type")
    st.vega_lite_chart(*dash.timeline_chart(chart), width="stretch")  # the map's colours

# -- panels ------------------------------------------------------------------------------
# Each panel but the first is drawn only while it is chosen: choosing one reruns the page
# (Streamlit's lazy tabs). A new view draws no tables, editors or downloads it does not
# show: in a new browser the map came 0.7-1.9 s sooner (benchmarks/first_view.py).
# "Add an article" is always drawn, so a pasted text stays while another panel is open.
add_tab, review_tab, export_tab, sources_tab = st.tabs(list(dash.PANELS), key="panel", on_change="rerun")

with add_tab:
    st.write("Paste a report or upload a .txt or .html file. Events are shown for checking before anything is stored.")
    text = st.text_area("Article text", key="article_text", height=160,
                        placeholder="Title: ...\nPublished: 2023-09-19\n\nAzerbaijani forces shelled ...")
    upload = st.file_uploader("or upload", type=["txt", "html", "htm"], key="article_file")
    col1, col2 = st.columns(2)
    published = col1.date_input("Published (if the text does not say)", value=None, key="article_published")
    source_url = col2.text_input("Source URL", key="article_source")
    if st.button("Extract events", key="extract"):
        try:
            data = upload.getvalue() if upload is not None else text
            if not data:
                raise EventError("nothing to read: paste the article's text or upload a file")
            article = read_article(data, filename=upload.name if upload else "", published=published or None,
                                   source_url=source_url or None)
            waiting = st.empty()
            shown = {"s": -1}

            def _still_here(elapsed: float) -> None:
                # touching the page lets Streamlit stop this run when the session closes:
                # the extraction's child process is then killed (extract.budget)
                if int(elapsed) != shown["s"]:
                    shown["s"] = int(elapsed)
                    waiting.caption(f"Extracting events... {int(elapsed)} s")

            st.session_state["preview"] = (article, extract_within_budget(article, on_wait=_still_here))
            waiting.empty()
        except EventError as err:
            st.error(md_text(err))
    if "preview" in st.session_state:
        article, extracted = st.session_state["preview"]
        for w in article.warnings:
            st.warning(md_text(w))
        st.write(f"**{md_text(article.title or 'Untitled')}**; published {md_text(article.published or 'unknown')}; "
                 f"{len(extracted.events)} events found, {len(extracted.unplaced)} could not be placed.")
        if extracted.events:
            st.components.v1.html(map_to_html(map_from_view(dash.preview_view(view, extracted.events),
                                                            dash.events_to_frame(extracted.events))), height=380)
            edited = st.data_editor(dash.preview_table(extracted.events), key="preview_table", hide_index=True,
                                    disabled=["place", "what", "type", "confidence", "evidence"], width="stretch",
                                    column_config={"change place to": st.column_config.TextColumn(
                                        help="a gazetteer id (e.g. martuni) or a layer feature (e.g. contact_line:contact_line_2020)")})
        if extracted.denials:
            st.caption("Denials: a side denies these; stored with the incident they deny, never drawn alone:")
            st.dataframe(dash.preview_table(extracted.denials), hide_index=True, width="stretch")
        if extracted.unplaced:
            st.caption("Not placed or not dated (listed, not stored):")
            st.dataframe(dash.unplaced_table(extracted.unplaced), hide_index=True, width="stretch")
        if extracted.background:
            st.caption("Background: history the report narrates, years before it (listed, not stored):")
            st.dataframe(dash.background_table(extracted.background), hide_index=True, width="stretch")
        if extracted.events and st.button("Store these events", key="store_events", type="primary"):
            try:
                kept = dash.apply_preview_edits(extracted.events, edited)
                res = s.ingest(article.record(), [*kept, *extracted.denials])  # a denial joins the incident it denies
                if res.duplicate:
                    st.info("This article is stored already: nothing was added.")
                else:
                    st.success(f"Stored {res.stored} events.")
                del st.session_state["preview"]
                st.rerun()
            except (EventError, StoreError) as err:
                st.error(f"Nothing was stored: {md_text(err)}")

with review_tab:
    if review_tab.open:  # drawn only when chosen (st.tabs on_change="rerun")
        if events.empty:
            st.write("No events in view.")
        else:
            labels = {uid: f"{d} · {t} · {p}" for uid, d, t, p in zip(events["x_uid"], events["event_date"], events["sub_event_type"], events["location"])}
            uid = st.selectbox("Event", list(labels), format_func=labels.get,
                               key=kept("review_event", next(iter(labels)), list(labels)))
            remember("review_event")
            state = st.radio("Status", ["unreviewed", "confirmed", "rejected"], horizontal=True, key="review_state",
                             index=["unreviewed", "confirmed", "rejected"].index(dash.event_row(events, uid)["x_review"]))
            if st.button("Save review", key="save_review"):
                try:
                    s.set_review(uid, state)
                    st.success("Saved.")
                    st.rerun()
                except (EventError, StoreError) as err:
                    st.error(md_text(err))
            st.subheader("Incident")
            reports = dash.incident_reports(events, uid)
            reason = dash.event_row(events, uid)["x_incident_reason"] or "not linked to another report"
            st.text(f"This report: {reason}")
            if len(reports) > 1:
                st.write(f"{len(reports)} reports of one incident:")
                st.dataframe(dash.events_table(reports, view.naming)[["date", "place", "source", "evidence"]],
                             hide_index=True, width="stretch")
                if st.button("Split this report into an incident of its own", key="split_incident"):
                    try:
                        s.set_incident([uid], uid, "split by hand")
                        st.rerun()
                    except (EventError, StoreError) as err:
                        st.error(md_text(err))
            others = dash.other_incidents(events, uid, view.naming)
            if others:
                target = st.selectbox("Merge with the incident of", list(others), format_func=others.get, key="merge_target")
                if st.button("Merge: one incident", key="merge_incident"):
                    try:
                        inc = incident_ids(reports).iloc[0]
                        moved = dash.incident_reports(events, events.loc[incident_ids(events) == target, "x_uid"].iloc[0])
                        s.set_incident(list(moved["x_uid"]), inc, f"merged by hand with {uid}")
                        st.rerun()
                    except (EventError, StoreError) as err:
                        st.error(md_text(err))

with export_tab:
    if export_tab.open:  # drawn only when chosen (st.tabs on_change="rerun")
        st.subheader("Snapshot for a report")
        st.write("The layers, date, filters and names of this view, in the map's current extent, drawn for print "
                 "with legend, scale bar, north arrow, locator map and sources.")
        e1, e2, e3, e4 = st.columns(4)
        snap_title = e1.text_input("Title", key=kept("snap_title", view.title), max_chars=120)
        paper = e2.selectbox("Paper", ["a4", "letter"], format_func=str.upper, key=kept("snap_paper", "a4"))
        orientation = e3.selectbox("Orientation", ["landscape", "portrait"], key=kept("snap_orientation", "landscape"))
        dpi = e4.selectbox("PNG resolution (dpi)", [150, 300, 600], key=kept("snap_dpi", 300))
        for key in ("snap_title", "snap_paper", "snap_orientation", "snap_dpi"):
            remember(key)
        if st.button("Make snapshot", key="make_snapshot"):
            try:
                snap_view = view.replace(bbox=st.session_state.get("map_bounds", view.bbox), title=snap_title or view.title)
                snap_events = query_events(str(s.path), revision, _filters(view))
                with st.spinner("Drawing…"):
                    st.session_state["snapshot"] = {
                        fmt: snapshot_bytes(snap_view, fmt, events=snap_events, dpi=dpi, paper=paper, orientation=orientation)
                        for fmt in ("png", "pdf", "svg")
                    } | {"preview": snapshot_bytes(snap_view, "png", events=snap_events, dpi=PREVIEW_DPI, paper=paper, orientation=orientation)}
            except ViewError as err:
                st.error(f"No snapshot: {md_text(err)}")
        if "snapshot" in st.session_state:
            snap = st.session_state["snapshot"]
            st.image(snap["preview"], caption="Preview (the downloads are full resolution)")
            d1, d2, d3 = st.columns(3)
            d1.download_button("PNG", snap["png"], "karabakh-map.png", "image/png", key="dl_png")
            d2.download_button("PDF", snap["pdf"], "karabakh-map.pdf", "application/pdf", key="dl_pdf")
            d3.download_button("SVG", snap["svg"], "karabakh-map.svg", "image/svg+xml", key="dl_svg")
        st.subheader("Data")
        st.write("The data behind this view: the events shown and the layers on the map.")
        if st.button("Prepare data files", key="prepare_data"):
            with st.spinner("Writing files…"):
                # the events shown, with every column (the map read only the ones it shows)
                shown = query_events(str(s.path), revision, filters + (("limit", dash.MAP_EVENT_LIMIT),))
                shown = shown[shown["x_uid"].isin(set(events["x_uid"])).to_numpy()]
                st.session_state["data_files"] = {
                    "geojson": events_to_geojson_bytes(shown), "csv": events_to_csv_bytes(shown),
                    "incidents": incidents_to_csv_bytes(shown),
                    "gpkg": events_to_gpkg_bytes(shown),
                    "layers": layers_to_gpkg_bytes(as_of=view.as_of, layer_ids=list(view.layers), bbox=st.session_state["map_bounds"]),
                    "html": map_to_html(map_from_view(view.replace(bbox=st.session_state["map_bounds"]), shown)).encode("utf-8"),
                }
        if "data_files" in st.session_state:
            files = st.session_state["data_files"]
            c1, c2, c3, c4, c5, c6 = st.columns(6)
            c1.download_button("Events: GeoJSON", files["geojson"], "events.geojson", "application/geo+json", key="dl_geojson")
            c2.download_button("Events: ACLED CSV", files["csv"], "events.csv", "text/csv", key="dl_csv")
            c6.download_button("Incidents: ACLED CSV", files["incidents"], "incidents.csv", "text/csv", key="dl_incidents",
                               help="One row per incident, its sources joined as ACLED does")
            c3.download_button("Events: GeoPackage", files["gpkg"], "events.gpkg", key="dl_gpkg_events")
            c4.download_button("Layers: GeoPackage", files["layers"], "layers.gpkg", key="dl_gpkg_layers")
            c5.download_button("Map: offline HTML", files["html"], "karabakh-map.html", "text/html", key="dl_html")

with sources_tab:
    if sources_tab.open:  # drawn only when chosen (st.tabs on_change="rerun")
        st.subheader("Layers")
        st.dataframe(dash.sources_table(), hide_index=True, width="stretch")
        st.subheader("Articles")
        st.dataframe(query_articles(str(s.path), revision), hide_index=True, width="stretch")
        st.caption("Code: MIT. Data: Natural Earth (public domain); geoBoundaries CC BY-SA 3.0; GeoNames CC BY 4.0. "
                   "Names follow the choice in the sidebar; both sides' names are kept for every place.")
