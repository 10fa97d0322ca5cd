"""Corrections, second slice (issue 19): claim membership, claim-wide corrections, spans, add-quotation,
undo, re-extraction and the log in export/load; each over both stores and across re-ingest,
re-extraction and ``claims --rebuild``."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import quotetrail.reextract
from quotetrail.cli import main
from quotetrail.corrections import CorrectionError, correct, correct_claim, history, undo
from quotetrail.model import Extraction, Quotation, Span
from quotetrail.store import open_store

LEAD = "Berlin (dpa) - Bundeskanzler Olaf Scholz hat am Mittwoch vor dem Bundestag gesprochen.\n\n"
TROOPS = "„Wir werden keine Truppen in die Ukraine schicken“, sagte Scholz am Mittwoch in Berlin.\n\n"
MERZ = "Der Oppositionsführer Friedrich Merz widersprach: „Das ist ein schwerer Fehler der Regierung.“\n"
AFP_LEAD = "Berlin (AFP) - Der Kanzler hat sich am Donnerstag erneut geäußert.\n\n"
AFP_TROOPS = "„Wir schicken keine Truppen in die Ukraine“, sagte Olaf Scholz am Donnerstag.\n\n"
BAERBOCK = "Die Grünen-Politikerin Annalena Baerbock sagte: „Die Regierung steht geschlossen hinter der Ukraine.“\n"
Q_TROOPS = "Wir werden keine Truppen in die Ukraine schicken"
Q_AFP = "Wir schicken keine Truppen in die Ukraine"
Q_MERZ = "Das ist ein schwerer Fehler der Regierung."
Q_BAERBOCK = "Die Regierung steht geschlossen hinter der Ukraine."
MISSED = "Wir stehen an der Seite der Ukraine"
MISSED_LINE = f"Scholz betonte zudem, {MISSED}, solange es nötig sei.\n"


def invoke(db: str, *args: str):
    return CliRunner().invoke(main, ["--db", db, *args])


def run(db: str, *args: str) -> str:
    result = invoke(db, *args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(db: str, *args: str) -> str:
    """The one-line error of a refused command."""
    result = invoke(db, *args)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and result.output.strip().count("\n") == 0, result.output
    return result.output


def rows(db: str) -> list[dict]:
    return [json.loads(line) for line in run(db, "export", "--format", "jsonl").splitlines() if line.startswith("{")]


def row(db: str, text: str) -> dict:
    found = [r for r in rows(db) if r["text"] == text]
    assert len(found) == 1, (text, [r["text"] for r in rows(db)])
    return found[0]


def claim_of(db: str, text: str) -> str:
    return row(db, text)["claim_id"]


def log_size(db: str) -> int:
    return len(history(open_store(db)))


@pytest.fixture
def ledger(store_url: str, tmp_path: Path) -> tuple[str, Path, Path]:
    """Two articles: Scholz's troops statement reported by dpa (with Merz's reply) and by AFP (with Baerbock's)."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(LEAD + TROOPS + MERZ, encoding="utf-8")
    b.write_text(AFP_LEAD + AFP_TROOPS + BAERBOCK, encoding="utf-8")
    run(store_url, "ingest", str(a), str(b))
    assert claim_of(store_url, Q_TROOPS) == claim_of(store_url, Q_AFP) != claim_of(store_url, Q_MERZ)
    return store_url, a, b


# -- claim membership ---------------------------------------------------------------------------------


def test_a_quotation_moved_into_a_claim_stays_there_after_update_rebuild_and_reingest(ledger) -> None:
    db, a, _ = ledger
    troops, old = claim_of(db, Q_TROOPS), claim_of(db, Q_MERZ)
    out = run(db, "correct", row(db, Q_MERZ)["quotation_id"], "--claim", troops, "--note", "same claim", "--by", "eva")
    assert f"is now in claim {troops}" in out
    assert claim_of(db, Q_MERZ) == troops
    store = open_store(db)
    moved = store.claim(troops)
    assert moved.reports == 3 and "Friedrich Merz" in moved.speakers  # the target's summary is refreshed
    assert store.claim(old) is None  # the claim it left had no other member
    run(db, "claims", "--update")
    assert claim_of(db, Q_MERZ) == troops
    run(db, "claims", "--rebuild")
    assert claim_of(db, Q_MERZ) == claim_of(db, Q_TROOPS) == claim_of(db, Q_AFP)
    a.write_text("Eine neue erste Zeile steht jetzt hier.\n\n" + LEAD + TROOPS + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))  # new ids for the dpa quotations; the move follows the re-anchored entry
    assert claim_of(db, Q_MERZ) == claim_of(db, Q_TROOPS) == claim_of(db, Q_AFP)
    assert open_store(db).claim(claim_of(db, Q_MERZ)).reports == 3
    assert not history(open_store(db), orphaned=True)


