"""Who can speak in an article: names, roles, organisations, places and groups.

No German NER model ships on PyPI, so names are built from HanTa's NE tags
and capitalisation, role nouns (``data/roles.tsv``), first names with the
gender they usually mark (``data/first_names.tsv``) and gazetteers of
organisations and media (``data/organisations.tsv``), of places standing for
their state (``data/places.tsv``) and of nouns naming groups
(``data/group_nouns.tsv``).  Everything here reads one article and decides
nothing about quotations: ``resolve`` and ``chains`` do that.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from ..lexicons import load_lexicon
from ..model import Doc, SpeakerMention

_PRONOUNS_M = {"er", "ihm", "ihn", "seiner"}
_PRONOUNS_F = {"sie", "ihr", "ihrer"}
_ARTICLES = {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines"}
_AGE_NOUN = re.compile(r"^\d+-[Jj]ährige[rn]?$")
#: A capitalised word of letters (any alphabet: "Péter", "Szijjártó"), optionally hyphenated.
_NAME_WORD = re.compile(r"^(?=[^\W\d_])[^\W\d_a-zß]\w*(?:-[^\W\d_]\w*)?$")
#: Lower-case words that open a surname after a first name: "Heike van Laak", "Abdalla al Badri".
_PARTICLES = frozenset(
    {"van", "von", "de", "da", "di", "du", "del", "della", "dos", "ten", "ter", "zu", "bin", "ibn", "al", "el"}
)
#: ... and the article that may follow the first of them: "Ursula von der Leyen", "Rafael de la Cruz".
_PARTICLE_ARTICLES = frozenset({"der", "den", "de", "la", "le"})
#: A surname with an Arabic article bound to it: "al-Omair", "el-Sisi".
_BOUND_ARTICLE = re.compile(r"^(?:al|el|ad|ar|as|asch|at|az|an|ash)-[^\W\d_a-zß]\w*$")


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
    texts = [t.text for t in tokens]

    def name_word(k: int) -> bool:
        t = tokens[k]
        if not _NAME_WORD.match(t.text) or t.text.lower() in orgs or role_gender(t.text):
            return False
        # HanTa knows few names: after a role noun ("Außenministerin Annalena Baerbock") any capitalised word counts
        after_role = k > 0 and (
            role_gender(tokens[k - 1].text) is not None
            or (k > 1 and role_gender(tokens[k - 2].text) is not None and tokens[k - 1].pos != "$,")
        )
        return t.pos == "NE" or (after_role and t.pos in ("NN", "NNA", "ADJA", "ADJD", "NE"))

    while i < len(tokens):
        j = i
        while j < len(tokens) and j - i < 4 and name_word(j):
            if j > i and tokens[j].start - tokens[j - 1].end > 1:
                break
            j += 1
        j = max(j, full_name_end(texts, i))  # "Heike van Laak", "Ali al-Omair": particles, bound articles
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
            gender = (role_gender(role_parts[-1]) if role_parts else None) or name_gender(name)
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
    took 23 s).  A place ("Moskau", "Russland") counts only as the whole mention
    (with at most an article): "die Führung in Kiew" is not Kiev.
    """
    low = text.lower().strip()
    orgs = _organisations()
    if low in orgs:
        return orgs[low]
    place = place_name(low)
    if place:
        return place, "organisation"
    words = low.split()
    for n in range(min(len(words), _longest_organisation()), 0, -1):
        for start in range(0, len(words) - n + 1):
            key = " ".join(words[start : start + n])
            if key in orgs:
                return orgs[key]
    return None


@cache
def _places() -> dict[str, tuple[str, str]]:
    return {row["form"]: (row["name"], row["gender"]) for row in load_lexicon("places")}


def place_name(text: str) -> str | None:
    """The state or government a place names when it is the whole mention ("Moskau", "die USA")."""
    low = text.lower().strip()
    first, _, rest = low.partition(" ")
    entry = _places().get(low) or (_places().get(rest) if first in _ARTICLES else None)
    return entry[0] if entry else None


@cache
def _first_names() -> dict[str, str]:
    return {row["name"]: row["gender"] for row in load_lexicon("first_names")}


def full_name_end(words: Sequence[str], k: int) -> int:
    """Where a full name opened by a known first name at ``words[k]`` ends (exclusive); ``k`` when none does.

    Why: a name whose surname has a particle or a bound article ("Heike van
    Laak", "Ursula von der Leyen", "Ali al-Omair") is no run of capitalised
    words, and a mention that goes on after the name ("Karl Harb von den
    Salzburger Nachrichten") does not end in it; opened by a first name the
    lexicon knows, both are read as a name.  A particle is taken only right
    after first names ("Peter Müller von Siemens" stays Peter Müller), and
    at most four name words are.
    """
    first = _first_names()
    if k >= len(words) or words[k] not in first:
        return k
    end = k + 1
    given_only = True  # only first names so far: a particle may follow
    while end < len(words) and end - k < 7:
        word = words[end]
        if given_only and word in _PARTICLES:
            surname = end + (2 if end + 1 < len(words) and words[end + 1] in _PARTICLE_ARTICLES else 1)
            if surname < len(words) and _is_name_part(words[surname]):
                end, given_only = surname + 1, False
                continue
            break
        if not _is_name_part(word):
            break
        given_only = given_only and word in first
        end += 1
    names = sum(1 for w in words[k:end] if w not in _PARTICLES and w not in _PARTICLE_ARTICLES)
    return end if 2 <= names <= 4 else k


def _is_name_part(word: str) -> bool:
    """A capitalised word that can be part of a person's name (no role, article, institution or organisation)."""
    return (
        bool(_NAME_WORD.match(word) or _BOUND_ARTICLE.match(word))
        and not role_gender(word)
        and word.lower() not in _ARTICLES
        and word.lower() not in _organisations()
        and not _institution_kind(word)
    )


def name_gender(name: str) -> str | None:
    """``m``/``f`` from a person's first name ("Liz Truss" → f), else None."""
    return _first_names().get(name.split(" ", 1)[0])


@cache
def _group_endings() -> tuple[tuple[str, str], ...]:
    rows = load_lexicon("group_nouns")
    return tuple(sorted(((r["ending"], r["kind"]) for r in rows), key=lambda e: -len(e[0])))


@lru_cache(maxsize=100_000)
def group_kind(word: str) -> str | None:
    """The kind of group a plural noun names ("NATO-Mitgliedstaaten" → organisation, "Kritiker" → person)."""
    if not word[:1].isupper():
        return None
    low = word.lower()
    for ending, kind in _group_endings():
        if low.endswith(ending):
            return kind
    return None


@cache
def _noun_genders() -> tuple[tuple[str, str], ...]:
    rows = load_lexicon("noun_genders")
    return tuple(sorted(((r["ending"], r["gender"]) for r in rows), key=lambda e: -len(e[0])))


@lru_cache(maxsize=100_000)
def noun_gender(text: str) -> str | None:
    """Grammatical gender (m, f, n, pl) of an organisation's name or noun ("die Regierung" → f)."""
    low = text.lower().strip()
    for ending, gender in _noun_genders():
        if low.endswith(ending):
            return gender
    return None


@cache
def pronoun_features() -> dict[str, tuple[str, str]]:
    """``pronoun → (gender, number)`` from ``data/pronouns.tsv``."""
    return {row["pronoun"]: (row["gender"], row["number"]) for row in load_lexicon("pronouns")}
