"""Corrections that stick: a person fixes a quotation's speaker, type or date, or says it is none.

Every correction is appended to the ``corrections`` log (who, when, the
quotation's anchor, field, value before and after, note) and never updated
or deleted.  It is applied to the stored quotation row, so every list,
search and export shows the corrected value, and applied again whenever
``store.add_extraction`` replaces the article's quotations (a re-ingest of
an edited file): the quotation is found by its anchor (same offsets and
text), else by its quoted text in the new version.  A correction that can
no longer be placed is kept and listed as orphaned (``correction_placements``
holds where each correction is placed now; that table is derived, the log
is not).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .dates.calendar import valid_iso
from .model import QUOTATION_TYPES

if TYPE_CHECKING:
    from .store.sql import SQLStore

#: The fields a correction may change; ``not_a_quotation`` hides the quotation (its history stays).
FIELDS: tuple[str, ...] = ("speaker", "type", "said_on", "not_a_quotation")


class CorrectionError(ValueError):
    """A correction that cannot be made; the message is one line for the user."""


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


def validate(field: str, value: str | None) -> str | None:
    """The value to store for ``field``, or CorrectionError saying what is wrong (the one place that checks)."""
    if field not in FIELDS:
        raise CorrectionError(f"cannot correct {field!r}; one of {', '.join(FIELDS)}")
    if field == "type" and value not in QUOTATION_TYPES:
        raise CorrectionError(f"type must be one of {', '.join(QUOTATION_TYPES)}, not {value!r}")
    if field == "said_on" and value is not None and not valid_iso(value):
        raise CorrectionError(f"said_on must be a real date as YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    if field == "speaker":
        value = (value or "").strip()
        if not value:
            raise CorrectionError("speaker must not be empty")
    if field == "not_a_quotation":
        return "true"
    return value


def current_user() -> str:
    """The OS user, which names who corrected when ``--by`` is not given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def correct(
    store: SQLStore, quotation_id: str, changes: dict[str, str | None], note: str, by: str | None = None
) -> list[int]:
    """Log and apply ``changes`` (field → new value) to one quotation in one transaction; the new log ids."""
    if not changes:
        raise CorrectionError("nothing to correct: give --speaker, --type, --said-on or --not-a-quotation")
    if not note.strip():
        raise CorrectionError("a correction needs a --note saying why")
    values = {name: validate(name, value) for name, value in changes.items()}
    who = (by or current_user()).strip() or "unknown"
    with store.transaction():
        row = store.conn.execute(
            'SELECT q.id, q.article_id, q.start, q."end", q.text, q.speaker, q.type, q.said_on, a.source'
            " FROM quotations q JOIN articles a ON a.id = q.article_id WHERE q.id = ?",
            (quotation_id,),
        ).fetchone()
        if row is None:
            raise CorrectionError(f"no quotation {quotation_id!r} (hidden ones cannot be corrected again)")
        ids = []
        for name, after in values.items():
            before = None if name == "not_a_quotation" else row[name]
            ids.append(_log(store, row, name, before, after, note.strip(), who))
            _apply(store, quotation_id, name, after)
            _place(store, ids[-1], quotation_id, row["article_id"])
    return ids


def _log(store: SQLStore, row: Any, name: str, before: str | None, after: str | None, note: str, who: str) -> int:
    at = datetime.now(UTC).isoformat(timespec="seconds")
    return store.conn.execute(  # RETURNING: the new id even with another writer at work (not MAX(id))
        'INSERT INTO corrections(quotation_id, article_id, source, start, "end", quoted_text, field, before, after,'
        " note, by, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        (
            row["id"],
            row["article_id"],
            row["source"],
            row["start"],
            row["end"],
            row["text"],
            name,
            before,
            after,
            note,
            who,
            at,
        ),
    ).fetchone()[0]


def _place(store: SQLStore, correction_id: int, quotation_id: str | None, article_id: str | None) -> None:
    store.conn.execute(
        "INSERT INTO correction_placements(correction_id, quotation_id, article_id) VALUES (?,?,?)"
        " ON CONFLICT(correction_id) DO UPDATE SET quotation_id = excluded.quotation_id,"
        " article_id = excluded.article_id",
        (correction_id, quotation_id, article_id),
    )


