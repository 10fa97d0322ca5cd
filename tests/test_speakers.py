"""Speaker resolution within an article and merging across articles."""

from __future__ import annotations

import re

from tests.conftest import make_doc

from quotetrail.model import Quotation, Span, SpeakerMention
from quotetrail.speakers import merge_speakers, resolve_speakers


def resolve(text: str, mention: str, occurrence: int = 0) -> tuple[str | None, str | None]:
    """Canonical speaker and role for the ``occurrence``-th ``mention`` in ``text``."""
    doc = make_doc(text)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(mention, start + 1)
    q = Quotation("t", "Indirect", (Span(0, 5),), speaker_mention=(Span(start, start + len(mention)),))
    [resolved], _ = resolve_speakers(doc, [q])
    return resolved.speaker, resolved.speaker_role


TEXT = (
    "Nato-Generalsekretär Jens Stoltenberg hat am Mittwoch in Brüssel gesprochen. "
    "Der französische Präsident Emmanuel Macron war nicht dabei. "
    "Stoltenberg sagte, die Allianz plane keinen Einsatz. Er betonte, man unterstütze die Ukraine. "
    "Der Nato-Generalsekretär fügte hinzu, dies gelte auch künftig. Macron hatte das anders gesehen."
)


def test_surname_resolves_to_full_name_with_role() -> None:
    assert resolve(TEXT, "Stoltenberg", 1) == ("Jens Stoltenberg", "Nato-Generalsekretär")


def test_pronoun_resolves_to_the_most_recent_person() -> None:
    assert resolve(TEXT, "Er")[0] == "Jens Stoltenberg"


def test_role_noun_resolves_to_the_person_with_that_role() -> None:
    assert resolve(TEXT, "Der Nato-Generalsekretär")[0] == "Jens Stoltenberg"


def test_adjective_and_role_are_kept() -> None:
    assert resolve(TEXT, "Macron", 1) == ("Emmanuel Macron", "französische Präsident")


def test_age_noun_resolves_to_the_person_just_named() -> None:
    text = "Bundespräsident Frank-Walter Steinmeier empfing die Gäste. Der 68-Jährige sagte, er sei dankbar."
    assert resolve(text, "Der 68-Jährige")[0] == "Frank-Walter Steinmeier"


def test_female_pronoun_skips_a_male_antecedent() -> None:
    text = "Außenministerin Annalena Baerbock traf Kanzler Olaf Scholz. Sie sagte, das Gespräch sei gut gewesen."
    assert resolve(text, "Sie")[0] == "Annalena Baerbock"


def test_organisations_and_media_are_speakers() -> None:
    text = "Die Zeitung Corriere della Sera berichtete, der Plan sei gescheitert. Die Nato erklärte, sie prüfe das."
    assert resolve(text, "Die Zeitung Corriere della Sera")[0] == "Corriere della Sera"
    assert resolve(text, "Die Nato")[0] == "NATO"
    text = "Das Verteidigungsministerium in Riga teilte mit, die Truppen seien eingetroffen."
    assert resolve(text, "Das Verteidigungsministerium in Riga")[0] == "Verteidigungsministerium in Riga"
    text = "Der Westen befürchtet weiterhin einen Einmarsch Russlands in die Ukraine."
    assert resolve(text, "Der Westen")[0] == "der Westen"  # a collective that speaks, as news writes it


def test_names_with_particles_bound_articles_and_what_follows_them() -> None:
    text = (
        "Die Sprecherin der Stiftung Warentest, Heike van Laak, sagte, das Gerät sei mangelhaft. "
        "Der kuwaitische Ölminister Ali al-Omair sagte, die Preise würden steigen. "
        "„Das ist ein Erfolg“, sagte Karl Harb von den Salzburger Nachrichten. "
        "Kommissionspräsidentin Ursula von der Leyen sagte, Europa halte zusammen. Das sei falsch, sagte van Laak."
    )
    assert resolve(text, "Die Sprecherin der Stiftung Warentest, Heike van Laak")[0] == "Heike van Laak"
    assert resolve(text, "Der kuwaitische Ölminister Ali al-Omair") == ("Ali al-Omair", "kuwaitische Ölminister")
    assert resolve(text, "Karl Harb von den Salzburger Nachrichten")[0] == "Karl Harb"
    assert resolve(text, "Ursula von der Leyen")[0] == "Ursula von der Leyen"
    assert resolve(text, "van Laak")[0] == "Heike van Laak"  # the surname alone, later
    # a particle only after first names: here "von" opens the affiliation, not the surname
    assert resolve("Peter Müller von Siemens sagte, der Auftrag sei sicher.", "Peter Müller von Siemens")[0] == (
        "Peter Müller"
    )


