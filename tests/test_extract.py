"""Extraction measured on the labelled development set, and its rules one by one."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from extract.article import read_article, read_article_file
from extract.pipeline import events_from_article, events_from_text, split_sentences

from .conftest import ROOT

ARTICLES = Path(__file__).parent / "data" / "articles"
EXPECTED = json.loads((ARTICLES / "expected.json").read_text(encoding="utf-8"))
REGION_LAYERS = {"peacekeeping_zone", "nkao"}

# Thresholds, justified in the closing note: the set has 41 expected events over 24
# articles; the targets of the issue are place recall 0.9, event recall 0.8, date 0.9.
MIN_PLACE_RECALL = 0.9
MIN_EVENT_RECALL = 0.85
MIN_DATE_ACCURACY = 0.9


def _place_key(event) -> str:
    if event.x_place_id:
        return event.x_place_id
    layer = event.x_layer.split(":")[0]
    return "region" if layer in REGION_LAYERS else layer


def evaluate() -> dict:
    """Recall of places and events, and date accuracy, over the development set."""
    n_expected = places_found = events_found = dates_right = false_positives = 0
    for name, expected in EXPECTED.items():
        if name.startswith("_"):
            continue
        result = events_from_article(read_article_file(ARTICLES / name))
        got = [(_place_key(e), e) for e in result.events]
        if not expected:
            false_positives += len(got)
        for exp in expected:
            n_expected += 1
            at_place = [e for k, e in got if k == exp["place"]]
            if at_place:
                places_found += 1
            typed = [e for e in at_place if e.event_type == exp["event_type"]
                     and exp.get("sub_event_type", e.sub_event_type) == e.sub_event_type]
            if typed:
                events_found += 1
                if any(e.event_date.isoformat() == exp["date"] for e in typed):
                    dates_right += 1
    return {
        "expected": n_expected,
        "place_recall": places_found / n_expected,
        "event_recall": events_found / n_expected,
        "date_accuracy": dates_right / max(1, events_found),
        "events_in_control_article": false_positives,
    }


def test_development_set_is_large_enough():
    assert len([k for k in EXPECTED if not k.startswith("_")]) >= 20
    assert len(list(ARTICLES.glob("*.txt"))) >= 20


def test_recall_and_date_accuracy_on_the_development_set():
    scores = evaluate()
    assert scores["place_recall"] >= MIN_PLACE_RECALL, scores
    assert scores["event_recall"] >= MIN_EVENT_RECALL, scores
    assert scores["date_accuracy"] >= MIN_DATE_ACCURACY, scores
    assert scores["events_in_control_article"] == 0, scores


def test_the_seed_story_yields_the_seed_events():
    """The seed report's facts, retold in the project's own words, give the seed file's
    events (the report itself is not shipped)."""
    result = events_from_article(read_article_file(ARTICLES.parent / "seed_story_retold.txt"))
    found = {(e.x_place_id or e.x_layer.split(":")[0], e.sub_event_type, e.event_date) for e in result.events}
    seed = json.loads(next((ROOT / "seeds").glob("*.json")).read_text(encoding="utf-8"))
    day = dt.date.fromisoformat(seed["article"]["published"])
    seeded = {(e.get("x_place_id") or e["x_layer"].split(":")[0], e["sub_event_type"], dt.date.fromisoformat(e["event_date"]))
              for e in seed["events"]}
    for fact in [("stepanakert", "Shelling/artillery/missile attack", day),
                 ("contact_line", "Shelling/artillery/missile attack", day)]:
        assert fact in seeded and fact in found, fact
    corridor = [e for e in result.events if e.x_layer.startswith("lachin_corridor")]
    assert corridor and corridor[0].x_layer == "lachin_corridor:route_2022_road"
    assert "humanitarian corridors" in corridor[0].x_evidence
    # nothing is dated by "three years ago" or "in 2020"
    assert all(e.event_date == day for e in result.events)
    assert any("year" in u.reason for u in result.unplaced)


def _one(text: str, published: str = "2023-09-19"):
    return events_from_text(text, published=published)


@pytest.mark.parametrize(
    "sentence, published, expected",
    [
        ("Shelling hit Stepanakert on Tuesday.", "2023-09-19", "2023-09-19"),
        ("Shelling hit Stepanakert on Tuesday.", "2023-09-21", "2023-09-19"),
        ("Shelling hit Stepanakert yesterday.", "2023-09-20", "2023-09-19"),
        ("Shelling hit Stepanakert last night.", "2023-09-20", "2023-09-19"),
        ("Shelling hit Stepanakert overnight.", "2023-09-20", "2023-09-19"),
        ("Shelling hit Stepanakert on Sept. 19, officials said.", "2023-09-25", "2023-09-19"),
        ("Shelling hit Stepanakert on 12 December.", "2023-01-10", "2022-12-12"),
        ("Shelling hit Stepanakert on December 12, 2022.", "2023-09-19", "2022-12-12"),
    ],
)
def test_relative_dates_resolve_against_publication(sentence, published, expected):
    result = _one(sentence, published)
    assert [e.event_date.isoformat() for e in result.events] == [expected]


def test_month_is_precision_3_and_year_alone_is_no_date():
    month = _one("Artillery fire hit Martuni in September 2023.", "2023-10-02").events
    assert month and month[0].time_precision == 3
    year = _one("Artillery fire hit Martuni in 2020.", "2023-10-02")
    assert not year.events and "year" in year.unplaced[0].reason


def test_no_date_is_invented_without_publication_date():
    result = events_from_text("Shelling hit Stepanakert on Tuesday.")
    assert not result.events
    assert result.unplaced and "no date" in result.unplaced[0].reason


@pytest.mark.parametrize(
    "spelling, place",
    [("Xankəndi", "stepanakert"), ("Khankendi", "stepanakert"), ("Xankәndi", "stepanakert"),
     ("Şuşa", "shusha"), ("Shushi", "shusha"), ("SHUSHA", "shusha"), ("Kelbajar", "kalbajar"),
     ("Karvachar", "kalbajar"), ("Agdam", "aghdam"), ("Fizuli", "fuzuli"), ("Berdzor", "lachin"),
     ("Aghdara", "martakert"), ("Stepanakert", "stepanakert")],
)
def test_every_spelling_places_the_event(spelling, place):
    events = _one(f"Artillery shelled {spelling} on Tuesday.").events
    assert [e.x_place_id for e in events] == [place]


@pytest.mark.parametrize(
    "phrase, layer",
    [("along the line of contact", "contact_line"), ("along the contact line", "contact_line"),
     ("on the Lachin road", "lachin_corridor"), ("in the Lachin corridor", "lachin_corridor"),
     ("on the Stepanakert-Goris highway", "lachin_corridor"), ("at the Hakari bridge", "lachin_corridor"),
     ("in the seven districts", "seven_districts")],
)
def test_phrases_resolve_to_layer_features(phrase, layer):
    events = _one(f"Azerbaijani forces shelled positions {phrase} on Tuesday.").events
    assert events and events[0].x_layer.split(":")[0] == layer
    assert events[0].geo_precision == 3
    assert events[0].geometry.geom_type != "Point"


def test_dateline_place_is_not_the_event_place():
    text = "STEPANAKERT, Sept 20 (Reuters) - Azerbaijani artillery shelled Martuni on Wednesday."
    events = _one(text, "2023-09-20").events
    assert [e.x_place_id for e in events] == ["martuni"]


def test_speaker_place_is_not_the_event_place():
    events = _one("The mayor of Goris said artillery shelled Sotk on Tuesday.").events
    assert [e.x_place_id for e in events] == ["sotk"]
    events = _one("Officials in Yerevan said Azerbaijani forces shelled Jermuk on Tuesday.").events
    assert [e.x_place_id for e in events] == ["jermuk"]


@pytest.mark.parametrize(
    "text",
    ["No incidents of shelling were reported near Martuni on Tuesday.",
     "Azerbaijan denied that its forces shelled Martuni on Tuesday.",
     "Officials warned that Azerbaijan could shell Martuni.",
     "There was no fighting near Martuni on Tuesday."],
)
def test_negated_and_hypothetical_events_are_not_events(text):
    assert _one(text).events == []


def test_unplaced_event_is_listed_not_dropped():
    result = _one("Azerbaijani forces shelled positions on Tuesday.")
    assert not result.events
    assert result.unplaced[0].reason == "no place named in the sentence"
    assert result.unplaced[0].sub_event_type == "Shelling/artillery/missile attack"


def test_ambiguous_lachin_has_lower_confidence():
    town = _one("Artillery shelled Lachin on Tuesday.").events[0]
    clear = _one("Artillery shelled Martuni on Tuesday.").events[0]
    assert town.x_confidence < clear.x_confidence
    assert "town, the district or the corridor" in town.notes


@pytest.mark.parametrize(
    "text, fatalities",
    [("Shelling killed two soldiers near Martuni on Tuesday.", 2),
     ("Between 20 and 30 people were killed by shelling in Martuni on Tuesday.", 20),
     ("Dozens were killed by shelling in Martuni on Tuesday.", 12),
     ("Shelling hit Martuni on Tuesday; no one was killed.", 0)],
)
def test_fatalities_follow_acled_rules(text, fatalities):
    assert _one(text).events[0].fatalities == fatalities


def test_evidence_keeps_sentence_and_offsets():
    text = "Quiet morning. Azerbaijani forces shelled Martuni on Tuesday. Talks continue."
    article = read_article(text, published="2023-09-19")
    e = events_from_article(article).events[0]
    assert article.text[e.x_evidence_start:e.x_evidence_end] == e.x_evidence
    assert e.x_evidence == "Azerbaijani forces shelled Martuni on Tuesday."
    assert e.actor1 == "Military Forces of Azerbaijan (2003-)"


def test_sentence_splitter_keeps_abbreviations():
    parts = [s.text for s in split_sentences("Shelling began on Sept. 19 near Martuni. The U.S. envoy said so.")]
    assert parts == ["Shelling began on Sept. 19 near Martuni.", "The U.S. envoy said so."]


def test_people_captured_are_not_territory_taken():
    events = _one("Seven troops were killed and 32 captured during the fighting near Tegh on Tuesday.").events
    assert [e.sub_event_type for e in events] == ["Armed clash"]


def test_civilian_shot_by_a_sniper_is_violence_against_civilians():
    events = _one("A civilian was wounded by sniper fire in Martuni on Tuesday.").events
    assert [(e.event_type, e.sub_event_type) for e in events] == [("Violence against civilians", "Attack")]


def test_the_rule_prefilter_never_hides_a_match():
    """``may_match`` skips a rule's scan only when the sentence lacks every literal the
    rule's matches must contain: checked on every sentence of the test reports."""
    from extract.pipeline import split_sentences
    from extract.rules import RULES, _PREFILTER, may_match

    assert sum(v is not None for v in _PREFILTER.values()) >= len(RULES) - 2  # most rules are prefiltered
    texts = [p.read_text(encoding="utf-8") for p in (Path(__file__).parent / "data").rglob("*.txt")]
    checked = 0
    for text in texts:
        for s in split_sentences(text):
            low = s.text.lower()
            for rule in RULES:
                if rule.pattern.search(s.text):
                    assert may_match(rule, low), (rule.name, s.text)
                    checked += 1
    assert checked > 300
    # and it does skip: a sentence with none of the words
    assert not may_match(next(r for r in RULES if r.name == "protest"), "the weather was mild on tuesday.")


