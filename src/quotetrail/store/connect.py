"""Opening a database by path or URL: SQLAlchemy engines, connection set-up, and clear connection errors.

A path (or ``sqlite:///…``) is a SQLite file, opened one connection per store
as before (no pool: a closed store leaves no file open).  A
``postgresql://…`` URL is a PostgreSQL database, reached through one pooled
engine per URL and process, so the web server's per-request stores reuse
connections.  ``Connection`` gives the store the small DB-API face it is
written against: ``execute(sql, args)`` with ``?`` placeholders, rows that
answer to ``row[0]`` and ``row["name"]``.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import TextClause

_POSTGRES = re.compile(r"^postgres(?:ql)?(?:\+psycopg)?://", re.IGNORECASE)
_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


class StoreUnavailable(Exception):
    """The database cannot be reached, opened or written: one line that says which and why."""


def is_url(target: str | Path) -> bool:
    """Whether ``target`` names a server database (as opposed to a SQLite file)."""
    return bool(_POSTGRES.match(str(target)))


def redact(target: str | Path) -> str:
    """``target`` fit to print: a password in a URL becomes ``***``."""
    return _PASSWORD.sub(r"\1:***@", str(target))


def sqlalchemy_url(target: str | Path) -> tuple[str, Path | None]:
    """The SQLAlchemy URL of a path or URL, and the SQLite file it names (None for PostgreSQL)."""
    if isinstance(target, Path):
        return f"sqlite:///{target}", target
    if _POSTGRES.match(target):
        return _POSTGRES.sub("postgresql+psycopg://", target, count=1), None
    if target.startswith("sqlite://"):
        rest = target.removeprefix("sqlite://")
        path = Path(rest.removeprefix("/")) if rest not in ("", "/", "/:memory:") else Path(":memory:")
        return target if rest else "sqlite://", path
    if "://" in target:
        raise StoreUnavailable(f"cannot open {redact(target)}: give a SQLite file or a postgresql:// URL")
    return f"sqlite:///{target}", Path(target)


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine per database and process: pooled for PostgreSQL, a fresh connection per store for SQLite."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _sqlite_engine(url) if url.startswith("sqlite") else _postgres_engine(url)
            _ENGINES[url] = engine
        return engine


def dispose_engines(target: str | Path | None = None) -> None:
    """Close the pooled connections of one database (``target``) or of all: before dropping it, or at exit."""
    url = sqlalchemy_url(target)[0] if target is not None else None
    with _ENGINES_LOCK:
        for key in [k for k in _ENGINES if url is None or k == url]:
            _ENGINES.pop(key).dispose()


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"timeout": 30, "check_same_thread": False, "isolation_level": None}
    )

    @event.listens_for(engine, "connect")
    def _set_up(dbapi_connection: Any, _record: object) -> None:
        """WAL (readers never wait for the writer), foreign keys, a durable-enough commit, 128 MB of page cache.

        The cache: a million-row ledger's indexes are read and written in
        random key order (quotation ids are hashes), and the default 2 MB
        cache makes every insert a disk read.
        """
        dbapi_connection.isolation_level = None
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "cache_size=-131072"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    return engine


def _postgres_engine(url: str) -> Engine:
    return create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def connect(target: str | Path) -> tuple[Connection, Path | None]:
    """A connection to ``target`` in autocommit mode (the store begins its write transactions itself)."""
    url, path = sqlalchemy_url(target)
    if path is not None and str(path) != ":memory:" and not path.parent.is_dir():
        raise StoreUnavailable(f"cannot open {path}: folder {path.parent} does not exist")
    engine = engine_for(url)
    try:
        raw = _autocommit(engine)
    except DBAPIError as err:
        raise StoreUnavailable(f"cannot connect to {redact(target)}: {connection_reason(err)}") from None
    return Connection(raw, engine), path


def _autocommit(engine: Engine) -> Any:
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def connection_reason(err: BaseException) -> str:
    """Why a connection failed, in a few words a user can act on."""
    message = str(getattr(err, "orig", None) or err)
    lowered = message.lower()
    known = (
        ("password authentication failed", "password authentication failed"),
        ("no password supplied", "a password is required"),
        ("does not exist", None),
        ("connection refused", "server not running (connection refused)"),
        ("no such file or directory", "server not running (no socket)"),
        ("could not translate host name", "unknown host"),
        ("timeout expired", "no answer from the server (timeout)"),
        ("terminating connection", "the server closed the connection"),
        ("server closed the connection", "the server closed the connection"),
        ("unable to open database file", "cannot open the file"),
    )
    for needle, reason in known:
        if needle in lowered:
            if reason is None:  # 'database "x" does not exist' / 'role "x" does not exist': quote the server
                found = re.search(r'(database|role) "[^"]*" does not exist', message)
                return found.group(0) if found else "does not exist"
            return reason
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[0][:200] if lines else type(err).__name__


@lru_cache(maxsize=4096)
def _compiled(sql: str) -> tuple[TextClause, int]:
    """``sql`` with its ``?`` placeholders named ``:p0, :p1, …`` for SQLAlchemy, and how many there are."""
    parts = sql.split("?")
    named = parts[0] + "".join(f":p{i}{part}" for i, part in enumerate(parts[1:]))
    return text(named), len(parts) - 1


def _params(args: Sequence[object] | Mapping[str, object], expected: int) -> dict[str, object]:
    if isinstance(args, Mapping):
        return dict(args)
    values = list(args)
    if len(values) != expected:
        raise ValueError(f"{expected} parameters expected, {len(values)} given")
    return {f"p{i}": v for i, v in enumerate(values)}


@lru_cache(maxsize=1024)
def _row_class(keys: tuple[str, ...]) -> type[tuple]:
    """A tuple type whose items are also reached by column name (the first of a repeated name), as sqlite3.Row."""
    index = {key: i for i, key in reversed(list(enumerate(keys)))}

    class Row(tuple):
        __slots__ = ()

        def __getitem__(self, key: Any) -> Any:
            if isinstance(key, str):
                return tuple.__getitem__(self, index[key])
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(keys)

    return Row


class Result:
    """The rows of one statement (or its row count), with sqlite3's cursor verbs."""

    def __init__(self, result: Any) -> None:
        self._result = result
        self._row = _row_class(tuple(result.keys())) if result.returns_rows else None

    @property
    def rowcount(self) -> int:
        return self._result.rowcount

    def fetchone(self) -> tuple | None:
        row = self._result.fetchone()
        return None if row is None else self._row(row)  # type: ignore[misc]

    def fetchmany(self, size: int) -> list[tuple]:
        return [self._row(r) for r in self._result.fetchmany(size)]  # type: ignore[misc]

    def fetchall(self) -> list[tuple]:
        return [self._row(r) for r in self._result.fetchall()]  # type: ignore[misc]

    def __iter__(self) -> Iterator[tuple]:
        row = self._row
        for r in self._result:
            yield row(r)  # type: ignore[misc]


