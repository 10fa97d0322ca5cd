"""The store's old module name: ``SQLStore`` (``store/sql.py``) serves SQLite and PostgreSQL."""

from .sql import *  # noqa: F403
from .sql import SQLiteStore, SQLStore, _migrations, decode_cursor, encode_cursor  # noqa: F401
