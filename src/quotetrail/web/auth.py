"""Logging in and out, who is logged in, and ``require_role``: the gate in front of every edit.

Two ways in, one gate.  A browser logs in at ``/login`` and then carries
the signed session cookie (``web/session.py``); since a browser sends that
cookie by itself, a state-changing request with it must also carry the CSRF
token of our own pages (form field ``csrf_token`` or header
``X-CSRF-Token``).  A script sends ``Authorization: Bearer TOKEN`` with a
token from ``quotetrail users token``; browsers never add that header on
their own, so it needs no CSRF token.  Anonymous requests get 401, a role
too low 403, both in the app's error shape (JSON under ``/api/``, the HTML
error page elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from .. import users
from ..api import INTERNAL, _documented
from ..store import Store
from .deps import StoreDep
from .refused import Refused
from .security import CSRF_COOKIE, CSRF_FIELD, csrf_token_is_valid
from .session import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    cookie_flags,
    session_cookie_value,
    session_secret,
    visitor_of,
)

router = APIRouter()
#: "/" or a path whose second character is no slash or backslash (``//host`` leaves the site), and without
#: control characters or backslashes, which some browsers drop or turn into slashes.
_LOCAL_PATH = re.compile(r"/(?:[^/\\\x00-\x1f\x7f][^\\\x00-\x1f\x7f]*)?")
UNAUTHORISED: dict[int | str, dict[str, Any]] = {
    401: _documented("Not logged in: no session, or an unknown or revoked API token (`WWW-Authenticate: Bearer`).")
}
REFUSED: dict[int | str, dict[str, Any]] = {
    **UNAUTHORISED,
    403: _documented(
        "Logged in but not allowed: a role below editor, a session request without its CSRF token, "
        "a server started with `--read-only`, or one whose database role may only read."
    ),
}
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="APIToken",
    description="A token from `quotetrail users token NAME`, sent as `Authorization: Bearer TOKEN`.",
)
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_FAILED = "Anmeldung fehlgeschlagen: Name oder Passwort stimmt nicht."
TOO_MANY = "Zu viele fehlgeschlagene Anmeldungen: bitte in {minutes} Minuten erneut versuchen."
CSRF_API = (
    "CSRF token missing or wrong: with a session cookie, send the csrf_token of GET /api/me as X-CSRF-Token "
    "(or use an API token)"
)
FORM_EXPIRED = "Formular abgelaufen oder nicht von dieser Seite: bitte die Seite neu laden und erneut senden."


def _read_only() -> Refused:
    """The 403 of a server started with ``--read-only``: no edits, and no login page either."""
    return Refused("editing is turned off on this server (quotetrail serve --read-only)")


def _no_users() -> Refused:
    """The 401 of a database without users: nobody can log in, and the message says how to change that."""
    return Refused(
        "no one can log in yet: add a user with `quotetrail users add NAME --role editor`, then log in", status=401
    )


def _unknown_token() -> Refused:
    return Refused("this API token is unknown or revoked", status=401)


def _unauthorised(request: Request, refused: Refused) -> Refused:
    """A 401 with ``WWW-Authenticate`` under /api/; on a page (German) the error page links the login instead."""
    if request.url.path.startswith("/api/"):
        refused.headers = {"WWW-Authenticate": 'Bearer realm="quotetrail"'}
    return refused


async def _csrf_ok(request: Request) -> bool:
    """Whether the request carries this browser's CSRF token, as a header or as a form field."""
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    return csrf_token_is_valid(request.app.state.csrf_secret, request.cookies.get(CSRF_COOKIE), token)


