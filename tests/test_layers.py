"""The geography as facts: each assertion is a documented fact about the region."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

import layers
from layers import LayerError, load_layer

UTM = 32638


def _place(pid: str) -> Point:
    places = load_layer("places")
    return places.loc[places["id"] == pid].geometry.iloc[0]


def _utm(geom):
    return gpd.GeoSeries([geom], crs=4326).to_crs(UTM).iloc[0]


@pytest.mark.parametrize(
    "district, town",
    [("kalbajar", "kalbajar"), ("lachin", "lachin"), ("qubadli", "qubadli"), ("zangilan", "zangilan"),
     ("jabrayil", "jabrayil"), ("fuzuli", "fuzuli"), ("aghdam", "aghdam")],
)
def test_each_district_town_lies_in_its_district(district, town):
    districts = load_layer("seven_districts").set_index("feature_id")
    assert districts.geometry[district].contains(_place(town))
    others = districts.drop(index=district)
    assert not others.geometry.contains(_place(town)).any()


def test_seven_districts_have_names_and_return_dates():
    d = load_layer("seven_districts").set_index("name_en")
    assert sorted(d.index) == sorted(["Kalbajar", "Lachin", "Qubadli", "Zangilan", "Jabrayil", "Fuzuli", "Aghdam"])
    assert d.loc["Aghdam", "returned"] == "2020-11-20"
    assert d.loc["Kalbajar", "returned"] == "2020-11-25"
    assert d.loc["Lachin", "returned"] == "2020-12-01"
    assert d.loc["Lachin", "name_hy"] == "Berdzor"
    assert d.loc["Kalbajar", "name_hy"] == "Karvachar"
    assert "corridor" in d.loc["Lachin", "return_manner"]


def test_district_control_follows_the_as_of_date():
    before = load_layer("seven_districts", as_of="2020-11-19").set_index("name_en")["control"]
    after = load_layer("seven_districts", as_of="2020-11-21").set_index("name_en")["control"]
    assert before["Aghdam"] == "Karabakh Armenian forces" and after["Aghdam"] == "Azerbaijan"
    assert after["Kalbajar"] == "Karabakh Armenian forces"
    assert load_layer("seven_districts", as_of="2020-12-02").set_index("name_en")["control"].eq("Azerbaijan").all()


@pytest.mark.parametrize("town", ["stepanakert", "martakert", "martuni", "askeran"])
def test_towns_inside_the_peacekeeping_zone(town):
    zone = load_layer("peacekeeping_zone").geometry.iloc[0]
    assert zone.contains(_place(town))


@pytest.mark.parametrize("town", ["shusha", "hadrut", "aghdam", "fuzuli", "jabrayil", "kalbajar", "karintak"])
def test_towns_outside_the_peacekeeping_zone(town):
    zone = load_layer("peacekeeping_zone").geometry.iloc[0]
    assert not zone.contains(_place(town))


def test_contact_line_runs_between_shusha_and_stepanakert():
    line = _utm(load_layer("contact_line", as_of="2021-06-01").geometry.iloc[0])
    segment = LineString([_utm(_place("shusha")), _utm(_place("stepanakert"))])
    assert line.intersects(segment)
    # and between Shusha and the Armenian-held villages just east of it
    assert line.intersects(LineString([_utm(_place("shusha")), _utm(_place("mkhitarashen"))]))


def _corridors(as_of: str):
    c = load_layer("lachin_corridor", as_of=as_of)
    return c[c["kind"] == "corridor"], c[c["kind"] == "road"]


@pytest.mark.parametrize("as_of", ["2021-06-01", "2023-01-01"])
def test_corridor_is_5_km_wide(as_of):
    corridor, road = _corridors(as_of)
    poly = _utm(corridor.geometry.iloc[0])
    road_utm = _utm(road.geometry.iloc[0])
    widths = []
    for i in range(len(road_utm.coords) - 1):
        seg = LineString(road_utm.coords[i : i + 2])
        (x0, y0), (x1, y1) = seg.coords
        dx, dy = (x1 - x0) / seg.length, (y1 - y0) / seg.length
        for fraction in (0.3, 0.5, 0.7):
            mid = seg.interpolate(fraction, normalized=True)
            cross = LineString([(mid.x - dy * 6000, mid.y + dx * 6000), (mid.x + dy * 6000, mid.y - dx * 6000)])
            if not poly.buffer(-100).contains(mid) or not cross.intersection(poly).geom_type == "LineString":
                continue  # this stretch lies in Armenia or in the zone, or the section is cut
            widths.append(cross.intersection(poly).length)
    assert len(widths) >= 2, "expected several cross sections inside the corridor"
    for w in widths:
        assert 4500 <= w <= 5500, widths


@pytest.mark.parametrize("as_of", ["2021-06-01", "2023-01-01"])
def test_corridor_touches_armenia_and_reaches_the_zone(as_of):
    corridor, _ = _corridors(as_of)
    poly = _utm(corridor.geometry.iloc[0])
    borders = load_layer("borders").set_index("feature_id")
    armenia = _utm(borders.geometry["ARM"])
    zone = _utm(load_layer("peacekeeping_zone").geometry.iloc[0])
    assert poly.distance(armenia) < 10 and not poly.buffer(-10).intersects(armenia)
    assert poly.distance(zone) < 10


@pytest.mark.parametrize("as_of", ["2021-06-01", "2023-01-01"])
def test_corridor_does_not_contain_shusha(as_of):
    corridor, road = _corridors(as_of)
    assert not corridor.geometry.iloc[0].contains(_place("shusha"))
    # even the road passes clear of the town, by more than the corridor's half-width
    assert _utm(road.geometry.iloc[0]).distance(_utm(_place("shusha"))) > 2500


@pytest.mark.parametrize("day", ["2020-11-20", "2021-06-01", "2022-06-01"])
def test_contact_line_and_zone_boundary_agree(day):
    line = _utm(load_layer("contact_line", as_of=day).geometry.iloc[0])
    zone = _utm(load_layer("peacekeeping_zone", as_of=day).geometry.iloc[0])
    assert line.difference(zone.boundary.buffer(1)).length < 1
    uncovered = zone.boundary.difference(line.buffer(1))
    corridors = load_layer("lachin_corridor")
    corridor_union = _utm(corridors[corridors["kind"] == "corridor"].union_all())
    assert uncovered.difference(corridor_union.buffer(5)).length < 1
    assert line.length > 300_000


@pytest.mark.parametrize("day, karmir_shuka, hin_tagher, parukh", [
    ("2020-11-20", True, True, True),    # the Hadrut holdout still held
    ("2020-12-11", True, True, True),
    ("2020-12-12", True, False, True),   # taken by Azerbaijani forces in December 2020
    ("2022-03-23", True, False, True),
    ("2022-03-24", True, False, False),  # Parukh Azerbaijani-held from 24 Mar 2022
    ("2023-09-01", True, False, False),
])
def test_the_zone_changes_on_the_documented_days(day, karmir_shuka, hin_tagher, parukh):
    zone = load_layer("peacekeeping_zone", as_of=day)
    assert len(zone) == 1
    geom = zone.geometry.iloc[0]
    for pid, inside in (("karmir_shuka", karmir_shuka), ("hin_tagher", hin_tagher), ("parukh", parukh)):
        assert geom.contains(_place(pid)) == inside, (day, pid)


def test_routes_change_with_the_date():
    _, road_2021 = _corridors("2021-06-01")
    assert list(road_2021["route_id"]) == ["route_2020"]
    assert road_2021.geometry.iloc[0].distance(_place("lachin")) < 1e-6
    _, road_2023 = _corridors("2023-01-01")
    assert list(road_2023["route_id"]) == ["route_2022"]
    assert _utm(road_2023.geometry.iloc[0]).distance(_utm(_place("lachin"))) > 2500
    corridor_2023, _ = _corridors("2023-01-01")
    assert not corridor_2023.geometry.iloc[0].contains(_place("lachin"))


ZARYSLY, KANACH_TALA, HIN_SHEN = "wof-1226783863", "wof-1243207129", "wof-1360220939"  # villages.csv ids


def _village(vid: str) -> Point:
    import pandas as pd
    from events.villages import VILLAGES_FILE
    rows = pd.read_csv(VILLAGES_FILE)
    row = rows.loc[rows["id"] == vid].iloc[0]
    return Point(row.lon, row.lat)


@pytest.mark.parametrize("day, through, not_through", [
    ("2021-06-01", ["goris", "tegh", "aghavno", "lachin", "lisagor", ZARYSLY, "stepanakert"], ["shusha"]),
    ("2023-01-01", ["goris", "tegh", "kornidzor", HIN_SHEN, "mets_shen", KANACH_TALA, "lisagor", ZARYSLY, "stepanakert"],
     ["aghavno", "lachin", "shusha"]),
])
def test_each_road_runs_through_its_documented_villages_and_nothing_else(day, through, not_through):
    """Every vertex is a documented place, in road order; the road skirts Shusha."""
    _, road = _corridors(day)
    line = _utm(road.geometry.iloc[0])
    points = [_utm(_village(p) if p.startswith("wof-") else _place(p)) for p in through]
    assert len(line.coords) == len(points)
    for vertex, point in zip(line.coords, points):
        assert Point(vertex).distance(point) < 1.0, (day, vertex)
    for pid in not_through:
        assert line.distance(_utm(_place(pid))) > 1000, (day, pid)  # bypassed: not through it


def test_nothing_of_2020_2023_remains_in_2024():
    for lid in ("contact_line", "peacekeeping_zone", "lachin_corridor"):
        assert load_layer(lid, as_of="2024-01-01").empty, lid


def test_no_contact_line_before_the_2020_statement():
    assert load_layer("contact_line", as_of="2020-10-01").empty
    assert load_layer("peacekeeping_zone", as_of="2020-10-01").empty


@pytest.mark.parametrize("lid", layers.LAYER_IDS)
def test_every_feature_is_valid_and_sourced(lid):
    gdf = load_layer(lid)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    assert gdf["source"].str.len().gt(0).all()
    assert gdf["licence"].str.len().gt(0).all()
    assert (gdf["accuracy_m"] > 0).all()
    for key in ("title", "source", "licence", "accuracy_m", "style"):
        assert gdf.attrs[key], key


def test_gazetteer_has_sixty_places_with_spellings():
    places = load_layer("places").set_index("id")
    assert len(places) >= 60
    assert places.loc["stepanakert", "name_az_en"] == "Khankendi"
    assert places.loc["stepanakert", "name_az"] == "Xankəndi"
    assert places.loc["shusha", "name_hy"] == "Shushi"
    assert places.loc["shusha", "name_az"] == "Şuşa"
    assert places.loc["martakert", "name_az_en"] == "Aghdara"
    assert places.loc["lachin", "name_hy"] == "Berdzor"
    assert places.loc["kalbajar", "name_hy"] == "Karvachar"
    assert "Шуша" in places.loc["shusha", "aliases"]


def test_derived_files_carry_the_share_alike_licence():
    districts = load_layer("seven_districts")
    assert districts["licence"].eq("CC BY-SA 3.0").all()


def test_unknown_layer_and_bad_date_are_clear_errors():
    with pytest.raises(LayerError, match="unknown layer 'roads'.*choose from"):
        load_layer("roads")
    with pytest.raises(LayerError, match=r"as_of='2023-13-01' is not a date.*YYYY-MM-DD"):
        load_layer("contact_line", as_of="2023-13-01")


def test_invalid_geometry_is_named(tmp_path):
    bad = {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {"feature_id": "bowtie", "source": "test", "licence": "test", "accuracy_m": 10,
                           "valid_from": "", "valid_to": ""},
            "geometry": {"type": "Polygon", "coordinates": [[[46, 39], [47, 40], [47, 39], [46, 40], [46, 39]]]},
        }],
    }
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(bad))
    with pytest.raises(LayerError, match=r"bad.geojson: feature 'bowtie' has an invalid geometry"):
        layers.read_layer_file(path)


def test_missing_provenance_is_named(tmp_path):
    gdf = gpd.GeoDataFrame({"feature_id": ["x"], "source": [""], "licence": ["l"], "accuracy_m": [5.0],
                            "valid_from": [""], "valid_to": [""]}, geometry=[Point(46.7, 39.8)], crs=4326)
    with pytest.raises(LayerError, match="feature 'x' has no source"):
        layers.validate_layer(gdf, "x.geojson")
    with pytest.raises(LayerError, match="has no CRS"):
        layers.validate_layer(gdf.set_crs(None, allow_override=True), "x.geojson")


def test_loading_is_cached_and_returns_copies():
    a = load_layer("borders")
    a.loc[a.index[0], "name"] = "changed"
    assert load_layer("borders").iloc[0]["name"] != "changed"


def test_1994_line_of_contact_shows_before_the_2020_war():
    lines = load_layer("contact_line", as_of="2016-04-02")
    assert list(lines["feature_id"]) == ["contact_line_1994"]
    # it ran from Murovdag in the north to the Araz near Horadiz
    assert _utm(lines.geometry.iloc[0]).distance(_utm(_place("horadiz"))) < 5000
