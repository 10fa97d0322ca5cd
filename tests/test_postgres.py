"""Issue 17: PostgreSQL as the second store, beside SQLite.

What only a server database has to show: the same search hits as SQLite's
FTS5 on the demo articles, two ingests at once into one database, a
read-only role serving the web UI, one clear line for connection problems,
nothing lost when the connection drops mid-ingest, a ledger moved from
SQLite to PostgreSQL unchanged, and indexes that serve the main queries.
The storage tests elsewhere run on both stores (``store_url`` in conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy.exc import DBAPIError

from quotetrail.api import create_app
from quotetrail.cli import main
from quotetrail.ingest_job import ingest_paths
from quotetrail.store import SQLStore, StoreUnavailable, open_store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

#: Demo queries: phrases, names, an inflected verb, umlauts written with and without their dots, ß.
QUERIES = [
    "Truppen Ukraine",
    "Nato",
    "entsenden",
    "Stoltenberg",
    "Selenskyj",
    "Truppe",
    "Generalsekretär",
    "Generalsekretar",
    "GENERALSEKRETÄR",
    "Bündnis",
    "Großbritannien",
    "Unterstützung",
    "militärische Unterstützung",
    "für",
    "Pläne",
    "äußerten",
    "Ukra",
    "kein Treffer zu finden",
]


def database_name(url: str) -> str:
    return url.split("@/", 1)[1].split("?", 1)[0]


@pytest.fixture(scope="module")
def demo(pg_cluster, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The demo articles ingested into a SQLite file and into a PostgreSQL database."""
    sqlite = str(tmp_path_factory.mktemp("demo") / "demo.db")
    postgres = pg_cluster.create_database("demo")
    for target in (sqlite, postgres):
        result = CliRunner().invoke(main, ["--db", target, "ingest", str(EXAMPLES)])
        assert result.exit_code == 0, result.output
    return sqlite, postgres


