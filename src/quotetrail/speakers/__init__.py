"""Resolve who speaks: within an article (discourse-level attribution), then across articles.

The stage, in the order the data moves:

- ``names``: who can speak in an article (people with their roles and gender, organisations,
  places standing for their state, groups), from lexicons in ``data/``;
- ``grammar``: whether a phrase is the subject of its clause, from German word order;
- ``discourse``: every speaker candidate with its grammatical role, and pronoun resolution
  by role, gender and number;
- ``resolve``: one speaker mention to a canonical name;
- ``chains``: each quotation's speaker from its own cue clause, the quotation around it
  (nested quotes), or the quotations before and after it (quote chains), with a confidence;
- ``roles``: the role a quotation's speaker is given, from the words next to the name;
- ``identity``: one speaker per person or organisation across articles.

``resolve_speakers(doc, quotations)`` is the pipeline's stage.
"""

from __future__ import annotations

from .chains import resolve_speakers
from .identity import merge_speakers, speaker_id
from .names import Person, _find_people, base_role, role_gender
from .resolve import PeopleIndex, resolve_mention

__all__ = [
    "PeopleIndex",
    "Person",
    "_find_people",
    "base_role",
    "merge_speakers",
    "resolve_mention",
    "resolve_speakers",
    "role_gender",
    "speaker_id",
]
