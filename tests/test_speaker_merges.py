"""Speakers merged and split by a user (issue 19): shown as one person everywhere, logged, undone by a split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotetrail.cli import main
from quotetrail.corrections import history
from quotetrail.ingest_job import refresh_derived
from quotetrail.model import LedgerRow
from quotetrail.speaker_merges import SpeakerMergeError, merge_speakers, merged_speakers, split_speaker
from quotetrail.store import open_store

SCHOLZ = (
    "Berlin (dpa) - Bundeskanzler Olaf Scholz hat am Mittwoch vor dem Bundestag gesprochen.\n\n"
    "„Wir werden keine Truppen in die Ukraine schicken“, sagte Scholz am Mittwoch in Berlin.\n\n"
    "Der Oppositionsführer Friedrich Merz widersprach: „Das ist ein schwerer Fehler der Regierung.“\n"
)
FRITZ = (
    "Berlin (dpa) - Der CDU-Vorsitzende Fritz Merz hat am Donnerstag im Bundestag gesprochen.\n\n"
    "„Die Regierung muss jetzt handeln“, sagte Fritz Merz am Donnerstag in Berlin.\n"
)
MAERZ = (
    "Berlin (dpa) - Der CDU-Chef Friedrich März hat am Montag in Berlin gesprochen.\n\n"
    "„Die Steuern müssen sinken“, sagte Friedrich März am Montag in Berlin.\n\n"
    "„Wir entlasten die Familien“, fügte März hinzu.\n"
)
LATER = (
    "Hamburg (dpa) - Der CDU-Vorsitzende Fritz Merz hat am Freitag in Hamburg gesprochen.\n\n"
    "„Wir brauchen mehr Wohnungen“, sagte Fritz Merz am Freitag in Hamburg.\n"
)
HANDELN = "Die Regierung muss jetzt handeln"
FEHLER = "Das ist ein schwerer Fehler der Regierung."


def invoke(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", db, *args])
    return result.exit_code, result.output


def run(db: str, *args: str) -> str:
    code, output = invoke(db, *args)
    assert code == 0, output
    return output


def export(db: str) -> list[dict]:
    return [json.loads(line) for line in run(db, "export").splitlines() if line.startswith("{")]


def speakers_of(db: str) -> dict[str, int]:
    """``quotetrail speakers`` as name → quotation count."""
    listed = {}
    for line in run(db, "speakers").splitlines():
        count, rest = line.strip().split("  ", 1)
        listed[rest.split(" [")[0]] = int(count)
    return listed


def by_speaker(db: str) -> dict[str, int]:
    """The exported rows counted by speaker: what ``speakers`` must agree with."""
    counts: dict[str, int] = {}
    for row in export(db):
        counts[row["speaker"]] = counts.get(row["speaker"], 0) + 1
    return counts


@pytest.fixture
def ledger(store_url: str, tmp_path: Path) -> tuple[str, Path]:
    """Three articles: Olaf Scholz and Friedrich Merz; "Fritz Merz" (a wrong first name); "Friedrich März"."""
    for name, text in (("scholz.txt", SCHOLZ), ("fritz.txt", FRITZ), ("maerz.txt", MAERZ)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    run(store_url, "ingest", "--no-claims", str(tmp_path / "scholz.txt"), str(tmp_path / "fritz.txt"))
    run(store_url, "ingest", "--no-claims", str(tmp_path / "maerz.txt"))
    assert {"Fritz Merz", "Friedrich Merz", "Friedrich März"} <= set(speakers_of(store_url))
    return store_url, tmp_path


def test_a_merge_shows_the_person_everywhere_and_is_logged(ledger: tuple[str, Path]) -> None:
    db, _ = ledger
    fritz = [r for r in export(db) if r["speaker"] == "Fritz Merz"]
    before = speakers_of(db)
    out = run(db, "speakers", "merge", "Fritz Merz", "Friedrich Merz", "--note", "dpa misspelt him", "--by", "eva")
    assert f"{len(fritz)} quotation" in out

    rows = {r["quotation_id"]: r for r in export(db)}
    assert all(rows[r["quotation_id"]]["speaker"] == "Friedrich Merz" for r in fritz)
    assert all(rows[r["quotation_id"]]["corrected"] for r in fritz)
    assert not any(r["speaker"] == "Fritz Merz" for r in rows.values())
    listed = speakers_of(db)
    assert "Fritz Merz" not in listed
    assert (
        listed["Friedrich Merz"] == before["Friedrich Merz"] + before["Fritz Merz"] == by_speaker(db)["Friedrich Merz"]
    )
    for asked in ("Friedrich Merz", "Fritz Merz"):  # the merged name still finds the person
        found = run(db, "quotes", "--speaker", asked)
        assert HANDELN in found and FEHLER in found and "Fritz Merz" not in found

    log = history(open_store(db))
    assert [(c.quotation_id, c.before, c.after, c.note, c.by) for c in log] == [
        (r["quotation_id"], "Fritz Merz", "Friedrich Merz", "dpa misspelt him", "eva") for r in fritz
    ]
    assert all(c.placed_on == c.quotation_id for c in log)
    [alias] = merged_speakers(open_store(db))
    assert (alias.alias, alias.shown_as, alias.correction_id) == ("Fritz Merz", "Friedrich Merz", log[0].id)
    assert "'Fritz Merz' → 'Friedrich Merz'" in run(db, "speakers", "merges")


def test_a_merge_survives_reingest_and_applies_to_later_ingests(ledger: tuple[str, Path]) -> None:
    db, folder = ledger
    run(db, "speakers", "merge", "Fritz Merz", "Friedrich Merz", "--note", "dpa misspelt him", "--by", "eva")
    (folder / "fritz.txt").write_text("Eine neue erste Zeile.\n\n" + FRITZ, encoding="utf-8")
    assert "1 updated" in run(db, "ingest", "--no-claims", str(folder / "fritz.txt"))
    [moved] = [r for r in export(db) if r["text"] == HANDELN]
    assert (moved["speaker"], moved["corrected"]) == ("Friedrich Merz", True)

    (folder / "later.txt").write_text(LATER, encoding="utf-8")
    run(db, "ingest", "--no-claims", str(folder / "later.txt"))
    later = [r for r in export(db) if r["source"].endswith("later.txt")]
    assert later and all((r["speaker"], r["corrected"]) == ("Friedrich Merz", True) for r in later)
    logged = [c for c in history(open_store(db)) if c.article_id == later[0]["article_id"]]
    assert sorted(c.quotation_id for c in logged) == sorted(r["quotation_id"] for r in later)
    assert all(c.before == "Fritz Merz" and c.by == "eva" and "dpa misspelt him" in c.note for c in logged)
    listed = speakers_of(db)
    assert "Fritz Merz" not in listed and listed["Friedrich Merz"] == by_speaker(db)["Friedrich Merz"]

    run(db, "ingest", "--no-claims", str(folder / "fritz.txt"), str(folder / "later.txt"))  # unchanged
    (folder / "later.txt").write_text(LATER + "\nMehr folgt.\n", encoding="utf-8")
    run(db, "ingest", "--no-claims", str(folder / "later.txt"))  # re-extracted: the earlier entries hold
    assert len(history(open_store(db))) == len(logged) + 1  # nothing logged twice


def test_the_speakers_table_after_a_merge_is_the_one_a_full_rebuild_makes(ledger: tuple[str, Path]) -> None:
    db, _ = ledger
    run(db, "speakers", "merge", "Friedrich März", "Friedrich Merz", "--note", "one person")
    incremental = run(db, "speakers")
    store = open_store(db)
    store.mark_stale("speakers")  # every speaker rebuilt from the mentions
    refresh_derived(store)
    assert run(db, "speakers") == incremental
    merz = store.speaker("Friedrich Merz")
    assert merz is not None and "Friedrich März" in merz.variants and "CDU-Chef" in {r.role for r in merz.roles}


def test_a_split_gives_the_name_back_now_and_for_later_ingests(ledger: tuple[str, Path]) -> None:
    db, folder = ledger
    originally = {r["quotation_id"]: r["speaker"] for r in export(db)}
    run(db, "speakers", "merge", "Fritz Merz", "Friedrich Merz", "--note", "dpa misspelt him")
    (folder / "later.txt").write_text(LATER, encoding="utf-8")
    run(db, "ingest", "--no-claims", str(folder / "later.txt"))
    later = {r["quotation_id"] for r in export(db) if r["source"].endswith("later.txt")}
    logged = len(history(open_store(db)))

    out = run(db, "speakers", "split", "Fritz Merz", "--note", "two people after all", "--by", "ben")
    assert "later ingests keep 'Fritz Merz'" in out
    now = {r["quotation_id"]: r["speaker"] for r in export(db)}
    assert now == originally | {qid: "Fritz Merz" for qid in later}
    splits = history(open_store(db))[logged:]
    assert len(splits) == logged and {(c.before, c.after, c.by) for c in splits} == {
        ("Friedrich Merz", "Fritz Merz", "ben")
    }
    assert not merged_speakers(open_store(db))
    listed = speakers_of(db)
    assert listed["Fritz Merz"] == by_speaker(db)["Fritz Merz"] and listed["Friedrich Merz"] == 1

    (folder / "later2.txt").write_text(LATER.replace("Freitag", "Samstag"), encoding="utf-8")
    run(db, "ingest", "--no-claims", str(folder / "later2.txt"))
    assert all(r["speaker"] == "Fritz Merz" for r in export(db) if r["source"].endswith("later2.txt"))
    (folder / "fritz.txt").write_text("Neu.\n\n" + FRITZ, encoding="utf-8")  # merge and split re-applied in order
    run(db, "ingest", "--no-claims", str(folder / "fritz.txt"))
    assert [r["speaker"] for r in export(db) if r["text"] == HANDELN] == ["Fritz Merz"]


def test_split_off_some_quotations_as_another_person_of_the_same_name(ledger: tuple[str, Path]) -> None:
    db, _ = ledger
    maerz = sorted(r["quotation_id"] for r in export(db) if r["speaker"] == "Friedrich März")
    assert len(maerz) >= 2
    run(db, "speakers", "split", "Friedrich März", "--quotations", maerz[0], "--as", "Friedrich März (Kiel)",
        "--note", "the one from Kiel")  # fmt: skip
    rows = {r["quotation_id"]: r for r in export(db)}
    assert (rows[maerz[0]]["speaker"], rows[maerz[1]]["speaker"]) == ("Friedrich März (Kiel)", "Friedrich März")
    [entry] = history(open_store(db), maerz[0])
    assert (entry.before, entry.after, entry.note) == ("Friedrich März", "Friedrich März (Kiel)", "the one from Kiel")
    listed = speakers_of(db)
    assert (listed["Friedrich März (Kiel)"], listed["Friedrich März"]) == (1, len(maerz) - 1)
    assert not merged_speakers(open_store(db))  # a person of the same name, not a merge: later ingests keep the name


def test_merging_into_a_merged_name_merges_into_its_person_and_a_split_undoes_one_step(
    ledger: tuple[str, Path],
) -> None:
    db, _ = ledger
    originally = {r["quotation_id"]: r["speaker"] for r in export(db)}
    run(db, "speakers", "merge", "Friedrich März", "Fritz Merz", "--note", "same")
    run(db, "speakers", "merge", "Fritz Merz", "Friedrich Merz", "--note", "same")
    merz = [q for q, s in originally.items() if "Merz" in s or "März" in s]
    assert all(r["speaker"] == "Friedrich Merz" for r in export(db) if r["quotation_id"] in merz)
    assert {m.alias: m.shown_as for m in merged_speakers(open_store(db))} == {
        "Friedrich März": "Friedrich Merz",
        "Fritz Merz": "Friedrich Merz",
    }
    assert speakers_of(db)["Friedrich Merz"] == len(merz) and "Friedrich März" not in speakers_of(db)

    # one more name merged into "Fritz Merz" (now shown as Friedrich Merz) goes to Friedrich Merz itself
    run(db, "speakers", "merge", "Olaf Scholz", "Fritz Merz", "--note", "a test of chains, not of politics")
    assert {m.alias: m.canonical for m in merged_speakers(open_store(db))}["Olaf Scholz"] == "Friedrich Merz"
    run(db, "speakers", "split", "Olaf Scholz", "--note", "undo")

    run(db, "speakers", "split", "Fritz Merz", "--note", "not him")  # März stays merged into Fritz Merz
    assert all(r["speaker"] == originally[r["quotation_id"]] for r in export(db) if "Merz" in originally[r["quotation_id"]]
               and "Friedrich" in originally[r["quotation_id"]])  # fmt: skip
    shown = {r["quotation_id"]: r["speaker"] for r in export(db)}
    assert all(shown[q] == "Fritz Merz" for q, s in originally.items() if s in ("Fritz Merz", "Friedrich März"))
    assert {m.alias: m.shown_as for m in merged_speakers(open_store(db))} == {"Friedrich März": "Fritz Merz"}


def state(db: str) -> tuple[list, list, dict, str]:
    store = open_store(db)
    return history(store), merged_speakers(store), by_speaker(db), run(db, "speakers")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["merge", "Friedrich Merz", "Fritz Merz"], "a cycle"),
        (["merge", "Fritz Merz", "Friedrich Merz"], "already merged into 'Friedrich Merz'"),
        (["merge", "Fritz Merz", "Fritz Merz"], "into itself"),
        (["merge", "Franz Merz", "Friedrich Merz"], "no quotations by 'Franz Merz'"),
        (["merge", "friedrich märz", "Friedrich Merz"], "did you mean 'Friedrich März'?"),
        (["merge", "Friedrich März", "Franz Merz"], "no quotations by 'Franz Merz'"),
        (["merge", "Friedrich März", "Friedrich Merz", "--note", " "], "a merge needs a note saying why"),
        (["split", "Friedrich März"], "not merged into another speaker"),
        (["split", "Friedrich Merz", "--quotations", "0000", "--as", "X"], "no quotation '0000'"),
        (["split", "Friedrich Merz", "--quotations", "QID", "--as", "X"], "is by 'Friedrich März'"),
        (["split", "Friedrich März", "--quotations", "QID"], "needs --as"),
        (["split", "Friedrich März", "QID", "--as", "X"], "go after --quotations"),
        (["split", "Friedrich März", "--quotations", "QID", "--as", "Friedrich März"], "another person"),
    ],
    ids=[
        "cycle", "already-merged", "itself", "unknown-name", "wrong-case-hint", "unknown-target", "empty-note",
        "split-unmerged", "split-unknown-id", "split-other-speakers-quotation", "split-without-as", "ids-without-flag",
        "split-as-itself",
    ],
)  # fmt: skip
def test_bad_merges_and_splits_are_one_line_and_write_nothing(
    ledger: tuple[str, Path], args: list[str], message: str
) -> None:
    db, _ = ledger
    run(db, "speakers", "merge", "Fritz Merz", "Friedrich Merz", "--note", "dpa misspelt him")
    maerz = next(r["quotation_id"] for r in export(db) if r["speaker"] == "Friedrich März")
    before = state(db)
    args = [maerz if a == "QID" else a for a in args]
    code, output = invoke(db, "speakers", *args, *([] if "--note" in args else ["--note", "why"]))
    assert code == 1 and output.startswith("Error: ") and output.count("\n") == 1, output
    assert message in output, output
    assert state(db) == before


def test_a_merge_of_many_quotations_is_one_entry_each_and_a_split_restores_them(new_db) -> None:
    """1,000 of 1,500 loaded quotations move (the log is written in batches of 400: three batches)."""
    db = new_db("many")
    rows = [
        LedgerRow(
            quotation_id=f"q{i:05d}", article_id=f"a{i // 4:04d}", source=f"s/{i // 4}.txt", outlet="dpa",
            agency=None, published="2024-05-01", title=None, said_on="2024-05-01", said_on_text=None,
            type="Direct", speaker="Gerd Müller" if i % 3 else "Thomas Müller", speaker_role=None, text=f"Satz {i}",
            start=i * 20, end=i * 20 + 10, claim_id=None, speaker_mention=None, cue=None, addressee=None,
        )
        for i in range(1500)
    ]  # fmt: skip
    store = open_store(db)
    store.load_rows(rows)
    refresh_derived(store)
    gerd = {r.quotation_id for r in rows if r.speaker == "Gerd Müller"}

    change = merge_speakers(store, "Gerd Müller", "Thomas Müller", "same footballer", "eva")
    assert (change.quotations, change.speaker) == (len(gerd), "Thomas Müller")
    log = history(store)
    assert len(log) == len(gerd) == len(set(change.correction_ids))
    assert {c.placed_on for c in log} == gerd and all(c.after == "Thomas Müller" for c in log)
    assert [(s.name, s.quotation_count) for s in store.speakers()] == [("Thomas Müller", 1500)]

    with pytest.raises(SpeakerMergeError, match="not merged"):
        split_speaker(store, "Thomas Müller", "no")
    back = split_speaker(store, "Gerd Müller", "two players", "eva")
    assert back.quotations == len(gerd)
    assert {r.quotation_id for r in store.iter_ledger() if r.speaker == "Gerd Müller"} == gerd
    assert sorted((s.name, s.quotation_count) for s in store.speakers()) == [
        ("Gerd Müller", 1000),
        ("Thomas Müller", 500),
    ]


def test_a_reextraction_that_attributes_to_a_merged_name_shows_the_person(
    ledger: tuple[str, Path], monkeypatch
) -> None:
    import dataclasses

    import quotetrail.reextract
    from quotetrail.model import Extraction

    db, _ = ledger
    run(db, "speakers", "merge", "Fritz Merz", "Friedrich Merz", "--note", "dpa misspelt him", "--by", "eva")
    real = quotetrail.reextract.try_extract
    renamed_here: list[str] = []

    def new_model(article, budget):  # a new model writes the misspelt name for Merz's reply to Scholz
        result = real(article, budget)
        assert isinstance(result, Extraction)
        renamed = [
            dataclasses.replace(q, speaker="Fritz Merz") if FEHLER in q.text(article.text) else q
            for q in result.quotations
        ]
        renamed_here.extend(q.id for q in result.quotations if FEHLER in q.text(article.text))
        return dataclasses.replace(result, quotations=tuple(renamed))

    monkeypatch.setattr(quotetrail.reextract, "try_extract", new_model)
    run(db, "reextract", "--all")
    assert len(renamed_here) == 1
    [fehler] = [r for r in export(db) if r["text"] == FEHLER]
    assert (fehler["speaker"], fehler["corrected"]) == ("Friedrich Merz", True)
    assert not any(r["speaker"] == "Fritz Merz" for r in export(db))
    logged = [c for c in history(open_store(db)) if c.quotation_id == fehler["quotation_id"]]
    assert [(c.before, c.after, c.by) for c in logged] == [("Fritz Merz", "Friedrich Merz", "eva")]
