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
language    language, lang, inLanguage (``de``, ``de-DE``; detected when absent)
==========  ==========================================================

A ``.json`` file may hold one article object, a list of them, or an object
with an ``articles`` list; a ``.jsonl``/``.ndjson`` file one object per line.
A bad line is reported with its number and the others are still read.

Whatever the JSON holds, nothing raises past these functions (issue 13):
nesting deeper than Python's parser can follow is an invalid document;
numbers too long for ``int`` (over 4,300 digits) read as infinite, so they are
no date and no text; the text must be a string (``{"text": NaN}`` is
refused); a date that is no real date is dropped and reported while the
article is kept; lone surrogates (``"\ud800"``) become U+FFFD.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator

from ..clean import language_code
from ..messages import Message
from ..model import Article, InputError
from .decode import scrub_surrogates
from .published import InvalidDate, date_problem, parse_published

FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "articleBody", "maintext", "originalText"),
    "title": ("title", "headline", "documentName"),
    "url": ("url", "link", "canonical_url"),
    "outlet": ("outlet", "site", "sitename", "site_name", "publisher", "source_name"),
    "published": ("published", "date", "datePublished", "publication_date", "pubDate"),
    "author": ("author", "byline_author", "authors"),
    "agency": ("agency",),
    "language": ("language", "lang", "inLanguage"),
}


def _scalar(value: object) -> str | None:
    """A metadata value as text: strings and finite numbers; a dict gives its ``name``; else None."""
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str):
        return scrub_surrogates(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    return None


def _first(obj: dict, field: str) -> str | None:
    """The first present, non-empty value for ``field``; a list (of authors) is joined."""
    for key in FIELD_KEYS[field]:
        value = obj.get(key)
        text = ", ".join(filter(None, map(_scalar, value))) if isinstance(value, list) else _scalar(value)
        if text:
            return text
    return None


def _first_raw(obj: dict, field: str) -> tuple[str, object] | None:
    """The first key present with a non-empty value for ``field``, and that value as parsed."""
    for key in FIELD_KEYS[field]:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return key, value
    return None


def _text(obj: dict, source: str) -> str:
    found = _first_raw(obj, "text")
    if found is None:
        keys = ", ".join(FIELD_KEYS["text"])
        raise InputError(source, Message("no article text (looked for keys: {keys})", keys=keys), "parse")
    key, value = found
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "\n\n".join(value)  # paragraphs
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            what = Message("a number")
        else:
            what = Message("a {kind}", kind=_kind(value))
        message = Message(
            "field {key!r} holds {what} ({value}), not article text", key=key, what=what, value=_short(value)
        )
        raise InputError(source, message, "parse")
    if not value.strip():
        raise InputError(source, Message("field {key!r} is blank", key=key), "parse")
    return scrub_surrogates(value).replace("\r\n", "\n").strip()


def _kind(value: object) -> str | Message:
    return _KINDS.get(type(value), type(value).__name__)


_KINDS: dict[type, str | Message] = {dict: Message("JSON object"), list: Message("JSON list"), bool: "true/false"}


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)[:40] if not isinstance(value, float) else str(value)
    return text if len(text) < 40 else text[:39] + "…"


def _published(obj: dict) -> tuple[str | None, Message | None]:
    """The publication date and, when the date field held no real date, why it was dropped."""
    found = _first_raw(obj, "published")
    if found is None:
        return None, None
    key, value = found
    try:
        return parse_published(value), None
    except InvalidDate as err:
        return None, date_problem(Message("field {key!r}", key=key), value, err.reason)


def read_object(obj: object, source: str) -> tuple[Article, Message | None]:
    """One JSON object as an (uncleaned) Article, plus the reason its date was dropped, if it was.

    Raises InputError when the object has no usable text.
    """
    if not isinstance(obj, dict):
        raise InputError(source, Message("expected a JSON object, got {kind}", kind=_kind(obj)), "parse")
    text = _text(obj, source)
    published, date_note = _published(obj)
    article = Article(
        id="",
        source=source,
        text=text,
        title=_first(obj, "title"),
        url=_first(obj, "url"),
        outlet=_first(obj, "outlet"),
        author=_first(obj, "author"),
        agency=_first(obj, "agency"),
        language=language_code(_first(obj, "language") or ""),
        published=published,
        published_source="json" if published else None,
    )
    return article, date_note