class Connection:
    """The store's connection: ``execute``/``executemany`` with ``?`` placeholders over SQLAlchemy ``text()``.

    The store's SQL is written once in the dialect both databases share; the
    placeholders become named parameters that SQLAlchemy hands to each driver
    in its own style.
    """

    def __init__(self, raw: Any, engine: Engine) -> None:
        self.raw = raw  # the SQLAlchemy Connection
        self.engine = engine
        self.dialect_name: str = raw.dialect.name
        self._lost = False

    def _run(self, clause: TextClause, params: Any) -> Any:
        """Execute; a connection the server dropped fails this statement and is replaced for the next one.

        The failed statement's transaction is gone (the server rolled it
        back), so what was committed before stays and nothing half-done does;
        the caller records the failure (one article) and may go on.
        """
        if self._lost:
            self.raw = _autocommit(self.engine)  # raises DBAPIError while the server stays unreachable
            self._lost = False
        try:
            return self.raw.execute(clause, params)
        except DBAPIError as err:
            if err.connection_invalidated:
                self._lost = True
                with contextlib.suppress(Exception):
                    self.raw.close()
            raise

    def execute(self, sql: str, args: Sequence[object] | Mapping[str, object] = ()) -> Result:
        clause, expected = _compiled(sql)
        return Result(self._run(clause, _params(args, expected)))

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        clause, expected = _compiled(sql)
        batch = [_params(r, expected) for r in rows]
        if batch:
            self._run(clause, batch)

    def execute_script(self, sql: str) -> None:
        """Run SQL as written (no placeholders): the numbered SQLite migrations."""
        self.raw.exec_driver_sql(sql)

    def set_trace_callback(self, callback: Any) -> None:
        """SQLite only: see every statement run (what the plan tests record)."""
        self.raw.connection.dbapi_connection.set_trace_callback(callback)

    def close(self) -> None:
        self.raw.close()
