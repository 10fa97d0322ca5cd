"""Rules for the clear cases of German reported speech, and filters for what is not a quotation.

They complement the learned tagger: a rule quotation is added only where the
tagger found nothing overlapping, so each rule can be read and tested on its
own (``tests/test_quotations_*.py``):

- Direct: text in any pair of quote marks, with a cue verb in the sentence
  (``„…“, sagte er``; ``Er sagte: „…“``), split by an inserted frame, or a
  cue-less quote paragraph continuing the previous speaker.
- Indirect: ``laut X``, ``X zufolge``, ``nach Angaben von X`` (data/frames.tsv),
  ``wie X mitteilte, …``, and a cue verb with a dass-clause or a Konjunktiv I
  clause in either order.
- FreeIndirect: Konjunktiv I sentences without a cue right after a quotation,
  attributed to its speaker.
Not quotations: scare quotes, nicknames and titles in quote marks (fewer
than three words, or after "sogenannt").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache

from ..analyse import NOMINAL_POS, NOUN_POS
from ..lexicons import load_lexicon
from ..model import Doc, Quotation, Sentence, Span, Token
from .features import OPENING, cue_lemmas, quote_states

_NP_POS = ("ART", "ADJA", "ADJD", "NN", "NNA", "NE", "PPER", "PIS", "PPOSAT", "CARD", "APPRART", "PDS", "PIAT")
_SCARE_BEFORE = re.compile(r"(sogenannt\w*|so genannt\w*|genannt\w*|namens|Titel|Motto|Slogan)\s*$", re.IGNORECASE)
_FINITE = ("VV(FIN)", "VA(FIN)", "VM(FIN)")
_CHOSEN_WORD_BEFORE = frozenset({"als", "wie", "von"})


@cache
def _frames() -> list[tuple[list[str], str]]:
    return sorted(((row["cue"].split(), row["position"]) for row in load_lexicon("frames")), key=lambda f: -len(f[0]))


@cache
def _frames_by_first_word() -> dict[str, list[int]]:
    """Indices into ``_frames()`` by the frame's first word, to find frames in one pass over a sentence."""
    out: dict[str, list[int]] = {}
    for k, (words, _) in enumerate(_frames()):
        out.setdefault(words[0], []).append(k)
    return out


def is_cue_verb(token: Token) -> bool:
    lemma = token.lemma.lower()
    return token.pos.startswith("VV") and (lemma in cue_lemmas() or lemma.split("#")[-1] in cue_lemmas())


def _span(tokens: tuple[Token, ...], a: int, b: int) -> Span:
    return Span(tokens[a].start, tokens[b - 1].end)


def _np_after(tokens: tuple[Token, ...], i: int, end: int) -> tuple[int, int] | None:
    """The noun phrase starting at token ``i`` (a speaker after an inverted cue)."""
    j = i
    while j < end and (tokens[j].pos in _NP_POS or tokens[j].text == "-") and tokens[j].text not in (",", "."):
        if tokens[j].pos == "APPRART" and j > i:
            break
        j += 1
    while j > i and tokens[j - 1].pos in ("ART", "ADJA", "APPRART"):
        j -= 1
    return (i, j) if j > i else None


def _np_before(tokens: tuple[Token, ...], i: int, start: int) -> tuple[int, int] | None:
    """The noun phrase ending just before token ``i`` (a subject before its cue verb)."""
    j = i
    while j > start and tokens[j - 1].pos in _NP_POS and tokens[j - 1].pos != "APPRART":
        j -= 1
    return (j, i) if j < i else None


