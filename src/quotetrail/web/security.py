"""Defences of a local web app: Host allow-list, CSRF tokens, same-origin POSTs, loopback checks.

quotetrail serves on localhost, where two browser attacks still reach it:
a page on another site can POST a form to ``http://127.0.0.1:8000/upload``
(cross-site request forgery), and a site whose DNS name is re-pointed at
127.0.0.1 can read the answers from its own origin (DNS rebinding).  The
first is stopped by a token only our own pages know plus an Origin check;
the second by refusing every ``Host`` header not on an allow-list.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

#: Names under which a server bound to the loopback interface is legitimately reached.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
CSRF_COOKIE = "quotetrail_csrf"
CSRF_FIELD = "csrf_token"


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server reachable from this machine only."""
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> list[str]:
    """The ``Host`` names to accept: the loopback names, the bound address (unless a wildcard) and ``extra``.

    A wildcard bind (``0.0.0.0``, ``::``) says nothing about the names
    clients will use, so those must be given as ``extra`` (``--allow-host``).
    """
    hosts = list(LOOPBACK_HOSTS)
    for name in (bind_host, *extra):
        name = name.strip().lower()
        if not name or name in ("0.0.0.0", "::", "[::]"):
            continue
        if ":" in name and not name.startswith("["):  # an IPv6 literal appears bracketed in Host
            name = f"[{name}]"
        if name not in hosts:
            hosts.append(name)
    return hosts


def new_csrf_nonce() -> str:
    """A random value for the CSRF cookie."""
    return secrets.token_urlsafe(24)


def csrf_token(secret: bytes, nonce: str) -> str:
    """The form token for a cookie nonce: an HMAC, so a cookie planted by another site yields no valid token."""
    return hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()


def csrf_token_is_valid(secret: bytes, nonce: str | None, token: str | None) -> bool:
    """Whether a submitted form token belongs to the browser's cookie nonce (constant-time compare)."""
    if not nonce or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, nonce), token)


def is_cross_site(request: Request) -> bool:
    """Whether a request says it comes from a page of another origin (Origin, else Referer).

    Browsers send Origin with every cross-site POST; when neither header is
    there (an old browser, a privacy extension, curl) the CSRF token alone decides.
    """
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() != own
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() != own
    return False


class CrossSiteGuard:
    """ASGI middleware refusing state-changing requests sent from another site's page, before any body is read.

    The CSRF token check in the upload handler only runs once the whole form
    has been received; this stops a cross-site POST at its headers.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in self.SAFE_METHODS:
            request = Request(scope)
            if is_cross_site(request):
                response = forbidden(request, "Anfrage von einer fremden Seite abgelehnt (cross-site request refused).")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def forbidden(request: Request, message: str) -> Response:
    """A 403 in the app's error shape: JSON under /api/, an HTML page elsewhere."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"ok": False, "error": message, "status": 403}, status_code=403)
    from .pages import error_page

    return error_page(request, 403, message)
