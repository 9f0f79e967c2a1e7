"""Integrity check: every factual sentence cites a source, and its sources say what it names.

Works on the rendered brief (Markdown or HTML, generated now or written earlier):

1. The text is split into sections and sentences; citations are recognised by their
   links to the reference list (`#ref-<doc id>`). Headings, tables, figures, the
   reference list and blocks marked `<!-- wf:nocheck -->` (HTML: `data-nocheck`) are
   not statements.
2. A sentence without a citation fails when it states a fact: it names an actor or a
   place, or gives a number or date. In Implications and Conclusion (the analyst's
   judgements) every sentence must cite.
3. A cited sentence fails when an actor or place it names is mentioned by none of its
   cited documents, or when one of its cited documents mentions none of them.
   Actors are compared by resolved actor id (aliases, dates of validity, sub-units count
   for their parent), places by OCHA P-code (a town or district supports its governorate),
   so "Deir Ezzor" in a report supports "Deir ez-Zor" in the brief.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import unquote

from ..models import Document
from .citations import md_unescape

CHECK_ALL = {"implications", "conclusion"}
SKIP_SECTIONS = {"references"}
NOCHECK_OPEN = "<!-- wf:nocheck -->"
NOCHECK_CLOSE = "<!-- /wf:nocheck -->"


@dataclass
class Statement:
    section: str
    text: str  # plain, without citations
    cites: list[str] = field(default_factory=list)
    estimative: bool = False  # "We judge ..." in a paragraph whose evidence is cited

    @property
    def quoted(self) -> str:
        t = self.text if len(self.text) <= 160 else self.text[:157] + "..."
        return f"“{t}”"


# ---- sentences ------------------------------------------------------------------------------

_ABBREV = {"mr", "mrs", "ms", "dr", "st", "gen", "col", "lt", "maj", "capt", "sgt", "no", "vs", "approx",
           "brig", "cpl", "pvt", "rev", "prof", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
           "sept", "oct", "nov", "dec", "etc", "e.g", "i.e", "cf", "fig"}
_TOKEN = re.compile(r"\x00(\d+)\x00")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; citation tokens stay with the sentence they end."""
    out, start, depth = [], 0, 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "“‘(":
            depth += 1
        elif ch in "”’)" and depth > 0:
            if not (ch == "’" and i + 1 < n and text[i + 1].isalpha()):  # apostrophe
                depth -= 1
        if ch in ".!?" and depth == 0:
            j = i + 1
            while j < n and text[j] in "\"”’)":
                j += 1
            if j >= n or text[j].isspace():
                k = j
                while k < n and text[k].isspace():
                    k += 1
                word = re.search(r"([\w.]+)$", text[start:i])
                prev = word.group(1).lower() if word else ""
                abbrev = prev in _ABBREV or re.fullmatch(r"(?:[a-z]\.)*[a-z]", prev or "-") is not None
                if k >= n or ((text[k].isupper() or text[k].isdigit() or text[k] in "“\"") and not abbrev):
                    out.append(text[start:j].strip())
                    start = k
                    i = k
                    continue
        i += 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return [s for s in out if s]


# the analytic line itself (ICD 203 estimative language), drawn from the evidence cited beside it
ESTIMATIVE = re.compile(r"^(?:we|i)\s+(?:judge|assess|estimate|expect|believe|anticipate|doubt|"
                        r"have\s+(?:low|moderate|medium|high)\s+confidence)\b", re.I)


def _statements(section: str, block: str, groups: list[list[str]]) -> list[Statement]:
    out = []
    for sent in split_sentences(block):
        ids = [d for m in _TOKEN.finditer(sent) for d in groups[int(m.group(1))]]
        plain = " ".join(_TOKEN.sub("", sent).split())
        plain = re.sub(r"\s+([.,;:!?])", r"\1", plain)
        if re.search(r"\w", plain):
            est = bool(groups) and bool(ESTIMATIVE.match(plain))
            out.append(Statement(section, plain, list(dict.fromkeys(ids)), est))
    return out


