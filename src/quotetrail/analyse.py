"""Split an article into paragraphs, sentences and tokens, and tag them.

Why these tools: simplemma's sentence splitter (MIT) keeps German quote
marks with their sentence, where spaCy's sentencizer breaks at them; SoMaJo
splits slightly better but is GPL-3, and the quality difference did not
justify tying the project to it.  Tokens come from simplemma's tokenizer
regex, which yields character offsets.  HanTa (LGPL) gives STTS tags, lemmas
and morphemes; no German package tags mood, so Konjunktiv I is read off
HanTa's morphemes (see ``is_konjunktiv_i``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import simplemma
from simplemma.tokenizer import TOKREGEX

from .lexicons import load_lexicon
from .model import Article, Doc, Sentence, Span, Token

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINE = re.compile(r"[^\n]+")
#: Sentence ends simplemma misses, where the next sentence begins:
#: - a full stop, "!" or "?" closing a quotation, then a capital ("… entsenden.« Man konzentriere sich …"):
#:   simplemma only splits there after straight double quotes; German news closes with „…“, »…« or «…»;
#: - a number and a full stop, then a word that starts a clause, not a noun an ordinal would qualify ("auf
#:   Platz 19. Er fand …" against "am 19. Oktober");
#: - a full stop with no space after it, between a word and a capitalised word ("… US-Dollar.Die
#:   Entscheidung"; text joined from HTML), not inside a web address ("www.Spiegel.de").
_MISSED_SENTENCE_END = re.compile(
    r"(?<=[.!?][“”«»\"’‘›‹])\s+(?=[A-ZÄÖÜ])"
    r"|(?<=\d\.)\s+(?=(?:Der|Die|Das|Er|Sie|Es|Ich|Wir|Man|Auch|Aber|Doch|Dann|Damit|Dabei|Dies|Diese|Dieser"
    r"|Zudem|Außerdem|Jedoch|Trotzdem|Inzwischen|Bereits|Nun|So)\s)"
    r"|(?<=[a-zäöüß]{3}[.!?])(?=[A-ZÄÖÜ][a-zäöüß]+\s)"
)

#: Konjunktiv I forms of "sein", which do not follow the -e rule.
_SEIN_KONJ_I = frozenset({"sei", "seiest", "seist", "seien", "seiet"})
_FINITE = ("VV(FIN)", "VA(FIN)", "VM(FIN)")
#: HanTa writes some STTS tags with brackets at tag level 1; keep the standard spelling.
_STTS = {"ADJ(A)": "ADJA", "ADJ(D)": "ADJD"}
#: HanTa's noun tags: common nouns (NN) and nominalised adjectives (NNA: "Angestellten", "Vorsitzende",
#: "Abgeordneter"), which head a phrase as any noun does.
NOUN_POS = ("NN", "NNA")
#: A noun or a name: the words a noun phrase ends on.
NOMINAL_POS = (*NOUN_POS, "NE")
#: HanTa's Viterbi adds up log-probabilities over a whole sentence and drops every state below -1e6, so
#: past about 60,000 tokens (a table or word list with no full stop, read as one "sentence") no state is
#: left and it fails.  Longer runs are tagged in pieces of this many tokens; no sentence of prose is that long.
TAG_CHUNK = 1000


@lru_cache(maxsize=1)
def _tagger():
    """Load HanTa's German model once per process (about 0.2 s), with faster, memoised word analyses."""
    from .morphology import FastHanoverTagger

    tagger = FastHanoverTagger("morphmodel_ger.pgz")
    # HanTa re-analyses every word form each time it is seen; its analyses are pure
    # functions of the form (and tag), so memoising them changes no result and makes
    # tagging several times faster on news, where word forms repeat a lot.
    tagger.analyze_forward = lru_cache(maxsize=300_000)(tagger.analyze_forward)
    tagger._analyze = lru_cache(maxsize=300_000)(tagger._analyze)
    # the lemma search, shared by the tag levels (lemmas for every word, morphemes for finite verbs)
    tagger.analyze_viterbi = lru_cache(maxsize=300_000)(tagger.analyze_viterbi)
    # the tag scores of a word as the sentence tagger reads them (cased, conditional), also pure
    tagger._tag_word = lru_cache(maxsize=300_000)(tagger._tag_word)
    return tagger


