"""A models folder of one's own (``QUOTETRAIL_MODELS``, ``quotetrail --models``): read file by file, named in each row.

``quotetrail train --out DIR`` writes models laid out as the package's folder;
these tests build such a folder from the shipped files with one weight
changed (no torch needed), and check that extraction reads it, that the files
it lacks stay the package's, and that the rows it extracts say which model
made them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from quotetrail import model_files, provenance
from quotetrail.cli import main
from quotetrail.quotations.encoder.tagger import load_model, model_available, model_folder
from quotetrail.store import open_store

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "000_f405f7a60042a16b.txt"
ENCODER = "encoder/encoder_tagger.npz"


@pytest.fixture
def own_models(tmp_path: Path) -> Path:
    """A models folder holding only an encoder: the shipped one with the quote head's bias for "O" raised by 1."""
    if not model_available():
        pytest.skip("the shipped encoder model cannot load here")
    shipped = model_files.package_models() / "encoder"
    folder = tmp_path / "models"
    (folder / "encoder").mkdir(parents=True)
    shutil.copy(shipped / "encoder_tagger.json", folder / "encoder" / "encoder_tagger.json")
    with np.load(shipped / "encoder_tagger.npz") as arrays:
        weights = {name: arrays[name] for name in arrays.files}
    labels = json.loads((shipped / "encoder_tagger.json").read_text(encoding="utf-8"))["quote_labels"]
    weights["quote.b"] = weights["quote.b"].copy()
    weights["quote.b"][labels.index("O")] += 1
    np.savez(folder / ENCODER, **weights)
    return folder


def test_without_the_variable_every_file_is_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(model_files.ENV, raising=False)
    assert model_files.own_models() is None
    assert model_files.model_file(ENCODER) == model_files.package_models() / ENCODER
    assert model_folder() == model_files.package_models() / "encoder"


def _version(tagger: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("QUOTETRAIL_QUOTATIONS", tagger)
    return provenance.extractor_version()


def test_the_files_of_ones_own_folder_are_read_and_the_others_stay_the_packages(
    own_models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped_version = _version("encoder", monkeypatch)
    crf_version = _version("crf", monkeypatch)
    monkeypatch.setenv(model_files.ENV, str(own_models))
    assert model_files.model_file(ENCODER) == own_models / ENCODER
    assert model_files.model_file("quote_tagger.crfsuite") == model_files.package_models() / "quote_tagger.crfsuite"
    assert model_folder() == own_models / "encoder"
    mine, shipped = load_model(), load_model(model_files.package_models() / "encoder")
    assert mine is not None and shipped is not None and mine is not shipped
    assert np.allclose(
        mine.weights["quote.b"] - shipped.weights["quote.b"], np.eye(len(mine.quote_labels))[0], atol=1e-2
    )
    version = _version("encoder", monkeypatch)
    assert version != shipped_version and version.split(".rules.")[1] == shipped_version.split(".rules.")[1]
    assert _version("crf", monkeypatch) == crf_version  # the CRF path still reads the package's files


def test_ingest_with_models_reads_them_and_its_rows_say_so(
    own_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``quotetrail --models DIR``: the rows a run extracts carry the hash of the model it read."""
    monkeypatch.setenv(model_files.ENV, "")  # the options set both variables in this process: restored after
    shipped_version = _version("encoder", monkeypatch)
    db = tmp_path / "own.db"
    args = ["--db", str(db), "--models", str(own_models), "--tagger", "encoder", "ingest", "--no-claims", str(EXAMPLE)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with open_store(db) as store:
        versions = {r[0] for r in store.conn.execute("SELECT DISTINCT extractor_version FROM quotations")}
    encoder_hash = versions.pop().split("+encoder.")[1][:8]
    assert not versions and f"+encoder.{encoder_hash}." not in shipped_version
    assert encoder_hash == provenance._short_hash(own_models / ENCODER)


def test_a_models_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "x.db"), "--models", str(tmp_path / "nowhere"), "problems"]
    )
    assert result.exit_code == 2 and "nowhere" in result.output