def test_a_quotation_taken_into_a_claim_of_its_own_is_not_joined_by_similarity(ledger, tmp_path: Path) -> None:
    db, _, _ = ledger
    before = claim_of(db, Q_TROOPS)
    run(db, "correct", row(db, Q_TROOPS)["quotation_id"], "--new-claim", "--note", "a promise, not the same claim")
    own = claim_of(db, Q_TROOPS)
    assert own not in (before, claim_of(db, Q_AFP))
    store = open_store(db)
    assert store.claim(own).reports == 1 and store.claim(claim_of(db, Q_AFP)).reports == 1  # both refreshed
    run(db, "claims", "--rebuild")
    assert claim_of(db, Q_TROOPS) == own and claim_of(db, Q_AFP) != own
    again = tmp_path / "c.txt"  # the very same words elsewhere: similar, but the claim is closed to similarity
    again.write_text("Berlin (Reuters) - Der Kanzler sprach erneut.\n\n" + TROOPS, encoding="utf-8")
    run(db, "ingest", str(again))
    assert [r["claim_id"] for r in rows(db) if r["text"] == Q_TROOPS].count(own) == 1


def test_a_move_whose_target_claim_is_gone_is_orphaned_and_listed(ledger) -> None:
    db, _, b = ledger
    merz = row(db, Q_MERZ)["quotation_id"]
    run(db, "correct", merz, "--claim", claim_of(db, Q_BAERBOCK), "--note", "same point")
    b.write_text(AFP_LEAD + AFP_TROOPS, encoding="utf-8")  # Baerbock's statement is gone from the ledger
    run(db, "ingest", str(b))
    run(db, "claims", "--rebuild")
    orphaned = history(open_store(db), orphaned=True)
    assert [(c.field, c.quotation_id) for c in orphaned] == [("claim", merz)]
    assert "ORPHANED" in run(db, "corrections", "--orphaned")
    assert claim_of(db, Q_MERZ)  # grouped by similarity instead, never dropped from the claims


def test_claim_corrections_are_refused_with_one_line_and_write_nothing(ledger) -> None:
    db, _, _ = ledger
    qid = row(db, Q_MERZ)["quotation_id"]
    assert "no claim 'cnope'" in refused(db, "correct", qid, "--claim", "cnope", "--note", "n")
    assert "is in claim" in refused(db, "correct", qid, "--claim", claim_of(db, Q_MERZ), "--note", "n")
    assert "not both" in refused(db, "correct", qid, "--claim", claim_of(db, Q_AFP), "--new-claim", "--note", "n")
    assert "only member" in refused(db, "correct", qid, "--new-claim", "--note", "n")
    assert log_size(db) == 0 and row(db, Q_MERZ)["corrected"] is False


# -- claim-wide corrections ----------------------------------------------------------------------------


