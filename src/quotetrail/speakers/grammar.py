"""Grammatical role without a parser: is a noun phrase the subject of its clause, and of which number?

Why: the speaker of a quotation is the subject of its cue clause, and a pronoun
("Er forderte …") usually points back to the subject of an earlier sentence,
not to the nearest name ("… mit dessen Vorgänger, Pjotr Poroschenko").  HanTa
gives parts of speech but no case, so German word order stands in for it: a
phrase is the subject when it fills the position before the finite verb
(Vorfeld) and no nominative pronoun follows the verb, when it follows the
finite verb of a clause whose Vorfeld is not a noun phrase ("Am Mittwoch sagte
Stoltenberg", "Das sagte er"), or when it opens a subordinate clause ("wie das
Ministerium mitteilte").  A phrase after a preposition, with an article only an
object can have (dem, den, des, einem …) or before "zufolge" never is.
"""

from __future__ import annotations

import re

from ..analyse import NOMINAL_POS
from ..model import Doc, Sentence, Token

#: Articles and possessives that mark dative, accusative or genitive: an object, never the subject.
_OBLIQUE = {"dem", "den", "des", "einem", "einen", "eines", "dessen", "deren", "diesem", "diesen", "dieses"}
_OBLIQUE_POSSESSIVE = re.compile(r"^(sein|ihr|unser|euer|mein|dein)(em|en|es)$")
#: Pronouns that are nominative whatever the context ("sie" is also accusative: decided by position).
NOMINATIVE_PRONOUNS = {"er", "ich", "wir", "du"}
_PREPOSITION_POS = ("APPR", "APPRART", "APPO", "APZR")
_SOURCE_WORDS = {"laut", "zufolge", "gegenüber", "von", "vom", "bei", "beim"}
#: Tokens that can stand between a finite verb and its subject ("sagte jedoch Stoltenberg").
_MIDDLE_POS = ("ADV", "PTKNEG", "ADJD", "PROAV")
#: Clause openers after which a noun phrase is the subject ("wie X mitteilte", "dass X sagte").
_OPENERS = {"wie", "dass", "weil", "ob", "nachdem", "obwohl", "während", "da", "wenn"}
#: Words that end a noun phrase to the left when looking for where a clause starts.
_CLAUSE_BREAK_POS = ("$,", "$.", "$(", "KON", "KOUS")
NP_POS = ("ART", "PIAT", "PIDAT", "PPOSAT", "PDAT", "ADJA", "CARD", "NN", "NNA", "NE", "TRUNC", "FM", "XY")
#: Words that can head a noun phrase: a noun, a name or a foreign word.
_HEAD_POS = (*NOMINAL_POS, "FM")
#: Words that make a Vorfeld a phrase of its own: a noun, a name or a pronoun.
_VORFELD_PHRASE_POS = (*NOMINAL_POS, "PPER", "PIS")


def is_finite(token: Token) -> bool:
    return token.pos.endswith("(FIN)")


def verb_number(token: Token) -> str | None:
    """``pl``/``sg`` read off a finite verb's ending ("forderten", "sind" → pl; "forderte", "habe" → sg)."""
    if not is_finite(token):
        return None
    low = token.text.lower()
    if low in ("sind", "seien", "waren", "wären"):
        return "pl"
    return "pl" if low.endswith("n") else "sg"


def clause_start(doc: Doc, sentence: Sentence, i: int) -> int:
    """The first token of the clause holding token ``i``: after the last comma, colon, quote mark or
    conjunction before it in its sentence (an apposition's commas are not told apart: good enough
    for asking whether a name stands in the same clause as a pronoun)."""
    k = i - 1
    while k >= sentence.first:
        t = doc.tokens[k]
        if t.pos in _CLAUSE_BREAK_POS or t.text in (":", ";"):
            return k + 1
        k -= 1
    return sentence.first


def _skip_apposition(doc: Doc, sentence: Sentence, after: int) -> int:
    """Past ", die US-Botschafterin bei der NATO," (an apposition) or ", der in der ARD … verantwortlich ist,"
    (a relative clause) after a phrase: the token that follows it."""
    tokens = doc.tokens
    if after + 1 < sentence.last and tokens[after].pos == "$," and tokens[after + 1].pos.startswith("PREL"):
        k = after + 2
        while k < sentence.last and k - after <= 25 and tokens[k].pos != "$,":
            k += 1
        return k + 1 if k < sentence.last else after
    if after < sentence.last and tokens[after].pos == "$,":
        k = after + 1
        while k < sentence.last and k - after <= 10 and tokens[k].pos in (*NP_POS, *_PREPOSITION_POS, "$("):
            k += 1
        if k < sentence.last and tokens[k].pos == "$," and k > after + 1:
            return k + 1
    return after


def skip_attribute(doc: Doc, sentence: Sentence, after: int) -> int:
    """Past a short prepositional attribute of the phrase ("die derzeitige Führung in Kiew beklagt …")."""
    tokens = doc.tokens
    if after < sentence.last and tokens[after].pos in ("APPR", "APPRART"):
        k = after + 1
        while k < sentence.last and k - after <= 4 and tokens[k].pos in NP_POS:
            k += 1
        if k > after + 1 and k < sentence.last and is_finite(tokens[k]):
            return k
    return after


