"""``quotetrail serve``: the web UI and REST API, on localhost unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import click

from .web.security import allowed_hosts, is_loopback


def bind_url(host: str, port: int) -> str:
    """The address actually bound, as a URL (an IPv6 literal in brackets)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


ADD_USER = "quotetrail users add NAME --role editor"


def check_exposure(
    host: str, upload: bool, allow_remote_upload: bool, hosts: list[str], *, editing: bool = False, users: int = 0
) -> None:
    """Warn when other machines can reach the server; refuse what would be open to them by mistake.

    Reading needs no login, so anyone who reaches the port reads the
    ledger.  Uploads let anyone make the server parse files they send:
    refused on a non-loopback address unless asked for.  Editing needs a
    login; on a non-loopback address with editing on but no user to log in,
    the operator has not decided who may edit, so ``serve`` refuses until
    they add a user or pass ``--read-only``.  On loopback it only says how
    to add one.
    """
    if is_loopback(host):
        if editing and not users:
            click.echo(f"note: no users yet, so no one can edit in the browser; add one with {ADD_USER}.", err=True)
        return
    click.echo(
        f"warning: {host} is not a loopback address; anyone who can reach this machine can read the ledger "
        "(reading needs no login; editing does).",
        err=True,
    )
    if editing and not users:
        raise click.UsageError(
            f"editing is on but there are no users, on a non-loopback address ({host}); "
            f"add one with `{ADD_USER}`, or pass --read-only."
        )
    if editing:
        click.echo(
            "warning: logins over plain http send passwords and session cookies readable on the network; "
            "put an https proxy in front, or pass --read-only.",
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
@click.option("--no-upload", is_flag=True, help="Turn the upload page off.")
@click.option(
    "--read-only", is_flag=True, help="Turn every edit off: no logins, corrections or uploads (reading only)."
)
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
    read_only: bool,
    allow_remote_upload: bool,
    open_message: bool,
) -> None:
    """Serve the web UI and the REST API (/api/, OpenAPI at /api/openapi.json, docs at /api/docs)."""
    import uvicorn

    from .api import create_app
    from .store import open_store, redact
    from .users import count_users

    hosts = allowed_hosts(host, extra_hosts)
    with open_store(ctx.obj["db_path"]) as store:  # reads only: serve may run with a SELECT-only role
        users = 0 if read_only else count_users(store)
    check_exposure(host, not (no_upload or read_only), allow_remote_upload, hosts, editing=not read_only, users=users)
    app = create_app(
        ctx.obj["db_path"],
        data_dir=data_dir,
        max_upload_bytes=max_upload_mb * 1_000_000,
        allowed_hosts=hosts,
        upload_enabled=not no_upload,
        read_only=read_only,
    )
    address = bind_url(host, port)
    if open_message:
        local = address if is_loopback(host) else bind_url("127.0.0.1", port)
        click.echo(f"\nquotetrail is running: open {local} in your browser (Ctrl-C stops it).\n")
    else:
        mode = " (read-only)" if read_only else " (uploads off)" if no_upload else ""
        click.echo(f"serving {redact(ctx.obj['db_path'])} on {address}{mode}")
    uvicorn.run(app, host=host, port=port, log_level="warning")


COMMANDS: list[click.Command] = [serve]
