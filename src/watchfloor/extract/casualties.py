"""Casualty and arrest counts in a sentence: regex patterns, no model.

``find_counts`` returns every count it can read ("killing six civilians and two
soldiers", "12 people were wounded", "a soldier was killed", "arrested a cell of
five"), each marked ``cumulative`` when it is a running tally rather than the
toll of one event ("since the beginning of the year", "bringing the number of
... to N", "in total", "over the past month").  ``event_fatalities`` and
``event_arrests`` reduce them to the number for the event the sentence reports.
Vague quantities ("dozens", "scores", "hundreds") are not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class CountMention:
    start: int
    end: int
    kind: str  # "killed" | "injured" | "arrested"
    count: int
    cumulative: bool
    text: str
    pronoun: bool = False  # "killing him": the victim may be one already counted


_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}

_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+|half\s+a\s+dozen|a\s+dozen|(?:a|one|two|three|four|five)\s+hundred(?:\s+and\s+\w+)?|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine)\b)?|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen)"
)
_MOD = (
    r"(?:(?:at\s+least|more\s+than|over|nearly|almost|around|about|some|up\s+to|an\s+estimated|approximately|"
    r"roughly|as\s+many\s+as|no\s+fewer\s+than|not\s+less\s+than|a\s+further|another|an\s+additional)\s+)?"
)
_STOP = (
    r"(?:and|or|were|was|have|has|had|are|is|been|being|be|killed|killing|dead|died|wounded|injured|arrested|"
    r"detained|who|which|that|while|after|before|when|in|on|at|by|with|from|as|but|than)"
)
# up to n words that are not verbs/conjunctions/numbers ("civilians", "members of the SDF")
_NOUNS = r"(?:(?!{stop}\b)(?![\d,]+\s)[\w’'\-]+\s+){{0,{n}}}?"
_AUX = (
    r"(?:(?:were|was|have\s+been|had\s+been|has\s+been|are|is|being|got|had|have|has|all|also|reportedly|allegedly|"
    r"later|subsequently|reported|confirmed|either|both|were\s+all|mostly|each)\s+)*"
)
_KILL = r"(?:killed|dead|died|slain|executed|murdered|shot\s+dead|lost\s+their\s+lives|perished|assassinated)"
_INJ = r"(?:wounded|injured|hurt|maimed)"
_ARR = r"(?:arrested|detained|captured|apprehended|rounded\s+up|taken\s+into\s+custody|taken\s+prisoner|seized)"

_NUM_FIRST = re.compile(
    rf"\b{_MOD}(?P<num>{_NUM})\s+(?P<nouns>{_NOUNS.format(stop=_STOP, n=6)})"
    rf"(?:and\s+(?!{_NUM}\b|{_STOP}\b)[\w’'\-]+\s+(?:(?!{_NUM}\b|{_STOP}\b)[\w’'\-]+\s+)?)?"
    rf"(?:of\s+(?:them|whom|those)\s+)?"
    rf"{_AUX}(?P<verb>{_KILL}|{_INJ}|{_ARR}|deaths|fatalities|bodies|people\s+dead|casualties)\b",
)
_VERB_FIRST = re.compile(
    rf"\b(?P<verb>(?:the\s+)?killing\s+of|killing|killed|kills|kill|executing|executed|murdering|murdered|"
    rf"assassinat(?:ed|ing|es|e)|(?:the\s+)?assassination\s+of|claim(?:ed|ing)\s+the\s+lives\s+of|"
    rf"(?:the\s+)?deaths?\s+of|wounding|wounded|injuring|injured|arrested|arresting|arrests|detained|detaining|"
    rf"detains|captured|capturing|apprehended|apprehending|rounded\s+up|rounding\s+up|shot\s+dead|shooting\s+dead)"
    rf"(?:\s*,\s*(?:today|yesterday|tonight|on\s+\w+|last\s+night|this\s+\w+|\w+day)\s*,)?\s+{_MOD}"
    rf"(?P<num>{_NUM}|an?)\b(?:\s+(?P<noun>(?!{_STOP}\b)[\w’'\-]+))?",
)
# "killing him", "causing his death", "shot her dead": one victim, perhaps one already counted
_PRONOUN = re.compile(
    r"\b(?:(?:killing|killed|kills|executing|executed|murdering|murdered|assassinating|assassinated|shooting|shot)\s+"
    r"(?:him|her)(?:\s+dead)?\b(?!\s+(?:and|with)\b)(?<!shooting him)(?<!shot him)(?<!shot her)(?<!shooting her)"
    r"|(?:shot|shooting)\s+(?:him|her)\s+dead"
    r"|(?:caus\w+|result\w*\s+in|led\s+to|leading\s+to)\s+(?:his|her)\s+(?:\w+\s+)?death)"
)
# "ISIS lost 11 members"
_LOST = re.compile(
    rf"\b(?:lost|losing|loses|lose)\s+{_MOD}(?P<num>{_NUM})\s+(?:of\s+(?:its|their)\s+)?(?:[\w’'\-]+\s+)?"
    rf"(?:members|fighters|soldiers|men|militants|troops|personnel|elements|militiamen|recruits)\b"
)
# headline style, no article: "Explosion kills child", "Regime officer killed in IED attack"
_BARE_SINGULAR = (
    r"(?:child|civilian|man|woman|boy|girl|baby|teenager|soldier|officer|fighter|member|commander|leader|militant|"
    r"militiaman|policeman|shepherd|farmer|worker|journalist|doctor|defector|collaborator|mukhtar|dignitary|official)"
)
_BARE_KILLS = re.compile(rf"\b(?:kills?|killing|killed|assassinates?)\s+(?P<noun>{_BARE_SINGULAR})\b(?!['’]s|\s+of\b)")
_BARE_KILLED = re.compile(
    rf"(?:^|[|:]\s*|\b(?:[a-z]+-)?(?:regime|young|old|elderly|local|former|syrian|kurdish|turkish|russian|iranian)\s+)"
    rf"(?P<noun>{_BARE_SINGULAR})\s+(?:is\s+|was\s+)?(?:killed|dies|died|shot\s+dead|assassinated|executed)\b"
)
_ANOTHER = re.compile(r"[^,;.]{0,50}?\s+and\s+(?P<w>another)\b(?!\s+(?:was|were|is)?\s*(?:injured|wounded|hurt))")
# "a new assassination targeting a collaborator": one death (an attempt is not one)
_ASSASSINATION = re.compile(r"\b(?:an?|new|another)\s+assassination\b(?!\s+(?:attempt|bid|plot))(?!s)")
_BETWEEN_LOW = re.compile(rf"\b(?:between\s+(?P<lo>{_NUM})\s+and|(?P<lo2>{_NUM})\s+(?:or|to))\s+$")
_LEFT = re.compile(
    rf"\b(?:left|leaving|leaves)\s+{_MOD}(?P<num>{_NUM})\s+(?:[\w’'\-]+\s+){{0,2}}?(?P<verb>dead|killed|wounded|injured)\b",
)
_SINGULAR = re.compile(
    rf"\b(?P<num>an?|one)\s+(?P<nouns>{_NOUNS.format(stop=_STOP, n=6)})(?:was|has\s+been|had\s+been|is|got)\s+"
    rf"(?:(?:also|reportedly|allegedly|later|subsequently|fatally|seriously|critically|lightly)\s+)?"
    rf"(?P<verb>{_KILL}|{_INJ}|{_ARR}|shot)\b"
    rf"|\b(?P<num2>an?|one)\s+(?!of\b)(?P<nouns2>{_NOUNS.format(stop=_STOP, n=4)})(?P<died>died|perished)\b",
)
# a count and its verb parted by asides: "Two people, according to local sources, identified as A and B, were killed"
_ASIDE = re.compile(
    rf"\b{_MOD}(?P<num>{_NUM})\s+(?P<noun>[\w’'\-]+)\s*,(?P<aside>[^,.;:()]{{3,100}},(?:[^,.;:()]{{3,100}},)?)"
    rf"\s*{_AUX}(?P<verb>{_KILL}|{_INJ}|{_ARR})\b",
)
_TOLL = re.compile(
    rf"\b(?P<head>(?:the\s+)?(?:death\s+toll|toll|number\s+of\s+(?:[\w’'\-]+\s+){0,3}?(?:dead|deaths|killed|fatalities|victims)))"
    rf"\s+(?:[\w’'\-]+\s+){{0,5}}?(?:rose|risen|rises|climbed|climbs|reached|reaches|increased|stood|stands|jumped|"
    rf"rising|climbing|hit|was|is|at|to|of)\s+(?:to\s+|at\s+)?{_MOD}(?P<num>{_NUM})\b",
)
_CELL = re.compile(rf"\b(?:cell|group|network|squad|gang|team)\s+of\s+{_MOD}(?P<num>{_NUM})\b")
_CONJ = re.compile(rf"\s*(?:,\s*(?:and\s+)?|\s+and\s+){_MOD}(?P<num>{_NUM}|an?|another)\s+(?P<noun>(?!{_STOP}\b)[\w’'\-]+)")

_COORD_BEFORE = re.compile(
    rf"\b{_MOD}(?P<num>{_NUM})\s+(?P<noun>[\w’'\-]+)(?:\s+[\w’'\-]+)?\s*(?:,\s*|\s+and\s+|,\s+and\s+)$"
)
_CUMULATIVE = re.compile(
    r"\b(?:since\s+(?:the\s+)?(?:beginning|start|outbreak|onset|early|late|mid|war|conflict|uprising|revolution|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|\d{4}|last\s+\w+|then|"
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december))|(?:in|during|over)\s+the\s+same\s+period|until\s+(?:today|now)|up\s+to\s+(?:today|now)|"
    r"as\s+follows|"
    r"so\s+far\s+(?:this|in)|this\s+year|in\s+total|a\s+total\s+of|total\s+(?:death\s+)?toll|overall|cumulative|"
    r"bringing|brings|raising|raises|taking\s+the\s+(?:total|number|toll)|"
    r"(?:over|in)\s+the\s+(?:past|last)\s+(?!(?:few\s+|several\s+|couple\s+of\s+|\d+\s+|two\s+|three\s+)?hours)\w+|during\s+the\s+(?:war|conflict|past|last)|throughout\s+the\s+(?:war|conflict|year)|"
    r"in\s+recent\s+(?:weeks|months|years)|to\s+date|since\s+\d{4}|since\s+it\s+began|each\s+year|per\s+year|a\s+year|"
    r"every\s+(?:day|week|month)|the\s+war\s+has|the\s+conflict\s+has|civil\s+war)\b",
)
_CLAUSE_BREAK = re.compile(
    r"[;:]|\s[–—-]\s|,\s+(?=(?:bringing|raising|taking|pushing|while|whereas|but|and\s+(?:since|so\s+far)|according|"
    r"adding|saying|noting|which|who|amid|as)\b)",
)
_NONE = re.compile(
    r"\b(?:no\s+(?:one|body|casualties|deaths|fatalities|injuries)\s+(?:was|were|had\s+been|has\s+been|have\s+been)?"
    r"|(?:without|no)\s+(?:causing\s+)?(?:any\s+)?(?:casualties|deaths|fatalities|loss\s+of\s+life)|nobody\s+was|no\s+one\s+was)",
)
_TRIGGER = re.compile(r"kill|dead|die|death|toll|\blost\b|wound|injur|hurt|arrest|detain|captur|apprehend|round|custody|"
                      r"prisoner|execut|murder|slain|lives|fatal|bodies|perish|assassin|seized|maimed|shot")
_VAGUE_NOUNS = {"number", "few", "dozen", "dozens", "handful", "couple", "lot", "total"}
_PERSON_HINT = re.compile(
    r"(?:people|persons?|civilians?|soldiers?|fighters?|members?|militants?|children|child|men|man|women|woman|"
    r"boys?|girls?|troops|policemen|officers?|personnel|suspects?|individuals?|residents?|farmers?|shepherds?|"
    r"workers?|gunmen|attackers?|insurgents?|rebels?|jihadists?|recruits?|guards?|commanders?|leaders?|"
    r"others|more|of|from|family|relatives|brothers?|sisters?|journalists?|medics?|doctors?|teenagers?|youths?|"
    r"infants?|babies|baby|elders?|fishermen|truffle|minors?|students?|dead|wounded|injured|killed|young|elderly|"
    r"former|captain|lieutenant|sergeant|colonel|general|defector|collaborator|secretary|mukhtar|dealer|smuggler|"
    r"militiam[ae]n|police\w*|sheikh|dignitar\w+|imam|engineer|official|employee|driver|nurse|teacher|volunteer|"
    r"activist|notable|cleric|judge|lawyer|regime|pro-\w+|local|displaced|settled|reconciled|prominent|senior|"
    r"another|citizen|person|relative|cousin|son|daughter|father|mother|husband|wife|brother|sister)",
)


# A bare four-digit number from 1900 to 2099 is a year, never a count of people.
_YEAR = re.compile(r"(?:19|20)\d\d")


def parse_number(tok: str) -> int | None:
    """'12', '1,200', 'twenty-one', 'a dozen', 'two hundred' -> int; vague words -> None."""
    t = " ".join(tok.lower().replace("-", " ").split())
    if not t:
        return None
    if t.replace(",", "").isdigit():
        return int(t.replace(",", ""))
    if t in ("a", "an", "one"):
        return 1
    if t == "a dozen":
        return 12
    if t == "half a dozen":
        return 6
    parts = t.split()
    if "hundred" in parts:
        i = parts.index("hundred")
        mult = 1 if parts[0] in ("a", "one") else _UNITS.get(parts[0], 0)
        rest = [p for p in parts[i + 1:] if p != "and"]
        return mult * 100 + (parse_number(" ".join(rest)) or 0 if rest else 0)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_UNITS.get(parts[1], 0) if len(parts) > 1 else 0)
    return _UNITS.get(t)


def _kind(verb: str) -> str:
    v = verb.lower()
    if re.match(r"(?:wound|injur|hurt|maim)", v):
        return "injured"
    if re.match(r"(?:arrest|detain|captur|apprehend|round|taken|seized)", v):
        return "arrested"
    if v.startswith("casualties"):
        return "casualties"
    return "killed"


def _clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    lo, hi = 0, len(sentence)
    for b in _CLAUSE_BREAK.finditer(sentence):
        if b.end() <= start:
            lo = b.end() if not b.group(0).startswith(",") else b.start() + 1
        elif b.start() >= end:
            hi = b.start()
            break
    return lo, hi


def _is_cumulative(sentence: str, start: int, end: int, count: int, verb: str) -> bool:
    """`sentence` is the lower-cased text."""
    lo, hi = _clause(sentence, start, end)
    before = sentence[max(lo, start - 120):start]
    # "bringing the number of people killed to 45": the count after the cue only
    if re.search(r"\b(?:bringing|brings|raising|raises|taking|pushing)\b[^.;]*$", before):
        return True
    clause = sentence[lo:hi]
    if _CUMULATIVE.search(clause):
        cue = _CUMULATIVE.search(clause)
        # a "bringing ... to N" later in the clause marks that later count, not this one
        if not re.match(r"(?:bringing|brings|raising|raises|taking)", cue.group(0)) or cue.start() + lo < start:
            return True
    if count >= 500 and re.search(r"\b(?:have|has)\s+(?:been\s+)?(?:killed|died)|\bwar\b|\bconflict\b", clause):
        return True
    return False


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # a case mapping changed the length: keep offsets aligned
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def _windows(low: str) -> list[tuple[int, int]]:
    """Stretches of text around the trigger words, where counts can be."""
    n = len(low)
    spans: list[list[int]] = []
    for t in _TRIGGER.finditer(low):
        lo, hi = max(0, t.start() - 160), min(n, t.end() + 110)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    out = []
    for lo, hi in spans:
        k = low.rfind(" ", 0, lo) if lo else -1
        lo = k + 1 if lo and k >= 0 else 0 if not lo else lo
        k = low.find(" ", hi)
        hi = k if k >= 0 else n
        out.append((lo, hi))
    return out


_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_MONTH_AFTER = re.compile(rf"\s*(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b")
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s+(?:the\s+)?$")


def _is_day_of_month(low: str, start: int, end: int) -> bool:
    """'On 15 December, two children were killed': 15 is a date, not a count."""
    if not low[start:end].strip().isdigit():
        return False
    return bool(_MONTH_AFTER.match(low, end) or _MONTH_BEFORE.search(low[max(0, start - 14):start]))


def find_counts(sentence: str) -> list[CountMention]:
    """Every killed/injured/arrested count in the sentence (or text), in text order."""
    if not sentence:
        return []
    low = _lower(sentence)
    windows = _windows(low)
    if not windows:
        return []
    found: list[tuple[int, int, str, int, bool]] = []  # start, end, kind, count, is_toll
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(s: int, e: int, kind: str, n: int | None, toll: bool = False, num_span: tuple[int, int] | None = None):
        if n is None or kind == "casualties":
            return
        ns, ne = num_span or (s, e)
        if not free(ns, ne) or _is_day_of_month(low, ns, ne):
            return
        found.append((s, e, kind, n, toll))
        taken.append((ns, ne))

    for lo, hi in windows:
        _scan(low, lo, hi, add)

    found.sort()
    out = []
    for s, e, kind, n, toll in found:
        pronoun = kind == "pronoun"
        if pronoun:
            kind = "killed"
        cum = _is_cumulative(low, s, e, n, kind)
        out.append(CountMention(start=s, end=e, kind=kind, count=n, cumulative=cum, text=sentence[s:e],
                                pronoun=pronoun))
    return out


def _scan(low: str, lo: int, hi: int, add) -> None:
    for m in _TOLL.finditer(low, lo, hi):
        add(m.start(), m.end(), "killed", parse_number(m.group("num")), True, m.span("num"))
    for m in _CELL.finditer(low, lo, hi):
        if re.search(r"\b(?:arrest|detain|captur|apprehend|dismantl|bust|round)\w*\b[^.;]{0,40}$", low[max(0, m.start() - 80):m.start()]):
            add(m.start(), m.end(), "arrested", parse_number(m.group("num")), num_span=m.span("num"))
    for m in _LEFT.finditer(low, lo, hi):
        add(m.start(), m.end(), _kind(m.group("verb")), parse_number(m.group("num")), num_span=m.span("num"))
    for m in _NUM_FIRST.finditer(low, lo, hi):
        num = m.group("num")
        n = parse_number(num)
        if _YEAR.fullmatch(num):
            continue  # a year
        if low.endswith("no ", max(0, m.start("num") - 3), m.start("num")):
            continue  # "no one was hurt"
        verb = m.group("verb")
        kind = _kind(verb)
        if verb in ("deaths", "fatalities", "bodies", "people dead"):
            kind = "killed"
        nouns = (m.group("nouns") or "").split()
        if any(w in _VAGUE_NOUNS for w in nouns[:1]):
            continue
        low_m = _BETWEEN_LOW.search(low, max(0, m.start() - 40), m.start())
        if low_m:  # "between one and two civilians were killed": the lower figure, as ACLED does
            n = min(n or 0, parse_number(low_m.group("lo") or low_m.group("lo2")) or n or 0) or n
        if kind == "killed" and re.search(r"\bkilled\s+and\s+(?:wounded|injured)|\b(?:wounded|injured)\s+and\s+killed",
                                          low[m.start():m.end() + 15]):
            kind = "casualties"  # "five soldiers killed and wounded"
        add(m.start("num"), m.end(), kind, n, num_span=m.span("num"))
        bare = re.search(rf"(?:^|[|:]\s*)(?:an?\s+)?(?P<noun>{_BARE_SINGULAR})\s+and\s+$", low[max(lo, m.start() - 40):m.start()])
        if bare:  # "Civilian and two fighters killed"
            add(m.start() - len(bare.group(0)) + bare.start("noun"), m.start(), kind, 1,
                num_span=(m.start() - len(bare.group(0)) + bare.start("noun"), m.start() - len(bare.group(0)) + bare.end("noun")))
        # "six civilians and two soldiers were killed": coordinated counts before
        off = max(lo, m.start() - 80)
        head = low[off:m.start()]
        for pm in _COORD_BEFORE.finditer(head):
            if _YEAR.fullmatch(pm.group("num")):
                continue  # "scene of the 2013 sarin attack, at least 200 civilians were killed"
            add(off + pm.start("num"), off + pm.end(), kind, parse_number(pm.group("num")),
                num_span=(off + pm.start("num"), off + pm.end("num")))
    for m in _VERB_FIRST.finditer(low, lo, hi):
        num, noun = m.group("num"), m.group("noun") or ""
        verb = m.group("verb")
        if not noun and (num in ("a", "an") or verb in ("kill", "kills", "arrests")):
            continue
        if noun in _VAGUE_NOUNS or noun in ("number", "total", "further"):
            continue
        definite = re.match(r"(?:the\s+)?(?:deaths?\s+of|killing\s+of|assassinat|shot\s+dead)", verb)
        if num in ("a", "an") and not definite and not _PERSON_HINT.match(noun) \
                and not re.match(r"[a-z]+(?:ian|ist|er|or|ee)s?$", noun):
            continue
        if _YEAR.fullmatch(num):
            continue
        if noun and re.match(r"(?:year|month|week|day|hour|minute|km|kilomet|mile|metre|meter|percent|%|am\b|pm\b|o'clock|"
                             r"strike|airstrike|raid|attack|operation|shell|rocket|missile|sortie|bomb|round|time|mortar)", noun):
            continue
        if re.match(r"(?:the\s+)?(?:deaths?\s+of|killing|assassinat)|claim|shot|shooting", verb):
            kind = "killed"
        elif verb.startswith("arrests"):
            kind = "arrested"
        else:
            kind = _kind(verb)
        if re.match(r"\s+and\s+(?:wounded|injured|hurt)\b", low[m.end():m.end() + 20]) and kind == "killed":
            continue  # "five soldiers killed and wounded": casualties, not deaths
        add(m.start(), m.end(), kind, parse_number(num), num_span=m.span("num"))
        another = _ANOTHER.match(low, m.end(), hi)
        if another and kind == "killed":  # "the killing of a member of HTS and another of ..."
            add(another.start("w"), another.end("w"), kind, 1)
        # "killing six civilians and two soldiers"
        pos = m.end()
        while True:
            c = _CONJ.match(low, pos, hi)
            if not c or c.group("noun") in _VAGUE_NOUNS:
                break
            add(c.start("num"), c.end(), kind, parse_number(c.group("num")), num_span=c.span("num"))
            pos = c.end()
    for m in _ASIDE.finditer(low, lo, hi):
        noun, aside = m.group("noun"), m.group("aside")
        if not _PERSON_HINT.fullmatch(noun) or noun in ("of", "more", "others", "another") or _TRIGGER.search(aside) \
                or re.match(r"\s*(?:and|or|but|while|whereas|then)\b", aside):
            continue
        add(m.start("num"), m.end(), _kind(m.group("verb")), parse_number(m.group("num")), num_span=m.span("num"))
    for m in _SINGULAR.finditer(low, lo, hi):
        nouns = (m.group("nouns") or m.group("nouns2") or "").strip()
        if low.endswith("no ", max(0, m.start() - 3), m.start()):
            continue
        if not nouns or nouns.split()[0] in _VAGUE_NOUNS or nouns.startswith(("number", "total", "few")):
            continue
        if m.group("died") and not (_PERSON_HINT.fullmatch(nouns.split()[-1])
                                    or re.fullmatch(r"[a-z]+(?:ian|ist|er|or|ee)", nouns.split()[-1])):
            continue  # "a worker died"; not "a project died"
        verb = m.group("verb") or "died"
        kind = "injured" if verb == "shot" else _kind(verb)
        add(m.start(), m.end(), kind, 1, num_span=(m.start(), m.end()))
    for m in _LOST.finditer(low, lo, hi):
        add(m.start(), m.end(), "killed", parse_number(m.group("num")), num_span=m.span("num"))
    for rx in (_BARE_KILLS, _BARE_KILLED):
        for m in rx.finditer(low, lo, hi):
            if re.search(r"\b(?:the|his|her|their|its|no|each|every|one|a|an)\s+(?:[\w-]+\s+)?$", low[max(0, m.start("noun") - 25):m.start("noun")]):
                continue  # "the soldier was killed": one already counted; "a soldier": read above
            add(m.start(), m.end(), "killed", 1, num_span=m.span("noun"))
    for m in _PRONOUN.finditer(low, lo, hi):
        add(m.start(), m.end(), "pronoun", 1)
    for m in _ASSASSINATION.finditer(low, lo, hi):
        add(m.start(), m.end(), "pronoun", 1)  # one death, unless the sentence counts it itself


def _event_total(sentence: str, kind: str, counts: list[CountMention] | None = None) -> int | None:
    counts = [c for c in (find_counts(sentence) if counts is None else counts) if c.kind == kind]
    if not counts:
        if kind == "killed" and _NONE.search(sentence.lower()):
            return 0
        return None
    current = [c for c in counts if not c.cumulative]
    if any(not c.pronoun for c in current):
        current = [c for c in current if not c.pronoun]  # "killed a member ... by shooting him": one victim
    if not current:
        return None
    tolls = [c.count for c in current if re.search(r"\btoll\b|number\s+of", c.text.lower())]
    seen: set[tuple[int, int]] = set()
    total = 0
    for c in current:
        if re.search(r"\btoll\b|number\s+of", c.text.lower()):
            continue
        key = (c.start, c.count)
        if key not in seen:
            seen.add(key)
            total += c.count
    if tolls:
        return max(max(tolls), total)
    return total


def event_fatalities(sentence: str, counts: list[CountMention] | None = None) -> int | None:
    """Deaths of this event: sum of distinct non-cumulative killed counts; None if none given.
    `counts`: the sentence's `find_counts`, when the caller has them already."""
    return _event_total(sentence, "killed", counts)


def event_arrests(sentence: str, counts: list[CountMention] | None = None) -> int | None:
    """People arrested in this event; None if the text gives no number."""
    return _event_total(sentence, "arrested", counts)


def event_injuries(sentence: str) -> int | None:
    return _event_total(sentence, "injured")
