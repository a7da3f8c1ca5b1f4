"""``karabakh-map``: layers, extraction, the store, import/export and snapshots.

Every command prints its result to stdout and errors to stderr, with exit status 1 for
a failure (the message says what was wrong and how to fix it) and 2 for bad usage.
"""
from __future__ import annotations

import argparse
import os
import json
import logging
import sys
from pathlib import Path
from typing import Sequence

log = logging.getLogger("karabakh_map")

EXPORT_FORMATS = ("table", "json", "geojson", "acled-csv", "acled-incidents")


class CliError(Exception):
    """A failure to report on stderr with exit status 1."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="karabakh-map", description="Interactive conflict map of Nagorno-Karabakh: layers, events, snapshots.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lp = sub.add_parser("layers", help="list the map layers, or export them (layers export DIR)")
    lp.add_argument("action", nargs="?", choices=["export"], help="export the layers to DIR")
    lp.add_argument("dir", nargs="?", type=Path, help="folder to export to")
    lp.add_argument("--as-of", help="only what existed on this day (YYYY-MM-DD)")
    lp.add_argument("--json", action="store_true", help="print JSON")
    lp.add_argument("--format", default="geojson", help="export format: geojson or gpkg")

    ep = sub.add_parser("extract", help="extract events from article files; nothing is stored")
    ep.add_argument("files", nargs="+", type=Path)
    ep.add_argument("--published", help="publication date (YYYY-MM-DD), overrides the file's")
    ep.add_argument("--json", action="store_true", help="print a JSON list of events")

    qp = sub.add_parser("evaluate", help="score the extractor on a folder of labelled reports (labels.json beside them)")
    qp.add_argument("folder", type=Path, help="a folder in the development set's format")
    qp.add_argument("--json", action="store_true", help="the figures, misses and extras as JSON")
    qp.add_argument("--summary", action="store_true", help="the figures only, without every miss and extra")
    lkp = sub.add_parser("evaluate-links", help="score the linking of reports into incidents on a labelled folder")
    lkp.add_argument("folder", type=Path, help="report files and a labels.json of their incidents (see tests/data/corroboration)")
    lkp.add_argument("--json", action="store_true", help="the figures and the errors as JSON")
    np_ = sub.add_parser("incident", help="split a stored event into an incident of its own, or merge two incidents")
    np_.add_argument("action", choices=["split", "merge", "show"], help="split UID | merge UID OTHER_UID | show UID")
    np_.add_argument("uids", nargs="+", help="event ids (x_uid)")
    ip = sub.add_parser("ingest", help="extract events from article files and store them")
    ip.add_argument("files", nargs="+", type=Path)
    ip.add_argument("--published", help="publication date (YYYY-MM-DD), overrides the file's")
    ip.add_argument("--source", help="source URL, overrides the file's")

    vp = sub.add_parser("events", help="list or export stored events")
    vp.add_argument("--since", help="first day (YYYY-MM-DD)")
    vp.add_argument("--until", help="last day (YYYY-MM-DD)")
    vp.add_argument("--type", action="append", dest="types", help="ACLED event type (repeatable)")
    vp.add_argument("--source", action="append", dest="sources", help="source contains this text (repeatable)")
    vp.add_argument("--bbox", help="W,S,E,N in degrees")
    vp.add_argument("--min-confidence", type=float)
    vp.add_argument("--format", default="table",
                    help="table, json, geojson, acled-csv (one row per report) or acled-incidents (one row per incident)")
    vp.add_argument("--out", type=Path, help="write to this file instead of stdout")

    mp = sub.add_parser("import", help="import events from an ACLED CSV or GeoJSON file")
    mp.add_argument("file", type=Path)

    cp = sub.add_parser("store", help="manage the store: store copy --to TARGET [--from SOURCE]")
    cp.add_argument("action", choices=["copy"], help="copy every article and event to another store")
    cp.add_argument("--to", required=True, help="a .gpkg path or a postgresql:// URL")
    cp.add_argument("--from", dest="source", help="the store to copy (default: the configured one)")

    sp = sub.add_parser("snapshot", help="make a print-ready map (PNG, PDF, SVG) or a standalone HTML map")
    sp.add_argument("--out", type=Path, required=True, help="PATH.png, .pdf, .svg or .html")
    sp.add_argument("--layers", help="comma-separated layer ids (default: the default view's)")
    sp.add_argument("--as-of", help="the map as on this day (YYYY-MM-DD)")
    sp.add_argument("--bbox", help="W,S,E,N in degrees")
    sp.add_argument("--title", help="map title")
    sp.add_argument("--dpi", type=int, default=300)
    sp.add_argument("--paper", default="a4", help="a4 or letter")
    sp.add_argument("--orientation", default="landscape", help="landscape or portrait")
    sp.add_argument("--naming", default="both", help="both, armenian or azerbaijani")
    sp.add_argument("--since", help="events from this day")
    sp.add_argument("--until", help="events until this day")
    dp = sub.add_parser("dashboard", help="start the page (Streamlit) on this machine")
    dp.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    dp.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    sp = sub.add_parser("serve", help="serve the page from several processes behind HAProxy (sticky sessions, one store)")
    sp.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="page processes to start (default: one per core)")
    sp.add_argument("--port", type=int, default=8501, help="port the proxy serves on (default 8501)")
    sp.add_argument("--address", default="127.0.0.1", help="address the proxy listens on (default 127.0.0.1)")
    sp.add_argument("--backend", action="append", default=[], metavar="HOST:PORT",
                    help="a page process already running elsewhere (repeat; then no worker is started here)")
    sp.add_argument("--print-config", action="store_true", help="print the HAProxy configuration and exit")
    return p


# The page's Streamlit settings, also when run from an installed package (where no
# .streamlit/config.toml is read): no usage statistics, the article size as upload limit.
DASHBOARD_FLAGS = ("--browser.gatherUsageStats", "false", "--server.maxUploadSize", "1", "--server.headless", "true",
                   "--client.toolbarMode", "minimal", "--theme.base", "light", "--theme.primaryColor", "#c0262d",
                   "--theme.secondaryBackgroundColor", "#f2efe9", "--runner.magicEnabled", "false",
                   "--server.fileWatcherType", "none", "--runner.postScriptGC", "false")


def dashboard_command(port: int = 8501, address: str = "127.0.0.1") -> list[str]:
    """The command that serves the page: Streamlit on the installed ``streamlit_app``."""
    import importlib.util

    spec = importlib.util.find_spec("streamlit_app")  # found, not imported: importing runs the page
    if spec is None or not spec.origin:
        raise CliError("the page (streamlit_app.py) is not installed: reinstall karabakh-map (pip install .)")
    if not 0 < port < 65536:
        raise CliError(f"--port {port} is not a port: give 1-65535")
    return [sys.executable, "-m", "streamlit", "run", spec.origin, "--server.port", str(port),
            "--server.address", address, *DASHBOARD_FLAGS]


def _cmd_dashboard(args) -> None:
    cmd = dashboard_command(args.port, args.address)
    print(f"karabakh-map dashboard: serving on http://{args.address}:{args.port} (Ctrl-C stops it)", file=sys.stderr)
    sys.stderr.flush()
    # Streamlit takes this process's place: a signal to it (Ctrl-C, a service manager's
    # stop) reaches the server itself, and no orphan is left behind.
    os.execv(cmd[0], cmd)


def _cmd_serve(args) -> None:
    from cli.serve import ServeError, free_port, haproxy_config, parse_backend, serve

    try:
        backends = [parse_backend(b) for b in args.backend]
    except ValueError as err:
        raise CliError(str(err)) from None
    if args.print_config:
        print(haproxy_config(args.address, args.port, backends or [("127.0.0.1", free_port()) for _ in range(args.workers)]))
        return
    try:
        status = serve(args.workers, args.port, args.address, dashboard_command, backends)
    except ServeError as err:
        raise CliError(str(err)) from None
    if status:
        raise CliError("a page process or the proxy stopped: see the messages above")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``karabakh-map`` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        _check_dates(args)
        handler = globals()[f"_cmd_{args.command.replace('-', '_')}"]
        handler(args)
    except _reported_errors() as err:  # evaluated only when something is raised
        print(f"karabakh-map {args.command}: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


def _reported_errors() -> tuple[type[BaseException], ...]:
    """The errors a command reports as one line (bad input, a store or view it cannot
    use); imported when one is caught, so that a command that needs no store (extract)
    does not load the store's code."""
    from events import EventError
    from layers import LayerError
    from render.view import ViewError
    from store import StoreError

    return CliError, LayerError, EventError, StoreError, ViewError


