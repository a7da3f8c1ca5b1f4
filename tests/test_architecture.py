"""The package structure holds: no import cycle, each package imports only what its job
allows, no module takes another module's private names, nothing imports the page, and
the tests read nothing outside the repository.

The graph is built from the source with ``ast`` (every ``import`` and ``from ... import``,
at module level or inside a function, since a lazy import is a dependency too), so the
test needs nothing installed and sees what a reader of the code sees.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGES = ("layers", "events", "extract", "store", "exchange", "render", "cli", "seeds")
PAGE = "streamlit_app"

# Which project packages each package may import (besides itself).
ALLOWED = {
    "layers": set(),
    "events": {"layers"},
    "extract": {"events", "layers"},
    "store": {"events", "layers"},
    "exchange": {"events", "layers"},
    "render": {"events", "layers", "exchange", "store"},
    "cli": {"events", "layers", "extract", "store", "exchange", "render"},
    "seeds": set(),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the shipped code: the packages and the page."""
    mods = {PAGE: ROOT / f"{PAGE}.py"}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            mods[_module_name(path)] = path
    return mods


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, modules: set[str]) -> list[tuple[str, list[str]]]:
    """(imported project module, names taken from it) for each import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    known = {m.split(".")[0] for m in modules}
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in known:
                    out.append((alias.name, []))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node)
            if target.split(".")[0] not in known:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:  # `from pkg import submodule`
                    out.append((sub, []))
                else:
                    out.append((target, [alias.name]))
    return out


def import_graph() -> dict[str, dict[str, list[str]]]:
    """module -> {imported project module: names it takes}."""
    mods = project_modules()
    graph: dict[str, dict[str, list[str]]] = {}
    for mod, path in mods.items():
        edges: dict[str, list[str]] = {}
        for target, names in imports_of(mod, path, set(mods)):
            if target != mod:
                edges.setdefault(target, []).extend(names)
        graph[mod] = edges
    return graph


def find_cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


GRAPH = import_graph()


def test_the_graph_sees_the_packages():
    # guards the other tests against an empty or misread graph
    assert {"events.model", "extract.pipeline", "store.geopackage", "store.postgis", "exchange.acled_csv"} <= set(GRAPH)
    assert "events.model" in GRAPH["extract.pipeline"] or "events" in GRAPH["extract.pipeline"]
    assert "store.base" in GRAPH["store.postgis"]


def test_the_checker_finds_a_cycle():
    assert find_cycles({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_project_modules():
    assert find_cycles(GRAPH) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_its_job_allows(package):
    bad = sorted(
        f"{mod} -> {target}"
        for mod, edges in GRAPH.items() if mod.split(".")[0] == package
        for target in edges
        if target.split(".")[0] != package and target.split(".")[0] not in ALLOWED[package]
    )
    assert bad == [], f"{package} may import only {sorted(ALLOWED[package])}"


def test_nothing_imports_the_page():
    assert [m for m, edges in GRAPH.items() if PAGE in edges] == []


def test_no_module_takes_another_modules_private_names():
    bad = sorted(
        f"{mod} takes {name} from {target}"
        for mod, edges in GRAPH.items() for target, names in edges.items() for name in names
        if name.startswith("_") and not name.startswith("__")
    )
    assert bad == []


def test_store_backends_do_not_import_each_other():
    assert "store.postgis" not in GRAPH["store.geopackage"]
    assert "store.geopackage" not in GRAPH["store.postgis"]


def test_every_package_says_its_job():
    for pkg in ("events", "extract", "store", "exchange", "layers", "render"):
        doc = ast.get_docstring(ast.parse((ROOT / pkg / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc.split()) >= 8, pkg


def test_the_packages_import_and_offer_their_public_names():
    import events
    import exchange
    import extract
    import store

    for pkg in (events, extract, store, exchange):
        assert pkg.__all__ and all(hasattr(pkg, name) for name in pkg.__all__), pkg.__name__
    assert callable(store.open_store) and callable(extract.events_from_article)


def _project_text_files():
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".git", ".venv", "data"} or "__pycache__" in rel.parts or not path.is_file():
            continue
        if path.suffix in {".py", ".md", ".toml", ".txt", ".sh", ".cfg"} or rel.parts[0] == ".ci":
            yield rel, path


def test_no_file_cites_the_outside_design_note():
    hits = [str(rel) for rel, path in _project_text_files() if "DESIGN" + ".md" in path.read_text(encoding="utf-8", errors="replace")]
    assert hits == []


def test_the_tests_read_nothing_outside_the_repository():
    # a path that climbs out of the checkout (this file names the patterns, so is not read)
    climbing = re.compile(r"ROOT\.parent\b|\.parents\[[2-9]\]|[\"']\.\./|/ *\"\.\.\"|\bshared/")
    bad = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == Path(__file__).name:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if climbing.search(line):
                bad.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert bad == []