def test_a_claim_wide_correction_logs_one_entry_per_member_and_not_for_later_joiners(ledger, tmp_path: Path) -> None:
    db, a, _ = ledger
    claim = claim_of(db, Q_TROOPS)
    result = invoke(db, "correct-claim", claim, "--type", "Indirect", "--note", "paraphrases", "--by", "eva")
    assert result.exit_code == 0 and "later are not corrected" in result.output
    entries = history(open_store(db))
    assert sorted(c.quotation_id for c in entries) == sorted(row(db, q)["quotation_id"] for q in (Q_TROOPS, Q_AFP))
    assert all(c.by == "eva" and c.field == "type" and claim in c.note for c in entries)
    assert row(db, Q_TROOPS)["type"] == row(db, Q_AFP)["type"] == "Indirect"
    a.write_text("Eine neue erste Zeile.\n\n" + LEAD + TROOPS + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))  # each entry is re-applied like any other
    assert row(db, Q_TROOPS)["type"] == "Indirect" and row(db, Q_TROOPS)["corrected"] is True
    later = tmp_path / "c.txt"
    later.write_text("Berlin (Reuters) - Der Kanzler sprach.\n\n" + AFP_TROOPS.replace("Olaf Scholz", "er"), "utf-8")
    run(db, "ingest", str(later))
    joined = [r for r in rows(db) if r["source"] == str(later) and r["claim_id"] == claim]
    assert joined and joined[0]["corrected"] is False and joined[0]["type"] == "Direct"


def test_a_claim_wide_correction_of_another_field_or_claim_is_refused(ledger) -> None:
    db, _, _ = ledger
    with pytest.raises(CorrectionError, match="not said_on"):  # what the API could ask for; the CLI has no option
        correct_claim(open_store(db), claim_of(db, Q_AFP), {"said_on": "2024"}, "n", "eva")
    assert "no claim 'cnope'" in refused(db, "correct-claim", "cnope", "--speaker", "X", "--note", "n")
    assert "nothing to correct" in refused(db, "correct-claim", claim_of(db, Q_AFP), "--note", "n")
    assert "type must be one of" in refused(db, "correct-claim", claim_of(db, Q_AFP), "--type", "Q", "--note", "n")
    assert log_size(db) == 0


# -- spans ---------------------------------------------------------------------------------------------


def _offsets(db: str, text: str, words: str) -> tuple[int, int]:
    """Where ``words`` stand in the stored (cleaned) text of the article holding ``text``."""
    r = row(db, text)
    article = open_store(db).article(r["article_id"])
    start = article.text.index(words)
    return start, start + len(words)


def test_a_corrected_span_recuts_the_text_reindexes_search_and_survives_reingest(ledger) -> None:
    db, a, _ = ledger
    qid = row(db, Q_TROOPS)["quotation_id"]
    start, end = _offsets(db, Q_TROOPS, "keine Truppen in die Ukraine")
    run(db, "correct", qid, "--span", str(start), str(end), "--note", "only the promise")
    cut = row(db, "keine Truppen in die Ukraine")
    assert (cut["quotation_id"], cut["start"], cut["end"], cut["corrected"]) == (qid, start, end, True)
    assert "keine Truppen in die Ukraine" in run(db, "quotes", "--text", "Truppen")
    assert "werden keine" not in run(db, "quotes", "--text", "Truppen")
    run(db, "correct", qid, "--speaker", "Annalena Baerbock", "--note", "anchored on the corrected text")
    a.write_text("Eine neue erste Zeile steht jetzt hier.\n\n" + LEAD + TROOPS + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))
    moved = row(db, "keine Truppen in die Ukraine")
    assert moved["quotation_id"] != qid and moved["start"] == start + len("Eine neue erste Zeile steht jetzt hier.\n\n")
    assert moved["speaker"] == "Annalena Baerbock" and not history(open_store(db), orphaned=True)
    assert Q_TROOPS not in [r["text"] for r in rows(db)]


@pytest.mark.parametrize(
    ("span", "message"),
    [(("5", "100000"), "lies outside the article"), (("7", "7"), "0 <= START < END"), (("0", "1"), "covers no words")],
)
def test_a_bad_span_is_one_line_and_writes_nothing(ledger, span: tuple[str, str], message: str) -> None:
    db, _, _ = ledger
    qid = row(db, Q_TROOPS)["quotation_id"]
    if message == "covers no words":
        start = open_store(db).article(row(db, Q_TROOPS)["article_id"]).text.index("„")
        span = (str(start), str(start + 1))
    assert message in refused(db, "correct", qid, "--span", *span, "--note", "n")
    assert log_size(db) == 0 and row(db, Q_TROOPS)["corrected"] is False


# -- add-quotation -------------------------------------------------------------------------------------


