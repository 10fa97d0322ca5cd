"""Speaker merges and splits: a person says two names are one speaker, or one name is two people.

``merge_speakers(store, "Olaf Schilz", "Olaf Scholz", note)`` says the first
name is the same person as the second: every stored quotation whose speaker is
exactly "Olaf Schilz" gets a speaker correction to "Olaf Scholz" (one entry
each in the corrections log, written in one transaction), and a row in
``speaker_aliases`` makes later ingests do the same to new quotations, again
logged.  Only the exact name moves, not the other names of its family: a family
(the last word) holds different people ("Thomas Müller", "Gerd Müller"), and a
one-word "Schilz" is merged on its own if it is the same person.

``split_speaker(store, "Olaf Schilz", note)`` undoes that merge: the
quotations it (and later ingests) moved get back "Olaf Schilz", logged, and the
alias row goes.  ``split_speaker(store, "Müller", note, quotation_ids=[...],
as_name="Gerd Müller")`` says these quotations of one name are by another
person of the same name: per-quotation speaker corrections.

The alias is a property of the ledger, not of the extractor: it is applied
where extractions are stored (``SQLStore.add_extraction`` calls
``apply_speaker_aliases``), so ``pipeline.extract`` stays a pure function of
one article.  The speakers table reads merged names as their person
(``SQLStore.speaker_mentions``) and is brought up to date through the stale
name families, as after an ingest.

Validation lives here once; the CLI (``cli_speaker_merges``) and the web/API
layer call these functions and show ``SpeakerMergeError`` as one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .corrections import CorrectionError, current_user
from .corrections.apply import mark_stale, set_speakers

if TYPE_CHECKING:
    from .store.sql import SQLStore

#: Quotations per multi-row INSERT into the log: 12 values each stays far below both databases' parameter limits.
_LOG_ROWS = 400

_QUOTATION_ROWS = (
    'SELECT q.id, q.article_id, q.start, q."end", q.text, q.speaker, a.source, a.published'
    " FROM quotations q JOIN articles a ON a.id = q.article_id"
)


class SpeakerMergeError(CorrectionError):
    """A merge or split that cannot be made; the message is one line for the user (nothing was written)."""


@dataclass(frozen=True, slots=True)
class SpeakerChange:
    """What a merge or split did: ``name``'s quotations are now shown as ``speaker``."""

    name: str
    speaker: str
    quotations: int  # quotations changed now, each with one entry in the corrections log
    correction_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SpeakerAlias:
    """One standing merge: ``alias`` is shown as ``canonical`` (``shown_as``: where the chain ends now)."""

    alias: str
    canonical: str
    shown_as: str
    correction_id: int | None
    by: str | None
    at: str | None
    note: str | None


def _clean(value: str | None, empty: SpeakerMergeError) -> str:
    """``value`` without surrounding blanks; ``empty`` (the error saying what is missing) raised if nothing is left."""
    value = (value or "").strip()
    if not value:
        raise empty
    return value


def _who(by: str | None) -> str:
    return (by or current_user()).strip() or "unknown"


def _has_quotations(store: SQLStore, name: str) -> bool:
    return store.conn.execute("SELECT 1 FROM quotations WHERE speaker = ? LIMIT 1", (name,)).fetchone() is not None


def _no_quotations(store: SQLStore, name: str) -> SpeakerMergeError:
    """The error for a name without quotations, naming the speaker meant if the speakers table knows one."""
    known = store.speaker(name)
    if known is not None and known.name != name:
        return SpeakerMergeError(
            "no quotations by {name!r} (the exact name as `quotetrail speakers` lists it); did you mean {known!r}?",
            name=name,
            known=known.name,
        )
    return SpeakerMergeError("no quotations by {name!r} (the exact name as `quotetrail speakers` lists it)", name=name)