def _export(db: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, "export"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_demo_ledgers_are_identical_on_both_stores(demo: tuple[str, str]) -> None:
    sqlite, postgres = demo
    exported = _export(sqlite)
    assert len(exported.splitlines()) > 10
    assert _export(postgres) == exported
    a, b = open_store(sqlite), open_store(postgres)
    assert [(s.name, s.quotation_count) for s in a.speakers()] == [(s.name, s.quotation_count) for s in b.speakers()]
    assert [c.text for c in a.claim_summaries(limit=100)] == [c.text for c in b.claim_summaries(limit=100)]


@pytest.mark.parametrize("words", QUERIES)
def test_german_search_finds_the_same_quotations_on_both_stores(demo: tuple[str, str], words: str) -> None:
    sqlite, postgres = (open_store(db) for db in demo)
    expected = [r.quotation_id for r in sqlite.quotations(text=words, limit=1000)]
    assert [r.quotation_id for r in postgres.quotations(text=words, limit=1000)] == expected
    assert postgres.count_text_matches(words) == sqlite.count_text_matches(words) == len(expected)
    assert [r.quotation_id for r in postgres.ledger_page(text=words, limit=5)] == expected[:5]
    assert sorted(postgres.facet_values(text=words), key=repr) == sorted(sqlite.facet_values(text=words), key=repr)


def test_search_finds_what_the_demo_is_about(demo: tuple[str, str]) -> None:
    """Not only equal, also right: the lemma finds inflected forms, folding finds umlauts typed without dots."""
    postgres = open_store(demo[1])
    assert postgres.count_quotations(text="Truppe") >= postgres.count_quotations(text="Truppen") >= 1
    assert postgres.count_quotations(text="Verbundeten") == postgres.count_quotations(text="Verbündeten") >= 1
    assert postgres.count_quotations(text="kein Treffer zu finden") == 0
    with pytest.raises(ValueError, match="empty search"):
        postgres.count_quotations(text="!!")


def test_a_sqlite_ledger_moves_to_postgresql_unchanged(demo: tuple[str, str], pg_cluster) -> None:
    """``quotetrail --db sqlite.db export | quotetrail --db postgresql://… load -``."""
    exported = _export(demo[0])
    target = pg_cluster.create_database("moved")
    result = CliRunner().invoke(main, ["--db", target, "load", "-"], input=exported)
    assert result.exit_code == 0, result.output
    assert _export(target) == exported
    assert open_store(target).count_quotations(text="Truppen") == open_store(demo[0]).count_quotations(text="Truppen")


def test_two_ingests_at_once_lose_nothing_and_duplicate_nothing(demo: tuple[str, str], pg_cluster) -> None:
    """Two processes ingest the demo folder into one new database at the same moment (one with two workers)."""
    target = pg_cluster.create_database("together")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-c", "from quotetrail.cli import main; main()", "--db", target, "ingest", str(EXAMPLES)]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        subprocess.Popen(
            [*command, "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ),
    ]
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, out + err
    assert _export(target) == _export(demo[0])
    store, reference = open_store(target), open_store(demo[0])
    assert store.count_articles() == reference.count_articles()
    assert store.problems() == []
    assert [(s.name, s.quotation_count) for s in store.speakers()] == [
        (s.name, s.quotation_count) for s in reference.speakers()
    ]


def test_readers_see_the_last_committed_state_while_a_writer_works(demo: tuple[str, str]) -> None:
    writer, reader = open_store(demo[1]), open_store(demo[1])
    before = reader.count_quotations()
    writer.conn.execute("BEGIN")
    writer.conn.execute("DELETE FROM quotations")
    assert reader.count_quotations() == before  # not committed: the reader sees the old state, without waiting
    writer.conn.execute("ROLLBACK")
    assert reader.count_quotations() == before


def test_serve_works_with_a_read_only_role(demo: tuple[str, str], pg_cluster, tmp_path: Path) -> None:
    """A role that may only SELECT: the app starts (no schema writes) and every page and the API answer."""
    dbname = database_name(demo[1])
    with psycopg.connect(f"host={pg_cluster.socket_dir} user=postgres dbname={dbname}", autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS reader")
        conn.execute("CREATE ROLE reader LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    read_only = demo[1].replace("postgres@", "reader@")
    with pytest.raises(DBAPIError, match="permission denied"):
        open_store(read_only).conn.execute("DELETE FROM quotations")
    app = create_app(read_only, data_dir=tmp_path / "uploads", upload_enabled=False)
    client = TestClient(app, base_url="http://localhost")
    body = client.get("/api/quotations", params={"q": "Truppen"}).json()
    assert body["ok"] and body["total"] >= 1
    for url in ("/", "/search?q=Nato", "/speakers", "/claims", "/api/speakers", "/api/claims"):
        assert client.get(url).status_code == 200, url


def test_a_read_only_role_cannot_create_a_ledger_and_says_so(pg_cluster) -> None:
    empty = pg_cluster.create_database("empty_for_reader")
    dbname = database_name(empty)
    with psycopg.connect(f"host={pg_cluster.socket_dir} user=postgres dbname={dbname}", autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS nobody_writes")
        conn.execute("CREATE ROLE nobody_writes LOGIN")
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    result = CliRunner().invoke(main, ["--db", empty.replace("postgres@", "nobody_writes@"), "quotes"])
    assert result.exit_code == 1
    assert "cannot prepare the schema" in result.output and "read-only role" in result.output
    assert "Traceback" not in result.output


def _one_line_error(target: str) -> str:
    result = CliRunner().invoke(main, ["--db", target, "quotes"])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output, result.output
    return result.output


def test_a_missing_database_is_one_clear_line(pg_cluster) -> None:
    line = _one_line_error(pg_cluster.url("no_such_ledger").replace("postgresql+psycopg", "postgresql"))
    assert (
        line.startswith("Error: cannot connect to postgresql://") and 'database "no_such_ledger" does not exist' in line
    )


def test_a_server_that_is_not_running_is_one_clear_line(tmp_path: Path) -> None:
    line = _one_line_error(f"postgresql://postgres@/ledger?host={tmp_path}")
    assert "server not running" in line


def test_a_wrong_password_is_one_clear_line_without_the_password(pg_cluster) -> None:
    from pgcluster import PASSWORD_ROLE

    with psycopg.connect(f"host={pg_cluster.socket_dir} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {PASSWORD_ROLE}")
        conn.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'richtig'")
    line = _one_line_error(f"postgresql://{PASSWORD_ROLE}:falsch@/postgres?host={pg_cluster.socket_dir}")
    assert "password authentication failed" in line and "falsch" not in line and "***" in line


def test_a_password_is_never_printed(tmp_path: Path) -> None:
    line = _one_line_error(f"postgresql://someone:geheim@/ledger?host={tmp_path}")
    assert "geheim" not in line and "someone:***@" in line


def test_a_dropped_connection_keeps_what_was_committed_and_a_rerun_finishes(pg_cluster, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"{i}.txt").write_text(
            f"Meldung {i}: Die Ministerin sagte, sie sei zufrieden mit Runde {i}.", encoding="utf-8"
        )
    target = pg_cluster.create_database("dropped")
    store = open_store(target)
    pid = store.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    stored = []

    def cut_after_three(_extraction: object, _status: str) -> None:
        stored.append(1)
        if len(stored) == 3:  # the server ends this session, as a restart or a network failure would
            with psycopg.connect(f"host={pg_cluster.socket_dir} user=postgres dbname=postgres") as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    with pytest.raises(DBAPIError):
        ingest_paths(store, [folder], on_article=cut_after_three)
    again = open_store(target)
    assert again.count_articles() == 3
    summary = ingest_paths(again, [folder])
    assert (summary.new, summary.unchanged) == (3, 3) and again.count_articles() == 6


def test_the_cli_says_in_one_line_that_the_connection_was_lost(
    pg_cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = pg_cluster.create_database("lost")
    (tmp_path / "a.txt").write_text("Die Ministerin sagte, sie sei zufrieden mit dem Ergebnis.", encoding="utf-8")
    original = SQLStore.add_extraction

    def cut_then_store(self: SQLStore, extraction: object) -> str:
        """The server goes away: this session is ended and no new one is let in."""
        pid = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        with psycopg.connect(f"host={pg_cluster.socket_dir} user=postgres dbname=postgres", autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{database_name(target)}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return original(self, extraction)

    monkeypatch.setattr(SQLStore, "add_extraction", cut_then_store)
    result = CliRunner().invoke(main, ["--db", target, "ingest", str(tmp_path / "a.txt")])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1, result.output
    assert "lost the connection to postgresql" in result.output and "run the command again" in result.output


def test_a_new_database_is_created_from_the_schema_and_stamped(pg_cluster) -> None:
    target = pg_cluster.create_database("stamped")
    store = open_store(target)
    assert store.schema_version() == 15
    tables = {r[0] for r in store.conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"articles", "quotations", "quotation_search", "claims", "alembic_version"} <= tables
    assert store.conn.execute("SELECT value FROM claims_state WHERE key = 'members'").fetchone()[0] == -1
    open_store(target).close()  # opening again changes nothing
    assert store.schema_version() == 15


def test_a_url_that_is_neither_kind_is_refused() -> None:
    with pytest.raises(StoreUnavailable, match="SQLite file or a postgresql:// URL"):
        open_store("mysql://someone@host/db")


def _uses_an_index(store, sql: str, args: list[object]) -> list[str]:
    """The plan with sequential scans priced out: a 'Seq Scan' left means no index can serve the query."""
    store.conn.execute("SET enable_seqscan = off")
    try:
        return store.explain_sql(sql, args)
    finally:
        store.conn.execute("RESET enable_seqscan")


def test_search_date_order_and_speaker_lookups_are_served_by_indexes(demo: tuple[str, str]) -> None:
    store = open_store(demo[1])
    store.conn.execute("ANALYZE")
    checks = [
        (store.dialect.count_matches_sql(), [store.dialect.match_query("Truppen")], "quotation_search_document"),
        ("SELECT * FROM quotations q ORDER BY said_key, article_id, start, id LIMIT 50", [], "quotations_said_key"),
        ("SELECT * FROM speakers WHERE id = ? OR lower(name) = lower(?)", ["x", "jens stoltenberg"], "speakers_name"),
        ("SELECT * FROM claims ORDER BY reports DESC, first_said NULLS FIRST LIMIT 5", [], "claims_reports"),
    ]
    for sql, args, index in checks:
        plan = "\n".join(_uses_an_index(store, sql, args))
        assert index in plan and "Seq Scan" not in plan, (sql, plan)
