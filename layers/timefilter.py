"""Time: parse "as of" dates and keep only the features that existed on that day."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ._errors import LayerError

if TYPE_CHECKING:
    import geopandas as gpd


DATE_HINT = "give YYYY-MM-DD, e.g. 2023-09-19"  # the one wording of every date error


def parse_date(value: dt.date | dt.datetime | str | None, *, name: str = "as_of", first: dt.date | None = None,
               last: dt.date | None = None) -> dt.date | None:
    """Turn a date or an ISO ``YYYY-MM-DD`` string into a :class:`datetime.date`: the
    one date validator of the command line and the page.

    Parameters
    ----------
    value
        A date, a datetime (its date is used), an ISO date string, or ``None``.
    name
        The argument's name, used in the error message.
    first, last
        The range the date must lie in, if any (inclusive).

    Returns
    -------
    datetime.date or None
        ``None`` when ``value`` is ``None`` or an empty string.

    Raises
    ------
    LayerError
        If the string is not a valid ISO date, or the date is outside the range; the
        message names the format and the range.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise LayerError(f"{name}={value!r} is not a date: {DATE_HINT}")
    else:
        raise LayerError(f"{name}={value!r} is not a date: {DATE_HINT}")
    if (first and day < first) or (last and day > last):
        raise LayerError(f"{name}={day.isoformat()} is outside {first.isoformat() if first else '...'} to "
                         f"{last.isoformat() if last else '...'}: give a day in that range, as YYYY-MM-DD")
    return day


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