def _check_dates(args) -> None:
    """Every date option, checked by the one validator with the range the page offers:
    --as-of within the days the layers model, --since/--until/--published from the
    conflict's start to today."""
    import datetime as dt

    import layers

    today = dt.date.today()
    ranges = {"as_of": layers.AS_OF_RANGE, "since": (layers.EVENT_DATES_FIRST, today),
              "until": (layers.EVENT_DATES_FIRST, today), "published": (layers.EVENT_DATES_FIRST, today + dt.timedelta(days=1))}
    for attr, (first, last) in ranges.items():
        if getattr(args, attr, None):
            setattr(args, attr, layers.parse_date(getattr(args, attr), name=f"--{attr.replace('_', '-')}", first=first, last=last))


def _write_output(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as err:
        raise CliError(f"cannot write {out}: {err.strerror}") from err
    print(f"wrote {out}", file=sys.stderr)


def _cmd_layers(args) -> None:
    import layers

    if args.action == "export":
        if args.dir is None:
            raise CliError("layers export needs a folder: karabakh-map layers export DIR")
        from render.export import export_layers

        written = export_layers(args.dir, fmt=args.format, as_of=args.as_of)
        for path in written:
            print(path)
        return
    if args.dir is not None:
        raise CliError(f"unexpected argument {str(args.dir)!r}: did you mean `layers export {args.dir}`?")
    loaded = layers.load_layers(as_of=args.as_of)
    meta = [dict(gdf.attrs) for gdf in loaded.values()]
    if args.json:
        print(json.dumps(meta, indent=2, ensure_ascii=False))
        return
    for m in meta:
        valid = f"{m['valid_from'] or '…'} to {m['valid_to'] or '…'}"
        print(f"{m['id']:<18} {m['features']:>3} features  ±{m['accuracy_m'] or 0:>6.0f} m  {valid:<26} {m['title']}")
        print(f"{'':<18} source: {m['source']}; licence: {m['licence']}")


def _read_articles(files, published, source):
    from extract.article import read_article_file

    for path in files:
        yield path, read_article_file(path, published=published, source_url=source)


def _cmd_extract(args) -> None:
    from events.sources import SIDES
    from extract.pipeline import events_from_article
    from exchange.geojson_io import events_to_geojson

    out = []
    for path, article in _read_articles(args.files, args.published, None):
        result = events_from_article(article)
        if args.json:
            fc = json.loads(events_to_geojson(result.events))
            for feat in fc["features"]:
                out.append({**feat["properties"], "geometry": feat["geometry"], "file": str(path)})
            for u in result.unplaced:
                out.append({**u.to_dict(), "geometry": None, "file": str(path)})
            for feat in json.loads(events_to_geojson(result.background))["features"]:
                out.append({**feat["properties"], "geometry": feat["geometry"], "background": True, "file": str(path)})
            for feat in json.loads(events_to_geojson(result.denials))["features"]:
                out.append({**feat["properties"], "geometry": feat["geometry"], "denial": True, "file": str(path)})
            continue
        print(f"{path}: {article.title or '(no title)'}; published {article.published or 'unknown'}; "
              f"{len(result.events)} events placed, {len(result.unplaced)} unplaced")
        for e in result.events:
            print(f"  {e.event_date}  {e.sub_event_type:<34} {e.location:<34} conf {e.x_confidence:.2f}")
            print(f"      \u201c{e.x_evidence[:150]}\u201d")
        for u in result.unplaced:
            print(f"  UNPLACED {u.event_date or '????-??-??'}  {u.sub_event_type:<34} ({u.reason})")
            print(f"      \u201c{u.evidence[:150]}\u201d")
        for e in result.background:
            print(f"  BACKGROUND {e.event_date}  {e.sub_event_type:<30} {e.location} (history the report narrates; not stored)")
        for e in result.denials:
            who = SIDES.get(e.x_claimant, "someone")
            print(f"  DENIAL {e.event_date}  {e.sub_event_type:<34} {e.location} (denied by {who}; stored with its incident, never drawn alone)")
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))


