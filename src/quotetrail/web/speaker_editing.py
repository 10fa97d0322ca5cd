"""Merging and splitting speakers through the REST API and the speaker page.

``speaker_merges`` alone checks and writes (one transaction, one log entry
per quotation moved, the speakers table refreshed); this module lets
editors and admins in and shows the standing merges to everyone.  A merge
is undone by splitting the merged name off again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from .. import query
from ..api import BAD_REQUEST, INTERNAL
from ..corrections import CorrectionError
from ..speaker_merges import SpeakerAlias, SpeakerChange, merge_speakers, merged_speakers, split_speaker
from ..speakers.identity import speaker_id
from ..store import Store
from .auth import REFUSED
from .deps import StoreDep
from .forms import Editor, api_edit, back_to, edit_state, writing

#: Included before the API's ``/speakers/{speaker_id}``, which would otherwise take ``/speakers/merges``.
api = APIRouter(prefix="/api", responses=INTERNAL, tags=["speakers"])
pages = APIRouter()


class MergeBody(BaseModel):
    """``alias`` is the same person as ``canonical``.  Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    alias: str = Field(description="The name to merge: its quotations are shown as `canonical` (the exact name).")
    canonical: str = Field(description="The person it is (followed to where that name is shown now).")
    note: str = Field(description="Why they are one person: required, kept in the corrections log.")


class SplitBody(BaseModel):
    """Undo the merge of ``name``; or, with ``quotation_ids`` and ``as``, give those quotations to another person."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str = Field(description="The merged name to split off again, or the name whose quotations are another's.")
    note: str = Field(description="Why: required, kept in the corrections log.")
    quotation_ids: list[str] | None = Field(
        None, max_length=10_000, description="These quotations of `name` are by another person (give `as` too)."
    )
    as_name: str | None = Field(None, alias="as", description="Who said the quotations given in `quotation_ids`.")


def change_json(change: SpeakerChange) -> dict[str, Any]:
    return {
        "name": change.name,
        "speaker": change.speaker,
        "speaker_id": speaker_id(change.speaker),
        "quotations": change.quotations,
        "correction_ids": list(change.correction_ids),
    }


def alias_json(m: SpeakerAlias) -> dict[str, Any]:
    return {
        "alias": m.alias,
        "canonical": m.canonical,
        "shown_as": m.shown_as,
        "correction_id": m.correction_id,
        "by": m.by,
        "at": m.at,
        "note": m.note,
    }


def _split(store: Store, body: SplitBody, by: str) -> SpeakerChange:
    if body.quotation_ids is None and body.as_name is None:
        return split_speaker(store, body.name, body.note, by)
    return split_speaker(store, body.name, body.note, by, quotation_ids=body.quotation_ids or (), as_name=body.as_name)


@api.get("/speakers/merges", summary="The standing speaker merges: each merged name and who it is shown as")
def api_merges(store: StoreDep) -> dict[str, Any]:
    return {"ok": True, "merges": [alias_json(m) for m in merged_speakers(store)]}


@api.post(
    "/speakers/merge",
    status_code=201,
    summary="Merge a speaker name into a person (editor or admin)",
    description="Every quotation whose speaker is exactly `alias` is shown as `canonical`, now and after later "
    "ingests; each is one corrections-log entry by the logged-in user. 400 (nothing written) for an empty note or "
    "name, a name without quotations, a name merged already, into itself, or a cycle.",
    responses={**BAD_REQUEST, **REFUSED},
)
def api_merge(store: StoreDep, body: MergeBody, user: Editor) -> dict[str, Any]:
    with api_edit():
        change = merge_speakers(store, body.alias, body.canonical, body.note, user.name)
    return {"ok": True, **change_json(change)}


@api.post(
    "/speakers/split",
    status_code=201,
    summary="Split a merged name off again, or give some of a name's quotations to another person (editor or admin)",
    description="With `name` and `note` only: undoes the merge of `name` (its quotations get it back; later ingests "
    "keep it). With `quotation_ids` and `as`: those quotations of `name` are by `as`. 400 (nothing written) when "
    "`name` is not merged, an id is unknown or not by `name`, or a note is missing.",
    responses={**BAD_REQUEST, **REFUSED},
)
def api_split(store: StoreDep, body: SplitBody, user: Editor) -> dict[str, Any]:
    with api_edit():
        change = _split(store, body, user.name)
    return {"ok": True, **change_json(change)}


def _speaker_or_404(store: Store, speaker_key: str) -> Any:
    found = query.speaker(store, speaker_key)
    if found is None:
        raise HTTPException(404, f"no speaker {speaker_key!r}")
    return found


def _refused(
    request: Request, store: Store, key: str, form: str, err: CorrectionError, values: dict[str, str]
) -> Response:
    """The speaker page again, with the refusal's German text beside the form and what was typed."""
    from .pages import speaker_page

    edit = edit_state(request, store, error=err.german(), form=form, values=values)
    return speaker_page(request, store, key, edit, 400)


@pages.post("/speaker/{speaker_key}/merge", include_in_schema=False)
def merge_from_form(
    request: Request,
    store: StoreDep,
    speaker_key: str,
    user: Editor,
    canonical: Annotated[str, Form(max_length=500)] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Merge this person's name into another; then to the person it is shown as now."""
    found = _speaker_or_404(store, speaker_key)
    try:
        with writing():
            change = merge_speakers(store, found.name, canonical, note, user.name)
    except CorrectionError as err:
        return _refused(request, store, speaker_key, "merge", err, {"canonical": canonical, "note": note})
    return back_to(f"/speaker/{speaker_id(change.speaker)}")


@pages.post("/speaker/{speaker_key}/split", include_in_schema=False)
def split_from_form(
    request: Request,
    store: StoreDep,
    speaker_key: str,
    user: Editor,
    name: Annotated[str, Form(max_length=500)] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Split a name merged into this person off again; back to this person's page."""
    _speaker_or_404(store, speaker_key)
    try:
        with writing():
            split_speaker(store, name, note, user.name)
    except CorrectionError as err:
        return _refused(request, store, speaker_key, f"split-{name}", err, {"note": note})
    return back_to(f"/speaker/{speaker_key}")
