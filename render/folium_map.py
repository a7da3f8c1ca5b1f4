"""Layers and events to an interactive :class:`folium.Map` that works offline.

The map has no tile layer by default (these machines reach no tile server): the
``borders`` layer draws the land. Leaflet comes from installed packages
(:mod:`render.offline`). Every string from an article is escaped
(:mod:`render.escape`) before it reaches the page.
"""
from __future__ import annotations

import functools
import logging
import math
from typing import Mapping

import folium
import geopandas as gpd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import mapping

import layers
from events.taxonomy import EVENT_COLOURS, EVENT_TYPES
from layers.names import display_name, feature_name

from .basemaps import basemap
from .incidents import collapse, incident_popups
from .describe import layer_popup_html, place_labels
from .escape import html_text, js_json
from .labels import PAGE_ZOOMS, STYLE, labels_for, text_box, zooms_per_label
from .memo import per_frame
from . import template_cache
from .offline import OfflineMap, OfflineMarkerCluster
from .view import DATA_BBOX, View

template_cache.install()  # folium compiles the same element templates on every map otherwise

log = logging.getLogger(__name__)

FULL_POPUP_LIMIT = 300  # above this, popups are one-line summaries; details show below the map
SEA_COLOUR = "#dbe7ee"
_SIMPLIFY = {"borders": 0.004, "seven_districts": 0.0015, "nkao": 0.001, "peacekeeping_zone": 0.0005}


@functools.lru_cache(maxsize=64)
def _layer_geojson(layer_id: str, as_of: str | None, naming: str) -> list[tuple[dict, dict]]:
    """(GeoJSON geometry, properties) per feature, simplified within the layer's accuracy."""
    gdf = layers.load_layer(layer_id, as_of=as_of)
    tol = _SIMPLIFY.get(layer_id, 0.0)
    out = []
    for _, row in gdf.iterrows():
        geom = row.geometry
        if tol:
            geom = geom.simplify(tol, preserve_topology=True)
        geom = shapely.set_precision(geom, 1e-5)
        props = {k: row[k] for k in gdf.columns if k != "geometry"}
        props["_label"] = feature_name(props, naming) if layer_id in ("places", "stepanakert", "seven_districts") else (props.get("name") or layers.LAYERS[layer_id].title)
        out.append((mapping(geom), props))
    return out


def _zoom_for_bbox(bbox, width_px: int = 880, height_px: int = 700) -> int:
    """The largest web-map zoom at which ``bbox`` fits a map of about this size."""
    lon_span = max(1e-6, bbox[2] - bbox[0])
    lat_span = max(1e-6, (bbox[3] - bbox[1]) / math.cos(math.radians((bbox[1] + bbox[3]) / 2)))
    zoom = min(math.log2(width_px * 360 / (256 * lon_span)), math.log2(height_px * 360 / (256 * lat_span)))
    return max(PAGE_ZOOMS[0], min(PAGE_ZOOMS[-1] - 1, int(zoom)))


