"""Claim membership set by a person: which claim a corrected quotation belongs in (read by claims grouping).

A ``claim`` entry pins the quotation it is placed on: into the claim it
names, or (``{"new": true}``) into a claim of its own.  Claim ids follow a
claim's earliest member, so a regrouping may rename a claim; the entry
therefore also keeps the target's text and up to 20 of its members, and the
target is found again as the claim now holding one of those members, else
the claim with the same id, else the claim holding a quotation with the
claim's text.  Only the newest entry of a quotation that is not undone
counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from .log import undone


@dataclass(frozen=True, slots=True)
class Pin:
    """Where a person put a quotation: a claim of its own (``new``), or the claim found by these anchors."""

    correction_id: int
    quotation_id: str
    new: bool
    claim_id: str | None = None
    text: str | None = None
    anchors: tuple[str, ...] = ()
    at: str = ""  # when the correction was made: names a claim of its own, the same in every ledger


def claim_pins(store: object) -> dict[str, Pin]:
    """Every quotation's pin (quotations without one are left out): the newest ``claim`` entry placed on it
    that is not undone.  The usual ledger has none, and pays one lookup."""
    reverted = undone(store)  # type: ignore[arg-type]
    pins: dict[str, Pin] = {}
    for pin in placed_claim_entries(store):
        if pin.correction_id not in reverted:
            pins[pin.quotation_id] = pin
    return pins


def placed_claim_entries(store: object) -> list[Pin]:
    """Every placed ``claim`` entry as a Pin, undone or not, oldest first."""
    conn = store.conn  # type: ignore[attr-defined]
    if conn.execute("SELECT 1 FROM corrections WHERE field = 'claim' LIMIT 1").fetchone() is None:
        return []
    rows = conn.execute(
        "SELECT c.id, p.quotation_id, c.after, c.at FROM corrections c"
        " JOIN correction_placements p ON p.correction_id = c.id"
        " WHERE c.field = 'claim' AND p.quotation_id IS NOT NULL ORDER BY c.id"
    ).fetchall()
    out = []
    for correction_id, quotation_id, after, at in rows:
        value = json.loads(after)
        out.append(
            Pin(
                correction_id,
                quotation_id,
                bool(value.get("new")),
                value.get("claim"),
                value.get("text"),
                tuple(value.get("anchors") or ()),
                at,
            )
        )
    return out


def moved_after(pin: Pin, pins: dict[str, Pin]) -> set[str]:
    """Quotations a person moved after this pin was made: they no longer stand for its target."""
    return {q for q, p in pins.items() if p.correction_id > pin.correction_id}


def anchors_of(pin: Pin, pins: dict[str, Pin]) -> list[str]:
    """The pin's anchor members that still stand for its target: not the quotation itself, and not one a
    person moved elsewhere after this correction (it left the target claim)."""
    return [
        a for a in pin.anchors if a != pin.quotation_id and (a not in pins or pins[a].correction_id < pin.correction_id)
    ]


def stored_claim_of(store: object, pin: Pin, anchors: Sequence[str], moved: set[str] = frozenset()) -> str | None:
    """The stored claim a pin's target is now, by its ``anchors``, id or text (not that of a quotation in
    ``moved``: moved elsewhere by a later correction); None when there is none."""
    conn = store.conn  # type: ignore[attr-defined]
    if anchors:
        row = conn.execute(
            f"SELECT claim_id FROM quotations WHERE claim_id IS NOT NULL AND id IN ({','.join('?' * len(anchors))})"
            " GROUP BY claim_id ORDER BY COUNT(*) DESC, claim_id LIMIT 1",  # the claim holding most of them
            anchors,
        ).fetchone()
        if row:
            return row[0]
    if pin.claim_id and conn.execute("SELECT 1 FROM claims WHERE id = ?", (pin.claim_id,)).fetchone():
        return pin.claim_id
    if pin.text:
        rows = conn.execute(
            "SELECT id, claim_id FROM quotations WHERE claim_id IS NOT NULL AND text = ? ORDER BY id", (pin.text,)
        ).fetchall()
        for quotation_id, claim in rows:
            if quotation_id != pin.quotation_id and quotation_id not in moved:
                return claim
    return None


def orphan_pins(store: object, correction_ids: Sequence[int]) -> None:
    """Pins whose target claim is gone: orphaned (listed by ``corrections --orphaned``, never dropped).

    The quotation is then grouped by similarity like any other; if the log is
    re-applied to its article (a re-ingest) the entry is placed and tried again.
    """
    if not correction_ids:
        return
    with store.transaction():  # type: ignore[attr-defined]
        store.conn.executemany(  # type: ignore[attr-defined]
            "UPDATE correction_placements SET quotation_id = NULL, article_id = NULL WHERE correction_id = ?",
            [(c,) for c in correction_ids],
        )
