"""Writing a correction into the quotation rows: the one place that changes a corrected row.

Used when a correction is made, when it is undone, and when the log is
re-applied to a re-extracted article, so all three change rows the same way.
Spans are stored as JSON (``{"spans": [[start, end], ...], "raw": [covered
text, ...]}``) so that a corrected span can be found again in an edited
article: the covered text is looked up near its old offset.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..model import Quotation, Span
from .validate import CorrectionError, find_nearest

if TYPE_CHECKING:
    from ..store.sql import SQLStore

#: The role span columns shifted with the quotation when a hidden row is brought back into an edited article.
_ROLE_SPANS = ("cue", "speaker_mention", "frame", "addressee")


def apply(store: SQLStore, quotation_id: str, field: str, after: str | None) -> None:
    """Write one corrected value into the quotation row (and its search row); hide it for ``not_a_quotation``.

    ``span`` takes the spans JSON already placed in this article (see
    ``place_spans``); ``claim`` only takes the quotation out of its claim, and
    the next claims update puts it where the log says (``claims.pinned``).
    """
    from ..store.sql import name_family

    conn = store.conn
    old = conn.execute(
        "SELECT q.id, q.text, q.speaker, q.article_id, q.start, a.published FROM quotations q"
        " JOIN articles a ON a.id = q.article_id WHERE q.id = ?",
        (quotation_id,),
    ).fetchone()
    if old is None:
        return
    stale = {name_family(old["speaker"] or "")}
    if field == "not_a_quotation":
        hide(store, quotation_id)
    elif field == "speaker":
        set_speakers(store, [old], after)
    elif field == "type":
        conn.execute("UPDATE quotations SET type = ?, corrected = 1 WHERE id = ?", (after, quotation_id))
    elif field == "said_on":
        conn.execute(
            "UPDATE quotations SET said_on = ?, said_key = ?, corrected = 1 WHERE id = ?",
            (after, after or "~", quotation_id),
        )
    elif field == "span":
        set_spans(store, quotation_id, json.loads(after or "{}"))
    elif field == "claim":
        ungroup(store, quotation_id)
        conn.execute("UPDATE quotations SET corrected = 1 WHERE id = ?", (quotation_id,))
    mark_stale(store, stale)


def set_speakers(store: SQLStore, rows: Sequence[Any], after: str | None) -> None:
    """Give quotation ``rows`` (id, text, speaker, article_id, start, published) the speaker a person named.

    One statement per step for all rows, so that a merge of 10,000
    quotations (``speaker_merges``) changes them as one correction changes one.
    The role and the speaker stage's confidence were the old speaker's: a
    person's choice has neither.  The search row is rewritten with the new
    name, a zero-width mention of it is recorded where the quotation starts
    (so the speakers table knows the name and ``quotes --speaker`` finds it
    by surname), and both names' families are recounted.
    """
    from ..store.sql import name_family

    conn, dialect = store.conn, store.dialect
    conn.executemany(
        "UPDATE quotations SET speaker = ?, speaker_role = NULL, speaker_confidence = NULL, corrected = 1 WHERE id = ?",
        [(after, r["id"]) for r in rows],
    )
    conn.executemany(dialect.unindex_sql(), [(r["id"],) for r in rows])
    conn.executemany(dialect.index_sql(), [dialect.index_row(r["id"], r["text"], after) for r in rows])
    conn.executemany(
        'INSERT INTO speaker_mentions(article_id, start, "end", text, name, kind, role, seen_on, family)'
        " VALUES (?,?,?,?,?,'unknown',NULL,?,?) ON CONFLICT(article_id, start, \"end\") DO UPDATE SET"
        " text = excluded.text, name = excluded.name, family = excluded.family",
        [
            (r["article_id"], r["start"], r["start"], after, after, r["published"], name_family(after or ""))
            for r in rows
        ],
    )
    mark_stale(store, {name_family(after or ""), *(name_family(r["speaker"] or "") for r in rows)})


def mark_stale(store: SQLStore, families: set[str]) -> None:
    """The speakers table recounts these name families on its next update."""
    store.conn.executemany(
        "INSERT INTO speaker_families_stale(family) VALUES (?) ON CONFLICT DO NOTHING", [(f,) for f in sorted(families)]
    )


def add_mention(store: SQLStore, article_id: str, at: int, name: str | None, seen_on: str | None) -> None:
    """A mention of a speaker a person named (zero-width at the quotation, as ``load`` makes them).

    The speakers table then knows the name, and ``quotes --speaker`` finds it by surname.
    """
    from ..store.sql import name_family

    store.conn.execute(
        'INSERT INTO speaker_mentions(article_id, start, "end", text, name, kind, role, seen_on, family)'
        " VALUES (?,?,?,?,?,'unknown',NULL,?,?) ON CONFLICT(article_id, start, \"end\") DO UPDATE SET"
        " text = excluded.text, name = excluded.name, family = excluded.family",
        (article_id, at, at, name, name, seen_on, name_family(name or "")),
    )


def drop_mention(store: SQLStore, article_id: str, at: int) -> None:
    """Remove the zero-width mention ``add_mention`` made (the speaker correction was undone)."""
    store.conn.execute(
        'DELETE FROM speaker_mentions WHERE article_id = ? AND start = ? AND "end" = ?', (article_id, at, at)
    )


def _reindex(store: SQLStore, quotation_id: str, text: str, speaker: str | None) -> None:
    store.conn.execute(store.dialect.unindex_sql(), (quotation_id,))
    store.conn.execute(store.dialect.index_sql(), store.dialect.index_row(quotation_id, text, speaker))


def ungroup(store: SQLStore, quotation_id: str) -> None:
    """Take a quotation out of its claim; the next claims update groups it again and refreshes the old claim.

    Its row in the quotation index goes too, so it is indexed afresh with the
    claim it then joins (as after ``claims --rebuild``).
    """
    conn = store.conn
    conn.execute("DELETE FROM claim_members WHERE quotation_id = ? AND stance = 'affirms'", (quotation_id,))
    conn.execute("UPDATE quotations SET claim_id = NULL WHERE id = ?", (quotation_id,))
    conn.execute("DELETE FROM indexed_quotations WHERE quotation_id = ?", (quotation_id,))


def hide(store: SQLStore, quotation_id: str) -> None:
    """Remove a quotation from lists, search, exports and claims (its snapshot is in the log entry)."""
    conn = store.conn
    conn.execute(store.dialect.unindex_sql(), (quotation_id,))
    conn.execute("DELETE FROM claim_members WHERE quotation_id = ?", (quotation_id,))
    conn.execute("DELETE FROM quotations WHERE id = ?", (quotation_id,))


def spans_json(article_text: str, spans: list[tuple[int, int]]) -> str:
    """The spans and the text they cover, as a log entry keeps them."""
    return json.dumps(
        {"spans": [list(s) for s in spans], "raw": [article_text[s:e] for s, e in spans]}, ensure_ascii=False
    )


def current_spans(store: SQLStore, quotation_id: str) -> list[tuple[int, int]]:
    row = store.conn.execute("SELECT spans FROM quotations WHERE id = ?", (quotation_id,)).fetchone()
    return [(int(s), int(e)) for s, e in json.loads(row[0])] if row else []


def place_spans(article_text: str, value: dict[str, Any], delta: int = 0) -> list[tuple[int, int]] | None:
    """The spans of ``value`` in this article text: at their offsets moved by ``delta`` if the text is there,
    else where their covered text stands nearest; None when it is no longer in the article."""
    spans = value.get("spans") or []
    raws = value.get("raw") or []
    if len(raws) != len(spans):
        return [(int(s) + delta, int(e) + delta) for s, e in spans] if not article_text else None
    out = []
    for (s, _end), raw in zip(spans, raws, strict=True):
        start = int(s) + delta
        if article_text[start : start + len(raw)] != raw:
            found = find_nearest(article_text, raw, start)
            if found is None:
                return None
            start = found
        out.append((start, start + len(raw)))
    return out


def set_spans(store: SQLStore, quotation_id: str, value: dict[str, Any]) -> None:
    """Re-cut the quotation from its article at ``value["spans"]`` (already placed); the claim follows the text."""
    from ..store.sql import quotation_text

    conn = store.conn
    row = conn.execute(
        "SELECT q.speaker, a.text AS article_text FROM quotations q JOIN articles a ON a.id = q.article_id"
        " WHERE q.id = ?",
        (quotation_id,),
    ).fetchone()
    spans = sorted((int(s), int(e)) for s, e in value["spans"])
    raw = [row["article_text"][s:e] for s, e in spans] if row["article_text"] else value.get("raw") or []
    text = quotation_text(" … ".join(raw))
    conn.execute(
        'UPDATE quotations SET spans = ?, start = ?, "end" = ?, text = ?, corrected = 1 WHERE id = ?',
        (json.dumps([list(s) for s in spans]), spans[0][0], max(e for _, e in spans), text, quotation_id),
    )
    _reindex(store, quotation_id, text, row["speaker"])
    ungroup(store, quotation_id)


def snapshot(store: SQLStore, quotation_id: str) -> str:
    """The whole quotation row and the text its spans cover, as JSON: what an undo of a hiding needs."""
    row = store.conn.execute(
        "SELECT q.*, a.text AS article_text FROM quotations q JOIN articles a ON a.id = q.article_id WHERE q.id = ?",
        (quotation_id,),
    ).fetchone()
    values = dict(zip(row.keys(), row, strict=True))
    article_text = values.pop("article_text") or ""
    spans = [(int(s), int(e)) for s, e in json.loads(values["spans"])]
    raw = [article_text[s:e] for s, e in spans] if article_text else []
    return json.dumps({"row": values, "raw": raw}, ensure_ascii=False)


def restore(store: SQLStore, saved: dict[str, Any], article_id: str) -> str:
    """Bring a hidden quotation back into ``article_id`` (the article it is placed in now); its id.

    In the article it was hidden from, the row comes back as it was; in a
    re-extracted version, its spans (and those of its cue and speaker) move
    to where its words stand now, and its id is derived from the new spans.
    """
    row = dict(saved["row"])
    if row["article_id"] != article_id:
        text_row = store.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        spans = json.loads(row["spans"])
        placed = place_spans(text_row[0] if text_row else "", {"spans": spans, "raw": saved.get("raw") or []})
        if placed is None or not saved.get("raw"):
            raise CorrectionError(
                "cannot bring the quotation back: its words are no longer in the article it was placed in"
            )
        delta = placed[0][0] - int(spans[0][0])
        row["spans"] = json.dumps([list(s) for s in placed])
        for name in _ROLE_SPANS:
            row[name] = json.dumps([[int(s) + delta, int(e) + delta] for s, e in json.loads(row.get(name) or "[]")])
        row["start"], row["end"] = placed[0][0], max(e for _, e in placed)
        row["article_id"] = article_id
        row["id"] = Quotation(article_id, row["type"], tuple(Span(s, e) for s, e in placed)).id
    row["claim_id"] = None  # grouped again by the next claims update
    insert_row(store, row)
    return row["id"]


def insert_row(store: SQLStore, row: dict[str, Any]) -> None:
    """Insert a quotation row (its columns by name) and its search row."""
    from ..store.schema import quotations

    columns = [c.name for c in quotations.columns if c.name in row]
    if store.conn.execute("SELECT 1 FROM quotations WHERE id = ?", (row["id"],)).fetchone():
        raise CorrectionError("quotation {quotation} is stored already", quotation=row["id"])
    store.conn.execute(
        f"INSERT INTO quotations({', '.join(_quoted(c) for c in columns)}) VALUES ({','.join('?' * len(columns))})",
        [row[c] for c in columns],
    )
    store.conn.execute(store.dialect.index_sql(), store.dialect.index_row(row["id"], row["text"], row.get("speaker")))


def _quoted(column: str) -> str:
    return f'"{column}"' if column == "end" else column


def refresh_flag(store: SQLStore, quotation_id: str) -> None:
    """``corrected`` is 1 exactly while some entry that is not undone applies to the quotation."""
    from .log import active_on

    flag = 1 if active_on(store, quotation_id) else 0
    store.conn.execute("UPDATE quotations SET corrected = ? WHERE id = ?", (flag, quotation_id))
