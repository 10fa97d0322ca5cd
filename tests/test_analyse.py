"""Tokens, lemmas and mood as the extractors read them."""

from __future__ import annotations

from tests.conftest import make_doc


def lemma_of(text: str, word: str) -> str:
    return next(t.lemma for t in make_doc(text).tokens if t.text == word)


def test_a_split_particle_verb_gets_its_whole_lemma() -> None:
    text = "Die Polizei teilte am Montag mit, der Täter sei gefasst."
    assert lemma_of(text, "teilte") == "mitteilen"
    assert lemma_of("Er wies darauf hin, dass es regnet.", "wies") == "hinweisen"
    assert lemma_of("Sie gab am Abend ihren Rücktritt bekannt.", "gab") == "bekanntgeben"


def test_the_particle_is_looked_for_only_in_the_verbs_own_clause() -> None:
    # "an" here belongs to nothing in the first clause; "teilte" stays "teilen"
    assert lemma_of("Er teilte das Brot, und sie kam an.", "teilte") == "teilen"


def test_konjunktiv_i_is_marked_on_the_finite_verb() -> None:
    doc = make_doc("Er sagte, die Regierung habe keine Pläne und sei bereit.")
    marked = {t.text for t in doc.tokens if t.subjunctive}
    assert marked == {"habe", "sei"}


def test_a_run_of_60000_tokens_without_a_full_stop_is_tagged() -> None:
    """A table or word list with no sentence end is one "sentence"; HanTa's Viterbi alone fails on it."""
    text = "Der Minister sagte, es gebe keine Pläne.\n\n" + " ".join(f"Zeile{i} Wert" for i in range(30_000))
    doc = make_doc(text)
    assert len(doc.tokens) == 9 + 60_000
    assert doc.tokens[-1].text == "Wert" and doc.tokens[-1].pos
    assert next(t.lemma for t in doc.tokens if t.text == "sagte") == "sagen"
