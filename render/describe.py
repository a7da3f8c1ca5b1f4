"""Plain words about events and layers, shared by popups, tables and captions.

Every function here returns escaped HTML (``*_html``) or plain text (the rest); the
HTML ones escape every value that came from an article.
"""
from __future__ import annotations

import functools
from typing import Mapping

import layers
from events.taxonomy import GEO_PRECISION, TIME_PRECISION
from layers.names import NamingMode, display_name

from .escape import html_text, link


def place_label(event: Mapping, naming: NamingMode = "both") -> str:
    """The event's place under a naming choice (gazetteer places follow it; other text stays)."""
    pid = event.get("x_place_id") or ""
    names = _place_names().get(pid) if pid else None
    if names:
        return display_name(names[0], names[1], naming)
    return str(event.get("location") or "")


def place_labels(events, naming: NamingMode = "both") -> list[str]:
    """:func:`place_label` for every row of an events frame, by column (fast)."""
    names = _place_names()
    return [display_name(*names[pid], naming) if pid in names else str(loc or "")
            for pid, loc in zip(events["x_place_id"], events["location"])]


@functools.lru_cache(maxsize=1)
def _place_names() -> dict[str, tuple[str, str]]:
    """Place id -> (Armenian usage, Azerbaijani usage), without pandas row access."""
    from events.places import places_table

    table = places_table()
    return {pid: (hy, az) for pid, hy, az in zip(table["id"], table["name_hy"], table["name_az_en"])}


def date_label(event: Mapping) -> str:
    precision = TIME_PRECISION.get(int(event.get("time_precision") or 1), "day")
    text = f"{event.get('event_date')}"
    if precision != "day":
        text += f" (to the {precision})"
    return text


def geo_label(event: Mapping) -> str:
    return GEO_PRECISION.get(int(event.get("geo_precision") or 1), "town")


def event_popup_html(event: Mapping, naming: NamingMode = "both") -> str:
    """The full popup: what, when, where, who, evidence, source, confidence. Escaped."""
    actors = " vs ".join(x for x in (event.get("actor1"), event.get("actor2")) if x) or "not named in the source"
    evidence = str(event.get("x_evidence") or "")
    source_title = event.get("x_source_title") or event.get("source") or "source"
    fatalities = int(event.get("fatalities") or 0)
    rows = [
        ("When", date_label(event)),
        ("Where", f"{place_label(event, naming)} (precision: {geo_label(event)})"),
        ("Who", actors),
        ("Deaths", f"{fatalities} (lowest reported)" if fatalities else "none reported"),
        ("Source", None),
        ("Confidence", f"{float(event.get('x_confidence') or 0):.2f}; {event.get('x_review') or 'unreviewed'}; {event.get('x_method') or ''}"),
    ]
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:6px;vertical-align:top'>{html_text(k)}</th><td>{html_text(v) if v is not None else _source_cell(event, source_title)}</td></tr>"
        for k, v in rows
    )
    quote = f"<blockquote style='margin:4px 0;padding-left:6px;border-left:3px solid #999'>{html_text(evidence)}</blockquote>" if evidence else ""
    return (
        f"<div class='km-popup' style='max-width:360px;font:12px/1.35 sans-serif'>"
        f"<b>{html_text(event.get('sub_event_type'))}</b> <span style='color:#666'>({html_text(event.get('event_type'))})</span>"
        f"<table style='margin-top:4px'>{body}</table>{quote}"
        f"<div style='color:#666'>{html_text(event.get('notes'))}</div></div>"
    )


def _source_cell(event: Mapping, title: object) -> str:
    text = html_text(event.get("source") or "")
    url = event.get("x_source_url")
    if url:
        return f"{link(url, title)}<br>{text}"
    return text or html_text(title)


def layer_popup_html(layer_id: str, feature: Mapping) -> str:
    """Where a drawn feature comes from and how accurate it is. Escaped."""
    meta = layers.LAYERS[layer_id]
    name = feature.get("_label") or feature.get("name") or feature.get("name_en") or meta.title
    layer_title = meta.title if layer_id != "stepanakert" else "The capital of the former NKAO"
    rows = [
        ("Layer", layer_title),
        ("Source", feature.get("source")),
        ("Licence", feature.get("licence")),
        ("Accuracy", f"±{float(feature.get('accuracy_m') or 0):,.0f} m"),
        ("Valid", f"{feature.get('valid_from') or '…'} to {feature.get('valid_to') or '…'}"),
    ]
    if feature.get("derived_from"):
        rows.append(("Drawn from", feature.get("derived_from")))
    if feature.get("returned"):
        rows.append(("Returned to Azerbaijan", f"{feature.get('returned')}: {feature.get('return_manner')}"))
    if feature.get("control"):
        rows.append(("Control on this date", feature.get("control")))
    if feature.get("note"):
        rows.append(("Note", feature.get("note")))
    body = "".join(f"<tr><th style='text-align:left;vertical-align:top;padding-right:6px'>{html_text(k)}</th><td>{html_text(v)}</td></tr>" for k, v in rows)
    return f"<div style='max-width:380px;font:12px/1.35 sans-serif'><b>{html_text(name)}</b><table>{body}</table></div>"
