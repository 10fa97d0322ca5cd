"""Resolve who speaks: within an article, then across articles.

No German NER model ships on PyPI, so names are built from HanTa's NE tags
and capitalisation, role nouns (``data/roles.tsv``) and an organisation and
media gazetteer (``data/organisations.tsv``).  Within an article, a pronoun
or role noun ("er", "der NATO-Generalsekretär", "der 74-Jährige") resolves
to the most recent compatible named person, and a surname to the full name
given in the article.  Across articles, ``merge_speakers`` folds name
variants into one record per person or organisation, with the roles seen and
when.  Limits: no real coreference model; a pronoun far from its antecedent,
or two people with one surname in one article, can resolve wrongly.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from .lexicons import load_lexicon
from .model import Doc, Quotation, RoleSeen, Speaker, SpeakerMention

_PRONOUNS_M = {"er", "ihm", "ihn", "seiner"}
_PRONOUNS_F = {"sie", "ihr", "ihrer"}
_ARTICLES = {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines"}
_AGE_NOUN = re.compile(r"^\d+-[Jj]ährige[rn]?$")
#: A capitalised word of letters (any alphabet: "Péter", "Szijjártó"), optionally hyphenated.
_NAME_WORD = re.compile(r"^(?=[^\W\d_])[^\W\d_a-zß]\w*(?:-[^\W\d_]\w*)?$")


@cache
def _roles() -> dict[str, str]:
    return {row["role"]: row["gender"] for row in load_lexicon("roles")}


@cache
def _organisations() -> dict[str, tuple[str, str]]:
    return {row["form"]: (row["name"], row["kind"]) for row in load_lexicon("organisations")}


def base_role(word: str) -> str:
    """A role noun without genitive or plural ending: "Generalsekretärs" → "Generalsekretär"."""
    low = word.lower()
    for ending in ("s", "en", "n"):
        if (
            low.endswith(ending)
            and any(low[: -len(ending)].endswith(r) for r in _roles())
            and not any(low.endswith(r) for r in _roles())
        ):
            return word[: -len(ending)]
    return word


@cache
def _roles_longest_first() -> list[str]:
    return sorted(_roles(), key=len, reverse=True)


@lru_cache(maxsize=100_000)
def role_gender(word: str) -> str | None:
    """Gender of a role noun (also as the last part of a compound: "NATO-Generalsekretär"), else None.

    Genitive and plural endings are tolerated ("Generalsekretärs", "Präsidenten").  Memoised: the
    same words are asked about many times per article.
    """
    low = word.lower()
    roles = _roles()
    for ending in ("s", "en", "n"):
        if low.endswith(ending) and low[: -len(ending)] in roles:
            low = low[: -len(ending)]
            break
    for role in _roles_longest_first():
        if low.endswith(role) and (len(low) == len(role) or low[-len(role) - 1] in "-" or len(role) >= 6):
            return roles[role]
    return None


@dataclass
class Person:
    """A named person (or organisation) in one article."""

    name: str
    kind: str
    role: str | None
    gender: str | None
    positions: list[int]


def _find_people(doc: Doc) -> tuple[list[Person], list[SpeakerMention]]:
    """Full names (two or more name words, at least one tagged NE) with a role noun before them."""
    tokens = doc.tokens
    people: dict[str, Person] = {}
    mentions: list[SpeakerMention] = []
    i = 0
    orgs = _organisations()

    def name_word(k: int) -> bool:
        t = tokens[k]
        if not _NAME_WORD.match(t.text) or t.text.lower() in orgs or role_gender(t.text):
            return False
        # HanTa knows few names: after a role noun ("Außenministerin Annalena Baerbock") any capitalised word counts
        after_role = k > 0 and (
            role_gender(tokens[k - 1].text) is not None
            or (k > 1 and role_gender(tokens[k - 2].text) is not None and tokens[k - 1].pos != "$,")
        )
        return t.pos == "NE" or (after_role and t.pos in ("NN", "ADJA", "ADJD", "NE"))

    while i < len(tokens):
        j = i
        while j < len(tokens) and j - i < 4 and name_word(j):
            if j > i and tokens[j].start - tokens[j - 1].end > 1:
                break
            j += 1
        words = [tokens[k] for k in range(i, j)]
        if len(words) >= 2:
            name = " ".join(w.text for w in words)
            role_parts: list[str] = []
            k = i - 1
            if k >= 0 and role_gender(tokens[k].text):
                role_parts.insert(0, base_role(tokens[k].text))
                k -= 1
                while k >= 0 and tokens[k].pos.startswith("ADJA"):
                    role_parts.insert(0, tokens[k].text)
                    k -= 1
            role = " ".join(role_parts) or None
            gender = role_gender(role_parts[-1]) if role_parts else None
            person = people.get(name)
            if person is None:
                person = people[name] = Person(name, "person", role, gender, [])
            elif role and not person.role:
                person.role = role
            if gender and not person.gender:
                person.gender = gender
            person.positions.append(words[0].start)
            start = tokens[k + 1].start if role_parts else words[0].start
            mentions.append(SpeakerMention(start, words[-1].end, doc.text[start : words[-1].end], name, "person", role))
            i = j
            continue
        i = max(i + 1, j)
    # later mentions of a surname alone count as positions of that person (for pronouns)
    surnames = {p.name.split()[-1]: p for p in people.values()}
    seen = {id(p): set(p.positions) for p in people.values()}
    inside = _Coverage([(m.start, m.end) for m in mentions])
    for t in tokens:
        person = surnames.get(t.text)
        if person and t.start not in seen[id(person)] and not inside.covers(t.start):
            person.positions.append(t.start)
            seen[id(person)].add(t.start)
    return list(people.values()), mentions


class _Coverage:
    """Whether a position lies in any of some ``[start, end)`` ranges, in logarithmic time.

    The ranges may overlap; sorted by start, with the furthest end reached so far,
    the last range starting at or before a position tells whether any covers it.
    """

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        ordered = sorted(ranges)
        self._starts = [a for a, _ in ordered]
        self._reach: list[int] = []
        furthest = -1
        for _, b in ordered:
            furthest = max(furthest, b)
            self._reach.append(furthest)

    def covers(self, position: int) -> bool:
        k = bisect.bisect_right(self._starts, position)
        return k > 0 and self._reach[k - 1] > position


@cache
def _institution_endings() -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(((row["ending"], row["kind"]) for row in load_lexicon("organisation_nouns")), key=lambda e: -len(e[0]))
    )


@lru_cache(maxsize=100_000)
def _institution_kind(word: str) -> str | None:
    """``organisation``/``media`` for nouns like "Verteidigungsministerium", "Zeitung", else None.

    Memoised, as ``role_gender``: every word of every speaker mention is asked about.
    """
    low = word.lower()
    for ending, kind in _institution_endings():
        if low.endswith(ending) and word[:1].isupper():
            return kind
    return None


@cache
def _longest_organisation() -> int:
    """Words in the longest gazetteer form: no longer run of a mention's words can be one."""
    return max(form.count(" ") + 1 for form in _organisations())


