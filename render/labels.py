"""The map's names: which places are labelled, where, and at which zoom.

One label hierarchy for the page and the snapshot, most important first:

0. countries (Armenia, Azerbaijan, Iran, Georgia and any other in view), at a point
   inside the part of the country in view; Azerbaijan's kept off Nagorno-Karabakh and the seven
   districts, which carry their own names;
1. Stepanakert / Khankendi;
2. the seven districts;
3. the main towns;
4. rivers and lakes;
5. villages that events name;
6. the other gazetteer places, when the places layer is on.

Every name follows the view's naming choice. Labels are placed greedily in that order
and a label that would overlap one already placed is left out, so labels never collide;
the page repeats this for each zoom level and shows each label only at the zooms where
it fits (fewer names zoomed out, more zoomed in). Text extents are estimated from the
number of characters and the font size, the same way for both renderers.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import layers
from layers.names import feature_name

# The towns the map always names when in view (place ids of the places layer).
MAIN_TOWNS = (
    "shusha", "lachin", "goris", "kapan", "martakert", "martuni", "askeran", "hadrut", "aghdam", "fuzuli",
    "jabrayil", "qubadli", "zangilan", "kalbajar", "barda", "ganja", "tartar", "khojaly",
)
PAGE_ZOOMS = tuple(range(7, 16))  # the page's zoom range (render.folium_map)

# Font size (px on the page, pt in the snapshot), weight, style and colour per kind.
STYLE: dict[str, dict] = {
    "country": {"size": 15.0, "weight": "bold", "style": "normal", "colour": "#77736b", "spacing": 0.12, "upper": True},
    "capital": {"size": 12.5, "weight": "bold", "style": "normal", "colour": "#111111", "spacing": 0.0, "upper": False},
    "district": {"size": 10.5, "weight": "normal", "style": "italic", "colour": "#8a5a2b", "spacing": 0.0, "upper": False},
    "town": {"size": 10.5, "weight": "bold", "style": "normal", "colour": "#222222", "spacing": 0.0, "upper": False},
    "water": {"size": 9.5, "weight": "normal", "style": "italic", "colour": "#3f72a6", "spacing": 0.0, "upper": False},
    "village": {"size": 9.0, "weight": "normal", "style": "normal", "colour": "#333333", "spacing": 0.0, "upper": False},
    "place": {"size": 8.5, "weight": "normal", "style": "normal", "colour": "#555555", "spacing": 0.0, "upper": False},
}
RANKS = {"country": 0, "capital": 1, "district": 2, "town": 3, "water": 4, "village": 5, "place": 6}
POINT_GAP = 5.0  # px between a town's dot and its name
REPEAT_GAP = 400.0  # px between two labels of one name (a river's)
SYMBOL_PX = 16.0  # the size (and spacing) of a region-level event's square


@dataclass(frozen=True)
class Label:
    """A name to draw: ``text`` at (``lon``, ``lat``), beside a dot (``point``) or
    centred on it (an area, a river)."""

    text: str
    lon: float
    lat: float
    kind: str
    point: bool

    @property
    def rank(self) -> int:
        return RANKS[self.kind]

    @property
    def lines(self) -> list[str]:
        """The text as drawn: countries in capitals; a town's two names on two lines."""
        text = self.text.upper() if STYLE[self.kind]["upper"] else self.text
        if self.point and " / " in text:
            first, second = text.split(" / ", 1)
            return [f"{first} /", second]
        return [text]


POSITIONS = ("right", "left", "above", "below")  # of a town's name around its dot, in order of preference


def text_box(label: Label, x: float, y: float, scale: float = 1.0, position: str = "right") -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1; y grows downwards) the label's text covers when its
    anchor is at pixel (x, y); ``scale`` converts the style's sizes to pixels."""
    st = STYLE[label.kind]
    size = st["size"] * scale
    lines = label.lines
    width = max(len(t) for t in lines) * size * (0.6 + st["spacing"]) + (0.1 * size if st["weight"] == "bold" else 0)
    height = size * 1.2 * len(lines)
    gap = POINT_GAP * scale
    if not label.point:
        return x - width / 2, y - height / 2, x + width / 2, y + height / 2
    if position == "right":
        return x + gap, y - height / 2, x + gap + width, y + height / 2
    if position == "left":
        return x - gap - width, y - height / 2, x - gap, y + height / 2
    if position == "above":
        return x - width / 2, y - gap - height, x + width / 2, y - gap
    return x - width / 2, y + gap, x + width / 2, y + gap + height


def _overlaps(a, b, pad: float) -> bool:
    return a[0] - pad < b[2] and b[0] - pad < a[2] and a[1] - pad < b[3] and b[1] - pad < a[3]


