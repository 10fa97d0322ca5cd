"""``quotetrail users``: who may edit through ``serve``, their roles, passwords and API tokens.

Managed here and not in the web UI: whoever runs these commands already has
the database, so ``serve`` needs no user-management pages and may run with a
read-only database role (see docs/corrections.md).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from . import users
from .store import open_store
from .store.sql import SQLStore


def _password(from_stdin: bool) -> str:
    """The new password: one line from stdin (scripts, tests) or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@contextmanager
def _users_store(ctx: click.Context) -> Iterator[SQLStore]:
    """The store for one users command, closed afterwards; a ``UserError`` becomes the one-line CLI error."""
    store = open_store(ctx.obj["db_path"])
    try:
        yield store
    except users.UserError as err:
        raise click.ClickException(str(err)) from None
    finally:
        store.close()


_STDIN = click.option(
    "--password-stdin", is_flag=True, help="Read the password as one line from stdin instead of prompting."
)


@click.group(name="users")
def users_group() -> None:
    """Users who may log in to `serve` and edit (reading needs no user); API tokens for scripts."""


@users_group.command(name="add")
@click.argument("name")
@click.option(
    "--role",
    default="editor",
    show_default=True,
    type=click.Choice(users.ROLES),
    help="reader: log in only; editor: correct quotations; admin: as editor.",
)
@_STDIN
@click.pass_context
def add_command(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add a user NAME with a password (asked for twice, or read with --password-stdin)."""
    with _users_store(ctx) as store:
        users.check_free_name(store, name)  # before the prompt: no password typed twice for nothing
        user = users.add_user(store, name, role, _password(password_stdin))
    click.echo(f"added {user.name} ({user.role})", err=True)


@users_group.command(name="list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """Every user with role and creation time."""
    with _users_store(ctx) as store:
        found = users.list_users(store)
    for user in found:
        click.echo(f"{user.name}\t{user.role}\t{user.created_at}")
    if not found:
        click.echo("no users: add one with quotetrail users add NAME --role editor", err=True)


@users_group.command(name="passwd")
@click.argument("name")
@_STDIN
@click.pass_context
def passwd_command(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set NAME's password; their open web sessions end."""
    with _users_store(ctx) as store:
        users.require_user(store, name)  # before the prompt
        users.set_password(store, name, _password(password_stdin))
    click.echo(f"password of {name.strip()} changed; their web sessions have ended", err=True)


@users_group.command(name="role")
@click.argument("name")
@click.argument("role", type=click.Choice(users.ROLES))
@click.pass_context
def role_command(ctx: click.Context, name: str, role: str) -> None:
    """Give NAME the role ROLE; their open web sessions end."""
    with _users_store(ctx) as store:
        users.set_role(store, name, role)
    click.echo(f"{name.strip()} is now {role}; their web sessions have ended", err=True)


@users_group.command(name="remove")
@click.argument("name")
@click.pass_context
def remove_command(ctx: click.Context, name: str) -> None:
    """Remove NAME and their API tokens (their corrections stay in the log)."""
    with _users_store(ctx) as store:
        users.remove_user(store, name)
    click.echo(f"removed {name.strip()}", err=True)


@users_group.command(name="token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for (shown by users tokens).")
@click.pass_context
def token_command(ctx: click.Context, name: str, label: str) -> None:
    """Make an API token for NAME and print it once (only its SHA-256 is kept)."""
    with _users_store(ctx) as store:
        token_id, token = users.make_token(store, name, label)
    click.echo(token)
    click.echo(
        f"API token {token_id} for {name.strip()}: shown only now; send it as 'Authorization: Bearer TOKEN'",
        err=True,
    )


@users_group.command(name="tokens")
@click.argument("name")
@click.pass_context
def tokens_command(ctx: click.Context, name: str) -> None:
    """NAME's API tokens: id, label, when made, when revoked (never the tokens themselves)."""
    with _users_store(ctx) as store:
        found = users.list_tokens(store, name)
    for t in found:
        state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
        click.echo(f"{t.id}\t{t.label or '-'}\t{t.created_at}\t{state}")
    if not found:
        click.echo(f"{name.strip()} has no API tokens", err=True)


@users_group.command(name="revoke")
@click.argument("token_id", type=int)
@click.pass_context
def revoke_command(ctx: click.Context, token_id: int) -> None:
    """Revoke API token TOKEN_ID (from users tokens NAME) for good."""
    with _users_store(ctx) as store:
        info = users.revoke_token(store, token_id)
    click.echo(f"revoked API token {info.id} of {info.user_name}", err=True)


COMMANDS: list[click.Command] = [users_group]
