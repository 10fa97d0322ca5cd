"""How the quote layer's labels become quotations, and how quotations get their roles.

The label layer is written by hand in the first tests, so they pin the
assembly rules without depending on what the shipped model tags; the last
ones run the shipped attribution tagger on sentences of our own.
"""

from __future__ import annotations

from tests.conftest import make_doc

from quotetrail.model import Doc
from quotetrail.quotations import find_quotations
from quotetrail.quotations.learned import assemble


def layer(doc: Doc, quotes: dict[str, str]) -> list[str]:
    """BIO labels from ``{phrase: type}``: each phrase's tokens get ``B-type``/``I-type``."""
    labels = ["O"] * len(doc.tokens)
    for phrase, label in quotes.items():
        start = doc.text.index(phrase)
        idx = [i for i, t in enumerate(doc.tokens) if t.start >= start and t.end <= start + len(phrase)]
        for n, i in enumerate(idx):
            labels[i] = ("B-" if n == 0 else "I-") + label
    return labels


def test_a_direct_quote_split_by_its_frame_is_one_quotation() -> None:
    doc = make_doc("„Wir bleiben an der Seite der Ukraine“, sagte Stoltenberg, „so lange es nötig ist.“")
    labels = layer(doc, {"„Wir bleiben an der Seite der Ukraine“": "Direct", "„so lange es nötig ist.“": "Direct"})
    [q] = assemble(doc, labels)
    assert len(q.spans) == 2 and q.type == "Direct"


def test_direct_quotes_in_two_sentences_stay_two_quotations() -> None:
    doc = make_doc("„Wir bleiben“, sagte Stoltenberg. „Die Lage ist ernst.“")
    labels = layer(doc, {"„Wir bleiben“": "Direct", "„Die Lage ist ernst.“": "Direct"})
    assert len(assemble(doc, labels)) == 2


def test_a_quote_run_the_tagger_is_unsure_of_is_left_out() -> None:
    doc = make_doc("Der Minister sagte, die Steuern würden steigen. Die Opposition sagte, das sei falsch.")
    labels = layer(doc, {"die Steuern würden steigen": "Indirect", "das sei falsch": "Indirect"})
    unsure = doc.text.index("die Steuern")
    quote_p = [0.4 if unsure <= t.start < unsure + 26 else 0.95 for t in doc.tokens]
    assert [q.text(doc.text) for q in assemble(doc, labels, quote_p)] == ["das sei falsch"]
    assert len(assemble(doc, labels)) == 2


def roles(text: str, quoted: str) -> tuple[str | None, str | None]:
    """(cue, speaker) of the quotation whose text contains ``quoted``."""
    doc = make_doc(text)
    [q] = [q for q in find_quotations(doc) if quoted in q.text(doc.text)]
    cue = " ".join(s.text(doc.text) for s in q.cue) or None
    speaker = " ".join(s.text(doc.text) for s in q.speaker_mention) or None
    return cue, speaker


def test_free_indirect_speech_takes_the_speaker_of_its_frame_not_of_the_next_one() -> None:
    text = (
        "Der Staatsanwalt sagte am Montag, der Sohn habe sich selbst getötet. Dies sei eindeutig nachzuweisen. "
        "Die Eltern teilten am Abend mit, sie seien erschüttert."
    )
    # whether the tagger makes the free indirect sentence a quotation of its own or part of
    # the indirect one before it, its speaker is the prosecutor, not the parents after it
    _, speaker = roles(text, "Dies sei eindeutig nachzuweisen")
    assert speaker == "Der Staatsanwalt"


def test_the_subject_not_the_dative_object_is_the_speaker() -> None:
    _, speaker = roles("Der Präsident hat dem Sender am Montag gesagt, das Gesetz werde geändert.", "das Gesetz werde")
    assert speaker == "Der Präsident"
