"""branca's element templates without a Jinja compilation on every map.

Each ``branca.element.Element(text)`` compiles ``text`` as a Jinja template. folium and
streamlit-folium make many such elements on every render, most of them from text that
is already rendered (a Leaflet include, the map's own script with its layers' GeoJSON,
hundreds of kilobytes): on every rerun of the page Jinja tokenised all of it again,
about a sixth of the rerun. :func:`install` makes ``Element`` take its template from
:class:`CachedTemplate`, which

- gives text with no Jinja syntax in it (no ``{{``, ``{%`` or ``{#``) a
  :class:`StaticText`, which renders it as Jinja would (line ends made ``\\n``, one
  trailing line end dropped) without compiling it;
- compiles any other text once and keeps it, up to :data:`MAX_TEMPLATES` texts of up
  to :data:`MAX_CACHED_CHARS` characters (a compiled Jinja template is immutable and
  renders safely from several threads, as Streamlit's sessions do).
"""
from __future__ import annotations

import logging
import re
import threading

import branca.element
import jinja2

log = logging.getLogger(__name__)

MAX_TEMPLATES = 1024
MAX_CACHED_CHARS = 20_000
_JINJA_SYNTAX = re.compile(r"\{[{%#]")
_LINE_END = re.compile(r"\r\n|\r")


class StaticText:
    """A template of text with no Jinja syntax: ``render`` gives what Jinja's would."""

    __slots__ = ("text",)

    def __init__(self, source: str) -> None:
        text = _LINE_END.sub("\n", source)
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *args, **kwargs) -> str:
        return self.text


class CachedTemplate(jinja2.Template):
    """``jinja2.Template(text)``, compiled once per text, or a :class:`StaticText`."""

    _compiled: dict[str, jinja2.Template] = {}
    _lock = threading.Lock()

    def __new__(cls, source, *args, **kwargs):
        if args or kwargs or not isinstance(source, str):
            return super().__new__(cls, source, *args, **kwargs)
        if not _JINJA_SYNTAX.search(source):
            return StaticText(source)
        template = cls._compiled.get(source)
        if template is None:
            template = super().__new__(cls, source)
            if len(source) <= MAX_CACHED_CHARS:
                with cls._lock:
                    if len(cls._compiled) < MAX_TEMPLATES:
                        cls._compiled[source] = template
        return template


def install() -> None:
    """Make ``branca.element.Element`` build its templates through :class:`CachedTemplate`."""
    if branca.element.Template is not CachedTemplate:
        branca.element.Template = CachedTemplate
        log.debug("branca element templates: static text uncompiled, the rest compiled once per text")