def merge_speakers(store: SQLStore, alias: str, canonical: str, note: str, by: str | None = None) -> SpeakerChange:
    """Say ``alias`` is the same person as ``canonical``: its quotations are shown as that person, now and later.

    ``canonical`` is followed to where it is shown now (B merged into C: into
    C).  Refused, with nothing written: an empty note or name, a name merged
    into itself, a merge that would make a cycle, ``alias`` already merged, and
    either name without quotations (a typo would otherwise move quotations to a
    new, wrong speaker).  One transaction however many quotations move.
    """
    note = _clean(note, SpeakerMergeError("a merge needs a note saying why; the note must not be empty"))
    alias = _clean(alias, SpeakerMergeError("the name to merge must not be empty"))
    canonical = _clean(canonical, SpeakerMergeError("the name to merge into must not be empty"))
    who = _who(by)
    if alias == canonical:
        raise SpeakerMergeError("cannot merge {alias!r} into itself", alias=alias)
    with store.transaction():
        roots = store.speaker_alias_roots()
        if alias in roots:
            raise SpeakerMergeError(
                "{alias!r} is already merged into {canonical!r}; split it off first",
                alias=alias,
                canonical=roots[alias],
            )
        target = roots.get(canonical, canonical)
        if target == alias:
            raise SpeakerMergeError(
                "cannot merge {alias!r} into {canonical!r}: {canonical!r} is merged into {alias!r} (a cycle)",
                alias=alias,
                canonical=canonical,
            )
        if not _has_quotations(store, alias):
            raise _no_quotations(store, alias)
        if not _has_quotations(store, target):
            raise _no_quotations(store, target)
        rows = store.conn.execute(f"{_QUOTATION_ROWS} WHERE q.speaker = ? ORDER BY q.id", (alias,)).fetchall()
        ids = change_speakers(store, rows, target, note, who)
        store.conn.execute(
            "INSERT INTO speaker_aliases(alias, canonical, correction_id) VALUES (?,?,?)", (alias, target, ids[0])
        )
    _refresh(store)
    return SpeakerChange(alias, target, len(rows), tuple(ids))


def split_speaker(
    store: SQLStore,
    name: str,
    note: str,
    by: str | None = None,
    *,
    quotation_ids: Sequence[str] | None = None,
    as_name: str | None = None,
) -> SpeakerChange:
    """Undo the merge of ``name``, or (with ``quotation_ids`` and ``as_name``) give those quotations to another person.

    Undoing a merge gives back ``name`` to every quotation the merge, and the
    ingests after it, moved and that still shows the merged person (one moved
    again by hand since keeps its correction); later ingests keep ``name``.
    Names merged into ``name`` stay merged into it.  The role and confidence
    the speaker stage had given are not restored (a re-ingest of the article
    restores them).
    """
    note = _clean(note, SpeakerMergeError("a split needs a note saying why; the note must not be empty"))
    name = _clean(name, SpeakerMergeError("the name to split must not be empty"))
    who = _who(by)
    if quotation_ids is not None or as_name is not None:
        return _reassign(store, name, quotation_ids or (), as_name, note, who)
    with store.transaction():
        link = store.conn.execute(
            "SELECT canonical, correction_id FROM speaker_aliases WHERE alias = ?", (name,)
        ).fetchone()
        if link is None:
            raise SpeakerMergeError(
                "{name!r} is not merged into another speaker; to give some of its quotations to another person,"
                " name those quotations and who said them",
                name=name,
            )
        roots = store.speaker_alias_roots()
        shown_as = roots[name]
        # the names whose quotations this merge moved: ``name`` and the names merged into it (X→name→B)
        links = {r[0]: r[1] for r in store.conn.execute("SELECT alias, canonical FROM speaker_aliases")}
        moved_names = sorted({name, *(a for a in links if _reaches(links, a, name))})
        rows = _moved_rows(store, moved_names, link["correction_id"] or 0, shown_as)
        ids = change_speakers(store, rows, name, note, who)
        store.conn.execute("DELETE FROM speaker_aliases WHERE alias = ?", (name,))
        _mark_stale(store, [name, shown_as])
    _refresh(store)
    return SpeakerChange(name, name, len(rows), tuple(ids))


