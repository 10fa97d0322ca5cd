"""Each quotation's speaker, read at the level of the discourse (issue 15).

The attribution tagger labels, per quotation, the speaker mention it sees in a
window of a few sentences.  That leaves gaps a reader fills without thinking,
and this stage fills them the same way, in text order:

1. **Its own cue clause.**  The tagger's mention is kept when it names someone.
   It is replaced by the subject of the cue clause when it is the addressee
   ("forderte andere Länder auf"), and completed when it is a source phrase
   ("nach eigenen Angaben", "Berichten zufolge", "Angaben ihres Generalsekretärs
   Jens Stoltenberg"): the phrase stays the mention (it is the source), and the
   speaker is the person or organisation the text names for it.  With no mention
   at all, the subject of the cue clause (or, for a reported speech act, of the
   quotation itself: "Die meisten NATO-Mitgliedstaaten lehnten … ab") speaks.
2. **The quotation around it.**  A quote nested in another ("Lücken") has the
   enclosing quotation's speaker.
3. **Quote chains.**  A quotation with no cue of its own continues a speaker:
   the one of the quotation after it when a colon joins them ("»…«: Stoltenberg
   hat klargestellt"), else of the quotation before it in the same paragraph,
   else of the quotation that follows in the same paragraph (its speaker named in
   the next sentence), else of the quotation that ends the paragraph before.
   Further back than that nobody inherits: a speaker three paragraphs up is a guess.

Each attribution carries a confidence (``speaker_confidence``): how sure the
way it was found is, lowered for each step of inheritance.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from ..analyse import NOMINAL_POS, NOUN_POS
from ..lexicons import load_lexicon
from ..model import Doc, Quotation, Span, SpeakerMention
from .discourse import NEAR, Discourse, Entity, EntityMention
from .grammar import (
    NOMINATIVE_PRONOUNS,
    NP_POS,
    clause_start,
    is_finite,
    is_subject,
    noun_phrases,
    skip_attribute,
)
from .names import (
    _AGE_NOUN,
    Person,
    _find_people,
    _institution_kind,
    _organisations,
    group_kind,
    noun_gender,
    role_gender,
)
from .resolve import PeopleIndex, resolve_scored
from .roles import Roles, role_after, role_in

#: Confidence kept by an attribution carried over (times the source's): nested quote, quote before a colon,
#: chain within a paragraph, chain to the quote in the next sentence, chain from the paragraph before.
#: Set by hand in the order of how often each way named the gold speaker's entity on the train split
#: (2-fold cross-validated tagger output: nested 75 %, chain within a paragraph 72 %, next sentence 39 %,
#: paragraph before 40 %); not tuned on dev.  Re-run bench/speaker_accuracy.py if they change.
NESTED = 0.97
CHAIN_COLON = 0.9
CHAIN_PARAGRAPH = 0.85
CHAIN_NEXT = 0.6
CHAIN_PREVIOUS_PARAGRAPH = 0.6
#: Confidence of a speaker found as the subject of the cue clause where the tagger named none (train: 48 %
#: right by entity, so at the threshold).
CUE_SUBJECT = 0.6
#: Below this, the UI marks an attribution as uncertain (it is still shown).
UNCERTAIN = 0.6
#: Cue words that point back to the sentence before instead of naming a source ("Demnach würde Paris …").
_ANAPHORIC_CUES = {"demnach", "danach", "dabei", "darin", "so", "weiter", "zudem"}
#: How many quotations back a chain looks for the one it continues (nested ones in between are skipped).
_LOOK_BACK = 20
_QUOTE_MARKS = "\"'„“”»«‚‘’›‹ "


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who speaks a quotation, and from which words of the text."""

    mention: tuple[Span, ...]
    name: str | None
    kind: str
    confidence: float | None
    entity_sentence: int  # the sentence the speaker was named in, for the next pronoun
    how: str = "mention"  # which rule found it: mention, source, cue subject, nested, chain …


@cache
def _cue_lemmas() -> frozenset[str]:
    return frozenset(row["lemma"].lower() for row in load_lexicon("cue_verbs"))


@cache
def _document_nouns() -> tuple[str, ...]:
    return tuple(row["noun"] for row in load_lexicon("document_nouns"))


def _source_nouns() -> tuple[str, ...]:
    return tuple(row["noun"] for row in load_lexicon("source_nouns"))


