"""Resolve speaker mentions to canonical speakers (placeholder until the resolver lands)."""

from __future__ import annotations

from .model import Doc, Quotation, SpeakerMention


def resolve_speakers(doc: Doc, quotations: list[Quotation]) -> tuple[list[Quotation], list[SpeakerMention]]:
    """Fill ``speaker``/``speaker_role`` of each quotation and list the speaker mentions found."""
    return quotations, []