def _apply(store: SQLStore, quotation_id: str, name: str, after: str | None) -> None:
    """Write one corrected value into the quotation row (and its search row); hide it for ``not_a_quotation``."""
    from .store.sql import name_family

    conn = store.conn
    old = conn.execute(
        "SELECT q.text, q.speaker, q.article_id, q.start, a.published FROM quotations q"
        " JOIN articles a ON a.id = q.article_id WHERE q.id = ?",
        (quotation_id,),
    ).fetchone()
    if old is None:
        return
    stale = {name_family(old["speaker"] or "")}
    if name == "not_a_quotation":
        conn.execute(store.dialect.unindex_sql(), (quotation_id,))
        conn.execute("DELETE FROM claim_members WHERE quotation_id = ?", (quotation_id,))
        conn.execute("DELETE FROM quotations WHERE id = ?", (quotation_id,))
    elif name == "speaker":
        # the role and the speaker stage's confidence were the old speaker's: a person's choice has neither
        conn.execute(
            "UPDATE quotations SET speaker = ?, speaker_role = NULL, speaker_confidence = NULL, corrected = 1"
            " WHERE id = ?",
            (after, quotation_id),
        )
        conn.execute(store.dialect.unindex_sql(), (quotation_id,))
        conn.execute(store.dialect.index_sql(), store.dialect.index_row(quotation_id, old["text"], after))
        # a mention of the corrected speaker (zero-width at the quotation, as ``load`` makes them): the speakers
        # table then knows the name, and ``quotes --speaker`` finds it by surname
        conn.execute(
            'INSERT INTO speaker_mentions(article_id, start, "end", text, name, kind, role, seen_on, family)'
            " VALUES (?,?,?,?,?,'unknown',NULL,?,?) ON CONFLICT(article_id, start, \"end\") DO UPDATE SET"
            " text = excluded.text, name = excluded.name, family = excluded.family",
            (old["article_id"], old["start"], old["start"], after, after, old["published"], name_family(after or "")),
        )
        stale.add(name_family(after or ""))
    elif name == "type":
        conn.execute("UPDATE quotations SET type = ?, corrected = 1 WHERE id = ?", (after, quotation_id))
    elif name == "said_on":
        conn.execute(
            "UPDATE quotations SET said_on = ?, said_key = ?, corrected = 1 WHERE id = ?",
            (after, after or "~", quotation_id),
        )
    for family in stale:  # the speakers table recounts these families on its next update
        conn.execute("INSERT INTO speaker_families_stale(family) VALUES (?) ON CONFLICT DO NOTHING", (family,))


def reapply_corrections(store: SQLStore, article_id: str, source: str) -> None:
    """Apply again, in log order, every correction of this article or source to the freshly stored quotations.

    Called by ``add_extraction`` inside its transaction.  Each correction is
    placed on the quotation with the same offsets and text, else on one with
    the same text (nearest to the old offset), else on the quotation whose span
    covers the quoted text found in the new article text; otherwise it is
    orphaned (placement NULL), never dropped.
    """
    conn = store.conn
    entries = conn.execute(
        'SELECT id, start, "end", quoted_text, field, after FROM corrections'
        " WHERE source = ? OR article_id = ? ORDER BY id",
        (source, article_id),
    ).fetchall()
    if not entries:
        return
    quotations = [
        (r[0], r[1], r[2], r[3])
        for r in conn.execute('SELECT id, start, "end", text FROM quotations WHERE article_id = ?', (article_id,))
    ]
    article = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
    hidden: set[str] = set()
    for entry in entries:
        target = _find(quotations, article[0] if article else "", entry["start"], entry["end"], entry["quoted_text"])
        if target is not None and target not in hidden:
            _apply(store, target, entry["field"], entry["after"])
            if entry["field"] == "not_a_quotation":
                hidden.add(target)
        _place(store, entry["id"], target, article_id if target else None)


def _find(
    quotations: list[tuple[str, int, int, str]], article_text: str, start: int, end: int, text: str
) -> str | None:
    """The id of the quotation a correction anchored at ``start``-``end`` on ``text`` belongs to now, or None."""
    for qid, q_start, q_end, q_text in quotations:
        if (q_start, q_end, q_text) == (start, end, text):
            return qid
    same_text = [q for q in quotations if q[3] == text]
    if same_text:
        return min(same_text, key=lambda q: abs(q[1] - start))[0]
    positions = []
    at = article_text.find(text) if text else -1
    while at >= 0:
        positions.append(at)
        at = article_text.find(text, at + 1)
    for pos in sorted(positions, key=lambda p: abs(p - start)):
        covering = [q for q in quotations if q[1] <= pos and pos + len(text) <= q[2]]
        if covering:
            return min(covering, key=lambda q: q[2] - q[1])[0]
    return None


def history(store: SQLStore, quotation_id: str | None = None, *, orphaned: bool = False) -> list[Correction]:
    """The log, oldest first: all of it, one quotation's (by its id then or now), or only the orphaned entries."""
    sql = (
        'SELECT c.id, c.quotation_id, c.article_id, c.source, c.start, c."end", c.quoted_text, c.field, c.before,'
        " c.after, c.note, c.by, c.at, p.quotation_id AS placed_on"
        " FROM corrections c LEFT JOIN correction_placements p ON p.correction_id = c.id"
    )
    args: list[object] = []
    if orphaned:
        sql += " WHERE p.quotation_id IS NULL"
    elif quotation_id:
        sql += " WHERE c.quotation_id = ? OR p.quotation_id = ?"
        args = [quotation_id, quotation_id]
    rows = store.conn.execute(sql + " ORDER BY c.id", args).fetchall()
    return [Correction(*tuple(r)) for r in rows]


__all__ = [
    "FIELDS",
    "Correction",
    "CorrectionError",
    "correct",
    "current_user",
    "history",
    "reapply_corrections",
    "validate",
]
