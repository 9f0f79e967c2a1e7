"""Read, validate and load the knowledge files of a workspace.

`check_workspace(ws)` validates everything (shipped actor dictionary + workspace files,
cross-references, citations) and returns a `KnowledgeBase` with its `issues`;
`load_workspace(ws)` does the same and, if there are no errors, replaces the
`knowledge` table of the database with what the files say (the files are the truth).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from ..errors import UserError
from .schema import (
    CITATION_KINDS, Checker, check_actor, check_agreement, check_judgement, check_relation,
    check_scenario_set, parse_ref, _top_list,
)
from .yamlio import Issue, load_yaml, load_yaml_file, split_front_matter

KINDS = ("actors", "relations", "agreements", "scenarios", "judgements")
TOP_KEYS = {"actors": "actors", "relations": "relations", "agreements": "agreements",
            "scenarios": "scenario_sets"}
SHIPPED_ACTORS = Path(__file__).resolve().parent.parent / "data" / "actors.yaml"


class KnowledgeError(UserError):
    """The knowledge files have errors; `issues` holds every `file:line: message`."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = [i for i in issues if i.severity == "error"]
        first = self.issues[0] if self.issues else "knowledge files have errors"
        more = len(self.issues) - 1
        super().__init__(f"{first}" + (f" (and {more} more; run `watchfloor kb check`)" if more else ""))


@dataclass
class KnowledgeBase:
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)  # shipped + workspace, by id
    workspace_actor_ids: set[str] = field(default_factory=set)
    relations: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    scenario_sets: list[dict[str, Any]] = field(default_factory=list)
    judgements: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def actor_terms(self, term: str) -> list[str]:
        """Names an actor query term stands for: an actor id gives its name and aliases."""
        actor = self.actors.get(term)
        if actor is None:
            return [term]
        names = [actor["name"], *actor.get("aliases", [])]
        if ":" in actor["name"]:  # "SDF: Syrian Democratic Forces" -> also the long form
            names.append(actor["name"].split(":", 1)[1].strip())
        return [n for n in dict.fromkeys(names) if n]

    def summary(self) -> dict[str, int]:
        return {"actors": len(self.actors), "workspace actors": len(self.workspace_actor_ids),
                "relations": len(self.relations), "agreements": len(self.agreements),
                "provisions": sum(len(a["provisions"]) for a in self.agreements),
                "scenario sets": len(self.scenario_sets),
                "scenarios": sum(len(s["scenarios"]) for s in self.scenario_sets),
                "indicators": sum(len(s["indicators"]) for s in self.scenario_sets),
                "judgements": len(self.judgements)}

    def records(self, kind: str) -> list[tuple[str, dict[str, Any], str]]:
        """(id, data, source) triples for `Store.replace_knowledge`."""
        if kind == "actors":
            objs = list(self.actors.values())
        else:
            objs = {"relations": self.relations, "agreements": self.agreements,
                    "scenarios": self.scenario_sets, "judgements": self.judgements}[kind]
        return [(o["id"], public(o), o.get("_source", "")) for o in objs]


