"""People who may edit through ``serve``: users with a role, argon2 passwords, API tokens (issue 19).

Reading the ledger needs no user; correcting it through the web UI or the
API does.  Users are managed from the command line (``quotetrail users``),
where the operator already has the database, so ``serve`` itself only reads
these tables and may run with a SELECT-only database role.

- Passwords are kept as argon2id hashes (pwdlib), never as themselves.
- An API token is a long random string shown once; only its SHA-256 is
  kept (``api_tokens.token_hash``).  A slow hash adds nothing for 256 random
  bits, and a fast one lets every API request be checked with one lookup.
- The secret that signs web sessions lives in ``bookkeeping`` under
  ``session_secret``: made with the first user, so sessions survive a restart
  and every ``serve`` process of a shared PostgreSQL ledger accepts them.

This module knows nothing of the web; ``web/auth.py`` builds on it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from .messages import LocalisedError

if TYPE_CHECKING:
    from pwdlib import PasswordHash

    from .store.sql import SQLStore

#: The roles, least to most: a reader may log in and read (as anyone may), an editor may also correct
#: quotations, an admin may do all an editor may (managing users stays on the command line for now).
ROLES: tuple[str, ...] = ("reader", "editor", "admin")
#: NIST SP 800-63B's minimum: shorter passwords are guessed by trying the common ones, however slow the hash.
MIN_PASSWORD = 8
#: A bound on what is hashed: argon2 accepts any length, but a login form should not be a way to make
#: the server hash megabytes.
MAX_PASSWORD = 1024
_NAME = re.compile(r"[\w.@-]{1,64}")
SESSION_SECRET_KEY = "session_secret"
TOKEN_PREFIX = "qt_"


class UserError(LocalisedError):
    """A user operation that cannot be done; the message is one line for the person at the keyboard."""


@dataclass(frozen=True, slots=True)
class User:
    """A user as the rest of the program sees one: no password hash, but a fingerprint of it and the role.

    The fingerprint goes into a web session's signed payload; when the
    password or the role changes, so does the fingerprint, and older
    sessions stop working.
    """

    name: str
    role: str
    created_at: str
    fingerprint: str

    def may(self, role: str) -> bool:
        """Whether this user has ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token as listed: never the token itself, which is not stored."""

    id: int
    user_name: str
    label: str
    created_at: str
    revoked_at: str | None


# -- validation: the one place that checks names, roles and passwords ---------------------------------------
def check_name(name: str) -> str:
    """A valid user name (as given, without surrounding blanks), or UserError saying what is wrong."""
    name = (name or "").strip()
    if not _NAME.fullmatch(name):
        if not name:
            raise UserError("user name must not be empty")
        raise UserError("user name must be 1 to 64 letters, digits or . _ @ - (no spaces), not {name!r}", name=name)
    return name


def check_role(role: str) -> str:
    """A valid role, or UserError naming the roles."""
    if role not in ROLES:
        raise UserError("role must be one of {roles}, not {role!r}", roles=", ".join(ROLES), role=role)
    return role


def check_password(password: str) -> str:
    """A password long enough to keep, or UserError saying how long it must be (never echoing it)."""
    if len(password or "") < MIN_PASSWORD:
        raise UserError("password must have at least {count} characters", count=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise UserError("password must have at most {count} characters", count=MAX_PASSWORD)
    return password


# -- hashing -------------------------------------------------------------------------------------------------
@cache
def _hasher() -> PasswordHash:
    """pwdlib's argon2id hasher (its default parameters: 64 MiB, 3 passes), built once."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(),))


@cache
def _decoy_hash() -> str:
    """A hash no password matches, checked when a name is unknown so that a wrong name takes as long as a wrong
    password (the answer's timing does not tell whether the name exists)."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(check_password(password))


def _fingerprint(password_hash: str, role: str) -> str:
    return hashlib.sha256(f"{role}\0{password_hash}".encode()).hexdigest()[:32]


def token_hash(token: str) -> str:
    """What is stored of an API token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _user(row: Any) -> User:
    return User(row["name"], row["role"], row["created_at"], _fingerprint(row["password_hash"], row["role"]))


_SELECT = "SELECT name, role, password_hash, created_at FROM users"


# -- users ---------------------------------------------------------------------------------------------------
def get_user(store: SQLStore, name: str) -> User | None:
    row = store.conn.execute(f"{_SELECT} WHERE name = ?", (name,)).fetchone()
    return _user(row) if row else None


def require_user(store: SQLStore, name: str) -> User:
    """The user called ``name``, or UserError saying there is none."""
    found = get_user(store, check_name(name))
    if found is None:
        raise UserError("no user {name!r} (quotetrail users list shows who there is)", name=name.strip())
    return found


def list_users(store: SQLStore) -> list[User]:
    return [_user(r) for r in store.conn.execute(f"{_SELECT} ORDER BY name")]


def count_users(store: SQLStore) -> int:
    return store.conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]


def check_free_name(store: SQLStore, name: str) -> str:
    """A valid name no user has yet, or UserError (asked before the password prompt, and again when adding)."""
    name = check_name(name)
    if get_user(store, name) is not None:
        raise UserError("user {name!r} exists; change it with users passwd or users role", name=name)
    return name


