"""The extractor scored on the development set (tests/data/devset: 24 real reports,
paraphrased by the project, 150 labelled events) with `karabakh-map evaluate`'s
matching (extract.evaluate). The floors sit a little below today's figures, so a change
that makes the extractor worse fails here; the closing note of each change gives the
figures themselves (`karabakh-map evaluate tests/data/devset`)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from extract.evaluate import evaluate_folder, read_labels

DEVSET = Path(__file__).parent / "data" / "devset"

MIN_EVENT_RECALL = 0.89
MIN_PRECISION = 0.91
MIN_PLACE_RECALL = 0.95
MIN_DATE_ACCURACY = 0.90


@pytest.fixture(scope="module")
def evaluation():
    return evaluate_folder(DEVSET)


def test_the_development_set_is_complete():
    labels = read_labels(DEVSET)
    assert len(labels) == 24 and sum(len(v) for v in labels.values()) == 150


def test_figures_on_the_development_set(evaluation):
    f = evaluation.figures()
    assert f["event_recall"] >= MIN_EVENT_RECALL, f
    assert f["precision"] >= MIN_PRECISION, f
    assert f["place_recall"] >= MIN_PLACE_RECALL, f
    assert f["date_accuracy"] >= MIN_DATE_ACCURACY, f


def test_reports_with_nothing_to_find_stay_nearly_empty(evaluation):
    controls = [a for a in evaluation.articles if not a.labels]
    assert len(controls) == 2
    assert sum(len(a.events) for a in controls) <= 1


def test_every_miss_and_extra_is_reported(evaluation):
    text = evaluation.report()
    f = evaluation.figures()
    assert text.count("  MISS  ") == f["labels"] - f["matched"]
    assert text.count("  EXTRA ") == f["extra"]


def test_the_command_prints_the_figures_and_json(capsys):
    assert main(["evaluate", str(DEVSET), "--summary"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("event recall ") and "per kind" in out and "MISS" not in out
    assert main(["evaluate", str(DEVSET), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["labels"] == 150 and len(data["articles"]) == 24


def test_a_folder_without_labels_is_a_clear_error(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path)]) == 1
    assert "labels.json" in capsys.readouterr().err
    (tmp_path / "labels.json").write_text('[{"article": "a.txt", "events": [{"place": "X", "kind": "war", "date": null}]}]')
    assert main(["evaluate", str(tmp_path)]) == 1
    assert "unknown kind" in capsys.readouterr().err


def test_matching_by_kind_place_and_date(tmp_path):
    (tmp_path / "a.txt").write_text("Published: 2023-09-20\n\nAzerbaijani forces shelled Stepanakert on Tuesday.\n",
                                    encoding="utf-8")
    labels = [{"article": "a.txt", "events": [
        {"place": "Khankendi", "kind": "shelling/artillery/missile", "date": "2023-09-19"},
        {"place": "Shusha", "kind": "shelling/artillery/missile", "date": "2023-09-19"},
    ], "places_mentioned": []}]
    (tmp_path / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    f = evaluate_folder(tmp_path).figures()
    assert (f["matched"], f["labels"], f["extra"]) == (1, 2, 0)  # Khankendi is Stepanakert; Shusha is missed
    assert f["date_accuracy"] == 1.0