def map_from_view(
    view: View,
    events: gpd.GeoDataFrame | None = None,
    *,
    selected_uid: str | None = None,
    tiles: str | None = None,
    grid=None,
) -> folium.Map:
    """The interactive map of a view.

    Parameters
    ----------
    view
        Layers, date, extent and naming to draw.
    events
        Events to draw (already filtered), EPSG:4326; ``None`` for none.
    selected_uid
        ``x_uid`` of an event whose popup opens on load.
    tiles
        A tile layer name or URL; ``None`` (the default) draws no tiles, which is how
        the map works with no network.
    grid
        Events counted per cell (``store.EventStore.grid_counts``), drawn instead of
        single events when a view holds more than a map can draw.
    """
    w, s, e, n = view.bbox
    base = basemap(view.basemap)
    if tiles is None and base.url:
        tiles = folium.TileLayer(base.url, attr=html_text(base.attribution), name=base.title, max_zoom=base.max_zoom,
                                 subdomains="abc")
    m = OfflineMap(location=[(s + n) / 2, (w + e) / 2], zoom_start=_zoom_for_bbox(view.bbox), tiles=tiles,
                   control_scale=True, prefer_canvas=False)
    # With no tile layer folium leaves the zoom range unset; the marker cluster needs it.
    # The view cannot leave the data: no edge of the countries layer ever shows.
    dw, ds, de, dn = DATA_BBOX
    m.options.update(minZoom=PAGE_ZOOMS[0], maxZoom=PAGE_ZOOMS[-1], maxBounds=[[ds, dw], [dn, de]], maxBoundsViscosity=1.0)
    m.get_root().header.add_child(Element(
        f"<style>.leaflet-container{{background:{SEA_COLOUR}}}.km-legend{{background:#fff;padding:6px 8px;"
        "font:12px/1.4 sans-serif;border-radius:4px;box-shadow:0 0 4px rgba(0,0,0,.3);max-width:260px}"
        ".km-legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-2px}"
        ".leaflet-control-attribution{font-size:10px;max-width:70%}"
        + label_css() + "</style>"))
    m.fit_bounds([[s, w], [n, e]])
    as_of = view.as_of.isoformat() if view.as_of else None
    shown_layers = []
    for lid in sorted(view.layers, key=lambda i: layers.LAYERS[i].z):
        feats = _layer_geojson(lid, as_of, view.naming)
        if not feats:
            continue
        shown_layers.append(lid)
        m.add_child(_FeatureLayer(data=_layer_payload(lid, as_of, view.naming, tiles is not None), layer_id=lid,
                                  z=layers.LAYERS[lid].z))
    shown_types: list[str] = []
    if view.show_events and events is not None and not events.empty:
        shown_types = _add_events(m, events, view, selected_uid)
    elif view.show_events and grid is not None and len(grid):
        shown_types = _add_grid(m, grid)
    m.add_child(_LabelLayer(label_payload(view, events)))
    _add_legend(m, shown_layers, shown_types, view)
    _add_attribution(m, shown_layers)
    return m


def _style(layer_id: str) -> dict:
    st = layers.LAYERS[layer_id].style
    # className marks each drawn path with its layer, for tests and for user CSS.
    return {"color": st["color"], "weight": st["weight"], "fillColor": st["fill_color"],
            "fillOpacity": st["fill_opacity"], "dashArray": st["dash"], "opacity": 0.95,
            "className": f"km-layer-{layer_id}"}


class _FeatureLayer(MacroElement):
    """Features drawn in the browser from one JSON payload: one template compiled once
    per class, not one folium element (and one Jinja template) per feature.

    Each layer draws into a pane of its own, stacked by the layer's ``z`` below Leaflet's
    overlay pane (the events, the names' dots) and above the basemap's tiles, so the order
    holds however the features arrive: inline (a map written as a file), or fetched from
    the page's host (:meth:`fetch_data_from`, the page's map).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var paneName = {{ this.pane_json }};
            var pane = map.getPane(paneName) || map.createPane(paneName);
            pane.style.zIndex = {{ this.z_index }};
            function draw(spec) {
                var group = L.featureGroup();
                spec.features.forEach(function (f) {
                    var layer, style = L.Util.extend({pane: paneName}, f.style);
                    if (f.geometry.type === 'Point') {
                        layer = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], style);
                    } else {
                        layer = L.geoJSON(f.geometry, {pane: paneName, style: function () { return style; }});
                        layer.on('mouseover', function () { layer.setStyle({weight: f.style.weight + 2}); });
                        layer.on('mouseout', function () { layer.setStyle({weight: f.style.weight}); });
                    }
                    if (f.tooltip) { layer.bindTooltip(f.tooltip, f.tooltip_options || {}); }
                    if (f.popup) { layer.bindPopup(f.popup, {maxWidth: 420}); }
                    group.addLayer(layer);
                });
                group.addTo(map);
            }
            {% if this.url_json %}
            fetch({{ this.url_json }}).then(function (r) {
                if (!r.ok) { throw new Error('HTTP ' + r.status); }
                return r.json();
            }).then(draw).catch(function (e) { console.error('karabakh-map: the layer ' + paneName + ' did not load: ' + e); });
            {% else %}
            draw({{ this.data }});
            {% endif %}
        })();
        {% endmacro %}
    """)

    def __init__(self, *, data: str, layer_id: str | None = None, z: int = 0):
        super().__init__()
        self._name = "FeatureLayer"
        self.data = data  # the JSON of {"features": [...]}, made (and kept) by the caller
        # a layer's own pane, stacked by its z (tiles are at 200, the overlay pane at 400);
        # without a layer (the grid's counts) the overlay pane, above every layer
        self.layer_id = layer_id
        self.pane_json = js_json(f"km-pane-{layer_id}" if layer_id else "overlayPane")
        self.z_index = 250 + z if layer_id else 400
        self.url_json = ""

    def fetch_data_from(self, url: str) -> None:
        """Draw the features from ``url`` (relative to the map's frame) instead of from the
        script: the page's map, whose host serves the payload (:mod:`render.served`)."""
        self.url_json = js_json(url)


