"""The taggers' base features: what tagging leaves out or reads differently must change nothing."""

from __future__ import annotations

import pycrfsuite
import pytest
from tests.conftest import make_doc

from quotetrail.quotations.attribution import _POSITION_FEATURES, ATTRIBUTION_MODEL
from quotetrail.quotations.features import TaggingFeatures, attribute_names, base_features
from quotetrail.quotations.learned import QUOTE_MODEL, models_dir

TEXT = (
    "Der Minister sagte am Montag, die Lage sei ernst. „Wir müssen handeln“, fügte er hinzu.\n\n"
    "Die Opposition kritisierte, dass die Regierung zu spät reagiert habe. Laut einem Sprecher gebe es keinen Plan."
)


def test_attribute_names_are_crfsuites_own_reading_of_the_dicts() -> None:
    """Tagging gives crfsuite names instead of dicts (faster); tags and probabilities must not change."""
    doc = make_doc(TEXT)
    full, base = base_features(doc), TaggingFeatures.of(doc)
    assert attribute_names({"w": "sagte", "cue": 1.0, "k1": 0.0}) == ["w:sagte", "cue"]
    with pytest.raises(ValueError, match=r"weight 0\.5"):
        attribute_names({"x": 0.5})
    tagger = pycrfsuite.Tagger()
    tagger.open(str(models_dir() / QUOTE_MODEL))
    for xs, names in zip(full, base.names, strict=True):
        assert [sorted(item) for item in pycrfsuite.ItemSequence(names).items()] == [
            sorted(k for k, v in item.items() if v) for item in pycrfsuite.ItemSequence(xs).items()
        ]
        tags = tagger.tag(xs)
        probabilities = [tagger.marginal(label, k) for k in range(len(xs)) for label in tagger.labels()]
        assert tagger.tag(names) == tags
        assert [tagger.marginal(label, k) for k in range(len(xs)) for label in tagger.labels()] == probabilities


def test_the_attribution_model_knows_no_position_feature() -> None:
    """The attribution tagger is handed the quote tagger's names, position features included, because
    its model has no attribute for them (it learnt without them) and so crfsuite passes over them."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(models_dir() / ATTRIBUTION_MODEL))
    attributes = {attribute for attribute, _ in tagger.info().state_features}
    assert attributes and not any(a.split(":")[0] in _POSITION_FEATURES for a in attributes)