def test_an_added_quotation_is_searchable_grouped_and_added_again_after_reingest(ledger) -> None:
    db, a, _ = ledger
    a.write_text(LEAD + TROOPS + MISSED_LINE + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))
    assert MISSED not in [r["text"] for r in rows(db)]  # the extractor misses it
    article = row(db, Q_TROOPS)["article_id"]
    start, end = _offsets(db, Q_TROOPS, MISSED)
    out = run(
        db, "add-quotation", article, str(start), str(end), "--speaker", "Olaf Scholz", "--type", "Indirect",
        "--cue", "betonte", "--said-on", "2024-05-22", "--note", "missed", "--by", "eva",
    )  # fmt: skip
    added = row(db, MISSED)
    assert added["quotation_id"] in out and added["corrected"] is True and added["extractor_version"] is None
    expected_id = Quotation(article, "Indirect", (Span(start, end),)).id  # the id the extractor would give it
    assert (added["quotation_id"], added["cue"], added["said_on"]) == (expected_id, "betonte", "2024-05-22")
    assert MISSED in run(db, "quotes", "--text", "Seite")
    assert added["claim_id"] is None
    run(db, "claims", "--update")
    assert row(db, MISSED)["claim_id"]
    a.write_text("Eine neue erste Zeile.\n\n" + LEAD + TROOPS + MISSED_LINE + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))
    again = row(db, MISSED)  # cut again from the new version, with a new id, and grouped by the ingest
    assert again["quotation_id"] != expected_id and again["speaker"] == "Olaf Scholz" and again["claim_id"]
    assert not history(open_store(db), orphaned=True)


def test_an_added_quotation_the_extractor_finds_later_is_not_duplicated(ledger, monkeypatch) -> None:
    db, a, _ = ledger
    a.write_text(LEAD + TROOPS + MISSED_LINE + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))
    article = row(db, Q_TROOPS)["article_id"]
    start, end = _offsets(db, Q_TROOPS, MISSED)
    run(db, "add-quotation", article, str(start), str(end), "--speaker", "Olaf Merz", "--note", "missed")
    real = quotetrail.reextract.try_extract

    def finds_it(found, budget):  # a new model that finds the quotation itself, with another speaker
        result = real(found, budget)
        extra = Quotation(found.id, "Indirect", (Span(start, end),), speaker="Olaf Scholz")
        return dataclasses.replace(result, quotations=(*result.quotations, extra))

    monkeypatch.setattr(quotetrail.reextract, "try_extract", finds_it)
    run(db, "reextract", article)
    [found] = [r for r in rows(db) if r["text"] == MISSED]
    assert found["speaker"] == "Olaf Merz" and found["corrected"] is True  # the person's values on the extractor's row
    assert history(open_store(db))[0].placed_on == found["quotation_id"]


def test_add_quotation_refuses_bad_input_with_one_line(ledger) -> None:
    db, _, _ = ledger
    article = row(db, Q_TROOPS)["article_id"]
    existing = row(db, Q_TROOPS)
    before = len(rows(db))
    assert "no article 'nope'" in refused(db, "add-quotation", "nope", "0", "5", "--speaker", "X", "--note", "n")
    assert "outside the article" in refused(db, "add-quotation", article, "0", "99999", "--speaker", "X", "--note", "n")
    assert "type must be one of" in refused(
        db, "add-quotation", article, "0", "20", "--speaker", "X", "--type", "Quote", "--note", "n"
    )
    assert "is not in the article" in refused(
        db, "add-quotation", article, "0", "20", "--speaker", "X", "--cue", "behauptete", "--note", "n"
    )
    start, end = str(existing["start"]), str(existing["end"])
    assert "holds this quotation already" in refused(
        db, "add-quotation", article, start, end, "--speaker", "X", "--note", "n"
    )
    assert log_size(db) == 0 and len(rows(db)) == before


# -- undo ----------------------------------------------------------------------------------------------