def test_the_gazetteer_tables_read_from_the_cache_are_those_built(tmp_path, monkeypatch):
    """The gazetteer's tables come back from the cache file as they were built, and the
    gazetteer made from them finds the same places; a process reads the file another wrote."""
    import subprocess
    import sys

    from layers import tables_cache
    from extract.gazetteer import Gazetteer, build_tables

    monkeypatch.setenv("KARABAKH_MAP_CACHE_DIR", str(tmp_path))
    built = build_tables()
    tables_cache.save("gazetteer", "k1", built)
    assert (tmp_path / "gazetteer-k1.marshal").is_file()
    assert tables_cache.load("gazetteer", "k1") == built
    text = "Shelling hit Gyanja and the village of Talish in Tartar, near Stepanakert."
    assert [(m.target, m.ambiguous) for m in Gazetteer(tables_cache.load("gazetteer", "k1")).find(text)] == \
        [(m.target, m.ambiguous) for m in Gazetteer(built).find(text)]
    probe = ("from extract.gazetteer import default_gazetteer; gz = default_gazetteer(); "
             "print(sorted({m.target for m in gz.find('Shelling hit Gyanja and Stepanakert.')}))")
    env = {**os.environ, "KARABAKH_MAP_CACHE_DIR": str(tmp_path / "shared")}
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    written = list((tmp_path / "shared").glob("gazetteer-*.marshal"))
    assert len(written) == 1
    stamp = written[0].stat().st_mtime_ns
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert first.stdout == second.stdout == "['ganja', 'stepanakert']\n"
    assert written[0].stat().st_mtime_ns == stamp  # read, not written again