# ---- Markdown -------------------------------------------------------------------------------

_MD_CITE_GROUP = re.compile(r"\s?\((?:\[(?:\\.|[^\]\\])*\]\(#ref-[^)\s]+\)(?:;\s*)?)+\)")
_MD_CITE = re.compile(r"\]\(#ref-([^)\s]+)\)")
_MD_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")


def _md_plain(text: str) -> str:
    text = re.sub(r"(?<!\\)\*\*|(?<!\\)__", "", text)
    text = re.sub(r"(?<![\\\w])\*(?=\S)|(?<=\S)(?<!\\)\*(?!\w)", "", text)
    text = re.sub(r"(?<!\\)`", "", text)
    text = re.sub(r"(?<!\\)\[([^\]]*)\]\((?!#ref-)[^)]*\)", r"\1", text)  # other links: keep their text
    return md_unescape(text)


def statements_from_markdown(md: str) -> list[Statement]:
    section = ""
    blocks: list[tuple[str, str]] = []
    buf: list[str] = []
    nocheck = False

    def flush() -> None:
        if buf:
            blocks.append((section, " ".join(buf)))
            buf.clear()

    for raw in md.splitlines():
        line = raw.rstrip()
        s = line.strip()
        if s.startswith(NOCHECK_OPEN):
            flush()
            nocheck = True
            continue
        if s.startswith(NOCHECK_CLOSE):
            nocheck = False
            continue
        if nocheck:
            continue
        if not s:
            flush()
            continue
        if s.startswith("#"):
            flush()
            if re.match(r"^##\s", s):
                section = s.lstrip("#").strip()
            continue
        if s.startswith(("|", "![", "<!--", "<a id=", "---", "***", "```")):
            flush()
            continue
        if _MD_ITEM.match(line):
            flush()
            buf.append(_MD_ITEM.sub("", line, count=1))
            continue
        buf.append(s)
    flush()

    out: list[Statement] = []
    for sec, text in blocks:
        if sec.lower() in SKIP_SECTIONS:
            continue
        groups: list[list[str]] = []

        def token(m: re.Match) -> str:
            groups.append([unquote(x) for x in _MD_CITE.findall(m.group(0))])
            return f"\x00{len(groups) - 1}\x00"

        text = _MD_CITE_GROUP.sub(token, text)
        out.extend(_statements(sec, _md_plain(text), groups))
    return out


# ---- HTML -----------------------------------------------------------------------------------

