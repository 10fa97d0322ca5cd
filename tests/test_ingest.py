"""Reading articles from files: formats, metadata, and every kind of bad input."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest

from quotetrail.ingest import read_paths
from quotetrail.model import Article, Problem

ARTICLE = (
    "Die Nato will keine Soldaten in die Ukraine schicken. Das sagte Generalsekretär Jens Stoltenberg "
    "am Mittwoch in Brüssel. „Wir haben keine Pläne, Truppen zu entsenden“, sagte er."
)


def read(*paths: Path, **kwargs: object) -> tuple[list[Article], list[Problem]]:
    items = list(read_paths(paths, **kwargs))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Problem)]


def test_header_line_gives_month_and_stays_in_the_text(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(" date 2024-05 Stoltenberg: Keine Truppen für die Ukraine\n\n" + ARTICLE, encoding="utf-8")
    [article], problems = read(f)
    assert problems == []
    assert article.published == "2024-05"
    assert article.published_source == "header"
    assert article.title == "Stoltenberg: Keine Truppen für die Ukraine"
    assert article.text.startswith("Stoltenberg: Keine Truppen für die Ukraine")
    assert "date 2024-05" not in article.text


def test_header_lead_paragraph_is_kept_as_text(tmp_path: Path) -> None:
    f = tmp_path / "b.txt"
    f.write_text(
        " date 2022-02 Die Nato schließt eine Unterstützung aus. „Wir haben keine Pläne“, sagte er.\n\nMehr Text folgt hier.",
        encoding="utf-8",
    )
    [article], _ = read(f)
    assert article.text.startswith("Die Nato schließt eine Unterstützung aus. „Wir haben keine Pläne“")
    assert article.title is None


def test_filename_date_when_nothing_better(tmp_path: Path) -> None:
    f = tmp_path / "dpa-2023-06-14-rasmussen.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    [article], _ = read(f)
    assert (article.published, article.published_source) == ("2023-06-14", "filename")


def test_sidecar_overrides_outlet_and_date(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text("path,outlet,published\na.txt,Spiegel,2022-01-09\n", encoding="utf-8")
    [article], _ = read(tmp_path / "a.txt", sidecar=sidecar)
    assert (article.outlet, article.published, article.published_source) == ("Spiegel", "2022-01-09", "sidecar")


def test_sidecar_with_bad_date_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text("path,published\na.txt,gestern\n", encoding="utf-8")
    articles, problems = read(tmp_path / "a.txt", sidecar=sidecar)
    assert len(articles) == 1
    assert "line 2" in problems[0].reason and "gestern" in problems[0].reason


ENGLISH = "The minister said on Monday that the government has no plans to send troops to Ukraine."


def test_a_language_given_with_the_article_overrides_detection(tmp_path: Path) -> None:
    """Detection can misread a short or list-like German text; a JSON field or sidecar column settles it."""
    records = [{"text": ENGLISH}, {"text": ENGLISH, "language": "de-DE"}, {"text": ENGLISH, "lang": "bogus tag"}]
    f = tmp_path / "a.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    detected, given, unreadable = read(f)[0]
    assert (detected.language, given.language, unreadable.language) == ("en", "de", "en")

    (tmp_path / "b.txt").write_text(ENGLISH, encoding="utf-8")
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text("path,language\nb.txt,DE_at\n", encoding="utf-8")
    [article], problems = read(tmp_path / "b.txt", sidecar=sidecar)
    assert article.language == "de" and problems == []


def test_sidecar_with_unreadable_language_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text(ENGLISH, encoding="utf-8")
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text("path,language\nb.txt,Deutsch!\n", encoding="utf-8")
    _, problems = read(tmp_path / "b.txt", sidecar=sidecar)
    assert "line 2" in problems[0].reason and "Deutsch!" in problems[0].reason


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Nato: Keine Truppen | DER SPIEGEL</title>"
        '<meta property="og:site_name" content="DER SPIEGEL"><meta name="date" content="2024-05-22">'
        '<meta name="author" content="Anna Beispiel"></head><body><nav>Startseite Politik Ausland</nav>'
        f"<article><h1>Nato: Keine Truppen</h1><p>{ARTICLE}</p><p>Er betonte, die Allianz werde die Ukraine "
        "weiter unterstützen, aber nicht mit eigenen Soldaten.</p></article><footer>Impressum</footer></body></html>"
    )
    f = tmp_path / "nato.html"
    f.write_text(page, encoding="utf-8")
    [article], problems = read(f)
    assert problems == []
    assert article.published == "2024-05-22"
    assert article.outlet == "Spiegel"
    assert article.author == "Anna Beispiel"
    assert "Stoltenberg" in article.text
    assert "Impressum" not in article.text


def test_truncated_html_is_an_error_or_an_article_never_a_crash(tmp_path: Path) -> None:
    f = tmp_path / "cut.html"
    f.write_text("<html><body><p>Der Kanzler sag", encoding="utf-8")
    articles, problems = read(f)
    assert len(articles) + len(problems) == 1
    if problems:
        assert "cut.html" in problems[0].path and "HTML" in problems[0].reason


def test_jsonl_field_mapping_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "body": ARTICLE,
                "headline": "Keine Truppen",
                "url": "https://example.org/a",
                "publisher": "dpa",
                "datePublished": "2024-05-22T10:15:00Z",
            }
        ),
        "{this is not json",
        json.dumps({"title": "ohne Text"}),
        json.dumps({"text": "Die Ministerin sagte, sie sei zufrieden mit dem Ergebnis der Verhandlungen."}),
    ]
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, problems = read(f)
    assert len(articles) == 2
    first = articles[0]
    assert (first.title, first.url, first.outlet, first.published) == (
        "Keine Truppen",
        "https://example.org/a",
        "dpa",
        "2024-05-22",
    )
    reasons = sorted(p.reason for p in problems)
    assert reasons[0].startswith("line 2: invalid JSON")
    assert reasons[1].startswith("line 3: no article text")


def test_json_list_of_articles(tmp_path: Path) -> None:
    f = tmp_path / "list.json"
    f.write_text(
        json.dumps({"articles": [{"text": ARTICLE, "date": "22.05.2024"}, {"content": ARTICLE + " Ende."}]}),
        encoding="utf-8",
    )
    articles, problems = read(f)
    assert problems == [] and len(articles) == 2
    assert articles[0].published == "2024-05-22"


def test_json_impossible_date_is_reported_and_the_article_kept(tmp_path: Path) -> None:
    # issue 13: "31.02.2024" was stored as "2024-02-31"
    f = tmp_path / "feb.json"
    f.write_text(json.dumps({"text": ARTICLE, "date": "31.02.2024"}), encoding="utf-8")
    [article], [problem] = read(f)
    assert article.published is None
    assert problem.path.endswith("feb.json") and "'31.02.2024'" in problem.reason


def test_text_header_with_impossible_date_is_reported_and_the_article_kept(tmp_path: Path) -> None:
    f = tmp_path / "s.txt"
    f.write_text(" date 2024-13\n" + ARTICLE, encoding="utf-8")
    [article], [problem] = read(f)
    assert article.published is None
    assert problem.path.endswith("s.txt") and "'2024-13'" in problem.reason


def test_malformed_json_file(tmp_path: Path) -> None:
    f = tmp_path / "broken.json"
    f.write_text('{"text": "Die Nato', encoding="utf-8")
    articles, [problem] = read(f)
    assert articles == []
    assert problem.path.endswith("broken.json") and "invalid JSON" in problem.reason


def test_warc_archive(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    f = tmp_path / "crawl.warc.gz"
    with f.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        html = f"<html><head><title>Nato</title></head><body><article><p>{ARTICLE}</p><p>{ARTICLE}</p></article></body></html>".encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            "https://example.org/nato", "response", payload=io.BytesIO(html), http_headers=headers
        )
        writer.write_record(record)
    [article], problems = read(f)
    assert problems == []
    assert article.url == "https://example.org/nato"
    assert "Stoltenberg" in article.text
    cut = tmp_path / "cut.warc.gz"  # issue 13: a cut archive lost its last records without a word
    cut.write_bytes(f.read_bytes()[:-100])
    _, [problem] = read(cut)
    assert problem.path.endswith("cut.warc.gz") and "truncated gzip stream" in problem.reason


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("latin-1", b""), ("cp1252", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("utf-16-le", b"")],
    ids=["latin-1", "cp1252", "utf-8-bom", "utf-16-bom", "utf-16-le-no-bom"],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = (
        "Die Außenministerin äußerte sich „überrascht“ über die Größe der Übung."
        if encoding != "latin-1"
        else "Die Außenministerin äußerte sich überrascht über die Größe der Übung."
    )
    f = tmp_path / f"{encoding}.txt"
    f.write_bytes(prefix + text.encode(encoding))
    [article], problems = read(f)
    assert problems == []
    assert article.text == text


def test_mixed_encoding_file_keeps_both_parts(tmp_path: Path) -> None:
    f = tmp_path / "mixed.txt"
    f.write_bytes(
        "Erster Absatz über die Außenpolitik.\n\n".encode() + "Zweiter Absatz: Größe und Übung.".encode("cp1252")
    )
    [article], _ = read(f)
    assert "Außenpolitik" in article.text and "Größe und Übung" in article.text


def test_binary_empty_missing_and_too_large(tmp_path: Path) -> None:
    (tmp_path / "bild.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x00\x00def" * 10)
    (tmp_path / "leer.txt").write_bytes(b"")
    big = tmp_path / "riesig.txt"
    with big.open("wb") as handle:  # sparse: 100 MB without writing 100 MB
        handle.seek(100_000_000)
        handle.write(b"x")
    (tmp_path / "gut.txt").write_text(ARTICLE, encoding="utf-8")
    articles, problems = read(tmp_path, tmp_path / "fehlt.txt")
    assert len(articles) == 1
    by_file = {Path(p.path).name: p.reason for p in problems}
    assert "unsupported file type" in by_file["bild.png"]
    assert "not a text file" in by_file["nul.txt"]
    assert by_file["leer.txt"] == "empty file"
    assert "too large" in by_file["riesig.txt"] and "--max-bytes" in by_file["riesig.txt"]
    assert by_file["fehlt.txt"] == "no such file or folder"


def test_big_jsonl_is_streamed_not_rejected(tmp_path: Path) -> None:
    f = tmp_path / "many.jsonl"
    with f.open("w", encoding="utf-8") as handle:
        for i in range(300):
            handle.write(json.dumps({"text": f"Meldung {i}: Die Regierung sagte, sie prüfe den Vorschlag."}) + "\n")
    articles, problems = read(f, max_bytes=10_000)
    assert len(articles) == 300 and problems == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    f = tmp_path / "geheim.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    f.chmod(0)
    _, [problem] = read(f)
    assert "cannot read" in problem.reason


def test_same_content_same_id_changed_content_new_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "c.txt").write_text(ARTICLE + " Nachtrag.", encoding="utf-8")
    a, b, c = read(tmp_path)[0]
    assert a.id == b.id != c.id


def test_gzip_text_is_refused_clearly(tmp_path: Path) -> None:
    f = tmp_path / "text.txt"
    f.write_bytes(gzip.compress(ARTICLE.encode()))
    _, [problem] = read(f)
    assert "gzip" in problem.reason


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"], ids=["with-bom", "without-bom"])
def test_utf16_jsonl_is_read_line_by_line_not_called_binary(tmp_path: Path, codec: str) -> None:
    """Issue 13: a UTF-16 file was called 'binary data'; JSONL in UTF-16 is now decoded as a stream."""
    lines = [json.dumps({"text": ARTICLE, "date": "2024-05-22"}), json.dumps({"text": ARTICLE + " Ende."})]
    path = tmp_path / "wide.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode(codec))
    articles, problems = read(path)
    assert problems == [] and len(articles) == 2
    assert articles[0].published == "2024-05-22" and articles[1].text.endswith("Ende.")
