"""HTML pages: search, timeline, speakers, articles, claims and upload.

Every page calls the same ``quotetrail.query`` functions as the API.  All
article text and quotations are untrusted: templates autoescape, and the
article view builds its highlighting from escaped text runs.
"""

from __future__ import annotations

import re
import secrets
from html import escape
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from .. import query
from ..model import QUOTATION_TYPES, Article, Quotation
from ..store import open_store
from .deps import StoreDep
from .timeline_svg import COLOURS, render_timeline

router = APIRouter()
_env = Environment(loader=PackageLoader("quotetrail.web", "templates"), autoescape=select_autoescape(["html"]))
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
ALLOWED_SUFFIXES = {".txt", ".text", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".md"}


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(
        _env.get_template(name).render(colours=COLOURS, types=QUOTATION_TYPES, **context), status_code=status
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render("error.html", status=status, status_code=status, message=message)


def _store(request: Request):
    return open_store(request.app.state.db_path)


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
    q: str | None = None,
    speaker: str | None = None,
    type: str | None = None,
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page: int = 1,
) -> HTMLResponse:
    filters = {
        "text": _clean(q),
        "speaker": _clean(speaker),
        "type": _clean(type),
        "outlet": _clean(outlet),
        "since": _clean(since),
        "until": _clean(until),
    }
    page = max(1, page)
    total = query.count_quotations(store, **filters)
    rows = query.quotations(store, **filters, limit=50, offset=(page - 1) * 50)
    facet_rows = query.quotations(store, **filters, limit=5000)
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
    if claim:
        found = query.claim(store, claim)
        if found is None:
            raise HTTPException(404, f"no claim {claim!r}")
        members = store.claim_members(claim)
        rows = store.ledger_rows([m[0] for m in members])
        colour_by = {qid: stance for qid, stance, _ in members}
        title = found.text
    elif _clean(q):
        rows = query.timeline(store, q, since=_clean(since), until=_clean(until), speaker=_clean(speaker))  # type: ignore[arg-type]
    elif _clean(speaker):
        rows = query.quotations(store, speaker=speaker, since=_clean(since), until=_clean(until), limit=1000)
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


@router.get("/upload", response_class=HTMLResponse, include_in_schema=False)
def upload_form(request: Request) -> HTMLResponse:
    return render("upload.html", limit=request.app.state.max_upload_bytes, summary=None, problems=[])


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave the upload folder: no path parts, no odd characters, a random prefix."""
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip("._") or "upload.txt"
    return f"{secrets.token_hex(4)}-{base[:80]}"


@router.post("/upload", response_class=HTMLResponse, include_in_schema=False)
async def upload(
    request: Request, files: Annotated[list[UploadFile], File(description="Articles to add")]
) -> HTMLResponse:
    from ..ingest_job import ingest_paths

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
        saved.append(target)
    summary = None
    if saved:
        store = _store(request)
        try:
            result = ingest_paths(store, saved)
        finally:
            store.close()
        summary = result.line().replace(str(folder) + "/", "")
        problems += [f"{Path(p.path).name.split('-', 1)[-1]}: {p.reason}" for p in result.problems]
    status = 200 if saved or not problems else (413 if all("upload limit" in p for p in problems) else 400)
    return render("upload.html", status=status, limit=limit, summary=summary, problems=problems)
