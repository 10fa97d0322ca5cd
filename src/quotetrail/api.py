"""The REST API under ``/api/`` and the web pages, as one FastAPI app.

Every handler calls a ``quotetrail.query`` function and returns its rows in
the export field names; the pages (``web/pages.py``) use the same queries.
The OpenAPI schema is the contract: parameters are checked by it (patterns,
bounds, enums) and every status code a route can give is listed in it.
Errors have one shape, ``{"ok": false, "error": ..., "status": ...}``: a
user's mistake is a 400 saying what to change; anything else is a 500 whose
``error_id`` finds the traceback in the server log.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from . import __version__, query
from .filters import QueryError, check_confidence, check_date, check_type, has_words
from .messages import LocalisedError, german
from .model import Claim, LedgerRow, Quotation, Speaker
from .store import is_url, open_store
from .web.deps import StoreDep
from .web.filters import After, ApiFilters, Limit, NarrowingFilters, Offset, public_source
from .web.refused import Refused
from .web.security import LOOPBACK_HOSTS, CrossSiteGuard
from .web.session import VisitorMiddleware
from .web.throttle import LoginThrottle

DEFAULT_MAX_UPLOAD_BYTES = 10_000_000
log = logging.getLogger("quotetrail.web")


class ErrorBody(BaseModel):
    """The one error shape of the API."""

    ok: Literal[False] = False
    error: str
    status: int
    error_id: str | None = None  # only for a 500: the key to the traceback in the server log


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


BAD_REQUEST: dict[int | str, dict[str, Any]] = {
    400: _documented("A parameter is not valid; `error` says which and why.")
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _documented("No such item.")}
INTERNAL: dict[int | str, dict[str, Any]] = {
    500: _documented("A bug on the server; `error_id` finds the traceback in the server log.")
}

router = APIRouter(prefix="/api", responses=INTERNAL)


def row_json(row: LedgerRow) -> dict[str, Any]:
    """A ledger row in the export field names, plus its quotation id; ``source`` never a server path."""
    return {**row.export_dict(), "source": public_source(row.source), "quotation_id": row.quotation_id}


def speaker_json(s: Speaker) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "kind": s.kind,
        "variants": list(s.variants),
        "roles": [{"role": r.role, "first_seen": r.first_seen, "last_seen": r.last_seen} for r in s.roles],
        "quotation_count": s.quotation_count,
    }


def claim_json(c: Claim) -> dict[str, Any]:
    """A claim without its member ids: ``/api/claims/{id}`` pages through its statements instead."""
    return {
        "id": c.id,
        "text": c.text,
        "first_said": c.first_said,
        "last_said": c.last_said,
        "speakers": list(c.speakers),
        "outlets": list(c.outlets),
        "reports": c.reports,
        "statements": c.statements,
    }


def page_json(page: query.Page[Any], key: str, items: list[Any]) -> dict[str, Any]:
    """A page as the API answers it: ``total`` in all, ``next`` to pass back (``after`` or ``offset``), or null."""
    return {"ok": True, "total": page.total, "next": page.next, key: items}


def report_json(r: Any) -> dict[str, Any]:
    """One outlet's report of a statement (claims.compare.OutletReport) as JSON."""
    return {
        "outlet": r.outlet,
        "said_on": r.said_on,
        "type": r.type,
        "speaker": r.speaker,
        "text": r.text,
        "stance": r.stance,
        "diff": r.diff,
        "omitted": list(r.omitted),
        "framing_near": list(r.framing_near),
        "framing_article": list(r.framing_article),
        "article_id": r.article_id,
        "quotation_id": r.quotation_id,
    }


def quotation_spans_json(q: Quotation) -> dict[str, Any]:
    def spans(values: tuple) -> list[list[int]]:
        return [[s.start, s.end] for s in values]

    return {
        "quotation_id": q.id,
        "type": q.type,
        "spans": spans(q.spans),
        "cue": spans(q.cue),
        "speaker_mention": spans(q.speaker_mention),
        "frame": spans(q.frame),
        "addressee": spans(q.addressee),
        "speaker": q.speaker,
        "speaker_role": q.speaker_role,
        "said_on": q.said_on,
        "said_on_text": q.said_on_text,
        "claim_id": q.claim_id,
    }


@router.get(
    "/quotations",
    summary="Quotations matching filters, oldest first, a page at a time",
    description="`total` counts every match; pass `next` back as `after` for the following page "
    "(null on the last one). `q` searches the text as the search page does.",
    responses=BAD_REQUEST,
)
def api_quotations(
    store: StoreDep, filters: ApiFilters, limit: Limit = 50, offset: Offset = 0, after: After = None
) -> dict[str, Any]:
    if filters.searchable:
        page = query.quotations_page(store, **filters.as_kwargs(), limit=limit, offset=offset, after=after)
    else:
        page = query.Page([], 0)
    return {**page_json(page, "quotations", [row_json(r) for r in page.items]), "limit": limit, "offset": offset}


