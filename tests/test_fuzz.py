"""Extraction of adversarial German never breaks its contract (issue 13).

Hypothesis builds texts from the pieces real news is made of (sentences with
cue verbs, names, roles, date expressions) and from what breaks parsers:
every quote-mark style, nested and unbalanced; mutated case ("SONNTAGmorgen");
control characters, NUL, bidi marks, emoji, lone surrogates, very long
words; date header lines.  For any such text, ``extract``

- raises nothing,
- gives spans inside the text with ``start <= end`` (quotation spans, cue,
  speaker mention, frame, addressee, date and speaker mentions),
- gives ``said_on`` as a real ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) or None,
- takes under 2 s for 10 kB.

CI runs a bounded, derandomised number of examples (``CI_SETTINGS``);
``bench/fuzz.py`` runs the same strategies and checks for as long as asked.
Every failure found becomes a regression test: an ``@example`` here, or a
cost test in ``test_bounded_cost.py``.  One still open in code owned
elsewhere is a ``pytest.mark.xfail(strict=True)`` test naming the fix, so it
fails as soon as the fix lands and the marker can go.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

hypothesis = pytest.importorskip("hypothesis")  # a dev dependency; the suite still runs without it

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from quotetrail.clean import clean_article  # noqa: E402
from quotetrail.ingest.text import parse_text  # noqa: E402
from quotetrail.model import QUOTATION_TYPES, Article, Extraction, InputError, Span  # noqa: E402
from quotetrail.pipeline import extract  # noqa: E402

CI_SETTINGS = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# -- strategies -----------------------------------------------------------------

NAMES = ["Jens Stoltenberg", "Annalena Baerbock", "Olaf Scholz", "Péter Szijjártó", "Frank-Walter Steinmeier"]
ROLES = ["Nato-Generalsekretär", "Außenministerin", "Bundeskanzler", "Regierungssprecher", "Der 74-Jährige"]
SPEAKERS = [*NAMES, *(f"{r} {n}" for r, n in zip(ROLES, NAMES, strict=True)), "er", "sie", "Die Nato", "Reuters"]
CUES = ["sagte", "erklärte", "betonte", "warnte", "teilte mit", "fügte hinzu", "kündigte an", "schrieb"]
DATES = [
    "am Mittwoch",
    "gestern",
    "heute Abend",
    "am 3. Oktober 2023",
    "im Februar",
    "vor zwei Wochen",
    "letzte Woche",
    "Sonnabendmorgen",
    "SONNTAGmorgen",
    "am Montagabend",
    "am 31. Februar",
    "am 29. Februar 2023",
    "am 29.2.2024",
    "2024-05-22",
    "Mitte Mai",
    "Anfang 2024",
    "zum Jahreswechsel 2023/24",
    "in der 53. Kalenderwoche 2021",
    "im Jahr 0",
    "am 1. Januar 10000",
    "am 99.99.9999",
    "übermorgen",
    "seit 1999",
    "in den 90er Jahren",
]
CLAIMS = [
    "die Allianz plane keinen Einsatz",
    "man werde die Ukraine weiter unterstützen",
    "Wir haben keine Pläne, Truppen zu schicken",
    "das sei ein Dammbruch",
    "die Lage bleibe angespannt",
    "Niemand will einen Krieg",
]
#: Every quote-mark style, opening and closing, as German, Swiss, French and English texts use them.
QUOTE_PAIRS = [
    ("„", "“"),
    ("‚", "‘"),
    ("»", "«"),
    ("«", "»"),
    ('"', '"'),
    ("'", "'"),
    ("‹", "›"),
    ("›", "‹"),
    ("“", "”"),
]
#: What breaks parsers: control characters and NUL, bidi and zero-width marks, emoji, lone surrogates.
NOISE = [
    "\x00",
    "\x01",
    "\x07",
    "\x0b",
    "\x0c",
    "\r",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u200b",
    "\ufeff",
    "\u00ad",
    "😀",
    "👩‍👩‍👧",
    "🇩🇪",
    "e\u0301",
    "\ud800",
    "\udfff",
    "\ufffd",
    "ﬁ",
    "ẞ",
    "İ",
]


def _mixed_case(text: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if flip else c for c, flip in zip(text, flips + [False] * len(text), strict=False))


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` as it is, or in upper, lower, swapped, title or random mixed case ("SONNTAGmorgen")."""
    how = draw(st.sampled_from(["same", "same", "upper", "lower", "swap", "title", "mixed"]))
    if how == "mixed":
        return _mixed_case(text, draw(st.lists(st.booleans(), max_size=len(text))))
    return {"same": text, "upper": text.upper(), "lower": text.lower(), "swap": text.swapcase(), "title": text.title()}[
        how
    ]