def is_headline(line: str) -> bool:
    """Short and without sentence-final punctuation: a headline, not a lead sentence."""
    line = line.strip()
    return 0 < len(line) <= 200 and not re.search(r"[.!?…:][\"“”»«']?$", line)


def line_around(text: str, offset: int) -> Span:
    """The line of ``text`` that holds ``offset``, without its line break."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return Span(start, len(text) if end < 0 else end)


def find_paragraphs(text: str) -> list[Span]:
    """Paragraphs are blocks separated by blank lines, trimmed of outer whitespace."""
    spans: list[Span] = []
    pos = 0
    for m in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        block = text[pos:end]
        stripped = block.strip()
        if stripped:
            start = pos + block.index(stripped)
            spans.append(Span(start, start + len(stripped)))
        if m:
            pos = m.end()
    return spans


def split_sentences(text: str, span: Span) -> list[Span]:
    """Sentence spans inside ``span``; a line break always ends a sentence.

    Why the line rule: headlines, captions and bylines sit on their own lines
    without final punctuation and must not glue onto the next sentence.
    """
    out: list[Span] = []
    for line in _LINE.finditer(text, span.start, span.end):
        out += _join_after_abbreviations(text, _line_sentences(text, line))
    return out


def _line_sentences(text: str, line: re.Match[str]) -> list[Span]:
    """simplemma's sentences of one line, cut again where it missed an end (``_MISSED_SENTENCE_END``)."""
    out: list[Span] = []
    cursor = line.start()
    line_text = line.group()
    if not line_text.strip():
        return out
    for sent in simplemma.split_sentences(line_text):
        sent = sent.strip()
        if not sent:
            continue
        idx = text.find(sent, cursor, line.end())
        if idx < 0:  # splitter normalised something; fall back to the rest of the line
            out.append(Span(cursor, line.end()))
            cursor = line.end()
            break
        out += _split_missed_ends(text, Span(idx, idx + len(sent)))
        cursor = idx + len(sent)
    rest = text[cursor : line.end()].strip()
    if rest:
        start = text.index(rest, cursor)
        out.append(Span(start, start + len(rest)))
    return out


#: A single letter or initials ("z.", "R.", "B.N."): an abbreviation, not a sentence's end.
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(row["abbreviation"] for row in load_lexicon("abbreviations"))


def _ends_in_abbreviation(sentence: str) -> bool:
    """Whether ``sentence`` (its last 40 characters are enough) ends with a word that does not end
    sentences (``data/abbreviations.tsv``, initials)."""
    words = sentence[-40:].split()
    if not words:
        return False
    word = words[-1].lstrip('([„“"»«:')
    return word in _abbreviations() or _INITIALS.fullmatch(word) is not None


def _join_after_abbreviations(text: str, spans: list[Span]) -> list[Span]:
    """Sentences the splitter cut after an abbreviation, joined again ("Professor Dr. | Klaus-Georg Bregulla").

    Only the tail of the sentence before is read, so a line joined again and again ("St. Louis Nr. 1 …")
    costs its length once.
    """
    out: list[Span] = []
    for span in spans:
        if out and _ends_in_abbreviation(text[max(out[-1].start, out[-1].end - 40) : out[-1].end]):
            out[-1] = Span(out[-1].start, span.end)
        else:
            out.append(span)
    return out


def _split_missed_ends(text: str, span: Span) -> list[Span]:
    """``span`` cut where a sentence ends that simplemma did not see (``_MISSED_SENTENCE_END``)."""
    out, start = [], span.start
    for gap in _MISSED_SENTENCE_END.finditer(text, span.start, span.end):
        out.append(Span(start, gap.start()))
        start = gap.end()
    out.append(Span(start, span.end))
    return out


def tokenize(text: str, span: Span) -> list[tuple[int, int]]:
    """Token offsets inside ``span`` (simplemma's tokenizer regex)."""
    return [(m.start(), m.end()) for m in TOKREGEX.finditer(text, span.start, span.end)]