def test_the_rules_words_read_back_from_the_cache_are_those_of_their_patterns(tmp_path, monkeypatch):
    """The prefilter's words of the rules are kept in the cache (parsing the patterns
    costs as much as compiling them): what is read back equals what parsing gives, and
    a rule is compiled only when asked for."""
    from extract import rules
    from extract.prefilter import required_literals

    monkeypatch.setenv("KARABAKH_MAP_CACHE_DIR", str(tmp_path))
    parsed = {r.name: required_literals(r.source) for r in rules.RULES}
    assert rules._rule_words() == parsed  # built, and saved
    assert len(list(tmp_path.glob("rule_words-*.marshal"))) == 1
    assert rules._rule_words() == parsed == rules._PREFILTER  # read back
    compiled = rules._compiled.cache_info().currsize
    lazy = rules.Rule("probe", r"\bprob(?:e|ing)\b", "Strategic developments", "Other", 0.5)
    assert rules._compiled.cache_info().currsize == compiled  # not compiled when made
    assert lazy.lower.search("probing the line") and lazy.pattern.search("PROBE")
    assert rules._compiled.cache_info().currsize == compiled + 2
    assert lazy.lower is lazy.lower and lazy.pattern is lazy.pattern  # compiled once
    assert rules._compiled.cache_info().currsize == compiled + 2


