"""Draw a timeline as inline SVG: one row per speaker, statements as marks along a date axis.

Drawn on the server so the page needs no JavaScript library.  A mark spans
the period its date stands for: a day-dated statement is a narrow mark, a
month-dated one spans its month, a year-dated one its year; that is how the
chart stays honest about granularity.  Each mark links to the statement in
its article and carries the quotation as its tooltip.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from html import escape

from ..model import LedgerRow

COLOURS = {
    "Direct": "#1f77b4",
    "Indirect": "#ff7f0e",
    "FreeIndirect": "#2ca02c",
    "IndirectFreeIndirect": "#9467bd",
    "Reported": "#8c564b",
    "affirms": "#2ca02c",
    "denies": "#d62728",
    "hedges": "#ff7f0e",
}


def period(iso: str) -> tuple[dt.date, dt.date]:
    """First and last day a date string stands for."""
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        return first, first.replace(day=calendar.monthrange(parts[0], parts[1])[1])
    day = dt.date(parts[0], parts[1], parts[2])
    return day, day


def render_timeline(rows: list[LedgerRow], colour_by: dict[str, str] | None = None, width: int = 960) -> str:
    """SVG markup for dated ``rows``; ``colour_by`` maps quotation ids to a key of COLOURS (default: type)."""
    dated = [r for r in rows if r.said_on]
    if not dated:
        return ""
    speakers: list[str] = []
    for r in dated:
        name = r.speaker or r.speaker_mention or "unbekannt"
        if name not in speakers:
            speakers.append(name)
    starts = [period(r.said_on)[0] for r in dated]  # type: ignore[arg-type]
    ends = [period(r.said_on)[1] for r in dated]  # type: ignore[arg-type]
    lo, hi = min(starts), max(ends)
    lo = dt.date(lo.year, 1, 1) if (hi - lo).days > 400 else lo.replace(day=1)
    hi = dt.date(hi.year, 12, 31) if (hi - lo).days > 400 else hi
    span_days = max((hi - lo).days + 1, 1)
    label_w, row_h, top = 180, 28, 24
    plot_w = width - label_w - 20
    height = top + row_h * len(speakers) + 30

    def x(day: dt.date, after: bool = False) -> float:
        """Position of the start of ``day`` (or of its end: ordinals, so 9999-12-31 has an end too)."""
        return label_w + plot_w * (day.toordinal() + int(after) - lo.toordinal()) / span_days

    out = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="Timeline of statements">'
    ]
    for i, name in enumerate(speakers):
        y = top + i * row_h
        out.append(f'<text x="4" y="{y + 18}" class="tl-speaker">{escape(name[:28])}</text>')
        out.append(f'<line x1="{label_w}" x2="{width - 20}" y1="{y + row_h / 2}" y2="{y + row_h / 2}" class="tl-row"/>')
    step = max(1, math.ceil((hi.year - lo.year + 1) / 30))  # at most about 30 year ticks, whatever the range
    for year in range(lo.year, hi.year + 1, step):
        tick = max(dt.date(year, 1, 1), lo)
        out.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top - 6}" y2="{height - 24}" class="tl-tick"/>')
        out.append(f'<text x="{x(tick) + 2:.1f}" y="{height - 8}" class="tl-year">{year}</text>')
    for r in dated:
        first, last = period(r.said_on)  # type: ignore[arg-type]
        x0, x1 = x(first), x(last, after=True)
        w = max(x1 - x0, 6.0)
        y = top + speakers.index(r.speaker or r.speaker_mention or "unbekannt") * row_h + 5
        key = (colour_by or {}).get(r.quotation_id, r.type)
        colour = COLOURS.get(key, "#555")
        tip = f"{r.said_on} · {r.speaker or r.speaker_mention or 'unbekannt'} ({r.type}): {r.text}"
        out.append(
            f'<a href="/article/{escape(r.article_id)}#q-{escape(r.quotation_id)}" class="tl-mark">'
            f'<rect x="{x0:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 10}" rx="3" fill="{colour}" fill-opacity="0.75">'
            f"<title>{escape(tip)}</title></rect></a>"
        )
    out.append("</svg>")
    return "".join(out)