#: Where a noun phrase cannot end: a mention whose last word has one of these tags was cut off (``completed``).
_OPEN_ENDS = frozenset({"ART", "APPR", "APPRART", "ADJA", "PIAT", "PIDAT", "PPOSAT", "PDAT"})
_NP_OR_PREPOSITION = frozenset({*NP_POS, "APPR", "APPRART"})
_COMPLETE_AT_MOST = 6
#: The words of the phrase after "Ansicht der …": "meisten westlichen Staaten".
_GENITIVE_WORDS = frozenset({"ADJA", "PIAT", "PIDAT", *NOMINAL_POS, "FM", "TRUNC", "CARD"})
#: Where a completed mention may end: on a noun, a name or a foreign word, not on an article or preposition.
_MENTION_END_POS = frozenset({*NOMINAL_POS, "FM"})

_SOURCE_NOUN = re.compile(r"^(?:eigenen?\s+)?(\w+)", re.IGNORECASE)


class ArticleState:
    """One article's state while its quotations are attributed."""

    def __init__(self, doc: Doc, quotations: Sequence[Quotation]) -> None:
        self.doc = doc
        self.people, self.mentions = _find_people(doc)
        self.index = PeopleIndex(self.people)
        self.discourse = Discourse(doc, self.people)
        self.starts = [t.start for t in doc.tokens]
        self.paragraph_of_sentence = [s.paragraph for s in doc.sentences]
        self.sentence_starts = [s.start for s in doc.sentences]
        self.quotations = quotations
        self.sources = _source_nouns()
        #: the speaker of the quotation attributed last, with the sentence it was named in (for pronouns)
        self.previous: tuple[Entity, int] | None = None
        #: the quotations' starts in text order, for finding the next one by bisection
        self.order_starts: list[int] = []

    # -- positions -----------------------------------------------------------------
    def token_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def sentence_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, offset) - 1)

    def paragraph_at(self, offset: int) -> int:
        return self.paragraph_of_sentence[self.sentence_at(offset)] if self.sentence_starts else 0

    def span_of(self, m: EntityMention) -> Span:
        return Span(self.doc.tokens[m.first].start, self.doc.tokens[m.last].end)

    # -- resolving one mention -------------------------------------------------------
    def resolve(self, span: Span, previous: tuple[Entity, int] | None) -> tuple[str | None, str, float | None]:
        text = self.doc.text[span.start : span.end]
        if self.is_source_phrase(span):  # "Ansicht der meisten westlichen Staaten": who holds the view
            text = _SOURCE_NOUN.sub("", text.strip(), count=1).strip()
        token = self.token_at(max(span.start, span.end - 1))
        if span.end - span.start == len(self.doc.tokens[token].text) and self.doc.tokens[token].pos in ("PRELS", "PDS"):
            antecedent = self.relative_antecedent(token)  # "Der NDR, der …": the phrase before the comma
            if antecedent is not None:
                return self.resolve(antecedent, previous)
        owner = self.owner_of_document(span)
        if owner is not None:
            return self.resolve(owner, previous)
        proper = self.doc.tokens[token].pos == "NE"
        name, _, kind, confidence = resolve_scored(
            text, span.start, self.people, self.index, (self.discourse, token, previous), proper
        )
        return name, kind, confidence

    def relative_antecedent(self, i: int) -> Span | None:
        """The noun phrase a relative or demonstrative pronoun follows ("Der NDR, der …", "…, dieser sagte")."""
        tokens = self.doc.tokens
        if i < 2 or tokens[i - 1].pos != "$,":
            return None
        last = i - 2
        first = last
        while first > 0 and tokens[first - 1].pos in NP_POS:
            first -= 1
        if tokens[last].pos not in NOMINAL_POS:
            return None
        return Span(tokens[first].start, tokens[last].end)

    def owner_of_document(self, span: Span) -> Span | None:
        """The owner a document phrase names: "einem Artikel der New York Times" → "der New York Times"."""
        i = self.token_at(span.start)
        last = self.token_at(max(span.start, span.end - 1))
        tokens = self.doc.tokens
        for k in range(i, min(last, i + 3) + 1):
            word = tokens[k].text.lower()
            if tokens[k].pos in NOUN_POS and word.endswith(_document_nouns()):
                if k < last and tokens[k + 1].text.lower() in ("der", "des", "von", "vom"):
                    return Span(tokens[k + 1].start, span.end)
                return None
        return None

    def is_source_phrase(self, span: Span) -> bool:
        """ "eigenen Angaben", "Berichten", "Ansicht der meisten westlichen Staaten": a source, not a speaker."""
        text = self.doc.text[span.start : span.end].strip()
        match = _SOURCE_NOUN.match(text)
        if not match:
            return False
        word = match.group(1).lower()
        return any(word.rstrip("n").endswith(noun) for noun in self.sources) or word in ("berichten", "worten")

    def completed(self, span: Span) -> Span:
        """A mention cut off inside its noun phrase, completed: "Die US-Botschafterin bei" → "Die
        US-Botschafterin bei der NATO, Julianne Smith".

        A tagger's mention can stop at a preposition, article or adjective,
        where no noun phrase ends; its head or the name in apposition is then
        left out, and the words kept can name someone else ("die Botschafterin"
        as the last woman named).  The phrase is read on to its last noun, and
        through a name in commas after it.  A mention ending on a noun that a
        name follows ("Der Oppositionsführer" Friedrich Merz) takes the name: in
        the wikinews-quotes train split 451 gold speaker mentions hold such a
        noun and name, 4 stop between them.
        """
        tokens = self.doc.tokens
        last = self.token_at(max(span.start, span.end - 1))
        if tokens[last].pos in NOUN_POS:
            k = last + 1
            while k < len(tokens) and tokens[k].pos == "NE" and k - last <= 3:
                k += 1
            return Span(span.start, tokens[k - 1].end) if k > last + 1 else span
        if tokens[last].pos not in _OPEN_ENDS:
            return span
        j = last + 1
        while j < len(tokens) and j - last <= _COMPLETE_AT_MOST and tokens[j].pos in _NP_OR_PREPOSITION:
            j += 1
        while j - 1 > last and tokens[j - 1].pos not in _MENTION_END_POS:
            j -= 1  # end on the head noun, not on an article or preposition
        if j - 1 == last:
            return span
        name = j
        if name + 2 < len(tokens) and tokens[name].text == "," and tokens[name + 1].pos == "NE":
            k = name + 1
            while k < len(tokens) and tokens[k].pos == "NE" and k - name <= 3:
                k += 1
            if k < len(tokens) and tokens[k].text == ",":  # ", Julianne Smith," in apposition
                j = k
        return Span(span.start, tokens[j - 1].end)

    def genitive_after(self, span: Span) -> Span | None:
        """The genitive phrase after a bare source noun: "Angaben" + "ihres Generalsekretärs Jens Stoltenberg"."""
        i = self.token_at(span.end - 1) + 1
        tokens = self.doc.tokens
        if tokens[i - 1].pos in ("ART", "PIAT", "ADJA", "PPOSAT"):  # "Ansicht der meisten" + "westlichen Staaten"
            j = i
            while j < len(tokens) and j - i < 6 and tokens[j].pos in _GENITIVE_WORDS:
                j += 1
            return Span(span.start, tokens[j - 1].end) if j > i else None
        if i >= len(tokens) or tokens[i].text.lower() not in ("der", "des", "ihres", "seines", "eines", "einer", "von"):
            return None
        j = i + 1
        while (
            j < len(tokens) and j - i < 8 and tokens[j].pos in ("ADJA", "NN", "NNA", "NE", "ART", "FM", "TRUNC", "CARD")
        ):
            j += 1
        return Span(span.start, tokens[j - 1].end) if j > i + 1 else None

    # -- grammatical subjects --------------------------------------------------------------
    def cue_subject(
        self, q: Quotation, frames: bool = True
    ) -> tuple[tuple[Span, ...], str | None, str, float | None, int] | None:
        """The source of a verbless frame ("laut X", ``frame_source``), else the subject of the cue verb."""
        if not q.cue:
            return None
        cue = q.cue[0]
        if self.doc.text[cue.start : cue.end].lower() in _ANAPHORIC_CUES:
            return None
        if frames:
            framed = self.frame_source(q)
            if framed is not None:
                return framed
        return self.verb_subject(q, self.token_at(cue.start))

    def verb_subject(self, q: Quotation, i: int) -> tuple[tuple[Span, ...], str | None, str, float | None, int] | None:
        """The subject of the clause of token ``i``: a nominative pronoun beside the verb, a named entity in
        subject position in the clause (or, after "und", in the clause before), else a phrase naming someone."""
        si = self.discourse.sentence_of[i]
        sentence = self.doc.sentences[si]
        tokens = self.doc.tokens
        # "forderte er", "sagte sie": a pronoun beside the cue's finite verb
        if is_finite(tokens[i]):
            for k in (i + 1, i - 1):
                pronoun = sentence.first <= k < sentence.last and tokens[k].pos == "PPER"
                if pronoun and tokens[k].text.lower() in NOMINATIVE_PRONOUNS | {"sie"}:
                    span = Span(tokens[k].start, tokens[k].end)
                    return (span,), *self.resolve(span, self.previous), si
        begin = clause_start(self.doc, sentence, i)
        elided = begin > sentence.first and tokens[begin - 1].pos == "KON" and is_finite(tokens[begin])
        best: EntityMention | None = None
        for m in self.discourse.near(si, i):
            if not m.subject or any(s.start <= tokens[m.first].start < s.end for s in q.spans):
                continue
            near = m.first >= begin or _next_is(self.doc, m.last, begin) or (elided and m.last < begin)
            if near and (best is None or abs(m.first - i) < abs(best.first - i)):
                best = m
        if best is not None:
            return (self.span_of(best),), best.entity.name, best.entity.kind, CUE_SUBJECT, si
        return self.phrase_subject(q, i, si)

    def following_frame(self, q: Quotation) -> tuple[tuple[Span, ...], str | None, str, float | None, int] | None:
        """The subject of a speech verb right after the quotation in its sentence ("…, berichtete die
        italienische Zeitung Corriere della Sera"), where the tagger labelled no cue there."""
        tokens = self.doc.tokens
        k = self.token_at(q.end - 1) + 1
        while k < len(tokens) and (tokens[k].pos in ("$,", "$(") or tokens[k].text in _QUOTE_MARKS.strip()):
            k += 1
        if k >= len(tokens) or not is_finite(tokens[k]) or tokens[k].lemma.lower() not in _cue_lemmas():
            return None
        if self.discourse.sentence_of[k] != self.sentence_at(q.end - 1):
            return None
        return self.verb_subject(q, k)

    def source_subject(
        self, q: Quotation, span: Span
    ) -> tuple[tuple[Span, ...], str | None, str, float | None, int] | None:
        """Who a source phrase ("nach eigenen Angaben", "Berichten zufolge") stands in the clause of: the
        subject of the finite verb of that clause ("Der 74-Jährige sieht nach eigenen Angaben …")."""
        i = self.token_at(span.start)
        si = self.discourse.sentence_of[i]
        sentence = self.doc.sentences[si]
        tokens = self.doc.tokens
        begin = clause_start(self.doc, sentence, i)
        k = begin
        while k < sentence.last and not (is_finite(tokens[k]) and not (span.start <= tokens[k].start < span.end)):
            if k > i and (tokens[k].pos in ("$,", "$.") or tokens[k].text in (":", ";")):
                return None
            k += 1
        if k >= sentence.last:
            return None
        return self.verb_subject(q, k)

    def frame_source(self, q: Quotation) -> tuple[tuple[Span, ...], str | None, str, float | None, int] | None:
        """The source a frame names without a verb: "laut el-Baradei", "der Polizei zufolge", and the document
        of "Im Bericht heißt es" (the impersonal "es" speaks for nobody)."""
        doc = self.doc
        tokens = doc.tokens
        for cue in q.cue:
            i = self.token_at(cue.start)
            si = self.discourse.sentence_of[i]
            sentence = doc.sentences[si]
            word = tokens[i].text.lower()
            phrases = noun_phrases(doc, sentence, i - NEAR, i + NEAR)
            chosen: tuple[int, int] | None = None
            if word == "laut":
                chosen = next(((a, b) for a, b in phrases if a == i + 1), None)
            elif word == "zufolge":
                chosen = next(((a, b) for a, b in phrases if b == i - 1), None)
            elif word in ("heißt", "hieß") and i + 1 < sentence.last and tokens[i + 1].text.lower() == "es":
                begin = clause_start(doc, sentence, i)
                if begin < i and tokens[begin].pos in ("APPR", "APPRART"):
                    chosen = next(((a, b) for a, b in phrases if begin < a < i), None)
            if chosen is not None:
                span = Span(tokens[chosen[0]].start, tokens[chosen[1]].end)
                name, kind, confidence = self.resolve(span, self.previous)
                return (span,), name, kind, confidence, si
        return None

    def phrase_subject(
        self, q: Quotation, i: int, si: int
    ) -> tuple[tuple[Span, ...], str | None, str, float | None, int] | None:
        """A noun phrase naming someone in subject position in the cue verb's clause ("sagte der 81-Jährige",
        "Vertreter der drei Organisationen erwarten …"), resolved where it can be, kept as the mention where not.

        Only for a cue verb, and only a phrase with a name, role, institution, group or age noun in it: "die
        Namen", "der Monsun" are subjects but speak for nobody."""
        doc = self.doc
        if not doc.tokens[i].pos.startswith("V"):
            return None
        sentence = doc.sentences[si]
        clause = clause_start(doc, sentence, i)
        best: tuple[int, int] | None = None
        for first, last in noun_phrases(doc, sentence, i - NEAR, i + NEAR):
            start = doc.tokens[first].start
            if any(s.start <= start < s.end for s in q.spans) or doc.tokens[first].pos == "PPER":
                continue
            if not (first >= clause or last + 1 == clause - 1 or _next_is(doc, last, i)):
                continue
            if not _speaker_like(doc, first, last) or not is_subject(doc, sentence, first, last):
                continue
            if best is None or abs(first - i) < abs(best[0] - i):
                best = (first, last)
        if best is None:
            return None
        end = skip_attribute(doc, sentence, best[1] + 1) - 1
        span = Span(doc.tokens[best[0]].start, doc.tokens[end].end)
        name, kind, confidence = self.resolve(span, self.previous)
        return (span,), name, kind, confidence, si

    def subject_inside(self, q: Quotation) -> EntityMention | None:
        """For a reported speech act without a mention: the subject named inside the quotation itself."""
        first, last = self.sentence_at(q.start), self.sentence_at(q.end - 1)
        for si in range(first, last + 1):
            for m in self.discourse.subjects_in(si):
                if q.start <= self.doc.tokens[m.first].start < q.end:
                    return m
        return None


