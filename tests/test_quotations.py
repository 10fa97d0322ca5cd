"""Quotation kinds German news uses, one phenomenon per case, on sentences of our own."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.conftest import make_doc

from quotetrail.model import Quotation, Span
from quotetrail.quotations import find_quotations
from quotetrail.quotations.rules import find_indirect


def quotes(text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(type, quoted text, cue, speaker mention) of every quotation the CRF path and its rules find in ``text``
    (the encoder's own cases are in test_encoder.py)."""
    doc = make_doc(text)
    out = []
    for q in find_quotations(doc, "crf"):
        cue = " ".join(doc.text[s.start : s.end] for s in q.cue) or None
        speaker = " ".join(doc.text[s.start : s.end] for s in q.speaker_mention) or None
        out.append((q.type, q.text(doc.text), cue, speaker))
    return out


@pytest.mark.parametrize(
    "opening,closing",
    [("„", "“"), ("“", "”"), ('"', '"'), ("«", "»"), ("»", "«")],
    ids=["german-low-high", "english-curly", "straight", "guillemets-out", "guillemets-in"],
)
def test_direct_quote_in_every_quote_mark_style(opening: str, closing: str) -> None:
    found = quotes(f"{opening}Wir werden die Ukraine weiter unterstützen{closing}, sagte die Ministerin am Montag.")
    direct = [q for q in found if q[0] == "Direct"]
    assert len(direct) == 1
    assert "Wir werden die Ukraine weiter unterstützen" in direct[0][1]
    assert direct[0][2] == "sagte" and "Ministerin" in (direct[0][3] or "")


def test_direct_quote_introduced_by_a_colon() -> None:
    [q] = [q for q in quotes("Der Kanzler sagte: „Wir lassen uns nicht erpressen, von niemandem.“") if q[0] == "Direct"]
    assert "Wir lassen uns nicht erpressen" in q[1] and q[2] == "sagte" and q[3] == "Der Kanzler"


def test_quote_split_by_an_inserted_frame_is_one_quotation() -> None:
    found = quotes("„Wir bleiben an der Seite der Ukraine“, sagte Stoltenberg, „so lange es nötig ist.“")
    direct = [q for q in found if q[0] == "Direct"]
    assert len(direct) == 1
    assert "Wir bleiben an der Seite der Ukraine" in direct[0][1] and "so lange es nötig ist" in direct[0][1]


def test_multi_sentence_direct_quote() -> None:
    found = quotes("„Die Lage ist ernst. Wir müssen handeln. Es gibt keine Zeit zu verlieren“, sagte die Ministerin.")
    direct = [q for q in found if q[0] == "Direct"]
    assert len(direct) == 1 and "Wir müssen handeln" in direct[0][1] and "Zeit zu verlieren" in direct[0][1]


def test_indirect_with_konjunktiv_i_after_the_cue() -> None:
    found = quotes("Die Ministerin sagte am Montag, die Regierung habe keine Pläne für eine Steuererhöhung.")
    assert any(t == "Indirect" and "die Regierung habe keine Pläne" in text for t, text, _, _ in found)


def test_indirect_with_konjunktiv_i_before_the_cue() -> None:
    found = quotes("Die Regierung habe keine Pläne für eine Steuererhöhung, sagte die Ministerin am Montag.")
    [q] = [q for q in found if q[0] == "Indirect"]
    assert "Die Regierung habe keine Pläne" in q[1] and q[2] == "sagte" and "Ministerin" in (q[3] or "")


def test_indirect_dass_clause() -> None:
    found = quotes("Der Bürgermeister erklärte, dass die Brücke im Herbst wieder geöffnet werde.")
    [q] = [q for q in found if q[0] == "Indirect"]
    assert q[1].startswith("dass die Brücke") and q[2] == "erklärte"


@pytest.mark.parametrize(
    "text,speaker",
    [
        ("Laut Polizei gab es bei dem Unfall drei Verletzte auf der Autobahn.", "Polizei"),
        ("Dem Ministerium zufolge sollen die Arbeiten im Mai beginnen.", "Dem Ministerium"),
        ("Nach Angaben von Amnesty International wurden Dutzende Menschen festgenommen.", "Amnesty International"),
    ],
    ids=["laut", "zufolge", "nach-angaben-von"],
)
def test_source_frames_without_cue_verb(text: str, speaker: str) -> None:
    found = quotes(text)
    indirect = [q for q in found if q[0] == "Indirect"]
    assert indirect, found
    assert speaker in (indirect[0][3] or "")


def test_wie_x_mitteilte() -> None:
    found = quotes("Wie die Feuerwehr mitteilte, konnte das Feuer nach zwei Stunden gelöscht werden.")
    [q] = [q for q in found if q[0] == "Indirect"]
    assert q[1].startswith("konnte das Feuer") and "Feuerwehr" in (q[3] or "")


