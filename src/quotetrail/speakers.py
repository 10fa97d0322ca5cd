"""Resolve speaker mentions to canonical speakers (placeholder until the resolver lands)."""

from __future__ import annotations

from .model import Doc, Quotation, SpeakerMention


def resolve_speakers(doc: Doc, quotations: list[Quotation]) -> tuple[list[Quotation], list[SpeakerMention]]:
    """Fill ``speaker``/``speaker_role`` of each quotation and list the speaker mentions found."""
    return quotations, []


def speaker_id(name: str) -> str:
    """Stable id of a canonical speaker name."""
    import hashlib

    return hashlib.sha1(name.lower().encode()).hexdigest()[:12]


def merge_speakers(mentions):
    """One Speaker per canonical name across articles."""
    from .model import Speaker

    names = sorted({m.name for m, _ in mentions})
    return [Speaker(id=speaker_id(n), name=n) for n in names]