def _organisation(text: str) -> tuple[str, str] | None:
    """The gazetteer entry of the longest (then leftmost) run of words in ``text`` that names one.

    Only runs up to the longest gazetteer form are tried, so a long mention costs
    time in proportion to its words, not to their cube (issue 13: 400 quoted words
    took 23 s).
    """
    low = text.lower().strip()
    orgs = _organisations()
    if low in orgs:
        return orgs[low]
    words = low.split()
    for n in range(min(len(words), _longest_organisation()), 0, -1):
        for start in range(0, len(words) - n + 1):
            key = " ".join(words[start : start + n])
            if key in orgs and (key not in {"kiew", "moskau", "paris", "berlin", "washington"} or len(words) <= 2):
                return orgs[key]
    return None


class PeopleIndex:
    """The people of one article, indexed for ``resolve_mention``.

    Why: an article is resolved one speaker mention at a time, and scanning every
    person (and every position where each was named) for each mention made a long
    article quadratic.  Each question below is answered as the plain scans over
    ``people`` answered it, in the same order, only by lookup.
    """

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        by_first: dict[str, list[int]] = {}
        self._surnames: dict[str, list[Person]] = {}
        for index, p in enumerate(people):
            by_first.setdefault(p.name.split(" ", 1)[0], []).append(index)
            self._surnames.setdefault(p.name.split()[-1], []).append(p)
        self._by_first = by_first
        self._first_lengths = sorted({len(first) for first in by_first})
        self._named = self._timeline(range(len(people)))
        self._by_gender = {
            wanted: self._timeline(i for i, p in enumerate(people) if p.gender in (wanted, None, "x"))
            for wanted in ("m", "f")
        }
        self._by_role_word: dict[str, tuple[list[tuple[int, int]], int | None]] = {}

    def _timeline(self, indices: Iterable[int]) -> list[tuple[int, int]]:
        """``(position, person index)`` of every naming of these people, in text order."""
        return sorted((pos, i) for i in indices for pos in self.people[i].positions)

    def latest_before(self, offset: int, timeline: list[tuple[int, int]] | None = None) -> Person | None:
        """The person named last before ``offset`` (on a tie, the one found first), or None."""
        timeline = self._named if timeline is None else timeline
        k = bisect.bisect_left(timeline, (offset, -1))
        if k == 0:
            return None
        position = timeline[k - 1][0]
        return self.people[timeline[bisect.bisect_left(timeline, (position, -1))][1]]

    def pronoun(self, wanted: str, offset: int) -> Person | None:
        """The person named last before ``offset`` whose gender fits a pronoun of gender ``wanted``."""
        return self.latest_before(offset, self._by_gender[wanted])

    def full_name_in(self, text: str) -> Person | None:
        """The first person (in article order) whose full name occurs in ``text``.

        A full name has a space after its first word, so each occurrence starts just
        before a space of ``text`` by the length of some first word: only those places
        are looked up, instead of every name searched for in every mention.
        """
        best: int | None = None
        space = text.find(" ")
        while space >= 0:
            for length in self._first_lengths:
                if length > space:
                    break
                begin = space - length
                for index in self._by_first.get(text[begin:space], ()):
                    if (best is None or index < best) and text.startswith(self.people[index].name, begin):
                        best = index
            space = text.find(" ", space + 1)
        return None if best is None else self.people[best]

    def with_surname(self, word: str) -> list[Person]:
        return self._surnames.get(word, [])

    def with_role(self, word: str, offset: int, earlier: bool) -> Person | None:
        """The person whose role contains ``word``: the one named last before ``offset`` if ``earlier``
        (anyone was named before it), else the first in article order."""
        key = word.lower()
        if key not in self._by_role_word:
            matching = [i for i, p in enumerate(self.people) if p.role and key in p.role.lower()]
            self._by_role_word[key] = (self._timeline(matching), matching[0] if matching else None)
        timeline, first = self._by_role_word[key]
        if earlier:
            return self.latest_before(offset, timeline)
        return None if first is None else self.people[first]


