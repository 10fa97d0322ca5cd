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


def sentences_of(text: str) -> list[str]:
    doc = make_doc(text)
    return [text[s.start : s.end] for s in doc.sentences]


def test_a_quotation_closing_its_sentence_ends_it_whatever_the_marks() -> None:
    """simplemma splits only after straight quotes; German news closes with „…“, »…« and «…»."""
    for opening, closing in ("„“", "»«", "«»", '""'):
        text = f"Er sagte: {opening}Wir kommen.{closing} Man konzentriere sich darauf."
        assert sentences_of(text) == [f"Er sagte: {opening}Wir kommen.{closing}", "Man konzentriere sich darauf."]
    assert sentences_of("Sie fragte: „Wer kommt?“ Niemand antwortete.")[1] == "Niemand antwortete."


def test_a_quotation_the_sentence_goes_on_after_is_not_cut() -> None:
    assert len(sentences_of("„Wir kommen.“, sagte er. Dann ging er.")) == 2
    assert len(sentences_of("Er nannte es „einen Fehler“ und ging.")) == 1
    assert len(sentences_of("Er sagte: „Wir kommen.“ und ging.")) == 1  # lower case: the sentence goes on


def test_titles_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    """simplemma cuts after "Dr.", "St.", "ca." and initials, and with it the speaker's name."""
    for text in (
        "Das sagte der Gynäkologe Professor Dr. Klaus-Georg Bregulla am Montag.",
        "Die Rotkreuz-Helfer sind in St. Louis im Einsatz.",
        "Die Sport-Bild schätzt die Ablöse auf ca. 98 Millionen Euro.",
        "Laut dem Direktor B.N. Suresh soll das Werk in drei Jahren fertig sein.",
        "Das Interview führte Jens R. Müller für die Zeitung.",
    ):
        assert sentences_of(text) == [text]


def test_a_line_ending_in_an_abbreviation_still_ends_its_sentence() -> None:
    assert sentences_of("Bericht von Prof.\nDer Minister sagte, es gebe keine Pläne.")[0] == "Bericht von Prof."
    assert len(sentences_of("Das war im Jahr 2005. Der Sieger kam aus Kenia.")) == 2  # a number is no initial


def test_a_number_ends_a_sentence_when_a_clause_follows_not_when_a_noun_does() -> None:
    assert sentences_of("Der Verein landete auf Platz 19. Er hatte mehr erwartet.") == [
        "Der Verein landete auf Platz 19.",
        "Er hatte mehr erwartet.",
    ]
    assert len(sentences_of("Das Treffen ist am 19. Oktober in Berlin.")) == 1


def test_a_full_stop_without_a_space_still_ends_a_sentence_but_not_in_a_web_address() -> None:
    assert sentences_of("Der Schaden beträgt 97 Millionen US-Dollar.Die Entscheidung ist gefallen.") == [
        "Der Schaden beträgt 97 Millionen US-Dollar.",
        "Die Entscheidung ist gefallen.",
    ]
    assert len(sentences_of("Das berichtete www.Spiegel.de am Montag.")) == 1
