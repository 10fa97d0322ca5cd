# SPDX-License-Identifier: LGPL-3.0-or-later
# This module re-implements four methods of HanTa's HanoverTagger (HanTa 1.2.1,
# Copyright Christian Wartena, LGPL-3.0) and is therefore licensed under the
# LGPL-3.0-or-later, unlike the rest of quotetrail (MIT).  See README, "Dependencies
# and licences".
"""HanTa's word and sentence analysis with the same results, about twice as fast.

Why: HanTa analyses a word form it has not seen by a Viterbi search over every
split of the word into morphemes, scoring each candidate morpheme for every
tag that may follow the current state.  It does this in pure Python, calling a
scoring method millions of times per thousand new words, and new word forms
(names, compounds) are most of the tagging time on news.  Most of those calls
are for a closed tag (article, suffix, ...) and a morpheme that tag has never
seen, which always scores minus infinity and changes nothing.
``FastHanoverTagger`` tries closed tags only on the morphemes they know (from
an index of HanTa's morpheme table) and open tags (noun, name, ...) with
HanTa's own guess from length and suffix, sharing suffix scores between words.
Its sentence tagger likewise looks up the few tags a word can have instead of
running through every tag that may follow each state.

The search loops run in HanTa's order and every sum is formed in HanTa's
order, so tables, tie-breaks and floating-point results are identical;
``tests/test_morphology.py`` compares both on the demo articles' words.

Where the install could compile ``quotetrail._morphsearch`` (Cython), the same
searches run there on C arrays, several times faster again; the Python code
here stays as their reference and as the fallback where no C compiler was found.
"""

from __future__ import annotations

import math
from operator import itemgetter
from typing import Any, NamedTuple

from HanTa.HanoverTagger import EMPTY, END, END_UNKNOWN, START, UNKNOWN, HanoverTagger
from numpy import logaddexp

_LOWERBOUND = -1e6
_WHOLE_WORD_PENALTY = 4.6
#: Longer word forms are not analysed.  Why: HanTa's search tries every substring of a word as a
#: morpheme, so its cost grows with the cube of the word's length (2,000 letters: 2 s; a 10 kB
#: "word" would take minutes).  They get HanTa's own answer for a word it cannot analyse.  No
#: token in the shared corpora comes near (the longest, a URL, has 90 characters).
MAX_ANALYSED_LENGTH = 100


class _Follow(NamedTuple):
    """The tags that may follow a state, with their place in HanTa's follower list and log p(tag|state)."""

    open: list[tuple[int, int, float]]  # (place, tag, lp) of tags that may take unseen morphemes
    closed: dict[int, tuple[int, float]]  # tag -> (place, lp) of tags with a closed morpheme list


def _compiled_searches(tagger: FastHanoverTagger) -> tuple[Any, Any]:
    """The compiled morpheme and sentence searches for ``tagger``, or Nones where the module was not built
    (no C compiler at install time)."""
    try:
        from ._morphsearch import MorphemeSearch, SentenceSearch
    except ImportError:
        return None, None
    return MorphemeSearch(tagger), SentenceSearch(tagger)