def resolve_mention(
    text: str, offset: int, people: list[Person], index: PeopleIndex | None = None
) -> tuple[str | None, str | None, str]:
    """``(canonical name, role, kind)`` for a speaker mention at ``offset``.

    ``index`` is ``PeopleIndex(people)``, made once per article by the caller that
    resolves many mentions.
    """
    index = index or PeopleIndex(people)
    words = [w for w in re.findall(r"[\wÄÖÜäöüß-]+", text)]
    if not words:
        return None, None, "unknown"
    last_named = index.latest_before(offset)
    # 1. a full name in the mention
    p = index.full_name_in(text)
    if p is not None:
        return p.name, p.role, p.kind
    # 2. a surname given in full elsewhere in the article
    for word in reversed(words):
        matches = index.with_surname(word)
        if len(matches) == 1:
            return matches[0].name, matches[0].role, "person"
    low = [w.lower() for w in words]
    # 3. pronouns
    if len(words) <= 2 and low[-1] in _PRONOUNS_M | _PRONOUNS_F:
        p = index.pronoun("m" if low[-1] in _PRONOUNS_M else "f", offset)
        if p is not None:
            return p.name, p.role, p.kind
        return None, None, "person"
    # 4. a name given in the mention itself ("der ungarische Außenminister Péter Szijjártó"),
    #    unless the gazetteer knows it as an organisation or medium ("die Tageszeitung The Guardian")
    org = _organisation(text)
    if org:
        return org[0], None, org[1]
    names = {
        w
        for w in words
        if _NAME_WORD.match(w) and not role_gender(w) and w.lower() not in _ARTICLES and not _institution_kind(w)
    }
    trailing: list[str] = []
    for w in reversed(words):
        if w not in names:
            break
        trailing.append(w)
    trailing.reverse()
    before = words[: len(words) - len(trailing)]
    # only "<role noun …> First Last" or a short mention: a long span ending in capitals is not a name
    if len(trailing) >= 2 and (any(role_gender(w) for w in before) or len(words) <= 4):
        return " ".join(trailing), " ".join(before).strip() or None, "person"
    # 5. role nouns and "der 74-Jährige"
    for word in words:
        if _AGE_NOUN.match(word) and last_named:
            return last_named.name, last_named.role, "person"
        gender = role_gender(word)
        if gender:
            p = index.with_role(word, offset, earlier=last_named is not None)
            if p is not None:
                return p.name, p.role, p.kind
            if last_named and low[0] in _ARTICLES:
                return last_named.name, last_named.role, "person"
    # 6. organisations and media named by an institution noun
    for word in words:
        kind = _institution_kind(word)
        if kind:
            name = " ".join(words[1:] if low[0] in _ARTICLES else words)
            return name, None, kind
    # 7. a name-like mention not seen elsewhere
    content = [w for w in words if w.lower() not in _ARTICLES]
    if content and all(_NAME_WORD.match(w) for w in content) and 2 <= len(content) <= 3:
        return " ".join(content), None, "person"
    return None, None, "unknown"


