"""Print-ready static maps of a view: PNG, PDF, SVG (matplotlib + GeoPandas, offline).

The map is drawn in UTM zone 38N (EPSG:32638), so distances on it are true to within
0.05 % across the region: the scale bar is computed from the projection's point scale
factor at the map's centre and the north arrow is turned by the meridian convergence
there. Output is deterministic: the fonts matplotlib ships (DejaVu Sans), no
timestamps in file metadata (the caption states when the map was made), a fixed SVG
hash salt. Text is never parsed as mathtext, and SVG and PDF keep text as text, so a
title holding markup or a formula prints as typed and the PDF is searchable.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrow, Patch, Rectangle  # noqa: E402
from pyproj import Proj, Transformer  # noqa: E402
from shapely.geometry import box  # noqa: E402

import layers  # noqa: E402
from events.taxonomy import EVENT_COLOURS, EVENT_TYPES  # noqa: E402
from layers.names import NAMING_MODES, display_name, feature_name  # noqa: E402

from .escape import print_text  # noqa: E402
from .folium_map import (  # noqa: E402
    AREA_EVENT_NOTE, CONFIRMED_BY, CONFIRMED_NOTE, SEVERAL_REPORTS_NOTE, area_anchor, area_symbols, is_area_event, map_from_view,
    map_to_html,
)
from .incidents import collapse, filter_by_corroboration  # noqa: E402
from .labels import POINT_GAP, STYLE, labels_for, place_labels  # noqa: E402
from .view import DATA_BBOX, View, ViewError  # noqa: E402

log = logging.getLogger(__name__)

UTM = "EPSG:32638"
PAPERS_MM = {"a4": (297.0, 210.0), "letter": (279.4, 215.9)}  # landscape width, height
FORMATS = ("png", "pdf", "svg", "html")
DPI_CHOICES = (150, 300, 600)
PREVIEW_DPI = 130  # the page's preview of a snapshot: readable on screen
WAR_2020 = (dt.date(2020, 9, 27), dt.date(2020, 11, 10))  # the front moved daily; no line of its own
PRINT_PT_PER_PX = 0.62  # label sizes: the page's px to the printed map's points
_RC = {
    "font.family": "DejaVu Sans", "text.parse_math": False, "svg.fonttype": "none", "svg.hashsalt": "karabakh-map",
    "pdf.fonttype": 42, "path.simplify": True, "axes.unicode_minus": False,
}
_TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
_TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)


class SnapshotError(ViewError):
    """A snapshot cannot be made as asked (format, paper, dpi); the message says why."""


@dataclass
class SnapshotInfo:
    """What was drawn, for captions, tests and the page."""

    extent_utm: tuple[float, float, float, float] = (0, 0, 0, 0)
    extent_lonlat: tuple[float, float, float, float] = (0, 0, 0, 0)
    layers: list[str] = field(default_factory=list)
    event_types: list[str] = field(default_factory=list)
    legend_labels: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    scale_bar_km: float = 0.0
    scale_bar_utm: tuple[float, float, float, float] = (0, 0, 0, 0)
    caption: str = ""
    n_events: int = 0  # reports (events) in the frame
    n_incidents: int = 0  # marks drawn: one per incident


@functools.lru_cache(maxsize=64)
def _layer_utm(layer_id: str, as_of: str | None, naming: str) -> gpd.GeoDataFrame:
    gdf = layers.load_layer(layer_id, as_of=as_of).to_crs(UTM)
    if layer_id in ("places", "stepanakert", "seven_districts"):
        gdf["_label"] = [feature_name(r, naming) for r in gdf.to_dict("records")]
    tolerance = {"borders": 200.0, "seven_districts": 60.0, "nkao": 40.0, "peacekeeping_zone": 30.0}.get(layer_id)
    if tolerance:
        gdf["geometry"] = gdf.geometry.simplify(tolerance, preserve_topology=True)
    return gdf


@functools.lru_cache(maxsize=1)
def _locator() -> gpd.GeoDataFrame:
    return gpd.read_file(layers._registry.LOCATOR_FILE, engine="pyogrio")


def _paper_inches(paper: str, orientation: str) -> tuple[float, float]:
    if paper not in PAPERS_MM:
        raise SnapshotError(f"paper={paper!r} is not a paper size: choose a4 or letter")
    if orientation not in ("landscape", "portrait"):
        raise SnapshotError(f"orientation={orientation!r} is not an orientation: choose landscape or portrait")
    w, h = (v / 25.4 for v in PAPERS_MM[paper])
    return (w, h) if orientation == "landscape" else (h, w)


def _extent(view: View, aspect: float) -> tuple[float, float, float, float]:
    """The view's bbox in UTM, widened in one direction to fill axes of ``aspect`` (w/h)."""
    poly = box(*view.bbox).segmentize(0.05)
    xs, ys = _TO_UTM.transform(*zip(*poly.exterior.coords))
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (w / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, y0, x1, y1


def snapshot_figure(
    view: View,
    events: gpd.GeoDataFrame | None = None,
    *,
    paper: Literal["a4", "letter"] = "a4",
    orientation: Literal["landscape", "portrait"] = "landscape",
    made_at: dt.datetime | None = None,
) -> tuple[Figure, SnapshotInfo]:
    """Draw a view as a print-ready figure.

    Parameters
    ----------
    view
        What to show. ``view.bbox`` is (W, S, E, N) in degrees.
    events
        Events to draw (EPSG:4326), already filtered; ``None`` draws none.
    paper, orientation
        Page size; the figure is exactly that size.
    made_at
        Time stated in the caption (default: now, UTC).

    Returns
    -------
    (matplotlib.figure.Figure, SnapshotInfo)
    """
    width, height = _paper_inches(paper, orientation)
    made_at = made_at or dt.datetime.now(dt.timezone.utc)
    info = SnapshotInfo()
    with plt.rc_context(_RC):
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)  # a renderer, so that text extents can be measured
        landscape = orientation == "landscape"
        map_rect = [0.035, 0.17, 0.66, 0.70] if landscape else [0.05, 0.36, 0.90, 0.52]
        ax = fig.add_axes(map_rect)
        ax_w_in, ax_h_in = map_rect[2] * width, map_rect[3] * height
        x0, y0, x1, y1 = _extent(view, ax_w_in / ax_h_in)
        info.extent_utm = (x0, y0, x1, y1)
        lon0, lat0 = _TO_LONLAT.transform(x0, y0)
        lon1, lat1 = _TO_LONLAT.transform(x1, y1)
        info.extent_lonlat = (lon0, lat0, lon1, lat1)
        _check_inside_data(view, info.extent_lonlat)
        ax.set_facecolor("#dbe7ee")
        frame = box(x0, y0, x1, y1)
        handles: list = []
        as_of = view.as_of.isoformat() if view.as_of else None
        for lid in sorted(view.layers, key=lambda i: layers.LAYERS[i].z):
            gdf = _layer_utm(lid, as_of, view.naming)
            gdf = gdf[gdf.intersects(frame)]
            if gdf.empty:
                continue
            info.layers.append(lid)
            handles.append(_draw_layer(ax, lid, gdf, view))
        if "contact_line" in view.layers and view.as_of and WAR_2020[0] <= view.as_of < WAR_2020[1]:
            handles.append(_draw_prewar_line(ax, frame))
        if "seven_districts" in info.layers and _any_held(as_of, view.naming, frame):
            handles.append(Patch(facecolor="none", edgecolor="#8a5a2b", hatch="///",
                                 label="District held by Karabakh Armenian forces on this date"))
        shown_events = None
        if events is not None and not events.empty:
            ev = events.to_crs(UTM)
            ev = ev[ev.intersects(frame)]
            info.n_events = len(ev)
            ev = collapse(ev)  # one mark per incident, as on the page
            info.n_incidents = len(ev)
            info.event_types, event_handles = _draw_events(ax, ev, view)
            handles += event_handles
            shown_events = events[events["x_uid"].isin(set(ev["x_uid"]))] if "x_uid" in events else events
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_linewidth(0.8)
        info.labels, has_towns = _draw_labels(fig, ax, view, shown_events, info.extent_lonlat)
        if has_towns:
            handles.append(Line2D([], [], marker="o", ls="", markersize=3.5, markerfacecolor="white",
                                  markeredgecolor="#222222", label="Town"))
        info.scale_bar_km, info.scale_bar_utm = _scale_bar(ax, (x0, y0, x1, y1))
        _north_arrow(ax, (x0, y0, x1, y1))
        fig.text(0.035, 0.955, print_text(view.title), fontsize=17, fontweight="bold", va="top", gid="title")
        fig.text(0.035, 0.915, print_text(view.subtitle()), fontsize=9.5, color="#333333", va="top", gid="subtitle")
        inset_rect = [0.725, 0.62, 0.245, 0.25] if landscape else [0.05, 0.15, 0.28, 0.19]
        _inset(fig, inset_rect, view.bbox)
        legend_rect = [0.725, 0.17, 0.245, 0.43] if landscape else [0.36, 0.15, 0.59, 0.19]
        info.legend_labels = _legend(fig, legend_rect, handles)
        info.caption = print_text(caption_text(view, info, events if events is not None else None, made_at))
        wrap = int(width * 19)
        fig.text(0.035, 0.145 if landscape else 0.13, "\n".join(textwrap.wrap(info.caption, wrap)),
                 fontsize=5.7, va="top", color="#222222", gid="caption", linespacing=1.3)
    return fig, info


