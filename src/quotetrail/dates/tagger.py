"""Find German time expressions and normalise them the TimeML way.

Rules, not a model: German date expressions are a closed, regular grammar
(numbers, month and weekday names, a few dozen relative words), which
HeidelTime showed rules handle well.  The vocabulary is data
(``data/date_words.tsv``).  Relative expressions are resolved against the
document creation time (DCT) and never made finer than the DCT allows: with a
month-only DCT, "am Mittwoch" resolves to that month, and with no DCT it
stays unresolved (value ``None``).  An invalid DCT counts as none, and an
expression whose value would not be a real date in years 1..9999 ("vor
1000000 Tagen", "gestern" on 0001-01-01) gets no value: every value leaves
through ``calendar.valid_timex_value`` (issue 13).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from ..lexicons import load_lexicon
from ..model import DateMention
from .calendar import add_days, add_months, iso, parse_iso, valid_day, valid_timex_value, week_value


@cache
def _words() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for row in load_lexicon("date_words"):
        out.setdefault(row["kind"], {})[row["word"]] = row["value"]
    return out


def _alt(kind: str, capitalised: bool = False) -> str:
    words = _words()[kind]
    if capitalised:  # nouns: month and weekday names are written with a capital
        words = {w.capitalize(): v for w, v in words.items()} | {w.upper(): v for w, v in words.items()}
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


@dataclass(frozen=True)
class Context:
    """What resolution needs: the DCT and the tense around the expression."""

    dct: str | None
    tense: str = "present"  # past, present, future


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    month = _alt("month", capitalised=True)
    weekday = _alt("weekday", capitalised=True)
    daypart = _alt("daypart")
    number = _alt("number")
    unit = _alt("unit")
    vague = _alt("vague")
    setw = _alt("set")
    season = _alt("season")
    rel = r"(?:letzte[nmrs]?|vergangene[nmrs]?|vorige[nmrs]?|nächste[nmrs]?|kommende[nmrs]?|diese[nmrs]?|laufende[nmrs]?|selbe[nmrs]?|gleiche[nmrs]?)"
    art = r"(?:(?:der|die|das|den|dem|des)\s+)?"
    specs = [
        (
            "weekday_date",
            rf"\b(?P<wd>{weekday}),?\s+(?:de[nm]\s+)?(?P<d>\d{{1,2}})\.\s*(?P<m>{month})\b\.?(?:\s+(?P<y>\d{{4}}))?",
        ),
        ("numeric_date", r"\b(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})\b"),
        ("iso_date", r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
        ("day_month", rf"\b(?P<d>\d{{1,2}})\.\s*(?P<m>{month})\b\.?(?:\s+(?P<y>\d{{4}}))?"),
        ("mod_month", rf"\b(?P<mod>Anfang|Mitte|Ende)\s+(?P<m>{month})\b(?:\s+(?P<y>\d{{4}}))?"),
        ("mod_year", r"\b(?P<mod>Anfang|Mitte|Ende)\s+(?P<y>(?:19|20)\d{2})\b"),
        ("mod_rel", rf"\b(?P<mod>Anfang|Mitte|Ende)\s+(?P<rel>{rel})\s+(?P<unit>Monats|Jahres|Woche)\b"),
        ("month_rel", rf"\b(?P<m>{month})\s+(?P<rel>dieses|letzten|vergangenen|nächsten|kommenden)\s+Jahres\b"),
        ("month_year", rf"\b(?P<m>{month})\s+(?P<y>\d{{4}})\b"),
        ("season_year", rf"\b(?P<s>{season})\s+(?P<y>\d{{4}})\b"),
        ("year_word", r"\b(?:Jahr(?:es)?)\s+(?P<y>(?:19|20)\d{2})\b"),
        ("time", r"\b(?P<h>[01]?\d|2[0-3])(?:[.:](?P<min>[0-5]\d))?\s*Uhr\b"),
        (
            "time_range_start",
            r"\b(?P<h>[01]?\d|2[0-3])(?:[.:](?P<min>[0-5]\d))?(?=\s*[-–]\s*(?:[01]?\d|2[0-3])(?:[.:][0-5]\d)?\s*Uhr\b)",
        ),
        (
            "daypart_alone",
            r"(?:(?<=\b[Aa]m )(?:Vormittag|Nachmittag|Abend)|(?<=\b[Ii]n der )Nacht(?!\s+(?:zum|auf))|(?<=\bÜber )Nacht)\b",
        ),
        (
            "vague_duration",
            rf"\b(?:(?:den|die) (?:vergangenen|letzten|kommenden|nächsten) (?:(?P<n>{number}) )?|lange )(?P<unit>Jahre|Jahren|Jahrzehnten|Monate|Monaten|Wochen|Tage|Tagen)\b|(?<=\b[Ss]eit )(?P<unit2>Jahren|Jahrzehnten|Monaten|Wochen|Tagen)\b",
        ),
        ("ex", r"\bEx(?=-[A-ZÄÖÜ])"),
        (
            "yesterday_part",
            r"\b(?P<rel>gestern|heute|morgen|vorgestern)\s+(?P<dp>Abend|Nacht|Morgen|Vormittag|Nachmittag|Mittag|früh)\b",
        ),
        ("night_to", rf"\bNacht\s+(?:zum|auf\s+den)\s+(?P<wd>{weekday})\b"),
        ("relday", r"\b(?P<rel>vorgestern|gestern|heute|übermorgen|heuer)\b"),
        ("morgen", r"(?<![Aa]m )(?<![Dd]en )(?<![Dd]er )\bmorgen\b(?!\s+(?:früh|abend))"),
        (
            "rel_unit",
            rf"\b{art}(?:(?P<ord>ersten|zweiten|dritten|vierten|fünften)\s+)?(?P<rel>{rel})\s+(?P<unit>Tag|Woche|Wochenende|Monat|Monats|Jahr|Jahres|Jahrzehnt)\b",
        ),
        ("duration", rf"\b(?P<pre>fast\s+|rund\s+|über\s+|knapp\s+)?(?P<n>\d+|{number})\s+(?P<unit>{unit})\b"),
        ("setday", rf"\b[Jj]eden\s+(?P<wd>{weekday})\b"),
        ("setword", rf"\b(?P<w>{setw})\b"),
        ("weekday", rf"\b(?P<wd>{weekday})(?P<dp>{daypart})?\b"),
        ("month", rf"\b(?P<m>{month})\b"),
        ("season", rf"\b(?P<s>{season})\b"),
        ("year", r"(?<![\d.,/])(?P<y>(?:19|20)\d{2})(?![\d.,]\d)"),
        ("vague", rf"\b(?P<v>{vague})\b"),
    ]
    case_sensitive = {
        "month",
        "weekday",
        "morgen",
        "weekday_date",
        "day_month",
        "mod_month",
        "month_rel",
        "month_year",
        "night_to",
        "setday",
    }
    return [(name, re.compile(pattern, 0 if name in case_sensitive else re.IGNORECASE)) for name, pattern in specs]


def _num(text: str) -> str:
    low = text.lower()
    if low.isdigit():  # not int(): a 5,000-digit number would exceed Python's int-to-str limit
        return low.lstrip("0") or "0"
    return _words()["number"].get(low, "X")


def _month(text: str) -> int:
    key = text.lower().rstrip(".")
    return int(_words()["month"].get(key, _words()["month"].get(key[:3], "0")))


def _weekday(text: str) -> int:
    low = text.lower()
    for word, value in _words()["weekday"].items():
        if low.startswith(word):
            return int(value)
    return 0


def _daypart(text: str) -> str | None:
    low = text.lower()
    for word, value in sorted(_words()["daypart"].items(), key=lambda kv: -len(kv[0])):
        if (low.endswith(word) and low != word) or low == word:
            return value
    return None


def _dct_day(ctx: Context) -> dt.date | None:
    parts = parse_iso(ctx.dct)
    if parts and parts[1] and parts[2] and valid_day(parts[0], parts[1], parts[2]):
        return dt.date(parts[0], parts[1], parts[2])
    return None


def _coarse(ctx: Context) -> str | None:
    """The DCT itself: the finest honest value for a relative day when the DCT has no day (None if invalid)."""
    return ctx.dct if parse_iso(ctx.dct) else None


def _year_for_month(month: int, ctx: Context) -> int | None:
    parts = parse_iso(ctx.dct)
    if not parts:
        return None
    year, dct_month, _ = parts
    if dct_month is None:
        return year
    if ctx.tense == "past" and month > dct_month:
        return year - 1
    if ctx.tense == "future" and month < dct_month:
        return year + 1
    # present tense: a month far behind the DCT month in news usually means next year's
    if ctx.tense == "present" and dct_month - month > 6:
        return year + 1
    return year


def _resolve_weekday(weekday: int, ctx: Context) -> str | None:
    day = _dct_day(ctx)
    if day is None:
        return _coarse(ctx)
    delta = weekday - day.isoweekday()
    if ctx.tense == "past":
        if delta > 0:
            delta -= 7
    elif ctx.tense == "future":
        if delta < 0:
            delta += 7
    else:  # present: the nearest occurrence, ties to the future
        if delta < -3:
            delta += 7
        elif delta > 3:
            delta -= 7
    return _day_value(add_days(day, delta))


def _day_value(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _rel_sign(rel: str) -> int:
    low = rel.lower()
    if low.startswith(("letzt", "vergangen", "vorig")):
        return -1
    if low.startswith(("nächst", "kommend")):
        return 1
    return 0


def shift(unit: str, sign: int, ctx: Context, n: int = 1) -> str | None:
    """DCT moved by ``sign * n`` units, at the unit's granularity (never finer than the DCT)."""
    parts = parse_iso(ctx.dct)
    if not parts:
        return None
    year, month, _ = parts
    unit = unit.lower()
    if unit.startswith("jahrzehnt"):
        decade = (year + 10 * sign * n) // 10
        return f"{decade:03d}" if 0 <= decade <= 999 else None
    if unit.startswith("jahr"):
        return iso(year + sign * n)
    if month is None:
        return iso(year) if sign == 0 else None
    if unit.startswith("monat"):
        y, m = add_months(year, month, sign * n)
        return iso(y, m)
    date = _dct_day(ctx)
    if date is None:
        return iso(year, month) if sign == 0 else None
    if unit.startswith("woche"):
        moved = add_days(date, 7 * sign * n)
        return week_value(moved) + ("-WE" if unit == "wochenende" else "") if moved else None
    if unit == "tag":
        return _day_value(add_days(date, sign * n))
    return None