def test_undoing_a_speaker_correction_brings_the_old_speaker_back_and_is_logged(ledger) -> None:
    db, a, _ = ledger
    qid = row(db, Q_TROOPS)["quotation_id"]
    [first] = correct(open_store(db), qid, {"speaker": "Annalena Baerbock"}, "wrong", "eva")
    [second] = correct(open_store(db), qid, {"said_on": "2024-05-22"}, "dated", "eva")
    run(db, "uncorrect", str(first), "--note", "it was Scholz after all", "--by", "ben")
    r = row(db, Q_TROOPS)
    assert (r["speaker"], r["said_on"], r["corrected"]) == ("Olaf Scholz", "2024-05-22", True)
    log = run(db, "corrections", qid)
    assert f"undone by #{second + 1}" in log and f"undoes #{first}" in log and "ben" in log
    a.write_text("Eine neue erste Zeile.\n\n" + LEAD + TROOPS + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))  # re-application honours the undo
    assert (row(db, Q_TROOPS)["speaker"], row(db, Q_TROOPS)["said_on"]) == ("Olaf Scholz", "2024-05-22")
    undo(open_store(db), [second], "no date known", "ben")
    assert (row(db, Q_TROOPS)["said_on"], row(db, Q_TROOPS)["corrected"]) == (None, False)


def test_undoing_not_a_quotation_brings_the_row_back_and_it_stays_after_reingest(ledger) -> None:
    db, a, _ = ledger
    original = row(db, Q_MERZ)
    run(db, "correct", original["quotation_id"], "--not-a-quotation", "--note", "looked like a headline")
    assert Q_MERZ not in run(db, "quotes")
    number = history(open_store(db))[-1].id
    run(db, "uncorrect", str(number), "--note", "it is a quotation")
    back = row(db, Q_MERZ)
    assert {k: v for k, v in back.items() if k != "claim_id"} == {k: v for k, v in original.items() if k != "claim_id"}
    assert back["claim_id"]  # grouped again at once
    assert Q_MERZ in run(db, "quotes", "--text", "Fehler")
    a.write_text("Eine neue erste Zeile.\n\n" + LEAD + TROOPS + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))
    assert row(db, Q_MERZ)["speaker"] == "Friedrich Merz"


def test_undoing_a_hiding_after_the_article_was_re_extracted_restores_it_in_the_new_version(ledger) -> None:
    db, a, _ = ledger
    run(db, "correct", row(db, Q_MERZ)["quotation_id"], "--not-a-quotation", "--note", "n")
    a.write_text("Eine neue erste Zeile.\n\n" + LEAD + TROOPS + MERZ, encoding="utf-8")
    run(db, "ingest", str(a))
    assert Q_MERZ not in [r["text"] for r in rows(db)]
    run(db, "uncorrect", str(history(open_store(db))[-1].id), "--note", "back")
    back = row(db, Q_MERZ)
    text = open_store(db).article(back["article_id"]).text
    assert back["article_id"] == row(db, Q_TROOPS)["article_id"] and Q_MERZ in text[back["start"] : back["end"]]


def test_undoing_a_move_lets_similarity_group_it_again(ledger) -> None:
    db, _, _ = ledger
    qid = row(db, Q_TROOPS)["quotation_id"]
    run(db, "correct", qid, "--new-claim", "--note", "n")
    assert claim_of(db, Q_TROOPS) != claim_of(db, Q_AFP)
    run(db, "uncorrect", str(history(open_store(db))[-1].id), "--note", "they are the same claim")
    assert claim_of(db, Q_TROOPS) == claim_of(db, Q_AFP)
    run(db, "claims", "--rebuild")
    assert claim_of(db, Q_TROOPS) == claim_of(db, Q_AFP)


def test_undo_refuses_what_it_cannot_undo_with_one_line_and_writes_nothing(ledger) -> None:
    db, _, _ = ledger
    qid = row(db, Q_TROOPS)["quotation_id"]
    [number] = correct(open_store(db), qid, {"type": "Indirect"}, "n", "eva")
    assert "no correction #99" in refused(db, "uncorrect", "99", "--note", "n")
    assert "give correction numbers" in refused(db, "uncorrect", "x", "--note", "n")
    run(db, "uncorrect", f"#{number}", "--note", "n")
    assert "undone already" in refused(db, "uncorrect", str(number), "--note", "n")
    assert "is an undo itself" in refused(db, "uncorrect", str(number + 1), "--note", "n")
    assert "undone already" in refused(db, "uncorrect", str(number), str(number + 1), "--note", "n")
    assert log_size(db) == 2


