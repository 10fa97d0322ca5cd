"""Who is talked about where: every speaker candidate of an article, with its grammatical role.

Why: a pronoun ("Er forderte …", "Darin forderten sie …") names whoever the
text is about, and German news keeps that entity in subject position.  Reading
the nearest name instead gave "Er" to Poroschenko where Rasmussen was meant,
and "er" to Putin in "Kremlchef Wladimir Putin forderte er auf".  So each
person, organisation, place and group named in the article is listed once per
mention with whether it is the subject of its clause (``grammar.is_subject``),
its gender and number; ``antecedent`` then weighs subjects over objects, the
speaker of the quotation before over both, and recency, and never looks into
the pronoun's own clause (a pronoun does not point to its own verb's object).
All of this is built in one pass over the tokens and asked by sentence, so an
article costs time in proportion to its length.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from ..analyse import NOMINAL_POS, NOUN_POS
from ..model import Doc
from .grammar import NP_POS, clause_start, finite_verb_near, is_subject
from .names import (
    Person,
    _institution_kind,
    _organisations,
    group_kind,
    noun_gender,
    place_name,
    pronoun_features,
    role_gender,
)

#: Determiners and quantifiers left out of a group's name ("die meisten NATO-Mitgliedstaaten" → "NATO-Mitgliedstaaten").
_DETERMINERS = {
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "einige", "einigen", "mehrere", "mehreren",
    "viele", "vielen", "meisten", "alle", "allen", "andere", "anderen", "zahlreiche", "zahlreichen", "manche",
    "beide", "beiden", "diese", "dieser", "sämtliche", "weitere", "weiteren", "sogenannten", "sogenannte",
}  # fmt: skip
#: How far back (in sentences) a pronoun looks for its antecedent.
LOOKBACK_SENTENCES = 3
#: Tokens around a word within which its clause's phrases are looked for, and mentions per earlier sentence read.
NEAR = 40


@dataclass(frozen=True, slots=True)
class Entity:
    """One speaker candidate: its canonical name, kind, and the gender and number pronouns agree with."""

    name: str
    kind: str  # person, organisation, media, group
    gender: str | None  # m, f, n or None (unknown)
    number: str = "sg"  # sg or pl
    role: str | None = None


@dataclass(frozen=True, slots=True)
class EntityMention:
    """Where an entity is named: tokens ``[first, last]`` of sentence ``sentence``, subject or not."""

    first: int
    last: int
    sentence: int
    entity: Entity
    subject: bool


def group_name(words: list[tuple[str, str]]) -> str:
    """A group's name from its phrase ``(text, pos)``: determiners dropped, adjectives in their strong plural
    form ("der meisten westlichen Staaten" → "Westliche Staaten")."""
    kept = list(words)
    dropped = False
    while kept and (kept[0][0].lower() in _DETERMINERS or kept[0][1] in ("ART", "PIAT", "PIDAT", "PDAT")):
        kept.pop(0)
        dropped = True
    out = []
    for text, pos in kept:
        if dropped and pos == "ADJA" and text.endswith("en"):
            text = text[:-1]
        out.append(text)
    name = " ".join(out)
    return name[:1].upper() + name[1:]


class Discourse:
    """The entity mentions of one article, by sentence, and the pronoun resolution that reads them."""

    def __init__(self, doc: Doc, people: list[Person]) -> None:
        self.doc = doc
        self.sentence_of = [0] * len(doc.tokens)
        for si, s in enumerate(doc.sentences):
            for i in range(s.first, s.last):
                self.sentence_of[i] = si
        self.by_sentence: dict[int, list[EntityMention]] = {}
        for mention in self._find(people):
            self.by_sentence.setdefault(mention.sentence, []).append(mention)
        self._firsts = {si: [m.first for m in found] for si, found in self.by_sentence.items()}

    # -- building ----------------------------------------------------------------
    def _phrase_start(self, first: int) -> int:
        """Leftmost token of the noun phrase ending in the name at ``first`` (its article, adjectives, role)."""
        sentence = self.doc.sentences[self.sentence_of[first]]
        k = first
        while k > sentence.first and k - first > -6 and self.doc.tokens[k - 1].pos in NP_POS:
            k -= 1
        return k

    def _find(self, people: list[Person]) -> Iterable[EntityMention]:
        doc = self.doc
        tokens = doc.tokens
        starts = {t.start: i for i, t in enumerate(tokens)}
        person_at: dict[int, tuple[Person, int]] = {}
        for p in people:
            words = p.name.count(" ") + 1
            for pos in p.positions:
                i = starts.get(pos)
                if i is None:
                    continue
                full = " ".join(t.text for t in tokens[i : i + words]) == p.name
                person_at[i] = (p, i + words - 1 if full else i)
        orgs = _organisations()
        i = 0
        while i < len(tokens):
            made = self._mention_at(i, person_at, orgs)
            if made is None:
                i += 1
                continue
            yield made
            i = made.last + 1

    def _entity_mention(self, first: int, last: int, entity: Entity) -> EntityMention:
        si = self.sentence_of[first]
        start = self._phrase_start(first)
        subject = is_subject(self.doc, self.doc.sentences[si], start, last)
        return EntityMention(start, last, si, entity, subject)

    def _mention_at(
        self, i: int, person_at: dict[int, tuple[Person, int]], orgs: dict[str, tuple[str, str]]
    ) -> EntityMention | None:
        tokens = self.doc.tokens
        token = tokens[i]
        if i in person_at:
            p, last = person_at[i]
            return self._entity_mention(i, last, Entity(p.name, p.kind, p.gender, "sg", p.role))
        if not token.text[:1].isupper():
            return None
        low = token.text.lower()
        sentence_end = self.doc.sentences[self.sentence_of[i]].last
        for n in (3, 2, 1):
            if i + n > sentence_end:
                continue
            key = " ".join(t.text for t in tokens[i : i + n]).lower()
            if key in orgs:
                name, kind = orgs[key]
                return self._entity_mention(i, i + n - 1, Entity(name, kind, noun_gender(key), _number(key)))
        if token.pos in NOMINAL_POS and (i + 1 >= sentence_end or tokens[i + 1].pos not in NOMINAL_POS):
            place = place_name(low)
            start = self._phrase_start(i)
            if place and all(tokens[k].pos == "ART" for k in range(start, i)):
                return self._entity_mention(i, i, Entity(place, "organisation", noun_gender(low) or "n", _number(low)))
        if token.pos not in NOUN_POS or role_gender(token.text):
            return None
        kind = _institution_kind(token.text)
        if kind:
            named = self._named_after(i, orgs)
            if named is not None:  # "die italienische Zeitung Corriere della Sera": the name is the entity
                return named
            start = self._phrase_start(i)
            if start < i and tokens[start].pos == "ART":
                name = " ".join(t.text for t in tokens[start + 1 : i + 1])
                return self._entity_mention(i, i, Entity(name, kind, noun_gender(low), "sg"))
            return None
        group = group_kind(token.text)
        if group:
            start = self._phrase_start(i)
            name = group_name([(t.text, t.pos) for t in tokens[start : i + 1]])
            return self._entity_mention(i, i, Entity(name, "organisation" if group != "media" else "media", None, "pl"))
        return None

    def _named_after(self, i: int, orgs: dict[str, tuple[str, str]]) -> EntityMention | None:
        """An institution noun followed by its name: the gazetteer's entity, or the name words as they stand."""
        tokens = self.doc.tokens
        end = self.doc.sentences[self.sentence_of[i]].last
        for n in (3, 2, 1):
            if i + 1 + n <= end:
                key = " ".join(t.text for t in tokens[i + 1 : i + 1 + n]).lower()
                if key in orgs:
                    name, kind = orgs[key]
                    return self._entity_mention(i, i + n, Entity(name, kind, noun_gender(key), _number(key)))
        j = i + 1
        while j < end and j - i <= 4 and tokens[j].pos == "NE":
            j += 1
        if j > i + 1:
            name = " ".join(t.text for t in tokens[i + 1 : j])
            kind = _institution_kind(tokens[i].text) or "organisation"
            return self._entity_mention(i, j - 1, Entity(name, kind, noun_gender(tokens[i].text.lower()), "sg"))
        return None

    # -- asking --------------------------------------------------------------------
    def subjects_in(self, sentence: int) -> list[EntityMention]:
        return [m for m in self.by_sentence.get(sentence, ()) if m.subject]

    def near(self, sentence: int, i: int, reach: int = NEAR) -> list[EntityMention]:
        """The mentions of ``sentence`` starting within ``reach`` tokens of token ``i``: what one clause can
        hold, so that a sentence of a thousand names costs no more per question than a short one."""
        found = self.by_sentence.get(sentence)
        if not found:
            return []
        firsts = self._firsts[sentence]
        return found[bisect.bisect_left(firsts, i - reach) : bisect.bisect_right(firsts, i + reach)]

    def mentions_in(self, sentence: int) -> list[EntityMention]:
        return self.by_sentence.get(sentence, [])

    def antecedent(self, i: int, previous: tuple[Entity, int] | None = None) -> tuple[Entity, float] | None:
        """The entity the pronoun at token ``i`` names, with a confidence, or None.

        ``previous`` is the speaker of the quotation before, with the sentence it was
        named for: a pronoun in a cue clause most often continues that speaker.
        """
        doc = self.doc
        token = doc.tokens[i]
        gender, number = pronoun_features().get(token.text.lower(), ("any", "sg|pl"))
        si = self.sentence_of[i]
        sentence = doc.sentences[si]
        if number == "sg|pl":
            verb = finite_verb_near(doc, sentence, i)
            number = _verb_number(verb.text) if verb is not None else "sg|pl"
        start = clause_start(doc, sentence, i)
        best: tuple[float, int, Entity] | None = None
        for distance in range(LOOKBACK_SENTENCES + 1):
            if si - distance < 0:
                break
            for m in self.near(si - distance, i) if distance == 0 else self.by_sentence.get(si - distance, ())[-NEAR:]:
                if distance == 0 and m.last >= start:
                    continue
                fit = _fit(m.entity, gender, number)
                if fit is None:
                    continue
                score = (3.0 if m.subject else 1.0) - distance - fit
                if best is None or (score, m.first) > best[:2]:
                    best = (score, m.first, m.entity)
        if previous is not None:
            entity, sentence_index = previous
            fit = _fit(entity, gender, number)
            if fit is not None and 0 <= si - sentence_index <= LOOKBACK_SENTENCES + 1:
                score = 4.0 - (si - sentence_index) - fit
                if best is None or score >= best[0]:
                    best = (score, -1, entity)
        if best is None:
            return None
        return best[2], round(min(0.85, max(0.4, 0.55 + 0.1 * best[0])), 2)


def _verb_number(text: str) -> str:
    low = text.lower()
    return "pl" if low in ("sind", "seien", "waren", "wären") or low.endswith("n") else "sg"


def _number(name: str) -> str:
    return "pl" if noun_gender(name) == "pl" else "sg"


def _fit(entity: Entity, gender: str, number: str) -> float | None:
    """How badly ``entity`` fits a pronoun of ``gender`` and ``number`` (0 = well), or None if it cannot."""
    if number == "pl":
        return 0.0 if entity.number == "pl" else None
    if entity.number == "pl":
        return 0.5 if number == "sg|pl" and gender == "f" else None
    if gender == "any":
        return 0.0
    if entity.kind == "person":
        if entity.gender == gender:
            return 0.0
        if entity.gender is None:
            return 0.5 if gender == "m" else 1.0
        return None
    if entity.gender == gender:
        return 0.0
    return None if entity.gender else 1.5
