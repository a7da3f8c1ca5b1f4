"""The view: bbox checks, filters, and its round trip through URL parameters."""
from __future__ import annotations

import datetime as dt

import pytest

from render.view import View, ViewError, parse_bbox


@pytest.mark.parametrize("text, match", [
    ("47,39,46,40", "west 47.0 >= east 46.0"),
    ("46,40,47,39", "south 40.0 >= north 39.0"),
    ("39.5,46.2,40.2,47.3", "lat,lon order"),
    ("10,10,11,11", "outside the region"),
    ("a,b,c,d", "not four numbers"),
    ("46,39,47", "not four numbers"),
])
def test_bad_bbox_is_a_clear_error(text, match):
    with pytest.raises(ViewError, match=match):
        parse_bbox(text)


def test_good_bbox():
    assert parse_bbox("46.2, 39.4, 47.2, 40.3") == (46.2, 39.4, 47.2, 40.3)


def test_events_after_the_as_of_day_are_left_out():
    assert View(as_of=dt.date(2021, 6, 1)).query_filters()["until"] == dt.date(2021, 6, 1)
    assert View(as_of=dt.date(2021, 6, 1), until=dt.date(2020, 1, 1)).query_filters()["until"] == dt.date(2020, 1, 1)


def test_view_round_trips_through_url_parameters():
    view = View(layers=("borders", "contact_line"), as_of=dt.date(2022, 12, 12), bbox=(46.2, 39.4, 47.2, 40.3),
                since=dt.date(2022, 1, 1), until=dt.date(2022, 12, 31), event_types=("Battles", "Protests"),
                sources=("Reuters | wire", "civilnet"), min_confidence=0.5, review=("confirmed",), naming="azerbaijani")
    back, problems = View.from_query_params_checked(view.to_query_params())
    assert problems == []
    assert back.replace(title=view.title) == view


@pytest.mark.parametrize("kwargs, match", [
    ({"layers": ("roads",)}, "unknown layer 'roads'"),
    ({"event_types": ("Riot",)}, "not an ACLED event type"),
    ({"naming": "russian"}, "not a naming mode"),
    ({"min_confidence": 1.5}, "not between 0 and 1"),
    ({"since": dt.date(2023, 1, 2), "until": dt.date(2023, 1, 1)}, "swap them"),
])
def test_bad_view_settings_are_clear_errors(kwargs, match):
    with pytest.raises(ViewError, match=match):
        View(**kwargs)
