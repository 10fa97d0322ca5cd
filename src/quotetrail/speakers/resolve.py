"""Resolve one speaker mention to a canonical name within its article.

A full name in the mention wins; then a surname given in full elsewhere in the
article; then a pronoun (by grammatical role, gender and number, through
``discourse.Discourse`` where the caller has one, else the most recent person of
that gender); then a name, organisation, place or group in the mention itself;
then a role noun ("der NATO-Generalsekretär") or an age noun ("der 74-Jährige").
Limits: no real coreference model; two people with one surname in one article
can resolve wrongly.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .discourse import group_name
from .names import (
    _AGE_NOUN,
    _ARTICLES,
    _NAME_WORD,
    _PRONOUNS_F,
    _PRONOUNS_M,
    Person,
    _institution_kind,
    _organisation,
    base_role,
    full_name_end,
    group_kind,
    noun_gender,
    role_gender,
)

if TYPE_CHECKING:
    from .discourse import Discourse, Entity

#: "ein Sprecher", "einem Augenzeugen": a person not named before, so no earlier name is theirs.
_INDEFINITE = frozenset({"ein", "eine", "einer", "eines", "einem", "einen"})
#: "ein WWF-Sprecher", "eine Kreml-Sprecherin": someone speaking for the organisation before the hyphen.
_SPOKESPERSON = re.compile(r"^([^\W\d_][\w.]*)-(?:Sprecher|Sprecherin|Pressesprecher|Pressesprecherin)$")


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
    text: str,
    offset: int,
    people: list[Person],
    index: PeopleIndex | None = None,
    pronoun: tuple[Discourse, int, tuple[Entity, int] | None] | None = None,
) -> tuple[str | None, str | None, str]:
    """``(canonical name, role, kind)`` for a speaker mention at ``offset``.

    ``index`` is ``PeopleIndex(people)``, made once per article by the caller that
    resolves many mentions.  ``pronoun`` is ``(discourse, token index of the
    mention's last word, previous speaker)`` for resolving a pronoun by
    grammatical role (``Discourse.antecedent``) instead of by recency alone.
    """
    return resolve_scored(text, offset, people, index, pronoun)[:3]  # type: ignore[return-value]


#: How sure each way of resolving a mention is, as the confidence of the attribution (see docs/speakers.md).
CONFIDENCE = {
    "full name": 0.95,
    "surname": 0.9,
    "organisation": 0.95,
    "name in mention": 0.9,
    "pronoun by recency": 0.55,
    "age noun": 0.75,
    "role noun": 0.8,
    "role noun by recency": 0.6,
    "institution": 0.85,
    "group": 0.8,
    "unknown name": 0.7,
    "acronym": 0.7,
    "lone name": 0.6,
    "spokesperson": 0.7,
}


def resolve_scored(
    text: str,
    offset: int,
    people: list[Person],
    index: PeopleIndex | None = None,
    pronoun: tuple[Discourse, int, tuple[Entity, int] | None] | None = None,
    proper: bool = False,
) -> tuple[str | None, str | None, str, float | None]:
    """``resolve_mention`` with how sure the resolution is (``CONFIDENCE``; a pronoun's from its antecedent).

    ``proper``: the mention is one word HanTa tags as a name (NE), which may then stand alone ("Barth")."""
    index = index or PeopleIndex(people)
    words = [w for w in re.findall(r"[\wÄÖÜäöüß-]+", text)]
    if not words:
        return None, None, "unknown", None
    last_named = index.latest_before(offset)
    # 1. a full name in the mention
    p = index.full_name_in(text)
    if p is not None:
        return p.name, p.role, p.kind, CONFIDENCE["full name"]
    # 2. a surname given in full elsewhere in the article
    for word in reversed(words):
        matches = index.with_surname(word)
        if len(matches) == 1:
            return matches[0].name, matches[0].role, "person", CONFIDENCE["surname"]
    low = [w.lower() for w in words]
    # 3. pronouns
    if len(words) <= 2 and low[-1] in _PRONOUNS_M | _PRONOUNS_F:
        if pronoun is not None:
            discourse, token, previous = pronoun
            found = discourse.antecedent(token, previous)
            if found is None:
                p = index.pronoun("m" if low[-1] in _PRONOUNS_M else "f", offset)
                if p is None:
                    return None, None, "person", None
                return p.name, p.role, p.kind, CONFIDENCE["pronoun by recency"]
            entity, confidence = found
            return entity.name, entity.role, entity.kind, confidence
        p = index.pronoun("m" if low[-1] in _PRONOUNS_M else "f", offset)
        if p is not None:
            return p.name, p.role, p.kind, CONFIDENCE["pronoun by recency"]
        return None, None, "person", None
    # 4. a name given in the mention itself ("der ungarische Außenminister Péter Szijjártó"),
    #    unless the gazetteer knows it as an organisation or medium ("die Tageszeitung The Guardian")
    org = _organisation(text)
    if org:
        return org[0], None, org[1], CONFIDENCE["organisation"]
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
        return " ".join(trailing), " ".join(before).strip() or None, "person", CONFIDENCE["name in mention"]
    # "Hans-Jürgen Papier, Präsident des Bundesverfassungsgerichtes": a name before its apposition
    head, comma, rest = text.partition(",")
    head_words = head.split()
    named = comma and 2 <= len(head_words) <= 3 and all(_NAME_WORD.match(w) and not role_gender(w) for w in head_words)
    if named and any(role_gender(w) for w in rest.split()):
        return " ".join(head_words), None, "person", CONFIDENCE["name in mention"]
    # "Die Sprecherin der Stiftung Warentest, Heike van Laak", "Karl Harb von den Salzburger Nachrichten",
    # "Ali al-Omair": a name opened by a known first name anywhere in the mention (names.full_name_end)
    for k in range(len(words)):
        end = full_name_end(words, k)
        if end > k:
            role = base_role(words[k - 1]) if k and role_gender(words[k - 1]) else None
            return " ".join(words[k:end]), role, "person", CONFIDENCE["name in mention"]
    # 5. role nouns and "der 74-Jährige"; "ein Sprecher" introduces someone new, never one named before
    indefinite = low[0] in _INDEFINITE
    for word in words:
        spokesperson = _SPOKESPERSON.match(word) if indefinite else None
        if spokesperson and _NAME_WORD.match(spokesperson[1]):
            return spokesperson[1], word.split("-", 1)[1], "organisation", CONFIDENCE["spokesperson"]
        if _AGE_NOUN.match(word) and last_named and not indefinite:
            return last_named.name, last_named.role, "person", CONFIDENCE["age noun"]
        gender = role_gender(word)
        if gender and not indefinite:
            p = index.with_role(word, offset, earlier=last_named is not None)
            if p is not None:
                return p.name, p.role, p.kind, CONFIDENCE["role noun"]
            # "die Botschafterin" is the last person named whose gender fits the noun's, never a man named since
            recent = index.pronoun(gender, offset) if gender in ("m", "f") else last_named
            if recent and low[0] in _ARTICLES:
                return recent.name, recent.role, "person", CONFIDENCE["role noun by recency"]
    # 6. organisations and media named by an institution noun, then groups ("mehrere NATO-Mitglieder")
    for word in words:
        kind = _institution_kind(word)
        if kind:
            name = " ".join(words[1:] if low[0] in _ARTICLES else words)
            return name, None, kind, CONFIDENCE["institution"]
    for k, word in enumerate(words):
        if word[:1].isupper() and k > 0 and noun_gender(word) not in (None, "pl") and low[0] in _ARTICLES:
            return " ".join(words[1:]), None, "organisation", CONFIDENCE["institution"]
        if group_kind(word) and not role_gender(word):
            return (
                group_name([(w, "ADJA" if w[:1].islower() else "NN") for w in words[: k + 1]]),
                None,
                "organisation",
                CONFIDENCE["group"],
            )
    # 7. a name-like mention not seen elsewhere: "First Last", an acronym ("die EZB", "TEPCO"), a lone name
    content = [w for w in words if w.lower() not in _ARTICLES]
    if content and all(_NAME_WORD.match(w) for w in content) and 2 <= len(content) <= 3:
        roles = [w for w in content if role_gender(w)]
        if not roles or role_gender(content[-1]):  # "Peter Clever"; a group: "Politische Berater"
            return " ".join(content), None, "person", CONFIDENCE["unknown name"]
        if not indefinite and content[: len(roles)] == roles:  # "Außenminister Straw": the role, then the name
            return " ".join(content[len(roles) :]), " ".join(roles), "person", CONFIDENCE["unknown name"]
    if len(content) == 1 and len(content[0]) >= 2 and content[0].isupper() and content[0].isalpha():
        return content[0], None, "organisation", CONFIDENCE["acronym"]
    if len(words) == 1 and proper and _NAME_WORD.match(words[0]) and not role_gender(words[0]):
        return words[0], None, "person", CONFIDENCE["lone name"]
    return None, None, "unknown", None