def _next_is(doc: Doc, last: int, i: int) -> bool:
    """Whether the phrase ending at ``last`` stands right before token ``i`` (perhaps past an apposition)."""
    return last + 1 == i


def _speaker_like(doc: Doc, first: int, last: int) -> bool:
    """Whether a phrase can name a speaker: a name, a role, an institution, a group, an age noun."""
    for token in doc.tokens[first : last + 1]:
        word = token.text
        if token.pos == "NE" or role_gender(word) or _institution_kind(word) or group_kind(word):
            return True
        if _AGE_NOUN.match(word) or word.lower() in _organisations() or (token.pos in NOUN_POS and noun_gender(word)):
            return True
    return False


#: "(Auf) die Frage, ob …": the words just before a quotation that is the question put, not an answer.
_QUESTION_BEFORE = re.compile(
    r"\b((?:[Dd]ie|[Ee]ine|[Dd]er|[Ee]iner) Frage)\s*,\s*(?:ob|wie|wann|warum|weshalb|wer|was|wo|welche[rsmn]?)\s*$"
)


def _asked(article: ArticleState, q: Quotation) -> Attribution | None:
    """A question put to the speaker ("Auf die Frage, ob er … ausschließen würde, sagte Stoltenberg: …") is
    not the speaker's: "die Frage" stays the mention, as a source phrase does, and nobody is named.

    Why: the cue and the name after the question belong to the answer.  wikinews-quotes annotates the
    question so ("die Frage, wie viele Häuser er besitze": speaker "die Frage", its one such quotation
    in the train split).
    """
    before = _QUESTION_BEFORE.search(article.doc.text, max(0, q.start - 40), q.start)
    if before is None or q.type == "Direct":
        return None
    mention = Span(before.start(1), before.end(1))
    return Attribution((mention,), None, "unknown", None, article.sentence_at(q.start), how="question")