@router.get(
    "/speakers",
    summary="Speakers, most quoted first, a page at a time",
    description="`total` counts every speaker matching `q`; `next` is the `offset` of the following page, or null.",
    responses=BAD_REQUEST,
)
def api_speakers(
    store: StoreDep,
    q: Annotated[str | None, Query(description="Part of a name or name variant.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    page = query.speakers_page(store, query=q or None, limit=limit, offset=offset)
    return page_json(page, "speakers", [speaker_json(s) for s in page.items])


@router.get(
    "/speakers/{speaker_id}",
    summary="One speaker with roles and a page of statements",
    description="`total` counts the speaker's statements; pass `next` back as `after` for the following page.",
    responses={**NOT_FOUND, **BAD_REQUEST},
)
def api_speaker(store: StoreDep, speaker_id: str, limit: Limit = 50, after: After = None) -> dict[str, Any]:
    found = query.speaker(store, speaker_id)
    if found is None:
        raise HTTPException(404, f"no speaker {speaker_id!r}")
    page = query.speaker_statements_page(store, found, after=after, limit=limit)
    return {**page_json(page, "statements", [row_json(r) for r in page.items]), "speaker": speaker_json(found)}


@router.get("/articles", summary="Articles, newest first, a page at a time", responses=BAD_REQUEST)
def api_articles(store: StoreDep, outlet: str | None = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    articles = query.articles(store, outlet=outlet, limit=limit + 1, offset=offset)
    more = len(articles) > limit
    articles = articles[:limit]
    return {
        "ok": True,
        "next": offset + limit if more and limit else None,
        "articles": [
            {
                "id": a.id,
                "source": public_source(a.source),
                "title": a.title,
                "outlet": a.outlet,
                "agency": a.agency,
                "published": a.published,
                "dateline": a.dateline,
                "language": a.language,
            }
            for a in articles
        ],
    }


@router.get("/articles/{article_id}", summary="One article with its text and quotation spans", responses=NOT_FOUND)
def api_article(store: StoreDep, article_id: str) -> dict[str, Any]:
    found = query.article(store, article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id!r}")
    a, quotations = found
    return {
        "ok": True,
        "article": {
            "id": a.id,
            "source": public_source(a.source),
            "title": a.title,
            "url": a.url,
            "outlet": a.outlet,
            "agency": a.agency,
            "byline": a.byline,
            "dateline": a.dateline,
            "author": a.author,
            "published": a.published,
            "language": a.language,
            "text": a.text,
            "removed": [{"text": r.text, "reason": r.reason} for r in a.removed],
        },
        "quotations": [quotation_spans_json(q) for q in quotations],
    }


@router.get(
    "/timeline",
    summary="Statements matching a query, in date order, a page at a time",
    description="Nested quotations are left out of `statements`; `total` counts every match. "
    "Pass `next` back as `after` for the following page (null on the last one).",
    responses=BAD_REQUEST,
)
def api_timeline(
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, description="Words in the quotation or the speaker's name.")],
    filters: NarrowingFilters,
    limit: Limit = 100,
    after: After = None,
) -> dict[str, Any]:
    if has_words(q):
        page = query.timeline_page(store, q, after=after, limit=limit, **filters.given())
    else:
        page = query.Page([], 0)
    return {**page_json(page, "statements", [row_json(r) for r in page.items]), "query": q}


@router.get(
    "/claims",
    summary="Claims: restatements grouped across articles, most reported first, a page at a time",
    description="`total` counts every claim matching `q`; `next` is the `offset` of the following page, or null.",
    responses=BAD_REQUEST,
)
def api_claims(
    store: StoreDep,
    q: Annotated[str | None, Query(description="Part of the claim's text or of a speaker's name.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    page = query.claims_page(store, q or None, limit=limit, offset=offset)
    return page_json(page, "claims", [claim_json(c) for c in page.items])


def claim_or_404(store: Any, claim_id: str) -> Claim:
    """The claim's summary, or the 404 every claim endpoint answers for an unknown id."""
    found = query.claim_summary(store, claim_id)
    if found is None:
        raise HTTPException(404, f"no claim {claim_id!r}")
    return found


@router.get(
    "/claims/{claim_id}",
    summary="One claim with a page of its statements and their stances",
    description="`total` counts the claim's statements; pass `next` back as `after` for the following page.",
    responses={**NOT_FOUND, **BAD_REQUEST},
)
def api_claim(store: StoreDep, claim_id: str, limit: Limit = 50, after: After = None) -> dict[str, Any]:
    found = claim_or_404(store, claim_id)
    page = query.claim_statements_page(store, claim_id, after=after, limit=limit)
    statements = [{**row_json(r), "stance": stance, "similarity": sim} for r, stance, sim in page.items]
    return {**page_json(page, "statements", statements), "claim": claim_json(found)}


@router.get(
    "/claims/{claim_id}/compare",
    summary="How each outlet reported a claim: type, wording diff, framing; a page of statements at a time",
    responses={**NOT_FOUND, **BAD_REQUEST},
)
def api_compare_claim(store: StoreDep, claim_id: str, limit: Limit = 50, after: After = None) -> dict[str, Any]:
    found = claim_or_404(store, claim_id)
    page = query.compare_claim_page(store, found, after=after, limit=limit)
    return {**page_json(page, "reports", [report_json(r) for r in page.items]), "claim": claim_json(found)}


@router.get(
    "/speakers/{speaker_id}/compare",
    summary="How each outlet reported a speaker's statements, a page at a time",
    responses={**NOT_FOUND, **BAD_REQUEST},
)
def api_compare_speaker(store: StoreDep, speaker_id: str, limit: Limit = 50, after: After = None) -> dict[str, Any]:
    found = query.speaker(store, speaker_id)
    if found is None:
        raise HTTPException(404, f"no speaker {speaker_id!r}")
    page = query.compare_speaker_page(store, found, after=after, limit=limit)
    return {**page_json(page, "reports", [report_json(r) for r in page.items]), "speaker": speaker_json(found)}


# -- errors ------------------------------------------------------------------
def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None, **extra: str) -> Any:
    """The error as JSON under /api/, as an HTML page elsewhere."""
    if _is_api(request):
        body = {"ok": False, "error": message, "status": status, **extra}
        return JSONResponse(body, status_code=status, headers=headers)
    from .web.pages import error_page

    response = error_page(request, status, message)
    response.headers.update(headers or {})
    return response


#: The checks behind the schema's parameters: a value the schema refuses gets their message (both languages).
_PARAMETER_CHECKS: dict[str, Callable[[Any], Any]] = {
    "since": lambda value: check_date(str(value), "since"),
    "until": lambda value: check_date(str(value), "until"),
    "type": lambda value: check_type(str(value)),
    "min_quote_confidence": check_confidence,
    "after": lambda value: query.check_cursor(str(value)),
}


def _validation_error(error: dict[str, Any]) -> QueryError:
    """One bad parameter as a QueryError, so that a page says it in German and the API in English.

    A filter gets the message of its own check (``filters``), the one a
    Python or CLI caller gets; the bounds and forms the schema declares get
    a line each; anything else names the parameter and pydantic's reason.
    """
    name = ".".join(str(x) for x in error["loc"][1:]) or "request"
    value, kind, bounds = error.get("input"), error["type"], error.get("ctx") or {}
    check = _PARAMETER_CHECKS.get(name)
    if check is not None:
        try:
            check(value)
        except QueryError as err:
            return err
    if kind in ("greater_than_equal", "greater_than"):
        return QueryError(
            "{name} must be at least {bound}, not {value!r}",
            name=name,
            bound=bounds.get("ge", bounds.get("gt")),
            value=value,
        )
    if kind in ("less_than_equal", "less_than"):
        return QueryError(
            "{name} must be at most {bound}, not {value!r}",
            name=name,
            bound=bounds.get("le", bounds.get("lt")),
            value=value,
        )
    if kind in ("int_parsing", "int_from_float"):
        return QueryError("{name} must be a whole number, not {value!r}", name=name, value=value)
    if kind == "missing":
        return QueryError("{name} is missing", name=name)
    return QueryError("{name}: {reason}", name=name, reason=error["msg"])


def _leaf_routes(routes: Sequence[Any]) -> Any:
    """The routes themselves: FastAPI keeps an included router as one entry (``original_router``); its routes
    carry their full path here, since every router is included without a further prefix."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _leaf_routes(inner.routes)
        else:
            yield route


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route of this path answers (Starlette's 405 names only the first route's)."""
    from starlette.routing import Match

    matching = [route for route in _leaf_routes(app.routes) if route.matches(request.scope)[0] != Match.NONE]
    literal = [route for route in matching if "{" not in getattr(route, "path", "{")]
    methods: set[str] = set()
    for route in literal or matching:  # /api/speakers/merge is that path's own, not a speaker called "merge"
        methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _in_its_language(request: Request, err: LocalisedError) -> str:
    """A refusal's text as the asker reads it: English under /api/ (as the CLI prints it), German on a page."""
    return str(err) if _is_api(request) else err.german()


def install_error_handlers(app: FastAPI) -> None:
    """HTTP errors keep their headers (405 keeps ``Allow``); QueryError is a 400 (its English text under /api/,
    its German one on a page: ``messages``); anything else a logged 500."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        message = german("Not found") if exc.status_code == 404 and not _is_api(request) else str(exc.detail)
        headers = exc.headers
        if exc.status_code == 405:  # one path, several routes (GET and POST): Allow names all their methods
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(app, request))}
        return _error(request, exc.status_code, message, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        errors = [_validation_error(e) for e in exc.errors()] or [QueryError("invalid parameters")]
        return _error(request, 400, "; ".join(_in_its_language(request, e) for e in errors))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Any:
        return _error(request, exc.status, _in_its_language(request, exc), headers=exc.headers)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Any:
        return _error(request, 400, _in_its_language(request, exc))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Any:
        error_id = secrets.token_hex(4)
        log.error("internal error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
        message = f"internal error {error_id}: a bug, not your input; the server log has the details"
        return _error(request, 500, message, error_id=error_id)


def _openapi_without_422(app: FastAPI) -> None:
    """Drop FastAPI's default 422 from the schema: validation errors are 400s here, documented as such."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


# -- API docs, served offline ---------------------------------------------------
SWAGGER_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs from the swagger-ui-bundle package: nothing fetched from a CDN."""
    from swagger_ui_bundle import swagger_ui_path

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="quotetrail API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # the default badge asks validator.swagger.io
        )

    @app.get("/api/docs/assets/{name}", include_in_schema=False)
    def api_docs_asset(name: str) -> Response:
        if name not in SWAGGER_ASSETS:
            raise HTTPException(404, f"no asset {name!r}")
        return FileResponse(Path(swagger_ui_path) / name)


def _warm_up_search() -> None:
    """Load the German lemmatiser's dictionary (about 4 s) before the first search needs it, not during it."""
    from .store.search import stem

    stem("Truppen")


def create_app(
    db_path: str | Path = "quotetrail.db",
    data_dir: str | Path | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    *,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
    upload_enabled: bool = True,
    read_only: bool = False,
) -> FastAPI:
    """The app serving ``db_path``; uploads are stored under ``data_dir`` (default: beside the database).

    Requests whose ``Host`` is not in ``allowed_hosts`` get a 400 (DNS
    rebinding); ``upload_enabled=False`` turns the upload page off;
    ``read_only=True`` turns every edit off (corrections, logins, uploads).
    With users in the database uploading needs an editor login, like every
    other edit; without, anyone who reaches the page may upload, as before.
    """
    db_path = str(db_path) if is_url(db_path) else Path(db_path)
    app = FastAPI(
        title="quotetrail",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="Who said what, when, and how each outlet reported it: the quotetrail ledger as JSON.",
    )
    app.state.db_path = db_path
    beside = Path.cwd() if isinstance(db_path, str) else db_path.resolve().parent  # a server database: here
    app.state.data_dir = Path(data_dir) if data_dir else beside / "quotetrail-uploads"
    app.state.max_upload_bytes = max_upload_bytes
    app.state.upload_enabled = upload_enabled and not read_only
    app.state.read_only = read_only
    app.state.session_secret = None  # read from the database when first needed (web/session.py)
    app.state.csrf_secret = secrets.token_bytes(32)  # per process: a restart only means reloading the form
    app.state.ingest_lock = threading.Lock()  # one upload ingests at a time: SQLite has one writer
    app.state.login_throttle = LoginThrottle()  # failed logins per name and address (web/throttle.py)
    open_store(db_path).close()  # create and migrate once at start-up (nothing written when up to date)
    threading.Thread(target=_warm_up_search, name="quotetrail-warm-up", daemon=True).start()

    install_error_handlers(app)
    _openapi_without_422(app)
    install_docs(app)
    from .web import adding, claim_editing, editing, rating, speaker_editing, undoing
    from .web.auth import router as auth
    from .web.pages import router as pages

    app.include_router(speaker_editing.api)  # before /api/speakers/{speaker_id}, which would take /merges
    app.include_router(router)
    for module in (editing, claim_editing, adding, undoing, rating):
        app.include_router(module.api)
    app.include_router(auth)
    app.include_router(pages)
    for module in (editing, claim_editing, adding, undoing, rating, speaker_editing):
        app.include_router(module.pages)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "web" / "static")), name="static")
    app.add_middleware(VisitorMiddleware)
    app.add_middleware(CrossSiteGuard)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    return app
