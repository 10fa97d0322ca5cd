"""Which extractor made a ledger row: quotetrail's version, the short hashes of its model files and of its rules.

Exported with every row (``extractor_version``) so that a reader of an old
export can tell whether a row came from the models and rules shipped now, and
so that a correction can be told apart from an extractor change.  The rules
are hashed from their source (``EXTRACTION_CODE``) and lexicons (``data/``):
a version number bumped by hand is forgotten, and then ``reextract
--outdated`` misses the rows a rule change would give differently.  A change
to a comment counts too, which costs a re-extraction that changes nothing.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from . import __version__
from .model_files import model_file

#: The model files whose bytes decide each tagger's extraction, by the short name used in the version string.
TAGGER_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "crf": (("quote", "quote_tagger.crfsuite"), ("attribution", "attribution_tagger.crfsuite")),
    "encoder": (("encoder", "encoder/encoder_tagger.npz"),),
}


#: The modules and packages that turn an article's text into quotations, speakers and dates (the pipeline's
#: stages), relative to the package.  The lexicons in ``data/`` are hashed with them.
EXTRACTION_CODE = ("pipeline.py", "analyse.py", "morphology.py", "lexicons.py", "quotations", "speakers", "dates")


def _short_hash(path: Path) -> str:
    """The first 8 hex digits of the file's SHA-256, or ``missing`` when there is no such file."""
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    return digest.hexdigest()[:8]


def extractor_version() -> str:
    """``0.1.0+quote.1a2b3c4d.attribution.5e6f7a8b.rules.0a1b2c3d`` (CRF path) or ``0.1.0+encoder.9c0d1e2f.rules.…``.

    Only the files of the tagger that runs are named: a new encoder model leaves the rows the
    CRF path extracted up to date for ``reextract --outdated``, and the reverse.
    """
    from .quotations import active_tagger

    tagger = active_tagger()
    # the files this process reads (``model_files``): a folder of one's own models gives another version
    return _version(tagger, tuple(model_file(relative) for _, relative in TAGGER_FILES[tagger]))


@lru_cache(maxsize=1)
def rules_hash() -> str:
    """The installed package's ``code_hash``: computed once per process."""
    return code_hash(resources.files("quotetrail"))


def code_hash(root: Traversable) -> str:
    """The first 8 hex digits of a SHA-256 over the extraction code's ``.py`` files and the lexicons under
    ``root`` (a package folder), each with its path."""
    files: list[tuple[str, Traversable]] = []

    def walk(node: Traversable, path: str) -> None:
        if node.is_dir():
            for child in node.iterdir():
                walk(child, f"{path}/{child.name}")
        elif path.endswith((".py", ".tsv")):
            files.append((path, node))

    for name in (*EXTRACTION_CODE, "data"):
        walk(root / name, name)
    digest = hashlib.sha256()
    for path, node in sorted(files, key=lambda item: item[0]):
        digest.update(path.encode() + b"\0" + node.read_bytes() + b"\0")
    return digest.hexdigest()[:8]


@lru_cache(maxsize=8)
def _version(tagger: str, files: tuple[Path, ...]) -> str:
    names = (name for name, _ in TAGGER_FILES[tagger])
    models = ".".join(f"{name}.{_short_hash(path)}" for name, path in zip(names, files, strict=True))
    return f"{__version__}+{models}.rules.{rules_hash()}"


__all__ = ["EXTRACTION_CODE", "TAGGER_FILES", "code_hash", "extractor_version", "rules_hash"]
