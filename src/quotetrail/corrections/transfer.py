"""The corrections log as a file: ``export --corrections FILE`` and ``load --corrections FILE``.

One JSON object per line, oldest first: the entry's fields as stored (who,
when, note, anchor, values) plus ``placed_on`` / ``placed_article`` (where
it applies in the exporting ledger) and ``undone_by``.  Loading appends the
entries the target lacks, keeping their who, when and note; entries are
matched on their content (quotation, field, values, who, when, note), not
their numbers, so loading twice adds nothing and undo entries are renumbered
to the entries they revert.  Placements are computed again in the target:
the quotation with the id the entry was placed on, else its anchor.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..model import Problem
from .apply import apply, current_spans, hide, place_spans, set_spans
from .log import Anchor, append, history, place, undone
from .reapply import find
from .validate import CorrectionError, check_entry

if TYPE_CHECKING:
    from ..store.sql import SQLStore

#: The fields that make two entries the same entry (the log number differs between ledgers).
_SAME = ("quotation_id", "article_id", "source", "start", "end", "quoted_text", "field", "before", "note", "by", "at")


@dataclass
class LogLoad:
    """What loading a log did."""

    added: int = 0
    present: int = 0
    problems: list[Problem] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.added} corrections added to the log, {self.present} were there already;"
            f" {len(self.problems)} refused"
        )


def write_log(store: SQLStore, target: IO[str] | Path) -> int:
    """Write the whole log with placements as JSONL; the number of entries written."""
    placed = {r[0]: r[1] for r in store.conn.execute("SELECT correction_id, article_id FROM correction_placements")}
    handle = target.open("w", encoding="utf-8") if isinstance(target, Path) else target
    n = 0
    try:
        for c in history(store):
            record = asdict(c)
            record["placed_article"] = placed.get(c.id)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    finally:
        if isinstance(target, Path):
            handle.close()
    return n


def read_log(path: Path) -> list[dict[str, Any] | Problem]:
    """The checked entries of a log file, or a Problem naming the line."""
    label = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        return [Problem(label, "load", f"cannot read the corrections log ({err})")]
    out: list[dict[str, Any] | Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(check_entry(json.loads(line)))
        except (ValueError, RecursionError) as err:  # CorrectionError is a ValueError
            reason = str(err) if isinstance(err, CorrectionError) else f"invalid JSON ({err})"
            out.append(Problem(f"{label}:{number}", "load", reason))
    return out


def load_log(store: SQLStore, path: Path) -> LogLoad:
    """Append the entries of a log file the store lacks, in one transaction, and place and apply them."""
    summary = LogLoad()
    records = []
    for item in read_log(path):
        if isinstance(item, Problem):
            summary.problems.append(item)
        else:
            records.append(item)
    with store.transaction():
        numbers: dict[int, int] = {}  # number in the file → number here
        added = []
        for record in records:
            if record["field"] == "undo":
                if int(record["after"]) not in numbers:
                    summary.problems.append(
                        Problem(
                            str(path), "load", f"#{record['id']} undoes #{record['after']}, which is not in the file"
                        )
                    )
                    continue
                record = {**record, "after": str(numbers[int(record["after"])])}
            existing = _existing(store, record)
            if existing is not None:
                numbers[record["id"]] = existing
                summary.present += 1
                continue
            anchor = Anchor(
                *(record[k] for k in ("quotation_id", "article_id", "source", "start", "end", "quoted_text"))
            )
            new_id = append(
                store,
                anchor,
                record["field"],
                record["before"],
                record["after"],
                record["note"],
                record["by"],
                record["at"],
            )
            numbers[record["id"]] = new_id
            added.append((new_id, record))
        reverted = undone(store)
        placed: dict[int, str | None] = {}
        for new_id, record in added:
            placed[new_id] = _place_loaded(store, new_id, record, new_id not in reverted, placed)
        summary.added = len(added)
    return summary


def _existing(store: SQLStore, record: dict[str, Any]) -> int | None:
    rows = store.conn.execute(
        'SELECT id, quotation_id, article_id, source, start, "end", quoted_text, field, before, after, note, by, at'
        " FROM corrections WHERE quotation_id = ? AND at = ? AND field = ?",
        (record["quotation_id"], record["at"], record["field"]),
    ).fetchall()
    for r in rows:
        if all(r[k] == record[k] for k in _SAME) and r["after"] == record["after"]:
            return r[0]
    return None


def _place_loaded(
    store: SQLStore, new_id: int, record: dict[str, Any], active: bool, placed: dict[int, str | None]
) -> str | None:
    """Place one loaded entry (its exporting ledger's quotation id, else its anchor) and apply it if active."""
    conn = store.conn
    if record["field"] == "undo":
        target = placed.get(int(record["after"]))
        if target is None:
            row = conn.execute(
                "SELECT quotation_id FROM correction_placements WHERE correction_id = ?", (int(record["after"]),)
            ).fetchone()
            target = row[0] if row else None
        place(store, new_id, target, _article_of(store, target) if target else None)
        return target
    target = record["placed_on"]
    if target is None:  # orphaned where it was exported: orphaned here too, until its article is re-ingested
        place(store, new_id, None, None)
        return None
    exists = conn.execute("SELECT 1 FROM quotations WHERE id = ?", (target,)).fetchone() is not None
    if not exists and record["field"] == "not_a_quotation":  # hidden there, so not in the export either
        place(store, new_id, target, record["placed_article"])
        return target
    if not exists:
        target = _by_anchor(store, record)
        exists = target is not None
    if exists and active:
        _apply_loaded(store, target, record)
    place(store, new_id, target, _article_of(store, target) or record["placed_article"] if target else None)
    return target


def _by_anchor(store: SQLStore, record: dict[str, Any]) -> str | None:
    """The quotation an entry's anchor finds in the article (by id, else by source) of this ledger."""
    row = store.conn.execute("SELECT id FROM articles WHERE id = ?", (record["article_id"],)).fetchone()
    row = (
        row
        or store.conn.execute("SELECT article_id FROM article_sources WHERE source = ?", (record["source"],)).fetchone()
    )
    if row is None:
        return None
    quotations = {
        r[0]: (r[1], r[2], r[3])
        for r in store.conn.execute('SELECT id, start, "end", text FROM quotations WHERE article_id = ?', (row[0],))
    }
    return find(quotations, "", record["start"], record["end"], record["quoted_text"], cover=False)


def _article_of(store: SQLStore, quotation_id: str | None) -> str | None:
    row = store.conn.execute("SELECT article_id FROM quotations WHERE id = ?", (quotation_id,)).fetchone()
    return row[0] if row else None


def _apply_loaded(store: SQLStore, target: str, record: dict[str, Any]) -> None:
    """Make the loaded row what the entry says; rows from an export of the same ledger already are."""
    field_ = record["field"]
    row = store.conn.execute(
        "SELECT q.speaker, q.type, q.said_on, a.text AS article_text FROM quotations q"
        " JOIN articles a ON a.id = q.article_id WHERE q.id = ?",
        (target,),
    ).fetchone()
    if field_ in ("speaker", "type", "said_on") and row[field_] != record["after"]:
        apply(store, target, field_, record["after"])
    elif field_ == "not_a_quotation":
        hide(store, target)
        return
    elif field_ == "span":
        value = json.loads(record["after"] or "{}")
        spans = place_spans(row["article_text"] or "", value) if row["article_text"] else None
        spans = spans or [tuple(s) for s in value.get("spans", [])]
        if spans and current_spans(store, target) != spans:
            set_spans(store, target, {"spans": spans, "raw": value.get("raw")})
    store.conn.execute("UPDATE quotations SET corrected = 1 WHERE id = ?", (target,))
