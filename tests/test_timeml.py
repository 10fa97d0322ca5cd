"""TimeML reading and writing, and the TempEval-3 style scorer, on hand-made documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotetrail.dates.score import score
from quotetrail.dates.timeml import Timex, read_timeml, write_timeml

GOLD = Path(__file__).parent / "fixtures" / "timeml" / "gold.tml"


def test_read_keeps_text_offsets_and_dct() -> None:
    doc = read_timeml(GOLD)
    assert doc.dct == "2024-05-22"
    assert [(t.text, t.type, t.value) for t in doc.timexes][:2] == [
        ("gestern", "DATE", "2024-05-21"),
        ("drei Wochen", "DURATION", "P3W"),
    ]
    for t in doc.timexes:
        assert doc.text[t.start : t.end] == t.text
    assert "&" in doc.text and "&amp;" not in doc.text


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    doc = read_timeml(GOLD)
    out = tmp_path / "out.tml"
    write_timeml(doc, list(doc.timexes), out)
    again = read_timeml(out)
    assert again.text == doc.text
    assert [(t.start, t.end, t.type, t.value) for t in again.timexes] == [
        (t.start, t.end, t.type, t.value) for t in doc.timexes
    ]
    assert '<TIMEX3 tid="t1" type="DATE" value="2024-05-21">gestern</TIMEX3>' in out.read_text(encoding="utf-8")


def T(start: int, end: int, value: str, kind: str = "DATE", text: str = "x") -> Timex:
    return Timex(start, end, text, kind, value)


def test_scorer_strict_relaxed_and_value() -> None:
    gold = [
        T(0, 7, "2024-05-21", text="gestern"),
        T(10, 21, "P3W", "DURATION", "drei Wochen"),
        T(30, 37, "2024-06-03", text="3. Juni"),
    ]
    pred = [
        T(0, 7, "2024-05-21", text="gestern"),  # exact, right value
        T(14, 21, "P3W", "DURATION", "Wochen"),  # overlapping only, right value
        T(30, 37, "2023-06-03", text="3. Juni"),  # exact, wrong value
        T(50, 55, "2024", text="2024!"),  # spurious
    ]
    figures = score([(gold, pred)])["all"]
    assert figures["strict_p"] == pytest.approx(2 / 4) and figures["strict_r"] == pytest.approx(2 / 3)
    assert figures["relaxed_p"] == pytest.approx(3 / 4) and figures["relaxed_r"] == pytest.approx(1.0)
    assert figures["value_accuracy"] == pytest.approx(2 / 3)
    relaxed_f1 = 2 * 0.75 * 1.0 / 1.75
    assert figures["value_f1"] == pytest.approx(relaxed_f1 * 2 / 3)


def test_scorer_breaks_down_dct_dependent_expressions() -> None:
    gold = [T(0, 7, "2024-05-21", text="gestern"), T(20, 24, "1999", text="1999")]
    pred = [T(0, 7, "2024-05-20", text="gestern"), T(20, 24, "1999", text="1999")]
    figures = score([(gold, pred)])
    assert figures["needs_dct"]["gold"] == 1 and figures["needs_dct"]["value_accuracy"] == 0.0
    assert figures["all"]["value_accuracy"] == 0.5


def test_timex_command_and_eval_on_the_fixture(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quotetrail.cli import main

    raw = tmp_path / "raw"
    raw.mkdir()
    doc = read_timeml(GOLD)
    write_timeml(doc, [], raw / "gold.tml")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["timex", "--format", "timeml", str(raw), str(out)])
    assert result.exit_code == 0, result.output
    tagged = read_timeml(out / "gold.tml")
    assert {t.text: t.value for t in tagged.timexes}["gestern"] == "2024-05-21"
    result = CliRunner().invoke(main, ["eval", "timeml", str(GOLD.parent), "--pred", str(out), "--json"])
    assert result.exit_code == 0 and '"value_f1"' in result.output


def test_timex_goes_on_past_a_broken_document_and_says_so(tmp_path: Path) -> None:
    """Issue 13: one unreadable TimeML file is reported; the others are tagged; exit status 3."""
    from click.testing import CliRunner

    from quotetrail.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_broken.tml").write_text("<TimeML><DCT>nicht geschlossen", encoding="utf-8")
    (folder / "b_gold.tml").write_text(GOLD.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["timex", str(folder), str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert "a_broken.tml" in result.output and "tagged 1 documents" in result.output
    assert (tmp_path / "out" / "b_gold.tml").exists()
