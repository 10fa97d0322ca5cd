"""Speaker resolution within an article and merging across articles."""

from __future__ import annotations

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
