"""Validation of the analyst's knowledge files (and the shipped actor dictionary).

Every check yields an `Issue` naming file and line. Valid objects come out normalised
to plain JSON-ready dicts (dates as ISO strings), each with `_source` = "file:line",
ready for `Store.replace_knowledge` and for the scenario, agreement and export code.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Callable

from .yamlio import Issue, LDict, LList, line_of

ACTOR_KINDS = (
    "state forces", "rebel group", "political militia", "identity militia", "political group",
    "external state", "international organisation", "civilians", "other",
)
RELATION_TYPES = (
    "ally", "partner", "member_of", "hostile", "negotiating", "cooperates_with", "supports",
    "opposes", "rival", "mediates", "subordinate_of", "party_to",
)
PROVISION_STATUSES = ("not started", "in progress", "implemented", "stalled", "violated")
RELIABILITY = tuple("ABCDEF")  # Admiralty: A completely reliable ... F cannot be judged
CREDIBILITY = (1, 2, 3, 4, 5, 6)  # 1 confirmed ... 6 cannot be judged
CITATION_KINDS = ("doc", "event")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

ACTOR_KEYS = {
    "id", "name", "name_ar", "aliases", "aliases_ar", "kind", "inter", "country", "parent",
    "valid_from", "valid_to", "memberships", "notes", "description", "sources", "tags",
    "wikidata", "acled_name", "successor", "demonyms", "countries",
}
ALIAS_KEYS = {"text", "valid_from", "valid_to", "case"}
MEMBERSHIP_KEYS = {"of", "role", "from", "to", "source", "sources", "note"}
RELATION_KEYS = {
    "id", "source_actor", "target_actor", "type", "from", "to", "reliability", "credibility",
    "sources", "note", "description",
}
AGREEMENT_KEYS = {"id", "name", "date", "parties", "signatories", "provisions", "sources", "note",
                  "description"}
PROVISION_KEYS = {"id", "text", "status_history", "watch", "note"}
STATUS_KEYS = {"date", "status", "evidence", "note", "set_by"}
WATCH_KEYS = {"keywords", "actors", "event_types", "places"}
SET_KEYS = {"id", "name", "question", "description", "horizon", "trend_days", "scenarios",
            "indicators"}
SCENARIO_KEYS = {"id", "name", "prior", "description"}
INDICATOR_KEYS = {"id", "name", "description", "event_types", "actors", "places", "keywords",
                  "window_days", "from", "to", "min_count", "lr"}
JUDGEMENT_KEYS = {"id", "topic", "date", "title", "author", "confidence", "likelihood", "status",
                  "related", "tags", "section"}
JUDGEMENT_SECTIONS = {"implications", "conclusion"}  # where the brief places the text

CITATION_RE = re.compile(r"\[(@[^\]]+)\]")


def parse_date(value: Any) -> str | None:
    """ISO string of a YAML date value, or None if it is not a YYYY-MM-DD date."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


def parse_ref(ref: str) -> tuple[str, str] | None:
    """'doc:ID' / 'event:ID' (optionally with a leading '@') -> (kind, id); else None."""
    ref = ref.strip().lstrip("@").strip()
    if ":" not in ref:
        return None
    kind, _, ident = ref.partition(":")
    return (kind.strip(), ident.strip()) if ident.strip() else None