def test_free_indirect_run_after_a_frame_keeps_the_speaker() -> None:
    text = (
        "Die Ministerin sagte am Montag, die Regierung habe keine Pläne für eine Steuererhöhung. "
        "Man wolle stattdessen sparen. Die Ausgaben seien zu hoch."
    )
    found = quotes(text)
    later = [q for q in found if "Ausgaben seien zu hoch" in q[1]]
    assert later and later[0][0] in ("FreeIndirect", "IndirectFreeIndirect", "Indirect")
    assert later[0][3] is not None


def test_cueless_quote_paragraph_continues_the_previous_speaker() -> None:
    text = "„Wir haben keine Pläne“, sagte Stoltenberg in Brüssel.\n\n„Die Allianz steht zusammen, heute und morgen, das ist klar.“"
    found = quotes(text)
    second = [q for q in found if "Allianz steht zusammen" in q[1]]
    assert second and second[0][0] == "Direct" and "Stoltenberg" in (second[0][3] or "")


@pytest.mark.parametrize(
    "text",
    [
        'Die sogenannten "Bukarest Neun" trafen sich am Montag in Riga.',
        "Das Schiff „Eagle“ legte am Morgen im Hafen an.",
        "Er nannte den Plan „Unsinn“ und ging.",
        "Er las die „Financial Times“, sagte der Sprecher.",
        "Das Lokal hieß damals noch «Zur Schweizer Hütte» und war bei Studenten beliebt.",
    ],
    ids=["sogenannt", "ship-name", "scare-word", "name-before-cue", "capitalised-name"],
)
def test_scare_quotes_and_names_are_not_quotations(text: str) -> None:
    assert [q for q in quotes(text) if q[0] == "Direct"] == []


def test_a_name_inside_reported_speech_is_not_a_nested_quotation() -> None:
    """'die sogenannten „Bukarest Neun“' inside reported speech names a group; „so lange wie nötig“ is quoted."""
    from quotetrail.quotations import _marks, add_nested_direct

    text = (
        "Die Staaten, die sogenannten „Bukarest Neun“, wollten die Ukraine „so lange wie nötig“ unterstützen, "
        "sagte der Minister."
    )
    doc = make_doc(text)
    outer = Quotation("t", "Indirect", (Span(0, text.index(", sagte")),))
    nested = [text[q.start : q.end] for q in add_nested_direct(doc, _marks(doc), [outer])]
    assert nested == ["„so lange wie nötig“"]


def test_a_title_or_name_in_marks_inside_reported_speech_is_not_a_nested_quotation() -> None:
    """A scare quote, nickname or title inside indirect speech is no more a quotation than outside it."""
    from quotetrail.quotations import _marks, add_nested_direct

    for name in ("die Fähre „Rabaul Queen“", "die „Neue Rechte“"):
        text = f"Der Sprecher sagte, {name} mache weiter und man tue „alles Menschenmögliche“."
        doc = make_doc(text)
        outer = Quotation("t", "Indirect", (Span(text.index(name), len(text) - 1),))
        nested = [text[q.start : q.end] for q in add_nested_direct(doc, _marks(doc), [outer])]
        assert nested == ["„alles Menschenmögliche“"], text


@pytest.mark.parametrize(
    "text", ["„Nein“, sagte Scholz auf die Frage nach Truppen.", "Die Frage war kurz: „Wir kommen“, sagte Scholz."]
)
def test_an_answer_in_one_or_two_words_before_its_cue_is_a_quotation(text: str) -> None:
    [direct] = [q for q in quotes(text) if q[0] == "Direct"]
    assert direct[2] == "sagte" and direct[3] == "Scholz"


def test_attribution_in_the_following_sentence() -> None:
    text = "Zu einem Einsatz von Truppen werde es selbst dann nicht kommen. Das sagte Generalsekretär Jens Stoltenberg der BBC."
    found = [q for q in quotes(text) if "Einsatz von Truppen" in q[1]]
    assert found and found[0][2] == "sagte" and "Stoltenberg" in (found[0][3] or "")


def test_a_short_quote_after_a_cue_verb_is_the_speakers_own_word() -> None:
    found = quotes("Die Grünen sprachen am Montag von einem „bürgerrechtlichen Dammbruch“.")
    direct = [q for q in found if q[0] == "Direct"]
    assert [q[1] for q in direct] == ["„bürgerrechtlichen Dammbruch“"]
    assert direct[0][3] == "Die Grünen"


def test_a_name_in_quote_marks_after_a_cue_verb_is_not_a_quotation() -> None:
    found = quotes("Das berichtete am Montag die „Financial Times“.")
    assert [q for q in found if q[0] == "Direct"] == []