@functools.lru_cache(maxsize=128)
def _layer_payload(layer_id: str, as_of: str | None, naming: str, over_tiles: bool) -> str:
    """The JSON a layer is drawn from (features, styles, tooltips, popups), made once per
    layer, day, naming and basemap: every rerun of every session draws it again."""
    return js_json({"features": _layer_features(layer_id, _layer_geojson(layer_id, as_of, naming), over_tiles=over_tiles)})


def _layer_features(layer_id: str, feats: list[tuple[dict, dict]], *, over_tiles: bool = False) -> list[dict]:
    style = _style(layer_id)
    if over_tiles and layer_id in ("borders", "lakes"):
        style.update(fillOpacity=0.0)  # the basemap draws land and water; keep the outlines
    features = []
    for geom, props in feats:
        feature_style = dict(style)
        tooltip_options: dict = {}
        if layer_id in ("places", "stepanakert"):
            big = layer_id == "stepanakert"
            feature_style.update(radius=7 if big else 3, weight=2 if big else 1, fill=True, fillOpacity=1.0)
        elif layer_id == "seven_districts" and str(props.get("control", "")).startswith("Karabakh Armenian"):
            feature_style.update(fillColor="#d9b38c", fillOpacity=0.6)
        features.append({
            "geometry": geom, "style": feature_style, "tooltip": html_text(props["_label"]),
            "tooltip_options": tooltip_options, "popup": layer_popup_html(layer_id, props),
        })
    return features


def label_css() -> str:
    """Label styles, and the rule that shows a label only at its zoom levels: the map's
    container carries ``km-zoom-Z`` and each label ``km-lzZ`` for every Z it fits at."""
    rules = [".km-lbl{white-space:nowrap;pointer-events:none;line-height:1.2;"
             "text-shadow:0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}"]
    for kind, st in STYLE.items():
        rules.append(f".km-lbl-{kind}{{font:{st['style']} {st['weight']} {st['size']}px/1.2 'DejaVu Sans',sans-serif;"
                     f"color:{st['colour']};letter-spacing:{st['spacing']}em}}")
    for z in PAGE_ZOOMS:
        rules.append(f".km-zoom-{z} .km-lbl:not(.km-lz{z}){{display:none}}")
    return "".join(rules)