def require_role(role: str) -> Callable[..., Awaitable[users.User]]:
    """A dependency admitting users with ``role`` or higher (by session plus CSRF token, or by API token)."""
    users.check_role(role)

    async def dependency(
        request: Request,
        store: StoreDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> users.User:
        if request.app.state.read_only:
            raise _read_only()
        if credentials is not None:
            user = await run_in_threadpool(users.user_for_token, store, credentials.credentials)
            if user is None:
                raise _unauthorised(request, _unknown_token())
        else:
            user = await run_in_threadpool(visitor_of(request).user, store)
            if user is None:
                if await run_in_threadpool(users.count_users, store) == 0:
                    raise _unauthorised(request, _no_users())
                raise _unauthorised(
                    request, Refused("log in first (or send an API token as 'Authorization: Bearer TOKEN')", status=401)
                )
            if request.method not in SAFE_METHODS and not await _csrf_ok(request):
                raise HTTPException(403, CSRF_API if request.url.path.startswith("/api/") else FORM_EXPIRED)
        if not user.may(role):
            raise Refused(
                "{user} is {role}; this needs {needed} or higher", user=user.name, role=user.role, needed=role
            )
        return user

    return dependency


def local_path(target: str | None) -> str:
    """Where to go after logging in: a path on this server only (no ``//host`` or ``https://``: no open redirect)."""
    if target and _LOCAL_PATH.fullmatch(target):
        return target
    return "/"


def login_page(request: Request, store: Store, status: int = 200, message: str | None = None, **form: str) -> Any:
    from .pages import render

    return render(
        "login.html",
        status=status,
        message=message,
        no_users=users.count_users(store) == 0,
        csrf_field=CSRF_FIELD,
        csrf_token=visitor_of(request).csrf_token(),
        next=local_path(form.get("next") or request.query_params.get("next")),
        user_name=form.get("name", ""),
    )


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, store: StoreDep) -> Response:
    if request.app.state.read_only:
        raise _read_only()
    return login_page(request, store)


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
def login(
    request: Request,
    store: StoreDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=users.MAX_PASSWORD)] = "",
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    next_: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    """Check the password and set the session cookie; a failure never says whether the name exists."""
    if request.app.state.read_only:
        raise _read_only()
    if not csrf_token_is_valid(request.app.state.csrf_secret, request.cookies.get(CSRF_COOKIE), token):
        raise HTTPException(403, FORM_EXPIRED)
    secret = session_secret(request.app, store)
    throttle = request.app.state.login_throttle
    address = request.client.host if request.client else ""
    wait = throttle.wait(address, name)
    if wait:
        page = login_page(request, store, 429, TOO_MANY.format(minutes=-(-wait // 60)), name=name, next=next_)
        page.headers["Retry-After"] = str(wait)
        return page
    user = users.verify_password(store, name, password) if secret else None
    if user is None or secret is None:
        if secret is not None:
            throttle.failed(address, name)
        message = _no_users().german() if secret is None else LOGIN_FAILED
        return login_page(request, store, 401, message, name=name, next=next_)
    throttle.succeeded(address, name)
    response = RedirectResponse(local_path(next_), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie_value(secret, user),
        max_age=SESSION_MAX_AGE,
        samesite="lax",
        **cookie_flags(request),
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> Response:
    """End the session in this browser (CSRF-checked: another site cannot log a visitor out)."""
    if not csrf_token_is_valid(request.app.state.csrf_secret, request.cookies.get(CSRF_COOKIE), token):
        raise HTTPException(403, FORM_EXPIRED)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, samesite="lax", **cookie_flags(request))
    return response


@router.get(
    "/api/me",
    summary="Who is asking: the logged-in user (session or API token) or anonymous",
    description="`user` is null for an anonymous request. `editing` says whether this server takes edits at all "
    "(false with `serve --read-only` or before any user was added). `csrf_token` (session logins only) is what "
    "a script in the browser sends as `X-CSRF-Token` with a state-changing request.",
    tags=["users"],
    responses={**UNAUTHORISED, **INTERNAL},
    openapi_extra={"security": [{}]},  # added to the token's entry: a token is optional here (anonymous is fine)
)
def api_me(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    visitor = visitor_of(request)
    read_only = request.app.state.read_only
    user, via = None, None
    if credentials is not None and not read_only:
        user, via = users.user_for_token(store, credentials.credentials), "token"
        if user is None:  # a script with a wrong token should fail loudly, not carry on as anonymous
            raise _unauthorised(request, _unknown_token())
    elif not read_only:
        user, via = visitor.user(store), "session"
    editing = not read_only and users.count_users(store) > 0
    return {
        "ok": True,
        "user": {"name": user.name, "role": user.role} if user else None,
        "via": via if user else None,
        "editing": editing,
        "may_edit": bool(user and editing and user.may("editor")),
        "csrf_token": visitor.csrf_token() if user and via == "session" else None,
    }