def is_konjunktiv_i(word: str, pos: str, morphemes: list[tuple[str, str]], prev: str, nxt: str) -> bool:
    """Read Konjunktiv I off HanTa's morphemes.

    A finite verb whose last morpheme is the suffix ``-e`` (``habe``,
    ``plane``, ``müsse``) is Konjunktiv I unless its subject is ``ich``, for
    which the -e form is also the indicative; ``sei``/``seien`` always are.
    Past forms end in ``-te`` (a different suffix) and are excluded.
    """
    low = word.lower()
    if low in _SEIN_KONJ_I:
        return True
    if pos not in _FINITE or not morphemes:
        return False
    last_morph, last_tag = morphemes[-1]
    if last_tag != "SUF_FIN" or last_morph != "e":
        return False
    if len(morphemes) > 1 and morphemes[-2][1].endswith("_VAR"):
        return False  # a past stem ("konnt-e", "dacht-e"): Präteritum or Konjunktiv II, not I
    return "ich" not in (prev.lower(), nxt.lower())


@lru_cache(maxsize=50_000)
def _morphemes(word: str) -> list[tuple[str, str]]:
    """HanTa's morpheme analysis of one word form (cached: forms repeat a lot)."""
    return list(_tagger().analyze(word, taglevel=3)[1])


_CLAUSE_END = frozenset({"$,", "$.", "$("})


def join_particles(tokens: list[Token], first: int) -> None:
    """Give a split particle verb its whole lemma: "teilte … mit" → "mitteilen" on both tokens.

    Why: HanTa lemmatises the finite verb of a split particle verb on its own
    ("teilte" → "teilen"), so cue verbs such as mitteilen, ankündigen,
    hinweisen or bekanntgeben would go unrecognised in main clauses, their
    most common place in news.  The particle is looked for up to the end of
    the clause.  Works in place on ``tokens[first:]`` (one sentence).
    """
    for i in range(first, len(tokens)):
        if tokens[i].pos != "VV(FIN)":
            continue
        for j in range(i + 1, len(tokens)):
            pos = tokens[j].pos
            if pos in _CLAUSE_END or pos.endswith("(FIN)"):
                break
            if pos == "PTKVZ":
                lemma = tokens[j].text.lower() + tokens[i].lemma
                tokens[i] = replace(tokens[i], lemma=lemma)
                tokens[j] = replace(tokens[j], lemma=lemma)
                break


def analyse(article: Article) -> Doc:
    """Tokenise, split and tag an article; pure function of the article."""
    text = article.text
    paragraphs = find_paragraphs(text)
    tokens: list[Token] = []
    sentences: list[Sentence] = []
    tagger = _tagger()
    for p_index, paragraph in enumerate(paragraphs):
        for sent in split_sentences(text, paragraph):
            offsets = tokenize(text, sent)
            if not offsets:
                continue
            words = [text[s:e] for s, e in offsets]
            # level 1 gives dictionary lemmas ("sagte" → "sagen"); morphemes only where mood matters
            tagged = [
                tag
                for at in range(0, len(words), TAG_CHUNK)
                for tag in tagger.tag_sent(words[at : at + TAG_CHUNK], taglevel=1)
            ]
            first = len(tokens)
            for i, ((s, e), (word, lemma, pos)) in enumerate(zip(offsets, tagged, strict=True)):
                prev = words[i - 1] if i else ""
                nxt = words[i + 1] if i + 1 < len(words) else ""
                morphemes = _morphemes(word) if pos in _FINITE else []
                pos = _STTS.get(pos, pos)
                tokens.append(
                    Token(
                        start=s,
                        end=e,
                        text=word,
                        pos=pos,
                        lemma=lemma,
                        subjunctive=is_konjunktiv_i(word, pos, morphemes, prev, nxt),
                    )
                )
            join_particles(tokens, first)
            sentences.append(Sentence(sent.start, sent.end, first, len(tokens), p_index))
    return Doc(article=article, tokens=tuple(tokens), sentences=tuple(sentences), paragraphs=tuple(paragraphs))
