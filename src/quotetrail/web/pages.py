"""HTML pages: search, timeline, speakers, articles, claims and upload.

Every page calls the same ``quotetrail.query`` functions as the API and
checks its filters with the same code (``web/filters.py``).  All article
text and quotations are untrusted: templates autoescape, and the article
view builds its highlighting from escaped text runs.  The upload form
carries a CSRF token, and the ingest it starts runs in a worker thread so
the other pages keep answering.
"""

from __future__ import annotations

import re
import secrets
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from .. import query
from ..model import QUOTATION_TYPES, Article, Quotation
from ..store import open_store
from .deps import StoreDep
from .filters import MAX_PAGE, PageFilters, check_date, has_words, public_source
from .security import CSRF_COOKIE, CSRF_FIELD, csrf_token, csrf_token_is_valid, forbidden, new_csrf_nonce
from .timeline_svg import COLOURS, render_timeline

if TYPE_CHECKING:
    from ..ingest_job import Summary

router = APIRouter()
_env = Environment(loader=PackageLoader("quotetrail.web", "templates"), autoescape=select_autoescape(["html"]))
_env.filters["public_source"] = public_source
PAGE_SIZE = 50
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
ALLOWED_SUFFIXES = {".txt", ".text", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".md"}


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(
        _env.get_template(name).render(colours=COLOURS, types=QUOTATION_TYPES, **context), status_code=status
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render("error.html", status=status, status_code=status, message=message)


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(store: StoreDep) -> HTMLResponse:
    return render(
        "home.html",
        articles=store.count_articles(),
        quotations=store.count_quotations(),
        speakers=query.speakers(store)[:12],
        claims=[c for c in query.claims(store) if c.reports > 1][:5],
    )


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search(
    store: StoreDep,
    checked: PageFilters,
    q: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    filters = checked.as_kwargs()
    if checked.searchable:
        total = query.count_quotations(store, **filters)
        rows = query.quotations(store, **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        facet_rows = query.quotations(store, **filters, limit=5000)
    else:  # "!!!" has no word to look for: nothing matches, and FTS is not asked
        total, rows, facet_rows = 0, [], []
    facets = {
        "speaker": _count(r.speaker for r in facet_rows),
        "type": _count(r.type for r in facet_rows),
        "outlet": _count((r.outlet or r.agency) for r in facet_rows),
        "year": _count((r.said_on or "")[:4] or None for r in facet_rows),
    }
    return render("search.html", rows=rows, total=total, filters=filters, facets=facets, page=page, q=q or "")


def _count(values: Any) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for v in values:
        if v:
            counts[v] = counts.get(v, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:12]


@router.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
def timeline(
    store: StoreDep,
    q: str | None = None,
    speaker: str | None = None,
    claim: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> HTMLResponse:
    colour_by = None
    title = q or speaker or claim or ""
    since, until = check_date(_clean(since), "since"), check_date(_clean(until), "until")
    if claim:
        found = query.claim(store, claim)
        if found is None:
            raise HTTPException(404, f"no claim {claim!r}")
        members = store.claim_members(claim)
        rows = store.ledger_rows([m[0] for m in members])
        colour_by = {qid: stance for qid, stance, _ in members}
        title = found.text
    elif _clean(q):
        text = _clean(q) or ""
        rows = query.timeline(store, text, since=since, until=until, speaker=_clean(speaker)) if has_words(text) else []
    elif _clean(speaker):
        rows = query.quotations(store, speaker=speaker, since=since, until=until, limit=1000)
    else:
        rows = []
    chart = Markup(render_timeline(rows, colour_by))
    return render(
        "timeline.html",
        rows=rows,
        chart=chart,
        q=q or "",
        speaker=speaker or "",
        title=title,
        colour_by=colour_by,
        undated=sum(1 for r in rows if not r.said_on),
    )


@router.get("/speakers", response_class=HTMLResponse, include_in_schema=False)
def speakers(store: StoreDep, q: str | None = None) -> HTMLResponse:
    return render("speakers.html", speakers=query.speakers(store, query=_clean(q)), q=q or "")


@router.get("/speaker/{speaker_id}", response_class=HTMLResponse, include_in_schema=False)
def speaker(store: StoreDep, speaker_id: str) -> HTMLResponse:
    found = query.speaker(store, speaker_id)
    if found is None:
        raise HTTPException(404, f"no speaker {speaker_id!r}")
    rows = query.speaker_statements(store, found.id)
    claim_ids = _count(r.claim_id for r in rows)
    claims = [c for c in (query.claim(store, cid) for cid, _ in claim_ids) if c]
    chart = Markup(render_timeline(rows))
    return render("speaker.html", speaker=found, rows=rows, chart=chart, claims=claims)


def highlight(article: Article, quotations: list[Quotation]) -> Markup:
    """The article text as HTML with quotations, cues and speaker mentions marked; every piece escaped."""
    text = article.text
    labels: list[set[str]] = [set() for _ in range(len(text) + 1)]
    anchors: dict[int, list[str]] = {}
    for q in quotations:
        anchors.setdefault(q.start, []).append(q.id)
        for s in q.spans:
            for i in range(s.start, min(s.end, len(text))):
                labels[i].add(f"q q-{q.type}")
        for s in q.cue:
            for i in range(s.start, min(s.end, len(text))):
                labels[i].add("cue")
        for s in q.speaker_mention:
            for i in range(s.start, min(s.end, len(text))):
                labels[i].add("speaker")
    parts: list[str] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and labels[j] == labels[i] and j not in anchors:
            j += 1
        for qid in anchors.get(i, []):
            parts.append(f'<a id="q-{escape(qid)}" class="anchor"></a>')
        chunk = escape(text[i:j]).replace("\n\n", "</p><p>").replace("\n", "<br>")
        if labels[i]:
            parts.append(f'<span class="{escape(" ".join(sorted(labels[i])))}">{chunk}</span>')
        else:
            parts.append(chunk)
        i = j
    return Markup("<p>" + "".join(parts) + "</p>")


@router.get("/article/{article_id}", response_class=HTMLResponse, include_in_schema=False)
def article(store: StoreDep, article_id: str) -> HTMLResponse:
    found = query.article(store, article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id!r}")
    a, quotations = found
    rows = query.quotations(store, article=a.id, limit=1000, offset=0)
    return render("article.html", article=a, body=highlight(a, quotations), rows=rows)


@router.get("/claims", response_class=HTMLResponse, include_in_schema=False)
def claims(store: StoreDep, q: str | None = None) -> HTMLResponse:
    return render("claims.html", claims=query.claims(store, _clean(q)), q=q or "")


@router.get("/claim/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
def claim(store: StoreDep, claim_id: str) -> HTMLResponse:
    found = query.claim(store, claim_id)
    if found is None:
        raise HTTPException(404, f"no claim {claim_id!r}")
    from ..claims.compare import compare_claim

    members = store.claim_members(claim_id)
    stance = {qid: s for qid, s, _ in members}
    rows = store.ledger_rows([m[0] for m in members])
    chart = Markup(render_timeline(rows, stance))
    _, reports = compare_claim(store, claim_id) or (None, [])
    return render("claim.html", claim=found, rows=rows, stance=stance, chart=chart, reports=reports)


UPLOAD_OFF = "Hochladen ist bei diesem Server abgeschaltet (quotetrail serve --no-upload)."


def upload_page(
    request: Request, status: int = 200, summary: str | None = None, problems: list[str] | None = None
) -> HTMLResponse:
    """The upload page with a CSRF token for the browser's cookie (set here when the browser has none)."""
    nonce = request.cookies.get(CSRF_COOKIE) or new_csrf_nonce()
    response = render(
        "upload.html",
        status=status,
        limit=request.app.state.max_upload_bytes,
        summary=summary,
        problems=problems or [],
        csrf_field=CSRF_FIELD,
        csrf_token=csrf_token(request.app.state.csrf_secret, nonce),
    )
    if request.cookies.get(CSRF_COOKIE) != nonce:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/")
    return response


@router.get("/upload", response_class=HTMLResponse, include_in_schema=False)
def upload_form(request: Request) -> Response:
    if not request.app.state.upload_enabled:
        return forbidden(request, UPLOAD_OFF)
    return upload_page(request)


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave the upload folder: no path parts, no odd characters, a random prefix."""
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip("._") or "upload.txt"
    return f"{secrets.token_hex(4)}-{base[:80]}"


def ingest_uploads(request: Request, paths: list[Path]) -> Summary:
    """Ingest saved uploads with a store of this thread's own (SQLite connections belong to one thread).

    Runs in a worker thread: extraction takes seconds per article, and in
    the event loop it would hold up every other request meanwhile.
    """
    from ..ingest_job import ingest_paths  # looked up per call, so a test can stand in for it

    with request.app.state.ingest_lock:
        store = open_store(request.app.state.db_path)
        try:
            return ingest_paths(store, paths, group_claims=True)
        finally:
            store.close()


async def save_uploads(request: Request, files: list[UploadFile]) -> tuple[list[Path], list[str]]:
    """Store each acceptable file under the data folder; the rest become one problem line each."""
    limit = request.app.state.max_upload_bytes
    folder: Path = request.app.state.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    problems: list[str] = []
    for upload_file in files:
        name = upload_file.filename or "upload.txt"
        suffix = Path(name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            problems.append(f"{name}: unsupported file type {suffix!r} (text, HTML, JSON or JSONL expected)")
            continue
        data = await upload_file.read(limit + 1)
        if len(data) > limit:
            problems.append(f"{name}: larger than the {limit // 1_000_000} MB upload limit")
            continue
        target = (folder / safe_upload_name(name)).resolve()
        if folder.resolve() not in target.parents:
            problems.append(f"{name}: refused file name")
            continue
        target.write_bytes(data)
        saved.append(recorded_path(target))
    return saved, problems


def recorded_path(target: Path) -> Path:
    """The path to give ingest, which stores it as the article's source: relative to the working folder if inside it.

    With the default data folder beside a database in the working folder,
    an upload is recorded as ``quotetrail-uploads/1a2b3c4d-name.txt``, not
    as a path that tells where the server keeps its files.
    """
    try:
        return target.relative_to(Path.cwd())
    except ValueError:
        return target


@router.post("/upload", response_class=HTMLResponse, include_in_schema=False)
async def upload(
    request: Request,
    files: Annotated[list[UploadFile], File(description="Articles to add")],
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    if not request.app.state.upload_enabled:
        return forbidden(request, UPLOAD_OFF)
    if not csrf_token_is_valid(request.app.state.csrf_secret, request.cookies.get(CSRF_COOKIE), token):
        message = "Formular abgelaufen oder nicht von dieser Seite: bitte die Seite neu laden und erneut senden."
        return forbidden(request, message)
    saved, problems = await save_uploads(request, files)
    summary = None
    if saved:
        result = await run_in_threadpool(ingest_uploads, request, saved)
        summary = result.line()
        problems += [f"{Path(p.path).name.split('-', 1)[-1]}: {p.reason}" for p in result.problems]
    status = 200 if saved or not problems else (413 if all("upload limit" in p for p in problems) else 400)
    return upload_page(request, status=status, summary=summary, problems=problems)
