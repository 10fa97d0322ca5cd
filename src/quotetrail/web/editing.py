"""Correcting a quotation through the REST API and the web UI: one quotation, its history, its edit form.

Both paths end in ``corrections.correct`` (which alone checks the values)
and then refresh the speakers table, exactly as ``quotetrail correct`` does.
Reading a quotation and its history is open to everyone; a correction
needs an editor (``require_role("editor")``: a session with a CSRF token,
or an API token).  The page follows Post/Redirect/Get: after a correction
the browser is sent back to the quotation page, so reloading it does not
correct twice.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .. import query, users
from ..api import BAD_REQUEST, INTERNAL, NOT_FOUND, row_json
from ..corrections import Correction, CorrectionError, correct, history
from ..model import LedgerRow
from ..store import Store
from .auth import REFUSED, require_role
from .deps import StoreDep
from .security import CSRF_FIELD
from .session import visitor_of

api = APIRouter(prefix="/api", responses=INTERNAL, tags=["corrections"])
pages = APIRouter()
Editor = Annotated[users.User, Depends(require_role("editor"))]


class CorrectionBody(BaseModel):
    """What a correction changes; a field left out (or null) stays as it is.  Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    speaker: str | None = Field(None, description="Who really said it.")
    type: str | None = Field(None, description="The real type: Direct, Indirect, FreeIndirect, ... ")
    said_on: str | None = Field(None, description="When it was really said: YYYY, YYYY-MM or YYYY-MM-DD.")
    not_a_quotation: bool = Field(False, description="True: it is no quotation; it is hidden (its history stays).")
    note: str = Field(description="Why: required, kept in the corrections log.")

    def changes(self) -> dict[str, str | None]:
        found: dict[str, str | None] = {
            name: value
            for name, value in (("speaker", self.speaker), ("type", self.type), ("said_on", self.said_on))
            if value is not None
        }
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
    }


def apply_correction(store: Store, quotation_id: str, changes: dict[str, str | None], note: str, by: str) -> list[int]:
    """Correct and then refresh the speakers table, as ``quotetrail correct`` does; CorrectionError if refused."""
    from sqlalchemy.exc import DBAPIError

    from ..ingest_job import refresh_derived

    try:
        ids = correct(store, quotation_id, changes, note, by)
        refresh_derived(store)
    except DBAPIError as err:
        if not _may_not_write(err):
            raise
        raise HTTPException(403, NO_WRITE) from None
    return ids


NO_WRITE = (
    "this server's database role may only read, so corrections cannot be stored; "
    "serve with a role that may write, or with --read-only"
)


def _may_not_write(err: Exception) -> bool:
    """Whether the database refused a write for lack of rights (PostgreSQL 42501, a read-only SQLite file)."""
    origin = getattr(err, "orig", None)
    return getattr(origin, "sqlstate", None) == "42501" or "readonly database" in str(origin)


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
    summary="Correct a quotation's speaker, type or date, or say it is none (editor or admin)",
    description="Each changed field becomes one entry of the corrections log, made by the logged-in user. "
    "Send `Authorization: Bearer TOKEN`, or use the browser's session and send its CSRF token as "
    "`X-CSRF-Token` (from `GET /api/me`). The answer holds the new log entries and the quotation as it is now "
    "(null after `not_a_quotation`).",
    responses={**BAD_REQUEST, **REFUSED, **NOT_FOUND},
)
def api_correct(store: StoreDep, quotation_id: str, body: CorrectionBody, user: Editor) -> dict[str, Any]:
    _quotation_or_404(store, quotation_id)
    try:
        ids = apply_correction(store, quotation_id, body.changes(), body.note, user.name)
    except CorrectionError as err:
        raise HTTPException(400, str(err)) from None
    made = [correction_json(c) for c in history(store, quotation_id) if c.id in ids]
    now = query.quotation(store, quotation_id)
    return {"ok": True, "corrections": made, "quotation": row_json(now) if now else None}


# -- pages ----------------------------------------------------------------------------------------------------
def _why_no_form(request: Request, store: Store, user: users.User | None) -> str | None:
    """Why this visitor sees no edit form (None: they may edit)."""
    if request.app.state.read_only:
        return "read-only"
    if user is not None:
        return None if user.may("editor") else "role"
    return "no-users" if users.count_users(store) == 0 else "anonymous"


def quotation_page(
    request: Request,
    store: Store,
    quotation_id: str,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    from .pages import render

    row = query.quotation(store, quotation_id)
    log = history(store, quotation_id)
    if row is None and not log:
        raise HTTPException(404, f"no quotation {quotation_id!r}")
    visitor = visitor_of(request)
    user = visitor.user(store)
    blocked = _why_no_form(request, store, user) if row is not None else "hidden"
    return render(
        "quotation.html",
        status=status,
        row=row,
        quotation_id=quotation_id,
        log=log,
        user=user,
        blocked=blocked,
        error=error,
        form=form or {},
        csrf_field=CSRF_FIELD,
        csrf_token=visitor.csrf_token() if blocked is None else "",
    )


@pages.get("/quotation/{quotation_id}", response_class=HTMLResponse, include_in_schema=False)
def quotation(request: Request, store: StoreDep, quotation_id: str) -> HTMLResponse:
    """The quotation, its article, speaker, type, date, a "korrigiert" marker and its history; for an editor a form."""
    return quotation_page(request, store, quotation_id)


@pages.post("/quotation/{quotation_id}", include_in_schema=False)
def correct_from_form(
    request: Request,
    store: StoreDep,
    quotation_id: str,
    user: Editor,
    speaker: Annotated[str, Form()] = "",
    type_: Annotated[str, Form(alias="type")] = "",
    said_on: Annotated[str, Form()] = "",
    not_a_quotation: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Correct what the form changed (a field left as it was, or blank, is not a change), then redirect back."""
    row = _quotation_or_404(store, quotation_id)
    changes: dict[str, str | None] = {}
    for name, value, now in (
        ("speaker", speaker, row.speaker),
        ("type", type_, row.type),
        ("said_on", said_on, row.said_on),
    ):
        if value.strip() and value.strip() != (now or ""):
            changes[name] = value.strip()
    if not_a_quotation:
        changes["not_a_quotation"] = "true"
    try:
        apply_correction(store, quotation_id, changes, note, user.name)
    except CorrectionError as err:
        form = {"speaker": speaker, "type": type_, "said_on": said_on, "note": note, "not_a_quotation": not_a_quotation}
        return quotation_page(request, store, quotation_id, 400, str(err), form)
    return RedirectResponse(f"/quotation/{quote(quotation_id, safe='')}", status_code=303)