class Checker:
    """Collects issues for one file and offers the small checks all kinds share."""

    def __init__(self, path: str, issues: list[Issue], severity: str = "error") -> None:
        self.path = path
        self.issues = issues
        self.severity = severity

    def err(self, line: int | None, msg: str) -> None:
        self.issues.append(Issue(self.path, line or None, msg, self.severity))

    def where(self, obj: Any, line: int) -> str:
        return f"{self.path}:{line}"

    def mapping(self, obj: Any, what: str, line: int) -> bool:
        if not isinstance(obj, dict):
            self.err(line, f"{what} must be a mapping of fields, not {type(obj).__name__}")
            return False
        return True

    def unknown_keys(self, d: LDict, allowed: set[str], what: str) -> None:
        for key in d:
            if key not in allowed:
                self.err(d.line_of(key), f"{what}: unknown field {key!r} (allowed: {', '.join(sorted(allowed))})")

    def required(self, d: LDict, key: str, what: str) -> Any:
        if key not in d or d[key] in (None, ""):
            self.err(d.line, f"{what}: missing required field {key!r}")
            return None
        return d[key]

    def string(self, d: LDict, key: str, what: str, required: bool = False) -> str | None:
        value = self.required(d, key, what) if required else d.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.err(d.line_of(key), f"{what}: field {key!r} must be text")
            return None
        return str(value)

    def ident(self, d: LDict, what: str) -> str | None:
        value = self.string(d, "id", what, required=True)
        if value is not None and not ID_RE.match(value):
            self.err(d.line_of("id"), f"{what}: id {value!r} must be letters, digits, '-', '_' or '.'")
            return None
        return value

    def date(self, d: LDict, key: str, what: str, required: bool = False) -> str | None:
        value = self.required(d, key, what) if required else d.get(key)
        if value is None:
            return None
        iso = parse_date(value)
        if iso is None:
            self.err(d.line_of(key), f"{what}: field {key!r}: bad date {str(value)!r} (use YYYY-MM-DD)")
        return iso

    def str_list(self, d: LDict, key: str, what: str) -> list[tuple[str, int]]:
        """A list of strings (a single string is accepted as a one-item list) with item lines."""
        value = d.get(key)
        if value is None:
            return []
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return [(str(value), d.line_of(key))]
        if not isinstance(value, list):
            self.err(d.line_of(key), f"{what}: field {key!r} must be a list")
            return []
        out = []
        for i, item in enumerate(value):
            ln = value.line_of(i) if isinstance(value, LList) else d.line_of(key)
            if isinstance(item, (dict, list)) or item is None:
                self.err(ln, f"{what}: field {key!r}: item {i + 1} must be text")
            else:
                out.append((str(item), ln))
        return out

    def items(self, d: LDict, key: str, what: str, required: bool = False) -> list[tuple[LDict, int]]:
        """A list of mappings under `key`, each with its line."""
        value = self.required(d, key, what) if required else d.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(d.line_of(key), f"{what}: field {key!r} must be a list")
            return []
        out = []
        for i, item in enumerate(value):
            ln = value.line_of(i) if isinstance(value, LList) else d.line_of(key)
            if self.mapping(item, f"{what}: {key} item {i + 1}", ln):
                out.append((item, line_of(item, ln)))
        return out


def _top_list(doc: Any, key: str, ck: Checker) -> list[tuple[LDict, int]]:
    """The list of objects under the file's top-level key (e.g. `actors:`)."""
    if doc is None:
        return []
    if not isinstance(doc, dict):
        ck.err(line_of(doc, 1), f"expected a mapping with a top-level {key!r} list")
        return []
    for k in doc:
        if k != key:
            ck.err(doc.line_of(k), f"unknown top-level field {k!r} (expected {key!r})")
    if key not in doc:
        ck.err(doc.line or 1, f"missing top-level field {key!r}")
        return []
    return ck.items(doc, key, "file")


# ---- actors -------------------------------------------------------------------------------
def _aliases(a: LDict, ck: Checker, what: str) -> list[str]:
    """Plain strings or {text, valid_from, valid_to, case: exact|any} (the shipped dictionary's form)."""
    value = a.get("aliases")
    if value is None:
        return []
    if not isinstance(value, list):
        ck.err(a.line_of("aliases"), f"{what}: field 'aliases' must be a list")
        return []
    out = []
    for i, item in enumerate(value):
        ln = value.line_of(i) if isinstance(value, LList) else a.line_of("aliases")
        if isinstance(item, dict):
            ck.unknown_keys(item, ALIAS_KEYS, f"{what}: alias")
            text = ck.string(item, "text", f"{what}: alias", required=True)
            ck.date(item, "valid_from", f"{what}: alias")
            ck.date(item, "valid_to", f"{what}: alias")
            if item.get("case") not in (None, "exact", "any"):
                ck.err(item.line_of("case"), f"{what}: alias case must be 'exact' or 'any', not {item.get('case')!r}")
            if text:
                out.append(text)
        elif isinstance(item, list) or item is None:
            ck.err(ln, f"{what}: alias {i + 1} must be text or a mapping with 'text'")
        else:
            out.append(str(item))
    return out