def normalise(name: str, m: re.Match[str], ctx: Context) -> tuple[str, str | None]:
    """TimeML ``(type, value)`` of one match; value ``None`` when it cannot be resolved honestly."""
    g = m.groupdict()
    if name in {"weekday_date", "day_month", "numeric_date", "iso_date"}:
        month = _month(g["m"]) if not g["m"].isdigit() else int(g["m"])
        day = int(g["d"])
        year = int(g["y"]) if g.get("y") else _year_for_month(month, ctx)
        if g.get("y") and len(g["y"]) == 2:
            year = 2000 + int(g["y"])
        if year is None or not valid_day(year, month, day):
            return "DATE", None
        return "DATE", iso(year, month, day)
    if name in {"mod_month", "month_year", "month"}:
        month = _month(g["m"])
        year = int(g["y"]) if g.get("y") else _year_for_month(month, ctx)
        return "DATE", iso(year, month) if year else None
    if name == "month_rel":
        parts = parse_iso(ctx.dct)
        if not parts:
            return "DATE", None
        return "DATE", iso(parts[0] + _rel_sign(g["rel"]), _month(g["m"]))
    if name in {"mod_year", "year_word", "year"}:
        return "DATE", g["y"]
    if name == "mod_rel":
        unit = {"monats": "monat", "jahres": "jahr", "woche": "woche"}[g["unit"].lower()]
        return "DATE", shift(unit, _rel_sign(g["rel"]), ctx)
    if name in {"season_year", "season"}:
        season = _words()["season"][g["s"].lower()]
        if g.get("y"):
            return "DATE", f"{g['y']}-{season}"
        parts = parse_iso(ctx.dct)
        return "DATE", f"{parts[0]}-{season}" if parts else None
    if name in ("time", "time_range_start"):
        minute = g.get("min") or "00"
        day = _dct_day(ctx)
        return "TIME", f"{day.isoformat()}T{int(g['h']):02d}:{minute}" if day else _coarse(ctx)
    if name == "yesterday_part":
        offset = {"vorgestern": -2, "gestern": -1, "heute": 0, "morgen": 1}[g["rel"].lower()]
        day = _dct_day(ctx)
        part = _daypart(g["dp"])
        if day is None:
            return "TIME", _coarse(ctx)
        moved = add_days(day, offset)
        return "TIME", f"{moved.isoformat()}T{part}" if moved else None
    if name == "relday":
        rel = g["rel"].lower()
        if rel == "heuer":
            parts = parse_iso(ctx.dct)
            return "DATE", iso(parts[0]) if parts else None
        offset = {"vorgestern": -2, "gestern": -1, "heute": 0, "übermorgen": 2}[rel]
        day = _dct_day(ctx)
        return "DATE", _day_value(add_days(day, offset)) if day else _coarse(ctx)
    if name == "morgen":
        day = _dct_day(ctx)
        return "DATE", _day_value(add_days(day, 1)) if day else _coarse(ctx)
    if name == "night_to":
        value = _resolve_weekday(_weekday(g["wd"]), ctx)
        parts = parse_iso(value)
        if parts and parts[1] and parts[2]:  # the night before the named day
            before = _day_value(add_days(dt.date(parts[0], parts[1], parts[2]), -1))
            return "TIME", before + "TNI" if before else None
        return "TIME", value
    if name == "rel_unit":
        unit = g["unit"].lower()
        unit = {"monats": "monat", "jahres": "jahr"}.get(unit, unit)
        return "DATE", shift(unit, _rel_sign(g["rel"]), ctx)
    if name == "daypart_alone":
        day = _dct_day(ctx)
        part = _daypart(m.group(0))
        return "TIME", f"{day.isoformat()}T{part}" if day else _coarse(ctx)
    if name == "vague_duration":
        unit = _words()["unit"][(g.get("unit") or g.get("unit2") or "").lower()]
        n = _num(g["n"]) if g.get("n") else "X"
        return "DURATION", f"P{n}{unit}"
    if name == "ex":
        return "DATE", "PAST_REF"
    if name == "duration":
        n = _num(g["n"])
        unit = _words()["unit"][g["unit"].lower()]
        if unit in {"H", "MIN"}:
            return "DURATION", f"PT{n}{'M' if unit == 'MIN' else 'H'}"
        return "DURATION", f"P{n}{unit}"
    if name == "setday":
        return "SET", f"XXXX-WXX-{_weekday(g['wd'])}"
    if name == "setword":
        return "SET", _words()["set"][g["w"].lower()]
    if name == "weekday":  # "Freitag", "Sonnabendmorgen", "MONTAGabend"
        value = _resolve_weekday(_weekday(g["wd"]), ctx)
        part = _daypart(g["dp"]) if g.get("dp") else None
        if part and value and len(value) == 10:
            return "TIME", f"{value}T{part}"
        return "DATE", value
    if name == "vague":
        return "DATE", _words()["vague"][g["v"].lower()]
    return "DATE", None


