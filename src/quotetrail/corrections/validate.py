"""Every check a correction goes through, in one place: the CLI, the API and the web call these.

Each check raises ``CorrectionError`` with one line saying what is wrong and
what to give instead; nothing is written before every check of a command has
passed.  The pure checks (``validate``, ``check_note``, ``parse_span``) need
no store; the others look at the stored quotation, article or claim.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..dates.calendar import valid_iso
from ..messages import LocalisedError
from ..model import QUOTATION_TYPES

if TYPE_CHECKING:
    from ..store.sql import SQLStore

#: The fields ``correct`` may change.  ``span`` re-cuts the quotation from the article, ``claim`` moves it
#: into another claim and ``new_claim`` into a claim of its own; ``not_a_quotation`` hides it.
FIELDS: tuple[str, ...] = ("speaker", "type", "said_on", "not_a_quotation", "span", "claim", "new_claim")
#: Every ``field`` a log entry may have: the corrections above (``new_claim`` is logged as ``claim``),
#: a quotation added by hand, and the undoing of an earlier entry.
LOG_FIELDS: tuple[str, ...] = (
    "speaker",
    "type",
    "said_on",
    "not_a_quotation",
    "span",
    "claim",
    "add_quotation",
    "undo",
)
#: What ``correct-claim`` may set on every member of a claim.
CLAIM_WIDE_FIELDS: tuple[str, ...] = ("speaker", "type")

_SPAN = re.compile(r"^\s*(\d+)\s*(?:-|\s|,)\s*(\d+)\s*$")


class CorrectionError(LocalisedError):
    """A correction that cannot be made; the message is one line for the user (German in the web UI: ``messages``)."""


def validate(field: str, value: Any) -> Any:
    """The value to store for ``field``, or CorrectionError saying what is wrong (the value's own checks).

    ``span`` takes ``(start, end)`` or ``"START END"`` / ``"START-END"`` and
    gives ``(start, end)``; whether it lies inside the article is checked by
    ``check_span`` against the stored text.
    """
    if field not in FIELDS:
        raise CorrectionError("cannot correct {field!r}; one of {fields}", field=field, fields=", ".join(FIELDS))
    if field == "type" and value not in QUOTATION_TYPES:
        raise CorrectionError(
            "type must be one of {types}, not {value!r}", types=", ".join(QUOTATION_TYPES), value=value
        )
    if field == "said_on" and value is not None and not valid_iso(value):
        raise CorrectionError("said_on must be a real date as YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}", value=value)
    if field == "speaker":
        value = (value or "").strip()
        if not value:
            raise CorrectionError("speaker must not be empty")
    if field == "span":
        return parse_span(value)
    if field == "claim":
        value = (value or "").strip()
        if not value:
            raise CorrectionError(
                "claim must be a claim id (as listed by `quotetrail claims --all` and on each claim's page)"
            )
    if field in ("not_a_quotation", "new_claim"):
        return "true"
    return value


def parse_span(value: Any) -> tuple[int, int]:
    """``(start, end)`` from a pair or from ``"START END"``; both whole numbers, start before end."""
    if isinstance(value, str):
        match = _SPAN.match(value)
        if not match:
            raise CorrectionError("span must be two whole numbers START END, not {value!r}", value=value)
        value = (match.group(1), match.group(2))
    try:
        start, end = (int(v) for v in value)
    except (TypeError, ValueError):
        raise CorrectionError("span must be two whole numbers START END, not {value!r}", value=value) from None
    if start < 0 or end <= start:
        raise CorrectionError("span must have 0 <= START < END, not {start} {end}", start=start, end=end)
    return start, end


def check_note(note: str | None) -> str:
    """The note, stripped; every change to the ledger says why."""
    note = (note or "").strip()
    if not note:
        raise CorrectionError("a correction needs a note saying why")
    return note


def check_combination(changes: dict[str, Any]) -> None:
    """Changes that cannot go together in one ``correct``."""
    if not changes:
        raise CorrectionError(
            "nothing to correct: give a speaker, type, said_on, span, claim, new_claim or not_a_quotation"
        )
    if "claim" in changes and "new_claim" in changes:
        raise CorrectionError("give either claim (a claim id) or new_claim (a claim of its own), not both")
    if "not_a_quotation" in changes and len(changes) > 1:
        raise CorrectionError("not_a_quotation hides the quotation: give it alone")


def check_span(article_text: str | None, start: int, end: int) -> str:
    """The article text the span covers; the span must lie inside a stored article text and hold words."""
    if not article_text:
        raise CorrectionError(
            "the article's text is not stored (it was loaded without --articles): spans cannot be cut"
        )
    if end > len(article_text):
        raise CorrectionError(
            "span {start} {end} lies outside the article ({length} characters)",
            start=start,
            end=end,
            length=len(article_text),
        )
    covered = article_text[start:end]
    if not any(c.isalnum() for c in covered):
        raise CorrectionError("span {start} {end} covers no words", start=start, end=end)
    return covered


def check_claim_target(store: SQLStore, quotation_id: str, current_claim: str | None, target: str) -> Any:
    """The target claim's row; it must exist and not already hold the quotation."""
    row = store.conn.execute("SELECT id, text FROM claims WHERE id = ?", (target,)).fetchone()
    if row is None:
        raise CorrectionError("no claim {claim!r} (claim ids are listed by `quotetrail claims --all`)", claim=target)
    if current_claim == target:
        raise CorrectionError("quotation {quotation} is in claim {claim} already", quotation=quotation_id, claim=target)
    return row


def check_own_claim(store: SQLStore, quotation_id: str, current_claim: str | None) -> None:
    """``new_claim`` must take the quotation away from others."""
    if current_claim is None:
        return
    others = store.conn.execute(
        "SELECT COUNT(*) FROM claim_members WHERE claim_id = ? AND stance = 'affirms' AND quotation_id != ?",
        (current_claim, quotation_id),
    ).fetchone()[0]
    if not others:
        raise CorrectionError(
            "quotation {quotation} is the only member of claim {claim} already",
            quotation=quotation_id,
            claim=current_claim,
        )


def check_cue(article_text: str, cue: str, near: int) -> tuple[int, int]:
    """Where the cue words stand in the article, the occurrence nearest the quotation."""
    cue = cue.strip()
    if not cue:
        raise CorrectionError("the cue must not be empty")
    found = find_nearest(article_text, cue, near)
    if found is None:
        raise CorrectionError("the cue {cue!r} is not in the article's text", cue=cue)
    return found, found + len(cue)


def find_nearest(text: str, needle: str, near: int) -> int | None:
    """The offset of the occurrence of ``needle`` in ``text`` nearest ``near``, or None."""
    best: int | None = None
    at = text.find(needle) if needle else -1
    while at >= 0:
        if best is None or abs(at - near) < abs(best - near):
            best = at
        at = text.find(needle, at + 1)
    return best


def check_who(by: str | None, default: str) -> str:
    """Who made the change: given, else ``default`` (the OS user)."""
    return (by or default).strip() or "unknown"


def check_entry(record: Any) -> dict[str, Any]:
    """A log entry read from a file (``load --corrections``): its fields, checked; ValueError saying what is wrong."""
    if not isinstance(record, dict):
        raise CorrectionError("not an object with the corrections log's fields")
    out: dict[str, Any] = {}
    for name in ("id", "start", "end"):
        value = record.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CorrectionError("{name} must be a whole number, not {value!r}", name=name, value=value)
        out[name] = value
    for name in ("quotation_id", "article_id", "source", "quoted_text", "field", "note", "by", "at"):
        value = record.get(name)
        if not isinstance(value, str) or (name != "quoted_text" and not value.strip()):
            raise CorrectionError("{name} must be text, not {value!r}", name=name, value=value)
        out[name] = value
    for name in ("before", "after", "placed_on", "placed_article"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise CorrectionError("{name} must be text or null, not {value!r}", name=name, value=value)
        out[name] = value
    if out["field"] not in LOG_FIELDS:
        raise CorrectionError(
            "field must be one of {fields}, not {field!r}", fields=", ".join(LOG_FIELDS), field=out["field"]
        )
    if out["field"] == "undo" and not (out["after"] or "").isdigit():
        raise CorrectionError("an undo entry's after must be the number of the entry it reverts")
    return out
