"""Shared fixtures: an isolated store per test, and the project root."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    """Every test gets its own store file, so none touches data/ or another test."""
    monkeypatch.setenv("KARABAKH_MAP_STORE", str(tmp_path / "store.gpkg"))
    monkeypatch.delenv("KARABAKH_MAP_DATABASE_URL", raising=False)
    yield