def resolve_speakers(doc: Doc, quotations: list[Quotation]) -> tuple[list[Quotation], list[SpeakerMention]]:
    """Fill ``speaker``/``speaker_role`` of each quotation and list the speaker mentions found."""
    people, mentions = _find_people(doc)
    index = PeopleIndex(people)
    listed = {(m.start, m.end) for m in mentions}
    out: list[Quotation] = []
    for q in quotations:
        if not q.speaker_mention:
            out.append(q)
            continue
        span = q.speaker_mention[0]
        text = doc.text[span.start : span.end]
        name, role, kind = resolve_mention(text, span.start, people, index)
        if name and (span.start, span.end) not in listed:
            mentions.append(SpeakerMention(span.start, span.end, text, name, kind, role))
            listed.add((span.start, span.end))
        out.append(replace(q, speaker=name, speaker_role=role))
    return out, mentions


def speaker_id(name: str) -> str:
    """Stable id of a canonical speaker name (case-insensitive)."""
    return hashlib.sha1(name.casefold().encode()).hexdigest()[:12]


def _later(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _earlier(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def merge_speakers(mentions: Iterable[tuple[SpeakerMention, str | None]]) -> list[Speaker]:
    """One Speaker per person or organisation across articles, name variants merged.

    Names are grouped case-insensitively ("Nato"/"NATO"); a one-word name is
    folded into the only multi-word name ending with it ("Stoltenberg" →
    "Jens Stoltenberg").  Roles keep the first and last date they were seen.
    """
    groups: dict[str, dict] = {}
    items = list(mentions)
    full_names = {m.name for m, _ in items if " " in m.name}
    by_surname: dict[str, set[str]] = {}
    for name in full_names:
        by_surname.setdefault(name.split()[-1].casefold(), set()).add(name)

    def canonical(name: str) -> str:
        if " " not in name:
            candidates = by_surname.get(name.casefold(), set())
            if len(candidates) == 1:
                return next(iter(candidates))
        return name

    for mention, seen in items:
        name = canonical(mention.name)
        key = name.casefold()
        group = groups.setdefault(key, {"names": {}, "kind": mention.kind, "variants": set(), "roles": {}})
        group["names"][name] = group["names"].get(name, 0) + 1
        group["variants"].update({mention.name, mention.text.strip()})
        if group["kind"] in ("unknown", "person") and mention.kind not in ("unknown",):
            group["kind"] = mention.kind
        if mention.role:
            first, last = group["roles"].get(mention.role, (None, None))
            group["roles"][mention.role] = (_earlier(first, seen), _later(last, seen))
    speakers = []
    for group in groups.values():
        name = max(group["names"], key=lambda n: (group["names"][n], n.isupper(), n))
        roles = tuple(
            RoleSeen(role, first, last)
            for role, (first, last) in sorted(group["roles"].items(), key=lambda kv: kv[1][0] or "")
        )
        variants = tuple(sorted(v for v in group["variants"] if v and v != name))
        speakers.append(Speaker(id=speaker_id(name), name=name, kind=group["kind"], variants=variants, roles=roles))
    return sorted(speakers, key=lambda s: s.name)