def pick(options: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(options).flatmap(mutated)


@st.composite
def quoted(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    """Text in quote marks of any style: balanced, nested, or with a mark missing on either side."""
    opening, closing = draw(st.sampled_from(QUOTE_PAIRS))
    body = draw(inner)
    shape = draw(st.sampled_from(["balanced", "balanced", "nested", "open only", "close only", "crossed"]))
    if shape == "nested":
        o2, c2 = draw(st.sampled_from(QUOTE_PAIRS))
        return f"{opening}{body} {o2}{draw(inner)}{c2} {body}{closing}"
    if shape == "open only":
        return f"{opening}{body}"
    if shape == "close only":
        return f"{body}{closing}"
    if shape == "crossed":
        o2, c2 = draw(st.sampled_from(QUOTE_PAIRS))
        return f"{opening}{body} {o2}{draw(inner)}{closing} {c2}"
    return f"{opening}{body}{closing}"


@st.composite
def sentence(draw: st.DrawFn) -> str:
    """A German news sentence with a quotation, its cue, its speaker and a date, in one of the usual orders."""
    speaker, cue, date = draw(pick(SPEAKERS)), draw(pick(CUES)), draw(pick(DATES))
    claim = draw(pick(CLAIMS))
    quote = draw(quoted(st.just(claim)))
    form = draw(st.integers(0, 5))
    return [
        f"{quote}, {cue} {speaker} {date}.",
        f"{speaker} {cue} {date}: {quote}",
        f"{speaker} {cue}, {claim}.",
        f"{claim}, {cue} {speaker}. Das {cue} {speaker} {date}.",
        f"Laut {speaker} {claim}. {date.capitalize()} {claim}.",
        f"{quote} {quote}, {cue} {speaker}, {quote}",
    ][form]


def fragment() -> st.SearchStrategy[str]:
    return st.one_of(
        sentence(),
        sentence(),
        quoted(sentence()),
        pick(DATES),
        pick(SPEAKERS),
        st.sampled_from(NOISE),
        st.sampled_from(["„", "“", "‚", "‘", "»", "«", '"', "'", "‹", "›", "”"]),
        st.builds(
            lambda w, n: w * n, st.sampled_from(["a", "Donaudampfschifffahrt", "„", "-", "😀"]), st.integers(50, 400)
        ),
        st.text(max_size=30),
    )


def adversarial_text(max_fragments: int = 25) -> st.SearchStrategy[str]:
    """Fragments joined by spaces, line and paragraph breaks, or nothing; sometimes after a date header line."""
    header = st.sampled_from(
        ["", "", " date 2024-05 ", "date 2024-13 ", "date 0000 ", "date 2024-02-30 ", "date 9999-12-31 \n\n"]
    )
    separator = st.sampled_from([" ", " ", "", "\n", "\n\n", ", ", "\t"])
    body = st.lists(st.tuples(fragment(), separator), max_size=max_fragments).map(
        lambda parts: "".join(f + s for f, s in parts)
    )
    return st.builds(str.__add__, header, body)


PUBLISHED = st.sampled_from([None, "2024", "2024-05", "2024-05-22", "2024-02-29", "0001-01-01", "9999-12-31"])


def articles(max_fragments: int = 25) -> st.SearchStrategy[Article]:
    """Articles as a caller of ``extract`` may give them: German, any text, dated or not."""
    return st.builds(
        lambda text, published: Article(id="fuzz", source="fuzz.txt", text=text, published=published, language="de"),
        adversarial_text(max_fragments),
        PUBLISHED,
    )


# -- the contract ---------------------------------------------------------------

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def valid_iso_date(value: str) -> bool:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` naming a real day, month or year (from year 1)."""
    m = _ISO.fullmatch(value)
    if not m:
        return False
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def check_extraction(extraction: Extraction) -> None:
    """Every span inside the text, every ``said_on`` a real date or None, every type a known one."""
    text = extraction.article.text

    def inside(what: str, span: Span) -> None:
        assert 0 <= span.start <= span.end <= len(text), f"{what} {span} outside a text of {len(text)} characters"

    for q in extraction.quotations:
        assert q.spans, "a quotation without a span"
        for role in ("spans", "cue", "speaker_mention", "frame", "addressee"):
            for span in getattr(q, role):
                inside(f"quotation {role}", span)
        assert 0 <= q.start <= q.end <= len(text)
        assert q.type in QUOTATION_TYPES, q.type
        assert q.said_on is None or valid_iso_date(q.said_on), f"said_on {q.said_on!r}"
    for d in extraction.dates:
        inside("date mention", d)
        assert d.text == text[d.start : d.end], f"date mention text {d.text!r} is not the text at its span"
    for m in extraction.mentions:
        inside("speaker mention", m)
        assert m.text == text[m.start : m.end], f"speaker mention text {m.text!r} is not the text at its span"


def through_reader(text: str, published: str | None) -> Article | None:
    """``text`` as ``quotetrail ingest`` reads a .txt file (header line, cleaning), taken as German; None if
    the reader refuses it (an InputError is the reader's documented answer, not a crash)."""
    try:
        article = clean_article(replace(parse_text(text, "fuzz.txt"), published=published))
    except InputError:
        return None
    return replace(article, language="de")


# -- properties -------------------------------------------------------------------


@CI_SETTINGS
@given(articles())
def test_extraction_of_adversarial_german_keeps_its_contract(article: Article) -> None:
    check_extraction(extract(article))


@CI_SETTINGS
@given(adversarial_text(), PUBLISHED)
def test_text_read_and_cleaned_like_a_file_keeps_the_contract(text: str, published: str | None) -> None:
    article = through_reader(text, published)
    if article is not None:
        check_extraction(extract(article))


TEN_KB = 10_000


def ten_kilobytes(text: str) -> str:
    """``text`` repeated to 10 kB: the size the issue sets a time ceiling for."""
    text = text or "„a“ "
    return (text * (TEN_KB // len(text) + 1))[:TEN_KB]


@pytest.fixture(scope="module")
def warm() -> None:
    """Models and lexicons loaded before anything is timed: that is paid once per process, not per article."""
    extract(Article(id="w", source="w", text="„Gut“, sagte Scholz am Montag.", language="de"))


@settings(CI_SETTINGS, max_examples=6)
@given(text=adversarial_text(max_fragments=12).map(ten_kilobytes))
@example(text="„a“ " * 2500)  # the case at 10 kB: one sentence of 2,500 quotes
@example(text="„ " * 5000)  # opening marks that never close
@example(text=("Der Nato-Generalsekretär Jens Stoltenberg " * 300)[:TEN_KB])  # one long speaker mention
@example(text="Er sagte, " + "Donaudampfschifffahrt" * 200 + " sei gut.")  # a 4,200-letter word took 9 s
def test_ten_kilobytes_of_adversarial_text_extract_cleanly(warm: None, text: str) -> None:
    """The issue's worst cases at 10 kB give a sound extraction.  Their CPU time (under 2 s per 10 kB) is
    checked by ``bench/fuzz.py``, not here: a timed assertion failed on a loaded CI machine at 2.03 s, and
    linear cost is asserted without clocks by tests/test_bounded_cost.py."""
    check_extraction(extract(Article(id="fuzz", source="fuzz.txt", text=text, language="de")))