def public(obj: Any) -> Any:
    """The object without the validator's private `_...` keys (line bookkeeping)."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, list):
        return [public(v) for v in obj]
    return obj


def _shown(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            pass
    return str(path)


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _load_actor_file(path: Path, shown: str, issues: list[Issue], severity: str,
                     shipped: dict[str, dict] | None = None) -> list[dict]:
    doc, problems = load_yaml_file(path, shown)
    issues.extend(Issue(p.path, p.line, p.message, severity) for p in problems)
    ck = Checker(shown, issues, severity)
    out = []
    for item, _ln in _top_list(doc, "actors", ck):
        actor = check_actor(item, ck, require_name=not (shipped and item.get("id") in shipped))
        if actor:
            out.append(actor)
    return out


def load_knowledge(knowledge_dir: Path | str, *, known_docs: Iterable[str] | None = None,
                   known_events: Iterable[str] | None = None,
                   shipped_actors: Path | None = SHIPPED_ACTORS, base: Path | None = None) -> KnowledgeBase:
    """Validate every knowledge file under `knowledge_dir`.

    `known_docs`/`known_events`: ids citations may point to (None: not checked).
    Problems in the shipped actor dictionary are warnings (the analyst cannot fix them).
    """
    kdir = Path(knowledge_dir)
    base = base or kdir.parent
    kb = KnowledgeBase()
    issues = kb.issues

    # actors: shipped first, workspace files extend or override them by id
    if shipped_actors is not None and Path(shipped_actors).is_file():
        for actor in _load_actor_file(Path(shipped_actors), _shown(Path(shipped_actors), Path(shipped_actors).resolve().parent.parent.parent), issues, "warning"):
            kb.actors[actor["id"]] = actor
    shipped = dict(kb.actors)
    ws_seen: dict[str, str] = {}
    actor_files = _files(kdir / "actors", (".yaml", ".yml"))
    for path in actor_files:
        shown = _shown(path, base)
        for actor in _load_actor_file(path, shown, issues, "error", shipped):
            if actor["id"] in ws_seen:
                issues.append(Issue(shown, int(actor["_source"].rsplit(":", 1)[1]),
                                    f"actor {actor['id']}: duplicate id (first defined at {ws_seen[actor['id']]})"))
                continue
            ws_seen[actor["id"]] = actor["_source"]
            if actor["id"] in shipped:  # extend: the fields the workspace gives override the shipped ones
                base_actor = shipped[actor["id"]]
                actor = {**base_actor, **{k: v for k, v in actor.items()
                                          if k in actor["_given"] or k in ("_source", "_given")
                                          or (k.startswith("_") and k.endswith("_line") and k[1:-5] in actor["_given"])}}
            kb.actors[actor["id"]] = actor
            kb.workspace_actor_ids.add(actor["id"])
    kb.files["actors"] = len(actor_files)

    def generic(kind: str, check) -> list[dict]:
        out, seen = [], {}
        paths = _files(kdir / kind, (".yaml", ".yml"))
        kb.files[kind] = len(paths)
        for path in paths:
            shown = _shown(path, base)
            doc, problems = load_yaml_file(path, shown)
            issues.extend(problems)
            ck = Checker(shown, issues)
            for item, _ln in _top_list(doc, TOP_KEYS[kind], ck):
                obj = check(item, ck)
                if obj is None:
                    continue
                if obj["id"] in seen:
                    ck.err(item.line_of("id"), f"{kind[:-1]} {obj['id']}: duplicate id (first defined at {seen[obj['id']]})")
                    continue
                seen[obj["id"]] = obj["_source"]
                out.append(obj)
        return out

    kb.relations = generic("relations", check_relation)
    kb.agreements = generic("agreements", check_agreement)
    kb.scenario_sets = generic("scenarios", check_scenario_set)

    # judgements: Markdown with YAML front matter
    seen_j: dict[str, str] = {}
    jpaths = _files(kdir / "judgements", (".md", ".markdown"))
    kb.files["judgements"] = len(jpaths)
    for path in jpaths:
        shown = _shown(path, base)
        ck = Checker(shown, issues)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            ck.err(None, f"cannot read as UTF-8 text: {exc}")
            continue
        front, body, body_line = split_front_matter(text)
        if front is None:
            ck.err(1, "missing front matter (--- id, topic, date --- at the top of the file)")
            continue
        meta, problems = load_yaml(front, shown, line_offset=1)
        issues.extend(problems)
        if problems and meta is None:
            continue
        j = check_judgement(meta, body, body_line, ck)
        if j is None:
            continue
        if j["id"] in seen_j:
            ck.err(meta.line_of("id"), f"judgement {j['id']}: duplicate id (first defined in {seen_j[j['id']]})")
            continue
        seen_j[j["id"]] = shown
        kb.judgements.append(j)

    _check_references(kb, known_docs, known_events)
    kb.scenario_sets.sort(key=lambda s: s["id"])
    _check_indicator_ids(kb)
    return kb


def _split_source(src: str) -> tuple[str, int | None]:
    path, _, line = src.rpartition(":")
    return (path, int(line)) if line.isdigit() else (src, None)


def _check_indicator_ids(kb: KnowledgeBase) -> None:
    seen: dict[str, str] = {}
    for s in kb.scenario_sets:
        for ind in s["indicators"]:
            if ind["id"] in seen:
                path, line = _split_source(ind["_source"])
                kb.issues.append(Issue(path, line, f"indicator {ind['id']}: duplicate id (first defined at {seen[ind['id']]}); indicator ids must be unique across scenario sets"))
            else:
                seen[ind["id"]] = ind["_source"]


def _check_references(kb: KnowledgeBase, known_docs: Iterable[str] | None,
                      known_events: Iterable[str] | None) -> None:
    docs = set(known_docs) if known_docs is not None else None
    events = set(known_events) if known_events is not None else None
    actors = kb.actors

    def actor_ref(ref: str | None, src: str, line: int | None, what: str) -> None:
        if ref and ref not in actors:
            path, _ = _split_source(src)
            sev = "warning" if path.endswith("data/actors.yaml") else "error"
            kb.issues.append(Issue(path, line, f"{what}: unknown actor {ref!r} (not in the shipped or workspace actors)", sev))

    def citation(ref: str, src_path: str, line: int | None, what: str, strict: bool = True) -> None:
        parsed = parse_ref(ref)
        if parsed is None or parsed[0] not in CITATION_KINDS:
            if strict:
                kb.issues.append(Issue(src_path, line, f"{what}: unknown citation key {ref!r} (use doc:ID or event:ID)"))
            return
        kind, ident = parsed
        if kind == "doc" and docs is not None and ident not in docs:
            kb.issues.append(Issue(src_path, line, f"{what}: unknown citation key {ref!r}: no document with this id in the database or reports/"))
        if kind == "event" and events is not None and ident not in events:
            kb.issues.append(Issue(src_path, line, f"{what}: citation {ref!r}: no event with this id in the database (yet)", "warning"))

    for a in actors.values():
        path, line = _split_source(a["_source"])
        actor_ref(a.get("parent"), a["_source"], a.get("_parent_line") or line, f"actor {a['id']}: parent")
        actor_ref(a.get("successor"), a["_source"], a.get("_successor_line") or line, f"actor {a['id']}: successor")
        for m in a["memberships"]:
            actor_ref(m["of"], a["_source"], m.get("_of_line"), f"actor {a['id']}: membership")
    for r in kb.relations:
        path, line = _split_source(r["_source"])
        for ref, ln, role in zip((r["source_actor"], r["target_actor"]), r["_actor_lines"], ("source_actor", "target_actor")):
            actor_ref(ref, r["_source"], ln, f"relation {r['id']}: {role}")
        for s, ln in zip(r["sources"], r["_source_lines"]):
            if s.split(":", 1)[0] in CITATION_KINDS and " " not in s:
                citation(s, path, ln, f"relation {r['id']}")
    for g in kb.agreements:
        path, line = _split_source(g["_source"])
        for p, ln in zip(g["parties"], g["_party_lines"]):
            actor_ref(p, g["_source"], ln, f"agreement {g['id']}: party")
        for prov in g["provisions"]:
            for h in prov["status_history"]:
                for e, ln in zip(h["evidence"], h["_evidence_lines"]):
                    citation(e, path, ln, f"agreement {g['id']}: provision {prov['id']}: evidence")
    for j in kb.judgements:
        path, _ = _split_source(j["_source"])
        for c, ln in zip(j["citations"], j["_citation_lines"]):
            citation(c, path, ln, f"judgement {j['id']}")


# ---- workspace glue -----------------------------------------------------------------------
def report_doc_ids(reports_dir: Path) -> set[str]:
    """`id:` fields in the front matter of the workspace's report files (cheap, no ingest)."""
    ids: set[str] = set()
    for path in _files(reports_dir, (".md", ".markdown", ".txt", ".text")):
        try:
            front, _, _ = split_front_matter(path.read_text(encoding="utf-8-sig"))
            meta = yaml.safe_load(front) if front else None
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(meta, dict) and meta.get("id"):
            ids.add(str(meta["id"]))
    return ids


def _known_ids(ws, store) -> tuple[set[str], set[str] | None]:
    docs = report_doc_ids(ws.root / "reports")
    events: set[str] | None = None
    if store is not None:
        docs |= {d.id for d in store.documents()}
        events = {e.event_id for e in store.events()}
    return docs, events


def check_workspace(ws, store=None) -> KnowledgeBase:
    """Validate the workspace's knowledge files (citations against its database and reports/)."""
    if store is None and ws.config.database_path.exists():
        try:
            with ws.store(read_only=True) as st:
                docs, events = _known_ids(ws, st)
        except UserError:
            docs, events = _known_ids(ws, None)
    else:
        docs, events = _known_ids(ws, store)
    return load_knowledge(ws.config.knowledge_dir, known_docs=docs, known_events=events, base=ws.root)


def load_workspace(ws, store=None) -> KnowledgeBase:
    """Validate and load the knowledge into the database; `KnowledgeError` if any file has errors."""
    if store is None:
        with ws.store() as st:
            return load_workspace(ws, st)
    kb = check_workspace(ws, store)
    if kb.errors:
        raise KnowledgeError(kb.issues)
    for kind in KINDS:
        store.replace_knowledge(kind, kb.records(kind))
    return kb
