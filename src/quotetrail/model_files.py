"""Where the taggers' model files are read from: the package's ``models/`` folder, or a folder of one's own.

``quotetrail train --out DIR`` writes models laid out as the package's folder
(the CRF taggers at its top, the encoder in ``encoder/``).  With
``QUOTETRAIL_MODELS=DIR`` (or ``quotetrail --models DIR``) every model file
DIR holds is read from there and the others from the package, so an encoder
retrained on one's own annotations runs beside the shipped CRF taggers, and
nothing inside the installed package has to be overwritten.  An environment
variable, because the worker pool's processes and Spark's executors must read
the same files as the process that started them.  The extractor version of
every row names the hashes of the files actually read (``provenance``).
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

#: The environment variable naming a folder of one's own models.
ENV = "QUOTETRAIL_MODELS"


@cache
def package_models() -> Path:
    """The models shipped inside the package."""
    return Path(str(resources.files("quotetrail") / "models"))


def own_models() -> Path | None:
    """The folder ``QUOTETRAIL_MODELS`` names, if it names one."""
    value = os.environ.get(ENV, "").strip()
    return Path(value).expanduser() if value else None


def model_file(relative: str) -> Path:
    """The file to read for ``relative`` (``"quote_tagger.crfsuite"``, ``"encoder/encoder_tagger.npz"``).

    From the folder ``QUOTETRAIL_MODELS`` names where it holds the file, else the package's
    (which may lack it too: a tagger without its file is simply unavailable).
    """
    return _resolved(os.environ.get(ENV, "").strip(), relative)


@cache
def _resolved(own: str, relative: str) -> Path:
    """``model_file`` once per folder and file: every stored row asks for its extractor version, which names
    the files read, so the answer must cost no file-system call after the first (a file added to the folder
    later in the same process is not seen; the taggers are opened once per process anyway)."""
    if own and (Path(own).expanduser() / relative).is_file():
        return Path(own).expanduser() / relative
    return package_models() / relative


__all__ = ["ENV", "model_file", "own_models", "package_models"]