def check_actor(a: LDict, ck: Checker, require_name: bool = True) -> dict[str, Any] | None:
    """One actor; `require_name=False` for a workspace entry extending a shipped actor."""
    ck.unknown_keys(a, ACTOR_KEYS, "actor")
    aid = ck.ident(a, "actor")
    what = f"actor {aid}" if aid else "actor"
    name = ck.string(a, "name", what, required=require_name)
    kind = ck.string(a, "kind", what)
    if kind is not None and kind not in ACTOR_KINDS:
        ck.err(a.line_of("kind"), f"{what}: unknown kind {kind!r} (one of: {', '.join(ACTOR_KINDS)})")
    inter = a.get("inter")
    if inter is not None and (isinstance(inter, bool) or not isinstance(inter, int) or not 1 <= inter <= 8):
        ck.err(a.line_of("inter"), f"{what}: inter must be an ACLED actor-type code 1..8, not {inter!r}")
        inter = None
    vf, vt = ck.date(a, "valid_from", what), ck.date(a, "valid_to", what)
    if vf and vt and vt < vf:
        ck.err(a.line_of("valid_to"), f"{what}: valid_to {vt} is before valid_from {vf}")
    memberships = []
    for m, ln in ck.items(a, "memberships", what):
        ck.unknown_keys(m, MEMBERSHIP_KEYS, f"{what}: membership")
        of = ck.string(m, "of", f"{what}: membership", required=True)
        mf, mt = ck.date(m, "from", f"{what}: membership"), ck.date(m, "to", f"{what}: membership")
        if mf and mt and mt < mf:
            ck.err(m.line_of("to"), f"{what}: membership of {of}: 'to' {mt} is before 'from' {mf}")
        sources = [s for s, _ in ck.str_list(m, "sources", what)]
        if m.get("source"):
            sources.insert(0, str(m["source"]))
        memberships.append({"of": of, "role": ck.string(m, "role", what) or "member", "from": mf,
                            "to": mt, "sources": sources, "_line": ln, "_of_line": m.line_of("of")})
    if aid is None or (name is None and require_name):
        return None
    actor = {
        "id": aid, "name": name, "name_ar": ck.string(a, "name_ar", what),
        "aliases": _aliases(a, ck, what),
        "aliases_ar": [s for s, _ in ck.str_list(a, "aliases_ar", what)],
        "kind": kind, "inter": inter, "country": ck.string(a, "country", what),
        "parent": ck.string(a, "parent", what), "_parent_line": a.line_of("parent"),
        "successor": ck.string(a, "successor", what), "_successor_line": a.line_of("successor"),
        "valid_from": vf, "valid_to": vt, "memberships": memberships,
        "demonyms": [s for s, _ in ck.str_list(a, "demonyms", what)],
        "countries": [s for s, _ in ck.str_list(a, "countries", what)],
        "description": ck.string(a, "description", what) or ck.string(a, "notes", what),
        "sources": [s for s, _ in ck.str_list(a, "sources", what)],
        "_source": ck.where(a, a.line),
    }
    given = {"notes": "description", "alias": "aliases"}
    actor["_given"] = sorted({given.get(k, k) for k in a} | {"id"})
    return actor


