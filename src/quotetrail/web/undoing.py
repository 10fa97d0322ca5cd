"""The corrections log and undoing an entry, through the REST API and the web UI.

The log is open to everyone (``GET /api/corrections``, the page
``/corrections``), newest first, a keyset page at a time, optionally only
the orphaned entries.  Undoing calls ``corrections.undo`` (which alone
decides whether an entry can be undone) and then refreshes and regroups as
``quotetrail uncorrect`` does.  Who may undo is decided here, since it is a
question of who is asking, not of the entry: an editor may undo the
corrections made under their own name, an admin anyone's (including those
made on the command line or by a speaker merge).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..api import BAD_REQUEST, INTERNAL, NOT_FOUND
from ..corrections import Correction, CorrectionError, undo
from ..corrections.log import entry, log_page
from ..store import Store
from .auth import REFUSED
from .deps import StoreDep
from .editing import correction_json
from .filters import Limit
from .forms import Editor, EditState, api_edit, back_to, claim_of, edit_state, may_undo, refresh, writing
from .refused import Refused

api = APIRouter(prefix="/api", responses=INTERNAL, tags=["corrections"])
pages = APIRouter()
#: Log numbers are positive and fit a 64-bit integer in both databases.
Number = Annotated[int, Path(ge=1, le=2**62, description="The entry's number in the corrections log (`id`).")]
Before = Annotated[
    int | None,
    Query(
        ge=1,
        le=2**62,
        description="Where the page starts: the `next` value of the previous page (entries older than it).",
    ),
]
PAGE_SIZE = 50


class UndoBody(BaseModel):
    """Why the correction was wrong: kept in the log with the undo."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(description="Why: required, kept in the corrections log.")


def undo_entry(store: Store, number: int, note: str, user: Any) -> int:
    """Undo log entry ``number`` as ``user``; the undo entry's number.

    404 for an unknown number, 403 for an editor undoing someone else's
    correction; CorrectionError (a 400) for what ``undo`` refuses (an undo,
    an entry undone already, a note missing).  A quotation put back out of
    its claim is regrouped at once, as ``quotetrail uncorrect`` does.
    """
    found = entry(store, number)
    if found is None:
        raise HTTPException(404, f"no correction #{number}")
    if not may_undo(user, found["by"]):
        raise Refused(
            "{user} may undo only their own corrections; #{number} is by {author}",
            user=user.name,
            number=number,
            author=found["by"],
        )
    with writing():
        (made,) = undo(store, [number], note, user.name)
    placed = entry(store, made)["placed_on"]
    refresh(store, [placed] if placed and claim_of(store, placed) is None else [])
    return made


# -- API ------------------------------------------------------------------------------------------------------
@api.get(
    "/corrections",
    summary="The corrections log, newest first, a page at a time (open to everyone)",
    description="`total` counts every entry (or every orphaned one); pass `next` back as `after` for the following "
    "page (null on the last one). `orphaned=true` lists only the entries no quotation takes now "
    "(their text is gone from the re-ingested article). `undone_by` names the entry that undid one.",
    responses=BAD_REQUEST,
)
def api_log(
    store: StoreDep,
    limit: Limit = 50,
    after: Before = None,
    orphaned: Annotated[bool, Query(description="Only the entries no quotation takes now.")] = False,
) -> dict[str, Any]:
    entries, total, following = log_page(store, before=after, limit=limit, orphaned=orphaned)
    return {"ok": True, "total": total, "next": following, "corrections": [correction_json(c) for c in entries]}


@api.post(
    "/corrections/{number}/undo",
    status_code=201,
    summary="Undo a correction (an editor their own, an admin anyone's)",
    description="Appends an undo entry, made by the logged-in user; the value the correction replaced comes back "
    "(a hidden quotation reappears, a moved one is regrouped). 400 for an undo entry, an entry undone already or "
    "a missing note; 403 for an editor undoing another user's correction; 404 for an unknown number.",
    responses={**BAD_REQUEST, **REFUSED, **NOT_FOUND},
)
def api_undo(store: StoreDep, number: Number, body: UndoBody, user: Editor) -> dict[str, Any]:
    with api_edit():
        made = undo_entry(store, number, body.note, user)
    return {"ok": True, "undone": number, "correction": correction_json(Correction(*tuple(entry(store, made))[:14]))}


# -- pages ----------------------------------------------------------------------------------------------------
def log_page_html(
    request: Request,
    store: Store,
    edit: EditState,
    status: int = 200,
    after: int | None = None,
    start: int = 0,
    orphaned: bool = False,
) -> HTMLResponse:
    from .pages import page_url, render

    entries, total, following = log_page(store, before=after, limit=PAGE_SIZE, orphaned=orphaned)
    next_url = None
    if following is not None:
        next_url = page_url(
            "/corrections", orphaned="true" if orphaned else None, after=following, start=start + len(entries)
        )
    return render(
        "corrections.html",
        status=status,
        entries=entries,
        total=total,
        position=start,
        next_url=next_url,
        orphaned=orphaned,
        edit=edit,
    )


@pages.get("/corrections", response_class=HTMLResponse, include_in_schema=False)
def corrections_log(
    request: Request,
    store: StoreDep,
    after: Before = None,
    start: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
    orphaned: bool = False,
) -> HTMLResponse:
    """The log, newest first, 50 to a page; with undo buttons for what the visitor may undo."""
    return log_page_html(request, store, edit_state(request, store), after=after, start=start, orphaned=orphaned)


@pages.post("/corrections/{number}/undo", include_in_schema=False)
def undo_from_form(
    request: Request,
    store: StoreDep,
    number: Number,
    user: Editor,
    note: Annotated[str, Form()] = "",
    quotation: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Undo from a history entry's "Rückgängig", then back to the quotation page (or the log) it was sent from."""
    try:
        undo_entry(store, number, note, user)
    except CorrectionError as err:
        edit = edit_state(request, store, error=err.german(), form=f"undo-{number}", values={"note": note})
        if quotation:
            from .editing import quotation_page

            return quotation_page(request, store, quotation, edit, 400)
        return log_page_html(request, store, edit, 400)
    return back_to(f"/quotation/{quotation}" if quotation else "/corrections")