def _reaches(links: dict[str, str], alias: str, name: str) -> bool:
    """Whether following ``alias``'s merges reaches ``name`` (``alias`` was merged into ``name``, maybe via others)."""
    seen = {alias}
    at = links.get(alias)
    while at is not None and at not in seen:
        if at == name:
            return True
        seen.add(at)
        at = links.get(at)
    return False


def _moved_rows(store: SQLStore, names: list[str], since: int, shown_as: str) -> list[Any]:
    """The quotations the merge logged at ``since`` (and ingests after it) moved from ``names``, still ``shown_as``."""
    marks = ",".join("?" * len(names))
    return store.conn.execute(
        f"{_QUOTATION_ROWS} WHERE q.speaker = ? AND q.id IN (SELECT p.quotation_id FROM corrections c"
        " JOIN correction_placements p ON p.correction_id = c.id"
        f" WHERE c.field = 'speaker' AND c.id >= ? AND c.before IN ({marks}))"
        " ORDER BY q.id",
        [shown_as, since, *names],
    ).fetchall()


def _reassign(
    store: SQLStore, name: str, quotation_ids: Sequence[str], as_name: str | None, note: str, who: str
) -> SpeakerChange:
    """``split NAME --quotations ID … --as OTHER``: these quotations of ``name`` are by another person."""
    other = _clean(as_name, SpeakerMergeError("who said these quotations (as) must not be empty"))
    if isinstance(quotation_ids, str):  # one id given as a string, not a list of its characters
        quotation_ids = [quotation_ids]
    wanted = list(dict.fromkeys(q.strip() for q in quotation_ids if q.strip()))
    if not wanted:
        raise SpeakerMergeError("give the ids of the quotations to split off")
    with store.transaction():
        other = store.speaker_alias_roots().get(other, other)  # a merged name: the person it is shown as
        if other == name:
            raise SpeakerMergeError("who said them (as) must be another person than {name!r}", name=name)
        found = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update({r["id"]: r for r in store.conn.execute(f"{_QUOTATION_ROWS} WHERE q.id IN ({marks})", chunk)})
        for qid in wanted:
            if qid not in found:
                raise SpeakerMergeError("no quotation {quotation!r} (quotation ids are in every export)", quotation=qid)
            if found[qid]["speaker"] != name:
                raise SpeakerMergeError(
                    "quotation {quotation} is by {speaker!r}, not {name!r}",
                    quotation=qid,
                    speaker=found[qid]["speaker"],
                    name=name,
                )
        ids = change_speakers(store, [found[q] for q in wanted], other, note, who)
    _refresh(store)
    return SpeakerChange(name, other, len(wanted), tuple(ids))