def test_a_broken_or_unwritable_cache_only_costs_time(tmp_path, monkeypatch, caplog):
    """A truncated cache file is rebuilt; a cache folder that cannot be made is skipped,
    with the reason at DEBUG; a changed data file gives another key."""
    import logging

    from layers import tables_cache

    monkeypatch.setenv("KARABAKH_MAP_CACHE_DIR", str(tmp_path))
    tables_cache.save("gazetteer", "k2", {"names": {"a": ("b", "place")}})
    path = tmp_path / "gazetteer-k2.marshal"
    path.write_bytes(path.read_bytes()[:7])
    with caplog.at_level(logging.DEBUG, logger="layers.tables_cache"):
        assert tables_cache.load("gazetteer", "k2") is None
    assert "not read" in caplog.text
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KARABAKH_MAP_CACHE_DIR", str(blocker / "cache"))
    with caplog.at_level(logging.DEBUG, logger="layers.tables_cache"):
        tables_cache.save("gazetteer", "k3", {"x": 1})  # no exception
    assert "not written" in caplog.text
    data = tmp_path / "data"
    data.mkdir()
    (data / "places.geojson").write_text("{}")
    code = [Path(tables_cache.__file__)]
    before = tables_cache.digest(code, data)
    (data / "places.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    assert tables_cache.digest(code, data) != before


def test_the_date_and_count_prefilters_never_hide_a_match():
    """A pattern's required parts (``extract.prefilter.required_groups``: every part of
    its sequence, a digit included) hold in every sentence of the test reports it
    matches; and they do skip: a month with no digit, "day" with no "ago"."""
    from extract import claims, dates, fatalities
    from extract.pipeline import split_sentences
    from extract.prefilter import DIGIT, may_contain_all, required_groups

    patterns = [rx for _, rx in dates._PATTERNS] + [p.pattern for p in (
        fatalities._COUNT_BEFORE, fatalities._COUNT_AFTER, fatalities._SINGLE, claims._DENIAL_FILTERED, claims._SPEECH_FILTERED)]
    groups = [required_groups(rx) for rx in patterns]
    assert all(g is not None for g in groups)
    texts = [p.read_text(encoding="utf-8") for p in (Path(__file__).parent / "data").rglob("*.txt")]
    checked = 0
    for text in texts:
        for s in split_sentences(text):
            low = s.text.lower()
            for rx, g in zip(patterns, groups):
                if rx.search(s.text):
                    assert may_contain_all(g, low), (rx.pattern[:60], s.text)
                    checked += 1
    assert checked > 500
    by_kind = dict(dates._PATTERNS)
    month_day = required_groups(by_kind["month_day"])
    assert DIGIT in month_day and may_contain_all(month_day, "on may 5 they met")
    assert not may_contain_all(month_day, "they may meet in march")  # months, no digit
    assert not may_contain_all(required_groups(by_kind["days_ago"]), "on the day of the vote")  # "day", no "ago"
    found = dates.find_dates("Shelling began two days ago, on May 3.", dt.date(2020, 5, 6))
    assert [(d.text, d.date) for d in found] == [("two days ago", dt.date(2020, 5, 4)), ("May 3", dt.date(2020, 5, 3))]


def test_the_literal_index_answers_as_each_rule_s_own_test(monkeypatch):
    """``LiteralIndex.candidates`` (one automaton pass) sets a rule's bit exactly when
    ``may_match`` says the rule may match, on every sentence of the test reports, and so
    does its fallback loop without pyahocorasick."""
    from extract import prefilter
    from extract.pipeline import split_sentences
    from extract.rules import RULES, may_match, rule_needles

    needles = [rule_needles(rule) for rule in RULES]
    index = prefilter.LiteralIndex(needles)
    monkeypatch.setattr(prefilter, "ahocorasick", None)
    looping = prefilter.LiteralIndex(needles)
    assert index._automaton is not None and looping._automaton is None
    texts = [p.read_text(encoding="utf-8") for p in (Path(__file__).parent / "data").rglob("*.txt")]
    lows = [s.text.lower() for text in texts for s in split_sentences(text)] + ["", "the weather was mild."]
    for low in lows:
        expected = sum(1 << i for i, rule in enumerate(RULES) if may_match(rule, low))
        assert index.candidates(low) == looping.candidates(low) == expected, low
    assert index.candidates("the weather was mild.") == sum(1 << i for i, n in enumerate(needles) if n is None)
