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
    for t in tokens:
        person = surnames.get(t.text)
        if person and t.start not in person.positions and not any(m.start <= t.start < m.end for m in mentions):
            person.positions.append(t.start)
    return list(people.values()), mentions


@cache
def _institution_endings() -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(((row["ending"], row["kind"]) for row in load_lexicon("organisation_nouns")), key=lambda e: -len(e[0]))
    )


def _institution_kind(word: str) -> str | None:
    """``organisation``/``media`` for nouns like "Verteidigungsministerium", "Zeitung", else None."""
    low = word.lower()
    for ending, kind in _institution_endings():
        if low.endswith(ending) and word[:1].isupper():
            return kind
    return None


def _organisation(text: str) -> tuple[str, str] | None:
    low = text.lower().strip()
    orgs = _organisations()
    if low in orgs:
        return orgs[low]
    words = low.split()
    for n in range(len(words), 0, -1):
        for start in range(0, len(words) - n + 1):
            key = " ".join(words[start : start + n])
            if (
                key in orgs
                and n >= 1
                and (key not in {"kiew", "moskau", "paris", "berlin", "washington"} or len(words) <= 2)
            ):
                return orgs[key]
    return None


def resolve_mention(text: str, offset: int, people: list[Person]) -> tuple[str | None, str | None, str]:
    """``(canonical name, role, kind)`` for a speaker mention at ``offset``."""
    words = [w for w in re.findall(r"[\wÄÖÜäöüß-]+", text)]
    if not words:
        return None, None, "unknown"
    earlier = sorted(
        (p for p in people if any(pos < offset for pos in p.positions)),
        key=lambda p: max(x for x in p.positions if x < offset),
        reverse=True,
    )
    # 1. a full name in the mention
    for p in people:
        if p.name in text:
            return p.name, p.role, p.kind
    # 2. a surname given in full elsewhere in the article
    for word in reversed(words):
        matches = [p for p in people if p.name.split()[-1] == word]
        if len(matches) == 1:
            return matches[0].name, matches[0].role, "person"
    low = [w.lower() for w in words]
    # 3. pronouns
    if len(words) <= 2 and low[-1] in _PRONOUNS_M | _PRONOUNS_F:
        wanted = "m" if low[-1] in _PRONOUNS_M else "f"
        for p in earlier:
            if p.gender in (wanted, None, "x"):
                return p.name, p.role, p.kind
        return None, None, "person"
    # 4. a name given in the mention itself ("der ungarische Außenminister Péter Szijjártó"),
    #    unless the gazetteer knows it as an organisation or medium ("die Tageszeitung The Guardian")
    org = _organisation(text)
    if org:
        return org[0], None, org[1]
    names = [
        w
        for w in words
        if _NAME_WORD.match(w) and not role_gender(w) and w.lower() not in _ARTICLES and not _institution_kind(w)
    ]
    trailing: list[str] = []
    for w in reversed(words):
        if w in names:
            trailing.insert(0, w)
        else:
            break
    before = words[: len(words) - len(trailing)]
    # only "<role noun …> First Last" or a short mention: a long span ending in capitals is not a name
    if len(trailing) >= 2 and (any(role_gender(w) for w in before) or len(words) <= 4):
        return " ".join(trailing), " ".join(before).strip() or None, "person"
    # 5. role nouns and "der 74-Jährige"
    for word in words:
        if _AGE_NOUN.match(word) and earlier:
            return earlier[0].name, earlier[0].role, "person"
        gender = role_gender(word)
        if gender:
            for p in earlier or people:
                if p.role and word.lower() in p.role.lower():
                    return p.name, p.role, p.kind
            if earlier and low[0] in _ARTICLES:
                return earlier[0].name, earlier[0].role, "person"
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
    out: list[Quotation] = []
    for q in quotations:
        if not q.speaker_mention:
            out.append(q)
            continue
        span = q.speaker_mention[0]
        text = doc.text[span.start : span.end]
        name, role, kind = resolve_mention(text, span.start, people)
        if name and not any(m.start == span.start and m.end == span.end for m in mentions):
            mentions.append(SpeakerMention(span.start, span.end, text, name, kind, role))
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