def _draw_layer(ax, lid: str, gdf: gpd.GeoDataFrame, view: View):
    st = layers.LAYERS[lid].style
    title = layers.LAYERS[lid].title if lid != "stepanakert" else display_name("Stepanakert", "Khankendi", view.naming)
    kinds = set(gdf.geom_type)
    dash = (0, tuple(float(v) for v in st["dash"].split())) if st["dash"] else "solid"
    if kinds <= {"Point", "MultiPoint"}:
        size = 40 if lid == "stepanakert" else 8
        ax.scatter(gdf.geometry.x, gdf.geometry.y, s=size, c=st["fill_color"], edgecolors=st["color"],
                   linewidths=1.2 if lid == "stepanakert" else 0.6, zorder=60 + layers.LAYERS[lid].z, gid=f"layer-{lid}")
        return Line2D([], [], marker="o", ls="", markersize=7 if lid == "stepanakert" else 4,
                      markerfacecolor=st["fill_color"], markeredgecolor=st["color"], label=title)
    polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    lines = gdf[~gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    z = layers.LAYERS[lid].z / 10
    if not polys.empty:
        face = st["fill_color"] if st["fill_opacity"] > 0 else "none"
        polys.plot(ax=ax, facecolor=face, alpha=None, edgecolor=st["color"], linewidth=st["weight"] * 0.5,
                   linestyle=dash, zorder=z, gid=f"layer-{lid}")
        if st["fill_opacity"] > 0:
            for coll in ax.collections[-1:]:
                coll.set_facecolor(_rgba(st["fill_color"], st["fill_opacity"]))
        if lid == "seven_districts":
            held = polys[polys["control"].astype(str).str.startswith("Karabakh Armenian")]
            if not held.empty:
                held.plot(ax=ax, facecolor="none", edgecolor="#8a5a2b", hatch="///", linewidth=0, zorder=z + 0.1)
    if not lines.empty:
        lines.plot(ax=ax, color=st["color"], linewidth=st["weight"] * 0.6, linestyle=dash, zorder=z, gid=f"layer-{lid}")
    if not polys.empty and lines.empty:
        return Patch(facecolor=_rgba(st["fill_color"], st["fill_opacity"]) if st["fill_opacity"] > 0 else "none",
                     edgecolor=st["color"], linestyle=dash if dash != "solid" else "-", label=title)
    return Line2D([], [], color=st["color"], linewidth=st["weight"] * 0.6, linestyle=dash, label=title)


def _rgba(colour: str, alpha: float) -> tuple[float, float, float, float]:
    r, g, b = matplotlib.colors.to_rgb(colour)
    return (r, g, b, alpha)


def _check_inside_data(view: View, extent: tuple[float, float, float, float]) -> None:
    """Refuse a map that would show more than the data covers (its edge would show
    as empty water)."""
    w, s, e, n = DATA_BBOX
    if extent[0] < w or extent[1] < s or extent[2] > e or extent[3] > n:
        raise SnapshotError(
            f"bbox={','.join(f'{v:g}' for v in view.bbox)} needs a map from {extent[0]:.1f},{extent[1]:.1f} to "
            f"{extent[2]:.1f},{extent[3]:.1f}, beyond the map's data ({w:g}-{e:g} E, {s:g}-{n:g} N): give a smaller box "
            f"inside it")


def _any_held(as_of: str | None, naming: str, frame) -> bool:
    gdf = _layer_utm("seven_districts", as_of, naming)
    gdf = gdf[gdf.intersects(frame)]
    return bool(gdf["control"].astype(str).str.startswith("Karabakh Armenian").any())


def _draw_prewar_line(ax, frame) -> Line2D:
    """During the 2020 war the front moved daily and no line is drawn for the day: the
    1994 line of contact, as it stood on 27 September 2020, for reference."""
    gdf = layers.load_layer("contact_line").to_crs(UTM)
    line = gdf[gdf["feature_id"] == "contact_line_1994"]
    line = line[line.intersects(frame)]
    st = layers.LAYERS["contact_line"].style
    if not line.empty:
        line.plot(ax=ax, color=st["color"], linewidth=st["weight"] * 0.5, linestyle=(0, (2, 2)), alpha=0.8, zorder=5,
                  gid="layer-contact_line-prewar")
    return Line2D([], [], color=st["color"], linewidth=st["weight"] * 0.5, linestyle=(0, (2, 2)),
                  label="Line of contact, 27 Sep 2020 (the front moved daily)")


def _draw_events(ax, ev: gpd.GeoDataFrame, view: View):
    """Events: a circle at a place, an open square at the label point of a region,
    line or border (as on the page; no feature is highlighted on paper)."""
    area = [is_area_event(g.geom_type, p) for g, p in zip(ev.geometry, ev.get("geo_precision", [1] * len(ev)))]
    ux, uy = _TO_UTM.transform(ev["longitude"].to_numpy(), ev["latitude"].to_numpy())
    xs, ys = list(map(float, ux)), list(map(float, uy))
    for i, is_area in enumerate(area):
        if is_area and ev.geometry.iloc[i].geom_type != "Point":
            pt = area_anchor(ev.geometry.iloc[i])
            xs[i], ys[i] = pt.x, pt.y
    xs, ys = _spread(xs, ys, radius=0.006 * (ax.get_xlim()[1] - ax.get_xlim()[0]) or 800.0)
    types = [t for t in EVENT_TYPES if t in set(ev["event_type"])]
    colours = [EVENT_COLOURS[t] for t in ev["event_type"]]
    n_reports = [int(n) for n in ev["x_n_reports"]]
    confirmed = [int(n) >= CONFIRMED_BY for n in ev["x_n_independent"]]
    sizes = [30 + 12 * min(6, int(f or 0) ** 0.5) + 14 * min(4, n - 1) for f, n in zip(ev["fatalities"], n_reports)]
    point_i = [i for i, a in enumerate(area) if not a]
    area_i = [i for i, a in enumerate(area) if a]
    if point_i:
        ax.scatter([xs[i] for i in point_i], [ys[i] for i in point_i], s=[sizes[i] for i in point_i],
                   c=[colours[i] for i in point_i], edgecolors="#222222",
                   linewidths=[1.8 if confirmed[i] else 0.6 for i in point_i], zorder=150, gid="events")
    if area_i:
        ax.scatter([xs[i] for i in area_i], [ys[i] for i in area_i], s=34, marker="s", facecolors="white",
                   edgecolors=[colours[i] for i in area_i], linewidths=1.6, zorder=150, gid="events-area")
    handles = [Line2D([], [], marker="o", ls="", markersize=6, markerfacecolor=EVENT_COLOURS[t], markeredgecolor="#222222",
                      label=f"Event: {t}") for t in types]
    if area_i:
        handles.append(Line2D([], [], marker="s", ls="", markersize=5.5, markerfacecolor="white", markeredgecolor="#555555",
                              markeredgewidth=1.6, label=AREA_EVENT_NOTE))
    if any(n > 1 for n in n_reports):
        handles.append(Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor="#bbbbbb", markeredgecolor="#222222",
                              markeredgewidth=0.6, label=SEVERAL_REPORTS_NOTE))
    if any(confirmed):
        handles.append(Line2D([], [], marker="o", ls="", markersize=6, markerfacecolor="#bbbbbb", markeredgecolor="#222222",
                              markeredgewidth=1.8, label=CONFIRMED_NOTE))
    return types, handles