@pytest.mark.parametrize(
    "text,speaker",
    [
        ("Nach Polizeiangaben wurden bei dem Angriff sieben Menschen getötet.", "Polizeiangaben"),
        ("Gemäß einem Augenzeugen verteilten sich die Trümmer im weiten Umkreis.", "einem Augenzeugen"),
        ("Nach ersten Untersuchungen wurde das Feuer durch einen Kurzschluss ausgelöst.", "ersten Untersuchungen"),
        ("Nach Auffassung der Kanzlerin wurde die Frage zu spät gestellt.", "Auffassung der Kanzlerin"),
    ],
    ids=["nach-polizeiangaben", "gemäß", "nach-adjective-source-noun", "nach-source-noun-genitive"],
)
def test_source_frame_rules(text: str, speaker: str) -> None:
    doc = make_doc(text)
    [q] = find_indirect(doc)
    assert " ".join(s.text(doc.text) for s in q.speaker_mention) == speaker
    assert q.type == "Indirect" and q.text(doc.text).startswith(("wurde", "verteilten"))


def test_nach_with_a_noun_that_names_no_source_is_no_frame() -> None:
    doc = make_doc("Die Soldaten sollen nach der Unabhängigkeitserklärung beim Aufbau der Verwaltung helfen.")
    assert find_indirect(doc) == []


def test_a_reported_quotation_in_konjunktiv_i_is_indirect_speech() -> None:
    """Reported speech is told in the narrator's mood; with a Konjunktiv I verb it is indirect speech."""
    from quotetrail.quotations import retype_subjunctive_reported

    text = "Die Nato bemühe sich um eine langfristige Verpflichtung. Die Polizei geht von Fluchtgefahr aus."
    doc = make_doc(text)
    konjunktiv, indicative = (
        Quotation("t", "Reported", (Span(text.index(s), text.index(s) + len(s)),))
        for s in ("Die Nato bemühe sich um eine langfristige Verpflichtung.", "Die Polizei geht von Fluchtgefahr aus.")
    )
    cued = replace(konjunktiv, cue=(Span(0, 3),))
    out = retype_subjunctive_reported(doc, [konjunktiv, indicative, cued])
    assert [q.type for q in out] == ["IndirectFreeIndirect", "Reported", "Indirect"]


def test_a_konjunktiv_verb_that_is_no_speech_verb_is_no_cue() -> None:
    """ "Die Nato bemühe sich um …": the Konjunktiv marks the clause as reported; "bemühe" is what is reported,
    and "Die Nato" its subject, not a cue and its speaker.  "habe erklärt" stays a cue."""
    from quotetrail.quotations import drop_subjunctive_non_cues

    text = "Die Nato bemühe sich um eine „langfristige Verpflichtung“. Müller habe erklärt, es gehe voran."

    def at(words: str) -> tuple[Span, ...]:
        start = text.index(words)
        return (Span(start, start + len(words)),)

    bemuehe = Quotation("t", "IndirectFreeIndirect", at("„langfristige Verpflichtung“"), cue=at("bemühe"))
    bemuehe = replace(bemuehe, speaker_mention=at("Die Nato"), frame=at("Die Nato bemühe"))
    erklaert = Quotation("t", "Indirect", at("es gehe voran"), cue=at("habe erklärt"), speaker_mention=at("Müller"))
    dropped, kept = drop_subjunctive_non_cues(make_doc(text), [bemuehe, erklaert])
    assert (dropped.cue, dropped.speaker_mention, dropped.frame) == ((), (), ())
    assert kept == erklaert


def test_a_quotation_split_by_a_source_frame_is_one_quotation() -> None:
    """ "A | laut X | B" in one sentence is one quotation of two spans, in both modes (wikinews-quotes' reading)."""
    from quotetrail.quotations.joins import join_split_by_source_frame

    text = "Unter den Toten sollen laut Atmar neun Zivilisten sein. Die Armee sei laut Atmar abgezogen."
    doc = make_doc(text)

    def quotation(words: str, frame: str = "") -> Quotation:
        start = text.index(words)
        framed = (Span(text.index(frame), text.index(frame) + len(frame)),) if frame else ()
        return Quotation("t", "Indirect", (Span(start, start + len(words)),), frame=framed)

    first, second = quotation("Unter den Toten sollen"), quotation("neun Zivilisten sein", "laut Atmar")
    [joined] = join_split_by_source_frame(doc, [second, first])
    assert [text[s.start : s.end] for s in joined.spans] == ["Unter den Toten sollen", "neun Zivilisten sein"]
    assert [text[s.start : s.end] for s in joined.frame] == ["laut Atmar"]
    # across a sentence end, or with more than a source frame between, they stay two
    third = quotation("Die Armee sei")
    assert len(join_split_by_source_frame(doc, [second, third])) == 2
    text2 = "Unter den Toten sollen nach dem Angriff neun Zivilisten sein."
    doc2 = make_doc(text2)
    parts = [Quotation("t", "Indirect", (Span(0, 22),)), Quotation("t", "Indirect", (Span(40, len(text2) - 1),))]
    assert len(join_split_by_source_frame(doc2, parts)) == 2


