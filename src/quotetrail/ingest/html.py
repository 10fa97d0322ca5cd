"""Read HTML pages with trafilatura: main text, title, date, author, site name.

trafilatura is the best-kept German-friendly extractor on PyPI (Apache-2.0);
it drops navigation and footers and reads dates from metadata with htmldate.
htmldate only returns real dates, but the date still passes the common check
(``published.normalise_published``) so no reader can store an invalid one.
"""

from __future__ import annotations

import logging

import trafilatura

from ..lexicons import lexicon_map
from ..messages import Message
from ..model import Article, InputError
from .decode import scrub_surrogates
from .published import normalise_published

#: Why a page gave no article: trafilatura found none, or only navigation and boilerplate.
NO_TEXT = Message("no article text found in HTML (truncated page or only navigation?)")

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def outlet_name(sitename: str | None, hostname: str | None) -> str | None:
    """Map a site name or host to a known outlet name, else keep the site name."""
    outlets = lexicon_map("outlets", "key", "outlet")
    for key in (hostname, sitename):
        if not key:
            continue
        low = key.lower().removeprefix("www.")
        if low in outlets:
            return outlets[low]
    return sitename or hostname


def parse_html(html: str, source: str, url: str | None = None) -> Article:
    """Extract the article from an HTML page; InputError when nothing article-like is in it."""
    if "<" not in html[:2000]:
        raise InputError(source, Message("not HTML: no markup found"), "parse")
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if document is None:
        raise InputError(source, NO_TEXT, "parse")
    data = document.as_dict()
    text = scrub_surrogates((data.get("text") or "").strip())
    if len(text) < 20:
        raise InputError(source, NO_TEXT, "parse")
    title = scrub_surrogates((data.get("title") or "").strip()) or None
    lines = text.split("\n")
    if title and lines and lines[0].strip() == title:
        pass  # keep the headline in the text, as for plain text
    elif title:
        lines.insert(0, title)
    published = normalise_published(data.get("date"))
    return Article(
        id="",
        source=source,
        text="\n\n".join(line.strip() for line in lines if line.strip()),
        title=title,
        url=url or data.get("url"),
        outlet=outlet_name(data.get("sitename"), data.get("hostname")),
        author=data.get("author"),
        published=published,
        published_source="html" if published else None,
    )