def _own(article: ArticleState, q: Quotation) -> Attribution | None:
    """The attribution from the quotation's own words: its tagger mention or its cue clause."""
    asked = _asked(article, q)
    if asked is not None:
        return asked
    if (
        q.speaker_mention
        and not q.cue
        and article.paragraph_at(q.speaker_mention[0].start) < article.paragraph_at(q.start) - 1
    ):
        q = replace(q, speaker_mention=())  # carried over from paragraphs back: the chains below decide
    if (
        q.type != "Reported"
        and q.speaker_mention
        and any(s.start <= m.start and m.end <= s.end for m in q.speaker_mention for s in q.spans)
    ):
        # words of the quotation itself: only a reported speech act names its speaker inside itself (in the
        # wikinews-quotes train split, 268 of 293 Reported quotations do, none of the 2,401 others)
        q = replace(q, speaker_mention=())
    if _points_back(article, q):
        return None  # "Demnach": the source is the previous statement's, found by the chains
    if q.speaker_mention:
        q = replace(q, speaker_mention=(article.completed(q.speaker_mention[0]), *q.speaker_mention[1:]))
    if q.type == "Reported" and q.speaker_mention and not q.start <= q.speaker_mention[0].start < q.end:
        m = article.subject_inside(q)
        if m is not None:  # "Die meisten NATO-Mitgliedstaaten lehnten … ab": the act names its own speaker
            return Attribution(
                (article.span_of(m),), m.entity.name, m.entity.kind, CUE_SUBJECT, m.sentence, how="subject inside"
            )
    if q.speaker_mention:
        span: Span | None = q.speaker_mention[0]
        si = article.sentence_at(span.start)
        if any(a.start < span.end and span.start < a.end for a in q.addressee):
            span = None  # the addressee is never the speaker
        elif article.is_source_phrase(span):
            longer = article.genitive_after(span)
            if longer is not None:
                name, kind, confidence = article.resolve(longer, article.previous)
                if name:
                    return Attribution((longer,), name, kind, confidence, si, how="source genitive")
            name, kind, confidence = article.resolve(span, article.previous)
            if name:
                return Attribution(q.speaker_mention, name, kind, confidence, si, how="source resolved")
            subject = article.source_subject(q, span)
            if subject is not None and subject[1]:
                return Attribution(q.speaker_mention, subject[1], subject[2], subject[3], si, how="source subject")
            return Attribution(q.speaker_mention, None, "unknown", None, si, how="source unresolved")
        else:
            name, kind, confidence = article.resolve(span, article.previous)
            if name and not _addressee_position(article, q, span):
                return Attribution(q.speaker_mention, name, kind, confidence, si, how="mention")
            if name:
                span = None
        if span is None or any(s.start <= span.start and span.end <= s.end for s in q.spans):
            # the addressee, or words of the quotation itself ("Die Erklärung soll …, berichtete die Zeitung")
            subject = article.cue_subject(q) or article.following_frame(q)
            if subject is not None and subject[1]:
                return Attribution(*subject, how="cue subject (replacing)")
            m = article.subject_inside(q)
            if m is not None and span is not None and article.span_of(m) != span:
                return Attribution(
                    (article.span_of(m),),
                    m.entity.name,
                    m.entity.kind,
                    CUE_SUBJECT,
                    m.sentence,
                    how="subject inside (replacing)",
                )
        if span is not None:
            return Attribution(q.speaker_mention, None, "unknown", None, si, how="mention unresolved")
    subject = article.cue_subject(q)
    if subject is not None:
        return Attribution(*subject, how="cue subject")
    subject = article.following_frame(q)
    if subject is not None and subject[1]:
        return Attribution(*subject, how="following frame")
    if q.type == "Reported":
        m = article.subject_inside(q)
        if m is not None:
            return Attribution(
                (article.span_of(m),), m.entity.name, m.entity.kind, CUE_SUBJECT, m.sentence, how="subject inside"
            )
    return None