def article_from_object(obj: object, source: str) -> Article:
    """Map one JSON object to an (uncleaned) Article; InputError if it has no text; a bad date is dropped."""
    return read_object(obj, source)[0]


class _LongNumber(float):
    """A JSON integer too long for Python's int conversion: infinite, so it is neither a date nor text."""

    digits: int

    def __new__(cls, digits: int) -> _LongNumber:
        number = super().__new__(cls, math.inf)
        number.digits = digits
        return number

    def __str__(self) -> str:
        return f"a {self.digits:,}-digit number"

    __repr__ = __str__


def _parse_int(digits: str) -> int | float:
    """JSON integers as ``int``, except those over Python's 4,300-digit conversion limit."""
    return int(digits) if len(digits) <= _MAX_DIGITS else _LongNumber(len(digits.lstrip("-")))


_MAX_DIGITS = min(sys.get_int_max_str_digits() or 4300, 4300)


class JSONError(ValueError):
    """Why a JSON text cannot be read, and where when the parser knows."""

    def __init__(self, what: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(what)
        self.what, self.line, self.column = what, line, column


def load_json(text: str) -> object:
    """``json.loads`` that fails only with ``JSONError``, in words a user can act on.

    Python's parser raises RecursionError on deep nesting, and for a number
    of more than 4,300 digits a ValueError about ``sys.set_int_max_str_digits``
    (avoided by ``_parse_int``); neither may end an ingest run.
    """
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        raise JSONError(err.msg, err.lineno, err.colno) from err
    except RecursionError as err:
        raise JSONError(f"nested deeper than {sys.getrecursionlimit()} levels") from err


def _objects(data: object, source: str) -> list[tuple[str, object]]:
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    items = data if isinstance(data, list) else [data]
    return [(source if len(items) == 1 else f"{source}#{index}", obj) for index, obj in enumerate(items)]


def _skipped(number: int, reason: Message) -> Message:
    """A bad line of a JSONL file: the reader says why and reads on."""
    return Message("line {number}: {reason}; the other lines are still read", number=number, reason=reason)


def _invalid_json(err: JSONError, *, with_line: bool) -> Message:
    """Why a text is not JSON, and where the parser stopped when it knows."""
    if with_line and err.line:
        return Message(
            "invalid JSON ({what} at line {line}, column {column})", what=err.what, line=err.line, column=err.column
        )
    if err.column and not with_line:
        return Message("invalid JSON ({what} at column {column})", what=err.what, column=err.column)
    return Message("invalid JSON ({what})", what=err.what)


def parse_json(text: str, source: str) -> Iterator[Article | InputError]:
    """Articles in a ``.json`` file (object, list, or ``{"articles": [...]}``); a dropped date is reported."""
    try:
        data = load_json(text)
    except JSONError as err:
        yield InputError(source, _invalid_json(err, with_line=True), "parse")
        return
    for where, obj in _objects(data, source):
        try:
            article, date_note = read_object(obj, where)
        except InputError as err:
            yield err
            continue
        if date_note:
            yield InputError(where, date_note, "parse")
        yield article


def parse_jsonl(lines: Iterator[str], source: str) -> Iterator[Article | InputError]:
    """Articles in a JSON Lines file, one per line; bad lines become errors naming the line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}#{number}"
        if line.startswith("\x00"):  # marker from the streaming reader
            if line == "\x00too-large":
                reason = Message("larger than the size limit")
            else:
                reason = Message("not decodable as text")
            yield InputError(source, _skipped(number, reason), "read")
            continue
        try:
            obj = load_json(line)
        except JSONError as err:
            reason = _invalid_json(err, with_line=False)  # a line's own line number is always 1
            yield InputError(source, _skipped(number, reason), "parse")
            continue
        try:
            article, date_note = read_object(obj, where)
        except InputError as err:
            yield InputError(
                source, Message("line {number}: {reason}", number=number, reason=err.message or err.reason), "parse"
            )
            continue
        if date_note:
            yield InputError(source, Message("line {number}: {reason}", number=number, reason=date_note), "parse")
        yield article
