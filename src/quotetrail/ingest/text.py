"""Read plain-text articles, including the demo corpus's header convention.

Convention (examples/): an optional first line `` date YYYY-MM <headline or
lead>``.  The date is metadata; the rest of the line is article text (in one
demo file it is the whole lead paragraph, with a quotation in it), so it stays
as the first paragraph.  A short line without final punctuation is also taken
as the title.  Without the header, a headline-like first line is the title and
likewise stays in the text, so quotations in headlines keep their offsets.

A header date that is no real date (`` date 2024-13``) is dropped: the
article is kept undated and ``read_text`` reports the bad value (issue 13).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..analyse import is_headline
from ..dates.calendar import valid_iso
from ..messages import Message
from ..model import Article, InputError
from .published import InvalidDate, date_problem, parse_published

_HEADER = re.compile(r"\A[ \t]*date[ \t]+(\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?)\b[ \t]*(.*)")
_FILENAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?!\d)")


def date_from_filename(name: str) -> str | None:
    """The first ``YYYY-MM-DD`` in a file name that is a real calendar date (``2024-02-31`` is skipped)."""
    for match in _FILENAME_DATE.finditer(name):
        day = "-".join(match.groups())
        if valid_iso(day):
            return day
    return None


def parse_text(text: str, source: str) -> Article:
    """Build an (uncleaned) Article from plain text; the id is set by cleaning.

    A header date that is not a real date is left out; ``read_text`` also says so.
    """
    return _parse_text(text, source)[0]


def read_text(text: str, source: str) -> Iterator[Article | InputError]:
    """The article of a plain-text file, preceded by an InputError if its header date was dropped."""
    article, problem = _parse_text(text, source)
    if problem is not None:
        yield problem
    yield article


def _parse_text(text: str, source: str) -> tuple[Article, InputError | None]:
    published = None
    published_source = None
    problem = None
    match = _HEADER.match(text)
    if match:
        try:
            published = parse_published(match.group(1))
        except InvalidDate as err:
            problem = InputError(source, date_problem(Message("header date"), match.group(1), err.reason), "parse")
        published_source = "header" if published else None
        text = match.group(2) + text[match.end() :]
    text = text.strip("\n")
    first_line = text.split("\n", 1)[0]
    next_is_break = "\n" in text and (text.split("\n", 2)[1:2] == [""] or not match)
    title = first_line.strip() if is_headline(first_line) and next_is_break else None
    article = Article(
        id="",
        source=source,
        text=text,
        title=title,
        published=published,
        published_source=published_source,
    )
    return article, problem
