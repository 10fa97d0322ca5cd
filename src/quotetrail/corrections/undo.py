"""Undoing corrections (``uncorrect``): one more log entry that reverts an earlier one.

Nothing is deleted from the log: the undo entry names the entry it reverts
(``after`` = its number), the value that entry replaced comes back, and
re-applying the log (after a re-ingest or re-extraction) skips undone
entries.  Values are recomputed from the log rather than copied from one
entry, so undoing an older correction under a newer one of the same field
keeps the newer one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .apply import apply, drop_mention, hide, mark_stale, place_spans, refresh_flag, restore, set_spans, ungroup
from .log import Anchor, anchor_of, append, current_user, entry, place, undone
from .validate import CorrectionError, check_note, check_who

if TYPE_CHECKING:
    from ..store.sql import SQLStore


def undo(store: SQLStore, correction_ids: Iterable[int | str], note: str, by: str | None = None) -> list[int]:
    """Revert these log entries in one transaction (all or none); the new undo entries' ids.

    Refused with one line: an unknown number, an undo entry (make the
    correction again instead), an entry undone already, or a hiding logged
    before hidden rows were kept in the log.
    """
    note = check_note(note)
    who = check_who(by, current_user())
    try:
        wanted = list(dict.fromkeys(int(i) for i in correction_ids))
    except ValueError:
        raise CorrectionError("give correction numbers as listed by `quotetrail corrections` (e.g. 12)") from None
    if not wanted:
        raise CorrectionError("give the number of the correction to undo (see `quotetrail corrections`)")
    out = []
    with store.transaction():
        reverted = undone(store)
        for correction_id in wanted:
            e = _checked(store, correction_id, reverted)
            target = e["placed_on"]
            here = anchor_of(store, target) if target else None
            anchor = here or Anchor(
                e["quotation_id"], e["article_id"], e["source"], e["start"], e["end"], e["quoted_text"]
            )
            undo_id = append(store, anchor, "undo", None, str(correction_id), note, who)
            reverted[correction_id] = undo_id
            now_on = _revert(store, e, target)
            place(store, undo_id, now_on, e["placed_article"] if now_on else None)
            out.append(undo_id)
    return out


def _checked(store: SQLStore, correction_id: int, reverted: dict[int, int]) -> Any:
    e = entry(store, correction_id)
    if e is None:
        raise CorrectionError("no correction #{number} (see `quotetrail corrections`)", number=correction_id)
    if e["field"] == "undo":
        raise CorrectionError("#{number} is an undo itself; make the correction again instead", number=correction_id)
    if correction_id in reverted:
        raise CorrectionError(
            "#{number} was undone already (by #{by})", number=correction_id, by=reverted[correction_id]
        )
    if e["field"] == "not_a_quotation" and e["placed_on"] and not _saved_row(e["before"]):
        raise CorrectionError(
            "#{number} was logged before hidden quotations were kept in the log: it cannot be undone"
            " (correct the re-ingested article's quotation instead)",
            number=correction_id,
        )
    return e


def _saved_row(before: str | None) -> dict[str, Any] | None:
    try:
        saved = json.loads(before or "")
    except ValueError:
        return None
    return saved if isinstance(saved, dict) and isinstance(saved.get("row"), dict) else None


def _revert(store: SQLStore, e: Any, target: str | None) -> str | None:
    """Undo one entry's effect on the quotation it is placed on; the quotation the undo is placed on."""
    if target is None:  # orphaned: nothing to revert, and it will not be applied if its text comes back
        return None
    field = e["field"]
    exists = store.conn.execute("SELECT 1 FROM quotations WHERE id = ?", (target,)).fetchone() is not None
    if field == "not_a_quotation":
        if exists:
            return target
        restored = restore(store, _saved_row(e["before"]) or {}, e["placed_article"] or e["article_id"])
        store.conn.execute(
            "UPDATE correction_placements SET quotation_id = ? WHERE quotation_id = ?", (restored, target)
        )
        refresh_flag(store, restored)
        return restored
    if not exists:  # hidden by a later correction: the log is reverted, the row stays hidden
        return target
    if field == "add_quotation":
        row = store.conn.execute("SELECT article_id, start, speaker FROM quotations WHERE id = ?", (target,)).fetchone()
        hide(store, target)
        drop_mention(store, row["article_id"], row["start"])
        _stale(store, row["speaker"])
    elif field == "claim":
        ungroup(store, target)  # the claims update places it as the remaining log says, else by similarity
    else:
        _replay(store, field, target)
    refresh_flag(store, target)
    return target


def _replay(store: SQLStore, field: str, quotation_id: str) -> None:
    """Set ``field`` to what the log gives without the undone entries: the newest one left, else the original."""
    rows = store.conn.execute(
        "SELECT c.id, c.before, c.after FROM corrections c JOIN correction_placements p ON p.correction_id = c.id"
        " WHERE p.quotation_id = ? AND c.field = ? ORDER BY c.id",
        (quotation_id, field),
    ).fetchall()
    reverted = undone(store)
    active = [r for r in rows if r[0] not in reverted]
    value = active[-1][2] if active else rows[0][1]
    q = store.conn.execute(
        "SELECT q.article_id, q.start, q.speaker, a.text AS article_text, a.published FROM quotations q"
        " JOIN articles a ON a.id = q.article_id WHERE q.id = ?",
        (quotation_id,),
    ).fetchone()
    if field == "span":
        spans = place_spans(q["article_text"] or "", json.loads(value or "{}"))
        if spans is None:
            raise CorrectionError("cannot restore the span: its words are no longer in the article")
        set_spans(store, quotation_id, {"spans": spans})
    elif field == "speaker" and not active:  # the extractor's speaker again, and no mention of the person's choice
        store.conn.execute("UPDATE quotations SET speaker = ? WHERE id = ?", (value, quotation_id))
        store.conn.execute(store.dialect.unindex_sql(), (quotation_id,))
        text = store.conn.execute("SELECT text FROM quotations WHERE id = ?", (quotation_id,)).fetchone()[0]
        store.conn.execute(store.dialect.index_sql(), store.dialect.index_row(quotation_id, text, value))
        drop_mention(store, q["article_id"], q["start"])
        _stale(store, q["speaker"], value)
    else:
        apply(store, quotation_id, field, value)


def _stale(store: SQLStore, *names: str | None) -> None:
    from ..store.sql import name_family

    mark_stale(store, {name_family(n or "") for n in names})
