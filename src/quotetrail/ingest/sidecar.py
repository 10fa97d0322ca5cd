"""Metadata a user supplies in a CSV beside the articles, overriding what was detected.

Columns (header row required; any subset besides ``path``/``url``):
``path`` (relative to the CSV's folder, absolute, or a bare file name) or
``url``, then ``outlet``, ``published``, ``title``, ``agency``, ``author``,
``language`` (``de``, ``de-DE``: overrides language detection).
An empty cell leaves the detected value alone.  This is how undated files
get dated and outlets get named.  A ``published`` cell that is not a real
date (``gestern``, ``2024-02-31``) refuses the whole CSV with its line, value
and reason: a sidecar is written by hand, so one typo is worth fixing before
any of it is trusted.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from ..clean import language_code
from ..model import Article, InputError
from .published import InvalidDate, normalise_published, parse_published, shown

OVERRIDABLE = ("outlet", "published", "title", "agency", "author", "language")
#: How a cell becomes the field's value, where it is not the text as written (checked on reading the CSV).
_NORMALISE = {"published": normalise_published, "language": language_code}


class Sidecar:
    """Rows of a sidecar CSV, looked up by path, file name or url."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._by_key: dict[str, dict[str, str]] = {}
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                fields = set(reader.fieldnames or ())
                if not fields & {"path", "url"}:
                    raise InputError(str(path), "sidecar CSV needs a 'path' or 'url' column", "read")
                for row in reader:
                    self._check_date(row, reader.line_num)
                    self._check_language(row, reader.line_num)
                    for key in self._keys(row):
                        self._by_key[key] = row
        except OSError as err:
            raise InputError(str(path), f"cannot read sidecar CSV ({err.strerror})", "read") from err
        except UnicodeDecodeError as err:
            raise InputError(
                str(path), f"sidecar CSV is not UTF-8 (byte {err.start}); save it as UTF-8", "read"
            ) from err
        except csv.Error as err:
            raise InputError(str(path), f"invalid sidecar CSV ({err})", "read") from err

    def _check_date(self, row: dict[str, str], line: int) -> None:
        published = (row.get("published") or "").strip()
        try:
            parse_published(published)
        except InvalidDate as err:
            reason = f"line {line}: unreadable date {shown(published)} ({err.reason})"
            raise InputError(str(self.path), reason, "read") from err

    def _check_language(self, row: dict[str, str], line: int) -> None:
        language = (row.get("language") or "").strip()
        if language and language_code(language) is None:
            reason = f"line {line}: unreadable language {language!r} (an ISO 639 code such as 'de' or 'de-DE')"
            raise InputError(str(self.path), reason, "read")

    def _keys(self, row: dict[str, str]) -> list[str]:
        keys = []
        if row.get("url"):
            keys.append("url:" + row["url"].strip())
        if row.get("path"):
            raw = row["path"].strip()
            candidate = Path(raw)
            if not candidate.is_absolute():
                candidate = self.path.parent / candidate
            keys.append("path:" + str(candidate.resolve()))
            keys.append("name:" + Path(raw).name)
        return keys

    def apply(self, article: Article, file_path: Path | None) -> Article:
        """Override the article's metadata with its row, if it has one."""
        row = None
        if article.url:
            row = self._by_key.get("url:" + article.url)
        if row is None and file_path is not None:
            row = self._by_key.get("path:" + str(file_path.resolve())) or self._by_key.get("name:" + file_path.name)
        if row is None:
            return article
        changes: dict[str, str | None] = {}
        for field in OVERRIDABLE:
            value = (row.get(field) or "").strip()
            if value:
                changes[field] = _NORMALISE.get(field, str)(value)
        if "published" in changes:
            changes["published_source"] = "sidecar"
        return replace(article, **changes)