class _LabelLayer(MacroElement):
    """The map's names (:mod:`render.labels`) as Leaflet div icons in a pane of their
    own above the layers, each shown at the zoom levels where it fits, and the dots of
    the towns they name."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var data = {{ this.data }};
            var pane = map.createPane('km-labels');
            pane.style.zIndex = 450;
            pane.style.pointerEvents = 'none';
            data.dots.forEach(function (d) {
                L.circleMarker([d[0], d[1]], {radius: 3, color: '#222', weight: 1.2, fillColor: '#fff', fillOpacity: 1,
                                               interactive: false, className: d[2]}).addTo(map);
            });
            data.labels.forEach(function (d) {
                L.marker([d.lat, d.lon], {pane: 'km-labels', interactive: false, keyboard: false,
                    icon: L.divIcon({className: d.cls, html: d.html, iconSize: [d.w, d.h], iconAnchor: [d.ax, d.ay]})}).addTo(map);
            });
            function zoomClass() {
                var c = map.getContainer();
                c.className = c.className.replace(/\\bkm-zoom-\\d+\\b/g, '').trim() + ' km-zoom-' + map.getZoom();
            }
            map.on('zoomend', zoomClass);
            zoomClass();
        })();
        {% endmacro %}
    """)

    def __init__(self, payload: dict):
        super().__init__()
        self._name = "LabelLayer"
        self.data = js_json(payload)


def label_payload(view: View, events: gpd.GeoDataFrame | None) -> dict:
    """The page's labels: one div icon per label and position, with the zoom levels it
    shows at, and the dots of the towns named (escaped). Kept for the events frame and
    what of the view decides them (:mod:`render.memo`): a toggle of another layer or a
    rerun with the same view places nothing again."""
    return _label_payload(events if view.show_events else None, view)


# the layers whose names (or whose dots) the labels depend on: toggling another one
# (the NKAO outline, the line of contact) places no label again
LABELLED_LAYERS = frozenset({"seven_districts", "rivers", "lakes", "places", "stepanakert"})


def _label_key(view: View) -> tuple:
    return (view.naming, view.as_of, tuple(sorted(LABELLED_LAYERS.intersection(view.layers))), view.show_events,
            tuple(view.bbox))


@per_frame(key=_label_key)
def _label_payload(events: gpd.GeoDataFrame | None, view: View) -> dict:
    # events is None already when the view shows none (label_payload)
    labels = labels_for(view, events, bbox=DATA_BBOX)
    symbols = area_symbols(events)
    out = []
    dots = []
    for lab, by_position in zip(labels, zooms_per_label(labels, DATA_BBOX, symbols=symbols)):
        if lab.kind == "town" or (lab.kind == "capital" and "stepanakert" not in view.layers):
            # a town's dot shows where its name does: no nameless dots
            shown = sorted({z for zooms in by_position.values() for z in zooms})
            dots.append([lab.lat, lab.lon, "km-town-dot km-lbl " + " ".join(f"km-lz{z}" for z in shown)])
        for position, zooms in by_position.items():
            x0, y0, x1, y1 = text_box(lab, 0.0, 0.0, 1.0, position)
            align = "left" if position == "right" else "right" if position == "left" else "center"
            out.append({
                "lat": lab.lat, "lon": lab.lon, "w": round(x1 - x0 + 2), "h": round(y1 - y0 + 1),
                "ax": round(-x0), "ay": round(-y0),
                "cls": f"km-lbl km-lbl-{lab.kind} " + " ".join(f"km-lz{z}" for z in zooms),
                "html": f"<div style='text-align:{align}'>" + "<br>".join(html_text(t) for t in lab.lines) + "</div>",
            })
    return {"labels": out, "dots": dots}


AREA_EVENT_NOTE = "Event on a region, line or border (no precise place)"
SEVERAL_REPORTS_NOTE = "Larger: one incident in several reports"
CONFIRMED_BY = 2  # independent outlets that make a thick ring
CONFIRMED_NOTE = f"Thick ring: confirmed by {CONFIRMED_BY}+ independent outlets"