def _spread(xs: list[float], ys: list[float], radius: float) -> tuple[list[float], list[float]]:
    """Move events that share a point onto a small circle around it, so none hides another."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(zip(xs, ys)):
        groups.setdefault((round(x / 50), round(y / 50)), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        for k, i in enumerate(members):
            angle = 2 * math.pi * k / len(members)
            xs[i] += radius * math.cos(angle)
            ys[i] += radius * math.sin(angle)
    return xs, ys


_ALIGN = {"right": ("left", "center"), "left": ("right", "center"), "above": ("center", "bottom"),
          "below": ("center", "top"), "centre": ("center", "center")}


def _draw_labels(fig, ax, view: View, events, extent_lonlat) -> tuple[list[str], bool]:
    """The label hierarchy of :mod:`render.labels`, placed without collisions in the
    map's frame; returns the texts drawn and whether town dots were drawn."""
    w, s, e, n = extent_lonlat
    labels = labels_for(view.replace(bbox=(max(w, -180), max(s, -85), min(e, 180), min(n, 85))), events,
                        bbox=extent_lonlat)
    height_px = fig.get_figheight() * fig.dpi
    to_display = ax.transData.transform

    def to_px(lon: float, lat: float) -> tuple[float, float]:
        x, y = to_display(_TO_UTM.transform(lon, lat))
        return float(x), float(height_px - y)

    bb = ax.get_window_extent()
    frame = (bb.x0, height_px - bb.y1, bb.x1, height_px - bb.y0)
    scale = PRINT_PT_PER_PX * fig.dpi / 72
    # the event squares are spread by _draw_events, not by count: one slot each
    symbols = [(lon, lat, 1) for lon, lat, _ in area_symbols(events)]
    kept = place_labels(labels, to_px, frame, scale=scale, symbols=symbols)
    drawn: list[str] = []
    dots = []
    gap = POINT_GAP * PRINT_PT_PER_PX
    for i, position in kept.items():
        lab = labels[i]
        st = STYLE[lab.kind]
        x, y = _TO_UTM.transform(lab.lon, lab.lat)
        ha, va = _ALIGN[position]
        dx = gap if position == "right" else -gap if position == "left" else 0
        dy = gap if position == "above" else -gap if position == "below" else 0
        common = dict(xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, linespacing=1.0,
                      multialignment={"right": "left", "left": "right"}.get(position, "center"),
                      fontsize=st["size"] * PRINT_PT_PER_PX, fontweight=st["weight"], fontstyle=st["style"])
        # a white halo (drawn as a path), then the name itself as text: SVG and PDF stay searchable
        text = print_text("\n".join(lab.lines))
        ax.annotate(text, (x, y), color="white", zorder=89, gid="label-halo",
                    path_effects=[matplotlib.patheffects.withStroke(linewidth=2.0, foreground="white")], **common)
        ax.annotate(text, (x, y), color=st["colour"], zorder=90, gid=f"label-{lab.kind}", **common)
        drawn.append(lab.text)
        if lab.kind == "town" or (lab.kind == "capital" and "stepanakert" not in view.layers):
            dots.append((x, y))
    if dots:
        ax.scatter([d[0] for d in dots], [d[1] for d in dots], s=9, c="white", edgecolors="#222222", linewidths=0.7,
                   zorder=85, gid="town-dots")
    return drawn, bool(dots)


