"""Correcting quotations: one quotation (``correct``) or every member of a claim (``correct_claim``).

Each changed field is one log entry, applied to the row and placed on it in
the same transaction; every check runs before anything is written, so a
refused correction leaves the store as it was.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .apply import apply, current_spans, snapshot, spans_json
from .log import Anchor, append, current_user, place
from .validate import (
    CLAIM_WIDE_FIELDS,
    CorrectionError,
    check_claim_target,
    check_combination,
    check_note,
    check_own_claim,
    check_span,
    check_who,
    validate,
)

if TYPE_CHECKING:
    from ..store.sql import SQLStore

#: Members of the target claim kept in a ``claim`` entry to find that claim again after ``claims --rebuild``
#: (claim ids follow the claim's earliest member, so a regrouping may rename it).
CLAIM_ANCHORS = 20


def correct(store: SQLStore, quotation_id: str, changes: dict[str, Any], note: str, by: str | None = None) -> list[int]:
    """Log and apply ``changes`` (field → new value) to one quotation in one transaction; the new log ids.

    Fields: ``speaker``, ``type``, ``said_on``, ``not_a_quotation``, ``span``
    (``(start, end)`` or ``"START END"``), ``claim`` (a claim id) and
    ``new_claim``.  A ``claim``, ``new_claim`` or ``span`` correction takes the
    quotation out of its claim; ``claims.update_claims`` (which the CLI runs
    at once) puts it where the log says.
    """
    check_combination(changes)
    note = check_note(note)
    values = {name: validate(name, value) for name, value in changes.items()}
    who = check_who(by, current_user())
    with store.transaction():
        return _correct_one(store, quotation_id, values, note, who)


def _quotation(store: SQLStore, quotation_id: str) -> Any:
    row = store.conn.execute(
        'SELECT q.id, q.article_id, q.start, q."end", q.text, q.speaker, q.type, q.said_on, q.claim_id, a.source,'
        " a.text AS article_text FROM quotations q JOIN articles a ON a.id = q.article_id WHERE q.id = ?",
        (quotation_id,),
    ).fetchone()
    if row is None:
        raise CorrectionError(
            "no quotation {quotation!r} (hidden ones are brought back with `uncorrect`)", quotation=quotation_id
        )
    return row


def _correct_one(store: SQLStore, quotation_id: str, values: dict[str, Any], note: str, who: str) -> list[int]:
    row = _quotation(store, quotation_id)
    anchor = Anchor(row["id"], row["article_id"], row["source"], row["start"], row["end"], row["text"])
    entries: list[tuple[str, str | None, str | None]] = []  # (field, before, after): all checked before any is written
    for name, value in sorted(values.items(), key=lambda kv: kv[0] == "span"):  # a span last: see reapply
        if name == "span":
            check_span(row["article_text"], *value)
            if current_spans(store, quotation_id) == [value]:
                raise CorrectionError(
                    "quotation {quotation} has the span {start} {end} already",
                    quotation=quotation_id,
                    start=value[0],
                    end=value[1],
                )
            before = spans_json(row["article_text"], current_spans(store, quotation_id))
            entries.append(("span", before, spans_json(row["article_text"], [value])))
        elif name == "claim":
            target = check_claim_target(store, quotation_id, row["claim_id"], value)
            entries.append(("claim", row["claim_id"], claim_target(store, target, quotation_id)))
        elif name == "new_claim":
            check_own_claim(store, quotation_id, row["claim_id"])
            entries.append(("claim", row["claim_id"], json.dumps({"new": True})))
        elif name == "not_a_quotation":
            entries.append(("not_a_quotation", snapshot(store, quotation_id), value))
        else:
            entries.append((name, row[name], value))
    ids = []
    for field, before, after in entries:
        ids.append(append(store, anchor, field, before, after, note, who))
        apply(store, quotation_id, field, after)
        place(store, ids[-1], quotation_id, row["article_id"])
    return ids


def claim_target(store: SQLStore, target: Any, quotation_id: str) -> str:
    """A ``claim`` entry's value: the claim's id, text and some members, to find it again after a regrouping."""
    members = [
        r[0]
        for r in store.conn.execute(
            "SELECT quotation_id FROM claim_members WHERE claim_id = ? AND stance = 'affirms' AND quotation_id != ?"
            " ORDER BY quotation_id",
            (target["id"], quotation_id),
        )
    ]
    return json.dumps(
        {"claim": target["id"], "text": target["text"], "anchors": members[:CLAIM_ANCHORS]}, ensure_ascii=False
    )


def correct_claim(
    store: SQLStore, claim_id: str, changes: dict[str, Any], note: str, by: str | None = None
) -> tuple[list[int], int]:
    """Correct every quotation now in a claim ("every restatement of this claim is by X"): one entry each.

    Returns the new log ids and how many members already had the value (no
    entry for them).  Quotations that join the claim later are *not*
    corrected: a claim groups restatements of one proposition by anyone, so
    a later one may well be somebody else's (docs/corrections.md).
    """
    if not changes:
        raise CorrectionError("nothing to correct: give a speaker or a type")
    wrong = [name for name in changes if name not in CLAIM_WIDE_FIELDS]
    if wrong:
        raise CorrectionError(
            "a whole claim can have its {fields} corrected, not {field}",
            fields=" and ".join(CLAIM_WIDE_FIELDS),
            field=wrong[0],
        )
    note = check_note(note)
    values = {name: validate(name, value) for name, value in changes.items()}
    who = check_who(by, current_user())
    with store.transaction():
        if store.conn.execute("SELECT 1 FROM claims WHERE id = ?", (claim_id,)).fetchone() is None:
            raise CorrectionError("no claim {claim!r} (see `quotetrail claims --all`)", claim=claim_id)
        members = [
            r[0]
            for r in store.conn.execute(
                "SELECT quotation_id FROM claim_members WHERE claim_id = ? AND stance = 'affirms' ORDER BY quotation_id",
                (claim_id,),
            )
        ]
        ids, unchanged = [], 0
        for quotation_id in members:
            row = _quotation(store, quotation_id)
            todo = {name: value for name, value in values.items() if row[name] != value}
            if not todo:
                unchanged += 1
                continue
            ids += _correct_one(store, quotation_id, todo, f"{note} [claim-wide, claim {claim_id}]", who)
    return ids, unchanged
