"""The village gazetteer: the data files agree, places resolve with both sides' names,
the extractor's choice among namesakes follows the report, and names that are not
villages in English text stay unread."""
from __future__ import annotations

import csv

import pytest

from events.places import place
from events.villages import ADDED_FILE, INDEX_FILE, VILLAGES_FILE, villages
from extract.gazetteer import default_gazetteer
from extract.textnorm import fold_key, translit_phrase


def test_the_table_has_every_row_once_inside_the_region():
    vs = villages()
    assert len(vs) == 5677
    assert all(44.0 <= v.lon <= 48.0 and 38.3 <= v.lat <= 41.2 for v in vs.values())
    assert all(v.country in ("AM", "AZ") for v in vs.values())
    assert sum(v.in_conflict_area for v in vs.values()) > 500


def test_the_index_matches_the_table_and_the_folding_rules():
    """villages_index.tsv is derived (tools/build_villages.py): rebuilt here from the
    table with today's folding, its keys and ids must be the same."""
    want: dict[tuple[str, str], list[str]] = {}
    for v in villages().values():
        for n in v.names:
            key = fold_key(n)
            if key:
                ids = want.setdefault((key, translit_phrase(key)), [])
                if v.id not in ids:
                    ids.append(v.id)
    with open(INDEX_FILE, encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    got = {(r[0], r[1]): r[2].split("|") for r in rows}
    assert got == want, "geodata/villages_index.tsv is stale: run python tools/build_villages.py"


def test_curated_names_name_real_rows_with_a_source():
    with open(ADDED_FILE, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["village_id"] in villages() and r["source"] for r in rows)


def test_a_village_is_a_place_with_both_names():
    p = place("wof-1209142461")  # Madagiz in the source
    assert p.name("both") == "Mataghis / Sugovushan"
    assert p.name("armenian") == "Mataghis" and p.name("azerbaijani") == "Sugovushan"
    assert p.geo_precision == 1 and abs(p.geometry.y - 40.326) < 0.01


def _village(text: str, surface: str):
    gz = default_gazetteer()
    hits = [m for m in gz.find(text) if m.surface == surface]
    assert hits, (text, surface)
    return gz.villages[hits[0].target], hits[0].ambiguous


def test_namesakes_are_told_apart_by_the_rayon_the_report_names():
    v1, note = _village("The army freed Mahmudlu and Asgarli in Fuzuli on Monday.", "Mahmudlu")
    v2, _ = _village("The army freed Mahmudlu and Horovlu in Jabrayil on Monday.", "Mahmudlu")
    assert v1.admin1 == "Füzuli" and v2.admin1 == "Cəbrayıl"
    assert "names" in note and "others:" in note  # the other candidates are named


def test_namesakes_prefer_the_conflict_area():
    # Two villages answer to the name: the renamed Madagiz (in the former NKAO) and a
    # Suqovuşan in Daşkəsən rayon, far from the fighting.
    assert len([v for v in villages().values() if "Suqovuşan" in v.names]) == 2
    v, note = _village("Azerbaijani troops entered Sugovushan on Saturday.", "Sugovushan")
    assert v.id == "wof-1209142461" and v.in_conflict_area
    assert "Daşkəsən" in note


def test_spelling_variants_and_russian_forms_reach_the_same_village():
    a, _ = _village("Troops entered Shukurbayli.", "Shukurbayli")
    b, _ = _village("Troops entered Şükürbəyli.", "Şükürbəyli")
    assert a.id == b.id
    c, _ = _village("The village of Dzhafarabad in Jabrayil was freed.", "Dzhafarabad")
    d, _ = _village("The village of Jafarabad in Jabrayil was freed.", "Jafarabad")
    assert c.id == d.id and c.admin1 == "Cəbrayıl"


@pytest.mark.parametrize("text", [
    "Amnesty International said on Monday that cluster munitions were used.",
    "Levon Ter-Petrosyan spoke in parliament.",
    "Troops seized the Lala-Tepe height on Saturday.",
    "Massis Post reported the incident.",
    "The Institute for Security Studies published a brief.",
    "News agencies said a Grad rocket hit the area.",
    "The leaders discussed the Zangezur corridor on Monday.",
])
def test_words_that_are_not_villages_here_stay_unread(text):
    gz = default_gazetteer()
    assert [m.surface for m in gz.find(text) if m.target in gz.villages] == []


def test_a_common_word_needs_a_cue():
    gz = default_gazetteer()
    words = sorted(w for v in gz.villages.values() for w in v.common_words if w.isalpha() and len(w) >= 4
                   and gz.lookup(w) is None)
    assert "Moses" in words
    assert not [m for m in gz.find("Moses owners protested on Monday.") if m.target in gz.villages]
    assert [m for m in gz.find("Shelling hit the village of Moses on Monday.") if m.target in gz.villages]


def test_the_village_records_read_back_from_the_cache_are_those_of_the_table():
    """villages() keeps the records in the user's cache (layers.tables_cache): read back
    in a new process's way, every village equals the one read from the CSV."""
    from events import villages as module

    module.villages.cache_clear()
    first = module.villages()  # built from the CSV and saved (or read, when saved before)
    from layers import tables_cache

    assert list(tables_cache.cache_dir().glob("villages-*.marshal")), "the records were not saved"
    module.villages.cache_clear()
    again = module.villages()
    from_csv = module.read_villages(module.VILLAGES_FILE)
    assert list(again) == list(from_csv) and len(again) == len(from_csv) == len(first)
    assert all(again[vid] == v for vid, v in from_csv.items())
    assert "wof-0" not in again and again.get("wof-0") is None
    with pytest.raises(KeyError):
        again["not-a-village"]


@pytest.mark.parametrize("as_of", [None, "2020-10-01", "2020-11-10", "2020-11-11", "2021-06-01", "2023-09-20", "2024-02-01"])
def test_a_layer_feature_placed_from_the_cache_is_the_one_shapely_makes(as_of):
    """An event on a layer feature takes its representative point and country from the
    cached table and makes the geometry when first read: for every layer and feature, on
    days before, across and after the layers' changes, they are what shapely gives."""
    import layers
    from events.model import country_of
    from events.places import layer_feature, layer_placement
    from layers.features import features
    from shapely.geometry import shape

    refs = [lid for lid in layers.LAYER_IDS] + [f"{lid}:{f.get('feature_id')}" for lid in layers.LAYER_IDS for f in features(lid)]
    checked = 0
    for ref in sorted(set(refs)):
        try:
            made = layer_feature(ref, as_of=as_of)
        except ValueError:  # a bare layer with no feature on that day
            continue
        cached = layer_placement(ref, as_of=as_of)
        rep = made.geometry.representative_point()
        assert cached.lonlat == (rep.x, rep.y), ref
        assert cached.country == country_of(rep.x, rep.y), ref
        assert cached.deferred.make().equals(made.geometry), ref
        if cached.deferred.geojson is not None:
            assert shape(cached.deferred.geojson).equals(made.geometry), ref
        assert cached.name("both") == made.name("both"), ref
        checked += 1
    assert checked > 40
