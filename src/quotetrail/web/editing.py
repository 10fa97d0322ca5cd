"""Correcting a quotation through the REST API and the web UI: one quotation, its history, its edit form.

Both paths end in ``corrections.correct`` (which alone checks the values)
and then refresh the speakers table, and regroup a quotation whose span or
claim changed, exactly as ``quotetrail correct`` does.
Reading a quotation and its history is open to everyone; a correction
needs an editor (``require_role("editor")``: a session with a CSRF token,
or an API token).  The page follows Post/Redirect/Get: after a correction
the browser is sent back to the quotation page, so reloading it does not
correct twice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .. import query
from ..api import BAD_REQUEST, INTERNAL, NOT_FOUND, row_json
from ..corrections import Correction, CorrectionError, correct, history
from ..model import LedgerRow
from ..store import Store
from .auth import REFUSED
from .deps import StoreDep
from .forms import Editor, EditState, api_edit, back_to, edit_state, refresh, writing
from .security import CSRF_FIELD

api = APIRouter(prefix="/api", responses=INTERNAL, tags=["corrections"])
pages = APIRouter()
__all__ = ["CorrectionBody", "api", "apply_correction", "correction_json", "pages"]


class CorrectionBody(BaseModel):
    """What a correction changes; a field left out (or null) stays as it is.  Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    speaker: str | None = Field(None, description="Who really said it.")
    type: str | None = Field(None, description="The real type: Direct, Indirect, FreeIndirect, ... ")
    said_on: str | None = Field(None, description="When it was really said: YYYY, YYYY-MM or YYYY-MM-DD.")
    span: list[int] | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="[start, end]: the quotation's real character offsets in the article text; its text is cut "
        "again from the article (as `quotetrail correct --span`).",
    )
    claim: str | None = Field(None, description="Move it into this claim (a claim id), as `correct --claim`.")
    new_claim: bool = Field(
        False, description="True: take it out of its claim into a claim of its own (`--new-claim`)."
    )
    not_a_quotation: bool = Field(False, description="True: it is no quotation; it is hidden (its history stays).")
    note: str = Field(description="Why: required, kept in the corrections log.")

    def changes(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            name: value
            for name, value in (
                ("speaker", self.speaker),
                ("type", self.type),
                ("said_on", self.said_on),
                ("span", self.span),
                ("claim", self.claim),
            )
            if value is not None
        }
        if self.new_claim:
            found["new_claim"] = "true"
        if self.not_a_quotation:
            found["not_a_quotation"] = "true"
        return found


def correction_json(c: Correction) -> dict[str, Any]:
    """One log entry: who, when, field, before and after, note, and the quotation it is placed on now."""
    return {
        "id": c.id,
        "quotation_id": c.quotation_id,
        "placed_on": c.placed_on,
        "article_id": c.article_id,
        "quoted_text": c.quoted_text,
        "field": c.field,
        "before": c.before,
        "after": c.after,
        "note": c.note,
        "by": c.by,
        "at": c.at,
        "undone_by": c.undone_by,
    }


#: The changes after which the quotation is regrouped at once (it left its claim), as ``quotetrail correct`` does.
REGROUPING = frozenset({"span", "claim", "new_claim"})


def apply_correction(store: Store, quotation_id: str, changes: dict[str, Any], note: str, by: str) -> list[int]:
    """Correct, then refresh the speakers and regroup a moved or re-cut quotation, as ``quotetrail correct`` does.

    CorrectionError if refused (nothing written); a 403 if the database may only be read.
    """
    with writing():
        ids = correct(store, quotation_id, changes, note, by)
    refresh(store, [quotation_id] if REGROUPING & set(changes) else [])
    return ids


def _quotation_or_404(store: Store, quotation_id: str) -> LedgerRow:
    found = query.quotation(store, quotation_id)
    if found is None:
        raise HTTPException(404, f"no quotation {quotation_id!r} (a hidden one cannot be corrected again)")
    return found


# -- API ------------------------------------------------------------------------------------------------------
@api.get(
    "/quotations/{quotation_id}",
    summary="One quotation in the export field names, with its `corrected` flag",
    responses=NOT_FOUND,
)
def api_quotation(store: StoreDep, quotation_id: str) -> dict[str, Any]:
    return {"ok": True, "quotation": row_json(_quotation_or_404(store, quotation_id))}


@api.get(
    "/quotations/{quotation_id}/corrections",
    summary="A quotation's corrections, oldest first (open to everyone)",
    description="Entries made on this id or placed on it now; a quotation hidden as no quotation keeps its history. "
    "404 when there is neither such a quotation nor any correction of it.",
    responses=NOT_FOUND,
)
def api_history(store: StoreDep, quotation_id: str) -> dict[str, Any]:
    log = history(store, quotation_id)
    if not log and query.quotation(store, quotation_id) is None:
        raise HTTPException(404, f"no quotation {quotation_id!r}")
    return {"ok": True, "quotation_id": quotation_id, "corrections": [correction_json(c) for c in log]}