def apply_speaker_aliases(store: SQLStore, article_id: str) -> int:
    """Show the merged names of a freshly stored article as their person, logged; how many quotations changed.

    Called by ``add_extraction`` inside its transaction, after the article's
    earlier corrections were applied again: a quotation they already moved is
    not logged twice.  Each change is logged with the merge's author and note,
    so a later split finds it and gives the name back.
    """
    roots = store.speaker_alias_roots()
    if not roots:
        return 0
    names = sorted(roots)
    rows: list[Any] = []
    for i in range(0, len(names), 500):
        chunk = names[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows += store.conn.execute(
            f"{_QUOTATION_ROWS} WHERE q.article_id = ? AND q.speaker IN ({marks})", [article_id, *chunk]
        ).fetchall()
    mentioned = {
        r[0]
        for r in store.conn.execute("SELECT DISTINCT name FROM speaker_mentions WHERE article_id = ?", (article_id,))
    }
    _mark_stale(store, [roots[n] for n in mentioned if n in roots])  # the person's variants and roles change
    by_alias: dict[str, list[Any]] = {}
    for row in rows:
        by_alias.setdefault(row["speaker"], []).append(row)
    for alias, moved in sorted(by_alias.items()):
        merge = store.conn.execute(
            "SELECT c.id, c.by, c.note FROM speaker_aliases s JOIN corrections c ON c.id = s.correction_id"
            " WHERE s.alias = ?",
            (alias,),
        ).fetchone()
        note = f"merged by #{merge['id']}: {merge['note']}" if merge else f"{alias} is merged into {roots[alias]}"
        change_speakers(
            store, sorted(moved, key=lambda r: r["id"]), roots[alias], note, merge["by"] if merge else "unknown"
        )
    return len(rows)


def merged_speakers(store: SQLStore) -> list[SpeakerAlias]:
    """The standing merges, by name merged: who is shown as whom, since which log entry, by whom and why."""
    roots = store.speaker_alias_roots()
    rows = store.conn.execute(
        "SELECT s.alias, s.canonical, s.correction_id, c.by, c.at, c.note FROM speaker_aliases s"
        " LEFT JOIN corrections c ON c.id = s.correction_id ORDER BY s.alias"
    ).fetchall()
    return [
        SpeakerAlias(r["alias"], r["canonical"], roots.get(r["alias"], r["canonical"]), *tuple(r)[2:]) for r in rows
    ]


def change_speakers(store: SQLStore, rows: Sequence[Any], after: str, note: str, who: str) -> list[int]:
    """Log and apply one speaker correction per quotation row, in the caller's transaction; the new log ids.

    The entries and the changes are those ``corrections.correct`` makes for a
    speaker (anchor, before, after, note; the role and confidence cleared, the
    search row and a zero-width mention of the new name written), in a few
    statements per batch instead of a transaction and a re-read per quotation:
    10,000 quotations are one transaction.  ``rows`` come from
    ``_QUOTATION_ROWS``; the rows change as ``corrections.apply`` changes one
    (``set_speakers``).
    """
    if not rows:
        return []
    conn = store.conn
    at = datetime.now(UTC).isoformat(timespec="seconds")
    logged: dict[str, int] = {}
    for i in range(0, len(rows), _LOG_ROWS):
        chunk = rows[i : i + _LOG_ROWS]
        values = ",".join(["(?,?,?,?,?,?,'speaker',?,?,?,?,?)"] * len(chunk))
        args: list[object] = []
        for r in chunk:
            args += [r["id"], r["article_id"], r["source"], r["start"], r["end"], r["text"], r["speaker"]]
            args += [after, note, who, at]
        # RETURNING: the new ids even with another writer at work; matched by quotation (each once per batch)
        for entry in conn.execute(
            'INSERT INTO corrections(quotation_id, article_id, source, start, "end", quoted_text, field, before,'
            f" after, note, by, at) VALUES {values} RETURNING id, quotation_id",
            args,
        ):
            logged[entry[1]] = entry[0]
    conn.executemany(
        "INSERT INTO correction_placements(correction_id, quotation_id, article_id) VALUES (?,?,?)"
        " ON CONFLICT(correction_id) DO UPDATE SET quotation_id = excluded.quotation_id,"
        " article_id = excluded.article_id",
        [(logged[r["id"]], r["id"], r["article_id"]) for r in rows],
    )
    set_speakers(store, rows, after)
    return sorted(logged.values())


def _mark_stale(store: SQLStore, names: Iterable[str]) -> None:
    """Have the speakers table recount the families of ``names`` on its next update (``refresh_derived``)."""
    from .store.sql import name_family

    mark_stale(store, {name_family(n) for n in names})


def _refresh(store: SQLStore) -> None:
    """Bring the speakers table up to date (only the stale families), as ``ingest`` does after storing."""
    from .ingest_job import refresh_derived

    refresh_derived(store)


__all__ = [
    "SpeakerAlias",
    "SpeakerChange",
    "SpeakerMergeError",
    "apply_speaker_aliases",
    "change_speakers",
    "merge_speakers",
    "merged_speakers",
    "split_speaker",
]
