"""Speaker identity across articles: one record per person or organisation, name variants merged.

Why here and not in the store: merging is a pure function of the mentions
(with the date each was seen), so the SQLite store, the Spark job and the
tests all merge alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ..model import RoleSeen, Speaker, SpeakerMention


def speaker_id(name: str) -> str:
    """Stable id of a canonical speaker name (case-insensitive)."""
    return hashlib.sha1(name.casefold().encode()).hexdigest()[:12]


def _later(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _earlier(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def merge_speakers(mentions: Iterable[tuple[SpeakerMention, str | None]]) -> list[Speaker]:
    """One Speaker per person or organisation across articles, name variants merged.

    Names are grouped case-insensitively ("Nato"/"NATO"); a one-word name is
    folded into the only multi-word name ending with it ("Stoltenberg" →
    "Jens Stoltenberg").  Roles keep the first and last date they were seen.
    """
    groups: dict[str, dict] = {}
    items = list(mentions)
    full_names = {m.name for m, _ in items if " " in m.name}
    by_surname: dict[str, set[str]] = {}
    for name in full_names:
        by_surname.setdefault(name.split()[-1].casefold(), set()).add(name)

    def canonical(name: str) -> str:
        if " " not in name:
            candidates = by_surname.get(name.casefold(), set())
            if len(candidates) == 1:
                return next(iter(candidates))
        return name

    for mention, seen in items:
        name = canonical(mention.name)
        key = name.casefold()
        group = groups.setdefault(key, {"names": {}, "kind": mention.kind, "variants": set(), "roles": {}})
        group["names"][name] = group["names"].get(name, 0) + 1
        group["variants"].update({mention.name, mention.text.strip()})
        if group["kind"] in ("unknown", "person") and mention.kind not in ("unknown",):
            group["kind"] = mention.kind
        if mention.role:
            first, last = group["roles"].get(mention.role, (None, None))
            group["roles"][mention.role] = (_earlier(first, seen), _later(last, seen))
    speakers = []
    for group in groups.values():
        name = max(group["names"], key=lambda n: (group["names"][n], n.isupper(), n))
        roles = tuple(
            RoleSeen(role, first, last)
            for role, (first, last) in sorted(group["roles"].items(), key=lambda kv: kv[1][0] or "")
        )
        variants = tuple(sorted(v for v in group["variants"] if v and v != name))
        speakers.append(Speaker(id=speaker_id(name), name=name, kind=group["kind"], variants=variants, roles=roles))
    return sorted(speakers, key=lambda s: s.name)