def test_a_spokesperson_introduced_with_ein_is_nobody_named_before() -> None:
    text = (
        "Porsche-Chef Wendelin Wiedeking lobte das Urteil. Ein Porschesprecher sagte, das bestätige die Haltung. "
        "Ein Kreml-Sprecher sagte, man prüfe das. Außenminister Straw sagte, das sei gut."
    )
    assert resolve(text, "Ein Porschesprecher")[0] is None  # someone of Porsche's, not Wiedeking
    assert resolve(text, "Ein Kreml-Sprecher")[0] == "Kreml"  # speaking for the Kremlin
    assert resolve(text, "Außenminister Straw") == ("Straw", "Außenminister")  # the role is not part of the name


def test_merge_speakers_folds_variants_and_tracks_roles_over_time() -> None:
    mentions = [
        (SpeakerMention(0, 5, "Stoltenberg", "Stoltenberg", "person", None), "2022-02"),
        (SpeakerMention(0, 5, "Jens Stoltenberg", "Jens Stoltenberg", "person", "Generalsekretär"), "2022-02-24"),
        (SpeakerMention(0, 5, "Jens Stoltenberg", "Jens Stoltenberg", "person", "Generalsekretär"), "2024-06"),
        (SpeakerMention(0, 5, "die Nato", "NATO", "organisation", None), None),
        (SpeakerMention(0, 5, "Nato", "Nato", "organisation", None), "2024"),
    ]
    speakers = {s.name: s for s in merge_speakers(mentions)}
    assert set(speakers) == {"Jens Stoltenberg", "NATO"}
    stoltenberg = speakers["Jens Stoltenberg"]
    assert "Stoltenberg" in stoltenberg.variants
    [role] = stoltenberg.roles
    assert (role.role, role.first_seen, role.last_seen) == ("Generalsekretär", "2022-02-24", "2024-06")
    assert speakers["NATO"].kind == "organisation"


# -- discourse-level attribution (issue 15) ------------------------------------------------------


def quote(
    text: str,
    quoted: str,
    kind: str = "Indirect",
    cue: str | None = None,
    mention: str | None = None,
    addressee: str | None = None,
) -> Quotation:
    """A quotation of ``quoted`` in ``text`` with its cue, speaker mention and addressee found as the tagger
    would label them (each the first occurrence of its words)."""

    def span(words: str | None) -> tuple[Span, ...]:
        if words is None:
            return ()
        found = re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text)
        assert found, words
        return (Span(found.start(), found.end()),)

    return Quotation("t", kind, span(quoted), cue=span(cue), speaker_mention=span(mention), addressee=span(addressee))


def attribute(text: str, *quotations: Quotation) -> list[Quotation]:
    resolved, _ = resolve_speakers(make_doc(text), list(quotations))
    return resolved


def test_a_pronoun_points_to_the_subject_not_to_the_nearest_name() -> None:
    """Issue 15: 'Er' was Poroschenko, named last, where Rasmussen, the subject before, is meant."""
    text = (
        "Rasmussen ist als Berater des ukrainischen Präsidenten, Wladimir Selenskij, tätig und hat auch mit "
        "dessen Vorgänger, Pjotr Poroschenko, zusammengearbeitet. Er forderte, Kiew solle Garantien erhalten."
    )
    first = "Der ehemalige NATO-Generalsekretär Anders Rasmussen war in Kiew. "
    [q] = attribute(first + text, quote(first + text, "Kiew solle Garantien erhalten", cue="forderte", mention="Er"))
    assert q.speaker == "Anders Rasmussen"


