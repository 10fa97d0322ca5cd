"""Load the rule and lexicon files in ``quotetrail/data``.

Rules live in data files, not code, so that a journalist can add a cue verb
or a boilerplate phrase without touching Python.  Every file is a TSV with a
``#`` line naming its source and licence, then a header row; ``load_lexicon``
checks each row on load and names the file and line of a bad one.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


class LexiconError(ValueError):
    """A data file is malformed; the message names the file and line."""


@cache
def load_lexicon(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``data/<name>.tsv`` as dicts keyed by the header; comment lines skipped.

    Cached because lexicons are read-only data; the cache never changes a result.
    """
    path = resources.files("quotetrail") / "data" / f"{name}.tsv"
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        if len(cells) != len(header):
            raise LexiconError(f"data/{name}.tsv:{number}: expected {len(header)} columns {header}, got {len(cells)}")
        if any(not c.strip() for c in cells[:1]):
            raise LexiconError(f"data/{name}.tsv:{number}: empty key")
        rows.append(dict(zip(header, cells, strict=True)))
    if not rows:
        raise LexiconError(f"data/{name}.tsv: no entries")
    return tuple(rows)


def lexicon_map(name: str, key: str, value: str) -> dict[str, str]:
    """A ``key → value`` dict over a lexicon's rows (keys lower-cased)."""
    return {row[key].lower(): row[value] for row in load_lexicon(name)}
