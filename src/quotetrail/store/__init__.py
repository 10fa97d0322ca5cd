"""Storage behind one small door.

Every other module talks to a ``Store`` through these verbs and never writes
SQL.  ``open_store`` takes a SQLite file (the embedded default) or a
``postgresql://`` URL (a server database a team shares); both are served by
the same class and the same queries (``sql.py``), with the few differences
in ``dialects.py``.
"""

from __future__ import annotations

from pathlib import Path

from .connect import StoreUnavailable, is_url, redact
from .sql import SQLiteStore, SQLStore

Store = SQLStore

#: The database used when neither --db nor QUOTETRAIL_DB names one.
DEFAULT_DB = "quotetrail.db"


def open_store(target: str | Path = DEFAULT_DB) -> Store:
    """Open (creating and migrating if needed) the store at ``target``: a SQLite path or a postgresql:// URL.

    Raises ``StoreUnavailable`` (one line: which database and why) when it
    cannot be reached or prepared.
    """
    return SQLStore(target)


__all__ = [
    "DEFAULT_DB",
    "SQLStore",
    "SQLiteStore",
    "Store",
    "StoreUnavailable",
    "is_url",
    "open_store",
    "redact",
]