def place_labels(labels: list[Label], to_px: Callable[[float, float], tuple[float, float]],
                 frame: tuple[float, float, float, float], *, scale: float = 1.0, pad: float = 2.0,
                 preferred: dict[int, str] | None = None,
                 symbols: Sequence[tuple[float, float, int]] = ()) -> dict[int, str]:
    """The labels that fit, as {index: position}, most important first: each inside
    ``frame`` (pixel box x0, y0, x1, y1), clear of every label placed before it, of the
    map's symbols (``symbols``: lon, lat and how many sit side by side there, as the
    region-level event squares do), of the dots of towns, and of the dots of other places
    at least as important as its own (a town's name may cover a village's dot rather
    than be left out). A town's name goes
    right of its dot, else left, above or below; an area's is centred."""
    order = sorted(range(len(labels)), key=lambda i: (labels[i].rank, i))
    px = [to_px(lab.lon, lab.lat) for lab in labels]
    r = 3 * scale
    dots = [(labels[i].rank, (px[i][0] - r, px[i][1] - r, px[i][0] + r, px[i][1] + r)) for i in order if labels[i].point]
    half = SYMBOL_PX / 2 * scale
    for lon, lat, n in symbols:  # every label keeps clear of them (rank -1)
        x, y = to_px(lon, lat)
        dots.append((-1, (x - half, y - half, x + half + SYMBOL_PX * scale * (max(1, n) - 1), y + half)))
    placed: list[tuple[float, float, float, float]] = []
    anchors: dict[str, list[tuple[float, float]]] = {}
    kept: dict[int, str] = {}
    for i in order:
        lab = labels[i]
        x, y = px[i]
        positions = POSITIONS if lab.point else ("centre",)
        if preferred and preferred.get(i) in positions:  # where it stood one zoom level out: labels do not jump
            positions = (preferred[i],) + tuple(p for p in positions if p != preferred[i])
        for position in positions:
            bx = text_box(lab, x, y, scale, position)
            if bx[0] < frame[0] or bx[1] < frame[1] or bx[2] > frame[2] or bx[3] > frame[3]:
                continue
            if any(_overlaps(bx, other, pad * scale) for other in placed):
                continue
            if lab.kind == "water" and any(math.dist((x, y), a) < REPEAT_GAP * scale for a in anchors.get(lab.text, ())):
                continue  # a river's name again, too close to where it already stands
            if any(rank <= max(lab.rank, RANKS["town"]) and _overlaps(bx, d, 0) for rank, d in dots):
                continue
            placed.append(bx)
            anchors.setdefault(lab.text, []).append((x, y))
            kept[i] = position
            break
    return kept


