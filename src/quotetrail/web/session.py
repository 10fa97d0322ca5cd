"""Who is asking: the signed session cookie, the CSRF nonce cookie, and the visitor every page is rendered for.

A session cookie holds ``{"u": name, "f": fingerprint}`` signed with
itsdangerous (HMAC-SHA1 over the payload and a timestamp) under the
secret kept in the database (``users.session_secret``): a restart keeps
sessions, and a tampered or too old cookie is simply anonymous.  The
fingerprint is a hash of the user's password hash and role, so a new
password, a new role or a removed user ends every session at once,
with no session table to clean up.

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Lax`` and
``Secure`` when the request came over https.  Lax rather than Strict: a
link to a quotation page from a chat or a mail then opens with the editor
still logged in; the cookie is not sent with another site's POSTs, and
every state-changing request needs a CSRF token besides (and passes
``CrossSiteGuard``'s Origin check), so Strict would only add the
logged-out first click.

``VisitorMiddleware`` makes one ``Visitor`` per request and puts it where
``render`` finds it (a context variable): the page header then shows
"Anmelden" or the user's name and "Abmelden" without every page handler
passing the request on.  The user is looked up only when a page asks, and
only when the browser sent a session cookie.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import users
from ..store import open_store
from .security import CSRF_COOKIE, csrf_token, new_csrf_nonce

if TYPE_CHECKING:
    from ..store import Store
    from ..users import User

SESSION_COOKIE = "quotetrail_session"
#: How long a login lasts: a working day.  Signed into the cookie, so a copied cookie expires too.
SESSION_MAX_AGE = 12 * 3600
_SALT = "quotetrail-session"
_NO_USER = object()


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def session_secret(app: Any, store: Store | None = None) -> bytes | None:
    """The database's session secret, cached on the app once found (None while no user was ever added).

    Looked up again on each request until found, so ``users add`` in another
    terminal makes logging in possible without restarting ``serve``.
    """
    if getattr(app.state, "session_secret", None) is None:
        if store is not None:
            app.state.session_secret = users.session_secret(store)
        else:
            with open_store(app.state.db_path) as own:
                app.state.session_secret = users.session_secret(own)
    return app.state.session_secret


def session_cookie_value(secret: bytes, user: User) -> str:
    return _serializer(secret).dumps({"u": user.name, "f": user.fingerprint})


def session_user(secret: bytes | None, cookie: str | None, store: Store) -> User | None:
    """The user a session cookie names, if its signature, age and fingerprint are all still good."""
    if not secret or not cookie:
        return None
    try:
        payload = _serializer(secret).loads(cookie, max_age=SESSION_MAX_AGE)
    except BadData:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), str):
        return None
    user = users.get_user(store, payload["u"])
    return user if user is not None and user.fingerprint == payload.get("f") else None


def cookie_flags(request: Request) -> dict[str, Any]:
    """The attributes every cookie of ours gets: HttpOnly, path /, Secure over https."""
    return {"httponly": True, "path": "/", "secure": request.url.scheme == "https"}


@dataclass
class Visitor:
    """The person behind one request, as far as the session cookie tells."""

    request: Request
    new_nonce: str | None = None
    _user: Any = field(default=_NO_USER, repr=False)

    @property
    def read_only(self) -> bool:
        """Whether this server takes no edits at all (``serve --read-only``)."""
        return bool(getattr(self.request.app.state, "read_only", False))

    def user(self, store: Store | None = None) -> User | None:
        """The logged-in user (via the session cookie), looked up once per request."""
        if self._user is _NO_USER:
            cookie = self.request.cookies.get(SESSION_COOKIE)
            if not cookie or self.read_only:
                self._user = None
            elif store is not None:
                self._user = session_user(session_secret(self.request.app, store), cookie, store)
            else:
                with open_store(self.request.app.state.db_path) as own:
                    self._user = session_user(session_secret(self.request.app, own), cookie, own)
        return self._user

    @property
    def nonce(self) -> str:
        """The browser's CSRF nonce; a new one (sent back as a cookie by the middleware) when it has none."""
        cookie = self.request.cookies.get(CSRF_COOKIE)
        if cookie:
            return cookie
        if self.new_nonce is None:
            self.new_nonce = new_csrf_nonce()
        return self.new_nonce

    def csrf_token(self) -> str:
        """The token this browser's forms carry (and scripts send as ``X-CSRF-Token``)."""
        return csrf_token(self.request.app.state.csrf_secret, self.nonce)


_visitor: ContextVar[Visitor | None] = ContextVar("quotetrail_visitor", default=None)


def current_visitor() -> Visitor | None:
    """The visitor of the request being handled (None outside a request, e.g. in a unit test of a template)."""
    return _visitor.get()


def visitor_of(request: Request) -> Visitor:
    """The request's visitor (made by the middleware; made here for an app without it)."""
    found = request.scope.get("state", {}).get("visitor")
    if found is None:
        found = Visitor(request)
        request.scope.setdefault("state", {})["visitor"] = found
    return found


class VisitorMiddleware:
    """Make the request's Visitor, and set the CSRF nonce cookie when a page handed out a token for a new one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        visitor = visitor_of(request)
        reset = _visitor.set(visitor)

        async def send_with_nonce(message: Message) -> None:
            if message["type"] == "http.response.start" and visitor.new_nonce is not None:
                headers = MutableHeaders(scope=message)
                if not any(v.startswith(f"{CSRF_COOKIE}=") for k, v in headers.items() if k == "set-cookie"):
                    from starlette.responses import Response

                    cookie = Response()
                    cookie.set_cookie(CSRF_COOKIE, visitor.new_nonce, samesite="strict", **cookie_flags(request))
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_nonce)
        finally:
            _visitor.reset(reset)
