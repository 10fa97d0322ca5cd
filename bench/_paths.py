"""Where the shared corpora are: ../shared/corpora beside the repository."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"


def corpus(*parts: str) -> Path:
    """A corpus folder, or exit with a message when ../shared is not there."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        sys.exit(f"{path} not found: this benchmark needs ../shared/corpora beside the repository")
    return path