class _EventLayer(MacroElement):
    """Events in a cluster group, built in the browser from JSON: a circle at a place,
    an open square at the label point of a region, line or border. The feature an area
    event names is drawn only while that event is selected (its popup open)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var data = {{ this.data }};
            var group = {{ this.cluster.get_name() }};
            var markers = [];
            var highlight = null;
            function square(colour, slot) {
                // events on one feature side by side, in a row centred on its anchor
                return L.divIcon({className: 'km-event km-event-area', iconSize: [14, 14], iconAnchor: [7 - 16 * slot, 7],
                                  html: '<div style="width:10px;height:10px;border:2px solid ' + colour +
                                        ';background:rgba(255,255,255,.85);box-shadow:0 0 0 1px #222"></div>'});
            }
            for (var i = 0; i < data.rows.length; i++) {
                // row: lat, lon, type, radius, sub-type, place, date, confidence (x100), feature (-1: a place), slot,
                //      reports of the incident, ring weight
                var r = data.rows[i];
                var mk = r[8] < 0 ?
                    L.circleMarker([r[0], r[1]], {radius: r[3], color: '#222', weight: r[11], fillColor: data.colours[r[2]],
                                                  fillOpacity: 0.9, className: 'km-event'}) :
                    L.marker([r[0], r[1]], {icon: square(data.colours[r[2]], r[9]), keyboard: false});
                var summary = data.subtypes[r[4]] + ' \u00b7 ' + r[6] + ' \u00b7 ' + data.places[r[5]] +
                              (r[10] > 1 ? ' \u00b7 ' + r[10] + ' reports' : '');
                mk.bindTooltip(summary);
                mk.bindPopup(data.popups ? data.popups[i] :
                    '<b>' + data.subtypes[r[4]] + '</b><br>' + r[6] + ' \u00b7 ' + data.places[r[5]] +
                    '<br>confidence ' + (r[7] / 100).toFixed(2) + '<br><i>details below the map</i>',
                    {maxWidth: 380, autoPanPaddingTopLeft: [20, 60]});
                if (r[8] >= 0) {
                    (function (feature) {
                        mk.on('popupopen', function () {
                            if (highlight) { map.removeLayer(highlight); }
                            highlight = L.geoJSON(feature, {interactive: false, style: function () {
                                return {color: '#ff9500', weight: 4, opacity: 0.8, fillColor: '#ff9500', fillOpacity: 0.08,
                                        dashArray: '8 6', className: 'km-event-feature'}; }}).addTo(map);
                        });
                        mk.on('popupclose', function () { if (highlight) { map.removeLayer(highlight); highlight = null; } });
                    })(data.features[r[8]]);
                }
                if (r[8] < 0) { group.addLayer(mk); } else { mk.addTo(map); }  // area symbols never cluster
                markers.push(mk);
            }
            if (data.selected >= 0) {
                var chosen = markers[data.selected];
                if (data.rows[data.selected][8] >= 0) { chosen.openPopup(); }
                else { group.zoomToShowLayer(chosen, function () { chosen.openPopup(); }); }
            }
        })();
        {% endmacro %}
    """)

    def __init__(self, cluster, payload: dict):
        super().__init__()
        self._name = "EventLayer"
        self.cluster = cluster
        self.data = js_json(payload)


def is_area_event(geom_type: str, geo_precision) -> bool:
    """Whether an event is placed on a region, a whole line or a border rather than a
    place (its geometry is the feature, or ACLED geo precision 3)."""
    return geom_type != "Point" or str(geo_precision) == "3"


def area_anchor(geom):
    """Where an area event's symbol goes: inside a region, on a line halfway along."""
    if geom.geom_type in ("LineString", "MultiLineString"):
        line = max(getattr(geom, "geoms", [geom]), key=lambda g: g.length)
        return line.interpolate(0.5, normalized=True)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        from .labels import label_point

        return label_point(geom)
    return geom.representative_point()