def _nice_length_km(width_m: float) -> float:
    target = width_m / 1000 / 5
    for km in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500):
        if km >= target:
            return float(km)
    return 500.0


def point_scale(lon: float, lat: float) -> float:
    """UTM 38N's point scale factor at a place (true metres per map metre, inverted)."""
    return Proj(UTM).get_factors(lon, lat).meridional_scale


def _scale_bar(ax, extent) -> tuple[float, tuple[float, float, float, float]]:
    x0, y0, x1, y1 = extent
    km = _nice_length_km(x1 - x0)
    cx, cy = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    lon, lat = _TO_LONLAT.transform(cx + km * 500, cy)
    length = km * 1000 * point_scale(lon, lat)  # map metres for `km` true kilometres
    h = 0.008 * (y1 - y0)
    for i in range(4):
        ax.add_patch(Rectangle((cx + i * length / 4, cy), length / 4, h, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=95, gid="scale-bar"))
    ax.text(cx, cy + 2.2 * h, "0", ha="center", va="bottom", fontsize=7, zorder=95)
    ax.text(cx + length, cy + 2.2 * h, f"{km:g} km", ha="center", va="bottom", fontsize=7, zorder=95, gid="scale-label")
    return km, (cx, cy, cx + length, cy)


def _north_arrow(ax, extent) -> None:
    x0, y0, x1, y1 = extent
    cx, cy = x1 - 0.05 * (x1 - x0), y1 - 0.13 * (y1 - y0)
    lon, lat = _TO_LONLAT.transform(cx, cy)
    gamma = math.radians(Proj(UTM).get_factors(lon, lat).meridian_convergence)
    length = 0.07 * (y1 - y0)
    dx, dy = -math.sin(gamma) * length, math.cos(gamma) * length
    ax.add_patch(FancyArrow(cx, cy, dx, dy, width=length * 0.12, head_width=length * 0.35, head_length=length * 0.35,
                            length_includes_head=True, color="black", zorder=95, gid="north-arrow"))
    ax.text(cx + dx * 1.12, cy + dy * 1.12, "N", ha="center", va="bottom", fontsize=10, fontweight="bold", zorder=95)