def mercator_px(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates at a zoom level (Leaflet's, 256 px tiles)."""
    n = 256 * 2 ** zoom
    phi = math.radians(max(-85.0, min(85.0, lat)))
    return (lon + 180) / 360 * n, (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * n


def zooms_per_label(labels: list[Label], bbox: tuple[float, float, float, float],
                    zooms: Iterable[int] = PAGE_ZOOMS,
                    symbols: Sequence[tuple[float, float, int]] = ()) -> list[dict[str, list[int]]]:
    """For each label, the page zoom levels at which it is shown, by position
    ({"right": [8, 9], "left": [7]}): collision-free at each level within ``bbox``."""
    out: list[dict[str, list[int]]] = [{} for _ in labels]
    before: dict[int, str] = {}
    for z in zooms:
        x0, y1 = mercator_px(bbox[0], bbox[1], z)
        x1, y0 = mercator_px(bbox[2], bbox[3], z)
        now = place_labels(labels, lambda lon, lat, z=z: mercator_px(lon, lat, z), (x0, y0, x1, y1), preferred=before,
                           symbols=symbols)
        for i, position in now.items():
            out[i].setdefault(position, []).append(z)
        before = {**before, **now}
    return out


# -- what is labelled -----------------------------------------------------------------

@functools.lru_cache(maxsize=8)
def _countries() -> list[tuple[str, str, object]]:
    gdf = layers.load_layer("borders")
    return list(zip(gdf["feature_id"], gdf["name"], gdf.geometry))


@functools.lru_cache(maxsize=4)
def _contested_area():
    """Nagorno-Karabakh and the seven districts, where Azerbaijan's name is not put."""
    from shapely.ops import unary_union

    parts = list(layers.load_layer("nkao").geometry) + list(layers.load_layer("seven_districts").geometry)
    return unary_union(parts).buffer(0.05)


def label_point(geom):
    """A point well inside an area: the pole of inaccessibility of its largest part."""
    from shapely.ops import polylabel

    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    if geom.geom_type != "Polygon":
        return geom.representative_point()
    return polylabel(geom, tolerance=0.01)


def country_labels(bbox: tuple[float, float, float, float]) -> list[Label]:
    """One label per country in view, at a point inside its part of the view."""
    from shapely.geometry import box

    frame = box(*bbox).buffer(-0.02 * min(bbox[2] - bbox[0], bbox[3] - bbox[1]))
    out = []
    for fid, name, geom in _countries():
        part = geom.intersection(frame)
        if fid == "AZE":
            rest = part.difference(_contested_area())
            part = rest if rest.area > 0.02 * part.area else part
        if part.is_empty or part.area < 0.004 * frame.area:
            continue
        pt = label_point(part)
        out.append(Label(name, round(pt.x, 5), round(pt.y, 5), "country", False))
    return out


@functools.lru_cache(maxsize=8)
def district_labels(naming: str, as_of: str | None = None) -> tuple[Label, ...]:
    gdf = layers.load_layer("seven_districts", as_of=as_of)
    out = []
    for rec, geom in zip(gdf.drop(columns="geometry").to_dict("records"), gdf.geometry):
        pt = label_point(geom)
        out.append(Label(feature_name(rec, naming), round(pt.x, 5), round(pt.y, 5), "district", False))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _places(naming: str) -> dict[str, Label]:
    gdf = layers.load_layer("places")
    out = {}
    for rec, geom in zip(gdf.drop(columns="geometry").to_dict("records"), gdf.geometry):
        kind = "capital" if rec["id"] == "stepanakert" else "town" if rec["id"] in MAIN_TOWNS else "place"
        out[rec["id"]] = Label(feature_name(rec, naming), round(geom.x, 5), round(geom.y, 5), kind, True)
    return out


def town_labels(naming: str) -> list[Label]:
    """Stepanakert / Khankendi and the main towns."""
    return [lab for lab in _places(naming).values() if lab.kind in ("capital", "town")]


def place_layer_labels(naming: str) -> list[Label]:
    """The other places of the gazetteer layer (shown with the places layer)."""
    return [lab for lab in _places(naming).values() if lab.kind == "place"]


_WATER_NAMES = {"Mingevir Reservoir": "Mingachevir Reservoir"}  # Natural Earth's spelling, and the usual English one


@functools.lru_cache(maxsize=32)
def water_labels(layer_id: str, bbox: tuple[float, float, float, float]) -> tuple[Label, ...]:
    """Named rivers (points along each piece within ``bbox``) or lakes (a point inside)."""
    from shapely.geometry import box

    frame = box(*bbox)
    gdf = layers.load_layer(layer_id)
    out: list[Label] = []
    for name, geom in zip(gdf["name"], gdf.geometry):
        geom = geom.intersection(frame)
        if not name or geom.is_empty:
            continue
        text = _WATER_NAMES.get(name, name)
        if geom.geom_type in ("LineString", "MultiLineString", "GeometryCollection"):
            # along a river every ~0.4 degrees, so that some label stays in view
            # wherever one looks; collisions thin them out
            pieces = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "LineString" and g.length > 0.05]
            for piece in pieces:
                n = max(1, int(piece.length / 0.4))
                for k in range(n):
                    pt = piece.interpolate((k + 0.5) / n, normalized=True)
                    out.append(Label(text, round(pt.x, 5), round(pt.y, 5), "water", False))
        else:
            pt = label_point(geom)
            out.append(Label(text, round(pt.x, 5), round(pt.y, 5), "water", False))
    return tuple(out)


def event_place_labels(events, naming: str) -> list[Label]:
    """Villages and towns that the events name, other than the main towns."""
    if events is None or len(events) == 0 or "x_place_id" not in events:
        return []
    from .describe import place_labels as event_place_names

    names = event_place_names(events, naming)
    out, seen = [], set(MAIN_TOWNS) | {"stepanakert"}
    for pid, name, lon, lat in zip(events["x_place_id"], names, events["longitude"], events["latitude"]):
        if pid and pid not in seen and isinstance(name, str) and name:
            seen.add(pid)
            out.append(Label(name, round(float(lon), 5), round(float(lat), 5), "village", True))
    return out


def labels_for(view, events=None, *, bbox: tuple[float, float, float, float] | None = None) -> list[Label]:
    """Every label candidate of a view (before collisions are resolved): countries for
    the view's own box, everything else within ``bbox`` (default: the view's box; the
    page passes the whole data extent, so that panning finds names too)."""
    bbox = bbox or view.bbox
    as_of = view.as_of.isoformat() if view.as_of else None
    out = country_labels(view.bbox)
    out += town_labels(view.naming)
    if "seven_districts" in view.layers:
        out += district_labels(view.naming, as_of)
    for lid in ("rivers", "lakes"):
        if lid in view.layers:
            out += water_labels(lid, tuple(bbox))
    if view.show_events:
        out += event_place_labels(events, view.naming)
    if "places" in view.layers:
        out += place_layer_labels(view.naming)
    w, s, e, n = bbox
    return [lab for lab in out if w <= lab.lon <= e and s <= lab.lat <= n]