class FastHanoverTagger(HanoverTagger):
    """A HanoverTagger whose morpheme, lemma and sentence searches skip candidates that cannot score."""

    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        # morpheme -> {tag: log p(m|t)} over every tag whose table holds the morpheme
        index: dict[str, dict[int, float]] = {}
        for tag, table in self.LP_m_t.items():
            for morpheme, lp in table.items():
                index.setdefault(morpheme, {})[tag] = lp
        self._known = index
        # tags that may take an unseen morpheme, scored from its length and suffix; the first
        # three terms of HanTa's sum, added in its order, for every morpheme length
        self._open = {
            t: [self.Int_t + self.LP_hapax_t[t] + self.LP_len_t[t][n] for n in range(25)]
            for t in self.LP_m_t
            if t in self.LP_hapax_t and t in self.LP_s_t
        }
        self._suffix_lps: dict[tuple[str, int], dict[int, float]] = {}
        self._follows: dict[tuple[tuple[int, int], int | None], _Follow] = {}
        self._tag_orders: dict[tuple[int, int], dict[int, int]] = {}
        # the tag scores a word may have, numbered, and _next_tags per (state, that number)
        self._score_ids: dict[tuple[tuple[int, float], ...], int] = {}
        self._transitions: dict[tuple[tuple[int, int], int], tuple[tuple[int, float, float], ...]] = {}
        self._compiled, self._compiled_sentences = _compiled_searches(self)
        self._longest_lemma_suffix: dict[str, int] = {}

    def _suffix_lp(self, tag: int, m: str) -> float:
        """log p(suffix|tag) of the longest suffix of ``m`` (up to 4 letters, shorter than ``m``) that ``tag`` knows."""
        mlen = len(m)
        suffixes = self.LP_s_t[tag]
        if mlen > 4 and m[-4:] in suffixes:
            return suffixes[m[-4:]]
        if mlen > 3 and m[-3:] in suffixes:
            return suffixes[m[-3:]]
        if mlen > 2 and m[-2:] in suffixes:
            return suffixes[m[-2:]]
        if mlen > 1 and m[-1:] in suffixes:
            return suffixes[m[-1:]]
        return suffixes[""]

    def _follow(self, state: tuple[int, int], targetpos: int | None) -> _Follow:
        """The tags that may follow ``state`` (on a path to ``targetpos``, if given), split as ``_Follow``."""
        key = (state, targetpos)
        found = self._follows.get(key)
        if found is None:
            followers = self.LP_trans_nonfinal.get(state, [])
            if targetpos is not None:
                reachable = self.reachability.get(targetpos, frozenset())
                followers = [(t, p) for (t, p) in followers if t in reachable]
            found = _Follow(
                [(k, t, p) for k, (t, p) in enumerate(followers) if t in self._open],
                {t: (k, p) for k, (t, p) in enumerate(followers) if t not in self._open},
            )
            self._follows[key] = found
        return found

    def _suffix_scores(self, m: str) -> dict[int, float]:
        """Per open tag, log p of the suffix of morpheme ``m`` as HanTa's guess uses it (filled as needed).

        It depends only on the last 4 letters and the length up to 5, so words share it.
        """
        key = (m[-4:], min(len(m), 5))
        found = self._suffix_lps.get(key)
        if found is None:
            if len(self._suffix_lps) > 200_000:
                self._suffix_lps.clear()
            found = self._suffix_lps[key] = {}
        return found

    def _search(
        self, word: str, strict: bool, targetpos: int | None
    ) -> tuple[list[dict[tuple[int, int], float]], list[dict[tuple[int, int], tuple[tuple[int, int], int]]]]:
        """HanTa's table of best log probabilities per (previous tag, tag) state at every position
        of ``word`` (only on paths to ``targetpos``, if given), with back-pointers; the last row is left empty.

        HanTa loops over states, then morpheme ends ``j``, then tags; here the loop over ``j`` comes
        first, so that what a morpheme needs is worked out once for all states.  Every table cell
        still sees its candidates in HanTa's order, and every row gets its states in HanTa's
        order, so maxima, tie-breaks and back-pointers are the same.
        """
        wlen = len(word)
        table: list[dict[tuple[int, int], float]] = [{(EMPTY, START): 0}] + [{} for _ in range(wlen + 1)]
        backpointer: list[dict[tuple[int, int], tuple[tuple[int, int], int]]] = [{} for _ in range(wlen + 2)]
        short = wlen < 4
        for i in range(wlen + 1):
            row = table[i]
            # HanTa's beam: states more than 1 below the fourth best are not continued
            rowbound = sorted(row.values(), reverse=True)[3] - 1 if len(row) > 3 else _LOWERBOUND
            live = []
            for state, lp in row.items():
                if lp >= rowbound:
                    follow = self._follow(state, targetpos)
                    if follow.open or follow.closed:
                        live.append((state, lp, state[1], follow))
            if not live:
                continue
            for j in range(i + 1, wlen + 1):
                m = word[i:j]
                mlen = j - i
                known = self._known.get(m)
                guessable = not strict and (short or mlen > 2)
                if not guessable and known is None:
                    continue
                suffix_lps = self._suffix_scores(m) if guessable else None
                length = min(mlen, 24)
                whole = mlen == wlen
                target = table[j]
                back = backpointer[j]
                for state, lp, prev, follow in live:
                    out: list[tuple[int, int, float, float]] = []
                    for k, tag, lpt in follow.open:
                        lpm = known.get(tag) if known else None
                        if lpm is None:
                            if suffix_lps is None:
                                continue
                            lp_suf = suffix_lps.get(tag)
                            if lp_suf is None:
                                lp_suf = suffix_lps[tag] = self._suffix_lp(tag, m)
                            lpm = self._open[tag][length] + lp_suf
                            if whole:
                                lpm -= _WHOLE_WORD_PENALTY
                        out.append((k, tag, lpt, lpm))
                    if known and follow.closed:
                        for tag, lpm in known.items():
                            hit = follow.closed.get(tag)
                            if hit is not None:
                                out.append((hit[0], tag, hit[1], lpm))
                        out.sort(key=itemgetter(0))  # into HanTa's order of followers
                    for _, tag1, lpt, lpm in out:
                        lp1 = lp + lpt + lpm
                        if lp1 > _LOWERBOUND:
                            newstate = (prev, tag1)
                            old = target.get(newstate)
                            if old is None or lp1 > old:
                                target[newstate] = lp1
                                back[newstate] = (state, i)
        return table, backpointer

    def analyze_forward(self, word: str) -> list[tuple[int, float]]:
        """Log probability of each POS tag for ``word`` (HanTa's method, same results up to
        ``MAX_ANALYSED_LENGTH``)."""
        if len(word) > MAX_ANALYSED_LENGTH:
            return [(UNKNOWN, 0)]  # what HanTa answers when its search finds no analysis
        if self._compiled is not None and word:
            found = self._compiled.forward(word)
            if found is not None:
                return found
        last: dict[tuple[int, int], float] = {}
        for state, lp in self._search(word, self.strict, None)[0][-2].items():
            for tag1, lpt in self.LP_trans_final.get(state, []):
                lp1 = lp + lpt
                if lp1 > _LOWERBOUND:
                    newstate = (state[1], tag1)
                    if newstate not in last or lp1 > last[newstate]:
                        last[newstate] = lp1

        results: dict[int, float] = {}
        for state, lp in last.items():
            if lp == -math.inf:
                continue
            pos = -state[1]
            results[pos] = logaddexp(results[pos], lp) if pos in results else lp
        result_list = sorted(results.items(), key=itemgetter(1), reverse=True)
        return result_list or [(UNKNOWN, 0)]

    def analyze_viterbi(self, word: str, targetpos: int) -> list[tuple[int, int]]:
        """The likeliest morpheme path of ``word`` ending in POS ``targetpos`` (HanTa's method, same results
        up to ``MAX_ANALYSED_LENGTH``)."""
        if len(word) > MAX_ANALYSED_LENGTH:
            # HanTa's path when its search finds none: the whole word, of unknown kind
            return [(UNKNOWN, len(word)), (END_UNKNOWN, len(word) + 1)]
        if self._compiled is not None and word:
            found = self._compiled.path(word, targetpos)
            if found is not None:
                return found
        wlen = len(word)
        for localstrict in (True, False):
            table, backpointer = self._search(word, localstrict, targetpos)

            last = table[-1]
            for state, lp in table[-2].items():
                for tag1, lpt in self.LP_trans_final.get(state, []):
                    if tag1 == targetpos:
                        lp1 = lp + lpt
                        if lp1 > _LOWERBOUND:
                            newstate = (state[1], tag1)
                            if newstate not in last or lp1 > last[newstate]:
                                last[newstate] = lp1
                                backpointer[-1][newstate] = (state, wlen)
                        break
            if last:
                break

        pmax = -math.inf
        beststate = (EMPTY, EMPTY)
        for state, lp in table[-1].items():
            if lp > pmax:
                pmax = lp
                beststate = state
        i = len(backpointer) - 1
        if beststate == (EMPTY, EMPTY):
            states = [((UNKNOWN, END_UNKNOWN), i), ((START, UNKNOWN), i - 1)]
        else:
            states = [(beststate, i)]
            state = beststate
            while i > 0:
                state, i = backpointer[i][state]
                states.append((state, i))
            states = states[:-1]
        return [(state[1], i) for (state, i) in states[::-1]]

    def makelemma(self, stem_morphemes: list[str], pos: str) -> str:
        """A lemma from its stem morphemes and tag (HanTa's method, same results).

        HanTa works out the length of the longest lemma suffix of the part of speech, a maximum
        over hundreds of suffixes, for every lemma it makes; here once per part of speech.
        """
        mainpostag = pos.split("(")[0]
        lemma = "".join(stem_morphemes)
        suffix = ""
        lemmasuffices = self.lemmasuffixtable.get(mainpostag, [])
        if len(lemmasuffices) > 0:
            longest = self._longest_lemma_suffix.get(mainpostag)
            if longest is None:
                longest = self._longest_lemma_suffix[mainpostag] = max(len(e) for e in lemmasuffices)
            if len(lemma) + 1 < longest:
                longest = len(lemma)
            for i in range(longest + 1, 0, -1):
                ending = ("#" + lemma)[-i:]
                if ending in lemmasuffices:
                    suffix = lemmasuffices[ending]
                    break
        if self.tag2int.get(pos, 0) in self.capitalizedlemmata:
            lemma = lemma[0].upper() + lemma[1:]
        return lemma + suffix

    def _next_tags(
        self, state: tuple[int, int], wprobs: dict[int, float], anything: bool
    ) -> tuple[tuple[int, float, float], ...]:
        """``(tag, log p(tag|state), log p(word|tag))`` for the tags the word may have after ``state``, in HanTa's order.

        HanTa loops over every tag that may follow ``state`` (about 56) and skips those the word
        cannot have; looking up the word's few tags instead, sorted into that order, is the same.
        """
        following = self.LP_trans_word[state]
        if anything:  # a word HanTa could not analyse: any tag, at no cost
            return tuple((c, lp, 0) for c, lp in following.items() if c != END)
        order = self._tag_orders.get(state)
        if order is None:
            order = self._tag_orders[state] = {c: k for k, c in enumerate(following)}
        found = sorted((order[c], c) for c in wprobs if c in order and c != END)
        # a tuple, not a list: kept by the thousand, and tuples of numbers cost the garbage collector nothing
        return tuple((c, following[c], wprobs[c]) for _, c in found)

    def tag_sent_viterbi(self, sent: list[str], casesensitive: bool = True) -> list[int]:
        """The likeliest tag sequence of a sentence (HanTa's method, same results)."""
        if self._compiled_sentences is not None:
            found = self._compiled_sentences.tag(sent, casesensitive)
            if found is not None:
                return found
        table: list[dict[tuple[int, int], float]] = []
        backpointer: list[dict[tuple[int, int], tuple[int, int]]] = []
        for i, w in enumerate(sent):
            cs = i > 0 and casesensitive  # the first word's case says nothing
            scores = tuple(self._tag_word(w, cutoff=5, casesensitive=cs, conditional=True))
            wprobs = dict(scores)
            anything = not wprobs or (len(wprobs) == 1 and UNKNOWN in wprobs)
            score_id = self._score_ids.get(scores)
            if score_id is None:
                if len(self._score_ids) > 200_000:
                    self._score_ids.clear()
                    self._transitions.clear()
                score_id = self._score_ids[scores] = len(self._score_ids)
            row: dict[tuple[int, int], float] = {}
            back: dict[tuple[int, int], tuple[int, int]] = {}
            backpointer.append(back)
            prevrow = {(EMPTY, START): 0.0} if i == 0 else table[i - 1]
            # HanTa's beam: states more than 1 below the sixth best are not continued
            rowbound = sorted(prevrow.values(), reverse=True)[5] - 1 if len(prevrow) > 5 else _LOWERBOUND
            for state in prevrow:
                lp0 = prevrow[state]
                if lp0 < rowbound:
                    continue
                key = (state, score_id)
                following = self._transitions.get(key)
                if following is None:
                    if len(self._transitions) > 100_000:
                        self._transitions.clear()
                    following = self._transitions[key] = self._next_tags(state, wprobs, anything)
                for c, lp_tc, lpwc in following:
                    lp = lp0 + lp_tc + lpwc
                    if lp > _LOWERBOUND:
                        newstate = (state[1], c)
                        old = row.get(newstate)
                        if old is None or lp > old:
                            row[newstate] = lp
                            back[newstate] = state
            table.append(row)

        finalstate = (END, EMPTY)
        row = {}
        back = {}
        backpointer.append(back)
        for state, lp0 in table[-1].items():
            lp = lp0 + self.LP_trans_word[state].get(END, -math.inf)
            if lp > row.get(finalstate, -math.inf):
                row[finalstate] = lp
                back[finalstate] = state
        tags: list[int] = []
        state = finalstate
        for i in range(len(backpointer) - 1, 0, -1):
            state = backpointer[i][state]
            tags.append(state[1])
        return tags[::-1]