def test_a_hiding_logged_before_rows_were_kept_cannot_be_undone(ledger) -> None:
    db, _, _ = ledger
    qid = row(db, Q_MERZ)["quotation_id"]
    [number] = correct(open_store(db), qid, {"not_a_quotation": "true"}, "n", "eva")
    store = open_store(db)
    with store.transaction():  # what a first-slice entry looks like: no row kept in `before`
        store.conn.execute(
            'INSERT INTO corrections(quotation_id, article_id, source, start, "end", quoted_text, field, before, after,'
            ' note, by, at) SELECT quotation_id, article_id, source, start, "end", quoted_text, field, NULL, after,'
            " note, by, at FROM corrections WHERE id = ?",
            (number,),
        )
        old = store.conn.execute("SELECT MAX(id) FROM corrections").fetchone()[0]
        store.conn.execute("INSERT INTO correction_placements VALUES (?, ?, NULL)", (old, qid))
    assert "cannot be undone" in refused(db, "uncorrect", str(old), "--note", "n")


# -- re-extraction -------------------------------------------------------------------------------------


def test_corrections_survive_a_reextraction_with_moved_spans_and_unplaceable_ones_are_orphaned(
    ledger, monkeypatch
) -> None:
    db, _, _ = ledger
    troops, merz = row(db, Q_TROOPS)["quotation_id"], row(db, Q_MERZ)["quotation_id"]
    run(db, "correct", troops, "--speaker", "Annalena Baerbock", "--note", "n")
    run(db, "correct", merz, "--type", "Indirect", "--note", "n")
    real = quotetrail.reextract.try_extract

    def new_model(article, budget):  # spans one character longer; Merz's reply no longer found
        result = real(article, budget)
        assert isinstance(result, Extraction)
        kept = [
            dataclasses.replace(q, spans=tuple(Span(s.start, s.end + 1) for s in q.spans))
            for q in result.quotations
            if Q_MERZ not in q.text(article.text)
        ]
        return dataclasses.replace(result, quotations=tuple(kept))

    monkeypatch.setattr(quotetrail.reextract, "try_extract", new_model)
    out = run(db, "reextract", "--all")
    assert "2 articles re-extracted" in out and "1 corrections cannot be placed" in out
    [moved] = [r for r in rows(db) if r["text"].startswith(Q_TROOPS)]
    assert moved["quotation_id"] != troops and moved["speaker"] == "Annalena Baerbock" and moved["corrected"]
    assert Q_MERZ not in [r["text"] for r in rows(db)]
    assert [c.quotation_id for c in history(open_store(db), orphaned=True)] == [merz]
    assert merz in run(db, "corrections", "--orphaned")


def test_reextract_needs_existing_articles_and_one_choice(ledger) -> None:
    db, _, _ = ledger
    assert "no article 'nope'" in refused(db, "reextract", "nope")
    assert "exactly one" in refused(db, "reextract")
    assert "exactly one" in refused(db, "reextract", "--all", "--outdated")
    assert "0 articles re-extracted" in run(db, "reextract", "--outdated")  # everything is this version's


def test_reextract_keeps_every_source_of_an_article(ledger, tmp_path: Path) -> None:
    db, a, _ = ledger
    before = len(rows(db))
    copy = tmp_path / "copy.txt"
    copy.write_text(a.read_text(encoding="utf-8"), encoding="utf-8")
    run(db, "ingest", str(copy))
    article = row(db, Q_TROOPS)["article_id"]
    run(db, "reextract", article)
    sources = {r[0] for r in open_store(db).conn.execute("SELECT source FROM article_sources")}
    assert {str(a), str(copy)} <= sources and len(rows(db)) == before  # the copy adds no rows, nor does reextract


# -- the log in export and load ------------------------------------------------------------------------


