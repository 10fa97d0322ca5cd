"""The taggers' base features: what the models learnt from must be what they are given."""

from __future__ import annotations

from tests.conftest import make_doc

from quotetrail.quotations.features import base_features


def test_each_token_is_placed_relative_to_its_nearest_cue_the_earlier_of_two_as_near() -> None:
    doc = make_doc("Die Frau sagte heute erklärte er knapp.")
    features = {doc.tokens[i].text: f for i, f in enumerate(base_features(doc)[0])}
    assert [features[w]["cue"] for w in ("sagte", "erklärte", "heute")] == [1.0, 1.0, 0.0]
    # "heute" stands one token after "sagte" and one before "erklärte"
    assert (features["heute"]["cue_lem"], features["heute"]["cue_rel"]) == ("sagen", "after")
    assert (features["Die"]["cue_lem"], features["Die"]["cue_rel"], features["Die"]["cue_dist"]) == (
        "sagen",
        "before",
        "2",
    )
    assert (features["knapp"]["cue_lem"], features["knapp"]["cue_rel"]) == ("erklären", "after")
    assert features["er"]["cue_dist"] == "1" and features["erklärte"]["cue_rel"] == "at"


def test_sentence_features_are_the_same_on_every_token_and_keep_their_place() -> None:
    """Feature order decides the order crfsuite sums weights in, so it must not move."""
    doc = make_doc("Der Minister sagte, die Lage sei ernst. Danach regnete es.")
    first, second = base_features(doc)[0][:9], base_features(doc)[0][9:]
    keys = list(first[0])
    assert keys[14:25] == ["s_cue", "s_k1", "s_k2", "s_q", "s_dass", "p_k1", "p_cue", "p_q", "p_colon", "n_cue", "n_k1"]
    assert keys[25:30] == ["commas", "pos_in_s", "para_pos", "doc_first", "pp_k1"]
    assert all(f["s_cue"] == 1.0 and f["s_k1"] == 1.0 and f["doc_first"] == 1.0 for f in first)
    assert all(f["p_cue"] == 1.0 and f["p_k1"] == 1.0 and f["s_cue"] == 0.0 and f["doc_first"] == 0.0 for f in second)
