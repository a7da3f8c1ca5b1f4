"""ACLED's event taxonomy and codes (ACLED Codebook, 2023 edition).

Event types and sub-event types form a fixed hierarchy; each event type belongs to a
disorder type. Actor categories (``inter1``/``inter2``) are numeric codes, also given as
text in newer ACLED exports.
"""
from __future__ import annotations

from .errors import EventValidationError

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

SUB_EVENT_PARENT: dict[str, str] = {sub: et for et, subs in EVENT_TYPES.items() for sub in subs}

_DISORDER_BY_TYPE = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Riots": "Political violence",
    "Protests": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
_DISORDER_BY_SUB = {
    "Violent demonstration": "Political violence; Demonstrations",
    "Excessive force against protesters": "Political violence; Demonstrations",
}
DISORDER_TYPES = ("Political violence", "Demonstrations", "Strategic developments", "Political violence; Demonstrations")

INTER_CODES: dict[int, str] = {
    0: "",
    1: "State forces",
    2: "Rebel group",
    3: "Political militia",
    4: "Identity militia",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other forces",
}
_INTER_BY_TEXT = {v.casefold(): k for k, v in INTER_CODES.items() if v}
_INTER_BY_TEXT.update({"rebel groups": 2, "political militias": 3, "identity militias": 4,
                       "civilian": 7, "external/other force": 8, "state force": 1, "protester": 6})

TIME_PRECISION = {1: "day", 2: "week", 3: "month"}
GEO_PRECISION = {1: "town", 2: "near or part of a town", 3: "region or line"}

# Colours per event type, shared by the map and the snapshot (colour-blind safe set).
EVENT_COLOURS: dict[str, str] = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
    "Strategic developments": "#1f77b4",
}


def check_event_type(event_type: str, sub_event_type: str) -> None:
    """Raise :class:`EventValidationError` unless the pair is in ACLED's hierarchy."""
    if event_type not in EVENT_TYPES:
        raise EventValidationError(
            "event_type", event_type, f"is not an ACLED event type: use one of {', '.join(EVENT_TYPES)}"
        )
    if sub_event_type not in EVENT_TYPES[event_type]:
        parent = SUB_EVENT_PARENT.get(sub_event_type)
        hint = f" (it belongs to {parent!r})" if parent else ""
        raise EventValidationError(
            "sub_event_type", sub_event_type,
            f"is not a sub-type of {event_type!r}{hint}: use one of {', '.join(EVENT_TYPES[event_type])}",
        )


def disorder_type_for(event_type: str, sub_event_type: str) -> str:
    """ACLED's disorder type for an event type and sub-type."""
    return _DISORDER_BY_SUB.get(sub_event_type, _DISORDER_BY_TYPE[event_type])


def inter_code(value: object, *, field: str = "inter1") -> int:
    """An ACLED actor category as its number, from a number or its text."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return 0
    if isinstance(value, (int, float)) and float(value).is_integer() and int(value) in INTER_CODES:
        return int(value)
    text = str(value).strip()
    if text.isdigit() and int(text) in INTER_CODES:
        return int(text)
    code = _INTER_BY_TEXT.get(text.casefold())
    if code is None:
        raise EventValidationError(
            field, value, "is not an ACLED actor category: use 0-8 or its name, e.g. 'State forces'"
        )
    return code


def interaction_code(inter1: int, inter2: int) -> int:
    """ACLED's interaction code: the two categories, lower first (``12``, ``17``, ``10``)."""
    if not inter2:
        return inter1 * 10
    lo, hi = sorted((inter1, inter2))
    return lo * 10 + hi