@pytest.mark.parametrize("tagger", ["crf", "encoder"])
def test_both_taggers_read_a_source_frame_inside_a_sentence_as_one_quotation(
    tagger: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quotetrail.quotations import active_tagger, find_quotations

    monkeypatch.setenv("QUOTETRAIL_QUOTATIONS", tagger)
    if active_tagger() != tagger:
        pytest.skip(f"the {tagger} model is not installed")
    text = "Am vergangenen Samstag starben behördlichen Angaben zufolge beim Absturz zwölf Menschen."
    [q] = find_quotations(make_doc(text))
    assert [text[s.start : s.end] for s in q.spans] == ["Am vergangenen Samstag starben", "beim Absturz zwölf Menschen"]


def test_free_indirect_sentences_in_a_row_are_one_quotation_until_a_cue() -> None:
    from quotetrail.quotations.joins import join_free_indirect_runs

    text = "Die Lage sei ernst. Man brauche mehr Hilfe. Er sagte, es werde dauern. Das sei klar.\n\nEs gehe weiter."
    doc = make_doc(text)

    def quotation(words: str, kind: str = "IndirectFreeIndirect", cue: str = "") -> Quotation:
        start = text.index(words)
        cues = (Span(text.index(cue), text.index(cue) + len(cue)),) if cue else ()
        return Quotation("t", kind, (Span(start, start + len(words)),), cue=cues)

    parts = [
        quotation("Die Lage sei ernst."),
        quotation("Man brauche mehr Hilfe."),
        quotation("es werde dauern", "Indirect", "sagte"),
        quotation("Das sei klar."),
        quotation("Es gehe weiter."),  # the next paragraph
    ]
    joined = [text[q.start : q.end] for q in join_free_indirect_runs(doc, parts)]
    assert joined == [
        "Die Lage sei ernst. Man brauche mehr Hilfe.",
        "es werde dauern",
        "Das sei klar.",
        "Es gehe weiter.",
    ]


def test_reported_and_free_indirect_quotations_take_the_final_stop_direct_and_indirect_leave_it() -> None:
    from quotetrail.quotations import final_stop_as_annotated

    text = "Die Lage sei ernst. Er sagte, es regne. Die Polizei sucht den Täter. „Wir kommen“."
    doc = make_doc(text)

    def quotation(kind: str, words: str) -> Quotation:
        start = text.index(words)
        return Quotation("t", kind, (Span(start, start + len(words)),))

    kept = final_stop_as_annotated(
        doc,
        [
            quotation("IndirectFreeIndirect", "Die Lage sei ernst"),
            quotation("Indirect", "es regne."),
            quotation("Reported", "Die Polizei sucht den Täter"),
            quotation("Direct", "„Wir kommen“."),
        ],
    )
    assert [text[q.start : q.end] for q in kept] == [
        "Die Lage sei ernst.",
        "es regne",
        "Die Polizei sucht den Täter.",
        "„Wir kommen“",
    ]


def test_a_statement_followed_by_dies_sagte_is_a_quotation_with_the_pronoun() -> None:
    """ "A. Dies bestätigte X." : A is X's statement, and "Dies" is part of the quotation (wikinews-quotes)."""
    from quotetrail.quotations.joins import include_back_reference

    text = (
        "Die Partei schließt eine Koalition mit den Grünen aus. Dies bestätigte der Vorsitzende Guido Westerwelle. "
        "Die Wahl war knapp, sagte der Sprecher. Dies erklärte er am Montag."
    )
    doc = make_doc(text)
    dies = text.index("Dies bestätigte")
    alone = Quotation("t", "Indirect", (Span(dies, dies + 4),))  # the pronoun alone, as the CRF tags it
    spoken = text.index("Die Wahl war knapp")
    cued = Quotation(
        "t", "Indirect", (Span(spoken, spoken + 18),), cue=(Span(text.index("sagte"), text.index("sagte") + 5),)
    )
    second = text.index("Dies erklärte")
    other = Quotation("t", "Indirect", (Span(second, second + 4),))
    found = include_back_reference(doc, [alone, cued, other])
    statement = found[0]
    assert [text[s.start : s.end] for s in statement.spans] == [
        "Die Partei schließt eine Koalition mit den Grünen aus",
        "Dies",
    ]
    assert [text[s.start : s.end] for s in statement.cue] == ["bestätigte"]
    assert [text[s.start : s.end] for s in statement.speaker_mention] == ["der Vorsitzende Guido Westerwelle"]
    # a quotation with its cue before keeps its spans; the pronoun after it stays a report of its own
    assert found[1] == cued and found[2] == other