# ---- relations ----------------------------------------------------------------------------
def check_relation(r: LDict, ck: Checker) -> dict[str, Any] | None:
    ck.unknown_keys(r, RELATION_KEYS, "relation")
    rid = ck.ident(r, "relation")
    what = f"relation {rid}" if rid else "relation"
    src = ck.string(r, "source_actor", what, required=True)
    tgt = ck.string(r, "target_actor", what, required=True)
    rtype = ck.string(r, "type", what, required=True)
    if rtype is not None and rtype not in RELATION_TYPES:
        ck.err(r.line_of("type"), f"{what}: unknown type {rtype!r} (one of: {', '.join(RELATION_TYPES)})")
    start = ck.date(r, "from", what, required=True)
    end = ck.date(r, "to", what)
    if start and end and end < start:
        ck.err(r.line_of("to"), f"{what}: 'to' {end} is before 'from' {start}")
    rel = ck.string(r, "reliability", what, required=True)
    if rel is not None and rel not in RELIABILITY:
        ck.err(r.line_of("reliability"), f"{what}: reliability must be an Admiralty grade A-F, not {rel!r}")
    cred = r.get("credibility")
    if cred is None:
        ck.err(r.line, f"{what}: missing required field 'credibility'")
    elif isinstance(cred, bool) or cred not in CREDIBILITY:
        ck.err(r.line_of("credibility"), f"{what}: credibility must be an Admiralty grade 1-6, not {cred!r}")
    sources = ck.str_list(r, "sources", what)
    if not sources:
        ck.err(r.line, f"{what}: missing required field 'sources' (doc:ID or a text reference)")
    if None in (rid, src, tgt, rtype):
        return None
    return {"id": rid, "source_actor": src, "target_actor": tgt, "type": rtype, "from": start,
            "to": end, "reliability": rel, "credibility": cred,
            "sources": [s for s, _ in sources], "_source_lines": [ln for _, ln in sources],
            "_actor_lines": [r.line_of("source_actor"), r.line_of("target_actor")],
            "note": ck.string(r, "note", what) or ck.string(r, "description", what),
            "_source": ck.where(r, r.line)}


# ---- agreements ---------------------------------------------------------------------------
def _watch(d: LDict, ck: Checker, what: str) -> dict[str, list[str]]:
    w = d.get("watch")
    if w is None:
        return {k: [] for k in sorted(WATCH_KEYS)}
    if not ck.mapping(w, f"{what}: watch", d.line_of("watch")):
        return {k: [] for k in sorted(WATCH_KEYS)}
    ck.unknown_keys(w, WATCH_KEYS, f"{what}: watch")
    return {k: [s for s, _ in ck.str_list(w, k, f"{what}: watch")] for k in sorted(WATCH_KEYS)}


def check_agreement(g: LDict, ck: Checker) -> dict[str, Any] | None:
    ck.unknown_keys(g, AGREEMENT_KEYS, "agreement")
    gid = ck.ident(g, "agreement")
    what = f"agreement {gid}" if gid else "agreement"
    name = ck.string(g, "name", what, required=True)
    gdate = ck.date(g, "date", what, required=True)
    parties = ck.str_list(g, "parties", what)
    if not parties:
        ck.err(g.line, f"{what}: missing required field 'parties' (actor ids)")
    provisions, seen = [], set()
    for p, pln in ck.items(g, "provisions", what, required=True):
        ck.unknown_keys(p, PROVISION_KEYS, f"{what}: provision")
        pid = ck.ident(p, f"{what}: provision")
        pwhat = f"{what}: provision {pid}" if pid else f"{what}: provision"
        if pid in seen:
            ck.err(p.line_of("id"), f"{pwhat}: duplicate id {pid!r}")
        seen.add(pid)
        text = ck.string(p, "text", pwhat, required=True)
        history = []
        for h, hln in ck.items(p, "status_history", pwhat):
            ck.unknown_keys(h, STATUS_KEYS, f"{pwhat}: status")
            hdate = ck.date(h, "date", f"{pwhat}: status", required=True)
            status = ck.string(h, "status", f"{pwhat}: status", required=True)
            if status is not None and status not in PROVISION_STATUSES:
                ck.err(h.line_of("status"), f"{pwhat}: unknown status {status!r} (one of: {', '.join(PROVISION_STATUSES)})")
            evidence = ck.str_list(h, "evidence", f"{pwhat}: status")
            if hdate and gdate and hdate < gdate:
                ck.err(h.line_of("date"), f"{pwhat}: status date {hdate} is before the agreement ({gdate})")
            history.append({"date": hdate, "status": status,
                            "evidence": [e for e, _ in evidence], "_evidence_lines": [ln for _, ln in evidence],
                            "note": ck.string(h, "note", pwhat), "set_by": ck.string(h, "set_by", pwhat),
                            "_line": hln})
        dates = [h["date"] for h in history if h["date"]]
        if dates != sorted(dates):
            ck.err(p.line_of("status_history"), f"{pwhat}: status_history must be in date order")
        if pid and text:
            provisions.append({"id": pid, "text": text, "status_history": history,
                               "watch": _watch(p, ck, pwhat), "note": ck.string(p, "note", pwhat),
                               "_source": ck.where(p, pln)})
    if None in (gid, name, gdate):
        return None
    return {"id": gid, "name": name, "date": gdate, "parties": [s for s, _ in parties],
            "_party_lines": [ln for _, ln in parties],
            "signatories": [s for s, _ in ck.str_list(g, "signatories", what)],
            "sources": [s for s, _ in ck.str_list(g, "sources", what)],
            "provisions": provisions,
            "description": ck.string(g, "description", what) or ck.string(g, "note", what),
            "_source": ck.where(g, g.line)}


