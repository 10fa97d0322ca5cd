"""The ``quotetrail`` command line: a thin layer over the library.

Each command parses its arguments, builds options and calls one library
function.  Commands of the measuring, dating, claims and web areas live in
their own ``cli_*`` modules and are registered at the bottom.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quotetrail")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("quotetrail.db"),
    show_default=True,
    envvar="QUOTETRAIL_DB",
    help="SQLite database file (created if missing).",
)
@click.pass_context
def main(ctx: click.Context, db_path: Path) -> None:
    """Turn German news articles into a dated ledger of who said what, when."""
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path


def _register_commands() -> None:
    """Attach the commands of each area; each module lists its own in ``COMMANDS``."""
    from . import cli_claims, cli_eval, cli_ledger, cli_serve, cli_spark, cli_timex

    for module in (cli_ledger, cli_eval, cli_timex, cli_claims, cli_serve, cli_spark):
        for command in module.COMMANDS:
            main.add_command(command)


_register_commands()