def _points_back(article: ArticleState, q: Quotation) -> bool:
    """Whether the speaker mention is an anaphoric cue word itself ("Demnach"), as wikinews-quotes annotates
    it (speaker, cue and frame at once): it names no one, it points back to the source before."""
    text = article.doc.text
    return bool(q.speaker_mention) and all(
        text[m.start : m.end].lower() in _ANAPHORIC_CUES and any(c.start <= m.start and m.end <= c.end for c in q.cue)
        for m in q.speaker_mention
    )


def _addressee_position(article: ArticleState, q: Quotation, span: Span) -> bool:
    """Whether the mention stands where an addressee stands: right after the cue verb of a clause whose
    subject was named before "und" ("… äußerten sich und forderten andere westliche Länder auf"), or
    right after the cue verb as its object ("verdächtigen den russischen Präsidenten").

    Why the object: in the wikinews-quotes train split, of the gold cues followed by "den", "einen" or
    "diesen", the phrase is the speaker 15 times, each after a preposition ("Nach den Worten",
    "laut den Angaben"), and never after a verb (7 times the addressee, 15 times neither)."""
    if not q.cue:
        return False
    tokens = article.doc.tokens
    i = article.token_at(span.start)
    k = i - 1
    if k < 1 or not any(c.start <= tokens[k].start < c.end for c in q.cue):
        return False
    if tokens[i].text.lower() in _OBJECT_ARTICLES and tokens[k].pos.startswith("V"):
        return True
    return is_finite(tokens[k]) and tokens[k - 1].pos == "KON"


