"""HTML pages: search, timeline, speakers, articles, claims and upload.

Every page calls the same ``quotetrail.query`` functions as the API and
checks its filters with the same code (``web/filters.py``).  All article
text and quotations are untrusted: templates autoescape, and the article
view builds its highlighting from escaped text runs.  The upload form
carries a CSRF token, and the ingest it starts runs in a worker thread so
the other pages keep answering.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from .. import query
from ..filters import QuotationFilters
from ..messages import german
from ..model import QUOTATION_TYPES, Article, LedgerRow, Quotation
from ..quotations import UNCERTAIN_QUOTE
from ..speakers.chains import UNCERTAIN as UNCERTAIN_SPEAKER
from ..store import Store, open_store
from .deps import StoreDep
from .filters import PageFilters, PageNumber, public_source
from .forms import EditState, edit_state
from .refused import Refused
from .security import CSRF_COOKIE, CSRF_FIELD, csrf_token_is_valid, forbidden
from .session import current_visitor, visitor_of
from .timeline_svg import COLOURS, render_timeline

if TYPE_CHECKING:
    from ..ingest_job import Summary

router = APIRouter()
_env = Environment(loader=PackageLoader("quotetrail.web", "templates"), autoescape=select_autoescape(["html"]))
_env.filters["public_source"] = public_source
_env.filters["num"] = lambda n: f"{n:,}".replace(",", ".")  # German thousands: 1.000.000
_env.filters["fromjson"] = lambda value: _json_or_empty(value)
_env.filters["spans"] = lambda spans: ",".join(f"{s}-{e}" for s, e in spans or []) or "?"
# below these the lists mark a speaker "(unsicher)" and a quotation "Zitat unsicher" (docs/speakers.md, docs/accuracy.md)
_env.globals["uncertain_speaker"] = UNCERTAIN_SPEAKER
_env.globals["uncertain_quote"] = UNCERTAIN_QUOTE
PAGE_SIZE = 50
TIMELINE_SIZE = 100  # statements per timeline page: the chart and the list of one page
FACET_ROWS = 2000  # search facets are counted over at most this many matches
#: A page's cursor: checked by ``query`` (a 400 saying what is wrong); blank means the first page.
Cursor = Annotated[str | None, Query(max_length=2000)]
Position = Annotated[int, Query(ge=0, le=100_000_000)]
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
ALLOWED_SUFFIXES = {".txt", ".text", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".md"}


def _json_or_empty(value: str | None) -> Any:
    """A log entry's JSON value (a claim target, spans, an added quotation's values), {} if it is none."""
    try:
        found = json.loads(value or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A template as a page; ``visitor`` (who is asking, for the header's login and logout) comes with it."""
    page = _env.get_template(name).render(colours=COLOURS, types=QUOTATION_TYPES, visitor=current_visitor(), **context)
    return HTMLResponse(page, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The HTML error page; a 401 links to the login form, which brings the visitor back here."""
    return render("error.html", status=status, status_code=status, message=message, here=request.url.path)


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def page_url(path: str, **params: Any) -> str:
    """A link to ``path`` with the non-empty ``params``: what every "weiter" link is made of."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def link_params(checked: QuotationFilters) -> dict[str, Any]:
    """A page's filters as its links carry them (the words as ``q``, as the forms send them)."""
    given = checked.given()
    return {"q": given.pop("text", None), **given}


def keyset_next(path: str, page: query.Page[Any], known: bool = True, **params: Any) -> str | None:
    """The "weiter" link of a keyset page: the filters, the cursor and (when ``known``) where the next page starts."""
    if page.next is None:
        return None
    return page_url(path, **params, after=page.next, start=page.end if known else None)


def numbered_next(path: str, page: query.Page[Any], number: int, **params: Any) -> str | None:
    """The "weiter" link of a numbered (offset) page."""
    return page_url(path, **params, page=number + 1) if page.next is not None else None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(store: StoreDep) -> HTMLResponse:
    """Counts and the top of two lists, each read in index order and cut by LIMIT: no list is loaded whole."""
    return render(
        "home.html",
        articles=store.count_articles(),
        quotations=store.count_quotations(),
        speakers=query.speakers_page(store, limit=12),
        claims=query.claims_page(store, min_reports=2, limit=5),
    )


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search(
    store: StoreDep,
    checked: PageFilters,
    q: str | None = None,
    page: PageNumber = 1,
    after: Cursor = None,
    start: Position | None = None,
) -> HTMLResponse:
    """A page of matches in date order; "weiter" carries a cursor, so deep pages cost what the first does.

    ``page`` (numbered, offset) still works for old links.  The facets are
    counted over at most FACET_ROWS matches, which the page says when the
    total is larger.
    """
    filters = checked.as_kwargs()
    if checked.searchable:
        offset = 0 if after else (page - 1) * PAGE_SIZE
        position = start if after else offset
        result = query.quotations_page(
            store, **filters, after=after, limit=PAGE_SIZE, offset=offset, start=position or 0
        )
        facets = query.facet_counts(store, rows=FACET_ROWS, **filters)
    else:  # "!!!" has no word to look for: nothing matches, and FTS is not asked
        result, facets, position = query.Page([], 0), {}, 0
    params = link_params(checked)
    return render(
        "search.html",
        page=result,
        known=position is not None,
        next_url=keyset_next("/search", result, position is not None, **params),
        timeline_url=page_url("/timeline", **params),
        filters=filters,
        facets=facet_links(facets, params),
        facet_rows=FACET_ROWS,
        q=q or "",
    )


def facet_links(
    facets: dict[str, list[tuple[str, int]]], params: dict[str, Any]
) -> dict[str, list[tuple[str, int, str]]]:
    """Each facet value with its count and the search narrowed by it: the current filters kept, that one set.

    A year narrows to that year (``since`` and ``until``); a facet named like a filter sets that filter.
    """

    def narrowed(name: str, value: str) -> str:
        facet = {"since": value, "until": value} if name == "year" else {name: value}
        return page_url("/search", **(params | facet))

    return {name: [(value, n, narrowed(name, value)) for value, n in values] for name, values in facets.items()}


@router.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
def timeline(
    store: StoreDep,
    checked: PageFilters,
    q: str | None = None,
    speaker: str | None = None,
    claim: str | None = None,
    after: Cursor = None,
    start: Position | None = None,
    page: PageNumber = 1,
) -> HTMLResponse:
    """A page of statements and its chart: by topic or speaker (cursor paging, the search's filters), or a claim's."""
    position = start if after else 0
    colour_by, title, next_url = None, q or speaker or claim or "", None
    if claim:
        result, colour_by, title = _claim_timeline(store, claim, after, position or 0)
        next_url = keyset_next("/timeline", result, position is not None, claim=claim)
    elif checked.text or checked.speaker:
        result = _statements_timeline(store, checked, after, position or 0)
        next_url = keyset_next("/timeline", result, position is not None, **link_params(checked))
    else:
        result = query.Page([], 0)
    return render(
        "timeline.html",
        page=result,
        known=position is not None,
        next_url=next_url,
        rows=result.items,
        chart=Markup(render_timeline(result.items, colour_by)),
        q=q or "",
        speaker=speaker or "",
        filters=checked.as_kwargs(),
        title=title,
        colour_by=colour_by,
        undated=sum(1 for r in result.items if not r.said_on),
    )


def _claim_timeline(
    store: Store, claim_id: str, after: str | None, start: int
) -> tuple[query.Page[LedgerRow], dict[str, str], str]:
    """One cursor page of a claim's members, their stances (the chart's colours) and the claim's text."""
    found = query.claim_summary(store, claim_id)
    if found is None:
        raise HTTPException(404, f"no claim {claim_id!r}")
    members = query.claim_statements_page(store, claim_id, after=after, limit=TIMELINE_SIZE, start=start)
    stances = {row.quotation_id: stance for row, stance, _ in members.items}
    return dataclasses.replace(members, items=[row for row, _, _ in members.items]), stances, found.text


def _statements_timeline(
    store: Store, checked: QuotationFilters, after: str | None, start: int
) -> query.Page[LedgerRow]:
    """One cursor page of the statements on a topic (nested quotations left out) or by a speaker."""
    if not checked.searchable:  # "!!!": no word to look for, so nothing matches
        return query.Page([], 0)
    given = checked.given()
    if checked.text:
        return query.timeline_page(store, given.pop("text"), after=after, limit=TIMELINE_SIZE, start=start, **given)
    return query.quotations_page(store, after=after, limit=TIMELINE_SIZE, start=start, **given)


@router.get("/speakers", response_class=HTMLResponse, include_in_schema=False)
def speakers(store: StoreDep, q: str | None = None, page: PageNumber = 1) -> HTMLResponse:
    """Speakers most quoted first, a numbered page at a time (index ``speakers_count``)."""
    result = query.speakers_page(store, query=_clean(q), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        "speakers.html",
        page=result,
        known=True,
        next_url=numbered_next("/speakers", result, page, q=_clean(q)),
        q=q or "",
    )


@router.get("/speaker/{speaker_id}", response_class=HTMLResponse, include_in_schema=False)
def speaker(
    request: Request, store: StoreDep, speaker_id: str, after: Cursor = None, start: Position | None = None
) -> HTMLResponse:
    """A speaker's roles, the claims they repeat most, and a page of their statements (cursor paging)."""
    return speaker_page(request, store, speaker_id, edit_state(request, store), after=after, start=start)


def speaker_page(
    request: Request,
    store: Store,
    speaker_id: str,
    edit: EditState,
    status: int = 200,
    after: str | None = None,
    start: int | None = None,
) -> HTMLResponse:
    """The speaker page; for an editor the merge form, and the names merged into this person with a split button."""
    found = query.speaker(store, speaker_id)
    if found is None:
        raise HTTPException(404, f"no speaker {speaker_id!r}")
    position = start if after else 0
    result = query.speaker_statements_page(store, found, after=after, limit=PAGE_SIZE, start=position or 0)
    return render(
        "speaker.html",
        status=status,
        speaker=found,
        page=result,
        known=position is not None,
        next_url=keyset_next(f"/speaker/{found.id}", result, position is not None),
        rows=result.items,
        chart=Markup(render_timeline(result.items)),
        claims=query.speaker_claims(store, found, limit=10),
        merged=names_merged_into(store, found.name),
        edit=edit,
    )


def names_merged_into(store: Store, name: str) -> list[Any]:
    """The standing merges shown as ``name`` (one small read when nobody merged anything)."""
    from ..speaker_merges import merged_speakers

    if name not in set(store.speaker_alias_roots().values()):
        return []
    return [m for m in merged_speakers(store) if m.shown_as == name]


def highlight(article: Article, quotations: list[Quotation]) -> Markup:
    """The article text as HTML with quotations, cues and speaker mentions marked; every piece escaped.

    Every run of text is a span whose ``data-o`` is the offset of its first
    character in ``Article.text`` (line breaks are runs of their own), so a
    few lines of script turn a selection into the offsets "Zitat ergänzen" asks for.
    """
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
        for qid in anchors.get(i, []):
            parts.append(f'<a id="q-{escape(qid)}" class="anchor"></a>')
        if text[i] == "\n":
            breaks = 2 if text.startswith("\n\n", i) else 1
            parts.append(f'</p><p data-o="{i + breaks}">' if breaks == 2 else "<br>")
            i += breaks
            continue
        j = i + 1
        while j < len(text) and labels[j] == labels[i] and j not in anchors and text[j] != "\n":
            j += 1
        label = f' class="{escape(" ".join(sorted(labels[i])))}"' if labels[i] else ""
        parts.append(f'<span{label} data-o="{i}">{escape(text[i:j])}</span>')
        i = j
    return Markup('<p data-o="0">' + "".join(parts) + "</p>")


@router.get("/article/{article_id}", response_class=HTMLResponse, include_in_schema=False)
def article(request: Request, store: StoreDep, article_id: str) -> HTMLResponse:
    return article_page(request, store, article_id, edit_state(request, store))


def article_page(request: Request, store: Store, article_id: str, edit: EditState, status: int = 200) -> HTMLResponse:
    """The article with its quotations highlighted; for an editor the "Zitat ergänzen" form."""
    found = query.article(store, article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id!r}")
    a, quotations = found
    # one article's quotations: as many as its text holds, all highlighted, so all listed (no fixed cap)
    rows = query.quotations(store, article=a.id, limit=max(1, len(quotations)), offset=0)
    return render("article.html", status=status, article=a, body=highlight(a, quotations), rows=rows, edit=edit)


@router.get("/claims", response_class=HTMLResponse, include_in_schema=False)
def claims(store: StoreDep, q: str | None = None, page: PageNumber = 1) -> HTMLResponse:
    """Claims most reported first, a numbered page at a time (index ``claims_reports``), without member ids;
    a rated claim carries a "bewertet" marker."""
    from ..ratings import rated_claims

    result = query.claims_page(store, _clean(q), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        "claims.html",
        page=result,
        known=True,
        next_url=numbered_next("/claims", result, page, q=_clean(q)),
        q=q or "",
        rated=rated_claims(store, [(c.id, c.text) for c in result.items]),
    )


@router.get("/claim/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
def claim(
    request: Request, store: StoreDep, claim_id: str, after: Cursor = None, start: Position | None = None
) -> HTMLResponse:
    """A claim: who contradicts or hedges it, then a page of its reports (cursor paging) with the outlet comparison.

    Only this page's articles are read for the comparison, so a claim
    reported 10,000 times renders as fast as one reported 50 times.
    """
    return claim_page(request, store, claim_id, edit_state(request, store), after=after, start=start)


def claim_page(
    request: Request,
    store: Store,
    claim_id: str,
    edit: EditState,
    status: int = 200,
    after: str | None = None,
    start: int | None = None,
) -> HTMLResponse:
    """The claim page; its ratings newest first, and for an editor the claim-wide correction and rating forms."""
    from ..ratings import SCALE, reviews

    found = query.claim_summary(store, claim_id)
    if found is None:
        raise HTTPException(404, f"no claim {claim_id!r}")
    contra = query.claim_statements_page(store, claim_id, stances=("denies", "hedges"), limit=PAGE_SIZE)
    position = start if after else 0
    members = query.claim_statements_page(store, claim_id, after=after, limit=PAGE_SIZE, start=position or 0)
    rows = [row for row, _, _ in members.items]
    stance = {row.quotation_id: s for row, s, _ in [*members.items, *contra.items]}
    return render(
        "claim.html",
        status=status,
        claim=found,
        page=members,
        known=position is not None,
        next_url=keyset_next(f"/claim/{found.id}", members, position is not None),
        rows=rows,
        contra=contra,
        stance=stance,
        chart=Markup(render_timeline(rows, stance)),
        reports=query.compare_statements(store, found, members.items),
        ratings=[r for r in reversed(reviews(store, found.id)) if r.placed_on == found.id],
        scale=SCALE,
        edit=edit,
    )


UPLOAD_OFF = "Hochladen ist bei diesem Server abgeschaltet (quotetrail serve --no-upload)."


def upload_page(
    request: Request, status: int = 200, summary: str | None = None, problems: list[str] | None = None
) -> HTMLResponse:
    """The upload page with a CSRF token for the browser's cookie (set by the middleware when it has none)."""
    return render(
        "upload.html",
        status=status,
        limit=request.app.state.max_upload_bytes,
        summary=summary,
        problems=problems or [],
        csrf_field=CSRF_FIELD,
        csrf_token=visitor_of(request).csrf_token(),
    )


UPLOAD_LOGIN = "Zum Hochladen bitte als editor anmelden."


def check_uploader(request: Request, store: Store) -> None:
    """With users in the database, only an editor or admin may upload (adding articles is editing); 401/403 else.

    Without users it stays as before: anyone who reaches the page, which
    ``serve`` allows only on loopback or with ``--allow-remote-upload``.
    """
    from .. import users

    if users.count_users(store) == 0:
        return
    user = visitor_of(request).user(store)
    if user is None:
        raise HTTPException(401, UPLOAD_LOGIN)
    if not user.may("editor"):
        raise Refused("{user} is {role}; uploading needs editor or higher", user=user.name, role=user.role)


@router.get("/upload", response_class=HTMLResponse, include_in_schema=False)
def upload_form(request: Request, store: StoreDep) -> Response:
    if not request.app.state.upload_enabled:
        return forbidden(request, UPLOAD_OFF)
    check_uploader(request, store)
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


async def save_uploads(request: Request, files: list[UploadFile]) -> tuple[list[Path], list[str], int]:
    """Store each acceptable file under the data folder; the rest become one problem line each, in German.

    Returns the saved paths, the problem lines and how many of those are files over the size limit.
    """
    limit = request.app.state.max_upload_bytes
    folder: Path = request.app.state.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    problems: list[str] = []
    too_large = 0
    for upload_file in files:
        name = upload_file.filename or "upload.txt"
        suffix = Path(name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            problems.append(
                german(
                    "{name}: unsupported file type {suffix!r} (text, HTML, JSON or JSONL expected)",
                    name=name,
                    suffix=suffix,
                )
            )
            continue
        data = await upload_file.read(limit + 1)
        if len(data) > limit:
            problems.append(
                german("{name}: larger than the {megabytes} MB upload limit", name=name, megabytes=limit // 1_000_000)
            )
            too_large += 1
            continue
        target = (folder / safe_upload_name(name)).resolve()
        if folder.resolve() not in target.parents:
            problems.append(german("{name}: refused file name", name=name))
            continue
        target.write_bytes(data)
        saved.append(recorded_path(target))
    return saved, problems, too_large


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
    store: StoreDep,
    files: Annotated[list[UploadFile], File(description="Articles to add")],
    token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    if not request.app.state.upload_enabled:
        return forbidden(request, UPLOAD_OFF)
    await run_in_threadpool(check_uploader, request, store)
    if not csrf_token_is_valid(request.app.state.csrf_secret, request.cookies.get(CSRF_COOKIE), token):
        message = "Formular abgelaufen oder nicht von dieser Seite: bitte die Seite neu laden und erneut senden."
        return forbidden(request, message)
    saved, problems, too_large = await save_uploads(request, files)
    summary = None
    if saved:
        result = await run_in_threadpool(ingest_uploads, request, saved)
        summary = result.german_line()
        problems += [f"{Path(p.path).name.split('-', 1)[-1]}: {p.german_reason()}" for p in result.problems]
    status = 200 if saved or not problems else (413 if too_large == len(problems) else 400)
    return upload_page(request, status=status, summary=summary, problems=problems)
