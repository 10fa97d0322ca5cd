"""The messages a person is refused with, in English (CLI, REST API) and in German (the web UI).

A message is its English template, written where the message arises, and
its parameters: ``CorrectionError("span {start} {end} covers no words",
start=3, end=9)``.  The template is ``str.format`` text, so ``{value!r}``
gives what the f-string ``{value!r}`` gave, and ``str(err)`` is exactly the
English line the CLI and the API have always printed.  The German text is
data: ``data/messages_de.toml`` maps each English template to its German
one, which takes the same parameters; the web layer asks for it with
``err.german()``.  A template without a German entry (or one whose German
does not format) falls back to its English text; ``tests/test_messages.py``
fails the suite for any template raised without one.

Every error class whose message a person reads derives from
``LocalisedError``: ``QueryError``, ``CorrectionError`` (and
``SpeakerMergeError``), ``RatingError``, ``UserError`` and the web's
``Refused``.  A line that refuses nothing is a ``Message``: an ingest's
summary, and the reason a reader gives for an input it cannot use
(``model.InputError`` and ``Problem`` carry it beside the English text they
store), so the upload page shows that reason in German.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

#: The catalogue's file name under ``quotetrail/data``.
CATALOGUE = "messages_de.toml"


@cache
def catalogue() -> dict[str, str]:
    """English template → German template, as ``data/messages_de.toml`` holds them (read once)."""
    path = resources.files("quotetrail") / "data" / CATALOGUE
    return dict(tomllib.loads(path.read_text(encoding="utf-8"))["messages"])


def english(template: str, /, **params: Any) -> str:
    """The English text: the template with its parameters (``{value!r}`` as an f-string gives it)."""
    return template.format(**params) if params else template


def german(template: str, /, **params: Any) -> str:
    """The German text of ``template`` with the same parameters; the English text when there is none.

    A parameter that is itself a ``Message`` is put in German too: a reader's
    reason is often made of parts ("line 3: field 'date' … is not a valid date
    (there is no month 13)"), each written where it arises.
    """
    translated = catalogue().get(template)
    if translated is not None:
        inner = {k: v.german() if isinstance(v, Message) else v for k, v in params.items()}
        try:
            return translated.format(**inner)
        except (KeyError, IndexError, ValueError):  # a broken entry must not turn a refusal into a crash
            pass
    return english(template, **params)


class LocalisedError(ValueError):
    """A refusal a person reads: ``str(err)`` is the English text, ``err.german()`` the web UI's German.

    ``template`` is the English template (the catalogue's key) and ``params``
    its parameters.  A ``ValueError``, as every one of these classes was
    before, so callers catching that keep working.
    """

    def __init__(self, template: str, /, **params: Any) -> None:
        super().__init__(english(template, **params))
        self.template = template
        self.params = params

    def german(self) -> str:
        return german(self.template, **self.params)


class Message:
    """A line a person reads that refuses nothing (a run's summary): ``str()`` is the English, ``german()`` the web's.

    Made like a ``LocalisedError``, with its English template and the values as keywords.
    """

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return english(self.template, **self.params)

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{self.params!r})"

    def german(self) -> str:
        return german(self.template, **self.params)


__all__ = ["CATALOGUE", "LocalisedError", "Message", "catalogue", "english", "german"]
