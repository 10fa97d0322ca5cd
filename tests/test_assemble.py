"""How the learned tagger's two label layers become quotations: which speaker run a quote takes.

The label layers are written by hand here, so these tests pin the assembly
rules without depending on what the shipped model happens to tag.
"""

from __future__ import annotations

from tests.conftest import make_doc

from quotetrail.model import Doc
from quotetrail.quotations.learned import assemble


def layers(doc: Doc, quotes: dict[str, str], roles: dict[str, str]) -> tuple[list[str], list[str]]:
    """BIO label layers from ``{phrase: label}``: each phrase's tokens get ``B-label``/``I-label``."""
    q_labels = ["O"] * len(doc.tokens)
    r_labels = ["O"] * len(doc.tokens)
    for target, phrases in ((q_labels, quotes), (r_labels, roles)):
        for phrase, label in phrases.items():
            start = doc.text.index(phrase)
            end = start + len(phrase)
            idx = [i for i, t in enumerate(doc.tokens) if t.start >= start and t.end <= end]
            for n, i in enumerate(idx):
                target[i] = ("B-" if n == 0 else "I-") + label
    return q_labels, r_labels


def speakers_of(doc: Doc, quotes: dict[str, str], roles: dict[str, str]) -> dict[str, str | None]:
    """Quote text → the text of the speaker run it was given."""
    out: dict[str, str | None] = {}
    for q in assemble(doc, *layers(doc, quotes, roles)):
        out[q.text(doc.text)] = " ".join(s.text(doc.text) for s in q.speaker_mention) or None
    return out


def test_free_indirect_speech_takes_the_speaker_before_it_not_the_next_one() -> None:
    doc = make_doc(
        "Der Staatsanwalt sagte, der Sohn habe sich selbst getötet. Dies sei eindeutig nachzuweisen. "
        "Die Eltern teilten mit, sie seien erschüttert."
    )
    got = speakers_of(
        doc,
        {"Dies sei eindeutig nachzuweisen.": "IndirectFreeIndirect"},
        {"Der Staatsanwalt": "speaker", "Die Eltern": "speaker"},
    )
    assert got == {"Dies sei eindeutig nachzuweisen.": "Der Staatsanwalt"}


def test_reported_speech_takes_the_speaker_inside_it() -> None:
    doc = make_doc("Der Minister verließ den Saal. Die Opposition fordert seinen Rücktritt.")
    got = speakers_of(
        doc,
        {"Die Opposition fordert seinen Rücktritt": "Reported"},
        {"Der Minister": "speaker", "Die Opposition": "speaker"},
    )
    assert got == {"Die Opposition fordert seinen Rücktritt": "Die Opposition"}


def test_demnach_is_both_cue_and_source() -> None:
    doc = make_doc("Die Polizei legte einen Bericht vor. Demnach hat der Fahrer die Kontrolle verloren.")
    got = speakers_of(
        doc,
        {"hat der Fahrer die Kontrolle verloren": "Indirect"},
        {"Demnach": "cue", "Die Polizei": "speaker"},
    )
    assert got == {"hat der Fahrer die Kontrolle verloren": "Demnach"}


def test_a_dative_run_loses_to_the_subject_even_when_nearer_to_the_cue() -> None:
    doc = make_doc("Der Präsident hat dem Sender gesagt, das Gesetz werde geändert.")
    got = speakers_of(
        doc,
        {"das Gesetz werde geändert": "Indirect"},
        {"Der Präsident": "speaker", "dem Sender": "speaker", "gesagt": "cue"},
    )
    assert got == {"das Gesetz werde geändert": "Der Präsident"}


def test_a_dative_run_after_a_source_preposition_is_still_the_speaker() -> None:
    doc = make_doc("Nach Angaben von dem Sender ist das Gesetz geändert worden.")
    got = speakers_of(
        doc,
        {"ist das Gesetz geändert worden": "Indirect"},
        {"Nach": "cue", "dem Sender": "speaker"},
    )
    assert got == {"ist das Gesetz geändert worden": "dem Sender"}


def test_a_quote_run_the_tagger_is_unsure_of_is_left_out() -> None:
    doc = make_doc("Der Minister sagte, die Steuern würden steigen. Die Opposition sagte, das sei falsch.")
    q_labels, r_labels = layers(
        doc, {"die Steuern würden steigen": "Indirect", "das sei falsch": "Indirect"}, {"sagte": "cue"}
    )
    unsure = doc.text.index("die Steuern")
    quote_p = [0.4 if unsure <= t.start < unsure + 26 else 0.95 for t in doc.tokens]
    kept = [q.text(doc.text) for q in assemble(doc, q_labels, r_labels, quote_p)]
    assert kept == ["das sei falsch"]
    assert len(assemble(doc, q_labels, r_labels)) == 2
