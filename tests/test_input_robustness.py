"""Regression tests for issue 13: one bad article must not end a run, nothing invalid is stored.

Each case is one of the issue's reproducers (or its close kin), called on the
reader functions and the date stage directly: tagger crashes on odd weekday
spellings and out-of-range arithmetic, JSON that Python's parser chokes on,
lone surrogates, damaged web archives, UTF-16 files, and impossible dates in
headers, JSON fields, sidecars and file names.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from tests.conftest import make_doc

from quotetrail.clean import clean_article
from quotetrail.dates import ago_date, calendar_date, date_quotations, find_dates
from quotetrail.dates.calendar import valid_iso, valid_timex_value
from quotetrail.dates.tagger import Context, find_expressions
from quotetrail.ids import article_id
from quotetrail.ingest.decode import decode_bytes
from quotetrail.ingest.jsonl import parse_json, parse_jsonl
from quotetrail.ingest.sidecar import Sidecar
from quotetrail.ingest.text import date_from_filename, parse_text, read_text
from quotetrail.ingest.warc import parse_warc
from quotetrail.model import Article, InputError, Quotation, Span
from quotetrail.pipeline import extract

QUOTE = "„Wir bleiben dabei, ganz klar.“"
ARTICLE = (
    "Die Nato will keine Soldaten in die Ukraine schicken. Das sagte Generalsekretär Jens Stoltenberg "
    "am Mittwoch in Brüssel. „Wir haben keine Pläne, Truppen zu entsenden“, sagte er."
)


def split(items: Iterable[Article | InputError]) -> tuple[list[Article], list[InputError]]:
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, InputError)]


def assert_valid_dates(text: str, published: str | None) -> dict[str, str | None]:
    """Run the whole extraction; every value and ``said_on`` must be valid. Returns expression → value."""
    article = clean_article(Article(id="", source="t.txt", text=text, published=published, language="de"))
    result = extract(article)
    for mention in result.dates:
        assert mention.value is None or valid_timex_value(mention.value), mention
    for quotation in result.quotations:
        assert quotation.said_on is None or valid_iso(quotation.said_on), quotation
    return {m.text: m.value for m in result.dates}


# --- the temporal tagger -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "expression", "value"),
    [
        (f"Er sagte am Sonnabendmorgen: {QUOTE}", "2024-05-22", "Sonnabendmorgen", "2024-05-18TMO"),
        (f"Er sagte am SONNTAGmorgen: {QUOTE}", "2024-05-22", "SONNTAGmorgen", "2024-05-19TMO"),
        (f"Er sagte am MONTAGabend: {QUOTE}", "2024-05-22", "MONTAGabend", "2024-05-20TEV"),
        (f"Er sagte am Montagfrüh: {QUOTE}", "2024-05-22", "Montagfrüh", "2024-05-20TMO"),
        (f"Er sagte gestern: {QUOTE}", "0001-01-01", "gestern", None),
        (f"Er sagte in der Nacht zum Sonnabend: {QUOTE}", "2024-13-45", "Nacht zum Sonnabend", None),
        (f"Er sagte in der Nacht zum Montag: {QUOTE}", "0001-01-01", "Nacht zum Montag", None),
        (f"Er sagte um 20 Uhr: {QUOTE}", "2024-13", "20 Uhr", None),
        (f"Er sagte nächstes Jahr: {QUOTE}", "9999-12-31", "nächstes Jahr", None),
        (f"Er sagte nächste Woche: {QUOTE}", "9999-12-31", "nächste Woche", None),
        (f"Er sagte im nächsten Jahrzehnt: {QUOTE}", "9999", "nächsten Jahrzehnt", None),
        (f"Er sagte am 31.02.2024: {QUOTE}", "2024-05-22", "31.02.2024", None),
        (f"Er sagte am 1.1.0000: {QUOTE}", "2024-05-22", "1.1.0000", None),
        (f"Er sagte im Sommer 0000: {QUOTE}", "2024-05-22", "Sommer 0000", None),
        (f"Er sagte am 31.12.9999: {QUOTE}", "2024-05-22", "31.12.9999", "9999-12-31"),
    ],
    ids=[
        "sonnabendmorgen",
        "SONNTAGmorgen",
        "MONTAGabend",
        "montagfrueh-short-compound",
        "gestern-on-year-1",
        "nacht-zum-on-invalid-dct",
        "nacht-zum-before-year-1",
        "clock-time-on-invalid-month-dct",
        "next-year-after-9999",
        "next-week-after-9999",
        "next-decade-after-9999",
        "february-31",
        "year-0",
        "season-year-0",
        "last-day-of-9999-is-valid",
    ],
)
def test_tagger_gives_a_valid_value_or_none(text: str, published: str, expression: str, value: str | None) -> None:
    assert assert_valid_dates(text, published)[expression] == value


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        (f"Er sagte vor 1000000 Tagen: {QUOTE}", "1000000 Tagen"),
        (f"Er sagte vor 1000000 Wochen: {QUOTE}", "1000000 Wochen"),
        (f"Er sagte vor 20000 Jahren: {QUOTE}", "20000 Jahren"),
    ],
    ids=["million-days-ago", "million-weeks-ago", "before-year-1"],
)
def test_ago_beyond_the_calendar_does_not_date_the_quotation(text: str, expression: str) -> None:
    doc = make_doc(text, "2024-05-22")
    dates = find_dates(doc)
    assert any(d.text == expression for d in dates)
    start = text.index("„")
    quotation = Quotation("", "Direct", (Span(start, len(text)),), cue=(Span(3, 8),))
    [dated] = date_quotations(doc, [quotation], dates)
    assert dated.said_on == "2024-05-22" and dated.said_on_text is None  # the publication date, not a crash


def test_5000_digit_count_is_a_duration_without_a_date() -> None:
    # The tagger alone: analysing a 5,000-character token is the morphology's cost, not the tagger's.
    text = f"Er sagte vor {'9' * 5000} Tagen: {QUOTE}"
    [mention] = [m for m in find_expressions(text, lambda _: Context("2024-05-22")) if m.type == "DURATION"]
    assert mention.value == f"P{'9' * 5000}D"
    assert ago_date(text, mention, "2024-05-22") is None


def test_last_week_of_9999_is_no_calendar_date() -> None:
    # found by fuzzing: "diese Woche" on 9999-12-31 is 9999-W52, whose Sunday is in year 10000
    assert calendar_date("9999-W52") is None
    assert assert_valid_dates(f"Er sagte diese Woche: {QUOTE}", "9999-12-31")["diese Woche"] == "9999-W52"


def test_invalid_publication_date_is_ignored_by_the_date_stage() -> None:
    doc = make_doc(f"Er sagte am Mittwoch: {QUOTE}", "2024-02-31")
    [mention] = find_dates(doc)
    assert mention.value is None


# --- the one date validator --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024", "2024-05", "2024-02-29", "0001-01-01", "9999-12-31"])
def test_real_dates_are_valid(value: str) -> None:
    assert valid_iso(value)


@pytest.mark.parametrize(
    "value",
    [
        "2024-13",
        "2024-00",
        "2024-02-31",
        "2023-02-29",
        "0000",
        "10000",
        "2024-5",
        "2024-05-22T10:00",
        "",
        " 2024",
        None,
    ],
)
def test_impossible_dates_are_invalid(value: str | None) -> None:
    assert not valid_iso(value)


# --- readers: JSON ---------------------------------------------------------------------------------


def test_lone_surrogate_is_replaced_and_the_article_kept() -> None:
    [article] = parse_json(r'{"text": "Er sagte: \u201eJa \ud800 gut.\u201c"}', "s.json")
    assert article.text == "Er sagte: „Ja \ufffd gut.“"
    assert len(clean_article(article).id) == 20


def test_article_id_does_not_fail_on_a_lone_surrogate() -> None:
    assert article_id("Ja \ud800 gut.") != article_id("Ja \udc00 gut.")


def test_deeply_nested_json_is_an_invalid_document() -> None:
    [error] = parse_json("[" * 100_000 + "]" * 100_000, "deep.json")
    assert isinstance(error, InputError) and "nested deeper than" in error.reason


def test_deeply_nested_jsonl_line_is_reported_and_the_other_lines_read() -> None:
    lines = [json.dumps({"text": ARTICLE}), "[" * 100_000 + "]" * 100_000, json.dumps({"text": ARTICLE + " Ende."})]
    articles, [error] = split(parse_jsonl(iter(lines), "feed.jsonl"))
    assert len(articles) == 2
    assert error.reason.startswith("line 2: invalid JSON (nested deeper than")


def test_5000_digit_date_is_dropped_and_reported() -> None:
    text = '{"text": "' + ARTICLE + '", "date": ' + "1" * 5000 + "}"
    [article], [error] = split(parse_json(text, "big.json"))
    assert article.published is None
    assert error.path == "big.json" and "5,000-digit number" in error.reason and "kept" in error.reason


def test_5000_digit_number_anywhere_does_not_stop_the_file() -> None:
    text = json.dumps([{"text": ARTICLE, "views": 1}, {"text": ARTICLE + " Ende."}]).replace(
        '"views": 1', '"views": ' + "7" * 5000
    )
    articles, errors = split(parse_json(text, "list.json"))
    assert len(articles) == 2 and errors == []


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('{"text": NaN}', "holds a number (nan)"),
        ('{"text": Infinity}', "holds a number (inf)"),
        ('{"text": 42}', "holds a number (42)"),
        ('{"text": ' + "4" * 5000 + "}", "5,000-digit number"),
        ('{"text": true}', "holds a true/false"),
        ('{"body": {"de": "Text"}}', "'body' holds a JSON object"),
        ('{"text": "   "}', "'text' is blank"),
    ],
    ids=["nan", "infinity", "integer", "5000-digit-integer", "bool", "object", "blank"],
)
def test_text_that_is_not_a_string_is_refused(raw: str, words: str) -> None:
    [error] = parse_json(raw, "odd.json")
    assert isinstance(error, InputError) and words in error.reason


def test_paragraph_list_is_text() -> None:
    [article] = parse_json(json.dumps({"text": ["Erster Absatz.", "Zweiter Absatz."]}), "p.json")
    assert article.text == "Erster Absatz.\n\nZweiter Absatz."


def test_nan_title_is_no_title() -> None:
    [article] = parse_json('{"text": "' + ARTICLE + '", "title": NaN}', "t.json")
    assert article.title is None


# --- dates at every entry point -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "bad"),
    [(" date 2024-13", "2024-13"), (" date 2024-02-31", "2024-02-31"), (" date 2024-13-45", "2024-13-45")],
    ids=["month-13", "february-31", "month-13-day-45"],
)
def test_invalid_header_date_keeps_the_article_and_reports_the_value(header: str, bad: str) -> None:
    [article], [error] = split(read_text(f"{header}\n{ARTICLE}\n", "s.txt"))
    assert article.published is None and article.published_source is None
    assert article.text == ARTICLE
    assert error.path == "s.txt" and repr(bad) in error.reason and "kept" in error.reason
    assert parse_text(f"{header}\n{ARTICLE}\n", "s.txt").published is None


def test_valid_header_date_reports_nothing() -> None:
    [article] = read_text(f" date 2024-05-22\n{ARTICLE}\n", "s.txt")
    assert (article.published, article.published_source) == ("2024-05-22", "header")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31.02.2024", "there is no day 2024-02-31"),
        ("2024-13", "there is no month 13"),
        ("0001-01-01", "year 0001 is outside"),
        ("gestern", "not a date"),
    ],
    ids=["february-31", "month-13", "placeholder-year-1", "word"],
)
def test_invalid_json_date_keeps_the_article_and_reports_the_value(value: str, reason: str) -> None:
    lines = [json.dumps({"text": ARTICLE, "datePublished": value})]
    [article], [error] = split(parse_jsonl(iter(lines), "feed.jsonl"))
    assert article.published is None
    assert (
        error.reason.startswith("line 1: field 'datePublished'")
        and repr(value) in error.reason
        and reason in error.reason
    )


def test_rss_pubdate_is_read() -> None:
    [article] = parse_json(json.dumps({"text": ARTICLE, "pubDate": "Wed, 22 May 2024 10:00:00 +0200"}), "rss.json")
    assert article.published == "2024-05-22"


def test_sidecar_with_impossible_date_names_line_value_and_reason(tmp_path: Path) -> None:
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text("path,published\na.txt,2024-01-09\nb.txt,2024-02-31\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        Sidecar(sidecar)
    assert "line 3" in caught.value.reason and "'2024-02-31'" in caught.value.reason
    assert "no day 2024-02-31" in caught.value.reason


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"path,outlet\na.txt,Der Standard \xe4\n", "not UTF-8"),
        (b"path,outlet\na.txt," + b"x" * 200_000 + b"\n", "invalid sidecar CSV"),
    ],
    ids=["latin-1", "field-over-csv-limit"],
)
def test_unreadable_sidecar_is_an_input_error(tmp_path: Path, content: bytes, words: str) -> None:
    sidecar = tmp_path / "meta.csv"
    sidecar.write_bytes(content)
    with pytest.raises(InputError, match=words):
        Sidecar(sidecar)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dpa-2024-02-31.txt", None),
        ("2024-02-31-korrigiert-2024-02-28.txt", "2024-02-28"),
        ("dpa-2023-06-14-rasmussen.txt", "2023-06-14"),
    ],
    ids=["impossible", "first-real-one", "real"],
)
def test_file_name_dates_are_real_dates(name: str, expected: str | None) -> None:
    assert date_from_filename(name) == expected


# --- readers: encodings ------------------------------------------------------------------------------

TEXT = " date 2024-05-22\nEr sagte: „Wir bleiben dabei, ganz klar.“ Größe und Übung.\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-16"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
        TEXT.encode("utf-32"),
        TEXT.encode("utf-32-le"),
    ],
    ids=["utf-16-bom-le", "utf-16-bom-be", "utf-16-le-no-bom", "utf-16-be-no-bom", "utf-32-bom", "utf-32-le-no-bom"],
)
def test_utf16_and_utf32_are_text_not_binary(data: bytes) -> None:
    assert decode_bytes(data, "u.txt") == TEXT


@pytest.mark.parametrize(
    "data",
    [b"abc\x00\x00\x00def" * 10, bytes(range(256)) * 8, b"\x01\x00\x02\x00\x03\x00" * 200],
    ids=["nul-runs", "all-bytes", "16-bit-integers"],
)
def test_binary_with_nul_bytes_is_still_binary(data: bytes) -> None:
    with pytest.raises(InputError, match="not a text file"):
        decode_bytes(data, "b.txt")


# --- readers: web archives ----------------------------------------------------------------------


def write_warc(path: Path, records: int, compressed: bool = True) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compressed)
        for i in range(records):
            html = f"<html><body><article><p>Meldung {i}. {ARTICLE}</p><p>{ARTICLE}</p></article></body></html>"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            payload = io.BytesIO(html.encode())
            writer.write_record(
                writer.create_warc_record(f"https://example.org/{i}", "response", payload=payload, http_headers=headers)
            )
    return path.read_bytes()


def record_starts(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(rb"WARC/1\.[01]\r\n", data)]


def test_truncated_warc_gz_keeps_what_was_read_and_says_how_far(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "whole.warc.gz", 10)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole[: len(whole) - 100])  # inside the last record's gzip member
    articles, [error] = split(parse_warc(cut, 10_000_000))
    assert len(articles) == 9
    assert error.path == str(cut)
    assert error.reason.startswith("records 1-9 read, then: truncated gzip stream")


@pytest.mark.parametrize("offset", [30, 400], ids=["cut-in-headers", "cut-in-content"])
def test_truncated_plain_warc_says_how_far(tmp_path: Path, offset: int) -> None:
    whole = write_warc(tmp_path / "whole.warc", 5, compressed=False)
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole[: record_starts(whole)[4] + offset])
    articles, [error] = split(parse_warc(cut, 10_000_000))
    assert len(articles) == 4
    assert re.match(r"records 1-[45] read, then: ", error.reason), error.reason


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("garbage.warc", b"this is not a warc file at all\n" * 20, "not a WARC record"),
        ("notgz.warc.gz", b"this is not gzip\n" * 20, "unknown format"),
        ("broken.warc.gz", b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, "damaged gzip data"),
        ("header-only.warc.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "truncated gzip stream"),
    ],
    ids=["garbage-warc", "warc-gz-not-gzip", "damaged-gzip", "gzip-header-only"],
)
def test_unreadable_archive_is_one_error_naming_the_file(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [error] = parse_warc(path, 10_000_000)
    assert isinstance(error, InputError) and error.path == str(path)
    assert error.reason.startswith("not a readable web archive") and words in error.reason


def test_complete_archive_reports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ok.warc.gz"
    write_warc(path, 3)
    articles, errors = split(parse_warc(path, 10_000_000))
    assert len(articles) == 3 and errors == []


def test_archive_gzipped_as_one_stream_says_how_to_fix_it(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "plain.warc", 3, compressed=False)
    path = tmp_path / "one.warc.gz"
    path.write_bytes(gzip.compress(plain))
    articles, [error] = split(parse_warc(path, 10_000_000))
    assert len(articles) == 1
    assert error.reason.startswith("record 1 read, then: the archive is gzipped as one stream")
    assert "warcio recompress" in error.reason
