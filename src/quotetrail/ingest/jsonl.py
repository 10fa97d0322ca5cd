"""Read articles from JSON and JSONL files.

Field mapping (the first present, non-empty key wins; documented in
docs/input-formats.md):

==========  ==========================================================
field       keys read
==========  ==========================================================
text        text, body, content, articleBody, maintext, originalText
title       title, headline, documentName
url         url, link, canonical_url
outlet      outlet, site, sitename, site_name, publisher, source_name
published   published, date, datePublished, publication_date, pubDate
author      author, byline_author, authors (list joined by ", ")
agency      agency
==========  ==========================================================

A ``.json`` file may hold one article object, a list of them, or an object
with an ``articles`` list; a ``.jsonl``/``.ndjson`` file one object per line.
A bad line is reported with its number and the others are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..model import Article, InputError
from .published import normalise_published

FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "articleBody", "maintext", "originalText"),
    "title": ("title", "headline", "documentName"),
    "url": ("url", "link", "canonical_url"),
    "outlet": ("outlet", "site", "sitename", "site_name", "publisher", "source_name"),
    "published": ("published", "date", "datePublished", "publication_date", "pubDate"),
    "author": ("author", "byline_author", "authors"),
    "agency": ("agency",),
}


def _first(obj: dict, field: str) -> str | None:
    for key in FIELD_KEYS[field]:
        value = obj.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if isinstance(value, dict):
            value = value.get("name")
        if value not in (None, ""):
            return str(value)
    return None


def article_from_object(obj: object, source: str) -> Article:
    """Map one JSON object to an (uncleaned) Article; InputError if it has no text."""
    if not isinstance(obj, dict):
        raise InputError(source, f"expected a JSON object, got {type(obj).__name__}", "parse")
    text = _first(obj, "text")
    if not text or not text.strip():
        keys = ", ".join(FIELD_KEYS["text"])
        raise InputError(source, f"no article text (looked for keys: {keys})", "parse")
    published = normalise_published(_first(obj, "published"))
    return Article(
        id="",
        source=source,
        text=text.replace("\r\n", "\n").strip(),
        title=_first(obj, "title"),
        url=_first(obj, "url"),
        outlet=_first(obj, "outlet"),
        author=_first(obj, "author"),
        agency=_first(obj, "agency"),
        published=published,
        published_source="json" if published else None,
    )


def parse_json(text: str, source: str) -> Iterator[Article | InputError]:
    """Articles in a ``.json`` file (object, list, or ``{"articles": [...]}``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        yield InputError(source, f"invalid JSON ({err.msg} at line {err.lineno}, column {err.colno})", "parse")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    items = data if isinstance(data, list) else [data]
    for index, obj in enumerate(items):
        where = source if len(items) == 1 else f"{source}#{index}"
        try:
            yield article_from_object(obj, where)
        except InputError as err:
            yield err


def parse_jsonl(lines: Iterator[str], source: str) -> Iterator[Article | InputError]:
    """Articles in a JSON Lines file, one per line; bad lines become errors naming the line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}#{number}"
        if line.startswith("\x00"):  # marker from the streaming reader
            reason = "larger than the size limit" if line == "\x00too-large" else "not decodable as text"
            yield InputError(source, f"line {number}: {reason}; the other lines are still read", "read")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            reason = f"line {number}: invalid JSON ({err.msg}); the other lines are still read"
            yield InputError(source, reason, "parse")
            continue
        try:
            yield article_from_object(obj, where)
        except InputError as err:
            yield InputError(source, f"line {number}: {err.reason}", "parse")