def find_expressions(text: str, ctx_for: object) -> list[DateMention]:
    """All non-overlapping time expressions in ``text``, leftmost-longest by pattern priority.

    ``ctx_for(start)`` returns the resolution Context for an expression at ``start``.
    """
    # characters already in an expression: one lookup per match (a list of spans made an article with
    # thousands of dates, a table or a calendar, quadratic)
    taken = bytearray(len(text))
    found: list[DateMention] = []
    for name, pattern in _patterns():
        for m in pattern.finditer(text):
            start, end = m.span()
            if end == start or taken.find(1, start, end) >= 0:
                continue
            if (
                name == "month"
                and m.group(0) in {"Mai", "März"}
                and not re.search(r"\b(im|Anfang|Ende|Mitte|seit|bis|ab)\s+$", text[max(0, start - 8) : start])
            ):
                continue  # "Mai"/"März" are also names; require a preposition
            if name == "morgen" and text[start:end] != "morgen":
                continue
            ctx = ctx_for(start)  # type: ignore[operator]
            kind, value = normalise(name, m, ctx)
            if value is not None and not valid_timex_value(value):
                value = None  # e.g. "am 31.12.9999" read as "Montag, 1. Januar" of year 10000
            needs = name not in {
                "numeric_date",
                "iso_date",
                "mod_year",
                "year_word",
                "year",
                "duration",
                "setword",
                "setday",
                "vague",
                "vague_duration",
                "ex",
            } and not (m.groupdict().get("y"))
            taken[start:end] = b"\x01" * (end - start)
            found.append(DateMention(start, end, m.group(0), kind, value, needs_dct=needs))
    found.sort(key=lambda d: d.start)
    return _anchor_times(text, found)


def _anchor_times(text: str, found: list[DateMention]) -> list[DateMention]:
    """A clock time belongs to the day named just before it in the same sentence ("am 3. Juni um 20 Uhr")."""
    out: list[DateMention] = []
    last_day: DateMention | None = None
    for mention in found:
        if mention.type == "DATE" and mention.value and re.match(r"^\d{4}-\d{2}-\d{2}$", mention.value):
            last_day = mention
        elif (
            mention.type == "TIME"
            and mention.value
            and "T" in mention.value
            and last_day is not None
            and (mention.text[:1].isdigit() or mention.text in {"Vormittag", "Nachmittag", "Abend", "Nacht"})
        ):
            between = text[last_day.end : mention.start]
            if len(between) < 100 and not re.search(r"[.!?]\s", between):
                clock = mention.value.split("T", 1)[1]
                mention = DateMention(
                    mention.start,
                    mention.end,
                    mention.text,
                    mention.type,
                    f"{last_day.value}T{clock}",
                    mention.needs_dct,
                )
        out.append(mention)
    return out