# ---- scenarios ----------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def check_scenario_set(s: LDict, ck: Checker) -> dict[str, Any] | None:
    ck.unknown_keys(s, SET_KEYS, "scenario set")
    sid = ck.ident(s, "scenario set")
    what = f"scenario set {sid}" if sid else "scenario set"
    name = ck.string(s, "name", what, required=True)
    scenarios, ids = [], set()
    for sc, ln in ck.items(s, "scenarios", what, required=True):
        ck.unknown_keys(sc, SCENARIO_KEYS, f"{what}: scenario")
        scid = ck.ident(sc, f"{what}: scenario")
        if scid in ids:
            ck.err(sc.line_of("id"), f"{what}: duplicate scenario id {scid!r}")
        ids.add(scid)
        prior = _number(sc.get("prior"))
        if "prior" not in sc:
            ck.err(ln, f"{what}: scenario {scid}: missing required field 'prior'")
        elif prior is None or not 0 < prior < 1:
            ck.err(sc.line_of("prior"), f"{what}: scenario {scid}: prior must be a number between 0 and 1 (exclusive), not {sc.get('prior')!r}")
            prior = None
        scname = ck.string(sc, "name", f"{what}: scenario {scid}", required=True)
        if scid and prior is not None:
            scenarios.append({"id": scid, "name": scname or scid, "prior": prior,
                              "description": ck.string(sc, "description", what)})
    if "scenarios" in s and isinstance(s["scenarios"], list):
        if len(s["scenarios"]) < 2:
            ck.err(s.line_of("scenarios"), f"{what}: needs at least two mutually exclusive scenarios")
        elif len(scenarios) == len(s["scenarios"]):
            total = sum(x["prior"] for x in scenarios)
            if abs(total - 1.0) > 1e-3:
                ck.err(s.line_of("scenarios"), f"{what}: priors sum to {total:g}, not 1")
    indicators = []
    for ind, ln in ck.items(s, "indicators", what):
        ck.unknown_keys(ind, INDICATOR_KEYS, f"{what}: indicator")
        iid = ck.ident(ind, f"{what}: indicator")
        iwhat = f"{what}: indicator {iid}" if iid else f"{what}: indicator"
        query = {k: [v for v, _ in ck.str_list(ind, k, iwhat)] for k in ("event_types", "actors", "places", "keywords")}
        if not any(query.values()):
            ck.err(ln, f"{iwhat}: needs at least one of event_types, actors, places, keywords")
        window = ind.get("window_days")
        if window is not None and (_number(window) is None or window <= 0 or window != int(window)):
            ck.err(ind.line_of("window_days"), f"{iwhat}: window_days must be a whole number of days > 0")
            window = None
        start, end = ck.date(ind, "from", iwhat), ck.date(ind, "to", iwhat)
        if window is not None and (start or end):
            ck.err(ind.line_of("window_days"), f"{iwhat}: give either window_days or from/to, not both")
        if start and end and end < start:
            ck.err(ind.line_of("to"), f"{iwhat}: 'to' {end} is before 'from' {start}")
        min_count = ind.get("min_count", 1)
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            ck.err(ind.line_of("min_count"), f"{iwhat}: min_count must be a whole number >= 1")
            min_count = 1
        lrs = {}
        raw = ck.required(ind, "lr", iwhat)
        if raw is not None and ck.mapping(raw, f"{iwhat}: lr", ind.line_of("lr")):
            for key, value in raw.items():
                kl = raw.line_of(key) if isinstance(raw, LDict) else ind.line_of("lr")
                if key not in ids:
                    ck.err(kl, f"{iwhat}: lr names unknown scenario {key!r} (scenarios: {', '.join(sorted(i for i in ids if i))})")
                    continue
                num = _number(value)
                if num is None or not math.isfinite(num) or num <= 0:
                    ck.err(kl, f"{iwhat}: likelihood ratio for {key} must be a number > 0, not {value!r}")
                    continue
                lrs[key] = num
        if iid:
            indicators.append({"id": iid, "name": ck.string(ind, "name", iwhat) or iid,
                               "description": ck.string(ind, "description", iwhat), **query,
                               "window_days": int(window) if window else None, "from": start, "to": end,
                               "min_count": min_count, "lr": lrs, "_source": ck.where(ind, ln)})
    trend_days = s.get("trend_days", 30)
    if isinstance(trend_days, bool) or not isinstance(trend_days, int) or trend_days <= 0:
        ck.err(s.line_of("trend_days"), f"{what}: trend_days must be a whole number of days > 0")
        trend_days = 30
    if None in (sid, name):
        return None
    return {"id": sid, "name": name, "question": ck.string(s, "question", what),
            "description": ck.string(s, "description", what), "horizon": ck.date(s, "horizon", what),
            "trend_days": trend_days, "scenarios": scenarios, "indicators": indicators,
            "_source": ck.where(s, s.line)}


