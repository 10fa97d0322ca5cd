"""Commands that measure extraction: ``predict``, ``eval`` (a group) and ``train``.

``eval`` is a group so that each measured area adds its own subcommand
(``eval wikinews`` here, ``eval timeml`` from ``cli_timex``).
"""

from __future__ import annotations

import click


@click.group(name="eval")
def eval_group() -> None:
    """Score predictions against a hand-annotated corpus."""


COMMANDS: list[click.Command] = [eval_group]
