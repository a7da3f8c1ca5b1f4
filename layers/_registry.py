"""The layers: what each is, where it comes from, how it looks (docs/ARCHITECTURE.md, "Adding a layer")."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

# The data files travel with the package (an installed wheel has them in site-packages).
GEODATA_DIR = Path(str(resources.files("geodata")))


@dataclass(frozen=True)
class LayerSpec:
    """Static description of one layer.

    Parameters
    ----------
    id
        Registry key, as used by the CLI (``--layers``) and the page.
    title
        Human title for legends and the sources panel.
    filename
        GeoJSON file in ``geodata/`` (EPSG:4326).
    description
        One sentence on what the layer shows.
    style
        Drawing style shared by folium and matplotlib: ``color``, ``weight`` (px),
        ``fill_color``, ``fill_opacity``, ``dash`` (SVG dash array or ``None``).
    z
        Drawing order, low first.
    default_on
        Whether the layer is switched on in a new view.
    """

    id: str
    title: str
    filename: str
    description: str
    style: dict = field(default_factory=dict)
    z: int = 0
    default_on: bool = True

    @property
    def path(self) -> Path:
        return GEODATA_DIR / self.filename


LAYERS: dict[str, LayerSpec] = {
    spec.id: spec
    for spec in [
        LayerSpec(
            "borders", "Countries", "borders.geojson",
            "Armenia, Azerbaijan (with Nakhchivan) and neighbours; draws the land when no tiles load.",
            {"color": "#8c8c8c", "weight": 1.0, "fill_color": "#f2efe9", "fill_opacity": 1.0, "dash": None},
            z=0,
        ),
        LayerSpec(
            "lakes", "Lakes", "lakes.geojson",
            "Lake Sevan and the Mingachevir reservoir (Natural Earth 1:10m).",
            {"color": "#7fa7c9", "weight": 0.6, "fill_color": "#bcd4e6", "fill_opacity": 1.0, "dash": None},
            z=2,
        ),
        LayerSpec(
            "rivers", "Rivers", "rivers.geojson",
            "The Aras, Kura, Terter, Vorotan and other rivers (Natural Earth 1:10m).",
            {"color": "#6f9fc8", "weight": 1.2, "fill_color": "#6f9fc8", "fill_opacity": 0.0, "dash": None},
            z=4,
        ),
        LayerSpec(
            "seven_districts", "The seven districts", "seven_districts.geojson",
            "Kalbajar, Lachin, Qubadli, Zangilan, Jabrayil, Fuzuli, Aghdam, with the date each returned to Azerbaijani control.",
            {"color": "#b07d48", "weight": 1.2, "fill_color": "#e8cfa9", "fill_opacity": 0.45, "dash": None},
            z=10,
        ),
        LayerSpec(
            "nkao", "Former NKAO (1923-1991)", "nkao.geojson",
            "Boundary of the former Nagorno-Karabakh Autonomous Oblast, for context.",
            {"color": "#6a4c93", "weight": 1.5, "fill_color": "#6a4c93", "fill_opacity": 0.0, "dash": "6 4"},
            z=20,
        ),
        LayerSpec(
            "peacekeeping_zone", "Russian peacekeeping zone (2020-2023)", "peacekeeping_zone.geojson",
            "Area left to the Karabakh Armenian authorities under Russian peacekeepers, 10 Nov 2020 to 20 Sep 2023.",
            {"color": "#2a7f62", "weight": 0.8, "fill_color": "#7fc8a9", "fill_opacity": 0.35, "dash": None},
            z=30,
        ),
        LayerSpec(
            "lachin_corridor", "Lachin corridor", "lachin_corridor.geojson",
            "The road between Armenia and Stepanakert and its 5 km corridor; via Lachin town until Aug 2022, then the bypass.",
            {"color": "#1f5fbf", "weight": 3.0, "fill_color": "#9ec5f8", "fill_opacity": 0.45, "dash": None},
            z=40,
        ),
        LayerSpec(
            "contact_line", "Line of contact", "contact_line.geojson",
            "Line between Azerbaijani forces and the Karabakh Armenian-held area: the 1994-2020 line, then the line after the 10 Nov 2020 statement (to 20 Sep 2023).",
            {"color": "#c0262d", "weight": 2.5, "fill_color": "#c0262d", "fill_opacity": 0.0, "dash": None},
            z=50,
        ),
        LayerSpec(
            "places", "Places (gazetteer)", "places.geojson",
            "Towns, villages and features that reports name, with every spelling.",
            {"color": "#333333", "weight": 1.0, "fill_color": "#ffffff", "fill_opacity": 1.0, "dash": None},
            z=60, default_on=False,
        ),
        LayerSpec(
            "stepanakert", "Stepanakert / Khankendi", "places.geojson",
            "The capital of the former NKAO: Stepanakert in Armenian usage, Khankendi in Azerbaijani usage.",
            {"color": "#000000", "weight": 2.0, "fill_color": "#ffd23f", "fill_opacity": 1.0, "dash": None},
            z=70,
        ),
    ]
}

# Not a map layer: the countries of the South Caucasus and neighbours for the snapshot's
# inset locator map (Natural Earth 10m, simplified).
LOCATOR_FILE = GEODATA_DIR / "caucasus.geojson"

LAYER_IDS: tuple[str, ...] = tuple(sorted(LAYERS, key=lambda i: LAYERS[i].z))

# The days the layers model: the "as of" range of the page's slider and of --as-of.
AS_OF_RANGE = (dt.date(1994, 5, 12), dt.date(2024, 12, 31))
# The first day an event may have in a filter (the conflict's start).
EVENT_DATES_FIRST = dt.date(1988, 1, 1)

# Dates on which the map changes; the page marks them on its "as of" slider.
KEY_DATES: dict[str, str] = {
    "2020-09-27": "War begins",
    "2020-11-10": "Trilateral statement; peacekeepers deploy",
    "2020-12-01": "Lachin district handed over",
    "2020-12-12": "Hadrut holdout (Hin Tagher, Khtsaberd) taken",
    "2022-03-24": "Parukh/Farrukh taken",
    "2022-08-26": "Lachin town handed over; bypass road follows (30 Aug)",
    "2022-12-12": "Blockade of the corridor begins",
    "2023-04-23": "Checkpoint at the Hakari bridge",
    "2023-09-19": "Azerbaijani offensive",
    "2023-09-20": "Ceasefire; the zone ends",
}
