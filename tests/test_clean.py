"""Cleaning: page debris dropped (and kept for audit), bylines and datelines lifted into metadata."""

from __future__ import annotations

from pathlib import Path

from quotetrail.clean import clean_article
from quotetrail.ingest import read_paths
from quotetrail.model import Article


def clean(text: str, **meta: str) -> Article:
    return clean_article(Article(id="", source="t.txt", text=text, **meta))


def test_consent_notice_photo_credit_and_double_caption_are_removed() -> None:
    text = (
        "Ministerin Müller in Berlin\n\nMinisterin Müller in Berlin\n\nFoto: Max Mustermann / dpa\n\n"
        "Die Ministerin sagte am Montag, sie sei zufrieden.\n\nEmpfohlener externer Inhalt\n"
        "Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden. Damit können personenbezogene Daten an Drittplattformen übermittelt werden.\n\n"
        "Sie kündigte weitere Gespräche an."
    )
    article = clean(text)
    assert article.text == "Die Ministerin sagte am Montag, sie sei zufrieden.\n\nSie kündigte weitere Gespräche an."
    reasons = {r.reason for r in article.removed}
    assert {"consent", "photo-credit", "duplicate-caption"} <= reasons


def test_byline_paragraph_and_bracket_byline() -> None:
    a = clean("Der Kanzler sagte, er sei optimistisch.\n\nsvs/Reuters")
    assert (a.agency, a.byline) == ("Reuters", "svs/Reuters")
    assert "Reuters" not in a.text
    b = clean("Der Kanzler sagte, er sei optimistisch. (afp/red)")
    assert (b.agency, b.byline, b.text) == ("AFP", "afp/red", "Der Kanzler sagte, er sei optimistisch.")


def test_dateline_becomes_metadata() -> None:
    a = clean("Brüssel (dpa) - Die Nato schließt eine militärische Unterstützung aus.")
    assert (a.dateline, a.agency) == ("Brüssel", "dpa")
    assert a.text == "Die Nato schließt eine militärische Unterstützung aus."


def test_bracket_at_end_that_is_no_agency_stays() -> None:
    a = clean("Die Partei hat einen neuen Vorsitzenden gewählt (mehr dazu morgen).")
    assert a.text.endswith("(mehr dazu morgen).") and a.agency is None


def test_non_german_article_is_flagged() -> None:
    a = clean("NATO has no plans to send troops to Ukraine, its secretary general said on Wednesday in Brussels.")
    assert a.language == "en" and not a.is_german


def test_examples_metadata_and_debris(examples_dir: Path) -> None:
    articles = {Path(a.source).name[:3]: a for a in read_paths([examples_dir])}
    assert (articles["003"].agency, articles["003"].dateline, articles["003"].published) == (
        "dpa",
        "Brüssel",
        "2022-02",
    )
    assert articles["001"].agency == "Reuters" and articles["004"].agency == "AFP"
    text = articles["001"].text
    assert "einverstanden" not in text and "JOHN THYS" not in text
    assert "Jens Stoltenberg ist seit Oktober 2014 Generalsekretär der Nato" not in text
    assert "Wir haben keine Pläne, Nato-Kampftruppen in die Ukraine zu entsenden" in text
    assert all(a.language == "de" for a in articles.values())