def _area_groups(events) -> tuple[list[str | None], dict[str, tuple]]:
    """Per row, the key of the feature a region-level event is on (``None`` for an event
    at a place); per key, in the order first met, the geometry and the point its symbol
    stands at."""
    precisions = events["geo_precision"].to_numpy() if "geo_precision" in events else [1] * len(events)
    keys: list[str | None] = []
    groups: dict[str, tuple] = {}
    for i, (gt, gp) in enumerate(zip(events.geom_type.to_numpy(), precisions)):
        if not is_area_event(gt, gp):
            keys.append(None)
            continue
        key = events["x_layer"].iat[i] or events["x_uid"].iat[i]
        if key not in groups:
            geom = events.geometry.iat[i]
            groups[key] = (geom, area_anchor(geom) if gt != "Point" else geom)
        keys.append(key)
    return keys, groups


def area_symbols(events) -> list[tuple[float, float, int]]:
    """Where the region-level event squares stand: (lon, lat, how many side by side),
    so that names keep clear of them."""
    if events is None or len(events) == 0:
        return []
    keys, groups = _area_groups(events)
    return [(pt.x, pt.y, keys.count(key)) for key, (_, pt) in groups.items()]


def _add_events(m: folium.Map, reports: gpd.GeoDataFrame, view: View, selected_uid: str | None) -> list[str]:
    payload, shown = _event_payload(reports, view.naming, selected_uid)
    if payload is None:
        return []
    cluster = OfflineMarkerCluster(name="Events", options={"maxClusterRadius": 35, "spiderfyOnMaxZoom": True,
                                                            "showCoverageOnHover": False})
    cluster.add_to(m)
    m.add_child(_EventLayer(cluster, payload))
    return shown


@per_frame
def _event_payload(reports: gpd.GeoDataFrame, naming: str, selected_uid: str | None) -> tuple[dict | None, list[str]]:
    """What the event layer draws (marks, popups, the legend's entries), kept for the
    frame of reports and the naming (:mod:`render.memo`)."""
    # One mark per incident (render.incidents): the reports of one incident share it.
    events = collapse(reports)
    if events.empty:
        return None, []
    if selected_uid is not None and selected_uid not in set(events["x_uid"]):
        chosen = reports.loc[reports["x_uid"] == selected_uid, "x_incident"]
        if len(chosen):
            match = events.loc[events["x_incident"] == chosen.iloc[0], "x_uid"]
            selected_uid = match.iloc[0] if len(match) else selected_uid
    # Column arrays, not rows: row access on a 10,000-row frame costs seconds.
    keys, groups = _area_groups(events)
    feature_index = {key: i for i, key in enumerate(groups)}
    features = [mapping(shapely.set_precision(geom.simplify(0.0005), 1e-5)) if geom.geom_type != "Point" else mapping(geom)
                for geom, _ in groups.values()]
    feature_of, slots, lat_out, lon_out = [], [], [], []
    per_anchor: dict[str, int] = {}
    for key, lat, lon in zip(keys, events["latitude"].to_numpy(), events["longitude"].to_numpy()):
        if key is None:
            feature_of.append(-1)
            slots.append(0)
            lat_out.append(lat)
            lon_out.append(lon)
            continue
        pt = groups[key][1]
        feature_of.append(feature_index[key])
        slots.append(per_anchor.get(key, 0))
        per_anchor[key] = slots[-1] + 1
        lat_out.append(pt.y)
        lon_out.append(pt.x)
    type_index = {t: i for i, t in enumerate(EVENT_TYPES)}
    full = len(events) <= FULL_POPUP_LIMIT
    # Repeated strings go into tables, rows hold indexes: 10,000 events stay well under 1 MB.
    subtypes: dict[str, int] = {}
    places: dict[str, int] = {}
    rows = []
    labels = place_labels(events, naming)
    columns = zip(lat_out, lon_out, events["event_type"], events["sub_event_type"], labels,
                  events["event_date"].astype(str), events["x_confidence"].to_numpy(), events["fatalities"].to_numpy(), feature_of,
                  slots, events["x_n_reports"].to_numpy(), events["x_n_independent"].to_numpy())
    for lat, lon, etype, sub_type, label, day, conf, dead, feature, slot, n_reports, n_independent in columns:
        # bigger with deaths and with reports; a thick ring when independent outlets confirm it
        radius = 6 + min(6, int(dead or 0) ** 0.5) + 1.5 * min(4, int(n_reports) - 1)
        sub = subtypes.setdefault(html_text(sub_type), len(subtypes))
        place = places.setdefault(html_text(label), len(places))
        rows.append([round(float(lat), 5), round(float(lon), 5), type_index.get(etype, 0), round(radius, 1), sub, place,
                     html_text(day), int(round(float(conf or 0) * 100)), feature, slot, int(n_reports),
                     3 if int(n_independent) >= CONFIRMED_BY else 1])
    popups = incident_popups(events, reports, naming) if full else None
    uids = list(events["x_uid"])
    selected = uids.index(selected_uid) if selected_uid in uids else -1
    payload = {"rows": rows, "subtypes": list(subtypes), "places": list(places), "popups": popups,
               "colours": [EVENT_COLOURS[t] for t in EVENT_TYPES], "selected": selected, "features": features}
    shown = [t for t in EVENT_TYPES if t in set(events["event_type"])]
    return payload, (shown + ([AREA_EVENT_NOTE] if features else [])
                     + ([SEVERAL_REPORTS_NOTE] if (events["x_n_reports"] > 1).any() else [])
                     + ([CONFIRMED_NOTE] if (events["x_n_independent"] >= CONFIRMED_BY).any() else []))


