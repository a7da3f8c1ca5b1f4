"""Contested names: one explicit rule for every label, popup and export.

Three modes: ``both`` (the default, "Stepanakert / Khankendi"), ``armenian`` (Armenian
usage, "Stepanakert", "Shushi") and ``azerbaijani`` (Azerbaijani usage in English
transliteration, "Khankendi", "Shusha"). Where both usages agree one name is shown.
"""
from __future__ import annotations

from typing import Literal, Mapping

from ._errors import LayerError

NamingMode = Literal["both", "armenian", "azerbaijani"]
NAMING_MODES: dict[str, str] = {
    "both": "Both names (Stepanakert / Khankendi)",
    "armenian": "Armenian usage (Stepanakert, Shushi)",
    "azerbaijani": "Azerbaijani usage (Khankendi, Shusha)",
}


def check_mode(mode: str) -> NamingMode:
    """Return ``mode`` if it is a naming mode, else raise :class:`LayerError`."""
    if mode not in NAMING_MODES:
        raise LayerError(f"naming={mode!r} is not a naming mode: choose from {', '.join(NAMING_MODES)}")
    return mode  # type: ignore[return-value]


def display_name(armenian: str | None, azerbaijani: str | None, mode: NamingMode = "both") -> str:
    """The label for a place named ``armenian`` and ``azerbaijani`` by each side."""
    check_mode(mode)
    hy = (armenian or "").strip()
    az = (azerbaijani or "").strip()
    if not hy or not az or hy.casefold() == az.casefold():
        return hy or az
    if mode == "armenian":
        return hy
    if mode == "azerbaijani":
        return az
    return f"{hy} / {az}"


def feature_name(row: Mapping, mode: NamingMode = "both") -> str:
    """Label of a layer feature or gazetteer row, whichever name columns it has."""
    hy = row.get("name_hy")
    az = row.get("name_az_en") or (row.get("name_en") if hy else None)
    if hy or az:
        return display_name(hy, az, mode)
    return str(row.get("name") or row.get("feature_id") or "")
