"""Which extractor made a ledger row: quotetrail's version plus the short hashes of its model files.

Exported with every row (``extractor_version``) so that a reader of an old
export can tell whether a row came from the models shipped now, and so that
a correction can be told apart from an extractor change.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from . import __version__

#: The model files whose bytes decide each tagger's extraction, by the short name used in the version string.
TAGGER_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "crf": (("quote", "quote_tagger.crfsuite"), ("attribution", "attribution_tagger.crfsuite")),
    "encoder": (("encoder", "encoder/encoder_tagger.npz"),),
}


def _short_hash(relative: str) -> str:
    """The first 8 hex digits of the file's SHA-256, or ``missing`` when the file is not shipped."""
    path = resources.files("quotetrail") / "models" / relative
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    return digest.hexdigest()[:8]


def extractor_version() -> str:
    """``0.1.0+quote.1a2b3c4d.attribution.5e6f7a8b`` (CRF path) or ``0.1.0+encoder.9c0d1e2f`` (encoder).

    Only the files of the tagger that runs are named: a new encoder model leaves the rows the
    CRF path extracted up to date for ``reextract --outdated``, and the reverse.
    """
    from .quotations import active_tagger

    return _version(active_tagger())


@lru_cache(maxsize=4)
def _version(tagger: str) -> str:
    return __version__ + "+" + ".".join(f"{name}.{_short_hash(rel)}" for name, rel in TAGGER_FILES[tagger])


__all__ = ["TAGGER_FILES", "extractor_version"]
