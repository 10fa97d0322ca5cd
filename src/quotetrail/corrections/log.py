"""The corrections log: append an entry, say where it is placed now, read the history.

The ``corrections`` table is only ever inserted into (never updated or
deleted): it is the audit trail.  ``correction_placements`` is derived: the
quotation each entry applies to now, or NULL when it can no longer be
placed (orphaned); it is rewritten whenever corrections are re-applied.
An undo is one more entry (``field = 'undo'``, ``after`` = the number of the
entry it reverts), so the log keeps both the correction and its undoing.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store.sql import SQLStore


@dataclass(frozen=True, slots=True)
class Correction:
    """One entry of the corrections log, with where it is placed now (None: orphaned)."""

    id: int
    quotation_id: str
    article_id: str
    source: str
    start: int
    end: int
    quoted_text: str
    field: str
    before: str | None
    after: str | None
    note: str
    by: str
    at: str
    placed_on: str | None
    undone_by: int | None = None  # the undo entry that reverted this one, if any


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where an entry points: the quotation's id, article, source, offsets and quoted text at that time."""

    quotation_id: str
    article_id: str
    source: str
    start: int
    end: int
    text: str


def current_user() -> str:
    """The OS user, which names who corrected when ``--by`` is not given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def anchor_of(store: SQLStore, quotation_id: str) -> Anchor | None:
    """The anchor of a stored quotation, or None when there is none with that id."""
    row = store.conn.execute(
        'SELECT q.id, q.article_id, a.source, q.start, q."end", q.text'
        " FROM quotations q JOIN articles a ON a.id = q.article_id WHERE q.id = ?",
        (quotation_id,),
    ).fetchone()
    return Anchor(*tuple(row)) if row else None


def append(
    store: SQLStore,
    anchor: Anchor,
    field: str,
    before: str | None,
    after: str | None,
    note: str,
    by: str,
    at: str | None = None,
) -> int:
    """Insert one log entry; its id (RETURNING: right with another writer at work, unlike MAX(id))."""
    return store.conn.execute(
        'INSERT INTO corrections(quotation_id, article_id, source, start, "end", quoted_text, field, before, after,'
        " note, by, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        (
            anchor.quotation_id,
            anchor.article_id,
            anchor.source,
            anchor.start,
            anchor.end,
            anchor.text,
            field,
            before,
            after,
            note,
            by,
            at or now(),
        ),
    ).fetchone()[0]


def place(store: SQLStore, correction_id: int, quotation_id: str | None, article_id: str | None) -> None:
    """Say where an entry applies now (None: orphaned); the placements table is derived, so this may overwrite."""
    store.conn.execute(
        "INSERT INTO correction_placements(correction_id, quotation_id, article_id) VALUES (?,?,?)"
        " ON CONFLICT(correction_id) DO UPDATE SET quotation_id = excluded.quotation_id,"
        " article_id = excluded.article_id",
        (correction_id, quotation_id, article_id),
    )


def undone(store: SQLStore) -> dict[int, int]:
    """Entry id → the undo entry that reverted it."""
    rows = store.conn.execute("SELECT id, after FROM corrections WHERE field = 'undo' ORDER BY id").fetchall()
    return {int(r[1]): r[0] for r in rows}


def entry(store: SQLStore, correction_id: int) -> Any:
    """One log entry with its placement (``placed_on``, ``placed_article``), or None."""
    return store.conn.execute(
        'SELECT c.id, c.quotation_id, c.article_id, c.source, c.start, c."end", c.quoted_text, c.field, c.before,'
        " c.after, c.note, c.by, c.at, p.quotation_id AS placed_on, p.article_id AS placed_article"
        " FROM corrections c LEFT JOIN correction_placements p ON p.correction_id = c.id WHERE c.id = ?",
        (correction_id,),
    ).fetchone()


def active_on(store: SQLStore, quotation_id: str) -> list[Any]:
    """The entries that apply to a quotation now (placed on it, not undone, not undos), oldest first."""
    rows = store.conn.execute(
        "SELECT c.id, c.field, c.before, c.after FROM corrections c"
        " JOIN correction_placements p ON p.correction_id = c.id"
        " WHERE p.quotation_id = ? AND c.field != 'undo' ORDER BY c.id",
        (quotation_id,),
    ).fetchall()
    reverted = undone(store)
    return [r for r in rows if r[0] not in reverted]


def history(store: SQLStore, quotation_id: str | None = None, *, orphaned: bool = False) -> list[Correction]:
    """The log, oldest first: all of it, one quotation's (by its id then or now), or only the orphaned entries.

    An undo entry is placed where the entry it reverts is, so it shows in that
    quotation's history; it is never listed as orphaned itself.
    """
    sql = (
        'SELECT c.id, c.quotation_id, c.article_id, c.source, c.start, c."end", c.quoted_text, c.field, c.before,'
        " c.after, c.note, c.by, c.at, p.quotation_id AS placed_on"
        " FROM corrections c LEFT JOIN correction_placements p ON p.correction_id = c.id"
    )
    args: list[object] = []
    if orphaned:
        sql += " WHERE p.quotation_id IS NULL AND c.field != 'undo'"
    elif quotation_id:
        sql += " WHERE c.quotation_id = ? OR p.quotation_id = ?"
        args = [quotation_id, quotation_id]
    rows = store.conn.execute(sql + " ORDER BY c.id", args).fetchall()
    reverted = undone(store)
    return [Correction(*tuple(r), undone_by=reverted.get(r[0])) for r in rows]


def undone_among(store: SQLStore, correction_ids: list[int]) -> dict[int, int]:
    """``undone`` for a few entries only (one page of the log): entry id → the undo entry that reverted it."""
    if not correction_ids:
        return {}
    marks = ",".join("?" * len(correction_ids))
    rows = store.conn.execute(
        f"SELECT id, after FROM corrections WHERE field = 'undo' AND after IN ({marks}) ORDER BY id",
        [str(i) for i in correction_ids],
    ).fetchall()
    return {int(r[1]): r[0] for r in rows}


def log_page(
    store: SQLStore, *, before: int | None = None, limit: int = 50, orphaned: bool = False
) -> tuple[list[Correction], int, int | None]:
    """One page of the log, newest first: the entries, how many there are in all, and the ``before`` of the next page.

    A keyset page (entries with a smaller id than ``before``), so the
    thousandth page reads what the first does; ``orphaned`` keeps only the
    entries no quotation takes now, as ``history(orphaned=True)`` does.
    """
    joined = " FROM corrections c LEFT JOIN correction_placements p ON p.correction_id = c.id"
    where = ["p.quotation_id IS NULL", "c.field != 'undo'"] if orphaned else []
    total = store.conn.execute(
        "SELECT COUNT(*)" + (joined + " WHERE " + " AND ".join(where) if where else " FROM corrections c")
    ).fetchone()[0]
    args: list[object] = []
    if before is not None:
        where.append("c.id < ?")
        args.append(before)
    sql = (
        'SELECT c.id, c.quotation_id, c.article_id, c.source, c.start, c."end", c.quoted_text, c.field, c.before,'
        " c.after, c.note, c.by, c.at, p.quotation_id AS placed_on"
        + joined
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY c.id DESC LIMIT ?"
    )
    rows = store.conn.execute(sql, [*args, limit + 1]).fetchall()
    more = len(rows) > limit and limit > 0
    rows = rows[:limit]
    reverted = undone_among(store, [r[0] for r in rows])
    entries = [Correction(*tuple(r), undone_by=reverted.get(r[0])) for r in rows]
    return entries, total, entries[-1].id if more else None
