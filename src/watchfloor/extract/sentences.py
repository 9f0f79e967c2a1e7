"""Sentence spans for whole documents, without running a parser.

A regex splitter over the full text is two orders of magnitude cheaper than a
parse; the parser then runs only on the few sentences that report an event.
"""

from __future__ import annotations

import re

_ABBREV = {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "st", "no", "vs", "jr", "sr",
    "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n",
    "e.g", "i.e", "etc", "approx", "gov", "sen", "rep", "brig", "adm", "cpl", "pvt", "prof", "inc",
    "co", "corp", "ltd", "fig", "al",
}
# end of sentence: . ! ? (optionally followed by quotes/brackets), then space and an uppercase/digit/quote
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9\u0600-\u06FF])")
_NEWLINE = re.compile(r"\n\s*\n|\n(?=\s*[#*\-•]|\s*[A-Z0-9\"“])")


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if word in _ABBREV:
        return True
    # single capital initials ("J. Smith") and dotted acronyms ("U.S.")
    return len(word) == 1 or (len(word) <= 4 and "." in word)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, whitespace trimmed."""
    cuts: list[int] = []
    for m in _NEWLINE.finditer(text):
        cuts.append(m.start())
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        cuts.append(m.end())
    cuts = sorted(set(cuts))
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in cuts + [len(text)]:
        s, e = start, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        start = cut
    return spans