class _Sentences:
    """The sentence of a token and the first cue verb of each sentence, worked out once per article.

    Why: looking these up by scanning the sentences (or a sentence's tokens) for every
    quote made an article with many quotes, or one long sentence of them, quadratic.
    """

    def __init__(self, doc: Doc) -> None:
        self.tokens = doc.tokens
        self.sentences = doc.sentences
        self._firsts = [s.first for s in doc.sentences]
        self._first_cue: dict[int, int] = {}

    def index_of(self, token: int) -> int:
        """Number of the sentence holding ``token`` (the last sentence if none does)."""
        k = bisect.bisect_right(self._firsts, token) - 1
        if k >= 0 and self.sentences[k].first <= token < self.sentences[k].last:
            return k
        return len(self.sentences) - 1

    def of(self, token: int) -> Sentence:
        return self.sentences[self.index_of(token)]

    def cue_before(self, token: int) -> bool:
        """Whether a cue verb stands in ``token``'s sentence before it."""
        k = self.index_of(token)
        if k not in self._first_cue:
            s = self.sentences[k]
            self._first_cue[k] = next((i for i in range(s.first, s.last) if is_cue_verb(self.tokens[i])), s.last)
        return self._first_cue[k] < token


def quote_mark_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges ``[a, b)`` of text in quote marks (marks included)."""
    states = quote_states(doc)
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(states):
        if states[i] and doc.tokens[i].text in OPENING:
            j = i + 1
            while (
                j < len(states) and states[j] and not (j > i and doc.tokens[j].text in OPENING and states[j - 1] == 0)
            ):
                j += 1
                if doc.tokens[j - 1].text in '“”"»«‘‹' and j - 1 > i:
                    break
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def named_as(text: str, start: int) -> bool:
    """Whether the quote marks at ``start`` follow "sogenannt", "namens", "Titel", "Motto" or "Slogan": a name.

    In the wikinews-quotes train split, 1 of the 13 quotes after "sogenannt" is a quotation.
    """
    return bool(_SCARE_BEFORE.search(text, max(0, start - 30), start))


def names_a_thing(doc: Doc, a: int, b: int) -> bool:
    """Whether the quote marks of tokens ``a`` to ``b`` hold a name rather than words someone said:
    capitalised words only (``_all_capitalised_name``: "die „Neue Rechte“", "bis zum „Nationalstadion
    Peking“"), or a capitalised word after the noun it names ("die Fähre „Rabaul Queen“", "der Stern
    „HD 13189“").

    A word the speaker chose follows a verb, an article or a preposition instead ("habe es „Lücken“
    gegeben", "halte sie für »sehr wahrscheinlich«"), and a phrase after a noun is its predicate
    ("die Ukraine „so lange wie nötig“ unterstützen").  Used for quote marks inside reported
    speech: on the wikinews-quotes train split, leaving such marks out of the nested quotations
    raised Joint 0.844 → 0.848 (encoder) and 0.889 → 0.894 (CRF).
    """
    if a < 1 or a + 1 >= b - 1:
        return False
    first = doc.tokens[a + 1].text[:1]
    after_noun = doc.tokens[a - 1].pos in NOMINAL_POS and (first.isupper() or first.isdigit())
    return after_noun or _all_capitalised_name(doc, a, b)


def _all_capitalised_name(doc: Doc, a: int, b: int) -> bool:
    """Two or more words in quote marks (tokens ``a`` to ``b``), every one capitalised, and nothing else (no
    sentence end): a name ("das Lokal «Zur Schweizer Hütte»", "die Pille „Reduce Weight Fruta Planta“").

    On the wikinews-quotes train split, counting them as scare quotes raised Joint 0.894 → 0.896 (CRF) and
    0.848 → 0.849 (encoder); dev did not move.
    """
    inner = doc.tokens[a + 1 : b - 1]
    words = [t.text for t in inner if t.text[:1].isalnum()]
    return len(words) >= 2 and len(words) == len(inner) and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def is_scare_quote(doc: Doc, a: int, b: int, sentences: _Sentences | None = None) -> bool:
    """Introduced by "sogenannt" or "namens", a name of capitalised words (``_all_capitalised_name``), or fewer
    than three words with no cue verb before them in the sentence and not an answer (``_answer``): a scare
    quote, nickname or title.

    A short quote after a cue verb is the speaker's own word ("Er nannte den Plan
    „Unsinn“", "sprach von einem „Dammbruch“"): a quotation, as news readers
    and the wikinews-quotes scheme take it.  ``sentences`` is ``_Sentences(doc)`` when the
    caller asks about many quotes of one article.
    """
    words = [t for t in doc.tokens[a + 1 : b - 1] if t.text[:1].isalnum()]
    if named_as(doc.text, doc.tokens[a].start):
        return True
    if _all_capitalised_name(doc, a, b):
        return True
    sentences = sentences or _Sentences(doc)
    if len(words) >= 3 or _answer(doc, a, b, sentences):
        return False
    # a name in quote marks ("die „Financial Times“") is all capitalised words; a word the
    # speaker chose is usually lower case or follows "als", "wie" or "von"
    chosen = any(w.text[:1].islower() for w in words) or doc.tokens[a - 1].text.lower() in _CHOSEN_WORD_BEFORE
    return not (chosen and sentences.cue_before(a))


def _answer(doc: Doc, a: int, b: int, sentences: _Sentences) -> bool:
    """„Nein“, sagte Scholz: quote marks opening the sentence (or after a colon or dash) and a comma and a cue
    verb right after them.  An answer in few words, not a name, which follows an article ("die „Bild“")."""
    tokens = doc.tokens
    opens = a == sentences.of(a).first or tokens[a - 1].text in (":", "–", "-")
    return opens and b + 1 < len(tokens) and tokens[b].text == "," and is_cue_verb(tokens[b + 1])


def scare_quotes(doc: Doc, runs: list[tuple[int, int]]) -> list[bool]:
    """``is_scare_quote`` of each run of ``quote_mark_spans``, with the sentences indexed once."""
    sentences = _Sentences(doc)
    return [is_scare_quote(doc, a, b, sentences) for a, b in runs]


def _outside(start: int, stop: int, step: int, parts: list[tuple[int, int]]) -> int | None:
    """The first token from ``start`` towards ``stop`` (exclusive, going by ``step``) outside every part."""
    i = start
    while i != stop:
        part = next((p for p in parts if p[0] <= i < p[1]), None)
        if part is None:
            return i
        i = part[1] if step > 0 else part[0] - 1
        if (step > 0 and i >= stop) or (step < 0 and i <= stop):
            return None
    return None


def find_direct(doc: Doc) -> list[Quotation]:
    """Direct quotations in quote marks with their cue and speaker."""
    tokens = doc.tokens
    out: list[Quotation] = []
    sentences = _Sentences(doc)
    runs = [r for r in quote_mark_spans(doc) if not is_scare_quote(doc, *r, sentences)]
    paragraph_starts = {p.start for p in doc.paragraphs}
    in_quote = set()
    for a, b in runs:
        in_quote.update(range(a, b))
    used: set[int] = set()
    previous: Quotation | None = None
    for index, (a, b) in enumerate(runs):
        if index in used:
            continue
        sentence = sentences.of(b - 1)
        start_sentence = sentences.of(a)
        parts = [(a, b)]
        cue = speaker = None
        # after the quote: „…“, sagte Stoltenberg (, „…“)
        k = b
        if k < sentence.last and tokens[k].text == ",":
            k += 1
        if k < sentence.last and is_cue_verb(tokens[k]) and k not in in_quote:
            cue = (k, k + 1)
            speaker = _np_after(tokens, k + 1, sentence.last)
            nxt = index + 1
            if nxt < len(runs) and runs[nxt][0] < sentence.last + 3:
                gap = tokens[(speaker or cue)[1] : runs[nxt][0]]
                if (
                    all(t.text == "," or t.pos.startswith(("ADV", "APPR", "ART", "NN", "NE", "ADJ")) for t in gap)
                    and len(gap) <= 8
                ):
                    parts.append(runs[nxt])
                    used.add(nxt)
        # before the quote: Stoltenberg sagte: „…“
        if cue is None:
            for k in range(a - 1, start_sentence.first - 1, -1):
                if k in in_quote:
                    break
                if is_cue_verb(tokens[k]):
                    cue = (k, k + 1)
                    speaker = _np_before(tokens, k, start_sentence.first) or _np_after(tokens, k + 1, a)
                    break
        if cue is None and speaker is None and previous is not None and previous.speaker_mention:
            # a cue-less quote paragraph continues the previous speaker
            first_of_paragraph = tokens[a].start in paragraph_starts
            if first_of_paragraph:
                out.append(
                    Quotation(
                        doc.article.id,
                        "Direct",
                        tuple(_span(tokens, *p) for p in parts),
                        speaker_mention=previous.speaker_mention,
                        medium="Speech",
                    )
                )
                continue
        if cue is None:
            continue
        # the frame runs from the first to the last token of the sentences outside the quote's parts
        frame_first = _outside(start_sentence.first, sentence.last, 1, parts)
        frame_last = _outside(sentence.last - 1, start_sentence.first - 1, -1, parts)
        frame = (
            _span(tokens, frame_first, frame_last + 1) if frame_first is not None and frame_last is not None else None
        )
        quotation = Quotation(
            doc.article.id,
            "Direct",
            tuple(_span(tokens, *p) for p in parts),
            cue=(_span(tokens, *cue),),
            speaker_mention=(_span(tokens, *speaker),) if speaker else (),
            frame=(frame,) if frame else (),
            medium=cue_lemmas().get(tokens[cue[0]].lemma.lower(), "Speech"),
        )
        out.append(quotation)
        previous = quotation
    return out


def _strip_final(tokens: tuple[Token, ...], a: int, b: int) -> tuple[int, int]:
    while b > a and tokens[b - 1].pos.startswith("$"):
        b -= 1
    while a < b and tokens[a].pos.startswith("$"):
        a += 1
    return a, b


@cache
def _source_nouns() -> tuple[str, ...]:
    return tuple(row["noun"] for row in load_lexicon("source_nouns"))


def frame_cues(lower: list[str]) -> list[tuple[int, int]]:
    """``(frame, word index)`` of each cue of ``data/frames.tsv`` ("laut", "zufolge", "nach Angaben") in the
    lower-cased words ``lower``, in the order of ``_frames()`` (longest first), then of the text."""
    frames = _frames()
    by_first = _frames_by_first_word()
    return sorted(
        (k, i)
        for i, word in enumerate(lower)
        for k in by_first.get(word, ())
        if lower[i : i + len(frames[k][0])] == frames[k][0]
    )


def _frame_matches(
    tokens: tuple[Token, ...], s: Sentence, lower: list[str]
) -> Iterator[tuple[int, int, tuple[int, int]]]:
    """``(cue index, cue length, source noun phrase)`` of each source frame in sentence ``s``."""
    frames = _frames()
    for k, i in frame_cues(lower):
        words, position = frames[k]
        n = len(words)
        ci = s.first + i
        if position == "self":
            np: tuple[int, int] | None = (ci + n - 1, ci + n)
        elif position == "after":
            np = _np_after(tokens, ci + n, s.last)
        else:
            np = _np_before(tokens, ci, s.first)
        if np:
            yield ci, n, np
    # "nach" + a source noun, with articles or adjectives between ("nach ersten Untersuchungen")
    for ci in range(s.first, s.last - 1):
        if tokens[ci].text.lower() != "nach":
            continue
        j = ci + 1
        while j < s.last - 1 and j - ci <= 3 and tokens[j].pos in ("ART", "ADJA", "PPOSAT"):
            j += 1
        if tokens[j].pos in NOUN_POS and tokens[j].lemma.lower().endswith(_source_nouns()):
            np = _np_after(tokens, ci + 1, s.last)
            if np:
                yield ci, 1, np


def find_indirect(doc: Doc) -> list[Quotation]:
    """Indirect quotations: source frames, "wie X mitteilte", cue verb + dass or Konjunktiv I clause."""
    tokens = doc.tokens
    out: list[Quotation] = []
    for s in doc.sentences:
        toks = tokens[s.first : s.last]
        lower = [t.text.lower() for t in toks]
        found = False
        # laut X / X zufolge / nach Angaben von X / nach ersten Untersuchungen
        for ci, n, np in _frame_matches(tokens, s, lower):
            frame_a, frame_b = min(np[0], ci), max(np[1], ci + n)
            rest = [(s.first, frame_a), (frame_b, s.last)]
            spans = [_strip_final(tokens, *r) for r in rest]
            spans = [r for r in spans if r[1] - r[0] >= 3]
            if not spans:
                continue
            out.append(
                Quotation(
                    doc.article.id,
                    "Indirect",
                    tuple(_span(tokens, *r) for r in spans),
                    cue=(_span(tokens, ci, ci + n),),
                    speaker_mention=(_span(tokens, *np),),
                    frame=(_span(tokens, frame_a, frame_b),),
                    medium="Speech",
                )
            )
            found = True
            break
        if found:
            continue
        cue_index = next((s.first + i for i, t in enumerate(toks) if is_cue_verb(t)), None)
        if cue_index is None:
            continue
        commas = [s.first + i for i, t in enumerate(toks) if t.text in (",", ":")]
        subj = [s.first + i for i, t in enumerate(toks) if t.subjunctive or t.text.lower() in ("dass", "daß")]
        if not subj or not commas:
            continue
        if lower[0] == "wie" and cue_index < (commas[0] if commas else s.last):
            speaker = _np_after(tokens, s.first + 1, cue_index)
            a, b = _strip_final(tokens, commas[0] + 1, s.last)
            quote = [(a, b)]
            frame = (s.first, commas[0])
        elif cue_index < min(subj):
            # X sagte, (dass) Y sei …
            after = [c for c in commas if c > cue_index]
            if not after:
                continue
            a, b = _strip_final(tokens, after[0] + 1, s.last)
            quote = [(a, b)]
            speaker = _np_after(tokens, cue_index + 1, after[0]) or _np_before(tokens, cue_index, s.first)
            frame = (s.first, after[0])
        else:
            # Y sei …, sagte X
            before = [c for c in commas if c < cue_index]
            if not before:
                continue
            a, b = _strip_final(tokens, s.first, before[-1])
            quote = [(a, b)]
            speaker = _np_after(tokens, cue_index + 1, s.last)
            frame = (before[-1] + 1, s.last)
        if b - a < 3 or not any(t.subjunctive or t.text.lower() in ("dass", "daß") for t in tokens[a:b]):
            continue
        out.append(
            Quotation(
                doc.article.id,
                "Indirect",
                tuple(_span(tokens, *q) for q in quote),
                cue=(_span(tokens, cue_index, cue_index + 1),),
                speaker_mention=(_span(tokens, *speaker),) if speaker else (),
                frame=(_span(tokens, *_strip_final(tokens, *frame)),) if frame[1] > frame[0] else (),
                medium=cue_lemmas().get(tokens[cue_index].lemma.lower(), "Speech"),
            )
        )
    return out


def find_free_indirect(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """Konjunktiv I sentences with no cue right after a quotation: its speaker's free indirect speech."""
    tokens = doc.tokens
    out: list[Quotation] = []
    by_end = sorted((q for q in quotations if q.speaker_mention), key=lambda q: q.end)
    ends = [q.end for q in by_end]
    # Whether a quotation overlaps a sentence: of the quotations starting before the sentence
    # ends (a growing prefix, sentences being in text order), does the furthest end pass its start?
    by_start = sorted((q.start, q.end) for q in quotations)
    next_start = 0
    reach = -1
    for si, s in enumerate(doc.sentences):
        while next_start < len(by_start) and by_start[next_start][0] < s.end:
            reach = max(reach, by_start[next_start][1])
            next_start += 1
        if si == 0 or reach > s.start:
            continue
        toks = tokens[s.first : s.last]
        finite = [t for t in toks if t.pos in _FINITE]
        if not finite or not finite[0].subjunctive or any(is_cue_verb(t) for t in toks):
            continue
        prev = doc.sentences[si - 1]
        source = _last_ending_in(by_end, ends, out, prev.start, prev.end + 1)
        if source is None:
            continue
        a, b = _strip_final(tokens, s.first, s.last)
        b = s.last  # free indirect sentences keep their final punctuation in the corpus
        quotation = Quotation(
            doc.article.id,
            "FreeIndirect",
            (_span(tokens, a, b),),
            speaker_mention=source.speaker_mention,
            medium=source.medium,
        )
        out.append(quotation)
        reach = max(reach, quotation.end)  # it starts inside this sentence, so before every later one ends
    return out


def _last_ending_in(
    by_end: list[Quotation], ends: list[int], added: list[Quotation], low: int, high: int
) -> Quotation | None:
    """The quotation ending in ``[low, high]`` that comes last in ``by_end + added``.

    ``by_end`` is sorted by end (``ends``), so it is searched by bisection.  ``added`` holds
    the free indirect quotations found so far, one per earlier sentence, in text order: the
    last of them ends last, and the caller's range runs up to the end of the sentence before.
    """
    if added and low <= added[-1].end <= high:
        return added[-1]
    k = bisect.bisect_right(ends, high) - 1
    if k >= 0 and ends[k] >= low:
        return by_end[k]
    return None


_BACK_REFERENCE = {"das", "dies", "so", "dieses", "diese"}


def attach_following_frame(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """A quotation without a cue followed by "Das sagte X …" takes its cue and speaker from that sentence.

    German news often states the claim first and attributes it in the next
    sentence ("Zu einem Einsatz werde es nicht kommen. Das sagte Stoltenberg der BBC.").
    """
    tokens = doc.tokens
    starts = [s.start for s in doc.sentences]
    out: list[Quotation] = []
    for q in quotations:
        if q.cue:
            out.append(q)
            continue
        # The first sentence starting at or after the quotation is the only candidate: the text
        # between the quotation and any later sentence holds the text before this one, and must
        # be nothing but punctuation and space for it too.
        k = bisect.bisect_left(starts, q.end)
        following = None
        if k < len(starts) and doc.text[q.end : starts[k]].strip(' .\n"“”»«') == "":
            following = doc.sentences[k]
        if following is None or following.last - following.first < 3:
            out.append(q)
            continue
        first, verb = tokens[following.first], tokens[following.first + 1]
        if first.text.lower() not in _BACK_REFERENCE or not is_cue_verb(verb):
            out.append(q)
            continue
        speaker = _np_after(tokens, following.first + 2, following.last)
        end = following.last - 1 if tokens[following.last - 1].pos.startswith("$") else following.last
        out.append(
            replace(
                q,
                cue=(_span(tokens, following.first + 1, following.first + 2),),
                speaker_mention=(_span(tokens, *speaker),) if speaker else q.speaker_mention,
                frame=(_span(tokens, following.first, end),),
            )
        )
    return out


def split_at_inner_cue(doc: Doc, quotations: list[Quotation]) -> list[Quotation]:
    """Split reported speech that runs over a second frame: "…zu stationieren, und sagte im Februar, der Westen könne…".

    The part after the inner cue verb is a quotation of its own, with that verb as its cue.
    """
    tokens = doc.tokens
    index_of = {t.start: i for i, t in enumerate(tokens)}
    out: list[Quotation] = []
    for q in quotations:
        if q.type == "Direct" or len(q.spans) != 1 or q.spans[0].start not in index_of:
            out.append(q)
            continue
        a = index_of[q.spans[0].start]
        b = a
        while b < len(tokens) and tokens[b].end <= q.spans[0].end:
            b += 1
        split = None
        for k in range(a + 2, b - 3):
            if (
                tokens[k].pos == "VV(FIN)"
                and is_cue_verb(tokens[k])
                and tokens[k - 1].text == "und"
                and tokens[k - 2].text == ","
            ):
                comma = next((j for j in range(k + 1, min(k + 8, b)) if tokens[j].text == ","), None)
                if comma is not None and b - comma > 3:
                    split = (k, comma)
                    break
        if split is None:
            out.append(q)
            continue
        k, comma = split
        out.append(replace(q, spans=(_span(tokens, a, k - 2),)))
        out.append(
            replace(
                q,
                spans=(_span(tokens, comma + 1, b),),
                cue=(_span(tokens, k, k + 1),),
                frame=(_span(tokens, k - 1, comma),),
            )
        )
    return out