def _inset(fig, rect, bbox) -> None:
    ax = fig.add_axes(rect)
    loc = _locator()
    focus = loc["feature_id"].isin(["ARM", "AZE"])
    loc[~focus].plot(ax=ax, facecolor="#eeeeee", edgecolor="#999999", linewidth=0.4)
    loc[focus].plot(ax=ax, facecolor="#f2e6cf", edgecolor="#666666", linewidth=0.5)
    w, s, e, n = bbox
    ax.add_patch(Rectangle((w, s), e - w, n - s, facecolor="none", edgecolor="#c0262d", linewidth=1.4, gid="inset-extent"))
    for code, name in (("ARM", "Armenia"), ("AZE", "Azerbaijan"), ("GEO", "Georgia"), ("IRN", "Iran"), ("TUR", "Turkey")):
        geom = loc.loc[loc["feature_id"] == code].geometry
        if len(geom):
            pt = geom.iloc[0].representative_point() if code not in ("AZE",) else geom.union_all().buffer(0).representative_point()
            ax.text(pt.x, pt.y, name, fontsize=5.5, ha="center", va="center", color="#444444")
    ax.set_xlim(39.0, 51.0)
    ax.set_ylim(36.5, 44.0)
    ax.set_aspect(1 / math.cos(math.radians(40)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_facecolor("#dbe7ee")
    ax.set_title("South Caucasus", fontsize=7, pad=2)


def _legend(fig, rect, handles) -> list[str]:
    ax = fig.add_axes(rect)
    ax.axis("off")
    if not handles:
        return []
    leg = ax.legend(handles=handles, loc="upper left", fontsize=7.5, frameon=False, title="Legend",
                    title_fontsize=9, alignment="left", borderaxespad=0)
    leg.set_gid("legend")
    return [t.get_text() for t in leg.get_texts()]


def caption_text(view: View, info: SnapshotInfo, events: gpd.GeoDataFrame | None, made_at: dt.datetime) -> str:
    """Sources, licences and accuracy of what is drawn, the naming choice and the time made."""
    parts = []
    for lid in info.layers:
        meta = layers.layer_metadata(lid)
        parts.append(f"{meta['title'] if lid != 'stepanakert' else 'Stepanakert/Khankendi'}: {meta['source']} "
                     f"({meta['licence']}), accuracy ±{meta['accuracy_m']:,.0f} m")
    if "lachin_corridor" in info.layers or "contact_line" in info.layers:
        parts.append("Corridor roads: straight lines between documented villages; line near Shusha drawn between "
                     "documented places held by each side (see geodata/SOURCES.md)")
    if events is not None and info.n_events:
        srcs = sorted({s for s in events["source"] if isinstance(s, str) and s})
        shown = "; ".join(srcs[:8]) + (f"; and {len(srcs) - 8} more" if len(srcs) > 8 else "")
        parts.append(f"Events: {info.n_incidents} incident{'s' if info.n_incidents != 1 else ''} from {info.n_events} "
                     f"report{'s' if info.n_events != 1 else ''}, coded from news reports as ACLED events (one mark per "
                     f"incident: reports of one place, day and kind of event); sources: {shown}")
    if view.as_of and WAR_2020[0] <= view.as_of < WAR_2020[1]:
        parts.append("During the 2020 war (27 Sep - 10 Nov 2020) the front moved daily: the line drawn is the line of "
                     "contact as it stood on 27 Sep 2020, for reference")
    parts.append(f"Names: {NAMING_MODES[view.naming].split(' (')[0]}")
    parts.append(f"Projection UTM 38N (EPSG:32638). Made {made_at:%Y-%m-%d %H:%M} UTC with karabakh-map")
    return "Sources. " + ". ".join(parts) + "."


def _save(fig: Figure, target, fmt: str, dpi: int) -> None:
    meta = {"png": {"Software": None}, "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
            "svg": {"Date": None, "Creator": None}}[fmt]
    with plt.rc_context(_RC):
        fig.savefig(target, format=fmt, dpi=dpi, metadata=meta)


def snapshot_bytes(view: View, fmt: str, *, events: gpd.GeoDataFrame | None = None, dpi: int = 300,
                   paper: str = "a4", orientation: str = "landscape", made_at: dt.datetime | None = None) -> bytes:
    """A snapshot as bytes: ``png``, ``pdf``, ``svg`` or ``html`` (standalone, offline)."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise SnapshotError(f"format {fmt!r} is not a snapshot format: choose {', '.join(FORMATS)}")
    if fmt == "html":
        return map_to_html(map_from_view(view, events)).encode("utf-8")
    if not 50 <= int(dpi) <= 1200:
        raise SnapshotError(f"dpi={dpi!r} is out of range: give 150, 300 or 600 (50-1200)")
    fig, _ = snapshot_figure(view, events, paper=paper, orientation=orientation, made_at=made_at)
    buf = io.BytesIO()
    _save(fig, buf, fmt, int(dpi))
    return buf.getvalue()


def view_events(view: View) -> gpd.GeoDataFrame:
    """The stored events a view shows (its filters and its extent)."""
    from store import open_store

    store = open_store()
    try:
        return filter_by_corroboration(store.query(bbox=view.bbox, **view.query_filters()), view)
    finally:
        store.close()


def write_snapshot(view: View, out: str | Path, *, events: gpd.GeoDataFrame | None = None, dpi: int = 300,
                   paper: str = "a4", orientation: str = "landscape", made_at: dt.datetime | None = None) -> Path:
    """Write a snapshot to ``out``; the format follows the suffix (.png .pdf .svg .html).

    Events default to the stored events that the view's filters and extent select.
    """
    path = Path(out)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise SnapshotError(f"--out {str(out)!r}: give a file ending in .png, .pdf, .svg or .html")
    if events is None:
        events = view_events(view)
    data = snapshot_bytes(view, fmt, events=events, dpi=dpi, paper=paper, orientation=orientation, made_at=made_at)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as err:
        raise SnapshotError(f"cannot write {path}: {err.strerror}") from err
    log.info("wrote %s (%d bytes)", path, len(data))
    return path
