"""Scoring the linking of reports into incidents on a labelled folder (``karabakh-map evaluate-links``).

The folder holds report files and a ``labels.json`` that gives, for each file, its events
by place (a gazetteer id or a layer feature) and date, with the incident each belongs to
(``tests/data/corroboration`` is the project's). Every report is extracted and stored, in
file order, in a fresh GeoPackage (or the store given), as the page and ``ingest`` store
them; each labelled event is matched to the stored event of its report at that place
(within a day of its date) and the linking is scored pairwise
(``events.incidents.pairwise_scores``).
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from events.incidents import pairwise_scores


class LinkingLabelsError(ValueError):
    """The labelled folder cannot be read; the message says what to fix."""


def _labels(folder: Path) -> dict[str, list[dict]]:
    path = folder / "labels.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise LinkingLabelsError(f"{path}: cannot be read ({err.strerror}): give a folder with report files and a labels.json") from None
    except json.JSONDecodeError as err:
        raise LinkingLabelsError(f"{path}: not JSON ({err.msg}, line {err.lineno}): fix the file") from None
    out = {}
    for name, events in data.items():
        if name.startswith("_"):
            continue
        if not isinstance(events, list) or not all(isinstance(e, dict) and {"place", "date", "incident"} <= set(e) for e in events):
            raise LinkingLabelsError(f"{path}: {name!r} is not a list of {{place, date, incident}}: fix that entry")
        out[name] = events
    return out


def evaluate_linking(folder: str | Path, store=None) -> dict:
    """Ingest the labelled reports of ``folder`` and score the incidents the store links.

    Parameters
    ----------
    folder
        Report files and their ``labels.json``.
    store
        A store to ingest into (a fresh temporary GeoPackage when ``None``).

    Returns
    -------
    dict
        ``precision``, ``recall`` (pairwise), ``pairs_*`` counts, ``labelled`` and ``found``
        (labelled events the extractor found), ``reports``, ``seconds`` (extraction and
        storing), and ``errors``: each wrongly linked or wrongly separated pair, in words.
    """
    from extract.article import read_article_file
    from extract.pipeline import events_from_article

    folder = Path(folder)
    labels = _labels(folder)
    own = store is None
    tmp = tempfile.TemporaryDirectory() if own else None
    if own:
        from store.geopackage import GeoPackageStore

        store = GeoPackageStore(Path(tmp.name) / "linking.gpkg", load_seeds=False)
    try:
        started = time.perf_counter()
        articles = {}
        for name in labels:
            article = read_article_file(folder / name)
            result = events_from_article(article)
            store.ingest(article.record(), [*result.events, *result.denials])
            articles[name] = article.article_id
        seconds = time.perf_counter() - started
        gold: dict[str, str] = {}
        predicted: dict[str, str] = {}
        found = labelled = 0
        for name, events in labels.items():
            stored = store.query(article_id=articles[name])
            for i, lab in enumerate(events):
                labelled += 1
                day = dt.date.fromisoformat(lab["date"])
                at = stored[(stored["x_place_id"] == lab["place"]) | (stored["x_layer"] == lab["place"])]
                gaps = [abs((dt.date.fromisoformat(str(d)[:10]) - day).days) for d in at["event_date"]]
                if not gaps or min(gaps) > 1:
                    continue
                found += 1
                row = at.iloc[gaps.index(min(gaps))]
                key = f"{name}#{i}"
                gold[key] = lab["incident"]
                predicted[key] = str(row["x_incident"] or row["x_uid"])
        scores = pairwise_scores(gold, predicted)
        errors = []
        keys = sorted(gold)
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                g, p = gold[a] == gold[b], predicted[a] == predicted[b]
                if g != p:
                    errors.append(f"{'missed link' if g else 'wrong link'}: {a} and {b}")
        return {**scores, "labelled": labelled, "found": found, "reports": len(labels), "seconds": round(seconds, 3),
                "errors": errors}
    finally:
        if own:
            store.close()
            tmp.cleanup()


def report(scores: dict) -> str:
    """The scores in words."""
    lines = [f"linking: pairwise precision {scores['precision']:.2f} ({scores['pairs_right']}/{scores['pairs_predicted']}), "
             f"recall {scores['recall']:.2f} ({scores['pairs_right']}/{scores['pairs_gold']}); "
             f"{scores['found']}/{scores['labelled']} labelled events found in {scores['reports']} reports "
             f"({scores['seconds']:.2f} s)"]
    lines += [f"  {e}" for e in scores["errors"]]
    return "\n".join(lines)
