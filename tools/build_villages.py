"""Build ``geodata/villages.csv`` from the village gazetteer in ``../shared/reference-geodata``.

The input (``gazetteer_villages.csv``: Who's On First + GeoNames, 5,677 populated places
of Armenia and Azerbaijan in 44-48 E, 38.3-41.2 N) is described in
``SOURCES-villages.md`` there. This tool keeps every row and its provenance and adds:

- ``id``: ``wof-<id>`` (or ``gn-<geonameid>`` for rows only in GeoNames), stable
  across rebuilds;
- ``names``: the row's name, ASCII name and alternate names in Latin, Cyrillic or
  Armenian script, ``|``-separated, without duplicates;
- ``common_words``: the one-word names that are also common English words (Zipf
  frequency >= 3.0 in wordfreq's English list, e.g. "Bar", "Ana", "Derek"), which an
  extractor should not read as places without a cue such as "the village of".

Dropped: names in other scripts, and lower-case multi-word Latin names, which in this
input are syllable-by-syllable transliterations from Chinese ("ya la la"), not names
anyone writes.

- ``district``: the ``seven_districts`` feature the point lies in, else the place the
  source's rayon is named after (``events.villages.RAYON_PLACES``), else '';
- ``in_conflict_area``: 1 when the point lies in the former NKAO or the seven
  districts (``geodata/nkao.geojson``, ``geodata/seven_districts.geojson``).

It also writes ``geodata/villages_index.tsv``, the lookup keys of every spelling (the
folded key and the transliteration key of ``extract.textnorm``, then the village ids),
including the curated names of ``geodata/village_names_added.csv``, so that the
extractor need not fold 50,000 names at every start, and a flag ``english``: 2 for a
key that is the key of a common English word (read as a place only with a cue), 1 for
one that is one letter off one ("Internatsional" against "International": never
matched one letter off), else 0. ``tests/test_villages.py`` checks
that the index matches the table. Rerun this tool after changing either CSV or the
folding rules.

Run: ``python tools/build_villages.py [--reference DIR]`` (needs ``pip install -r
requirements-tools.txt``).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import sys
import unicodedata
from pathlib import Path

log = logging.getLogger("build_villages")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "geodata" / "villages.csv"
INDEX = ROOT / "geodata" / "villages_index.tsv"
COMMON_WORD_ZIPF = 3.0
NEAR_MIN_CHARS = 8  # as extract.gazetteer: names this long match one letter off
COLUMNS = ["id", "name", "country", "feature_code", "admin1", "admin2", "lat", "lon", "population", "names",
           "common_words", "district", "in_conflict_area", "source", "source_id"]


def _script_ok(name: str) -> bool:
    """Latin, Cyrillic or Armenian letters only (digits, spaces and punctuation allowed)."""
    for ch in name:
        if ch.isalpha():
            script = unicodedata.name(ch, "").split(" ")[0]
            if script not in {"LATIN", "CYRILLIC", "ARMENIAN"}:
                return False
    return True


def _syllable_junk(name: str) -> bool:
    """A lower-case Latin name of several words ("a shen ta la ke")."""
    return name.isascii() and " " in name and name == name.lower()


def _row_id(source_id: str) -> str:
    ids = dict(part.split(":", 1) for part in source_id.split(";") if ":" in part)
    if ids.get("wof"):
        return f"wof-{ids['wof']}"
    if ids.get("geonames"):
        return f"gn-{ids['geonames']}"
    raise ValueError(f"source_id {source_id!r} names neither a wof nor a geonames id")


def _polygons(name: str, id_field: str) -> list[tuple[str, object]]:
    import shapely
    from shapely.geometry import shape

    data = json.loads((ROOT / "geodata" / name).read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        geom = shape(f["geometry"])
        shapely.prepare(geom)
        out.append((str(f["properties"].get(id_field) or ""), geom))
    return out


def build(reference: Path, out: Path = OUT) -> int:
    """Write the table; return the number of rows."""
    import shapely
    from wordfreq import zipf_frequency

    from events.villages import RAYON_PLACES

    districts = _polygons("seven_districts.geojson", "feature_id")
    nkao = _polygons("nkao.geojson", "feature_id")

    src = reference / "gazetteer_villages.csv"
    data = src.read_bytes()
    log.info("reading %s (sha256 %s)", src, hashlib.sha256(data).hexdigest()[:16])
    rows = list(csv.DictReader(data.decode("utf-8").splitlines()))
    seen_ids: set[str] = set()
    written = []
    for r in rows:
        rid = _row_id(r["source_id"])
        if rid in seen_ids:
            raise ValueError(f"id {rid} repeats in {src}: fix the input")
        seen_ids.add(rid)
        names: list[str] = []
        for n in [r["name"], r["asciiname"], *r["alternatenames"].split("|")]:
            n = " ".join(n.split())
            if n and _script_ok(n) and not _syllable_junk(n) and n not in names:
                names.append(n)
        common = sorted({n for n in names if n.isascii() and " " not in n.strip()
                         and zipf_frequency(n.lower(), "en") >= COMMON_WORD_ZIPF})
        lon, lat = float(r["lon"]), float(r["lat"])
        district = next((fid for fid, g in districts if shapely.contains_xy(g, lon, lat)), "")
        in_area = bool(district) or any(shapely.contains_xy(g, lon, lat) for _, g in nkao)
        written.append({
            "district": district or RAYON_PLACES.get(r["admin1"], ""), "in_conflict_area": int(in_area),
            "id": rid, "name": r["name"], "country": r["country"], "feature_code": r["feature_code"],
            "admin1": r["admin1"], "admin2": r["admin2"], "lat": r["lat"], "lon": r["lon"],
            "population": r["population"], "names": "|".join(names), "common_words": "|".join(common),
            "source": r["source"], "source_id": r["source_id"],
        })
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(written)
    log.info("wrote %s: %d rows", out, len(written))
    write_index(INDEX if out == OUT else out.with_name("villages_index.tsv"), out)
    return len(written)


def write_index(index: Path, table: Path) -> None:
    """Write the lookup keys of every village spelling (see the module docstring)."""
    from events.villages import read_villages
    from extract.textnorm import fold_key, translit_key, translit_phrase

    lines = index_lines(read_villages(table), fold_key, translit_key, translit_phrase)
    index.write_text("".join(lines), encoding="utf-8")
    log.info("wrote %s: %d keys", index, len(lines) - 1)


def index_lines(villages, fold_key, translit_key, translit_phrase) -> list[str]:
    """The index file's lines, header first: ``key<TAB>loose<TAB>id|id...`` sorted by key."""
    keys: dict[tuple[str, str], list[str]] = {}
    for v in villages.values():
        for n in v.names:
            key = fold_key(n)
            if not key:
                continue
            loose = translit_phrase(key)
            ids = keys.setdefault((key, loose), [])
            if v.id not in ids:
                ids.append(v.id)
    english = _english_keys(translit_key)
    lines = ["key\tloose\tids\tenglish\n"]
    for (k, lk), ids in sorted(keys.items()):
        # 2: the name is an English word; 1: one letter off one (this matters only where the
        # extractor matches one letter off, names of 8+ letters); 0: neither
        flag = 2 if lk in english["exact"] else int(" " not in lk and len(lk) >= NEAR_MIN_CHARS and _near_english(lk, english))
        lines.append(f"{k}\t{lk}\t{'|'.join(ids)}\t{flag}\n")
    return lines


def _english_keys(translit_key) -> dict:
    """The transliteration keys of common English words (wordfreq, Zipf >= 3.0), and
    the long ones by their first three letters."""
    from wordfreq import top_n_list, zipf_frequency

    words = [w for w in top_n_list("en", 60000) if w.isalpha() and zipf_frequency(w, "en") >= COMMON_WORD_ZIPF]
    exact = {translit_key(w) for w in words}
    by_prefix: dict[str, list[str]] = {}
    for k in exact:
        if len(k) >= NEAR_MIN_CHARS - 1:
            by_prefix.setdefault(k[:3], []).append(k)
    return {"exact": exact, "by_prefix": by_prefix}


def _near_english(lk: str, english: dict) -> bool:
    """Whether ``lk`` is one letter off the key of a common English word."""
    from extract.gazetteer import one_edit

    return any(abs(len(k) - len(lk)) <= 1 and one_edit(k, lk) for k in english["by_prefix"].get(lk[:3], ()))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "reference-geodata")
    args = parser.parse_args()
    build(args.reference)


if __name__ == "__main__":
    main()
