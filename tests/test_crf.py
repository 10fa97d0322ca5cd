"""The taggers' CRF engine: quotetrail's reading of crfsuite models must tag exactly as pycrfsuite does.

Exactly means the same labels and bit-identical marginal probabilities: the thresholds
on probabilities (quotations kept, fallback speakers) must not move with the engine.
"""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pycrfsuite
import pytest
from tests.conftest import EXAMPLES, make_doc

from quotetrail.model import Span
from quotetrail.quotations.attribution import covered, own_features, sentence_index, window
from quotetrail.quotations.crf import open_tagger, read_model
from quotetrail.quotations.features import Features, base_features
from quotetrail.quotations.learned import ATTRIBUTION_MODEL, QUOTE_MODEL, models_dir


def _crfsuite(path: Path) -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def _reference(tagger: pycrfsuite.Tagger, items: list[dict]) -> tuple[list[str], dict[str, list[float]]]:
    tags = tagger.tag(items)
    return tags, {label: [tagger.marginal(label, t) for t in range(len(items))] for label in tagger.labels()}


@pytest.fixture(scope="module", params=["compiled", "pycrfsuite"])
def engine(request: pytest.FixtureRequest) -> str:
    if request.param == "compiled":
        try:
            import quotetrail._crf  # noqa: F401
        except ImportError:
            pytest.skip("quotetrail._crf was not built (no C compiler at install time)")
    return request.param


@pytest.fixture(scope="module")
def demo_features() -> list[Features]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    return [base_features(make_doc(text)) for text in texts]


def test_the_compiled_engine_is_built_where_a_c_compiler_is() -> None:
    """The install builds it wherever it can; a silent fallback would make tagging slower."""
    if not shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0]):
        pytest.skip("no C compiler here")
    tagger = open_tagger(models_dir() / QUOTE_MODEL)
    assert type(tagger).__module__ == "quotetrail._crf"


@pytest.mark.parametrize("model", [QUOTE_MODEL, ATTRIBUTION_MODEL])
def test_the_model_file_is_read_as_crfsuite_has_it(model: str) -> None:
    weights = read_model(models_dir() / model)
    info = _crfsuite(models_dir() / model).info()
    assert weights.labels == tuple(_crfsuite(models_dir() / model).labels())
    state = {}
    for a, attribute in enumerate(weights.attributes):
        for k in range(weights.starts[a], weights.starts[a + 1]):
            state[attribute, weights.labels[weights.state_labels[k]]] = weights.state_weights[k]
    # crfsuite's dump prints weights to six decimals
    assert state.keys() == info.state_features.keys()
    assert all(abs(state[key] - value) < 1e-6 for key, value in info.state_features.items())
    L = len(weights.labels)
    for (a, b), value in info.transitions.items():
        assert abs(weights.transitions[weights.labels.index(a) * L + weights.labels.index(b)] - value) < 1e-6


@pytest.mark.parametrize("model", [QUOTE_MODEL, ATTRIBUTION_MODEL])
def test_labels_and_probabilities_are_pycrfsuites(engine: str, model: str, demo_features: list[Features]) -> None:
    """Every paragraph of the demo articles, every label's marginals, compared bit for bit."""
    tagger = open_tagger(models_dir() / model, compiled=engine == "compiled")
    reference = _crfsuite(models_dir() / model)
    for features in demo_features:
        for items in features:
            tags, marginals = _reference(reference, items)
            sequence = tagger.scores(items)
            assert sequence.tag() == tags
            assert {label: sequence.marginals(label) for label in marginals} == marginals


def test_a_window_extending_base_scores_is_tagged_as_its_features_together(engine: str) -> None:
    """The attribution tagger sums base features once per article; each quotation's window adds its
    own.  That must give what crfsuite gives the window's tokens with all their features."""
    text = (
        "Der Tag begann ruhig. Der Sprecher sagte der Presse, der Fahrer sei verletzt. Er werde operiert. "
        "„Wir wissen mehr am Abend“, fügte er hinzu. Danach regnete es."
    )
    doc = make_doc(text)
    flat = [f for sequence in base_features(doc) for f in sequence]
    tagger = open_tagger(models_dir() / ATTRIBUTION_MODEL, compiled=engine == "compiled")
    reference = _crfsuite(models_dir() / ATTRIBUTION_MODEL)
    base = tagger.scores(flat)
    sentence_of = sentence_index(doc)
    other = [False] * len(doc.tokens)
    for phrase, kind in (("der Fahrer sei verletzt", "Indirect"), ("Wir wissen mehr am Abend", "Direct")):
        start = text.index(phrase)
        quote = set(covered(doc, [Span(start, start + len(phrase))]))
        tokens = window(doc, sentence_of, min(quote), max(quote))
        assert tokens.start > 0 or tokens.stop < len(doc.tokens)  # a true window, not the whole text
        own = own_features(doc, flat, sentence_of, quote, kind, other, tokens)
        tags, marginals = _reference(reference, [{**flat[i], **f} for i, f in zip(tokens, own, strict=True)])
        sequence = tagger.extend(base, tokens.start, own)
        assert sequence.tag() == tags
        assert {label: sequence.marginals(label) for label in marginals} == marginals
        assert "B-speaker" in tags or "B-cue" in tags  # the window is really tagged with roles
    with pytest.raises(IndexError):
        tagger.extend(base, len(doc.tokens) - 1, [{"a_rel": "in"}, {"a_rel": "in"}])


def test_a_small_model_trained_here_is_read_and_tagged_alike(tmp_path: Path, engine: str) -> None:
    """Not only the shipped models: labels, transitions, weighted and unknown attributes, names and
    values with ":" in them, of a fresh model."""
    trainer = pycrfsuite.Trainer(verbose=False)
    data = [
        (["w:der", "w:hund", "w:bellt", "w:laut"], ["DET", "N", "V", "ADV"]),
        (["w:die", "w:katze", "w:schläft"], ["DET", "N", "V"]),
        (["w:er", "w:bellt"], ["PRON", "V"]),
    ]
    for words, labels in data:
        trainer.append([{"w": w[2:], "bias": 1.0, "-1:suf": w[-2:], "len": len(w) / 4} for w in words], labels)
    trainer.set_params({"c1": 0.0, "c2": 0.01, "max_iterations": 50, "feature.possible_transitions": True})
    path = tmp_path / "toy.crfsuite"
    trainer.train(str(path))
    tagger, reference = open_tagger(path, compiled=engine == "compiled"), _crfsuite(path)
    for items in (
        [{"w": "der", "bias": 1.0}, {"w": "katze", "bias": 1.0, "unbekannt": 1.0}, {"w": "bellt", "len": 0.0}],
        [{"nichts": "da"}],
        [{"w": "die", "len": 2.5}, {"w": "hund"}, {"w": "schläft", "-1:suf": "ft"}, {"-1": "suf:ut", "w:": "laut"}],
    ):
        tags, marginals = _reference(reference, items)
        sequence = tagger.scores(items)
        assert sequence.tag() == tags
        assert {label: sequence.marginals(label) for label in marginals} == marginals


def test_a_damaged_model_file_is_refused_with_its_name(tmp_path: Path) -> None:
    model = (models_dir() / QUOTE_MODEL).read_bytes()
    for name, content in (("short.crfsuite", model[:20]), ("cut.crfsuite", model[:5000]), ("text.crfsuite", b"x" * 60)):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=name):
            read_model(path)