_OBJECT_ARTICLES = frozenset({"den", "einen", "diesen"})


#: Types that continue a speaker when they have no cue: the quote paragraph ("„…“" alone) and free
#: indirect speech.  An indirect or reported quotation without a cue names its source inside itself
#: or nowhere (wikinews-quotes train: inheriting gave them a wrong speaker more often than a right one).
_CONTINUING_TYPES = frozenset({"Direct", "FreeIndirect", "IndirectFreeIndirect"})


def _continues(article: ArticleState, q: Quotation) -> bool:
    """A quotation without a cue of its own (or with one pointing back: "Demnach …") continues a speaker."""
    if not q.cue:
        if q.type == "Indirect":  # reported speech without a frame is marked by its Konjunktiv ("plane die NATO")
            return not q.speaker_mention and _subjunctive(article, q)
        return q.type in _CONTINUING_TYPES
    words = {article.doc.text[c.start : c.end].lower() for c in q.cue}
    return words <= _ANAPHORIC_CUES


def _subjunctive(article: ArticleState, q: Quotation) -> bool:
    """Whether a finite verb of the quotation is in Konjunktiv I."""
    first = article.token_at(q.start)
    last = article.token_at(max(q.start, q.end - 1))
    return any(t.subjunctive for t in article.doc.tokens[first : last + 1])