def _cmd_evaluate(args) -> None:
    from extract.evaluate import evaluate_folder

    try:
        evaluation = evaluate_folder(args.folder)
    except ValueError as err:  # a bad folder or labels file; an unreadable report (ArticleError) too
        raise CliError(str(err)) from err
    if args.json:
        print(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(evaluation.report(details=not args.summary))


def _cmd_evaluate_links(args) -> None:
    from cli.linking import LinkingLabelsError, evaluate_linking, report

    try:
        scores = evaluate_linking(args.folder)
    except (LinkingLabelsError, ValueError) as err:
        raise CliError(str(err)) from err
    print(json.dumps(scores, indent=2) if args.json else report(scores))


def _cmd_incident(args) -> None:
    from store import open_store

    store = open_store()
    try:
        events = store.query()
        known = dict(zip(events["x_uid"], events["x_incident"]))
        for uid in args.uids:
            if uid not in known:
                raise CliError(f"{uid!r} is not a stored event: list events with `karabakh-map events --format json` (x_uid)")
        if args.action == "split":
            for uid in args.uids:
                store.set_incident([uid], uid, "split by hand")
                print(f"{uid}: an incident of its own")
        elif args.action == "merge":
            if len(args.uids) != 2:
                raise CliError("merge takes two event ids: the incident of the second joins the first's")
            keep, other = known[args.uids[0]] or args.uids[0], known[args.uids[1]] or args.uids[1]
            moved = [u for u, i in known.items() if (i or u) == other]
            n = store.set_incident(moved, keep, f"merged by hand with {args.uids[0]}")
            print(f"{n} events joined incident {keep}")
        else:
            from events.incidents import summarise

            for uid in args.uids:
                inc = known[uid] or uid
                rows = events[events["x_incident"] == inc].to_dict("records")
                print(f"incident {inc}: {summarise(rows).words()}")
                for r in rows:
                    print(f"  {r['x_uid']}  {r['event_date']}  {r['sub_event_type']}  {r['location']}  {r['source']}"
                          f"  {r['x_claim'] or 'report'}  {r['x_incident_reason']}")
    finally:
        store.close()


def _cmd_ingest(args) -> None:
    from store import open_store
    from extract.pipeline import events_from_article

    store = open_store()
    total = stored = dupes = unplaced = 0
    files = list(args.files)
    for i, (path, article) in enumerate(_read_articles(files, args.published, args.source), start=1):
        result = events_from_article(article)
        res = store.ingest(article.record(), [*result.events, *result.denials])
        total += 1
        unplaced += len(result.unplaced)  # background (narrated history) is not stored either
        if res.duplicate:
            dupes += 1
            status = "duplicate: already stored, nothing added"
        else:
            stored += res.stored
            status = f"stored {res.stored} events"
        extra = f"; {len(result.unplaced)} could not be placed" if result.unplaced else ""
        bar = _progress(i, len(files))
        print(f"{bar} {path}: {status}{extra}")
        for u in result.unplaced:
            print(f"    unplaced: {u.sub_event_type} \u2014 \u201c{u.evidence[:100]}\u201d ({u.reason})")
    print(f"{total} articles: {stored} events stored, {dupes} duplicate articles, {unplaced} events unplaced; store {store.path}")
    store.close()


def _progress(i: int, n: int, width: int = 20) -> str:
    done = int(width * i / n)
    return f"[{'#' * done}{'.' * (width - done)}] {i}/{n}"


def _parse_bbox(text: str | None):
    if not text:
        return None
    from render.view import parse_bbox

    return parse_bbox(text)


def _cmd_events(args) -> None:
    from store import open_store
    from exchange.acled_csv import events_to_acled_csv
    from exchange.geojson_io import events_to_geojson

    if args.format not in EXPORT_FORMATS:
        raise CliError(f"--format {args.format!r} is not a format: choose from {', '.join(EXPORT_FORMATS)}")
    store = open_store()
    gdf = store.query(since=args.since, until=args.until, event_types=args.types, sources=args.sources,
                      bbox=_parse_bbox(args.bbox), min_confidence=args.min_confidence)
    store.close()
    if args.types:
        from events.taxonomy import EVENT_TYPES

        bad = [t for t in args.types if t not in EVENT_TYPES]
        if bad:
            raise CliError(f"--type {bad[0]!r} is not an ACLED event type: choose from {', '.join(EVENT_TYPES)}")
    if args.format == "acled-csv":
        text = events_to_acled_csv(gdf)
    elif args.format == "acled-incidents":
        from exchange.acled_csv import incidents_to_acled_csv

        text = incidents_to_acled_csv(gdf)
    elif args.format == "geojson":
        text = events_to_geojson(gdf)
    elif args.format == "json":
        fc = json.loads(events_to_geojson(gdf))
        text = json.dumps([{**f["properties"], "geometry": f["geometry"]} for f in fc["features"]], indent=2, ensure_ascii=False)
    else:
        text = _table(gdf)
    _write_output(text, args.out)


def _table(gdf) -> str:
    if gdf.empty:
        return "no events match"
    lines = [f"{'date':<10}  {'type':<27} {'sub-type':<34} {'location':<36} {'conf':>4}  source"]
    for r in gdf.itertuples():
        lines.append(f"{r.event_date:<10}  {r.event_type[:27]:<27} {r.sub_event_type[:34]:<34} {r.location[:36]:<36} {r.x_confidence:>4.2f}  {r.source[:50]}")
    lines.append(f"{len(gdf)} events")
    return "\n".join(lines)


def _cmd_import(args) -> None:
    from store import open_store
    from exchange.acled_csv import iter_acled_csv
    from exchange.geojson_io import read_events_geojson

    suffix = args.file.suffix.lower()
    if suffix == ".csv":
        # Streamed: every row is checked first (nothing is stored from a file with a bad
        # row), then stored in batches, so memory stays bounded however long the file.
        n_rows = sum(1 for _ in iter_acled_csv(args.file))
        batches = _batches(iter_acled_csv(args.file), IMPORT_BATCH)
    elif suffix in (".geojson", ".json"):
        events = read_events_geojson(args.file)
        n_rows, batches = len(events), _batches(iter(events), IMPORT_BATCH)
    else:
        raise CliError(f"{args.file.name}: import reads ACLED CSV (.csv) or GeoJSON (.geojson, .json), not {suffix or 'a file without extension'}")
    store = open_store()
    inserted = updated = 0
    try:
        for batch in batches:
            res = store.upsert_events(batch)
            inserted, updated = inserted + res.inserted, updated + res.updated
    finally:
        store.close()
    print(f"{args.file}: {inserted} events added, {updated} updated ({n_rows} rows)")


IMPORT_BATCH = 20_000  # events per transaction when importing a file


def _batches(events, size: int):
    batch = []
    for e in events:
        batch.append(e)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _cmd_store(args) -> None:
    from store import open_store, redact_target
    from store.copy_store import copy_store

    source = open_store(args.source) if args.source else open_store()
    target = open_store(args.to, load_seeds=False)
    n_articles, n_events = copy_store(source, target)
    print(f"copied {n_articles} articles and {n_events} events from {redact_target(str(source.path))} to {redact_target(args.to)}")
    source.close()
    target.close()


def _cmd_snapshot(args) -> None:
    from render.snapshot import write_snapshot
    from render.view import View

    view = View.from_cli(layers=args.layers, as_of=args.as_of, bbox=args.bbox, title=args.title, naming=args.naming,
                         since=args.since, until=args.until)
    path = write_snapshot(view, args.out, dpi=args.dpi, paper=args.paper, orientation=args.orientation)
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
