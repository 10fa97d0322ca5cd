"""Find and resolve German time expressions, and date quotations by them.

``find_dates`` tags every time expression of an article (``tagger.py``)
against the publication date, choosing past or future by the tense of the
sentence (``tense.py``).  ``date_quotations`` gives each quotation the date
of the expression governing its cue or frame: an expression inside the
quoted words is about something else ("Als ich letzte Woche die Ukraine
besuchte…") and does not date the statement.  Without one, the publication
date is used; without that, the quotation stays undated.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace

from ..model import DateMention, Doc, Quotation, Sentence
from .calendar import add_days, parse_iso, valid_iso
from .tagger import Context, find_expressions, shift
from .tense import sentence_tense

_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(T.*)?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})(-WE)?$")
_CALENDAR = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def find_dates(doc: Doc) -> list[DateMention]:
    """Every time expression in ``doc``, normalised against ``doc.article.published``."""
    starts = [s.start for s in doc.sentences]
    tenses = [sentence_tense(doc.sentence_tokens(s)) for s in doc.sentences]
    dct = doc.article.published

    def ctx_for(offset: int) -> Context:
        index = bisect_right(starts, offset) - 1
        return Context(dct, tenses[index] if index >= 0 else "present")

    return find_expressions(doc.text, ctx_for)


def calendar_date(value: str | None) -> str | None:
    """A TimeML value as a calendar date at day, month or year granularity, or None.

    Times keep their day; a week becomes its month when it lies within one
    month, else its year; seasons become their year; vague references
    (PAST_REF...) and durations are not dates.  Whatever comes out is a real
    date (``calendar.valid_iso``), since it may become a stored ``said_on``.
    """
    if not value:
        return None
    if m := _DAY.match(value):
        return m.group(1) if valid_iso(m.group(1)) else None
    if _CALENDAR.match(value):
        return value if valid_iso(value) else None
    if m := _WEEK.match(value):
        year, week = int(m.group(1)), int(m.group(2))
        try:
            monday = dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            return None
        sunday = add_days(monday, 6)
        if sunday is None:  # the last week of 9999 ends in year 10000: neither one month nor one year
            return None
        if monday.month == sunday.month:
            return f"{monday.year:04d}-{monday.month:02d}"
        return f"{monday.year:04d}" if monday.year == sunday.year else None
    if re.match(r"^\d{4}-(SP|SU|FA|WI)$", value):
        return value[:4] if valid_iso(value[:4]) else None
    return None


_AGO_UNITS = {"D": "tag", "W": "woche", "M": "monat", "Y": "jahr"}


def ago_date(text: str, mention: DateMention, dct: str | None) -> str | None:
    """The date of "vor zwei Wochen": a duration right after "vor", counted back from the DCT.

    ``None`` when that lies outside years 1..9999: more than eight digits
    ("vor 1000000000 Tagen") never fit, and are not even converted to int.
    """
    if mention.type != "DURATION" or not text[max(0, mention.start - 4) : mention.start].lower().endswith("vor "):
        return None
    m = re.match(r"^P(\d{1,8})(D|W|M|Y)$", mention.value or "")
    if not m:
        return None
    return calendar_date(shift(_AGO_UNITS[m.group(2)], -1, Context(dct), int(m.group(1))))


def _inside(offset: int, quotation: Quotation) -> bool:
    return any(s.start <= offset < s.end for s in quotation.spans)


def date_quotations(doc: Doc, quotations: list[Quotation], dates: list[DateMention]) -> list[Quotation]:
    """Give each quotation ``said_on``: its governing expression, else the publication date.

    The sentence of a quotation's anchor and the date mentions inside it are
    found by bisection, so dating costs in proportion to the article, not to
    quotations × sentences (a 1 MB text has thousands of both).
    """
    published = doc.article.published if parse_iso(doc.article.published) else None
    sentences = doc.sentences
    starts = [s.start for s in sentences]
    by_start = sorted(range(len(dates)), key=lambda i: dates[i].start)
    date_starts = [dates[i].start for i in by_start]
    out = []
    for q in quotations:
        anchors = [s.start for s in (*q.cue, *q.frame)] or [q.start]
        anchor = anchors[0]
        sentence = _sentence_at(sentences, starts, anchor)
        chosen: DateMention | None = None
        if sentence is not None:
            candidates = []
            lo, hi = bisect_left(date_starts, sentence.start), bisect_left(date_starts, sentence.end)
            for i in sorted(by_start[lo:hi]):  # in the order of ``dates``: ties go to the earlier, as before
                d = dates[i]
                if _inside(d.start, q):
                    continue
                value = calendar_date(d.value) if d.type in ("DATE", "TIME") else ago_date(doc.text, d, published)
                if value:
                    candidates.append((abs(d.start - anchor), d, value))
            if candidates:
                _, chosen, chosen_value = min(candidates, key=lambda c: c[0])
        if chosen is not None:
            out.append(replace(q, said_on=chosen_value, said_on_text=chosen.text))
        else:
            out.append(replace(q, said_on=published, said_on_text=None))
    return out


def _sentence_at(sentences: Sequence[Sentence], starts: list[int], offset: int) -> Sentence | None:
    """The first sentence with ``start <= offset < end + 1`` (sentences are sorted and do not overlap)."""
    i = bisect_right(starts, offset) - 1
    if i > 0 and offset < sentences[i - 1].end + 1:
        i -= 1
    if i < 0 or not offset < sentences[i].end + 1:
        return None
    return sentences[i]
