"""STIX 2.1 export of the knowledge base: actors, relations, reports, judgements, agreements, scenarios.

- actors: `threat-actor` for armed non-state groups (rebel group, militias), else `identity`
  with an `identity_class`;
- relations and actor memberships: `relationship` (Admiralty grade in the description,
  credibility mapped to STIX `confidence`);
- stored documents: `report` objects (doc id as external_id, URL as external reference),
  referring to the actors named in their events;
- judgements: `note` objects referring to the reports they cite;
- agreements and scenario sets: new SDOs `x-watchfloor-agreement` / `x-watchfloor-scenario`,
  each declared by an `extension-definition` (extension_type new-sdo).

Ids are UUIDv5 of the watchfloor ids, so repeated exports give the same ids.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from typing import Any

from .loader import KnowledgeBase, load_workspace
from .matching import _terms_re

NAMESPACE = uuid.UUID("6d1b2c1e-3f7a-5c44-9a61-5b7f0f4c2a10")
THREAT_ACTOR_KINDS = {"rebel group", "political militia", "identity militia"}
IDENTITY_CLASS = {
    "state forces": "organization", "external state": "organization",
    "international organisation": "organization", "political group": "group",
    "civilians": "class", "other": "unknown", None: "unknown",
}
CREDIBILITY_CONFIDENCE = {1: 95, 2: 80, 3: 60, 4: 35, 5: 10}
EXT_SCHEMA = "https://github.com/watchfloor/watchfloor/blob/main/docs/knowledge.md"


def stix_id(stype: str, key: str) -> str:
    return f"{stype}--{uuid.uuid5(NAMESPACE, f'{stype}:{key}')}"


def _ts(value: str | date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc) if value.tzinfo else value
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return f"{str(value)[:10]}T00:00:00.000Z"


def _actor_object(a: dict, common: dict) -> dict:
    if a.get("kind") in THREAT_ACTOR_KINDS:
        obj = {"type": "threat-actor", "id": stix_id("threat-actor", a["id"])}
    else:
        obj = {"type": "identity", "id": stix_id("identity", a["id"]),
               "identity_class": IDENTITY_CLASS.get(a.get("kind"), "unknown")}
    obj.update(common)
    obj["name"] = a["name"]
    aliases = [x for x in [*a.get("aliases", []), a.get("name_ar")] if x]
    desc = [a["description"]] if a.get("description") else []
    desc.append(f"watchfloor actor id: {a['id']}" + (f"; kind: {a['kind']}" if a.get("kind") else "")
                + (f"; ACLED inter {a['inter']}" if a.get("inter") else ""))
    obj["description"] = "\n".join(desc)
    if obj["type"] == "threat-actor":
        if aliases:
            obj["aliases"] = aliases
        if a.get("valid_from"):
            obj["first_seen"] = _ts(a["valid_from"])
        if a.get("valid_to"):
            obj["last_seen"] = _ts(a["valid_to"])
    elif a.get("kind") in ("state forces", "external state"):
        obj["sectors"] = ["government"]
    return obj


def _external_refs(sources: list[str]) -> list[dict]:
    refs = []
    for s in sources:
        if s.startswith(("http://", "https://")):
            refs.append({"source_name": "source", "url": s})
        elif s.startswith("doc:"):
            refs.append({"source_name": "watchfloor-document", "external_id": s[4:]})
        else:
            refs.append({"source_name": "source", "description": s})
    return refs


def build_bundle(kb: KnowledgeBase, documents: list, events: list, *, title: str = "watchfloor",
                 scenario_results: list | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The STIX 2.1 bundle (a JSON-ready dict) for a knowledge base and stored documents/events."""
    now_ts = _ts(now or datetime.now(timezone.utc))
    author = {"type": "identity", "spec_version": "2.1", "id": stix_id("identity", f"watchfloor-author:{title}"),
              "created": now_ts, "modified": now_ts, "name": title, "identity_class": "group",
              "description": "Analysts of this watchfloor workspace."}
    common = {"spec_version": "2.1", "created": now_ts, "modified": now_ts, "created_by_ref": author["id"]}
    objects: list[dict] = [author]
    actor_ref: dict[str, str] = {}
    for a in kb.actors.values():
        obj = _actor_object(a, common)
        actor_ref[a["id"]] = obj["id"]
        objects.append(obj)

    def relationship(key: str, rtype: str, src: str, tgt: str, start: str | None, end: str | None,
                     desc: str, confidence: int | None, sources: list[str]) -> dict | None:
        if src not in actor_ref or tgt not in actor_ref:
            return None
        rel = {"type": "relationship", "id": stix_id("relationship", key), **common,
               "relationship_type": rtype.replace("_", "-").lower(), "source_ref": actor_ref[src],
               "target_ref": actor_ref[tgt], "description": desc}
        if start:
            rel["start_time"] = _ts(start)
        if end and (not start or end > start):
            rel["stop_time"] = _ts(end)
        if confidence is not None:
            rel["confidence"] = confidence
        if sources:
            rel["external_references"] = _external_refs(sources)
        return rel

    for a in kb.actors.values():
        for i, m in enumerate(a.get("memberships", [])):
            rel = relationship(f"membership:{a['id']}:{i}:{m['of']}", f"{m.get('role') or 'member'}-of",
                               a["id"], m["of"], m.get("from"), m.get("to"),
                               f"{a['name']} is a {m.get('role') or 'member'} of {m['of']}", None, m.get("sources", []))
            if rel:
                objects.append(rel)
    for r in kb.relations:
        grade = f"{r['reliability']}{r['credibility']}"
        rel = relationship(f"relation:{r['id']}", r["type"], r["source_actor"], r["target_actor"], r.get("from"),
                           r.get("to"), (r.get("note") or r["id"]) + f" (Admiralty grade {grade})",
                           CREDIBILITY_CONFIDENCE.get(r["credibility"]), r["sources"])
        if rel:
            objects.append(rel)

    # reports: one per stored document, referring to the actors its events name
    rx_by_actor = {aid: _terms_re(tuple(kb.actor_terms(aid))) for aid in actor_ref}
    names_by_doc: dict[str, str] = {}
    for ev in events:
        names_by_doc[ev.doc_id] = names_by_doc.get(ev.doc_id, "") + " | " + " | ".join(
            x for x in (ev.actor1, ev.assoc_actor_1, ev.actor2, ev.assoc_actor_2) if x)
    report_ref: dict[str, str] = {}
    for doc in documents:
        names = names_by_doc.get(doc.id, "")
        refs = [actor_ref[aid] for aid, rx in rx_by_actor.items() if rx and names and rx.search(names)]
        rep = {"type": "report", "id": stix_id("report", doc.id), **common,
               "name": doc.title or doc.id, "report_types": ["threat-report"],
               "published": _ts(doc.date) or now_ts, "object_refs": refs or [author["id"]],
               "external_references": [{"source_name": doc.publisher or "source", "external_id": doc.id,
                                         **({"url": doc.url} if doc.url else {})}]}
        report_ref[doc.id] = rep["id"]
        objects.append(rep)

    for j in kb.judgements:
        refs = [report_ref[c[4:]] for c in j["citations"] if c.startswith("doc:") and c[4:] in report_ref]
        note = {"type": "note", "id": stix_id("note", j["id"]), **common, "abstract": j.get("title") or j["topic"],
                "content": j["text"], "authors": [j["author"]] if j.get("author") else [title],
                "object_refs": list(dict.fromkeys(refs)) or [author["id"]]}
        objects.append(note)

    ext_ids = {}
    for kind, desc in (("agreement", "An agreement, its parties and its provisions with dated status histories."),
                       ("scenario", "A set of mutually exclusive scenarios with priors, indicators and likelihood ratios.")):
        ext = {"type": "extension-definition", "id": stix_id("extension-definition", f"x-watchfloor-{kind}"),
               **common, "name": f"x-watchfloor-{kind}", "description": desc, "schema": EXT_SCHEMA,
               "version": "1.0.0", "extension_types": ["new-sdo"]}
        ext_ids[kind] = ext["id"]
        objects.append(ext)

    def new_sdo(kind: str, key: str) -> dict:
        return {"type": f"x-watchfloor-{kind}", "id": stix_id(f"x-watchfloor-{kind}", key), **common,
                "extensions": {ext_ids[kind]: {"extension_type": "new-sdo"}}}

    from .loader import public

    for g in kb.agreements:
        obj = new_sdo("agreement", g["id"])
        obj.update({"name": g["name"], "agreement_date": _ts(g["date"]), "watchfloor_id": g["id"],
                    "party_refs": [actor_ref[p] for p in g["parties"] if p in actor_ref],
                    "provisions": [public({k: v for k, v in p.items() if k != "watch"}) for p in g["provisions"]]})
        objects.append(obj)
    probs = {(s.set, s.id): s.probability for s in (scenario_results or [])}
    for s in kb.scenario_sets:
        obj = new_sdo("scenario", s["id"])
        obj.update({"name": s["name"], "watchfloor_id": s["id"],
                    "scenarios": [{**public(sc), **({"probability": round(probs[(s["id"], sc["id"])], 4)}
                                                    if (s["id"], sc["id"]) in probs else {})}
                                  for sc in s["scenarios"]],
                    "indicators": public(s["indicators"])})
        if s.get("question"):
            obj["question"] = s["question"]
        objects.append(obj)
    _drop_none(objects)
    return {"type": "bundle", "id": stix_id("bundle", f"{title}:{now_ts}"), "objects": objects}


def _drop_none(obj: Any) -> Any:
    if isinstance(obj, dict):
        for k in [k for k, v in obj.items() if v is None or v == []]:
            del obj[k]
        for v in obj.values():
            _drop_none(v)
    elif isinstance(obj, list):
        for v in obj:
            _drop_none(v)
    return obj


def validate_bundle(bundle: dict) -> None:
    """Parse with the stix2 package (custom objects allowed); raises stix2 exceptions if invalid."""
    import stix2

    stix2.parse(json.dumps(bundle), allow_custom=True)


def export_stix(workspace, as_of: date | None = None) -> dict[str, Any]:
    """Load the knowledge and build the validated bundle for a workspace."""
    from .scenarios import compute_scenario_sets

    with workspace.store() as st:
        kb = load_workspace(workspace, st)
        results = compute_scenario_sets(workspace, as_of, store=st)
        bundle = build_bundle(kb, st.documents(), st.events(), title=workspace.config.title,
                              scenario_results=[s for r in results for s in r.scenarios])
    validate_bundle(bundle)
    return bundle