@api.post(
    "/quotations/{quotation_id}/corrections",
    status_code=201,
    summary="Correct a quotation's speaker, type, date or span, move it to another claim, or say it is none "
    "(editor or admin)",
    description="Each changed field becomes one entry of the corrections log, made by the logged-in user. "
    "`span` re-cuts the quotation; `claim` (a claim id) or `new_claim` moves it, and it is regrouped at once. "
    "Send `Authorization: Bearer TOKEN`, or use the browser's session and send its CSRF token as "
    "`X-CSRF-Token` (from `GET /api/me`). The answer holds the new log entries, the quotation as it is now "
    "(null after `not_a_quotation`) and the claim it is in now.",
    responses={**BAD_REQUEST, **REFUSED, **NOT_FOUND},
)
def api_correct(store: StoreDep, quotation_id: str, body: CorrectionBody, user: Editor) -> dict[str, Any]:
    _quotation_or_404(store, quotation_id)
    with api_edit():
        ids = apply_correction(store, quotation_id, body.changes(), body.note, user.name)
    made = [correction_json(c) for c in history(store, quotation_id) if c.id in ids]
    now = query.quotation(store, quotation_id)
    return {
        "ok": True,
        "corrections": made,
        "quotation": row_json(now) if now else None,
        "claim_id": now.claim_id if now else None,
    }


# -- pages ----------------------------------------------------------------------------------------------------
def quotation_page(
    request: Request, store: Store, quotation_id: str, edit: EditState, status: int = 200
) -> HTMLResponse:
    """The quotation page for ``edit``'s visitor (a refused form: its error and what was typed)."""
    from .pages import render

    row = query.quotation(store, quotation_id)
    log = history(store, quotation_id)
    if row is None and not log:
        raise HTTPException(404, f"no quotation {quotation_id!r}")
    blocked = edit.blocked if row is not None else "hidden"
    return render(
        "quotation.html",
        status=status,
        row=row,
        quotation_id=quotation_id,
        claim_id=row.claim_id if row is not None else None,
        log=log,
        user=edit.user,
        blocked=blocked,
        edit=edit,
        error=edit.error_of("correct"),
        form=edit.values if edit.form == "correct" else {},
        csrf_field=CSRF_FIELD,
        csrf_token=edit.csrf_token,
    )


@pages.get("/quotation/{quotation_id}", response_class=HTMLResponse, include_in_schema=False)
def quotation(request: Request, store: StoreDep, quotation_id: str) -> HTMLResponse:
    """The quotation, its article, speaker, type, date, claim, a "korrigiert" marker and its history (with undo
    buttons for what the visitor may undo); for an editor the edit form."""
    return quotation_page(request, store, quotation_id, edit_state(request, store))


def form_changes(row: LedgerRow, claim_now: str | None, fields: dict[str, str]) -> dict[str, Any]:
    """The changes a submitted edit form asks for: a field left as it was, or blank, is not a change."""
    changes: dict[str, Any] = {}
    for name, now in (("speaker", row.speaker), ("type", row.type), ("said_on", row.said_on)):
        value = fields.get(name, "").strip()
        if value and value != (now or ""):
            changes[name] = value
    start, end = fields.get("start", "").strip(), fields.get("end", "").strip()
    if (start or end) and (start, end) != (str(row.start), str(row.end)):
        changes["span"] = f"{start} {end}"  # parse_span says what is wrong with it, as for the CLI
    target = fields.get("claim", "").strip()
    if target and target != (claim_now or ""):
        changes["claim"] = target
    if fields.get("new_claim"):
        changes["new_claim"] = "true"
    if fields.get("not_a_quotation"):
        changes["not_a_quotation"] = "true"
    return changes


@pages.post("/quotation/{quotation_id}", include_in_schema=False)
def correct_from_form(
    request: Request,
    store: StoreDep,
    quotation_id: str,
    user: Editor,
    speaker: Annotated[str, Form()] = "",
    type_: Annotated[str, Form(alias="type")] = "",
    said_on: Annotated[str, Form()] = "",
    start: Annotated[str, Form(max_length=20)] = "",
    end: Annotated[str, Form(max_length=20)] = "",
    claim: Annotated[str, Form(max_length=200)] = "",
    new_claim: Annotated[str, Form()] = "",
    not_a_quotation: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Correct what the form changed, then redirect back; a refusal shows the page again with the error."""
    row = _quotation_or_404(store, quotation_id)
    fields = {
        "speaker": speaker,
        "type": type_,
        "said_on": said_on,
        "start": start,
        "end": end,
        "claim": claim,
        "new_claim": new_claim,
        "not_a_quotation": not_a_quotation,
        "note": note,
    }
    try:
        apply_correction(store, quotation_id, form_changes(row, row.claim_id, fields), note, user.name)
    except CorrectionError as err:
        edit = edit_state(request, store, error=err.german(), form="correct", values=fields)
        return quotation_page(request, store, quotation_id, edit, 400)
    return back_to(f"/quotation/{quotation_id}")
