"""Correcting every quotation of a claim at once, through the REST API and the claim page.

"Every restatement of this claim is by X": ``corrections.correct_claim``
(which alone checks the values) logs one entry per member and field, then
the speakers table is refreshed, as ``quotetrail correct-claim`` does.
Quotations that join the claim later are not corrected (docs/corrections.md
says why).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..api import BAD_REQUEST, INTERNAL, NOT_FOUND, claim_or_404
from ..corrections import CorrectionError, correct_claim
from ..store import Store
from .auth import REFUSED
from .deps import StoreDep
from .forms import Editor, api_edit, back_to, edit_state, refresh, writing

api = APIRouter(prefix="/api", responses=INTERNAL, tags=["corrections"])
pages = APIRouter()


class ClaimCorrectionBody(BaseModel):
    """What every member of the claim gets; a field left out (or null) stays as it is.  Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    speaker: str | None = Field(None, description="Who said every restatement of this claim.")
    type: str | None = Field(None, description="The type of every restatement: Direct, Indirect, ...")
    note: str = Field(description="Why: required, kept in the log with each member's correction.")

    def changes(self) -> dict[str, str]:
        return {name: value for name, value in (("speaker", self.speaker), ("type", self.type)) if value is not None}


def apply_claim_correction(
    store: Store, claim_id: str, changes: dict[str, str], note: str, by: str
) -> tuple[list[int], int]:
    """``correct_claim`` then the speakers refresh; the new log ids and how many members had the values already."""
    with writing():
        ids, unchanged = correct_claim(store, claim_id, changes, note, by)
    refresh(store)
    return ids, unchanged


@api.post(
    "/claims/{claim_id}/corrections",
    status_code=201,
    summary="Correct the speaker and/or type of every quotation now in a claim (editor or admin)",
    description="One log entry per member and field, each undoable on its own (`POST /api/corrections/{number}/undo`). "
    "Members that had the value already get none (`unchanged` counts them); quotations that join the claim later "
    "are not corrected.",
    responses={**BAD_REQUEST, **REFUSED, **NOT_FOUND},
)
def api_correct_claim(store: StoreDep, claim_id: str, body: ClaimCorrectionBody, user: Editor) -> dict[str, Any]:
    claim_or_404(store, claim_id)
    with api_edit():
        ids, unchanged = apply_claim_correction(store, claim_id, body.changes(), body.note, user.name)
    return {"ok": True, "claim_id": claim_id, "correction_ids": ids, "unchanged": unchanged}


@pages.post("/claim/{claim_id}/corrections", include_in_schema=False)
def correct_claim_from_form(
    request: Request,
    store: StoreDep,
    claim_id: str,
    user: Editor,
    speaker: Annotated[str, Form()] = "",
    type_: Annotated[str, Form(alias="type")] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """The claim page's "Alle korrigieren": a blank field is no change; back to the claim page."""
    claim_or_404(store, claim_id)
    changes = {name: value.strip() for name, value in (("speaker", speaker), ("type", type_)) if value.strip()}
    try:
        apply_claim_correction(store, claim_id, changes, note, user.name)
    except CorrectionError as err:
        from .pages import claim_page

        values = {"speaker": speaker, "type": type_, "note": note}
        edit = edit_state(request, store, error=err.german(), form="claim-wide", values=values)
        return claim_page(request, store, claim_id, edit, 400)
    return back_to(f"/claim/{claim_id}")
