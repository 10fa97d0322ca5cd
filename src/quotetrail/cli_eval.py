"""Commands of one area of the CLI, registered by cli.py."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
