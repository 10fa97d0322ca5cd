"""A quotation the extractor missed, added by hand (``add-quotation``), and added again after re-extraction.

The row gets the id the extractor would give the same span (article id and
offsets, ``model.Quotation.id``), so when a later model finds the quotation
itself, the correction is placed on the extractor's row and no duplicate
appears.  The log entry keeps the values and the covered text, so that the
quotation can be cut again from an edited version of the article.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..model import Quotation, Span
from .apply import add_mention, insert_row, mark_stale, place_spans
from .log import Anchor, append, current_user, place
from .validate import CorrectionError, check_cue, check_note, check_span, check_who, parse_span, validate

if TYPE_CHECKING:
    from ..store.sql import SQLStore

DEFAULT_TYPE = "Direct"


def add_quotation(
    store: SQLStore,
    article_id: str,
    span: Any,
    values: dict[str, str | None],
    note: str,
    by: str | None = None,
) -> tuple[str, int]:
    """Insert a quotation at ``span`` (``(start, end)``) of a stored article; returns its id and the log id.

    ``values``: ``speaker`` (required), ``type`` (default Direct), ``said_on``
    and ``cue`` (words of the article near the quotation).  The row is
    searchable at once and joins a claim at the next claims update.
    """
    start, end = parse_span(span)
    note = check_note(note)
    speaker = validate("speaker", values.get("speaker"))
    kind = validate("type", values.get("type") or DEFAULT_TYPE)
    said_on = validate("said_on", values.get("said_on") or None)
    who = check_who(by, current_user())
    with store.transaction():
        article = store.conn.execute(
            "SELECT id, source, text, published FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if article is None:
            raise CorrectionError(
                "no article {article!r} (article ids are in every export: article_id)", article=article_id
            )
        raw = check_span(article["text"], start, end)
        cue = check_cue(article["text"], values["cue"] or "", start) if values.get("cue") else None
        after = {"type": kind, "speaker": speaker, "said_on": said_on, "cue": values.get("cue") or None, "raw": raw}
        quotation_id = _id(article_id, start, end)
        if store.conn.execute("SELECT 1 FROM quotations WHERE id = ?", (quotation_id,)).fetchone():
            raise CorrectionError(
                "the ledger holds this quotation already ({quotation}): correct it instead", quotation=quotation_id
            )
        row = insert(store, article, (start, end), cue, after)
        anchor = Anchor(quotation_id, article_id, article["source"], start, end, row["text"])
        correction_id = append(store, anchor, "add_quotation", None, json.dumps(after, ensure_ascii=False), note, who)
        place(store, correction_id, quotation_id, article_id)
    return quotation_id, correction_id


def _id(article_id: str, start: int, end: int) -> str:
    return Quotation(article_id, DEFAULT_TYPE, (Span(start, end),)).id


def insert(
    store: SQLStore, article: Any, span: tuple[int, int], cue: tuple[int, int] | None, after: dict[str, Any]
) -> dict[str, Any]:
    """Store the added quotation's row, search row and speaker mention; the row as inserted."""
    from ..store.sql import name_family, quotation_text

    start, end = span
    text = quotation_text(article["text"][start:end])
    row = {
        "id": _id(article["id"], start, end),
        "article_id": article["id"],
        "type": after["type"],
        "spans": json.dumps([[start, end]]),
        "cue": json.dumps([list(cue)] if cue else []),
        "speaker": after["speaker"],
        "said_on": after.get("said_on"),
        "start": start,
        "end": end,
        "text": text,
        "cue_text": article["text"][cue[0] : cue[1]] if cue else None,
        "said_key": after.get("said_on") or "~",
        "corrected": 1,
        "extractor_version": None,  # a person's, not the extractor's
    }
    insert_row(store, row)
    add_mention(store, article["id"], start, after["speaker"], article["published"])
    mark_stale(store, {name_family(after["speaker"] or "")})
    return row


def add_again(store: SQLStore, entry: Any, article: Any, delta: int) -> str | None:
    """Cut an added quotation again from a re-extracted article that lacks it; its id, or None (orphaned).

    Its covered text is looked for at the old offset moved by ``delta``, else
    nearest to it; the cue the same way (dropped if it is gone).
    """
    after = json.loads(entry["after"])
    if not article["text"]:
        return None
    placed = place_spans(article["text"], {"spans": [[entry["start"], entry["end"]]], "raw": [after["raw"]]}, delta)
    if placed is None:
        return None
    start, end = placed[0]
    quotation_id = _id(article["id"], start, end)
    if store.conn.execute("SELECT 1 FROM quotations WHERE id = ?", (quotation_id,)).fetchone():
        return quotation_id
    cue = None
    if after.get("cue"):
        try:
            cue = check_cue(article["text"], after["cue"], start)
        except CorrectionError:
            cue = None
    insert(store, article, (start, end), cue, after)
    return quotation_id