def add_user(store: SQLStore, name: str, role: str, password: str) -> User:
    """Add a user; the first one also makes the session secret (see the module docstring)."""
    name, role = check_name(name), check_role(role)
    hashed = hash_password(password)  # before the transaction: 0.15 s that need not hold the write lock
    with store.transaction():
        check_free_name(store, name)
        store.conn.execute(
            "INSERT INTO users(name, role, password_hash, created_at) VALUES (?,?,?,?)",
            (name, role, hashed, _now()),
        )
        _ensure_session_secret(store)
    return require_user(store, name)


def set_password(store: SQLStore, name: str, password: str) -> None:
    """A new password; the user's web sessions end (their fingerprint no longer matches)."""
    hashed = hash_password(password)
    with store.transaction():
        require_user(store, name)
        store.conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (hashed, name.strip()))


def set_role(store: SQLStore, name: str, role: str) -> None:
    """A new role; the user's web sessions end, so a demoted editor cannot go on editing."""
    role = check_role(role)
    with store.transaction():
        require_user(store, name)
        store.conn.execute("UPDATE users SET role = ? WHERE name = ?", (role, name.strip()))


def remove_user(store: SQLStore, name: str) -> None:
    """Remove a user and their API tokens; their corrections stay in the log under their name."""
    with store.transaction():
        require_user(store, name)
        store.conn.execute("DELETE FROM api_tokens WHERE user_name = ?", (name.strip(),))
        store.conn.execute("DELETE FROM users WHERE name = ?", (name.strip(),))


def verify_password(store: SQLStore, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else None, taking the same time whether or not the name exists."""
    row = None
    if _NAME.fullmatch((name or "").strip()) and 0 < len(password or "") <= MAX_PASSWORD:
        row = store.conn.execute(f"{_SELECT} WHERE name = ?", (name.strip(),)).fetchone()
    stored = row["password_hash"] if row else _decoy_hash()
    from pwdlib.exceptions import PwdlibError

    try:
        ok = _hasher().verify(password[:MAX_PASSWORD], stored)
    except PwdlibError:  # a damaged stored hash refuses the login instead of crashing it
        ok = False
    return _user(row) if ok and row else None


# -- API tokens ------------------------------------------------------------------------------------------------
def make_token(store: SQLStore, name: str, label: str = "") -> tuple[int, str]:
    """A new API token for ``name``: its id and the token itself, which is not stored and shown only now."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction():
        user = require_user(store, name)
        token_id = store.conn.execute(
            "INSERT INTO api_tokens(user_name, token_hash, label, created_at) VALUES (?,?,?,?) RETURNING id",
            (user.name, token_hash(token), (label or "").strip(), _now()),
        ).fetchone()[0]
    return token_id, token


def list_tokens(store: SQLStore, name: str) -> list[TokenInfo]:
    user = require_user(store, name)
    rows = store.conn.execute(
        "SELECT id, user_name, label, created_at, revoked_at FROM api_tokens WHERE user_name = ? ORDER BY id",
        (user.name,),
    )
    return [TokenInfo(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def revoke_token(store: SQLStore, token_id: int) -> TokenInfo:
    """Revoke a token for good (it stays listed, with when it was revoked)."""
    with store.transaction():
        row = store.conn.execute("SELECT revoked_at FROM api_tokens WHERE id = ?", (token_id,)).fetchone()
        if row is None:
            raise UserError("no API token {token} (quotetrail users tokens NAME lists them)", token=token_id)
        if row[0] is not None:
            raise UserError("API token {token} was already revoked at {at}", token=token_id, at=row[0])
        store.conn.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (_now(), token_id))
    found = store.conn.execute(
        "SELECT id, user_name, label, created_at, revoked_at FROM api_tokens WHERE id = ?", (token_id,)
    ).fetchone()
    return TokenInfo(*tuple(found))


def user_for_token(store: SQLStore, token: str) -> User | None:
    """The user a live (not revoked) API token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    row = store.conn.execute(
        "SELECT u.name, u.role, u.password_hash, u.created_at FROM api_tokens t JOIN users u ON u.name = t.user_name"
        " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        (token_hash(token),),
    ).fetchone()
    return _user(row) if row else None


# -- the session secret ----------------------------------------------------------------------------------------
def session_secret(store: SQLStore) -> bytes | None:
    """The key that signs web sessions, or None before the first user was added."""
    row = store.conn.execute("SELECT value FROM bookkeeping WHERE key = ?", (SESSION_SECRET_KEY,)).fetchone()
    return bytes.fromhex(row[0]) if row else None


def _ensure_session_secret(store: SQLStore) -> None:
    store.conn.execute(
        "INSERT INTO bookkeeping(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
        (SESSION_SECRET_KEY, secrets.token_hex(32)),
    )


__all__ = [
    "MIN_PASSWORD",
    "ROLES",
    "TokenInfo",
    "User",
    "UserError",
    "add_user",
    "check_free_name",
    "check_name",
    "check_password",
    "check_role",
    "count_users",
    "get_user",
    "list_tokens",
    "list_users",
    "make_token",
    "remove_user",
    "require_user",
    "revoke_token",
    "session_secret",
    "set_password",
    "set_role",
    "token_hash",
    "user_for_token",
    "verify_password",
]