def test_the_log_moves_with_export_and_load_and_loading_twice_adds_nothing(
    ledger, tmp_path: Path, new_db: Callable[[str], str]
) -> None:
    db, _, _ = ledger
    troops, merz = row(db, Q_TROOPS)["quotation_id"], row(db, Q_MERZ)["quotation_id"]
    [speaker] = correct(open_store(db), troops, {"speaker": "Annalena Baerbock"}, "wrong pronoun", "eva")
    correct(open_store(db), merz, {"not_a_quotation": "true"}, "a headline", "ben")
    correct(open_store(db), troops, {"type": "Indirect"}, "paraphrase", "eva")
    undo(open_store(db), [speaker], "it was Scholz", "ben")
    files = tmp_path / "rows.jsonl", tmp_path / "articles.jsonl", tmp_path / "log.jsonl"
    run(db, "export", "-o", str(files[0]), "--articles", str(files[1]), "--corrections", str(files[2]))
    target = new_db("moved")
    first = run(target, "load", str(files[0]), "--articles", str(files[1]), "--corrections", str(files[2]))
    assert "4 corrections added to the log, 0 were there already" in first
    second = run(target, "load", "--corrections", str(files[2]))
    assert "0 corrections added to the log, 4 were there already" in second

    def summary(url: str) -> list[tuple]:
        return [(c.quotation_id, c.field, c.after if c.field != "undo" else "undo", c.note, c.by, c.at, c.placed_on,
                 c.undone_by is not None) for c in history(open_store(url))]  # fmt: skip

    assert summary(target) == summary(db)
    assert {(r["text"], r["speaker"], r["type"], r["corrected"]) for r in rows(target)} == {
        (r["text"], r["speaker"], r["type"], r["corrected"]) for r in rows(db)
    }
    assert "it was Scholz" in run(target, "corrections", troops)


def test_loading_a_log_onto_rows_without_the_corrections_applies_and_places_them(
    ledger, tmp_path: Path, new_db: Callable[[str], str]
) -> None:
    db, _, _ = ledger
    plain = tmp_path / "plain.jsonl"
    run(db, "export", "-o", str(plain))  # exported before the corrections
    qid = row(db, Q_TROOPS)["quotation_id"]
    correct(open_store(db), qid, {"speaker": "Annalena Baerbock"}, "wrong pronoun", "eva")
    log = tmp_path / "log.jsonl"
    run(db, "export", "-o", str(tmp_path / "x.jsonl"), "--corrections", str(log))
    target = new_db("older")
    run(target, "load", str(plain))
    assert row(target, Q_TROOPS)["speaker"] == "Olaf Scholz"
    run(target, "load", "--corrections", str(log))
    assert (row(target, Q_TROOPS)["speaker"], row(target, Q_TROOPS)["corrected"]) == ("Annalena Baerbock", True)
    assert [c.placed_on for c in history(open_store(target))] == [qid]


def test_a_bad_line_in_a_log_is_reported_and_the_rest_loads(ledger, tmp_path: Path) -> None:
    db, _, _ = ledger
    qid = row(db, Q_TROOPS)["quotation_id"]
    correct(open_store(db), qid, {"type": "Indirect"}, "n", "eva")
    log = tmp_path / "log.jsonl"
    run(db, "export", "-o", str(tmp_path / "x.jsonl"), "--corrections", str(log))
    good = json.loads(log.read_text(encoding="utf-8"))
    bad = {**good, "id": 7, "field": "colour", "at": "2024-01-01T00:00:00+00:00"}
    log.write_text("\n".join([json.dumps(good), "{not json", json.dumps(bad)]) + "\n", encoding="utf-8")
    result = invoke(db, "load", "--corrections", str(log))
    assert result.exit_code == 3, result.output
    assert "log.jsonl:2: invalid JSON" in result.output and "log.jsonl:3: field must be one of" in result.output
    assert "0 corrections added to the log, 1 were there already; 2 refused" in result.output
    assert log_size(db) == 1


# -- the mark in lists ---------------------------------------------------------------------------------


def test_quotes_marks_corrected_rows_with_a_legend(ledger) -> None:
    db, _, _ = ledger
    assert "✎" not in run(db, "quotes")
    correct(open_store(db), row(db, Q_TROOPS)["quotation_id"], {"type": "Indirect"}, "n", "eva")
    result = CliRunner().invoke(main, ["--db", db, "quotes"])
    lines = result.output.splitlines()
    marked = [line for line in lines if line.endswith("✎")]
    assert marked == [lines[lines.index(f"            „{Q_TROOPS}“") - 1]]
    assert "✎ = corrected by a person" in result.output
