"""The per-quotation attribution tagger's window, training labels and reading of roles."""

from __future__ import annotations

import pycrfsuite
from tests.conftest import make_doc

from quotetrail.model import Span
from quotetrail.quotations.attribution import (
    _POSITION_FEATURES,
    ATTRIBUTION_MODEL,
    attribution_base,
    covered,
    features,
    labels,
    own_features,
    read_roles,
    sentence_index,
    window,
)
from quotetrail.quotations.crf import open_tagger
from quotetrail.quotations.features import base_features
from quotetrail.quotations.learned import models_dir

TEXT = (
    "Der Tag begann ruhig. Die Polizei meldete einen Unfall. "
    "Der Sprecher sagte der Presse, der Fahrer sei verletzt. Er werde operiert. Danach regnete es. Am Abend war es kalt."
)


def span_of(text: str, phrase: str) -> Span:
    start = text.index(phrase)
    return Span(start, start + len(phrase))


def test_the_window_holds_two_sentences_before_the_quote_and_one_after() -> None:
    doc = make_doc(TEXT)
    quote = covered(doc, [span_of(TEXT, "der Fahrer sei verletzt")])
    tokens = window(doc, sentence_index(doc), min(quote), max(quote))
    text = doc.text[doc.tokens[tokens.start].start : doc.tokens[tokens.stop - 1].end]
    assert text.startswith("Der Tag begann ruhig.") and text.endswith("Er werde operiert.")


def test_training_labels_mark_roles_and_keep_the_frame_outside_the_quote() -> None:
    doc = make_doc(TEXT)
    quote = set(covered(doc, [span_of(TEXT, "der Fahrer sei verletzt")]))
    tokens = window(doc, sentence_index(doc), min(quote), max(quote))
    roles = {
        "cue": [span_of(TEXT, "sagte")],
        "speaker": [span_of(TEXT, "Der Sprecher")],
        "addressee": [span_of(TEXT, "der Presse")],
        "frame": [span_of(TEXT, "Der Sprecher sagte der Presse, der Fahrer sei verletzt")],
    }
    by_word = {
        doc.tokens[i].text + str(i): label for i, label in zip(tokens, labels(doc, tokens, quote, roles), strict=True)
    }
    got = [label for label in by_word.values() if label != "O"]
    assert got == ["B-speaker", "I-speaker", "B-cue", "B-addressee", "I-addressee", "frame"]


def test_reading_roles_takes_the_likeliest_speaker_and_frame_runs_outside_the_quote() -> None:
    tokens = range(10, 20)
    tags = ["B-speaker", "I-speaker", "B-cue", "O", "B-speaker", "O", "B-Indirect", "O", "O", "O"]
    tags[6] = "frame"  # a frame label inside the quote is not part of the frame
    quote = {16, 17, 18}
    speaker_p = [0.6, 0.6, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0, 0.0, 0.0]
    roles = read_roles(tags, tokens, quote, speaker_p)
    assert roles.speaker == (14, 15)
    assert roles.cue == ((12, 13),)
    assert roles.frame == ((10, 13), (14, 15))
    assert read_roles(tags, tokens, quote).speaker == (10, 12)


def test_with_no_role_labelled_the_nearly_labelled_tokens_are_taken() -> None:
    tokens = range(0, 6)
    tags = ["O"] * 6
    quote = {4, 5}
    speaker_p = [0.1, 0.5, 0.6, 0.0, 0.0, 0.0]
    cue_p = [0.0, 0.0, 0.0, 0.9, 0.0, 0.0]
    addressee_p = [0.2, 0.0, 0.0, 0.0, 0.0, 0.0]  # too unlikely to count
    roles = read_roles(tags, tokens, quote, speaker_p, cue_p, addressee_p)
    assert roles.speaker == (1, 3) and roles.cue == ((3, 4),) and roles.addressee is None
    assert read_roles(tags, tokens, quote).speaker is None


def test_tagging_reads_what_training_learnt_from() -> None:
    """Training gives crfsuite each window token's dict (base features without position features,
    then its own).  Tagging sums all base features once per article (position features included:
    the model has no such attributes) and adds each window's own: same tags, same probabilities."""
    doc = make_doc(TEXT)
    base = base_features(doc)
    flat = [f for sequence in base for f in sequence]
    sentence_of = sentence_index(doc)
    quote = set(covered(doc, [span_of(TEXT, "der Fahrer sei verletzt")]))
    tokens = window(doc, sentence_of, min(quote), max(quote))
    assert tokens.stop < len(doc.tokens)  # a true window
    other = [i in quote for i in range(len(doc.tokens))]
    full = features(doc, attribution_base(base), sentence_of, quote, "Indirect", other, tokens)
    assert "doc_first" in flat[0] and "doc_first" not in full[0]
    reference = pycrfsuite.Tagger()
    reference.open(str(models_dir() / ATTRIBUTION_MODEL))
    tags = reference.tag(full)
    probabilities = {label: [reference.marginal(label, k) for k in range(len(full))] for label in reference.labels()}
    assert "B-speaker" in tags
    for compiled in (True, False):
        tagger = open_tagger(models_dir() / ATTRIBUTION_MODEL, compiled=compiled)
        own = own_features(doc, flat, sentence_of, quote, "Indirect", other, tokens)
        tagged = tagger.extend(tagger.scores(flat), tokens.start, own)
        assert tagged.tag() == tags
        assert {label: tagged.marginals(label) for label in probabilities} == probabilities


def test_the_attribution_model_knows_no_position_feature() -> None:
    """The attribution tagger is handed the quote tagger's features, position features included, because
    its model has no attribute for them (it learnt without them), so they add nothing to a score."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(models_dir() / ATTRIBUTION_MODEL))
    attributes = {attribute for attribute, _ in tagger.info().state_features}
    assert attributes and not any(a.split(":")[0] in _POSITION_FEATURES for a in attributes)
