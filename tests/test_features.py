"""The quote tagger's base features: leaving out zero values for tagging must change nothing."""

from __future__ import annotations

import pycrfsuite
from tests.conftest import make_doc

from quotetrail.quotations.features import base_features
from quotetrail.quotations.learned import QUOTE_MODEL, models_dir

TEXT = (
    "Der Minister sagte am Montag, die Lage sei ernst. „Wir müssen handeln“, fügte er hinzu.\n\n"
    "Die Opposition kritisierte, dass die Regierung zu spät reagiert habe. Laut einem Sprecher gebe es keinen Plan."
)


def test_zero_free_features_give_the_same_tags_and_probabilities() -> None:
    doc = make_doc(TEXT)
    full, lean = base_features(doc), base_features(doc, zeros=False)
    assert [len(s) for s in full] == [len(s) for s in lean]
    assert sum(len(f) for s in lean for f in s) < 0.7 * sum(len(f) for s in full for f in s)
    # nothing but zeros is left out
    assert all(
        {k: v for k, v in f.items() if v != 0.0} == g
        for s, t in zip(full, lean, strict=True)
        for f, g in zip(s, t, strict=True)
    )
    tagger = pycrfsuite.Tagger()
    tagger.open(str(models_dir() / QUOTE_MODEL))
    for xs, ys in zip(full, lean, strict=True):
        tags = tagger.tag(xs)
        probabilities = [tagger.marginal("O", k) for k in range(len(xs))]
        assert tagger.tag(ys) == tags
        assert [tagger.marginal("O", k) for k in range(len(ys))] == probabilities
