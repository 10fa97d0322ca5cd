"""A speaker's role in a quotation: from the words next to the name, never from a neighbouring mention.

Issue 15: every quotation of examples/000 carried "NATO-Sprecher", the role of
one mention, although "Dies erklärte der NATO-Generalsekretär" states its own.
A role now comes from the mention itself, from "als …" right after the name,
or for a surname or pronoun from the role last stated next to that person's
name before the quotation.
"""

from __future__ import annotations

import bisect
import re

from ..model import SpeakerMention
from .names import base_role, role_gender

_DETERMINER = re.compile(
    r"^(der|die|das|den|dem|des|ein|eine|einer|eines|einem|einen|dessen|deren|(sein|ihr|unser)(e|er|es|em|en)?)$"
)


def role_in(text: str) -> str | None:
    """The role a mention states itself: its words before the name, from the first role noun's adjectives
    ("Der ehemalige NATO-Generalsekretär Anders Rasmussen" → "ehemalige NATO-Generalsekretär")."""
    words = text.split()
    for n, word in enumerate(words):
        if role_gender(word.strip(",")):
            k = n
            while k > 0 and words[k - 1][:1].islower() and not _DETERMINER.match(words[k - 1].lower()):
                k -= 1
            return " ".join([*words[k:n], base_role(word.strip(","))])
    return None


_AS_ROLE = re.compile(r"\s+als\s+([^,.;:()]{3,60}?)(?=\s*[,.;:(]|\s+(?:am|gegenüber|bei|in)\s)")


def role_after(text: str, end: int) -> str | None:
    """A role given with "als" right after the name ("der Jens Stoltenberg als Sprecher der NATO")."""
    match = _AS_ROLE.match(text, end)
    if match is None or not role_gender(match.group(1).split()[0]):
        return None
    return match.group(1)


class Roles:
    """The roles the article states for each person, where it states them: a role comes from the text next
    to the person's name (or from the role noun that names them), never from a neighbouring mention."""

    def __init__(self, mentions: list[SpeakerMention]) -> None:
        self.seen: dict[str, list[tuple[int, str]]] = {}
        self.sorted: set[str] = set()
        for m in mentions:
            if m.role:
                self.add(m.name, m.start, m.role)

    def add(self, name: str, offset: int, role: str) -> None:
        self.seen.setdefault(name, []).append((offset, role))
        self.sorted.discard(name)

    def at(self, name: str, offset: int) -> str | None:
        """The role last stated for ``name`` at or before ``offset``, else the first stated after it."""
        seen = self.seen.get(name)
        if not seen:
            return None
        if name not in self.sorted:
            seen.sort()
            self.sorted.add(name)
        k = bisect.bisect_right(seen, (offset, "\uffff"))
        return seen[k - 1][1] if k else seen[0][1]
