"""Adding a quotation the extractor missed, through the REST API and the article page ("Zitat ergänzen").

``corrections.add_quotation`` alone checks the offsets and values and logs
the addition; afterwards the speakers table is refreshed and the new
quotation is grouped into a claim at once (the CLI leaves that to the next
``claims --update``; in the browser the editor expects to see it placed).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from .. import query
from ..api import BAD_REQUEST, INTERNAL, NOT_FOUND, row_json
from ..corrections import CorrectionError, add_quotation
from ..store import Store
from .auth import REFUSED
from .deps import StoreDep
from .forms import Editor, api_edit, back_to, edit_state, refresh, writing

api = APIRouter(prefix="/api", responses=INTERNAL, tags=["corrections"])
pages = APIRouter()


class AddedQuotationBody(BaseModel):
    """A quotation at characters ``start`` to ``end`` of the article's text.  Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    start: int = Field(description="Offset of its first character in the article text (0 is the first).")
    end: int = Field(description="Offset after its last character.")
    speaker: str = Field(description="Who said it.")
    type: str | None = Field(None, description="Direct (the default), Indirect, FreeIndirect, ...")
    said_on: str | None = Field(None, description="When it was said: YYYY, YYYY-MM or YYYY-MM-DD.")
    cue: str | None = Field(None, description="The verb or phrase introducing it, as it stands in the article.")
    note: str = Field(description="Why: required, kept in the corrections log.")


def _article_or_404(store: Store, article_id: str) -> None:
    if store.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
        raise HTTPException(404, f"no article {article_id!r}")


def add(store: Store, article_id: str, span: Any, values: dict[str, str | None], note: str, by: str) -> tuple[str, int]:
    """``add_quotation``, then the speakers refresh and the new quotation's claim; its id and log number."""
    with writing():
        quotation_id, number = add_quotation(store, article_id, span, values, note, by)
    refresh(store, [quotation_id])
    return quotation_id, number


@api.post(
    "/articles/{article_id}/quotations",
    status_code=201,
    summary="Add a quotation the extractor missed (editor or admin)",
    description="Characters `start` to `end` of the stored article text become a quotation, logged in the corrections "
    "log by the logged-in user and added again after a re-ingest or re-extraction (unless the extractor then finds it "
    "itself). It is searchable and grouped into a claim at once. 400 (nothing written) for offsets outside the text "
    "or covering no words, a quotation the ledger holds already, a bad type or date, a cue not in the text, or a "
    "missing note; 404 for an unknown article.",
    responses={**BAD_REQUEST, **REFUSED, **NOT_FOUND},
)
def api_add(store: StoreDep, article_id: str, body: AddedQuotationBody, user: Editor) -> dict[str, Any]:
    _article_or_404(store, article_id)
    values = {"speaker": body.speaker, "type": body.type, "said_on": body.said_on, "cue": body.cue}
    with api_edit():
        quotation_id, number = add(store, article_id, (body.start, body.end), values, body.note, user.name)
    row = query.quotation(store, quotation_id)
    return {
        "ok": True,
        "quotation_id": quotation_id,
        "correction_id": number,
        "quotation": row_json(row) if row else None,
        "claim_id": row.claim_id if row else None,
    }


@pages.post("/article/{article_id}/quotations", include_in_schema=False)
def add_from_form(
    request: Request,
    store: StoreDep,
    article_id: str,
    user: Editor,
    start: Annotated[str, Form(max_length=20)] = "",
    end: Annotated[str, Form(max_length=20)] = "",
    speaker: Annotated[str, Form(max_length=500)] = "",
    type_: Annotated[str, Form(alias="type")] = "",
    said_on: Annotated[str, Form(max_length=20)] = "",
    cue: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """The article page's "Zitat ergänzen"; then to the new quotation's page."""
    _article_or_404(store, article_id)
    values: dict[str, str | None] = {"speaker": speaker, "type": type_ or None, "said_on": said_on or None, "cue": cue}
    try:
        quotation_id, _ = add(store, article_id, f"{start} {end}", values, note, user.name)
    except CorrectionError as err:
        from .pages import article_page

        typed = {"start": start, "end": end, "speaker": speaker, "type": type_, "said_on": said_on, "cue": cue}
        edit = edit_state(request, store, error=err.german(), form="add", values={**typed, "note": note})
        return article_page(request, store, article_id, edit, 400)
    return back_to(f"/quotation/{quotation_id}")
