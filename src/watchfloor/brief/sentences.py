"""Concise analyst-style sentences from coded events, one template per ACLED sub-event type.

Every sentence is built only from fields the event has: a missing actor, place,
date or count drops the clause instead of producing "None attacked None".
The citation is added by the renderer, so these functions return the bare
sentence without the final full stop.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..models import Event

_DATA_ACTORS = Path(__file__).resolve().parent.parent / "data" / "actors.yaml"

# Names that read as a collective noun phrase and take "the" ("the Syrian army").
_THE_HEADS = {
    "ministry", "government", "army", "military", "coalition", "council", "administration",
    "front", "division", "brigade", "regime", "observatory", "nations", "union", "party",
    "state", "command", "directorate", "authority", "authorities", "service", "legion",
    "corps", "presidency", "movement", "committee", "office", "agency", "department",
}
_NO_THE_ACRONYMS = {"ISIS", "IS", "HTS", "ISIL", "AANES", "UN"}
_PLURAL_HEADS = {"forces", "troops", "militias", "fighters", "gunmen", "rebels", "civilians",
                 "protesters", "protestors", "demonstrators", "militants", "loyalists", "factions"}


def format_date(d: date | str | None, precision: int = 1) -> str:
    """`9 November 2025`, `November 2025` (precision 3) or '' when unknown."""
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d[:10])
        except ValueError:
            return d
    if precision >= 3:
        return f"{d:%B} {d.year}"
    return f"{d.day} {d:%B} {d.year}"


def short_date(d: date | str | None) -> str:
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d[:10])
        except ValueError:
            return d
    if d is None:
        return "undated"
    return f"{d.day} {d:%b} {d.year}"


@lru_cache(maxsize=1)
def _shipped_actors() -> tuple[dict[str, Any], ...]:
    try:
        import yaml

        data = yaml.safe_load(_DATA_ACTORS.read_text(encoding="utf-8")) or {}
        return tuple(a for a in data.get("actors", []) if isinstance(a, dict))
    except Exception:  # the brief must render without the shipped table
        return ()


class ActorNames:
    """Canonical actor name (as in actor1/actor2) -> name a reader expects in prose."""

    def __init__(self, knowledge: Iterable[dict[str, Any]] = ()) -> None:
        self.by_name: dict[str, dict[str, Any]] = {}
        self.by_id: dict[str, dict[str, Any]] = {}
        for a in list(_shipped_actors()) + list(knowledge):
            name = a.get("name")
            if name:
                self.by_name[str(name)] = a
            if a.get("id"):
                self.by_id[str(a["id"])] = a

    def info(self, name: str | None) -> dict[str, Any]:
        return self.by_name.get(name or "", {})

    def display(self, name: str | None) -> str:
        """Short name without article: 'Syrian Interior Ministry', 'SDF', 'US forces'."""
        if not name:
            return ""
        a = self.by_name.get(name)
        if a:
            for key in ("display", "short_name", "short"):
                if a.get(key):
                    return str(a[key])
            m = re.match(r"^([A-Z][A-Za-z]{1,7}): ", str(a.get("name", "")))
            if m:
                return m.group(1)
            aliases = [x.get("text") if isinstance(x, dict) else x for x in a.get("aliases") or []]
            for alias in aliases[:3]:  # a well-known acronym reads best: ISIS, IDF, IRGC
                if alias and str(alias).isupper() and str(alias).isalpha() and len(str(alias)) >= 3:
                    return str(alias)
            for alias in a.get("aliases") or []:
                text = alias.get("text") if isinstance(alias, dict) else alias
                if text and not re.search(r"[\u0600-\u06FF]", str(text)) and len(str(text)) > 3:
                    return str(text)
        # ACLED style 'Police Forces of Syria (2024-)' reads fine without the years
        return re.sub(r"\s*\(\d{4}-(\d{4})?\)", "", name).strip() or name

    def phrase(self, name: str | None) -> str:
        """The display name with the article prose needs: 'the Syrian army', 'ISIS', 'US forces'."""
        disp = self.display(name)
        if not disp:
            return ""
        words = disp.split()
        last = words[-1].lower().strip(".,")
        if disp.isupper() and len(words) == 1:
            return disp if disp in _NO_THE_ACRONYMS else f"the {disp}"
        if last in _PLURAL_HEADS or disp[0].islower():
            return disp
        if last in _THE_HEADS or (len(words) > 1 and words[0] in {"Islamic"}):
            return f"the {disp}"
        return disp


def _n(x: int | None, one: str, many: str) -> str:
    if not x:
        return ""
    return f"one {one}" if x == 1 else f"{x} {many}"


_COUNTRIES = {"syria", "iraq", "jordan", "turkey", "türkiye", "lebanon", "israel", "iran", "russia", "france",
              "united states", "united kingdom", "usa", "us", "uk", "germany", "egypt", "saudi arabia",
              "qatar", "united arab emirates", "kuwait", "china", "europe"}


def _gov(a1: str) -> str:
    # the city of Damascus is its own governorate; "Damascus governorate" reads as Rif Dimashq
    return a1 if a1.lower() == "damascus" else f"{a1} governorate"


def location_phrase(ev: Event) -> str:
    """'in al-Qaryatayn, Homs governorate', 'in Deir ez-Zor governorate' or ''.

    A country as the location (no governorate) says nothing a reader can use: omitted.
    """
    loc, a1 = (ev.location or "").strip(), (ev.admin1 or "").strip()
    if loc.lower() in _COUNTRIES and not a1:
        return ""
    if loc and a1 and loc.lower() != a1.lower() and (ev.geo_precision or 1) < 3:
        return f"in {loc}, {_gov(a1)}"
    if a1 and (not loc or loc.lower() == a1.lower()):
        return f"in {_gov(a1)}"
    if loc:
        return f"in {loc}"
    return ""


def date_phrase(ev: Event) -> str:
    d = format_date(ev.event_date, ev.time_precision or 1)
    if not d:
        return ""
    if (ev.time_precision or 1) == 2:
        return f"In the week of {d}"
    if (ev.time_precision or 1) >= 3:
        return f"In {d}"
    return f"On {d}"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def event_clause(ev: Event, names: ActorNames) -> str:
    """The core clause (no date, no full stop): 'the Syrian army clashed with ISIS in Palmyra'."""
    a1 = names.phrase(ev.actor1)
    a2 = names.phrase(ev.actor2)
    where = location_phrase(ev)
    sub = ev.sub_event_type or ""
    f = ev.fatalities or 0
    killing = f", killing {_n(f, 'person', 'people')}" if f else ""
    dead = f", leaving {_n(f, 'person', 'people')} dead" if f else ""

    if sub == "Armed clash":
        if a1 and a2:
            s = _join(a1, "clashed with", a2, where)
        elif a1:
            s = _join(a1, "fought an armed clash", where)
        else:
            s = _join("armed clashes took place", where)
        return s + dead
    if sub == "Government regains territory":
        if not a1:
            return _join("territory was retaken", where,
                         f"from {a2}" if a2 else "")
        return _join(a1, "regained control of territory", where, f"from {a2}" if a2 else "")
    if sub == "Non-state actor overtakes territory":
        if not a1:
            return _join("control of territory changed", where, f"at the expense of {a2}" if a2 else "")
        return _join(a1, "took control of territory", where, f"from {a2}" if a2 else "")
    if sub == "Air/drone strike":
        target = f"targeting {a2}" if a2 else ""
        if a1:
            return _join(a1, "carried out an air or drone strike", where + ("," if where and target else ""),
                         target) + killing
        return _join("an air or drone strike hit", where[3:] if where else "a target", target) + killing
    if sub == "Shelling/artillery/missile attack":
        if a1:
            return _join(a1, "shelled", f"positions of {a2}" if a2 else "targets", where) + killing
        return _join("shelling was reported", where) + killing
    if sub == "Remote explosive/landmine/IED":
        target = f"targeting {a2}" if a2 else ""
        if a1:
            return _join(a1, "detonated an explosive device", where, target) + killing
        return _join("an explosive device detonated", where, target) + killing
    if sub == "Suicide bomb":
        return _join("a suicide bombing", f"by {a1}" if a1 else "", f"targeted {a2}" if a2 else "hit",
                     where[3:] if (where and not a2) else where) + killing
    if sub == "Grenade":
        return _join("a grenade attack", f"by {a1}" if a1 else "", f"targeted {a2}" if a2 else "was reported",
                     where) + killing
    if sub == "Chemical weapon":
        return _join("a chemical weapon attack", f"by {a1}" if a1 else "", "was reported", where) + killing
    if sub == "Attack":
        if a1:
            return _join(a1, "attacked", a2 or "civilians", where) + killing
        return _join("an attack on", a2 or "civilians", "was reported", where) + killing
    if sub == "Abduction/forced disappearance":
        if not a1:
            return _join("an abduction of", a2 or "civilians", "was reported", where)
        return _join(a1, "abducted", a2 or "civilians", where)
    if sub == "Sexual violence":
        return _join("sexual violence", f"by {a1}" if a1 else "",
                     f"against {a2}" if a2 else "", "was reported", where)
    if sub == "Peaceful protest":
        return _join(a1 if a1 and a1 != "protesters" else "protesters", "demonstrated peacefully", where)
    if sub == "Protest with intervention":
        return _join("a protest", where, f"was dispersed by {a2}" if a2 else "met with intervention")
    if sub == "Excessive force against protesters":
        if not (a2 or a1):
            return _join("excessive force was used against protesters", where) + killing
        return _join(a2 or a1, "used excessive force against protesters", where) + killing
    if sub == "Violent demonstration":
        return _join("a violent demonstration", f"by {a1}" if a1 and a1 != "protesters" else "",
                     "took place", where)
    if sub == "Mob violence":
        return _join("mob violence", f"involving {a1}" if a1 else "", "was reported", where) + killing
    if sub == "Agreement":
        if a1 and a2:
            return _join(a1, "and", a2, "reached an agreement", where)
        return _join(a1 or "the parties", "announced an agreement", where)
    if sub == "Arrests":
        n = ev.arrests or 0
        if n and a2:
            who = f"{_n(n, 'suspected member', 'suspected members')} of {a2}"
        elif n:
            who = _n(n, "person", "people") if a1 else str(n) + (" person" if n == 1 else " people")
        elif a2:
            who = f"suspected members of {a2}"
        else:
            who = "suspects"
        if not a1:
            return _join("arrests of" if (n or a2) else "arrests were reported", who if (n or a2) else "",
                         "were reported" if (n or a2) else "", where)
        return _join(a1, "arrested", who, where)
    if sub == "Change to group/activity":
        if not a1:
            return _join("a change in an armed group's activity was reported", where)
        return _join(a1, "changed its posture or activity", where)
    if sub == "Disrupted weapons use":
        return _join(a1 if a1 else "weapons", "seized or defused weapons" if a1 else "were seized or defused",
                     f"belonging to {a2}" if a2 else "", where)
    if sub == "Headquarters or base established":
        return _join(a1, "established a base", where) if a1 else _join("a new base was established", where)
    if sub == "Looting/property destruction":
        return _join(a1, "looted or destroyed property", where) if a1 else _join("looting or destruction of property was reported", where)
    if sub == "Non-violent transfer of territory":
        return _join("control of territory", where, f"passed to {a1}" if a1 else "changed hands",
                     f"from {a2}" if a2 else "", "without fighting")
    # "Other" and anything unknown: say what the source said, briefly
    core = _join(a1 or "", "was involved in a reported development" if a1 else "a development was reported",
                 where)
    return core


def capitalise(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def event_sentence(ev: Event, names: ActorNames, with_date: bool = True) -> str:
    """Full sentence without citation or full stop."""
    clause = event_clause(ev, names)
    dp = date_phrase(ev) if with_date else ""
    if dp:
        return f"{dp}, {clause}"
    return capitalise(clause)


# ---- salience --------------------------------------------------------------------------

_SEVERITY = {
    "Chemical weapon": 5.0, "Suicide bomb": 4.5, "Non-state actor overtakes territory": 4.5,
    "Government regains territory": 4.0, "Air/drone strike": 3.5, "Armed clash": 3.5,
    "Shelling/artillery/missile attack": 3.0, "Remote explosive/landmine/IED": 3.0,
    "Attack": 3.0, "Sexual violence": 3.0, "Abduction/forced disappearance": 2.5,
    "Excessive force against protesters": 2.5, "Grenade": 2.0, "Agreement": 2.5,
    "Non-violent transfer of territory": 3.0, "Arrests": 2.0, "Mob violence": 1.5,
    "Violent demonstration": 1.5, "Headquarters or base established": 2.0,
    "Disrupted weapons use": 1.5, "Protest with intervention": 1.5, "Peaceful protest": 1.0,
    "Change to group/activity": 1.5, "Looting/property destruction": 1.0, "Other": 0.5,
}


def severity(ev: Event) -> float:
    return _SEVERITY.get(ev.sub_event_type or "", 1.0)
