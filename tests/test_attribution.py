"""The per-quotation attribution tagger's window, training labels and reading of roles."""

from __future__ import annotations

import pycrfsuite
from tests.conftest import make_doc

from quotetrail.model import Span
from quotetrail.quotations.attribution import (
    ATTRIBUTION_MODEL,
    attribution_base,
    covered,
    features,
    labels,
    own_names,
    own_values,
    read_roles,
    sentence_index,
    window,
)
from quotetrail.quotations.features import TaggingFeatures, base_features
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
    """Training gives crfsuite dicts with every flag; tagging gives names: the base names of the quote
    tagger (position features and flags of 0 left out) and the window's own names.  Same tags, same
    probabilities."""
    doc = make_doc(TEXT)
    base = base_features(doc)
    sentence_of = sentence_index(doc)
    quote = set(covered(doc, [span_of(TEXT, "der Fahrer sei verletzt")]))
    tokens = window(doc, sentence_of, min(quote), max(quote))
    other = [i in quote for i in range(len(doc.tokens))]
    full = features(doc, attribution_base(base), sentence_of, quote, "Indirect", other, tokens)
    base_names = [n for sequence in TaggingFeatures.of(doc).names for n in sequence]
    own = own_names(own_values(doc, [f for s in base for f in s], sentence_of, quote, "Indirect", other, tokens))
    names = [base_names[i] + n for i, n in zip(tokens, own, strict=True)]
    assert sum(map(len, names)) < sum(map(len, full)) * 0.7  # zeros really are left out
    assert any(n.startswith("doc_first") for n in names[0])  # and position features are given
    tagger = pycrfsuite.Tagger()
    tagger.open(str(models_dir() / ATTRIBUTION_MODEL))
    tags = tagger.tag(full)
    probabilities = [tagger.marginal(label, k) for k in range(len(full)) for label in tagger.labels()]
    assert "B-speaker" in tags
    assert tagger.tag(names) == tags
    assert [tagger.marginal(label, k) for k in range(len(full)) for label in tagger.labels()] == probabilities
