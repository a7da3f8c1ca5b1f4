"""Time: parse "as of" dates and keep only the features that existed on that day."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ._errors import LayerError

if TYPE_CHECKING:
    import geopandas as gpd


def parse_date(value: dt.date | dt.datetime | str | None, *, name: str = "as_of") -> dt.date | None:
    """Turn a date or an ISO ``YYYY-MM-DD`` string into a :class:`datetime.date`.

    Parameters
    ----------
    value
        A date, a datetime (its date is used), an ISO date string, or ``None``.
    name
        The argument's name, used in the error message.

    Returns
    -------
    datetime.date or None
        ``None`` when ``value`` is ``None`` or an empty string.

    Raises
    ------
    LayerError
        If the string is not a valid ISO date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as err:
            raise LayerError(
                f"{name}={value!r} is not a date: give it as YYYY-MM-DD, e.g. 2022-12-12"
            ) from err
    raise LayerError(f"{name}={value!r} is not a date: give a datetime.date or a YYYY-MM-DD string")


def valid_on(valid_from: str | None, valid_to: str | None, day: dt.date) -> bool:
    """Whether a feature valid from ``valid_from`` to ``valid_to`` (both inclusive,
    empty meaning open) existed on ``day``."""
    start = parse_date(valid_from or None, name="valid_from")
    end = parse_date(valid_to or None, name="valid_to")
    return (start is None or start <= day) and (end is None or day <= end)


def filter_as_of(gdf: gpd.GeoDataFrame, as_of: dt.date | str | None) -> gpd.GeoDataFrame:
    """Keep the rows of ``gdf`` whose ``valid_from``/``valid_to`` span ``as_of``.

    ``None`` keeps every row. Both bounds are inclusive; an empty bound is open.
    """
    day = parse_date(as_of)
    if day is None or gdf.empty:
        return gdf
    keep = [valid_on(f, t, day) for f, t in zip(gdf["valid_from"], gdf["valid_to"])]
    return gdf[keep]
