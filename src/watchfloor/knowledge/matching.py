"""Which events an indicator or a provision's watch list touches.

Within one field the terms are alternatives (any may match); across fields all given
fields must match. Actor terms that are actor ids stand for the actor's name and
aliases; all text terms match whole words, case-insensitively, as a substring of the
actor fields (actor1, assoc_actor_1, actor2, assoc_actor_2) or of the evidence sentence.
Places match admin1/2/3 names or P-codes or the location, ignoring case, spaces,
hyphens and a leading Arabic article (Deir ez-Zor = Deir-ez-Zor = Deir Ezzor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable

from ..models import Event

_ARTICLE = re.compile(r"^(?:a[lrsdntz]|ash|el)[\s\-]+", re.I)


def norm_place(name: str) -> str:
    return re.sub(r"[\W_]+", "", _ARTICLE.sub("", name.strip().lower()))


@lru_cache(maxsize=512)
def _terms_re(terms: tuple[str, ...]) -> re.Pattern | None:
    terms = tuple(t for t in terms if t.strip())
    if not terms:
        return None
    alts = "|".join(re.escape(t.strip()) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.I)


@dataclass(frozen=True)
class Query:
    """A compiled event query (from an indicator or a provision's `watch`)."""

    event_types: tuple[str, ...] = ()
    actor_terms: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    date_from: str | None = None  # inclusive ISO dates
    date_to: str | None = None

    def matches(self, ev: Event) -> bool:
        if self.event_types:
            wanted = {t.lower() for t in self.event_types}
            if (ev.event_type or "").lower() not in wanted and (ev.sub_event_type or "").lower() not in wanted:
                return False
        if self.actor_terms:
            rx = _terms_re(self.actor_terms)
            text = " | ".join(a for a in (ev.actor1, ev.assoc_actor_1, ev.actor2, ev.assoc_actor_2) if a)
            if rx is None or not rx.search(text):
                return False
        if self.places:
            wanted = {norm_place(p) for p in self.places}
            have = {norm_place(v) for v in (ev.admin1, ev.admin1_pcode, ev.admin2, ev.admin2_pcode,
                                            ev.admin3, ev.admin3_pcode, ev.location) if v}
            if not wanted & have:
                return False
        if self.keywords:
            rx = _terms_re(self.keywords)
            if rx is None or not rx.search(ev.evidence or ""):
                return False
        if self.date_from or self.date_to:
            if not ev.event_date:
                return False
            d = str(ev.event_date)[:10]
            if self.date_from and d < self.date_from:
                return False
            if self.date_to and d > self.date_to:
                return False
        return True

    def within(self, date_from: str | None, date_to: str | None) -> "Query":
        """The same query further limited to [date_from, date_to]."""
        lo = max(filter(None, (self.date_from, date_from)), default=None)
        hi = min(filter(None, (self.date_to, date_to)), default=None)
        return Query(self.event_types, self.actor_terms, self.places, self.keywords, lo, hi)


def _expand_actors(terms: Iterable[str], kb) -> tuple[str, ...]:
    out: list[str] = []
    for t in terms:
        out.extend(kb.actor_terms(t) if kb is not None else [t])
    return tuple(dict.fromkeys(out))


def indicator_query(ind: dict, kb) -> Query:
    """The indicator's query without its relative window (absolute from/to are kept)."""
    return Query(tuple(ind.get("event_types", [])), _expand_actors(ind.get("actors", []), kb),
                 tuple(ind.get("places", [])), tuple(ind.get("keywords", [])),
                 ind.get("from"), ind.get("to"))


def indicator_window(ind: dict, as_of: date) -> tuple[str | None, str]:
    """The date range an indicator counts events in, as of a date (as_of inclusive)."""
    if ind.get("window_days"):
        return (as_of - timedelta(days=int(ind["window_days"]) - 1)).isoformat(), as_of.isoformat()
    return None, as_of.isoformat()


def watch_query(provision: dict, agreement: dict, kb) -> Query | None:
    """Events (dated on or after the agreement) touching a provision; None if it has no watch."""
    w = provision.get("watch") or {}
    if not any(w.get(k) for k in ("keywords", "actors", "event_types", "places")):
        return None
    return Query(tuple(w.get("event_types", [])), _expand_actors(w.get("actors", []), kb),
                 tuple(w.get("places", [])), tuple(w.get("keywords", [])), agreement.get("date"), None)
