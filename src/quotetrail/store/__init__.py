"""Storage behind one small door.

Every other module talks to a ``Store`` through these verbs and never writes
SQL; SQLite (``sqlite.py``) is the embedded default, and a server database
can arrive as a second implementation of the same verbs.
"""

from __future__ import annotations

from pathlib import Path

from .sqlite import SQLiteStore, check_date

Store = SQLiteStore


def open_store(path: str | Path = "quotetrail.db") -> Store:
    """Open (creating and migrating if needed) the store at ``path``."""
    return SQLiteStore(path)


__all__ = ["SQLiteStore", "Store", "check_date", "open_store"]
