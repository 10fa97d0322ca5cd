"""Read plain-text articles, including the demo corpus's header convention.

Convention (examples/): an optional first line `` date YYYY-MM <headline or
lead>``.  The date is metadata; the rest of the line is article text (in one
demo file it is the whole lead paragraph, with a quotation in it), so it stays
as the first paragraph.  A short line without final punctuation is also taken
as the title.  Without the header, a headline-like first line is the title and
likewise stays in the text, so quotations in headlines keep their offsets.
"""

from __future__ import annotations

import re

from ..model import Article

_HEADER = re.compile(r"\A[ \t]*date[ \t]+(\d{4}(?:-\d{2}(?:-\d{2})?)?)\b[ \t]*(.*)")
_FILENAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?!\d)")


def is_headline(line: str) -> bool:
    """Short and without sentence-final punctuation: a headline, not a lead sentence."""
    line = line.strip()
    return 0 < len(line) <= 200 and not re.search(r"[.!?…:][\"“”»«']?$", line)


def date_from_filename(name: str) -> str | None:
    """``YYYY-MM-DD`` anywhere in a file name, if it is a real calendar date."""
    match = _FILENAME_DATE.search(name)
    return "-".join(match.groups()) if match else None


def parse_text(text: str, source: str) -> Article:
    """Build an (uncleaned) Article from plain text; the id is set by cleaning."""
    published = None
    published_source = None
    match = _HEADER.match(text)
    if match:
        published, published_source = match.group(1), "header"
        text = match.group(2) + text[match.end() :]
    text = text.strip("\n")
    first_line = text.split("\n", 1)[0]
    next_is_break = "\n" in text and (text.split("\n", 2)[1:2] == [""] or not match)
    title = first_line.strip() if is_headline(first_line) and next_is_break else None
    return Article(
        id="",
        source=source,
        text=text,
        title=title,
        published=published,
        published_source=published_source,
    )