#: Nouns that open a time phrase, not a subject, before the verb ("Anfang dieser Woche gab …").
_TIME_NOUNS = {
    "anfang", "ende", "mitte", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    "woche", "monat", "jahr", "tag", "abend", "morgen", "nachmittag", "vormittag", "nacht", "wochenende",
}  # fmt: skip


def _vorfeld_is_phrase(doc: Doc, begin: int, verb: int) -> bool:
    """Whether the tokens before a finite verb form a noun phrase that could be its subject."""
    if begin >= verb:
        return False
    first = doc.tokens[begin]
    if first.pos in _PREPOSITION_POS or first.text.lower() in _OBLIQUE or first.pos in ("PDS", "PROAV", "ADV"):
        return False
    if first.text.lower() in _TIME_NOUNS or (begin + 1 < verb and doc.tokens[begin + 1].text.lower() in _TIME_NOUNS):
        return False
    return any(doc.tokens[k].pos in _VORFELD_PHRASE_POS for k in range(begin, verb))


def oblique(doc: Doc, sentence: Sentence, first: int, last: int) -> bool:
    """Whether the phrase ``[first, last]`` is marked as an object or a source by its own words."""
    tokens = doc.tokens
    head = tokens[first].text.lower()
    if head in _OBLIQUE or _OBLIQUE_POSSESSIVE.match(head):
        return True
    if first > sentence.first:
        prev = tokens[first - 1]
        if prev.pos in _PREPOSITION_POS or prev.text.lower() in _SOURCE_WORDS:
            return True
    return last + 1 < sentence.last and tokens[last + 1].text.lower() == "zufolge"


def is_subject(doc: Doc, sentence: Sentence, first: int, last: int) -> bool:
    """Whether the phrase of tokens ``[first, last]`` is the subject of its clause (see the module doc)."""
    tokens = doc.tokens
    if oblique(doc, sentence, first, last):
        return False
    prev = tokens[first - 1] if first > sentence.first else None
    comma = first - 1
    while comma > sentence.first and first - comma <= 4 and tokens[comma].pos in (*NP_POS, "$("):
        comma -= 1
    if comma - 1 >= sentence.first and tokens[comma].pos == "$," and tokens[comma - 1].pos in NOMINAL_POS:
        # an apposition ("…, die sogenannten „Bukarest Neun“") shares the role of the phrase it follows
        k = comma - 1
        while k > sentence.first and tokens[k - 1].pos in NP_POS:
            k -= 1
        return is_subject(doc, sentence, k, comma - 1)
    after = _skip_apposition(doc, sentence, last + 1)
    after = skip_attribute(doc, sentence, after)
    opens_clause = prev is None or prev.pos in _CLAUSE_BREAK_POS or prev.text in (":", ";", "„", "»", "«", '"')
    if prev is not None and (prev.pos == "KOUS" or prev.text.lower() in _OPENERS):
        return True
    if opens_clause and after < sentence.last and is_finite(tokens[after]):
        nxt = tokens[after + 1] if after + 1 < sentence.last else None
        return nxt is None or nxt.text.lower() not in NOMINATIVE_PRONOUNS
    # inverted order: the phrase follows the finite verb, perhaps after an adverb or two
    k = first - 1
    while k >= sentence.first and first - k <= 3 and tokens[k].pos in _MIDDLE_POS:
        k -= 1
    if k >= sentence.first and is_finite(tokens[k]):
        begin = clause_start(doc, sentence, k)
        if begin == k and k > sentence.first and doc.tokens[k - 1].pos == "KON":
            return False  # "… und forderten andere Länder auf": the subject was named before "und"
        if tokens[first].text.lower() == "sie" or tokens[first].pos == "PPER":
            return True
        return not _vorfeld_is_phrase(doc, begin, k)
    return False


def finite_verb_near(doc: Doc, sentence: Sentence, i: int) -> Token | None:
    """The finite verb next to a pronoun ("sie forderten", "forderten sie"), for its number."""
    for k in (i + 1, i - 1, i + 2, i - 2):
        if sentence.first <= k < sentence.last and is_finite(doc.tokens[k]):
            return doc.tokens[k]
    return None


def _head(token: Token) -> bool:
    """A word that can head a noun phrase: a noun, a name, or a capitalised adjective ("der 74-Jährige")."""
    return token.pos in _HEAD_POS or (token.pos == "ADJA" and not token.text[:1].islower())


def noun_phrases(doc: Doc, sentence: Sentence, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Token ranges ``[first, last]`` of the sentence's noun phrases (runs of article, adjective, noun and
    name words ending in a noun or name) and personal pronouns: the candidates for a subject.  Only those
    between tokens ``lo`` and ``hi`` when given: a clause's neighbourhood, not a whole giant sentence."""
    tokens = doc.tokens
    out: list[tuple[int, int]] = []
    i = max(sentence.first, lo)
    end = sentence.last if hi is None else min(sentence.last, hi)
    while i < end:
        if tokens[i].pos == "PPER":
            out.append((i, i))
            i += 1
            continue
        if tokens[i].pos not in NP_POS:
            i += 1
            continue
        j = i
        while j + 1 < end and tokens[j + 1].pos in NP_POS:
            j += 1
        last = j
        while last >= i and not _head(tokens[last]):
            last -= 1
        if last >= i:
            out.append((i, last))
        i = j + 1
    return out