def _colon_after(text: str, end: int) -> bool:
    k = end
    while k < len(text) and text[k] in _QUOTE_MARKS:
        k += 1
    return k < len(text) and text[k] == ":"


def _carry(source: Attribution, factor: float, how: str) -> Attribution:
    confidence = None if source.confidence is None else round(source.confidence * factor, 2)
    return replace(source, confidence=confidence, how=how)


def _chain(
    article: ArticleState,
    k: int,
    order: list[int],
    position: int,
    final: dict[int, Attribution],
    own: dict[int, Attribution | None],
) -> Attribution | None:
    """The speaker a cue-less quotation continues (see the module doc), or None."""
    quotations = article.quotations
    q = quotations[k]
    paragraph = article.paragraph_at(q.start)
    # the next quotation starting after this one ends, found by bisection (order is sorted by start)
    after_at = bisect.bisect_left(article.order_starts, q.end, position + 1)
    later = [order[after_at]] if after_at < len(order) else []
    after = own_of(article, later[0], own) if later else None
    if later and after is not None and after.name and _colon_after(article.doc.text, q.end):
        return _carry(after, CHAIN_COLON, "chain colon")
    before = None
    for back in range(position - 1, max(-1, position - 1 - _LOOK_BACK), -1):
        j = order[back]
        if j in final and quotations[j].end <= q.start + 1:
            before = j
            break
    if before is not None and final[before].name and article.paragraph_at(quotations[before].start) == paragraph:
        return _carry(final[before], CHAIN_PARAGRAPH, "chain before")
    if (
        later
        and after is not None
        and after.name
        and article.paragraph_at(quotations[later[0]].start) == paragraph
        and article.sentence_at(quotations[later[0]].start) - article.sentence_at(q.end - 1) <= 1
    ):
        return _carry(after, CHAIN_NEXT, "chain after")
    if q.type not in _CONTINUING_TYPES:
        return None  # an indirect quotation without a cue takes only a speaker named right after it
    if before is not None and final[before].name:
        p_before = article.paragraph_at(quotations[before].end - 1)
        if p_before == paragraph - 1 and _ends_paragraph(article, quotations[before]):
            return _carry(final[before], CHAIN_PREVIOUS_PARAGRAPH, "chain paragraph before")
    return _speaking_subject_before(article, q)


def _speaking_subject_before(article: ArticleState, q: Quotation) -> Attribution | None:
    """The subject of a speech verb in the sentence just before, in the same paragraph ("Die Armeeleitung
    sprach von einem Absturz. Der Hubschrauber sei …"): a continuation whose speaker is named a sentence
    earlier without a quotation of its own there."""
    si = article.sentence_at(q.start)
    if si == 0:
        return None
    doc = article.doc
    previous = doc.sentences[si - 1]
    if previous.paragraph != doc.sentences[si].paragraph or previous.end > q.start:
        return None
    lemmas = _cue_lemmas()
    for i in range(previous.first, previous.last):
        token = doc.tokens[i]
        if is_finite(token) and token.lemma.lower() in lemmas:
            subject = article.verb_subject(q, i)
            if subject is not None and subject[1]:
                return Attribution(*subject[:3], CHAIN_PARAGRAPH * CUE_SUBJECT, subject[4], how="subject before")
    return None


def _ends_paragraph(article: ArticleState, q: Quotation) -> bool:
    """Whether nothing but the quotation's own sentence (its frame) follows it in its paragraph."""
    si = article.sentence_at(q.end - 1)
    return (
        si + 1 >= len(article.doc.sentences)
        or article.doc.sentences[si + 1].paragraph != article.doc.sentences[si].paragraph
    )