def test_a_pronoun_never_points_to_the_object_of_its_own_clause() -> None:
    """Issue 15: in 'Kremlchef Wladimir Putin forderte er auf' Putin is addressed, 'er' is Draghi."""
    text = (
        "Regierungschef Mario Draghi sprach in Rom. Kremlchef Wladimir Putin forderte er auf, seine Truppen abzuziehen."
    )
    [q] = attribute(text, quote(text, "seine Truppen abzuziehen", cue="forderte", mention="er"))
    assert q.speaker == "Mario Draghi"


def test_plural_sie_points_to_a_group_and_singular_sie_to_a_woman() -> None:
    text = (
        "Anfang dieser Woche gab eine Untergruppe osteuropäischer NATO-Staaten, die sogenannten „Bukarest Neun“, "
        "eine Erklärung ab. Darin forderten sie den Block auf, einen neuen Weg einzuschlagen."
    )
    [q] = attribute(text, quote(text, "einen neuen Weg einzuschlagen", cue="forderten", mention="sie"))
    assert q.speaker == "Bukarest Neun"
    text = "Liz Truss traf am Sonntag Boris Johnson. Sie sagte, ein Einmarsch sei sehr wahrscheinlich."
    [q] = attribute(text, quote(text, "ein Einmarsch sei sehr wahrscheinlich", cue="sagte", mention="Sie"))
    assert q.speaker == "Liz Truss"  # her first name says she is a woman: no role noun needed


def test_the_addressee_is_never_the_speaker() -> None:
    """Issue 15: 'forderten andere westliche Länder auf' gave the addressed countries as speaker."""
    text = (
        "Mehrere NATO-Mitglieder äußerten sich zur Zukunft der Ukraine und forderten andere westliche Länder auf, "
        "einen klaren Weg zur Mitgliedschaft zu skizzieren."
    )
    quoted = "einen klaren Weg zur Mitgliedschaft zu skizzieren"
    [q] = attribute(text, quote(text, quoted, cue="forderten", mention="andere westliche Länder"))
    assert q.speaker == "NATO-Mitglieder"
    [q] = attribute(
        text,
        quote(text, quoted, cue="forderten", mention="andere westliche Länder", addressee="andere westliche Länder"),
    )
    assert q.speaker == "NATO-Mitglieder"


def test_the_object_of_the_cue_verb_is_never_the_speaker() -> None:
    """'verdächtigen den russischen Präsidenten Wladimir Putin, … zu planen': the suspicion is not Putin's."""
    text = (
        "Die USA und die Nato verdächtigen den russischen Präsidenten Wladimir Putin, einen Einmarsch in die "
        "benachbarte Ukraine zu planen."
    )
    quoted = "einen Einmarsch in die benachbarte Ukraine zu planen"
    [q] = attribute(text, quote(text, quoted, cue="verdächtigen", mention="den russischen Präsidenten Wladimir Putin"))
    assert q.speaker in ("NATO", "USA")
    # after a preposition the phrase is the source: "Nach den Worten des Ministers …"
    text = "Der Minister Karl Weber war in Rom. Nach den Worten des Ministers sei die Lage ernst."
    [q] = attribute(text, quote(text, "sei die Lage ernst", cue="Nach", mention="den Worten des Ministers"))
    assert q.speaker == "Karl Weber"


def test_the_question_put_is_not_the_answerers() -> None:
    """'Auf die Frage, ob er …, sagte Stoltenberg: »…«': the answer is his, the question is not."""
    text = (
        "Jens Stoltenberg war in Brüssel. Auf die Frage, ob er die Entsendung von Truppen ausschließen würde, "
        "sagte Stoltenberg: »Wir haben keine Pläne.«"
    )
    asked = quote(text, "er die Entsendung von Truppen ausschließen würde", cue="sagte", mention="Stoltenberg")
    answer = quote(text, "»Wir haben keine Pläne.«", kind="Direct", cue="sagte", mention="Stoltenberg")
    question, said = attribute(text, asked, answer)
    assert question.speaker is None and [text[m.start : m.end] for m in question.speaker_mention] == ["die Frage"]
    assert said.speaker == "Jens Stoltenberg"


