"""``quotetrail serve``: the web UI and REST API on localhost."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind; localhost unless told otherwise."
)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where uploads are stored (default: beside the database).",
)
@click.option("--max-upload-mb", default=10, show_default=True, type=int, help="Largest uploaded file accepted.")
@click.option("--open-message", is_flag=True, help="Print a line telling the user which address to open.")
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, data_dir: Path | None, max_upload_mb: int, open_message: bool
) -> None:
    """Serve the web UI and the REST API (/api/, OpenAPI at /api/openapi.json)."""
    import uvicorn

    from .api import create_app

    app = create_app(ctx.obj["db_path"], data_dir=data_dir, max_upload_bytes=max_upload_mb * 1_000_000)
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if open_message:
        click.echo(f"\nquotetrail is running: open {address} in your browser (Ctrl-C stops it).\n")
    else:
        click.echo(f"serving {ctx.obj['db_path']} on {address}")
    uvicorn.run(app, host=host, port=port, log_level="warning")


COMMANDS: list[click.Command] = [serve]
