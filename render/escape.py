"""Escaping of untrusted text for every place it goes.

Article text is untrusted. folium inserts popup and tooltip HTML into JavaScript
template literals (`` `...` ``), so besides HTML's ``& < > " '`` the characters that
act inside a template literal (`` ` ``, ``$``, ``{``, ``}``, ``\\``) are written as HTML
character references: the browser shows them as typed, and JavaScript sees no
syntax in them.
"""
from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

# Markdown (Streamlit's st.write, st.caption, st.warning...): every ASCII punctuation
# character may be backslash-escaped in CommonMark, and escaped it is only a character:
# no link, image, emphasis, heading, table, math ($), directive (:red[...]) or autolink.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"})
_NOT_SHOWN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;", "\\": "&#92;"})


def html_text(value: object) -> str:
    """``value`` as inert text for HTML and for a JavaScript template literal."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL)


def md_text(value: object) -> str:
    """``value`` as inert text for Streamlit's Markdown: shown exactly as typed, never a
    link, image, format or directive. Control characters and lone surrogates are dropped.
    Every untrusted string the page shows through Markdown goes through this."""
    if value is None:
        return ""
    return _NOT_SHOWN.sub("", str(value)).translate(_MARKDOWN).replace("\n", "  \n")


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def print_text(value: object) -> str:
    """``value`` with every character XML 1.0 does not allow removed (control characters,
    lone surrogates, U+FFFE/U+FFFF): the text of an SVG or PDF that any reader opens."""
    if value is None:
        return ""
    return _NOT_XML.sub("", str(value))


def safe_url(value: object) -> str:
    """An ``http(s)`` URL, escaped for an ``href``; '' for anything else (``javascript:``, ``data:``...)."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"[\s<>\"'`]", text):
        return ""
    return html_text(text)


def link(url: object, label: object) -> str:
    """An escaped ``<a>`` to ``url`` (opens in a new tab), or the escaped label alone."""
    href = safe_url(url)
    text = html_text(label or url)
    if not href:
        return text
    return f'<a href="{href}" target="_blank" rel="noopener noreferrer nofollow">{text}</a>'


def js_json(value: object) -> str:
    """JSON for embedding in a ``<script>``: no ``</script>`` or ``<!--`` can close it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