def test_a_source_phrase_stays_the_mention_and_names_who_holds_it() -> None:
    """Issue 15: 'nach eigenen Angaben' is the source; the speaker is the one whose statement it is."""
    text = (
        "„Wir koordinieren uns“, sagte Regierungschef Mario Draghi in Rom. Der 74-Jährige sieht nach eigenen "
        "Angaben derzeit keine Möglichkeit für einen Dialog mit Russland."
    )
    [q] = attribute(
        text,
        quote(text, "derzeit keine Möglichkeit für einen Dialog mit Russland", cue="nach", mention="eigenen Angaben"),
    )
    assert q.speaker == "Mario Draghi"
    assert [text[s.start : s.end] for s in q.speaker_mention] == ["eigenen Angaben"]
    text = "Präsident Wolodymyr Selenskyj lehnte jeden Ersatz ab und erklärte Berichten zufolge, dass er nicht kommen werde."
    [q] = attribute(text, quote(text, "dass er nicht kommen werde", cue="erklärte", mention="Berichten"))
    assert q.speaker == "Wolodymyr Selenskyj"
    text = "Die Nato will nach Angaben ihres Generalsekretärs Jens Stoltenberg keine Soldaten einsetzen."
    [q] = attribute(text, quote(text, "keine Soldaten einsetzen", cue="nach", mention="Angaben"))
    assert q.speaker == "Jens Stoltenberg"


def test_a_nested_quote_takes_the_enclosing_speaker() -> None:
    """Issue 15: 'Lücken' inside Stoltenberg's indirect speech had no speaker."""
    text = "Nato-Generalsekretär Jens Stoltenberg sagte in Helsinki, es habe „Lücken“ gegeben."
    outer = quote(text, "es habe „Lücken“ gegeben", cue="sagte", mention="Nato-Generalsekretär Jens Stoltenberg")
    inner = quote(text, "„Lücken“", kind="Direct")
    resolved = attribute(text, outer, inner)
    assert [q.speaker for q in resolved] == ["Jens Stoltenberg", "Jens Stoltenberg"]
    assert resolved[1].speaker_confidence < resolved[0].speaker_confidence  # type: ignore[operator]


def test_a_quote_before_a_colon_takes_the_speaker_named_after_it() -> None:
    """Issue 15: '»…«: Stoltenberg hat klargestellt' (examples/001)."""
    text = (
        "»Es gibt einen Unterschied«: Nato-Generalsekretär Jens Stoltenberg hat klargestellt, wie das Bündnis reagiert."
    )
    first = quote(text, "»Es gibt einen Unterschied«", kind="Direct")
    second = quote(
        text, "wie das Bündnis reagiert", cue="hat klargestellt", mention="Nato-Generalsekretär Jens Stoltenberg"
    )
    assert [q.speaker for q in attribute(text, first, second)] == ["Jens Stoltenberg"] * 2


def test_a_quote_paragraph_continues_the_speaker_before_it_but_not_from_paragraphs_back() -> None:
    text = (
        "„Wir prüfen alles“, sagte Anders Rasmussen am Mittwoch.\n\n"
        "„Ich denke, die Polen würden eine Koalition bilden.“\n\n"
        "In Lettland sind US-Truppen eingetroffen.\n\n"
        "Die Beratungen sollen per Videokonferenz erfolgen."
    )
    named = quote(text, "„Wir prüfen alles“", kind="Direct", cue="sagte", mention="Anders Rasmussen")
    paragraph = quote(text, "„Ich denke, die Polen würden eine Koalition bilden.“", kind="Direct")
    # the quotation tagger carries a free indirect sentence's speaker over from any distance
    far = quote(
        text, "Die Beratungen sollen per Videokonferenz erfolgen.", kind="FreeIndirect", mention="Anders Rasmussen"
    )
    resolved = attribute(text, named, paragraph, far)
    assert [q.speaker for q in resolved] == ["Anders Rasmussen", "Anders Rasmussen", None]
    assert resolved[2].speaker_mention == ()