GRID_NOTE = "Events counted per cell (too many to draw one by one)"


def _add_grid(m: folium.Map, grid) -> list[str]:
    """Counts per cell as circles sized by the count, coloured by the cell's most
    frequent event type, with the counts by type in the tooltip."""
    data, shown = _grid_features(grid)
    m.add_child(_FeatureLayer(data=data))
    return shown


@per_frame
def _grid_features(grid) -> tuple[str, list[str]]:
    """The cells' circles (as the layer's JSON) and the legend's entries, kept for the
    grid frame (:mod:`render.memo`)."""
    cells: dict[tuple[float, float], dict[str, int]] = {}
    for lat, lon, etype, n in zip(grid["latitude"], grid["longitude"], grid["event_type"], grid["n"]):
        cells.setdefault((round(float(lat), 5), round(float(lon), 5)), {})[str(etype)] = int(n)
    features = []
    for (lat, lon), by_type in cells.items():
        total = sum(by_type.values())
        top = max(by_type, key=by_type.get)
        lines = ", ".join(f"{t} {k:,}" for t, k in sorted(by_type.items(), key=lambda kv: -kv[1]))
        features.append({
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "style": {"radius": round(4 + 3 * math.log10(total + 1), 1), "color": "#222", "weight": 1,
                      "fillColor": EVENT_COLOURS.get(top, "#888"), "fill": True, "fillOpacity": 0.75, "className": "km-event-cell"},
            "tooltip": html_text(f"{total:,} events here: {lines}"), "popup": "",
        })
    shown = [t for t in EVENT_TYPES if t in set(grid["event_type"])]
    return js_json({"features": features}), shown + [GRID_NOTE]


