"""``quotetrail serve``: the web UI and REST API, on localhost unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import click

from .web.security import allowed_hosts, is_loopback


def bind_url(host: str, port: int) -> str:
    """The address actually bound, as a URL (an IPv6 literal in brackets)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def check_exposure(host: str, upload: bool, allow_remote_upload: bool, hosts: list[str]) -> None:
    """Warn when other machines can reach the server; refuse remote uploads unless asked for.

    The pages have no login: anyone who reaches the port reads the ledger,
    and with uploads on, anyone can make the server parse files they send.
    """
    if is_loopback(host):
        return
    click.echo(
        f"warning: {host} is not a loopback address; anyone who can reach this machine can read the ledger "
        "(there is no login).",
        err=True,
    )
    if upload and not allow_remote_upload:
        raise click.UsageError(
            f"uploads on a non-loopback address ({host}) let anyone add files; "
            "pass --no-upload, or --allow-remote-upload if that is what you want."
        )
    click.echo(f"Accepted Host names: {', '.join(hosts)}; add the names clients use with --allow-host NAME.", err=True)


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
@click.option(
    "--allow-host",
    "extra_hosts",
    multiple=True,
    metavar="NAME",
    help="A further Host name to accept (repeatable); others get a 400, which stops DNS rebinding.",
)
@click.option("--no-upload", is_flag=True, help="Turn the upload page off (read-only ledger).")
@click.option("--allow-remote-upload", is_flag=True, help="Allow uploads even when bound to a non-loopback address.")
@click.option("--open-message", is_flag=True, help="Print a line telling the user which address to open.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    data_dir: Path | None,
    max_upload_mb: int,
    extra_hosts: tuple[str, ...],
    no_upload: bool,
    allow_remote_upload: bool,
    open_message: bool,
) -> None:
    """Serve the web UI and the REST API (/api/, OpenAPI at /api/openapi.json, docs at /api/docs)."""
    import uvicorn

    from .api import create_app
    from .store import redact

    hosts = allowed_hosts(host, extra_hosts)
    check_exposure(host, not no_upload, allow_remote_upload, hosts)
    app = create_app(
        ctx.obj["db_path"],
        data_dir=data_dir,
        max_upload_bytes=max_upload_mb * 1_000_000,
        allowed_hosts=hosts,
        upload_enabled=not no_upload,
    )
    address = bind_url(host, port)
    if open_message:
        local = address if is_loopback(host) else bind_url("127.0.0.1", port)
        click.echo(f"\nquotetrail is running: open {local} in your browser (Ctrl-C stops it).\n")
    else:
        click.echo(f"serving {redact(ctx.obj['db_path'])} on {address}" + (" (uploads off)" if no_upload else ""))
    uvicorn.run(app, host=host, port=port, log_level="warning")


COMMANDS: list[click.Command] = [serve]
