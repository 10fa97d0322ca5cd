"""What every edit through the web and the API shares: the gate, the write, the refresh, and the form's state.

Each edit module (``editing``, ``undoing``, ``claim_editing``, ``rating``,
``speaker_editing``, ``adding``) calls one function of the library, which
alone checks the values; this module only says who may, turns a database
that refuses writes into a 403, brings the derived tables up to date as
the CLI does after the same command, and carries a refused form's error
and typed values back to the page that showed it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from .. import users
from ..corrections import Correction, CorrectionError
from ..store import Store
from .auth import require_role
from .refused import Refused
from .session import visitor_of

#: The logged-in editor or admin making the request (401/403 otherwise; see ``auth.require_role``).
Editor = Annotated[users.User, Depends(require_role("editor"))]


def _may_not_write(err: Exception) -> bool:
    """Whether the database refused a write for lack of rights (PostgreSQL 42501, a read-only SQLite file)."""
    origin = getattr(err, "orig", None)
    return getattr(origin, "sqlstate", None) == "42501" or "readonly database" in str(origin)


@contextmanager
def writing() -> Iterator[None]:
    """Run a write; a database that may not be written (a SELECT-only role) is a 403 saying so, not a 500."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as err:
        if not _may_not_write(err):
            raise
        raise Refused(
            "this server's database role may only read, so corrections cannot be stored; "
            "serve with a role that may write, or with --read-only"
        ) from None


@contextmanager
def api_edit() -> Iterator[None]:
    """One edit through the API: a refusal by the ledger (``CorrectionError``, one line) is a 400 saying it,
    and a database that may not be written a 403 (``writing``)."""
    try:
        with writing():
            yield
    except CorrectionError as err:
        raise HTTPException(400, str(err)) from None


def refresh(store: Store, regroup: Sequence[str] = ()) -> None:
    """Bring the derived tables up to date as the CLI does after an edit: speakers, and the claims of ``regroup``.

    A quotation moved to another claim, re-cut or added is taken out of its
    claim by the edit; ``update_claims`` puts it where the log says at once,
    so the page the editor is sent back to shows it there.
    """
    from ..ingest_job import refresh_derived

    with writing():
        refresh_derived(store)
        if regroup:
            from ..claims import update_claims

            update_claims(store, quotation_ids=list(regroup))


def claim_of(store: Store, quotation_id: str) -> str | None:
    """The claim a quotation is in now (None: in none, or no such quotation)."""
    row = store.conn.execute("SELECT claim_id FROM quotations WHERE id = ?", (quotation_id,)).fetchone()
    return row[0] if row else None


def why_no_form(request: Request, store: Store, user: users.User | None) -> str | None:
    """Why this visitor sees no edit forms (None: they may edit): read-only, role, no-users or anonymous."""
    if request.app.state.read_only:
        return "read-only"
    if user is not None:
        return None if user.may("editor") else "role"
    return "no-users" if users.count_users(store) == 0 else "anonymous"


@dataclass
class EditState:
    """What the forms of a page need: who may edit (or why not), the CSRF token, and a refused form's state.

    ``form`` names the form a refusal belongs to (a page may have several),
    ``error`` is the one-line reason (the refusal's German text, ``err.german()``)
    and ``values`` what was typed, so the page is shown again with the error
    beside that form and nothing lost.
    """

    blocked: str | None
    user: users.User | None
    csrf_token: str
    here: str
    error: str | None = None
    form: str | None = None
    values: dict[str, str] = field(default_factory=dict)

    @property
    def may_edit(self) -> bool:
        return self.blocked is None

    def typed(self, form: str, name: str, default: Any = "") -> Any:
        """What was typed into ``name`` of the refused ``form``, else ``default`` (the stored value)."""
        if self.form == form and name in self.values:
            return self.values[name]
        return default

    def error_of(self, form: str) -> str | None:
        return self.error if self.form == form else None

    def may_undo(self, entry: Correction) -> bool:
        """Whether this visitor may undo ``entry``: an editor their own corrections, an admin anyone's."""
        if self.user is None or self.blocked is not None or entry.field == "undo" or entry.undone_by:
            return False
        return may_undo(self.user, entry.by)


def may_undo(user: users.User, author: str) -> bool:
    """An editor may undo the corrections made under their own name; an admin anyone's (a CLI user's too)."""
    return user.may("admin") or (user.may("editor") and user.name == author)


def edit_state(
    request: Request,
    store: Store,
    *,
    error: str | None = None,
    form: str | None = None,
    values: dict[str, str] | None = None,
) -> EditState:
    """The page's ``EditState``: the token is handed out only to a visitor who may edit (and so sees forms)."""
    visitor = visitor_of(request)
    user = visitor.user(store)
    blocked = why_no_form(request, store, user)
    token = visitor.csrf_token() if blocked is None else ""
    return EditState(blocked, user, token, request.url.path, error, form, values or {})


def back_to(path: str) -> RedirectResponse:
    """Post/Redirect/Get: a 303 to our own page, so a reload does not send the form twice."""
    return RedirectResponse(quote(path, safe="/?=&"), status_code=303)
