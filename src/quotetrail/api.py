"""The REST API under ``/api/`` and the web pages, as one FastAPI app.

Every handler calls a ``quotetrail.query`` function and returns its rows in
the export field names; the pages (``web/pages.py``) use the same queries.
Bad parameters become a 4xx with one error shape, ``{"ok": false, "error":
..., "status": ...}``; nothing a user types can cause a 500.
"""

from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__, query
from .model import Claim, LedgerRow, Quotation, Speaker
from .store import open_store
from .web.deps import StoreDep

DEFAULT_MAX_UPLOAD_BYTES = 10_000_000


def row_json(row: LedgerRow) -> dict[str, Any]:
    """A ledger row in the export field names, plus its quotation id."""
    return {**row.export_dict(), "quotation_id": row.quotation_id}


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
    return {
        "id": c.id,
        "text": c.text,
        "first_said": c.first_said,
        "last_said": c.last_said,
        "speakers": list(c.speakers),
        "outlets": list(c.outlets),
        "reports": c.reports,
        "quotation_ids": list(c.quotation_ids),
    }


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


Limit = Annotated[int, Query(ge=0, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip")]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)


def create_app(
    db_path: str | Path = "quotetrail.db",
    data_dir: str | Path | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> FastAPI:
    """The app serving ``db_path``; uploads are stored under ``data_dir`` (default: beside the database)."""
    db_path = Path(db_path)
    app = FastAPI(
        title="quotetrail",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        description="Who said what, when, and how each outlet reported it: the quotetrail ledger as JSON.",
    )
    app.state.db_path = db_path
    app.state.data_dir = Path(data_dir) if data_dir else db_path.resolve().parent / "quotetrail-uploads"
    app.state.max_upload_bytes = max_upload_bytes
    open_store(db_path).close()  # create and migrate once at start-up

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if request.url.path.startswith("/api/") or exc.status_code != 404:
            if not request.url.path.startswith("/api/"):
                from .web.pages import error_page

                return error_page(request, exc.status_code, str(exc.detail))
            return _error(exc.status_code, str(exc.detail))
        from .web.pages import error_page

        return error_page(request, 404, "Not found")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        details = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        if request.url.path.startswith("/api/"):
            return _error(400, details or "invalid parameters")
        from .web.pages import error_page

        return error_page(request, 400, details)

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError) -> Any:
        if request.url.path.startswith("/api/"):
            return _error(400, str(exc))
        from .web.pages import error_page

        return error_page(request, 400, str(exc))

    @app.get("/api/quotations", summary="Quotations matching filters, oldest first, with paging")
    def api_quotations(
        store: StoreDep,
        speaker: str | None = None,
        text: str | None = None,
        since: str | None = None,
        until: str | None = None,
        type: str | None = None,
        outlet: str | None = None,
        claim: str | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        filters = {
            "speaker": speaker,
            "text": text,
            "since": since,
            "until": until,
            "type": type,
            "outlet": outlet,
            "claim": claim,
        }
        rows = query.quotations(store, **filters, limit=limit, offset=offset)
        return {
            "ok": True,
            "total": query.count_quotations(store, **filters),
            "limit": limit,
            "offset": offset,
            "quotations": [row_json(r) for r in rows],
        }

    @app.get("/api/speakers", summary="Speakers, most quoted first")
    def api_speakers(store: StoreDep, q: str | None = None) -> dict[str, Any]:
        return {"ok": True, "speakers": [speaker_json(s) for s in query.speakers(store, query=q)]}

    @app.get("/api/speakers/{speaker_id}", summary="One speaker with roles and statements")
    def api_speaker(store: StoreDep, speaker_id: str) -> dict[str, Any]:
        found = query.speaker(store, speaker_id)
        if found is None:
            raise HTTPException(404, f"no speaker {speaker_id!r}")
        statements = query.speaker_statements(store, found.id)
        return {"ok": True, "speaker": speaker_json(found), "statements": [row_json(r) for r in statements]}

    @app.get("/api/articles", summary="Articles, newest first")
    def api_articles(
        store: StoreDep, outlet: str | None = None, limit: Limit = 50, offset: Offset = 0
    ) -> dict[str, Any]:
        articles = query.articles(store, outlet=outlet, limit=limit, offset=offset)
        return {
            "ok": True,
            "articles": [
                {
                    "id": a.id,
                    "source": a.source,
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

    @app.get("/api/articles/{article_id}", summary="One article with its text and quotation spans")
    def api_article(store: StoreDep, article_id: str) -> dict[str, Any]:
        found = query.article(store, article_id)
        if found is None:
            raise HTTPException(404, f"no article {article_id!r}")
        a, quotations = found
        return {
            "ok": True,
            "article": {
                "id": a.id,
                "source": a.source,
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

    @app.get("/api/timeline", summary="Statements matching a query, in date order")
    def api_timeline(
        store: StoreDep,
        q: Annotated[str, Query(min_length=1)],
        since: str | None = None,
        until: str | None = None,
        speaker: str | None = None,
    ) -> dict[str, Any]:
        rows = query.timeline(store, q, since=since, until=until, speaker=speaker)
        return {"ok": True, "query": q, "statements": [row_json(r) for r in rows]}

    @app.get("/api/claims", summary="Claims: restatements grouped across articles")
    def api_claims(store: StoreDep, q: str | None = None) -> dict[str, Any]:
        return {"ok": True, "claims": [claim_json(c) for c in query.claims(store, q)]}

    @app.get("/api/claims/{claim_id}", summary="One claim with its statements and stances")
    def api_claim(store: StoreDep, claim_id: str) -> dict[str, Any]:
        found = query.claim(store, claim_id)
        if found is None:
            raise HTTPException(404, f"no claim {claim_id!r}")
        members = {qid: (stance, sim) for qid, stance, sim in store.claim_members(claim_id)}
        rows = store.ledger_rows(list(members))
        return {
            "ok": True,
            "claim": claim_json(found),
            "statements": [
                {**row_json(r), "stance": members[r.quotation_id][0], "similarity": members[r.quotation_id][1]}
                for r in rows
            ],
        }

    @app.get("/api/claims/{claim_id}/compare", summary="How each outlet reported a claim: type, wording diff, framing")
    def api_compare_claim(store: StoreDep, claim_id: str) -> dict[str, Any]:
        from .claims.compare import compare_claim

        result = compare_claim(store, claim_id)
        if result is None:
            raise HTTPException(404, f"no claim {claim_id!r}")
        found, reports = result
        return {"ok": True, "claim": claim_json(found), "reports": [report_json(r) for r in reports]}  # type: ignore[arg-type]

    @app.get("/api/speakers/{speaker_id}/compare", summary="How each outlet reported a speaker's statements")
    def api_compare_speaker(store: StoreDep, speaker_id: str) -> dict[str, Any]:
        from .claims.compare import compare_speaker

        found = query.speaker(store, speaker_id)
        if found is None:
            raise HTTPException(404, f"no speaker {speaker_id!r}")
        return {
            "ok": True,
            "speaker": speaker_json(found),
            "reports": [report_json(r) for r in compare_speaker(store, found.id)],
        }

    from .web.pages import router

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "web" / "static")), name="static")
    return app
