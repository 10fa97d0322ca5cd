"""Users, roles, passwords and API tokens (issue 19): the store-level verbs on both stores, and the CLI."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from quotetrail import users
from quotetrail.cli import main
from quotetrail.store import open_store

PASSWORD = "Korrektur-2024!"


def run(db: str, *args: str, stdin: str | None = None, ok: bool = True) -> tuple[str, str]:
    result = CliRunner().invoke(main, ["--db", db, *args], input=stdin)
    assert (result.exit_code == 0) == ok, (result.output, result.stderr)
    return result.stdout, result.stderr


def stored_rows(db: str, sql: str) -> list[tuple]:
    store = open_store(db)
    try:
        return [tuple(r) for r in store.conn.execute(sql)]
    finally:
        store.close()


def test_the_users_cli_round_trip(store_url: str) -> None:
    run(store_url, "users", "add", "eva", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    run(store_url, "users", "add", "rita", "--role", "reader", "--password-stdin", stdin=PASSWORD + "\n")
    listed = run(store_url, "users", "list")[0].splitlines()
    assert [line.split("\t")[:2] for line in listed] == [["eva", "editor"], ["rita", "reader"]]

    run(store_url, "users", "role", "rita", "admin")
    assert "rita\tadmin" in run(store_url, "users", "list")[0]
    run(store_url, "users", "passwd", "eva", "--password-stdin", stdin="ein-neues-Passwort\n")
    store = open_store(store_url)
    try:
        assert users.verify_password(store, "eva", "ein-neues-Passwort") is not None
        assert users.verify_password(store, "eva", PASSWORD) is None
    finally:
        store.close()

    token = run(store_url, "users", "token", "eva", "--label", "CI")[0].strip()
    assert token.startswith("qt_") and len(token) > 40
    listing = run(store_url, "users", "tokens", "eva")[0]
    assert "CI" in listing and "active" in listing and token not in listing
    token_id = listing.split("\t")[0]
    run(store_url, "users", "revoke", token_id)
    assert "revoked" in run(store_url, "users", "tokens", "eva")[0]

    run(store_url, "users", "remove", "eva")
    assert [line.split("\t")[0] for line in run(store_url, "users", "list")[0].splitlines()] == ["rita"]
    assert stored_rows(store_url, "SELECT id FROM api_tokens") == []  # the tokens went with their user


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["users", "add", "bob", "--password-stdin"], "kurz\n", "at least 8 characters"),
        (["users", "add", "bob", "--password-stdin"], "\n", "at least 8 characters"),
        (["users", "add", "Bob Ross", "--password-stdin"], PASSWORD + "\n", "no spaces"),
        (["users", "add", "eva", "--password-stdin"], PASSWORD + "\n", "user 'eva' exists"),
        (["users", "add", "bob", "--role", "boss", "--password-stdin"], PASSWORD + "\n", "'boss' is not one of"),
        (["users", "role", "nobody", "editor"], None, "no user 'nobody'"),
        (["users", "passwd", "nobody", "--password-stdin"], PASSWORD + "\n", "no user 'nobody'"),
        (["users", "remove", "nobody"], None, "no user 'nobody'"),
        (["users", "token", "nobody"], None, "no user 'nobody'"),
        (["users", "revoke", "999"], None, "no API token 999"),
    ],
    ids=["short", "empty", "space", "twice", "bad-role", "role-nobody", "passwd-nobody", "remove", "token", "revoke"],
)
def test_bad_input_is_one_line_and_changes_nothing(
    tmp_path: pytest.TempPathFactory, args: list[str], stdin: str | None, says: str
) -> None:
    db = str(tmp_path / "u.db")  # type: ignore[operator]
    run(db, "users", "add", "eva", "--password-stdin", stdin=PASSWORD + "\n")
    before = stored_rows(db, "SELECT name, role, password_hash FROM users")
    result = CliRunner().invoke(main, ["--db", db, *args], input=stdin)
    assert result.exit_code != 0 and says in result.output, result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) == 1
    assert stored_rows(db, "SELECT name, role, password_hash FROM users") == before


def test_the_prompt_asks_twice_and_refuses_a_mismatch(tmp_path: pytest.TempPathFactory) -> None:
    db = str(tmp_path / "u.db")  # type: ignore[operator]
    mismatch = CliRunner().invoke(main, ["--db", db, "users", "add", "eva"], input=f"{PASSWORD}\nanders-als-oben\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
    assert stored_rows(db, "SELECT name FROM users") == []
    same = CliRunner().invoke(main, ["--db", db, "users", "add", "eva"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert same.exit_code == 0 and PASSWORD not in same.output


def test_passwords_are_kept_as_argon2_hashes_not_as_themselves(store_url: str) -> None:
    store = open_store(store_url)
    try:
        users.add_user(store, "eva", "editor", PASSWORD)
        users.add_user(store, "ida", "editor", PASSWORD)
        (eva_hash,), (ida_hash,) = store.conn.execute("SELECT password_hash FROM users ORDER BY name").fetchall()
        assert eva_hash.startswith("$argon2id$") and PASSWORD not in eva_hash
        assert eva_hash != ida_hash  # salted: the same password, two hashes
        assert users.verify_password(store, "eva", PASSWORD).role == "editor"  # type: ignore[union-attr]
        assert users.verify_password(store, "eva", PASSWORD + "x") is None
        assert users.verify_password(store, "nobody", PASSWORD) is None
        assert users.verify_password(store, "eva", "") is None
    finally:
        store.close()


def test_tokens_are_stored_hashed_and_revoked_ones_are_refused(store_url: str) -> None:
    store = open_store(store_url)
    try:
        users.add_user(store, "eva", "editor", PASSWORD)
        token_id, token = users.make_token(store, "eva", "nightly import")
        (stored,) = store.conn.execute("SELECT token_hash FROM api_tokens").fetchone()
        assert stored == hashlib.sha256(token.encode()).hexdigest()
        everything = " ".join(str(v) for r in store.conn.execute("SELECT * FROM api_tokens") for v in tuple(r))
        assert token not in everything
        assert users.user_for_token(store, token).name == "eva"  # type: ignore[union-attr]
        assert users.user_for_token(store, token[:-1]) is None
        assert users.user_for_token(store, stored) is None  # the stored hash is not a token
        assert [t.label for t in users.list_tokens(store, "eva")] == ["nightly import"]

        users.revoke_token(store, token_id)
        assert users.user_for_token(store, token) is None
        assert users.list_tokens(store, "eva")[0].revoked_at is not None
        with pytest.raises(users.UserError, match="already revoked"):
            users.revoke_token(store, token_id)
    finally:
        store.close()


def test_the_session_secret_is_made_with_the_first_user_and_kept(store_url: str) -> None:
    store = open_store(store_url)
    try:
        assert users.session_secret(store) is None
        users.add_user(store, "eva", "editor", PASSWORD)
        secret = users.session_secret(store)
        assert secret is not None and len(secret) == 32
        users.add_user(store, "ida", "reader", PASSWORD)
        assert users.session_secret(store) == secret
    finally:
        store.close()
    reopened = open_store(store_url)
    try:
        assert users.session_secret(reopened) == secret
    finally:
        reopened.close()


def test_the_fingerprint_changes_with_the_password_and_the_role(store_url: str) -> None:
    """What ends old web sessions: see tests/test_web_auth.py for the sessions themselves."""
    store = open_store(store_url)
    try:
        first = users.add_user(store, "eva", "editor", PASSWORD).fingerprint
        users.set_password(store, "eva", PASSWORD)  # the same password, a new salt: still a new fingerprint
        second = users.get_user(store, "eva").fingerprint  # type: ignore[union-attr]
        users.set_role(store, "eva", "reader")
        third = users.get_user(store, "eva").fingerprint  # type: ignore[union-attr]
        assert len({first, second, third}) == 3
    finally:
        store.close()


def test_roles_are_ordered() -> None:
    editor = users.User("eva", "editor", "", "")
    assert editor.may("reader") and editor.may("editor") and not editor.may("admin")
    assert users.User("a", "admin", "", "").may("editor")
    assert not users.User("r", "reader", "", "").may("editor")
