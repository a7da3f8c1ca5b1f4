"""Articles: bytes or a file in, clean text and metadata out.

Plain text may start with header lines ``Title:``, ``Source:`` (a URL or a name) and
``Published:`` (YYYY-MM-DD) followed by a blank line. HTML (a saved news page) gives
its title, publication date and source through its metadata; its article text is
taken with trafilatura. Bytes in any common encoding are decoded (UTF-8, cp1251,
cp1254, ...). Input over the size limit is refused before any work is done.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from events import ArticleRecord, EventError, EventValidationError, parse_event_date

log = logging.getLogger(__name__)

MAX_ARTICLE_BYTES_DEFAULT = 1_000_000


class ArticleError(EventError):
    """An article cannot be read: encoding, size or format."""


def max_article_bytes() -> int:
    """The largest article accepted, in bytes: ``$KARABAKH_MAP_MAX_ARTICLE_BYTES`` or 1,000,000.

    Raises
    ------
    ArticleError
        If the variable is set but is not a positive whole number.
    """
    raw = os.environ.get("KARABAKH_MAP_MAX_ARTICLE_BYTES", "").strip()
    if not raw:
        return MAX_ARTICLE_BYTES_DEFAULT
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if limit <= 0:
        raise ArticleError(f"KARABAKH_MAP_MAX_ARTICLE_BYTES={raw!r} is not a positive number of bytes: "
                           "set it to e.g. 1000000, or unset it for the default")
    return limit

HEADER_RX = re.compile(r"^(title|source|published|date|url)\s*:\s*(.*)$", re.IGNORECASE)
DATELINE_RX = re.compile(
    r"^\s*(?P<place>[A-ZÀ-ÖØ-ÞƏŞÇĞÜÖİ][A-ZÀ-ÖØ-ÞƏŞÇĞÜÖİ .'\-/]{2,40}?)"
    r"(?:,\s*(?P<where>[A-Z][A-Za-z .]{2,30}?))?"
    r"(?:,?\s*(?P<date>(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)(?:,?\s+\d{4})?))?"
    r"\s*(?:\((?P<agency>[A-Za-z .&/-]{2,30})\))?\s*[-\u2013\u2014:]+\s"
)


AGENCY_RX = re.compile(
    r"\((Reuters|AP|AFP|Bloomberg|Interfax|TASS|RIA Novosti|Anadolu|APA|Trend|Turan|Armenpress|news\.am|CivilNet|"
    r"EurasiaNet|OC Media|JAMnews|RFE/RL|Azertac|AZERTAC|Report\.az|Caucasian Knot)\)", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """A readable article.

    Attributes
    ----------
    text
        The article's text (no headers), NFC-normalised.
    title, source_url, source_name
        Metadata; empty when unknown.
    published
        Publication date, or ``None`` when neither the file nor the user gives one.
    dateline
        ``(start, end)`` of a dateline ("STEPANAKERT, Sept 20 (Reuters) -") in ``text``,
        or ``None``.
    """

    text: str
    title: str = ""
    source_url: str = ""
    source_name: str = ""
    published: dt.date | None = None
    dateline: tuple[int, int] | None = None
    filename: str = ""
    warnings: tuple[str, ...] = field(default=())

    @functools.cached_property
    def article_id(self) -> str:
        """A hash of the text with spaces and case folded: the same article, re-saved, has the same id."""
        canonical = " ".join(self.text.split()).casefold()
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]

    def record(self) -> ArticleRecord:
        """The metadata as the store keeps it."""
        return ArticleRecord(
            article_id=self.article_id, title=self.title, source_name=self.source_name, source_url=self.source_url,
            published=self.published.isoformat() if self.published else "", n_chars=len(self.text), origin="ingest",
        )


def decode_bytes(data: bytes, *, name: str = "article") -> str:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else the
    encoding charset-normalizer finds (cp1251, cp1254, latin-1, ...).

    Raises
    ------
    ArticleError
        For binary data or bytes whose encoding cannot be determined.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise ArticleError(f"{name}: starts with a UTF-16 mark but is not UTF-16 text: save it as UTF-8") from err
    nul = data.count(b"\x00")
    if nul > max(8, len(data) // 100):
        raise ArticleError(f"{name} looks like a binary file ({nul} NUL bytes), not text or HTML: save the article as .txt or .html")
    if nul:
        log.warning("%s: removed %d NUL bytes", name, nul)
        data = data.replace(b"\x00", b"")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ArticleError(
            f"{name}: the text encoding cannot be determined (it is not UTF-8, and no common encoding fits): "
            "save the article as UTF-8 and try again"
        )
    log.info("%s: decoded as %s", name, best.encoding)
    return str(best)


def _looks_like_html(text: str, filename: str) -> bool:
    if filename.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or ("<body" in head and "</" in text)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    # control and format characters out (each distinct character is looked at once)
    bad = {c for c in set(text) if c not in "\n\t" and unicodedata.category(c)[0] == "C"}
    if bad:
        text = text.translate({ord(c): None for c in bad})
    return text.strip()


def read_article(
    data: bytes | str,
    *,
    filename: str = "",
    published: dt.date | str | None = None,
    source_url: str | None = None,
    title: str | None = None,
) -> Article:
    """Read an article from bytes or text; flags (``published``, ``source_url``,
    ``title``) override what the file says.

    Raises
    ------
    ArticleError
        For input over the size limit, empty input, or an undecodable encoding.
    """
    name = filename or "article"
    limit = max_article_bytes()
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > limit:
        raise ArticleError(f"{name} is {size:,} bytes: the limit is {limit:,} bytes (about 1 MB of text); split the article or raise KARABAKH_MAP_MAX_ARTICLE_BYTES")
    text = data if isinstance(data, str) else decode_bytes(data, name=name)
    if not text.strip():
        raise ArticleError(f"{name} is empty: paste or upload the article's text")
    meta: dict[str, str] = {}
    if _looks_like_html(text, filename):
        text, meta = _from_html(text, name)
    else:
        text, meta = _split_headers(text)
    text = _clean(text)
    if not text:
        raise ArticleError(f"{name} has no article text (only headers or markup)")
    if "title" not in meta:
        first, _, rest = text.partition("\n")
        if rest.startswith("\n") and len(first) < 150 and not first.rstrip().endswith((".", "!", "?", ":", '"', "”")):
            meta["title"] = first.strip()  # a headline line on its own, as saved pages have
    warnings: list[str] = []
    pub_value = published if published not in (None, "") else meta.get("published")
    pub = None
    if pub_value:
        try:
            pub = parse_event_date(pub_value, field="published")
        except EventValidationError as err:
            if published not in (None, ""):
                raise ArticleError(f"published={published!r} is not a date: give YYYY-MM-DD, e.g. 2023-09-19") from err
            warnings.append(f"the publication date {pub_value!r} in the file is not a date; ignored")
    dateline = None
    m = DATELINE_RX.match(text)
    # "STEPANAKERT, Sept 20 (Reuters) -", or a place in capitals before a dash ("STEPANAKERT —")
    if m and (m.group("agency") or m.group("date") or (m.group("place").isupper() and len(m.group("place").strip()) >= 4
                                                       and re.search(r"[\u2013\u2014-]\s$", m.group(0)))):
        dateline = (m.start(), m.end())
        if pub is None and m.group("date"):
            warnings.append("no publication date given: the dateline's day is used")
            try:
                from .dates import find_dates

                found = find_dates(m.group("date"), dt.date.today())
                if found:
                    pub = found[0].date
            except ValueError:
                pass
    if pub is None:
        warnings.append("no publication date: relative dates (\"on Tuesday\") cannot be resolved; give --published")
    url = source_url if source_url is not None else meta.get("url", "")
    if not meta.get("source"):
        agency = AGENCY_RX.search(text[:400])
        if agency:
            meta["source"] = agency.group(1)
    src = meta.get("source", "")
    if src.startswith(("http://", "https://")):
        link, outlet = _url_and_outlet(src)  # "SOURCE: https://... (The Hindu)"
        url = url or link
        src = outlet
    if not src and url:
        src = re.sub(r"^https?://(www\.)?", "", url).split("/")[0]
    return Article(
        text=text, title=(title if title is not None else meta.get("title", "")).strip(), source_url=url.strip(),
        source_name=src.strip(), published=pub, dateline=dateline, filename=filename, warnings=tuple(warnings),
    )


_URL_OUTLET = re.compile(r"^(?P<url>https?://\S+?)[.,;]?(?:\s+[(\[](?P<outlet>[^)\]]{1,80})[)\]]|\s+[-–—|]\s+(?P<outlet2>.{1,80}))?\s*$")


def _url_and_outlet(value: str) -> tuple[str, str]:
    """A ``Source:`` value as (URL, outlet): "https://x.org/a (Outlet)" gives both; a
    bare URL gives the URL and ''."""
    m = _URL_OUTLET.match(value.strip())
    if not m:
        return value.split()[0], ""
    return m.group("url"), (m.group("outlet") or m.group("outlet2") or "").strip()


def read_article_file(path: str | Path, **overrides) -> Article:
    """Read an article file (``.txt`` or ``.html``); see :func:`read_article`."""
    p = Path(path)
    if not p.is_file():
        raise ArticleError(f"{p} does not exist or is not a file")
    limit = max_article_bytes()
    if p.stat().st_size > limit:
        raise ArticleError(f"{p.name} is {p.stat().st_size:,} bytes: the limit is {limit:,} bytes; split the article")
    return read_article(p.read_bytes(), filename=p.name, **overrides)


def _split_headers(text: str) -> tuple[str, dict[str, str]]:
    lines = text.lstrip("\ufeff").splitlines()
    meta: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = HEADER_RX.match(lines[i].strip())
        if not m:
            break
        key = {"date": "published", "url": "url"}.get(m.group(1).lower(), m.group(1).lower())
        meta[key] = m.group(2).strip()
        i += 1
    if meta and (i == len(lines) or not lines[i].strip()):
        return "\n".join(lines[i:]), meta
    return text, {}


def _from_html(markup: str, name: str) -> tuple[str, dict[str, str]]:
    meta: dict[str, str] = {}
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(
            markup, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as err:  # trafilatura raises many internal types on odd markup
        log.warning("%s: trafilatura failed (%s); falling back to plain text", name, err)
        doc = None
    if doc is not None:
        get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
        text = get("text") or ""
        meta = {k: v for k, v in {
            "title": get("title") or "", "published": get("date") or "", "url": get("url") or "",
            "source": get("sitename") or "",
        }.items() if v}
        if text.strip():
            return text, meta
    # Fallback: the text of the markup, by libxml2's HTML parser (through lxml, which
    # trafilatura needs anyway): linear in the input whatever the markup, where regular
    # expressions over tags and the standard library's parser go quadratic.
    title, body = _text_of_html(markup)
    if title and "title" not in meta:
        meta["title"] = title
    return "\n".join(" ".join(line.split()) for line in body.splitlines() if line.strip()), meta


_SKIPPED_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg")
_BLOCK_TAGS = {"br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote"}


def _text_of_html(markup: str) -> tuple[str, str]:
    """(title, text) of an HTML page: paragraph breaks kept; scripts, styles and page
    navigation left out."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        doc = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return "", ""
    title = " ".join(" ".join(doc.xpath("//title//text()")).split())
    for el in doc.xpath("|".join(f"//{t}" for t in (*_SKIPPED_TAGS, "title"))):
        el.drop_tree()
    for el in doc.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    return title, etree.tostring(doc, method="text", encoding="unicode")
