"""Stable article ids from content."""

from __future__ import annotations

import hashlib
import re

_WS = re.compile(r"\s+")


def article_id(text: str, title: str | None = None) -> str:
    """A content hash of title and text, whitespace-normalised.

    Why content and not path: the same article found under two paths (or
    re-downloaded) must not be stored twice; a changed article gets a new id
    and the store replaces the old version that came from the same source.

    Why ``surrogatepass``: a lone surrogate (from a JSON ``"\\ud800"`` escape)
    is not encodable as UTF-8.  The readers replace them, but hashing must not
    be where a run ends (issue 13); for every other text the bytes, and so the
    ids, are the same as plain UTF-8.
    """
    key = _WS.sub(" ", (title or "").strip()) + "\n" + _WS.sub(" ", text.strip())
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
