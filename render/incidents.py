"""Incidents for the map, the page and the snapshot: one mark per incident, its reports listed.

The store links events into incidents (``events.incidents``). Here a frame of events
becomes a frame of incidents (:func:`collapse`): one row per incident, the most precise
of its reports standing for it, with the count of reports and outlets and who claims or
denies it. An incident whose only reports are denials is not drawn: a denial reports no
event.
"""
from __future__ import annotations


import geopandas as gpd
import pandas as pd

from events.incidents import IncidentSummary, report_side, representative, summarise
from events.sources import SIDES, outlet_of
from layers.names import NamingMode

from .describe import date_label, place_label
from .escape import html_text, link
from .view import View

SUMMARY_COLUMNS = ("x_n_reports", "x_n_outlets", "x_n_independent", "x_claimed_by", "x_denied_by", "x_incident_words")


def incident_ids(events: pd.DataFrame) -> pd.Series:
    """Each event's incident (its own ``x_uid`` where none is stored)."""
    inc = events["x_incident"].fillna("").astype(str) if "x_incident" in events else pd.Series("", index=events.index)
    return inc.where(inc != "", events["x_uid"].astype(str))


_SUMMARY_FIELDS = ["source", "x_source_title", "x_source_url", "x_claim", "x_claimant", "x_uid", "geo_precision",
                   "x_confidence"]


def _groups(events: pd.DataFrame) -> dict[str, list[dict]]:
    """Incident id -> the records (the fields summaries need) of its reports, in order.
    One pass over plain records: a pandas group per incident costs seconds at 5,000."""
    frame = events[[c for c in _SUMMARY_FIELDS if c in events]]
    groups: dict[str, list[dict]] = {}
    for inc, rec in zip(incident_ids(events), frame.to_dict("records")):
        rec["x_incident"] = inc
        groups.setdefault(inc, []).append(rec)
    return groups


def summaries(events: pd.DataFrame) -> dict[str, IncidentSummary]:
    """Incident id -> its summary, for every incident in ``events``."""
    if events is None or events.empty:
        return {}
    return {inc: summarise(rows) for inc, rows in _groups(events).items()}


def _representatives(with_inc: gpd.GeoDataFrame, groups: dict[str, list[dict]]) -> gpd.GeoDataFrame:
    """The row standing for each incident of ``groups`` (``events.incidents.representative``), in the events' order."""
    picked = {representative(rows)["x_uid"] for rows in groups.values()}
    return with_inc[with_inc["x_uid"].isin(picked).to_numpy()]