class _HTMLStatements(HTMLParser):
    BLOCKS = {"p", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.section = ""
        self.stack: list[tuple[str, bool, bool]] = []  # tag, nocheck, cite
        self.blocks: list[tuple[str, str, list[list[str]]]] = []
        self.buf: list[str] | None = None
        self.groups: list[list[str]] = []
        self.cite: list[str] | None = None
        self.in_h2 = False

    @property
    def nocheck(self) -> bool:
        return any(n for _, n, _ in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        a = dict(attrs)
        if tag in ("br", "img", "hr", "meta", "link", "input"):
            return
        nocheck = "data-nocheck" in a or tag in ("table", "figure", "figcaption", "style", "script", "header", "footer", "nav")
        cite = tag == "span" and "cite" in (a.get("class") or "").split()
        if tag == "section" and a.get("data-section"):
            self.section = a["data-section"]
        if tag == "h2":
            self.in_h2 = True
        self.stack.append((tag, nocheck, cite))
        if cite and self.buf is not None:
            self.cite = []
        if tag == "a" and self.cite is not None:
            href = a.get("href") or ""
            if href.startswith("#ref-"):
                self.cite.append(unquote(href[5:]))
        if tag in self.BLOCKS and not self.nocheck and self.buf is None:
            self.buf = []
            self.groups = []

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, _, cite = self.stack.pop()
            if cite and self.cite is not None and self.buf is not None:
                self.groups.append(self.cite)
                self.buf.append(f" \x00{len(self.groups) - 1}\x00")
                self.cite = None
            if t in self.BLOCKS and self.buf is not None and not any(x[0] in self.BLOCKS for x in self.stack):
                self.blocks.append((self.section, "".join(self.buf), self.groups))
                self.buf = None
            if t == "h2":
                self.in_h2 = False
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.buf is not None and self.cite is None and not self.nocheck:
            self.buf.append(data)


def statements_from_html(text: str) -> list[Statement]:
    p = _HTMLStatements()
    p.feed(text)
    p.close()
    out: list[Statement] = []
    for sec, block, groups in p.blocks:
        if sec.lower() in SKIP_SECTIONS:
            continue
        out.extend(_statements(sec, " ".join(block.split()), groups))
    return out


# ---- entity matching ------------------------------------------------------------------------

_FACT = re.compile(r"\d")


class _FallbackActors:
    """Alias matching from the shipped and workspace actor records (used only without ActorMatcher)."""

    def __init__(self, records: list[dict]) -> None:
        self.records = {r["id"]: r for r in records if r.get("id")}
        pats = []
        for r in records:
            names = [r.get("name")] + [a.get("text") if isinstance(a, dict) else a for a in r.get("aliases") or []]
            for n in names:
                if n and len(str(n)) > 1:
                    pats.append((str(n), r["id"]))
        pats.sort(key=lambda x: -len(x[0]))
        self.patterns = [(re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)", 0 if n.isupper() else re.I), i)
                         for n, i in pats]

    def find(self, text: str, on: date | None = None) -> list[Any]:
        taken: list[tuple[int, int]] = []
        out = []
        for pat, actor_id in self.patterns:
            for m in pat.finditer(text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                rec = self.records[actor_id]
                vf, vt = rec.get("valid_from"), rec.get("valid_to")
                if on and ((vf and str(vf) > on.isoformat()) or (vt and str(vt) < on.isoformat())):
                    continue
                taken.append((m.start(), m.end()))
                out.append(_Mention(actor_id, rec.get("name", actor_id), m.group(0)))
        return out

    def get(self, actor_id: str) -> dict:
        return self.records.get(actor_id, {})


@dataclass
class _Mention:
    actor_id: str
    name: str
    mention: str


def actor_matcher(ws) -> Any:
    paths = sorted((ws.config.knowledge_dir / "actors").glob("*.y*ml")) if ws is not None else []
    try:
        from ..extract.actors import ActorMatcher

        return ActorMatcher.from_files(paths) if paths else ActorMatcher.default()
    except (ImportError, AttributeError):
        pass
    except Exception:  # a malformed actor file must not hide the check: fall back
        try:
            from ..extract.actors import ActorMatcher

            return ActorMatcher.default()
        except Exception:
            pass
    from .build import workspace_actors
    from .sentences import _shipped_actors

    return _FallbackActors(list(_shipped_actors()) + (workspace_actors(ws) if ws is not None else []))


def _geocoder() -> Any:
    try:
        from ..geocode import Geocoder

        return Geocoder.default()
    except (ImportError, AttributeError):
        return None


def _name_key(name: str) -> str:
    try:
        from ..geocode import name_key

        return str(name_key(name)[0])
    except Exception:
        return re.sub(r"[^a-z]", "", name.lower().replace("al-", "").replace("ez-", "").replace("el-", ""))


def _km(a: Any, b: Any) -> float:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return math.inf
    dy = (a.latitude - b.latitude) * 111.0
    dx = (a.longitude - b.longitude) * 111.0 * math.cos(math.radians(a.latitude))
    return math.hypot(dx, dy)


def place_supported(s: Any, found: Iterable[Any]) -> bool:
    """Does a place the document mentions support the place the sentence names?"""
    skey = _name_key(s.name)
    for d in found:
        if _name_key(d.name) == skey:
            return True
        kind = s.kind or "town"
        if kind == "admin1" or (kind == "region" and s.admin1_pcode and not s.admin2_pcode):
            if s.admin1_pcode and d.admin1_pcode == s.admin1_pcode:
                return True
        elif kind == "admin2":
            if s.admin2_pcode and d.admin2_pcode == s.admin2_pcode:
                return True
        elif kind == "admin3":
            if s.admin3_pcode and d.admin3_pcode == s.admin3_pcode:
                return True
        elif kind == "country":
            return True
        else:  # a town, neighbourhood or site: the same place, or one within 3 km
            if _km(s, d) <= 3.0:
                return True
    return False


def _place_label(p: Any) -> str:
    return p.mention if p.mention.lower() == p.name.lower() else f"{p.mention} ({p.name})"


# ---- the checker ----------------------------------------------------------------------------

class Checker:
    def __init__(self, ws, documents: Callable[[list[str]], dict[str, Document]],
                 labels: dict[str, str] | None = None) -> None:
        self.ws = ws
        self.documents = documents
        self.labels = labels or {}
        self.actors = actor_matcher(ws)
        self.geocoder = _geocoder()
        self._doc_cache: dict[str, tuple[set[str], list[Any]]] = {}

    def _label(self, doc: Document | None, doc_id: str) -> str:
        if doc_id in self.labels:
            return f"{self.labels[doc_id]} [{doc_id}]"
        if doc is not None:
            who = doc.publisher or doc.author or "source"
            year = doc.date.year if doc.date else "n.d."
            return f"{who} {year} [{doc_id}]"
        return f"[{doc_id}]"

    def _ancestors(self, actor_id: str) -> set[str]:
        out, cur = set(), actor_id
        for _ in range(10):
            try:
                rec = self.actors.get(cur) or {}
            except Exception:
                rec = {}
            parent = rec.get("parent")
            if not parent or parent in out:
                break
            out.add(parent)
            cur = parent
        return out

    def _actor_ids(self, text: str, on: date | None) -> dict[str, str]:
        try:
            found = self.actors.find(text, on=on)
        except TypeError:
            found = self.actors.find(text)
        return {m.actor_id: (getattr(m, "mention", "") or m.name) for m in found}

    def _doc_entities(self, doc: Document) -> tuple[set[str], list[Any]]:
        if doc.id not in self._doc_cache:
            text = "\n".join(x for x in (doc.title, doc.text) if x)
            ids = set(self._actor_ids(text, doc.date))
            ids |= {a for i in list(ids) for a in self._ancestors(i)}  # a sub-unit names its parent
            places = list(self.geocoder.find(text)) if self.geocoder else []
            self._doc_cache[doc.id] = (ids, places)
        return self._doc_cache[doc.id]

    def check(self, statements: list[Statement]) -> list[str]:
        problems: list[str] = []
        wanted = sorted({d for s in statements for d in s.cites})
        docs = self.documents(wanted) if wanted else {}
        for st in statements:
            where = f"{st.section}: " if st.section else ""
            if not st.cites:
                if st.estimative:
                    continue  # the judgement proper; its paragraph cites the evidence
                if st.section.lower() in CHECK_ALL:
                    problems.append(f"{where}{st.quoted} cites no source (every judgement sentence must cite)")
                elif self._states_fact(st.text):
                    problems.append(f"{where}{st.quoted} cites no source")
                continue
            cited = [docs.get(d) for d in st.cites]
            unknown = [d for d, doc in zip(st.cites, cited) if doc is None]
            for d in unknown:
                problems.append(f"{where}{st.quoted} cites {d}, which is not a document in this workspace")
            cited_docs = [doc for doc in cited if doc is not None]
            if not cited_docs:
                continue
            problems.extend(where + p for p in self._support(st, cited_docs))
        return problems

    def _states_fact(self, text: str) -> bool:
        if _FACT.search(text):
            return True
        if self._actor_ids(text, None):
            return True
        if self.geocoder and [p for p in self.geocoder.find(text) if p.kind != "country"]:
            return True
        return False

    def _support(self, st: Statement, docs: list[Document]) -> list[str]:
        on = next((d.date for d in docs if d.date), None)
        # a provision's title quotes the workspace's agreement file, not a source: the sources
        # must support the claim around it (its change of status), not the title's wording
        claim = _PROVISION_TITLE.sub("the provision", st.text)
        actors = self._actor_ids(claim, on)
        context = docs[0].text if docs else None
        places = []
        if self.geocoder:
            try:
                places = [p for p in self.geocoder.find(claim, context=context) if p.kind != "country"]
            except TypeError:
                places = [p for p in self.geocoder.find(claim) if p.kind != "country"]
        if not actors and not places:
            return []
        ents = {d.id: self._doc_entities(d) for d in docs}
        out = []
        cited = ", ".join(self._label(d, d.id) for d in docs)
        supports_any = {d.id: False for d in docs}
        for actor_id, mention in actors.items():
            ok = [d.id for d in docs if actor_id in ents[d.id][0]]
            for i in ok:
                supports_any[i] = True
            if not ok:
                out.append(f"{st.quoted}: no cited source mentions the actor “{mention}” (cited: {cited})")
        for place in places:
            ok = [d.id for d in docs if place_supported(place, ents[d.id][1])]
            for i in ok:
                supports_any[i] = True
            if not ok:
                out.append(f"{st.quoted}: no cited source mentions the place “{_place_label(place)}” (cited: {cited})")
        if len(docs) > 1:
            for d in docs:
                if not supports_any[d.id]:
                    out.append(f"{st.quoted}: the cited source {self._label(d, d.id)} mentions none of "
                               "the actors and places the sentence names")
        return out


# how brief/build.py names a provision in its status-change sentences
_PROVISION_TITLE = re.compile(r"\bthe provision “[^”]*”")
_MD_LABEL = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(#ref-([^)\s]+)\)")
_HTML_LABEL = re.compile(r'<a href="#ref-([^"]+)">([^<]*)</a>')


def check_text(ws, text: str, fmt: str, documents: Callable[[list[str]], dict[str, Document]],
               labels: dict[str, str] | None = None) -> tuple[list[str], int]:
    statements = statements_from_html(text) if fmt == "html" else statements_from_markdown(text)
    if labels is None:  # the in-text labels the file itself uses, for the messages
        import html as _html

        pat = _HTML_LABEL if fmt == "html" else _MD_LABEL
        labels = {}
        for m in pat.finditer(text):
            label, ref = (m.group(2), m.group(1)) if fmt == "html" else (m.group(1), m.group(2))
            labels.setdefault(unquote(ref), _html.unescape(md_unescape(label)))
    checker = Checker(ws, documents, labels)
    return checker.check(statements), sum(1 for s in statements if s.cites)


def store_documents(ws) -> Callable[[list[str]], dict[str, Document]]:
    def get(ids: list[str]) -> dict[str, Document]:
        with ws.store(read_only=True) as st:
            return {d.id: d for d in st.documents(ids)}
    return get


def check_brief_file(ws, path: Path | str) -> list[str]:
    """Check a brief written earlier (Markdown or HTML) against the workspace's documents."""
    from ..errors import UserError

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.suffix.lower() == ".pdf":
        raise UserError(f"{path}: check the Markdown or HTML brief (PDF text is not checked)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    fmt = "html" if path.suffix.lower() in (".html", ".htm") or text.lstrip().lower().startswith("<!doctype html") else "md"
    problems, _ = check_text(ws, text, fmt, store_documents(ws))
    return problems
