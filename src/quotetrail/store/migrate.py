"""Bringing a database to the schema this quotetrail needs: create, upgrade, or (read-only) just check.

- A new database is created from ``schema.py`` (plus the dialect's search
  table and its few per-dialect indexes) and stamped at the Alembic head.
- A SQLite file from before Alembic (its ``schema_version`` table) first gets
  the numbered SQL migrations ``migrations/001…011`` with their Python steps,
  exactly as before, and is then stamped at the baseline revision ``0011``.
- Later schema changes are Alembic revisions in ``store/alembic/versions``,
  run here programmatically (no alembic.ini at run time).

Opening a database already at the head writes nothing, so ``serve`` runs
with a read-only role.  Creating or upgrading happens inside one write
transaction (the dialect's write lock), so two processes opening a new
database at once do not both create it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DBAPIError

from .connect import StoreUnavailable, redact
from .schema import metadata

if TYPE_CHECKING:
    from .sql import SQLStore

#: The last numbered SQL migration; its schema is the Alembic baseline revision.
LEGACY_LAST = 11
BASELINE = "0011"


def _alembic_folder() -> Path:
    return Path(str(resources.files("quotetrail") / "store" / "alembic"))


@lru_cache(maxsize=1)
def _script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(_alembic_folder()))


def head() -> str:
    """The newest schema revision this quotetrail knows."""
    return _script().get_current_head()


def legacy_migrations() -> list[tuple[int, str]]:
    """The numbered SQLite migrations ``(number, sql)``, oldest first (databases made before Alembic)."""
    folder = resources.files("quotetrail") / "store" / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def current_revision(store: SQLStore) -> tuple[str | None, set[str]]:
    """The stamped revision (None when unstamped) and which of quotetrail's bookkeeping tables exist."""
    names = set(sa_inspect(store.conn.raw).get_table_names()) & {"alembic_version", "schema_version", "articles"}
    revision = None
    if "alembic_version" in names:
        row = store.conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return revision, names


#: Server databases this process has seen at the head revision: a web server opens a store per request and
#: need not ask again (a newer quotetrail that upgrades a database later is not this process's concern).
_AT_HEAD: set[str] = set()


def ensure_schema(store: SQLStore) -> None:
    """Create or upgrade ``store``'s database so it has the head schema; nothing written when it has."""
    key = str(store.target) if store.path is None else None  # a file may be deleted and made anew: asked each time
    if key in _AT_HEAD:
        return
    wanted = head()
    revision, _ = current_revision(store)
    if revision == wanted:
        if key:
            _AT_HEAD.add(key)
        return
    try:
        with store.transaction():
            revision, tables = current_revision(store)  # again, under the write lock: another process may have won
            if revision == wanted:
                return
            _bring_to_head(store, revision, tables)
    except DBAPIError as err:
        message = str(getattr(err, "orig", err)).splitlines()[0]
        raise StoreUnavailable(
            f"cannot prepare the schema of {store.display}: {message}"
            " (the first run needs a role that may create and alter tables; a read-only role can serve a"
            " database that is up to date)"
        ) from None


def _bring_to_head(store: SQLStore, revision: str | None, tables: set[str]) -> None:
    if revision is None:
        if "schema_version" in tables:
            if store.dialect.name != "sqlite":
                raise StoreUnavailable(f"{store.display}: a schema_version table outside SQLite is not quotetrail's")
            _legacy_upgrade(store)
            _stamp(store, BASELINE)
        elif "articles" in tables:
            raise StoreUnavailable(f"{redact(store.display)} holds tables that are not a quotetrail ledger")
        else:
            create_schema(store)
            _stamp(store, head())
            return
    _upgrade(store)


def create_schema(store: SQLStore) -> None:
    """Every table and index of ``schema.py``, the dialect's search table, and the claims counters."""
    metadata.create_all(store.conn.raw)
    for statement in store.dialect.search_ddl():
        store.conn.execute(statement)
    store.conn.execute("INSERT INTO claims_state(key, value) VALUES ('generation', 0), ('members', -1)")


def _migration_context(store: SQLStore, **opts: object):
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(store.conn.raw, opts={"target_metadata": metadata, **opts})


def _stamp(store: SQLStore, revision: str) -> None:
    _migration_context(store).stamp(_script(), revision)


def _upgrade(store: SQLStore) -> None:
    """Run the Alembic revisions after the stamped one, inside the caller's transaction."""
    from alembic.operations import Operations

    script = _script()

    def steps(heads: tuple[str, ...], _context: object) -> list[object]:
        return script._upgrade_revs("head", heads)

    context = _migration_context(store, fn=steps, script=script)
    with Operations.context(context):
        context.run_migrations()


def _legacy_upgrade(store: SQLStore) -> None:
    """Every numbered SQL migration up to 11 the file has not had yet, in order, with their Python steps.

    By the set of applied versions, not the highest one: migrations written in
    parallel landed in any order, and a file that got 8 and 9 before 7
    existed must still get 7.
    """
    from .sql import covered_text, name_family, spans_from_json

    conn = store.conn
    applied = {r[0] for r in conn.execute("SELECT version FROM schema_version")}
    for version, sql in legacy_migrations():
        if version in applied or version > LEGACY_LAST:
            continue
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.execute_script(statement)
        if version == 5:
            rows = conn.execute(
                "SELECT q.id, q.speaker_mention, q.cue, q.addressee, a.text FROM quotations q"
                " JOIN articles a ON a.id = q.article_id"
            ).fetchall()
            for qid, mention, cue, addressee, text in rows:
                conn.execute(
                    "UPDATE quotations SET speaker_mention_text = ?, cue_text = ?, addressee_text = ? WHERE id = ?",
                    (
                        covered_text(text, spans_from_json(mention)),
                        covered_text(text, spans_from_json(cue)),
                        covered_text(text, spans_from_json(addressee)),
                        qid,
                    ),
                )
        if version == 6:
            for (name,) in conn.execute("SELECT DISTINCT name FROM speaker_mentions").fetchall():
                conn.execute("UPDATE speaker_mentions SET family = ? WHERE name = ?", (name_family(name), name))
        if version == 9:
            _drop_invalid_dates(store)
        conn.execute("INSERT INTO schema_version VALUES (?)", (version,))


def _drop_invalid_dates(store: SQLStore) -> None:
    """Migration 9: NULL every stored date that is not a real one (see dates.calendar.valid_iso)."""
    from ..dates.calendar import valid_iso

    conn = store.conn
    for table, column in (("articles", "published"), ("quotations", "said_on"), ("speaker_mentions", "seen_on")):
        values = [r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")]
        for value in values:
            if not valid_iso(value):
                conn.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = ?", (value,))
    conn.execute("UPDATE quotations SET said_key = '~' WHERE said_on IS NULL")


def schema_number(revision: str | None) -> int:
    """A revision as the schema version number older code printed (``0011`` → 11)."""
    try:
        return int((revision or "0").split("_", 1)[0])
    except ValueError:
        return 0
