"""Re-applying the log to an article's freshly stored quotations (re-ingest, re-extraction, load).

Every entry made on the article (by its source or its id) is placed again,
oldest first, on the quotation that has the same offsets and text, else the
same text (nearest the old offset: the text moved), else whose span covers
the quoted text where it now stands in the article (the span changed).  An
entry none of these place is orphaned: kept, listed by ``corrections
--orphaned``, placed again if its text comes back.  Undone entries are
placed (their history stays readable) but not applied; undo entries are
placed where the entry they revert is.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .add import add_again
from .apply import apply, current_spans, place_spans, set_spans
from .log import place, undone

if TYPE_CHECKING:
    from ..store.sql import SQLStore

#: ``(start, end, text)`` of each quotation of the article, by id; updated as spans are corrected and rows added.
Quotations = dict[str, tuple[int, int, str]]


def reapply_corrections(store: SQLStore, article_id: str, source: str, *, fresh: bool = True) -> None:
    """Apply again, in log order, every correction of this article or source to its stored quotations.

    Called by ``add_extraction`` inside its transaction (``fresh``: the rows
    are the extractor's), and by loading a log (``fresh=False``: the rows came
    from an export that already carries the corrections, so nothing is
    regrouped or cut again that already is as the log says).
    """
    conn = store.conn
    entries = conn.execute(
        'SELECT id, field, start, "end", quoted_text, before, after FROM corrections'
        " WHERE source = ? OR article_id = ? ORDER BY id",
        (source, article_id),
    ).fetchall()
    if not entries:
        return
    reverted = undone(store)
    article = conn.execute("SELECT id, source, text, published FROM articles WHERE id = ?", (article_id,)).fetchone()
    text = (article["text"] if article else "") or ""
    quotations: Quotations = {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute('SELECT id, start, "end", text FROM quotations WHERE article_id = ?', (article_id,))
    }
    hidden: set[str] = set()
    placed: dict[int, str | None] = {}
    for e in entries:
        if e["field"] == "undo":
            target = placed.get(int(e["after"]), _placement(store, int(e["after"])))
        else:
            target = _reapply_one(store, e, e["id"] not in reverted, article, text, quotations, hidden, fresh)
        placed[e["id"]] = target
        place(store, e["id"], target, article_id if target else None)


def _placement(store: SQLStore, correction_id: int) -> str | None:
    row = store.conn.execute(
        "SELECT quotation_id FROM correction_placements WHERE correction_id = ?", (correction_id,)
    ).fetchone()
    return row[0] if row else None


def _reapply_one(
    store: SQLStore,
    e: Any,
    active: bool,
    article: Any,
    text: str,
    quotations: Quotations,
    hidden: set[str],
    fresh: bool,
) -> str | None:
    """Place one entry (and apply it when ``active``); the quotation it is placed on, or None."""
    field = e["field"]
    anchor = (e["start"], e["end"], e["quoted_text"])
    if field == "add_quotation":
        target = find(quotations, text, *anchor, cover=False)
        if not active or article is None:
            return target
        if target is None:
            target = add_again(store, e, article, 0)
            if target is not None:
                row = store.conn.execute('SELECT start, "end", text FROM quotations WHERE id = ?', (target,)).fetchone()
                quotations[target] = (row[0], row[1], row[2])
            return target
        for name, value in json.loads(e["after"]).items():
            if name in ("type", "speaker", "said_on") and value is not None and target not in hidden:
                apply(store, target, name, value)
        return target
    target = find(quotations, text, *anchor)
    if field == "span":
        return _reapply_span(store, e, active, text, quotations, target, fresh)
    if target is None or not active or target in hidden:
        return target
    if field == "claim" and not fresh:
        store.conn.execute("UPDATE quotations SET corrected = 1 WHERE id = ?", (target,))
        return target
    apply(store, target, field, e["after"])
    if field == "not_a_quotation":
        hidden.add(target)
    return target


def _reapply_span(
    store: SQLStore, e: Any, active: bool, text: str, quotations: Quotations, target: str | None, fresh: bool
) -> str | None:
    """A corrected span: moved as far as its quotation moved, or found by its covered text."""
    after = json.loads(e["after"])
    delta = quotations[target][0] - e["start"] if target is not None else 0
    if target is None:  # the extractor now cuts it as the person did, or the row came with its corrected span
        spans = after["spans"]
        target = next((q for q, (s, end, _) in quotations.items() if (s, end) == (spans[0][0], spans[-1][1])), None)
    if target is None or not active:
        return target
    spans = place_spans(text, after, delta) if text else [tuple(s) for s in after["spans"]]
    if spans is None:
        return None
    if current_spans(store, target) == spans and not fresh:
        store.conn.execute("UPDATE quotations SET corrected = 1 WHERE id = ?", (target,))
    else:
        set_spans(store, target, {"spans": spans, "raw": after.get("raw")})
    row = store.conn.execute('SELECT start, "end", text FROM quotations WHERE id = ?', (target,)).fetchone()
    quotations[target] = (row[0], row[1], row[2])
    return target


def find(
    quotations: Quotations, article_text: str, start: int, end: int, text: str, *, cover: bool = True
) -> str | None:
    """The id of the quotation an entry anchored at ``start``-``end`` on ``text`` belongs to now, or None."""
    for qid, (q_start, q_end, q_text) in quotations.items():
        if (q_start, q_end, q_text) == (start, end, text):
            return qid
    same_text = [(qid, q[0]) for qid, q in quotations.items() if q[2] == text]
    if same_text:
        return min(same_text, key=lambda q: abs(q[1] - start))[0]
    if not cover:
        return None
    positions = []
    at = article_text.find(text) if text else -1
    while at >= 0:
        positions.append(at)
        at = article_text.find(text, at + 1)
    for pos in sorted(positions, key=lambda p: abs(p - start)):
        covering = [(qid, q) for qid, q in quotations.items() if q[0] <= pos and pos + len(text) <= q[1]]
        if covering:
            return min(covering, key=lambda c: c[1][1] - c[1][0])[0]
    return None