def own_of(article: ArticleState, k: int, own: dict[int, Attribution | None]) -> Attribution | None:
    if k not in own:
        own[k] = _own(article, article.quotations[k])
    return own[k]


def _nesting(quotations: Sequence[Quotation], order: list[int]) -> dict[int, int]:
    """For each quotation inside another's span, the innermost one around it (a stack over text order)."""
    parent: dict[int, int] = {}
    stack: list[int] = []
    for k in order:
        q = quotations[k]
        while stack and quotations[stack[-1]].end <= q.start:
            stack.pop()
        if (
            stack
            and quotations[stack[-1]].end >= q.end
            and (quotations[stack[-1]].start, quotations[stack[-1]].end) != (q.start, q.end)
        ):
            parent[k] = stack[-1]
        stack.append(k)
    return parent


def resolve_speakers(doc: Doc, quotations: list[Quotation]) -> tuple[list[Quotation], list[SpeakerMention]]:
    """Fill ``speaker``, ``speaker_role``, ``speaker_mention`` and ``speaker_confidence`` of each quotation,
    and list the speaker mentions found (see the module doc for the order of the rules)."""
    article, final = attribute(doc, quotations)
    return _write(article, quotations, final)


def attribute(doc: Doc, quotations: list[Quotation]) -> tuple[ArticleState, dict[int, Attribution]]:
    """The attribution of each quotation (by index), with the article state that found them."""
    article = ArticleState(doc, quotations)
    order = sorted(range(len(quotations)), key=lambda k: (quotations[k].start, -quotations[k].end))
    article.order_starts = [quotations[k].start for k in order]
    genders = {p.name: p.gender for p in article.people}
    parent = _nesting(quotations, order)
    own: dict[int, Attribution | None] = {}
    final: dict[int, Attribution] = {}
    for position, k in enumerate(order):
        q = quotations[k]
        found: Attribution | None = None
        if k in parent and parent[k] in final and final[parent[k]].name:
            found = _carry(final[parent[k]], NESTED, "nested")
        if found is None:
            found = own_of(article, k, own)
        if found is None and _continues(article, q) and k not in parent:
            found = _chain(article, k, order, position, final, own) or found
        if _points_back(article, q) and k not in parent:  # the phrase stays the mention, as a source phrase does
            found = (
                replace(found, mention=q.speaker_mention)
                if found is not None
                else Attribution(q.speaker_mention, None, "unknown", None, article.sentence_at(q.start), "unresolved")
            )
        if found is None and q.speaker_mention and not q.cue and k not in parent:
            far = article.paragraph_at(q.speaker_mention[0].start) < article.paragraph_at(q.start) - 1
            if far:  # a mention carried over from paragraphs back, and no chain reaches: nobody
                found = Attribution((), None, "unknown", None, article.sentence_at(q.start), how="dropped")
        if found is not None:
            final[k] = found
            if found.name:
                article.previous = (
                    Entity(found.name, found.kind, genders.get(found.name)),
                    found.entity_sentence,
                )
    return article, final


def _write(
    article: ArticleState, quotations: list[Quotation], final: dict[int, Attribution]
) -> tuple[list[Quotation], list[SpeakerMention]]:
    """The quotations with their attributions, and the speaker mentions (each with the role it states)."""
    doc = article.doc
    mentions = list(article.mentions)
    roles = Roles(mentions)
    listed = {(m.start, m.end) for m in mentions}
    stated: dict[int, str | None] = {}
    for k, found in final.items():
        span = found.mention[0] if found.mention else None
        if span is None or not found.name:
            continue
        text = doc.text[span.start : span.end]
        stated[k] = (role_in(text) or role_after(doc.text, span.end)) if found.kind == "person" else None
        if stated[k]:
            roles.add(found.name, span.start, stated[k])  # type: ignore[arg-type]
        if (span.start, span.end) not in listed:
            mentions.append(SpeakerMention(span.start, span.end, text, found.name, found.kind, stated[k]))
            listed.add((span.start, span.end))
    out: list[Quotation] = []
    for k, q in enumerate(quotations):
        found = final.get(k)
        if found is None:
            out.append(replace(q, speaker=None, speaker_role=None, speaker_confidence=None))
            continue
        role = stated.get(k) or (roles.at(found.name, q.start) if found.name and found.kind == "person" else None)
        confidence = found.confidence if found.name else None
        out.append(
            replace(
                q, speaker_mention=found.mention, speaker=found.name, speaker_role=role, speaker_confidence=confidence
            )
        )
    return out, mentions


__all__ = ["UNCERTAIN", "Attribution", "Person", "resolve_speakers"]
