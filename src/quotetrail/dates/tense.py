"""Guess the tense of a sentence from its verbs, to resolve "am Mittwoch" forwards or backwards.

HanTa tags finite verbs but not tense; the rules here are the usual German
markers: ``werden`` + infinitive is future; a past participle with an
auxiliary, or a finite verb in the Präteritum (weak ``-te`` forms or a
strong past stem from HanTa's lemma differing from the form) is past.
"""

from __future__ import annotations

from ..model import Token

_FUTURE_AUX = {"wird", "werden", "werde", "wirst", "werdet", "will", "wollen", "soll", "sollen"}
_PAST_AUX_FORMS = {
    "war",
    "waren",
    "hatte",
    "hatten",
    "wurde",
    "wurden",
    "sagte",
    "sagten",
    "kam",
    "kamen",
    "gab",
    "ging",
    "hieß",
}


def sentence_tense(tokens: tuple[Token, ...]) -> str:
    """``past``, ``future`` or ``present`` for a sentence's tokens."""
    has_infinitive = any(t.pos.startswith("VV(INF)") or t.pos == "VV(INF)" for t in tokens)
    has_participle = any(t.pos.endswith("(PP)") for t in tokens)
    for t in tokens:
        low = t.text.lower()
        if low in _FUTURE_AUX and has_infinitive and not has_participle:
            return "future"
    # a split particle verb carries its whole lemma ("kommen … zusammen" → "zusammenkommen"); compare the stem
    particles = tuple(t.text.lower() for t in tokens if t.pos == "PTKVZ")
    for t in tokens:
        low = t.text.lower()
        lemma = t.lemma.lower()
        for particle in particles:
            if lemma.startswith(particle) and not low.startswith(particle):
                lemma = lemma[len(particle) :]
                break
        if low in _PAST_AUX_FORMS:
            return "past"
        if t.pos.endswith("(FIN)") and (low.endswith(("te", "ten")) and not t.subjunctive):
            return "past"
        if t.pos.endswith("(FIN)") and lemma and not low.startswith(lemma[:3]):
            return "past"  # strong verbs: "traf" (treffen), "sprach" (sprechen)
    if has_participle and any(
        t.text.lower() in {"hat", "haben", "ist", "sind", "habe", "sei", "seien"} for t in tokens
    ):
        return "past"
    return "present"
