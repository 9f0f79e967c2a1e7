"""Build the brief's content (a `Brief`) from the workspace: events, documents, knowledge, figures.

The `Brief` is format-free: `render.py` turns it into Markdown, HTML or PDF, and
`check.py` verifies the rendered text, so a brief file checked later is checked
the same way as the one being generated.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..errors import UserError
from ..models import Document, Event
from ..store import EventFilter
from .citations import Bibliography, Reference, resolve_keys, style_name
from .figures import Figure, event_map, events_by_week
from .sentences import _COUNTRIES, ActorNames, capitalise, event_clause, event_sentence, format_date, severity, short_date


# ---- content model ------------------------------------------------------------------------

@dataclass
class Text:
    """A run of text: `parts` are plain strings and citation groups (lists of document ids).

    `analyst` text is the analyst's Markdown (inline *emphasis* kept); generated text is
    plain and escaped on rendering.
    """

    parts: list
    origin: str = ""  # "event:ID", "knowledge/judgements/x.md:12"
    analyst: bool = False

    @classmethod
    def cited(cls, sentence: str, doc_ids: list[str], origin: str = "") -> "Text":
        sentence = sentence.rstrip(". ")
        return cls([sentence, list(dict.fromkeys(doc_ids)), "."] if doc_ids else [sentence + "."], origin)

    @property
    def cites(self) -> list[str]:
        return [d for p in self.parts if isinstance(p, list) for d in p]


@dataclass
class TimelineEntry:
    when: str
    text: Text


@dataclass
class Development:
    """Events of one day, sub-event type, governorate and main actor: one statement, many sources."""

    events: list[Event]
    score: float = 0.0

    @property
    def lead(self) -> Event:
        return max(self.events, key=lambda e: (e.fatalities or 0, e.confidence or 0, -len(e.event_id)))

    @property
    def doc_ids(self) -> list[str]:
        return list(dict.fromkeys(e.doc_id for e in sorted(self.events, key=lambda e: -(e.confidence or 0))))


@dataclass
class ActorRow:
    name: str
    kind: str
    role: str
    as_actor1: int
    as_actor2: int


@dataclass
class Provision:
    text: str
    status: str
    since: str


@dataclass
class AgreementBlock:
    name: str
    date: str
    parties: str
    provisions: list[Provision]
    changes: list[Text]  # status changes in the period, with their evidence
    watch: list[Text]  # events of the period that touch a provision (to review)


@dataclass
class ScenarioRow:
    name: str
    probability: float
    previous: float
    trend: str
    arrow: str
    prior: float


@dataclass
class ScenarioBlock:
    name: str
    question: str | None
    as_of: str
    trend_days: int
    rows: list[ScenarioRow]
    indicators: list[Text]


@dataclass
class Section:
    key: str
    title: str


SECTIONS = [
    Section("summary", "Summary"),
    Section("key", "Introduction and key development"),
    Section("background", "Background"),
    Section("actors", "Actors and their roles"),
    Section("implications", "Implications"),
    Section("strategic", "Strategic dimensions"),
    Section("scenarios", "Future scenarios"),
    Section("conclusion", "Conclusion"),
    Section("references", "References"),
]
CHECK_ALL_SECTIONS = {"Implications", "Conclusion"}  # every analyst sentence there must cite


@dataclass
class Brief:
    title: str
    date_from: date | None
    date_to: date | None
    generated: date
    style: str
    topic: str | None
    n_events: int
    n_documents: int
    summary: list[Text]
    intro: str  # dataset note (not a sourced statement)
    key: list[Text]
    other_developments: list[Text]
    timeline: list[TimelineEntry]
    timeline_more: int
    figures: list[Figure]
    actors: list[ActorRow]
    implications: list[tuple[str, list[Text]]]  # (heading, paragraphs)
    agreements: list[AgreementBlock]
    agreements_note: str | None
    scenarios: list[ScenarioBlock]
    scenarios_note: str | None
    conclusion: list[Text]
    references: list[Reference]
    labels: dict[str, str]  # doc id -> in-text label ("Levant Wire 2025a")
    documents: dict[str, Document] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def period(self) -> str:
        return period_label(self.date_from, self.date_to)

    @property
    def cited(self) -> list[str]:
        return list(self.labels)


def period_label(d1: date | None, d2: date | None) -> str:
    if d1 and d2:
        if d1 == d2:
            return format_date(d1)
        if (d1.year, d1.month) == (d2.year, d2.month):
            return f"{d1.day}–{d2.day} {d2:%B} {d2.year}"
        if d1.year == d2.year:
            return f"{d1.day} {d1:%B} – {d2.day} {d2:%B} {d2.year}"
        return f"{format_date(d1)} – {format_date(d2)}"
    if d1:
        return f"from {format_date(d1)}"
    if d2:
        return f"to {format_date(d2)}"
    return "all dates"


# ---- developments and salience -----------------------------------------------------------

def developments(events: list[Event]) -> list[Development]:
    groups: dict[tuple, list[Event]] = defaultdict(list)
    for e in events:
        place = e.admin1_pcode or e.admin1 or ("" if (e.location or "").lower() in _COUNTRIES else e.location)
        key = (e.event_date, e.sub_event_type, place or "", e.actor1, e.actor2)
        groups[key].append(e)
    # the same event coded once with a governorate and once at country level: keep the precise one
    precise = {(k[0], k[1], k[3], k[4]): k for k in groups if k[2]}
    for k in [k for k in groups if not k[2]]:
        target = precise.get((k[0], k[1], k[3], k[4]))
        if target:
            groups[target].extend(groups.pop(k))
    devs = []
    for evs in groups.values():
        d = Development(evs)
        lead = d.lead
        fatalities = max((e.fatalities or 0) for e in evs)
        arrests = max((e.arrests or 0) for e in evs)
        conf = max((e.confidence or 0) for e in evs)
        d.score = (severity(lead) + 1.5 * math.log1p(fatalities) + 0.3 * math.log1p(arrests)
                   + 1.0 * conf + 0.8 * math.log1p(len(d.doc_ids) - 1) + (0.5 if lead.actor1 else 0))
        devs.append(d)
    devs.sort(key=lambda d: (-d.score, d.lead.event_date or "", d.lead.event_id))
    return devs


def _quote(evidence: str, limit: int = 240) -> str:
    ev = " ".join((evidence or "").split())
    ev = ev.replace("“", "‘").replace("”", "’")
    if len(ev) > limit:
        cut = ev[:limit].rsplit(" ", 1)[0]
        ev = cut.rstrip(",;:") + " …"
    return ev


# ---- analyst text (judgements) -------------------------------------------------------------

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)


@dataclass
class Judgement:
    path: Path
    meta: dict
    paragraphs: list[tuple[str, int]]  # text, first line

    @property
    def section(self) -> str:
        sec = str(self.meta.get("section") or "").lower()
        tags = [str(t).lower() for t in (self.meta.get("tags") or [])]
        if sec == "conclusion" or self.path.stem.lower() == "conclusion" or "conclusion" in tags:
            return "conclusion"
        return "implications"


def read_judgements(folder: Path) -> list[Judgement]:
    out = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.md")) + sorted(folder.glob("*.markdown")):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: cannot read as UTF-8 text: {exc}") from None
        meta: dict = {}
        body_line = 1
        m = _FRONT.match(text)
        if m:
            try:
                meta = yaml.safe_load(m.group(1)) or {}
            except yaml.YAMLError as exc:
                raise UserError(f"{path}: front matter is not valid YAML: {exc}") from None
            if not isinstance(meta, dict):
                meta = {}
            body_line = text.count("\n", 0, m.end()) + 1
            text = text[m.end():]
        paragraphs: list[tuple[str, int]] = []
        buf: list[str] = []
        start = body_line
        for i, line in enumerate(text.split("\n")):
            if line.strip():
                if not buf:
                    start = body_line + i
                buf.append(line.strip())
            elif buf:
                paragraphs.append((" ".join(buf), start))
                buf = []
        if buf:
            paragraphs.append((" ".join(buf), start))
        out.append(Judgement(path, meta, paragraphs))
    return out


def _topic_matches(j: Judgement, topic: str | None) -> bool:
    if not topic:
        return True
    jt = j.meta.get("topic")
    if not jt:
        return True  # general judgements belong to every topic
    wanted = topic.lower()
    names = [str(jt).lower(), str(j.meta.get("id", "")).lower(), j.path.stem.lower()]
    names += [str(t).lower() for t in (j.meta.get("tags") or [])]
    return any(wanted == n or wanted in n for n in names)


def _analyst_texts(paragraphs: list[tuple[str, int]], shown: Path, doc_ids: set[str],
                   event_docs: dict[str, str]) -> list[Text]:
    out = []
    for para, line in paragraphs:
        if para.startswith("#"):
            continue  # headings inside judgement files are not statements
        out.append(Text(resolve_keys(para, shown, line, doc_ids, event_docs), f"{shown}:{line}", analyst=True))
    return out


# ---- knowledge layer (optional) -----------------------------------------------------------

def _key_to_doc(ref: str, event_docs: dict[str, str]) -> str | None:
    ref = str(ref)
    if ref.startswith("doc:"):
        return ref[4:]
    if ref.startswith("event:"):
        return event_docs.get(ref[6:])
    return None


def _agreements(ws, date_from, date_to, names: ActorNames, all_events: dict[str, Event]):
    try:
        from ..knowledge.agreements import agreement_status
    except (ImportError, AttributeError):
        return [], "No agreements are tracked in this workspace."
    as_of = date_to or date.today()
    statuses = agreement_status(ws, as_of)
    if not statuses:
        return [], "No agreements are tracked in this workspace."
    event_docs = {k: e.doc_id for k, e in all_events.items()}
    lo = (date_from or date.min).isoformat()
    hi = as_of.isoformat()
    blocks = []
    for ag in statuses:
        parties = ", ".join(names.display(names.by_id.get(p, {}).get("name", p)) for p in (ag.parties or []))
        provisions, changes, watch = [], [], []
        for p in ag.provisions:
            provisions.append(Provision(p.text, p.status, str(p.since or "")))
            prev = None
            for h in p.history or []:
                hd = str(h.get("date") or "")
                if lo <= hd <= hi and prev is not None and h.get("status") != prev:
                    docs = [d for d in (_key_to_doc(r, event_docs) for r in h.get("evidence") or []) if d]
                    note = (h.get("note") or "").strip().rstrip(".")
                    sentence = f"On {format_date(hd)}, the provision “{_short(p.text)}” moved from {prev} to {h.get('status')}"
                    if note:
                        sentence += f": {note[:1].lower() + note[1:]}"
                    changes.append(Text.cited(sentence, docs, f"agreement {ag.id}/{p.id}"))
                prev = h.get("status")
            seen_events: set[str] = set()
            for s in p.suggestions or []:
                ev = all_events.get(s.get("event_id") or "")
                if ev is None or not (lo <= (ev.event_date or "") <= hi) or ev.event_id in seen_events:
                    continue
                seen_events.add(ev.event_id)
                if s.get("status") == "rejected":
                    continue
                watch.append(Text.cited(event_sentence(ev, names), [ev.doc_id], f"event:{ev.event_id}"))
        uniq = {}
        for t in watch:
            uniq.setdefault(str(t.parts), t)
        blocks.append(AgreementBlock(ag.name, format_date(ag.date), parties, provisions, changes, list(uniq.values())))
    return blocks, None


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _scenarios(ws, date_to):
    try:
        from ..knowledge.scenarios import compute_scenario_sets
    except (ImportError, AttributeError):
        try:
            from ..knowledge.scenarios import compute_scenarios  # noqa: F401
        except (ImportError, AttributeError):
            return [], "No scenarios defined in this workspace."
        return [], "No scenarios defined in this workspace."
    sets = compute_scenario_sets(ws, date_to or date.today())
    if not sets:
        return [], "No scenarios defined in this workspace."
    blocks = []
    for s in sets:
        rows = [ScenarioRow(r.name, r.probability, r.previous_probability, r.trend, r.arrow, r.prior)
                for r in s.scenarios]
        inds = []
        for ind in s.indicators:
            if not ind.fired:
                continue
            moves = ", ".join(
                f"{'supports' if lr > 1 else 'weighs against'} “{next((r.name for r in s.scenarios if r.id == sid), sid)}” (LR {lr:g})"
                for sid, lr in ind.lr.items() if lr != 1.0)
            sentence = (f"Indicator “{ind.name}” fired with {ind.count} matching event"
                        f"{'s' if ind.count != 1 else ''}" + (f"; it {moves}" if moves else ""))
            inds.append(Text.cited(sentence, list(dict.fromkeys(ind.doc_ids)), f"indicator {ind.id}"))
        blocks.append(ScenarioBlock(s.name, s.question, s.as_of, s.trend_days, rows, inds))
    return blocks, None


# ---- the brief -----------------------------------------------------------------------------

def _publisher_places(ws) -> dict[str, str]:
    """`[brief.publishers."Levant Wire"] place = "Beirut"` in watchfloor.toml (optional)."""
    extra = getattr(ws.config, "extra", {}) or {}
    pubs = (extra.get("brief") or {}).get("publishers") or {}
    return {str(k): str(v.get("place")) for k, v in pubs.items() if isinstance(v, dict) and v.get("place")}


def build_brief(workspace, date_from: date | None = None, date_to: date | None = None, *,
                topic: str | None = None, style: str | None = None, figures: bool = True,
                timeline_limit: int = 60, **_ignored: Any) -> Brief:
    """Everything the brief says, with its sources, for the period [date_from, date_to]."""
    ws = workspace
    style = style_name(style or getattr(ws.config, "citation_style", "apa"))
    with ws.store(read_only=True) as st:
        events = st.events(EventFilter(date_from=date_from, date_to=date_to))
        ws_actor_records = workspace_actors(ws)
        by_id = {str(a.get("id")): a for a in st.knowledge("actors")}
        by_id.update({str(a.get("id")): a for a in ws_actor_records})
        knowledge_actors = list(by_id.values())
        all_events = {e.event_id: e for e in st.events()}
        event_docs = {k: e.doc_id for k, e in all_events.items()}
        docs_by_id: dict[str, Document] = {d.id: d for d in st.documents({e.doc_id for e in events})}

        def known_doc(doc_id: str) -> bool:
            if doc_id not in docs_by_id:
                d = st.document(doc_id)
                if d is None:
                    return False
                docs_by_id[doc_id] = d
            return True

        judgements = [j for j in read_judgements(ws.config.knowledge_dir / "judgements") if _topic_matches(j, topic)]
        implications: list[tuple[str, list[Text]]] = []
        conclusion: list[Text] = []
        for j in judgements:
            shown = _shown(j.path, ws.root)
            doc_ids = _DocIds(known_doc)
            texts = _analyst_texts(j.paragraphs, shown, doc_ids, event_docs)
            if j.section == "conclusion":
                conclusion.extend(texts)
            else:
                heading = str(j.meta.get("title") or j.meta.get("topic") or j.path.stem)
                extra = [str(j.meta[k]) for k in ("confidence",) if j.meta.get(k)]
                if j.meta.get("date"):
                    heading_note = f"{format_date(j.meta['date'])}" + (f"; confidence: {extra[0]}" if extra else "")
                else:
                    heading_note = f"confidence: {extra[0]}" if extra else ""
                implications.append((heading + (f" ({heading_note})" if heading_note else ""), texts))

    if date_from is None or date_to is None:
        dates = [date.fromisoformat(e.event_date[:10]) for e in events if e.event_date]
        if dates:
            date_from = date_from or min(dates)
            date_to = date_to or max(dates)

    names = ActorNames(knowledge_actors)
    devs = developments(events)

    # key development and summary
    key: list[Text] = []
    other: list[Text] = []
    summary: list[Text] = []
    if devs:
        top = devs[0]
        lead = top.lead
        key.append(Text.cited(event_sentence(lead, names), top.doc_ids, f"event:{lead.event_id}"))
        if lead.evidence:
            pub = docs_by_id.get(lead.doc_id)
            who = (pub.publisher if pub and pub.publisher else "The source")
            key.append(Text.cited(f"{who} reported: “{_quote(lead.evidence)}”", [lead.doc_id],
                                  f"event:{lead.event_id}"))
        seen_types = set()
        picked = []
        for d in devs:  # summary: the three most salient, preferring different kinds of event
            if d.lead.sub_event_type not in seen_types or len(devs) <= 3:
                picked.append(d)
                seen_types.add(d.lead.sub_event_type)
            if len(picked) == 3:
                break
        for d in devs:
            if len(picked) == 3:
                break
            if d not in picked:
                picked.append(d)
        summary = [Text.cited(event_sentence(d.lead, names), d.doc_ids, f"event:{d.lead.event_id}") for d in picked]
        for d in devs[1:6]:
            other.append(Text.cited(event_sentence(d.lead, names), d.doc_ids, f"event:{d.lead.event_id}"))
    if len(summary) < 3:
        for heading, texts in implications:  # fill with the analyst's bottom line
            if texts and len(summary) < 3:
                summary.append(texts[0])
    if not summary:
        summary = [Text(["No events were recorded in the period."])]

    # timeline: one line per development, in date order
    chron = sorted(devs, key=lambda d: (d.lead.event_date or "9999", d.lead.event_id))
    timeline = [TimelineEntry(short_date(d.lead.event_date),
                              Text.cited(capitalise(event_clause(d.lead, names)), d.doc_ids, f"event:{d.lead.event_id}"))
                for d in chron[:timeline_limit]]

    n_docs = len({e.doc_id for e in events})
    govs = Counter(e.admin1 for e in events if e.admin1)
    types = Counter(e.event_type for e in events)
    if events:
        intro = (f"This brief covers {period_label(date_from, date_to)}: {len(events)} coded events from "
                 f"{n_docs} reports in the workspace, in {len(govs)} governorates. "
                 f"The most frequent event type was {types.most_common(1)[0][0].lower()} "
                 f"({types.most_common(1)[0][1]} events). Developments are ranked by fatalities, event "
                 "severity, extraction confidence and the number of independent sources.")
    else:
        intro = f"No events are stored for {period_label(date_from, date_to)}."

    # actors: the analyst's actor files, and every actor seen in the period's events
    a1 = Counter(e.actor1 for e in events if e.actor1)
    a2 = Counter(e.actor2 for e in events if e.actor2)
    rows: dict[str, ActorRow] = {}
    ws_actor_ids = {str(a["id"]) for a in ws_actor_records if a.get("id")}
    for a in knowledge_actors:
        name = a.get("name")
        if not name:
            continue
        if a.get("id") not in ws_actor_ids and name not in a1 and name not in a2:
            continue  # shipped dictionary entries only when they appear in the period
        rows[name] = ActorRow(name, str(a.get("kind") or ""), str(a.get("description") or a.get("role") or ""),
                              a1.get(name, 0), a2.get(name, 0))
    for name in list(a1) + list(a2):
        if name not in rows:
            info = names.info(name)
            rows[name] = ActorRow(name, str(info.get("kind") or ""), str(info.get("description") or ""),
                                  a1.get(name, 0), a2.get(name, 0))
    actors = sorted(rows.values(), key=lambda r: (-(r.as_actor1 + r.as_actor2), r.name))

    agreements, agreements_note = _agreements(ws, date_from, date_to, names, all_events)
    scenarios, scenarios_note = _scenarios(ws, date_to)

    figs: list[Figure] = []
    if figures and events:
        m = event_map(events, period_label(date_from, date_to))
        if m:
            figs.append(m)
        c = events_by_week(events, date_from, date_to)
        if c:
            figs.append(c)

    # references: exactly the cited documents
    texts = (summary + key + other + [t.text for t in timeline] + [x for _, ts in implications for x in ts]
             + conclusion + [x for b in agreements for x in b.changes + b.watch]
             + [x for b in scenarios for x in b.indicators])
    cited = list(dict.fromkeys(d for t in texts for d in t.cites))
    with ws.store(read_only=True) as st:
        missing = [d for d in cited if d not in docs_by_id]
        for d in st.documents(missing):
            docs_by_id[d.id] = d
    cited_docs = [docs_by_id[d] for d in cited if d in docs_by_id]
    bib = Bibliography(cited_docs, style, _publisher_places(ws))

    return Brief(
        title=ws.config.title, date_from=date_from, date_to=date_to, generated=date.today(), style=style,
        topic=topic, n_events=len(events), n_documents=n_docs, summary=summary, intro=intro, key=key,
        other_developments=other, timeline=timeline, timeline_more=max(0, len(chron) - timeline_limit),
        figures=figs, actors=actors, implications=implications, agreements=agreements,
        agreements_note=agreements_note, scenarios=scenarios, scenarios_note=scenarios_note,
        conclusion=conclusion, references=bib.references, labels=bib.labels,
        documents={d.id: d for d in cited_docs},
    )


class _DocIds:
    """A set-like view of stored document ids, looked up on demand."""

    def __init__(self, lookup) -> None:
        self.lookup = lookup

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.lookup(doc_id)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def workspace_actors(ws) -> list[dict]:
    """The analyst's actor records (knowledge/actors/*.yaml), read directly."""
    out: list[dict] = []
    folder = ws.config.knowledge_dir / "actors"
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        items = data.get("actors", []) if isinstance(data, dict) else data
        for a in items or []:
            if isinstance(a, dict) and a.get("id"):
                out.append(a)
    return out