# ---- judgements ---------------------------------------------------------------------------
def find_citations(body: str, first_line: int) -> list[tuple[str, int]]:
    """`[@doc:ID]`, `[@event:ID; @doc:ID2]` -> [(ref, line)]."""
    out = []
    for m in CITATION_RE.finditer(body):
        line = first_line + body.count("\n", 0, m.start())
        for part in m.group(1).split(";"):
            part = part.strip()
            if part.startswith("@"):
                out.append((part[1:].strip(), line))
    return out


def check_judgement(meta: Any, body: str, body_line: int, ck: Checker) -> dict[str, Any] | None:
    if not ck.mapping(meta, "front matter", 1):
        return None
    ck.unknown_keys(meta, JUDGEMENT_KEYS, "judgement")
    if "section" in meta and str(meta["section"]).lower() not in JUDGEMENT_SECTIONS:
        ck.err(meta.line_of("section"),
               f"judgement: section must be one of {', '.join(sorted(JUDGEMENT_SECTIONS))}")
    jid = ck.ident(meta, "judgement")
    what = f"judgement {jid}" if jid else "judgement"
    topic = ck.string(meta, "topic", what, required=True)
    jdate = ck.date(meta, "date", what, required=True)
    if not body.strip():
        ck.err(body_line, f"{what}: no statement after the front matter")
    citations = find_citations(body, body_line)
    if None in (jid, topic, jdate):
        return None
    return {"id": jid, "topic": topic, "date": jdate, "title": ck.string(meta, "title", what),
            "author": ck.string(meta, "author", what), "confidence": ck.string(meta, "confidence", what),
            "likelihood": ck.string(meta, "likelihood", what), "status": ck.string(meta, "status", what),
            "related": [s for s, _ in ck.str_list(meta, "related", what)],
            "tags": [s for s, _ in ck.str_list(meta, "tags", what)],
            "text": body.strip(), "citations": [c for c, _ in citations],
            "_citation_lines": [ln for _, ln in citations], "_source": f"{ck.path}:1"}


Validator = Callable[[LDict, Checker], "dict[str, Any] | None"]