def test_reported_speech_without_a_cue_takes_the_speaker_named_in_the_next_sentence() -> None:
    """Issue 15: a Konjunktiv sentence whose source follows ('…, berichtete die Zeitung'); plain narration does not."""
    text = (
        "Um Spekulationen einzudämmen, plane die NATO eine Erklärung. Die Erklärung soll im Juli verabschiedet "
        "werden, berichtete die italienische Zeitung Corriere della Sera. Die USA senden Waffen nach Kiew."
    )
    konjunktiv = quote(text, "plane die NATO eine Erklärung")
    source = quote(
        text,
        "Die Erklärung soll im Juli verabschiedet werden",
        cue="berichtete",
        mention="die italienische Zeitung Corriere della Sera",
    )
    narration = quote(text, "Die USA senden Waffen nach Kiew")
    assert [q.speaker for q in attribute(text, konjunktiv, source, narration)] == ["Corriere della Sera"] * 2 + [None]


def test_a_reported_act_names_its_own_speaker() -> None:
    text = (
        "Šimonytė erklärte, sie habe die Erlaubnis. Die meisten NATO-Mitgliedstaaten lehnten derartige Vorschläge "
        "jedoch ab. Währenddessen warnte Russland wiederholt vor dem Einsatz."
    )
    lehnten = quote(
        text,
        "Die meisten NATO-Mitgliedstaaten lehnten derartige Vorschläge jedoch ab.",
        kind="Reported",
        mention="Šimonytė",
    )
    warnte = quote(
        text, "Währenddessen warnte Russland wiederholt vor dem Einsatz.", kind="Reported", mention="Russland"
    )
    assert [q.speaker for q in attribute(text, lehnten, warnte)] == ["NATO-Mitgliedstaaten", "Russland"]


def test_the_role_comes_from_the_mention_not_from_a_neighbouring_one() -> None:
    """Issue 15: Stoltenberg was 'NATO-Sprecher' on every quotation of examples/000."""
    text = (
        "Der NATO-Sprecher Jens Stoltenberg sagte, die NATO plane nichts. Dies erklärte der NATO-Generalsekretär "
        "in Rom. „Wir schicken keine Truppen“, sagte Stoltenberg wörtlich."
    )
    resolved = attribute(
        text,
        quote(text, "die NATO plane nichts", cue="sagte", mention="Der NATO-Sprecher Jens Stoltenberg"),
        quote(text, "Dies", cue="erklärte", mention="der NATO-Generalsekretär"),
        quote(text, "„Wir schicken keine Truppen“", kind="Direct", cue="sagte Stoltenberg", mention="Stoltenberg"),
    )
    assert [q.speaker for q in resolved] == ["Jens Stoltenberg"] * 3
    assert [q.speaker_role for q in resolved] == ["NATO-Sprecher", "NATO-Generalsekretär", "NATO-Generalsekretär"]


def test_a_named_speaker_is_more_certain_than_a_pronoun() -> None:
    text = "Nato-Generalsekretär Jens Stoltenberg sagte, man plane nichts. Er betonte, man helfe der Ukraine."
    named, pronoun = attribute(
        text,
        quote(text, "man plane nichts", cue="sagte", mention="Nato-Generalsekretär Jens Stoltenberg"),
        quote(text, "man helfe der Ukraine", cue="betonte", mention="Er"),
    )
    assert named.speaker == pronoun.speaker == "Jens Stoltenberg"
    assert 0 < pronoun.speaker_confidence < named.speaker_confidence <= 1  # type: ignore[operator]


def test_a_mention_cut_off_inside_its_phrase_is_read_to_the_name_in_apposition() -> None:
    """The encoder's mention can stop at a preposition ("Die US-Botschafterin bei"): read on, it names Julianne
    Smith; cut off, its role noun named the man mentioned before (examples/002 in encoder mode)."""
    text = (
        "Nato-Generalsekretär Jens Stoltenberg sprach in Vilnius. Die US-Botschafterin bei der NATO, Julianne "
        "Smith, erklärte dagegen: „Wir prüfen eine Reihe von Optionen.“"
    )
    [q] = attribute(
        text,
        quote(
            text,
            "„Wir prüfen eine Reihe von Optionen.“",
            kind="Direct",
            cue="erklärte",
            mention="Die US-Botschafterin bei",
        ),
    )
    assert q.speaker == "Julianne Smith"
    assert (
        text[q.speaker_mention[0].start : q.speaker_mention[0].end]
        == "Die US-Botschafterin bei der NATO, Julianne Smith"
    )


