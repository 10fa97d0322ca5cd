"""The quotation scorer on hand-made cases, and the mapping of character spans onto corpus tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotetrail.evaluate.score_quotes import EMPTY, Group, format_report, pair_groups, score_documents
from quotetrail.evaluate.wikinews import read_document, to_annotation
from quotetrail.model import Quotation, Span

TEXT = "Er sagte, die Lage sei ernst. „Wir handeln“, sagte sie."
#       0         1         2         3         4         5
#       0123456789012345678901234567890123456789012345678901234
TOKENS = [
    ("Er", 0, 2),
    ("sagte", 3, 8),
    (",", 8, 9),
    ("die", 10, 13),
    ("Lage", 14, 18),
    ("sei", 19, 22),
    ("ernst", 23, 28),
    (".", 28, 29),
    ("„", 30, 31),
    ("Wir", 31, 34),
    ("handeln", 35, 42),
    ("“", 42, 43),
    (",", 43, 44),
    ("sagte", 45, 50),
    ("sie", 51, 54),
    (".", 54, 55),
]


def G(quote: tuple[int, ...], **roles: tuple[int, ...]) -> Group:
    parts = {"quote": quote, "speaker": (), "cue": (), "frame": (), "addressee": ()} | roles
    return Group(parts, "Indirect", "Speech")


def test_perfect_prediction_scores_one() -> None:
    gold = [G((3, 4, 5, 6), speaker=(0,), cue=(1,), frame=(0, 1, 2))]
    report = score_documents([(gold, gold)]).report()
    assert report["joint"] == pytest.approx((1.0, 1.0, 1.0))


def test_partial_overlap_is_macro_averaged_per_pair_and_role() -> None:
    gold = [G((3, 4, 5, 6), speaker=(0,), cue=(1,))]
    sys = [G((4, 5, 6, 7), speaker=(0, 1), cue=())]
    report = score_documents([(sys, gold)]).report()
    p, r, _ = report["messages"]
    assert p == pytest.approx(3 / 4) and r == pytest.approx(3 / 4)
    # roles: speaker p=1/2 r=1; cue: no prediction (p undefined) r=0
    rp, rr, _ = report["roles"]
    assert rp == pytest.approx(0.5) and rr == pytest.approx(0.5)


def test_unmatched_quotations_count_as_misses_and_false_alarms() -> None:
    gold = [G((3, 4, 5, 6), speaker=(0,))]
    sys = [G((3, 4, 5, 6), speaker=(0,)), G((9, 10), speaker=(14,))]
    pairs = pair_groups(sys, gold)
    assert (0, 0) in pairs and (1, None) in pairs
    report = score_documents([(sys, gold)]).report()
    assert report["messages"][0] == pytest.approx(0.5)  # one right, one spurious
    assert report["messages"][1] == pytest.approx(1.0)
    assert report["counts"] == {"pairs": 1, "spurious": 1}


def test_a_type_is_scored_with_its_roles_and_by_the_quote_words_alone() -> None:
    """A Reported quotation found word for word with the wrong speaker: detection is right, attribution is not."""
    gold = [Group({"quote": (3, 4, 5, 6), "speaker": (0,), "cue": (1,)}, "Reported", "Speech")]
    sys = [Group({"quote": (3, 4, 5, 6), "speaker": (14,), "cue": (1,)}, "Reported", "Speech")]
    report = score_documents([(sys, gold)]).report()
    assert report["per_type_quote"]["Reported"] == pytest.approx((1.0, 1.0, 1.0))
    assert report["per_type"]["Reported"] == pytest.approx((2 / 3, 2 / 3, 2 / 3))  # quote, cue right; speaker wrong
    assert "the quote's words alone" in format_report(report)


def test_type_confusion_is_reported() -> None:
    gold = [Group({"quote": (9, 10)}, "Direct", "Speech")]
    sys = [Group({"quote": (9, 10)}, "Indirect", "Speech")]
    report = score_documents([(sys, gold)]).report()
    assert report["confusion"] == {"Direct -> Indirect": 1}
    assert EMPTY.parts["quote"] == ()


@pytest.fixture
def corpus_doc(tmp_path: Path) -> Path:
    doc = {
        "documentName": "Test",
        "originalText": TEXT,
        "sentences": [],
        "tokens": [
            {"id": i, "text": t, "charBegin": b, "charEnd": e, "sentence": 0} for i, (t, b, e) in enumerate(TOKENS)
        ],
        "annotations": [
            {
                "type": "Indirect",
                "medium": "Speech",
                "quote": {"spans": [{"charBegin": 10, "charEnd": 28}], "tokenIds": [3, 4, 5, 6]},
                "speaker": {"spans": [{"charBegin": 0, "charEnd": 2}], "tokenIds": [0]},
                "cue": {"tokenIds": [1], "spans": [{"charBegin": 3, "charEnd": 8}]},
            }
        ],
    }
    path = tmp_path / "1 - Test (2024-05-22).pretty.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_character_spans_map_onto_every_overlapped_corpus_token(corpus_doc: Path) -> None:
    doc = read_document(corpus_doc)
    assert doc.published == "2024-05-22"
    assert doc.token_ids((Span(30, 43),)) == [8, 9, 10, 11]  # „Wir handeln“ with its marks
    assert doc.token_ids((Span(32, 36),)) == [9, 10]  # partial tokens count
    assert doc.token_ids((Span(0, 2), Span(45, 50))) == [0, 13]


def test_predictions_use_objects_with_token_ids_and_corpus_type_names(corpus_doc: Path) -> None:
    doc = read_document(corpus_doc)
    q = Quotation("Test", "Direct", (Span(30, 43),), cue=(Span(45, 50),), speaker_mention=(Span(51, 54),))
    ann = to_annotation(doc, q, 0)
    assert ann["type"] == "Direct"
    for role in ("quote", "speaker", "cue", "frame", "addressee"):
        assert isinstance(ann[role], dict) and isinstance(ann[role]["tokenIds"], list)
    assert ann["quote"]["tokenIds"] == [8, 9, 10, 11] and ann["speaker"]["tokenIds"] == [14]
    assert ann["frame"]["tokenIds"] == []


def test_predict_and_eval_commands_round_trip(corpus_doc: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quotetrail.cli import main

    out = tmp_path / "pred"
    result = CliRunner().invoke(main, ["predict", "--format", "wikinews", str(corpus_doc.parent), str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads((out / corpus_doc.name).read_text(encoding="utf-8"))
    assert written["documentName"] == "Test"
    result = CliRunner().invoke(main, ["eval", "wikinews", str(corpus_doc.parent), "--pred", str(out), "--json"])
    assert result.exit_code == 0 and '"joint"' in result.output


def test_predict_goes_on_past_a_broken_document_and_says_so(corpus_doc: Path, tmp_path: Path) -> None:
    """Issue 13: a document that cannot be read is reported, the others are still predicted, exit status 3."""
    from click.testing import CliRunner

    from quotetrail.cli import main

    (corpus_doc.parent / "0 - Kaputt.json").write_text('{"documentName": "Kaputt", "tokens": [', encoding="utf-8")
    out = tmp_path / "pred"
    result = CliRunner().invoke(main, ["predict", "--format", "wikinews", str(corpus_doc.parent), str(out)])
    assert result.exit_code == 3
    assert "0 - Kaputt.json" in result.output and "1 documents failed" in result.output
    assert (out / corpus_doc.name).exists()