def collapse(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per incident (drawn incidents only: at least one report that is not a denial),
    in the order of the events, with :data:`SUMMARY_COLUMNS` added."""
    if events is None or events.empty:
        return events
    with_inc = events.assign(x_incident=incident_ids(events).to_numpy())
    groups = _groups(with_inc)
    reps = _representatives(with_inc, groups)
    reps = reps[reps["x_claim"].fillna("") != "denial"] if "x_claim" in reps else reps
    rows = [summarise(groups[i]) for i in reps["x_incident"]]
    out = reps.copy()
    out["x_n_reports"] = [s.n_reports for s in rows]
    out["x_n_outlets"] = [len(s.outlets) for s in rows]
    out["x_n_independent"] = [len(s.independent_outlets) for s in rows]
    out["x_claimed_by"] = [", ".join(s.claimed_by) for s in rows]
    out["x_denied_by"] = [", ".join(s.denied_by) for s in rows]
    out["x_incident_words"] = [s.words() for s in rows]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=events.crs)


def filter_by_corroboration(events: gpd.GeoDataFrame, view: View) -> gpd.GeoDataFrame:
    """The events of the incidents the view's corroboration filters keep (all, when none)."""
    if events is None or events.empty or (not view.min_independent and view.corroboration == "any"):
        return events
    summ = summaries(events)
    keep = set()
    for inc, s in summ.items():
        if len(s.independent_outlets) < view.min_independent:
            continue
        if view.corroboration == "one_side" and not s.one_side_only:
            continue
        if view.corroboration == "denied" and not s.denied_by_other_side:
            continue
        keep.add(inc)
    return events[incident_ids(events).isin(keep).to_numpy()]


def reports_html(reports: list[dict], naming: NamingMode = "both") -> str:
    """The reports of one incident, each with its side, its claim, its evidence and its link. Escaped."""
    items = []
    for r in reports:
        src = str(r.get("source") or "")
        outlet = outlet_of(src) or str(r.get("x_source_title") or "source")
        side = SIDES[report_side(src)]
        claim, claimant = str(r.get("x_claim") or ""), str(r.get("x_claimant") or "")
        voice = {"claim": "claims", "denial": "denies"}.get(claim, "reports")
        who = f" ({html_text(SIDES[claimant])} {voice} it)" if claimant and claim else ""
        head = link(r["x_source_url"], outlet) if r.get("x_source_url") else html_text(outlet)
        evidence = html_text(str(r.get("x_evidence") or "")[:300])
        reason = str(r.get("x_incident_reason") or "")
        items.append(
            f"<li style='margin-bottom:4px'><b>{head}</b> <span style='color:#555'>[{html_text(side)}]</span>{who}"
            f"<br><span style='color:#333'>{html_text(date_label(r))}, {html_text(place_label(r, naming))}</span>"
            + (f"<br><q>{evidence}</q>" if evidence else "")
            + (f"<br><span style='color:#777;font-size:11px'>{html_text(reason)}</span>" if reason else "")
            + "</li>")
    return "<ol style='margin:4px 0 0 16px;padding:0'>" + "".join(items) + "</ol>"


def incident_popup_html(rep: dict, reports: list[dict], naming: NamingMode = "both") -> str:
    """The popup of an incident: the standing report's details, the summary and every report. Escaped."""
    from .describe import event_popup_html

    if len(reports) <= 1:
        return event_popup_html(rep, naming)
    head = event_popup_html(rep, naming)
    summary = html_text(str(rep.get("x_incident_words") or ""))
    return (head[:-len("</div>")]
            + f"<div style='margin-top:6px;border-top:1px solid #ccc;padding-top:4px'><b>One incident</b>: {summary}"
            + reports_html(reports, naming) + "</div></div>")


def incident_popups(collapsed: gpd.GeoDataFrame, events: gpd.GeoDataFrame, naming: NamingMode = "both") -> list[str]:
    """The popup of each row of ``collapsed`` (from :func:`collapse` of ``events``)."""
    inc = incident_ids(events)
    groups = {k: g for k, g in events.assign(x_incident=inc.to_numpy()).groupby("x_incident", sort=False)}
    return [incident_popup_html(rep, groups[rep["x_incident"]].to_dict("records"), naming)
            for rep in collapsed.to_dict("records")]


def incidents_table(events: gpd.GeoDataFrame, naming: NamingMode = "both") -> pd.DataFrame:
    """The page's "group by incident" table: one row per incident, plain text."""
    columns = ["incident", "date", "what", "place", "reports", "outlets", "independent", "claimed by", "denied by"]
    if events is None or events.empty:
        return pd.DataFrame(columns=columns)
    with_inc = events.assign(x_incident=incident_ids(events).to_numpy())
    groups = _groups(with_inc)
    reps = _representatives(with_inc, groups)
    rows = []
    for rec in reps.to_dict("records"):
        s = summarise(groups[rec["x_incident"]])
        rows.append({
            "incident": rec["x_incident"], "date": date_label(rec), "what": rec["sub_event_type"],
            "place": place_label(rec, naming), "reports": s.n_reports, "outlets": ", ".join(s.outlets),
            "independent": len(s.independent_outlets),
            "claimed by": ", ".join(SIDES[x] for x in s.claimed_by),
            "denied by": ", ".join(SIDES[x] for x in s.denied_by),
        })
    return pd.DataFrame(rows, columns=columns)


def incident_voices(reports: pd.DataFrame) -> list[str]:
    """For each report, in words: whose voice it is and whether it claims or denies."""
    out = []
    for src, claim, claimant in zip(reports["source"].fillna(""), reports["x_claim"].fillna(""), reports["x_claimant"].fillna("")):
        side = SIDES[report_side(str(src))]
        if claim and claimant:
            out.append(f"{SIDES[claimant]} {'denies' if claim == 'denial' else 'claims'} it ({side} outlet)")
        else:
            out.append(f"reported ({side})")
    return out