def test_a_mention_ending_on_a_noun_takes_the_name_right_after_it() -> None:
    """'Der Oppositionsführer' Friedrich Merz: cut before the name, the role noun named nobody."""
    text = (
        "Bundeskanzler Olaf Scholz hat im Bundestag gesprochen. Der Oppositionsführer Friedrich Merz widersprach: "
        "„Das ist ein schwerer Fehler der Regierung.“"
    )
    quoted = "„Das ist ein schwerer Fehler der Regierung.“"
    [q] = attribute(text, quote(text, quoted, kind="Direct", cue="widersprach", mention="Der Oppositionsführer"))
    assert q.speaker == "Friedrich Merz"
    assert text[q.speaker_mention[0].start : q.speaker_mention[0].end] == "Der Oppositionsführer Friedrich Merz"


def test_a_nominalised_adjective_is_a_noun_of_the_phrase() -> None:
    """HanTa tags "Angestellten", "Vorsitzende", "Abgeordneter" NNA, not NN: the phrase must not stop before them."""
    text = "Die Gelder sollen nach einem Bericht des Angestellten verschwunden sein."
    [q] = attribute(text, quote(text, "Die Gelder sollen", cue="nach", mention="einem"))
    assert [text[s.start : s.end] for s in q.speaker_mention] == ["einem Bericht des Angestellten"]


def test_a_role_noun_never_names_a_person_of_the_other_gender() -> None:
    text = "Nato-Generalsekretär Jens Stoltenberg sprach in Vilnius. Die Botschafterin erklärte, man prüfe alles."
    assert resolve(text, "Die Botschafterin")[0] != "Jens Stoltenberg"
    text = "Ministerin Annalena Baerbock traf Jens Stoltenberg. Die Botschafterin erklärte, man prüfe alles."
    assert resolve(text, "Die Botschafterin")[0] == "Annalena Baerbock"


def test_demnach_as_speaker_points_back_to_the_source_before() -> None:
    """wikinews-quotes marks "Demnach" as speaker, cue and frame at once: the mention stays, the speaker is the
    source of the statement before (examples/000 in encoder mode: Macron's proposal)."""
    text = (
        "Anfang dieses Monats wiederholte Macron seinen Vorschlag, Truppen zu schicken. Emmanuel Macron sagte, "
        "man müsse handeln. Demnach würde Paris Truppen entsenden, wenn Kiew darum bittet."
    )
    first = quote(text, "man müsse handeln", cue="sagte", mention="Emmanuel Macron")
    demnach = quote(text, "würde Paris Truppen entsenden, wenn Kiew darum bittet", cue="Demnach", mention="Demnach")
    resolved = attribute(text, first, demnach)
    assert [q.speaker for q in resolved] == ["Emmanuel Macron"] * 2
    assert [text[s.start : s.end] for s in resolved[1].speaker_mention] == ["Demnach"]


def test_indirect_speech_never_names_its_speaker_inside_itself() -> None:
    """Only a reported act ("Die Polizei geht … aus") names its speaker inside its own words; in indirect speech
    the subject inside is what is reported ("die NATO"), and the speaker is the one who reports it."""
    text = "Stoltenberg sagte, er sei zufrieden. Die Nato bemühe sich um eine langfristige Verpflichtung."
    said = quote(text, "er sei zufrieden", cue="sagte", mention="Stoltenberg")
    inside = quote(
        text, "Die Nato bemühe sich um eine langfristige Verpflichtung.", kind="FreeIndirect", mention="Die Nato"
    )
    assert [q.speaker for q in attribute(text, said, inside)] == ["Stoltenberg"] * 2