class _Legend(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: 'bottomright'});
            legend.onAdd = function () {
                var div = L.DomUtil.create('div', 'km-legend');
                div.innerHTML = {{ this.html }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html: str):
        super().__init__()
        self._name = "Legend"
        self.html = js_json(html)


def legend_html(shown_layers: list[str], shown_types: list[str], view: View) -> str:
    """The legend's HTML: layers and event types shown, and the date. Escaped."""
    parts = [f"<b>{html_text(view.title)}</b><br><span style='color:#555'>{html_text(view.subtitle())}</span><br>"]
    for lid in shown_layers:
        st = layers.LAYERS[lid].style
        if lid in ("places", "stepanakert"):
            swatch = f"<i style='border-radius:50%;background:{st['fill_color']};border:2px solid {st['color']}'></i>"
        elif st["fill_opacity"] > 0:
            swatch = f"<i style='background:{st['fill_color']};border:1px solid {st['color']}'></i>"
        else:
            dash = "dashed" if st["dash"] else "solid"
            swatch = f"<i style='height:0;border-top:3px {dash} {st['color']};margin-bottom:4px'></i>"
        title = layers.LAYERS[lid].title
        if lid == "stepanakert":
            title = display_name("Stepanakert", "Khankendi", view.naming)
        parts.append(f"{swatch}{html_text(title)}<br>")
    parts.append("<i style='border-radius:50%;width:6px;height:6px;margin:0 8px 0 3px;background:#fff;border:1.5px solid #222'></i>"
                 "Town<br>")
    if shown_types:
        parts.append("<b>Events</b><br>")
        for t in shown_types:
            if t == GRID_NOTE:
                parts.append(f"<i style='border-radius:50%;background:#bbb;border:1px solid #222'></i>{html_text(t)}<br>")
            elif t == SEVERAL_REPORTS_NOTE:
                parts.append("<i style='border-radius:50%;width:16px;height:16px;background:#bbb;border:1px solid #222'></i>"
                             f"{html_text(t)}<br>")
            elif t == CONFIRMED_NOTE:
                parts.append(f"<i style='border-radius:50%;background:#bbb;border:3px solid #222'></i>{html_text(t)}<br>")
            elif t == AREA_EVENT_NOTE:
                parts.append(f"<i style='width:9px;height:9px;border:2px solid #555;background:#fff;box-shadow:0 0 0 1px #222'></i>"
                             f"{html_text(t)}<br>")
            else:
                parts.append(f"<i style='border-radius:50%;background:{EVENT_COLOURS[t]};border:1px solid #222'></i>{html_text(t)}<br>")
    return "".join(parts)


def _add_legend(m: folium.Map, shown_layers: list[str], shown_types: list[str], view: View) -> None:
    m.add_child(_Legend(legend_html(shown_layers, shown_types, view)))


class _Attribution(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix('Leaflet');
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text }});
        {% endmacro %}
    """)

    def __init__(self, text: str):
        super().__init__()
        self._name = "Attribution"
        self.text = js_json(text)


def attribution_text(layer_ids: list[str]) -> str:
    """Credits for the layers shown, as required by their licences (plain text)."""
    credits = []
    ids = set(layer_ids)
    if ids & {"borders", "nkao", "peacekeeping_zone", "contact_line"}:
        credits.append("Natural Earth (public domain)")
    if "seven_districts" in ids:
        credits.append("Districts: geoBoundaries (Runfola et al. 2020), from Wikipedia, CC BY-SA 3.0")
    if ids & {"places", "stepanakert", "lachin_corridor"}:
        credits.append("Place data © GeoNames (geonames.org), CC BY 4.0")
    if ids & {"peacekeeping_zone", "contact_line", "lachin_corridor"}:
        credits.append("corrections and corridor: karabakh-map, from documented points")
    return "; ".join(credits)


def _add_attribution(m: folium.Map, shown_layers: list[str]) -> None:
    m.add_child(_Attribution(html_text(attribution_text(shown_layers))))


def map_to_html(m: folium.Map) -> str:
    """The map as one standalone HTML document (works offline)."""
    return m.get_root().render()


def event_at(events: gpd.GeoDataFrame, lat: float, lng: float, *, tolerance: float = 1e-4) -> Mapping | None:
    """The event whose marker is at (``lat``, ``lng``), as st_folium reports a click."""
    if events is None or events.empty or lat is None or lng is None:
        return None
    d = (events["latitude"] - lat).abs() + (events["longitude"] - lng).abs()
    i = d.idxmin()
    return events.loc[i].to_dict() if d[i] <= tolerance else None
