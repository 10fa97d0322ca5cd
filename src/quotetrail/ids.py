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
    """
    key = _WS.sub(" ", (title or "").strip()) + "\n" + _WS.sub(" ", text.strip())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
