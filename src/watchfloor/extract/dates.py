"""Date mentions resolved against the publication date: regex + calendar arithmetic.

One compiled alternation scans the text once; each branch is resolved by a small
function.  Relative expressions ("on Friday", "yesterday", "last week") need a
reference date (`ref`, the publication date) and are skipped without one.

Precision follows ACLED: 1 a day, 2 a week, 3 a month.  Week-precision dates
are the start of the period meant ("last week" -> ref - 7 days); month-precision
dates are the first of the month.  A day and month without a year take the
latest year that puts them on or before `ref` + 3 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    date: date
    precision: int  # 1 day, 2 week, 3 month
    end_date: date | None = None
    relative: bool = False


_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3, "several": 3,
}
# "a few days ago"/"several" are approximate: precision widens below.
_APPROX = {"a few", "several"}

MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:19[5-9]\d|20\d\d)"
PART = r"(?:\s+(?:night|morning|afternoon|evening|nights?|dawn))?"
NUM = r"(?:\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few|several)"

_SOURCE = (
    rf"""
    (?P<iso>\b(?P<iso_y>{YEAR})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>[0-3]\d)\b)
  | (?P<num>\b(?P<num_a>[0-3]?\d)[/.](?P<num_b>[01]?\d)[/.](?P<num_y>{YEAR})\b)
  | (?P<rdm>\b(?:(?:between|from)\s+)?(?:{WD},?\s+)?(?P<rdm_d1>{DAY})(?:\s+(?P<rdm_m1>{MON}))?\s*(?:and|to|until|till|through|-|–|—)\s*(?:{WD},?\s+)?(?P<rdm_d2>{DAY})\s+(?:of\s+)?(?P<rdm_m2>{MON})(?:,?\s+(?P<rdm_y>{YEAR}))?\b)
  | (?P<rmd>\b(?:(?:between|from)\s+)?(?P<rmd_m1>{MON})\s+(?P<rmd_d1>{DAY})\s*(?:and|to|until|till|through|-|–|—)\s*(?:(?P<rmd_m2>{MON})\s+)?(?P<rmd_d2>{DAY})(?:,?\s+(?P<rmd_y>{YEAR}))?\b)
  | (?P<dm>\b(?:on\s+)?(?:(?P<dm_wd>{WD}),?\s+)?(?:the\s+)?(?P<dm_d>{DAY})\s+(?:of\s+)?(?P<dm_m>{MON})(?:,?\s+(?P<dm_y>{YEAR}))?(?![\w-]))
  | (?P<md>\b(?:on\s+)?(?:(?P<md_wd>{WD}),?\s+)?(?P<md_m>{MON})\s+(?P<md_d>{DAY})(?:,?\s+(?P<md_y>{YEAR}))?(?![\w-]))
  | (?P<my>\b(?:(?P<my_pre>in|during|since|by|until|from|early|late|mid|end of|beginning of|start of)\s+)?(?:-\s*)?(?P<my_m>{MON})\s+(?P<my_y>{YEAR})\b)
  | (?P<wdr>\b(?:on\s+)?(?P<wdr_w1>{WD}){PART}\s+(?:and|or|to|into)\s+(?P<wdr_w2>{WD}){PART}\b)
  | (?P<wd>\b(?:(?P<wd_pre>on|last|this|early|late|next|since|by|until|from)\s+)?(?P<wd_w>{WD})(?:['’]s)?{PART}\b)
  | (?P<ago>\b(?P<ago_n>{NUM})\s+(?P<ago_u>days?|weeks?|months?|years?)\s+(?:ago|earlier|before)\b)
  | (?P<the>\b(?:on\s+)?the\s+(?P<the_d>{DAY})\b(?!\s+(?:of\s+)?{MON})(?![ \t]+(?-i:[A-Z]))(?!\s+(?:division|brigade|corps|regiment|battalion|army|armoured|floor|century|anniversary)\b))
  | (?P<rel>\b(?:the\s+day\s+before\s+yesterday|yesterday|today|tonight|last\s+night|overnight|this\s+(?:morning|afternoon|evening)|earlier\s+(?:today|this\s+week|this\s+month|this\s+year)|(?:last|this|past|previous)\s+(?:week|month|weekend)|(?:late|early)\s+last\s+(?:week|month)|(?:at\s+the\s+)?(?:weekend)|a\s+week\s+ago)\b)
  | (?P<inm>\b(?P<inm_pre>in|during|since|early|late|mid|until|by|end\s+of|beginning\s+of|start\s+of)(?:\s+|-)(?P<inm_m>{MON})(?![\w-]))
    """
)
_PATTERN = re.compile(_SOURCE, re.I | re.X)
# the same without the range branches, to re-read a range that did not resolve
_PATTERN_SINGLE = re.compile(
    "\n".join(line for line in _SOURCE.splitlines() if not re.match(r"\s*\|\s*\(\?P<(?:rdm|rmd|wdr)>", line)),
    re.I | re.X,
)


def _month(tok: str) -> int | None:
    return _MONTHS.get(tok.lower().rstrip("."))


def _day(tok: str) -> int:
    return int(re.match(r"\d+", tok).group(0))


def _capital_month(tok: str | None) -> bool:
    """Month names must be capitalised ("may" and "march" are words)."""
    return bool(tok) and tok[0].isupper()


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _infer_year(m: int, d: int, ref: date | None) -> date | None:
    """The latest year that puts (m, d) on or before ref (+3 days)."""
    if ref is None:
        return None
    limit = ref + timedelta(days=3)
    for y in (ref.year + 1, ref.year, ref.year - 1, ref.year - 2):
        dt = _safe(y, m, d)
        if dt and dt <= limit:
            return dt
    return None


def _month_year(m: int, ref: date | None) -> date | None:
    if ref is None:
        return None
    y = ref.year if m <= ref.month else ref.year - 1
    return date(y, m, 1)


def _last_weekday(wd: int, ref: date, strictly_before: bool = False) -> date:
    delta = (ref.weekday() - wd) % 7
    if strictly_before and delta == 0:
        delta = 7
    return ref - timedelta(days=delta)


def _range_precision(a: date, b: date) -> int:
    span = (b - a).days
    return 1 if span == 0 else 2 if span <= 7 else 3


def _number(tok: str) -> int:
    t = " ".join(tok.lower().split())
    return int(t) if t.isdigit() else _NUMBERS.get(t, 1)


# Cheap case-sensitive anchors: a date expression always contains one of these.
# The full pattern is then tried only at the anchor and a few words before it.
_ANCHOR = re.compile(
    r"\b(?:(?P<mon>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[a-zA-Z]*\.?)"
    r"|(?P<wd>(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)"
    r"|(?P<rel>[Yy]esterday|[Tt]oday|[Tt]onight|[Oo]vernight|[Nn]ight|[Mm]orning|[Aa]fternoon|[Ee]vening|[Ww]eek(?:end)?|[Mm]onth|ago)"
    r"|(?P<iso>\d{4}-\d\d-\d\d|\d{1,2}[/.]\d{1,2}[/.]\d{4})"
    r"|(?P<ord>\d{1,2}(?:st|nd|rd|th))"
    r")\b"
)
_WORD = re.compile(r"[^\W_]+")
_BACK = {"mon": 4, "wd": 2, "rel": 3, "iso": 0, "ord": 2}


def _resolve_safe(m, ref):
    try:
        return _resolve(m.lastgroup, m, m.group, ref)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def find_dates(text: str, ref: date | None) -> list[DateMention]:
    """Date mentions in text order; relative ones resolved against ref."""
    out: list[DateMention] = []
    done = 0
    for a in _ANCHOR.finditer(text):
        ap = a.start()
        if ap < done:
            continue
        back = _BACK[a.lastgroup]
        starts = []
        if back:
            lo = max(done, ap - 40)
            starts = [w.start() for w in _WORD.finditer(text, lo, ap)][-back:]
        starts.append(ap)
        for st in starts:
            m = _PATTERN.match(text, st)
            if m is None or m.end() <= ap:
                continue
            dm = _resolve_safe(m, ref)
            if dm is None and m.lastgroup in ("rdm", "rmd", "wdr"):
                for m2 in _PATTERN_SINGLE.finditer(text, m.start(), m.end()):
                    dm2 = _resolve_safe(m2, ref)
                    if dm2 is not None:
                        out.append(dm2)
                        done = dm2.end
                if done > ap:
                    break
                continue
            if dm is None:
                continue
            out.append(dm)
            done = m.end()
            break
    return out


def _mk(m, start_date, precision, end_date=None, relative=False, span=None) -> DateMention:
    s, e = span if span else (m.start(), m.end())
    return DateMention(start=s, end=e, text=m.string[s:e], date=start_date, precision=precision,
                       end_date=end_date, relative=relative)


_FUTURE = re.compile(r"\b(?:will|would|shall|is\s+(?:due|set|scheduled|expected)\s+to|are\s+(?:due|set|scheduled|expected)\s+to|to\s+be\s+held)\b", re.I)


def _clause_before(m, reach: int = 40) -> str:
    """The words just before a match, back to the start of its clause (a weekday's tense lives there)."""
    before = m.string[max(0, m.start() - reach):m.start()]
    cut = max(before.rfind(c) for c in ".;:,\n")
    return before[cut + 1:]


def _strip_on(m) -> tuple[int, int]:
    """Span without a leading 'on '/'between '/'from ' (the date words only)."""
    s, e = m.start(), m.end()
    head = re.match(r"(?:on|between|from)\s+", m.string[s:e], re.I)
    return (s + head.end(), e) if head else (s, e)


def _resolve(kind, m, g, ref: date | None) -> DateMention | None:
    if kind == "iso":
        dt = _safe(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
        return _mk(m, dt, 1) if dt else None
    if kind == "num":
        a, b, y = int(g("num_a")), int(g("num_b")), int(g("num_y"))
        dt = _safe(y, b, a) if b <= 12 else _safe(y, a, b)  # day/month/year, as written in the region
        return _mk(m, dt, 1) if dt else None
    if kind in ("rdm", "rmd"):
        p = kind
        m1_tok, m2_tok = g(f"{p}_m1"), g(f"{p}_m2")
        if not _capital_month(m1_tok or m2_tok) or (m1_tok and not _capital_month(m1_tok)):
            return None
        d1, d2 = _day(g(f"{p}_d1")), _day(g(f"{p}_d2"))
        mon2 = _month(m2_tok) if m2_tok else _month(m1_tok)
        mon1 = _month(m1_tok) if m1_tok else mon2
        if p == "rmd" and not m2_tok:
            mon2 = mon1
        y = g(f"{p}_y")
        if y:
            end = _safe(int(y), mon2, d2)
            start = _safe(int(y) - (1 if mon1 > mon2 else 0), mon1, d1)
        else:
            end = _infer_year(mon2, d2, ref) if ref else None
            start = _safe(end.year - (1 if mon1 > mon2 else 0), mon1, d1) if end else None
        if not start or not end or end < start:
            return None
        return _mk(m, start, _range_precision(start, end), end, relative=not y, span=_strip_on(m))
    if kind in ("dm", "md"):
        p = kind
        mtok = g(f"{p}_m")
        if not _capital_month(mtok):
            return None
        mon, d = _month(mtok), _day(g(f"{p}_d"))
        y = g(f"{p}_y")
        dt = _safe(int(y), mon, d) if y else _infer_year(mon, d, ref)
        if dt is None:
            return None
        return _mk(m, dt, 1, relative=not y, span=_strip_on(m))
    if kind == "my":
        mtok = g("my_m")
        if not _capital_month(mtok):
            return None
        return _mk(m, date(int(g("my_y")), _month(mtok), 1), 3)
    if ref is None:
        return None
    if kind == "wdr":
        w1, w2 = _WEEKDAYS[g("wdr_w1").lower()], _WEEKDAYS[g("wdr_w2").lower()]
        if not g("wdr_w1")[0].isupper():
            return None
        end = _last_weekday(w2, ref)
        start = end - timedelta(days=(w2 - w1) % 7)
        return _mk(m, start, _range_precision(start, end), end, relative=True, span=_strip_on(m))
    if kind == "wd":
        w = g("wd_w")
        if not w[0].isupper():
            return None
        pre = (g("wd_pre") or "").lower()
        if pre in ("next", "since", "until", "by", "from") or _FUTURE.search(_clause_before(m)):
            return None  # "the curfew will start on Tuesday": a day to come dates no event
        dt = _last_weekday(_WEEKDAYS[w.lower()], ref, strictly_before=(pre == "last"))
        return _mk(m, dt, 1, relative=True, span=_strip_on(m))
    if kind == "ago":
        n, unit = _number(g("ago_n")), g("ago_u").lower()
        approx = " ".join(g("ago_n").lower().split()) in _APPROX
        if unit.startswith("day"):
            return _mk(m, ref - timedelta(days=n), 2 if approx else 1, relative=True)
        if unit.startswith("week"):
            return _mk(m, ref - timedelta(days=7 * n), 3 if approx else 2, relative=True)
        if unit.startswith("year"):  # "the attack a year ago": history, to the month at best
            return _mk(m, _safe(ref.year - n, ref.month, 1), 3, relative=True)
        y, mo = ref.year, ref.month - n
        while mo < 1:
            mo += 12
            y -= 1
        return _mk(m, date(y, mo, 1), 3, relative=True)
    if kind == "the":
        d = _day(g("the_d"))
        if not re.search(r"(?:st|nd|rd|th)$", g("the_d")):
            return None  # "the 5" is not a date; "the 13th" is
        dt = _safe(ref.year, ref.month, d)
        if dt is None or dt > ref + timedelta(days=3):
            py, pm = (ref.year, ref.month - 1) if ref.month > 1 else (ref.year - 1, 12)
            dt = _safe(py, pm, d)
        return _mk(m, dt, 1, relative=True, span=_strip_on(m)) if dt else None
    if kind == "rel":
        t = " ".join(m.group(0).lower().split())
        if t in ("today", "tonight", "this morning", "this afternoon", "this evening", "earlier today"):
            return _mk(m, ref, 1, relative=True)
        if t == "yesterday":
            return _mk(m, ref - timedelta(days=1), 1, relative=True)
        if t == "the day before yesterday":
            return _mk(m, ref - timedelta(days=2), 1, relative=True)
        if t in ("last night", "overnight"):
            return _mk(m, ref - timedelta(days=1), 1, relative=True)
        if t in ("last week", "past week", "previous week", "a week ago", "late last week", "early last week"):
            return _mk(m, ref - timedelta(days=7), 2, relative=True)
        if t in ("this week", "earlier this week"):
            return _mk(m, ref - timedelta(days=ref.weekday()), 2, relative=True)
        if t in ("last weekend", "this weekend", "weekend", "at the weekend", "past weekend", "previous weekend"):
            sat = _last_weekday(5, ref, strictly_before=(t == "last weekend" and ref.weekday() >= 5))
            return _mk(m, sat, 1, sat + timedelta(days=1), relative=True)
        if t in ("this month", "earlier this month", "past month"):
            return _mk(m, ref.replace(day=1), 3, relative=True)
        if t in ("last month", "previous month", "late last month", "early last month"):
            first = ref.replace(day=1) - timedelta(days=1)
            return _mk(m, first.replace(day=1), 3, relative=True)
        if t == "earlier this year":
            return None  # too vague to date an event
        return None
    if kind == "inm":
        mtok = g("inm_m")
        if not _capital_month(mtok):
            return None
        pre = " ".join((g("inm_pre") or "").lower().split())
        mon = _month(mtok)
        dt = _month_year(mon, ref)
        if dt is None:
            return None
        return _mk(m, dt, 3, relative=True, span=(m.start("inm_m") if pre in ("in", "during", "since", "until", "by") else m.start(), m.end()))
    return None


__all__ = ["DateMention", "find_dates"]
