"""The review queue: automatic suggestions (an event matches an indicator, an event touches a
provision) that the analyst accepts or rejects.

Suggestions have stable ids, so refreshing is idempotent and never resets a decision
(`Store.suggest` skips existing ids). Rejected matches stop counting in the scenarios;
accepted and pending ones count. Nothing here writes the analyst's YAML files.
"""

from __future__ import annotations

from typing import Any

from ..errors import UserError
from .loader import KnowledgeBase, load_workspace
from .matching import indicator_query, watch_query

INDICATOR = "indicator"
PROVISION = "provision"


def indicator_item_id(indicator_id: str, event_id: str) -> str:
    return f"{indicator_id}:{event_id}"


def provision_target(agreement_id: str, provision_id: str) -> str:
    return f"{agreement_id}/{provision_id}"


def provision_item_id(agreement_id: str, provision_id: str, event_id: str) -> str:
    return f"{provision_target(agreement_id, provision_id)}:{event_id}"


def _snippet(text: str | None, n: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def suggest_all(store, kb: KnowledgeBase, events=None) -> int:
    """Add pending suggestions for every event that matches an indicator or touches a provision."""
    events = store.events() if events is None else events
    new = 0
    for s in kb.scenario_sets:
        for ind in s["indicators"]:
            q = indicator_query(ind, kb)
            for ev in events:
                if q.matches(ev):
                    payload = {"set": s["id"], "indicator": ind["id"], "indicator_name": ind["name"],
                               "event_date": ev.event_date, "event_type": ev.sub_event_type,
                               "evidence": _snippet(ev.evidence), "lr": ind["lr"]}
                    new += store.suggest(indicator_item_id(ind["id"], ev.event_id), INDICATOR, ind["id"],
                                         ev.event_id, ev.doc_id, payload)
    for g in kb.agreements:
        for prov in g["provisions"]:
            q = watch_query(prov, g, kb)
            if q is None:
                continue
            for ev in events:
                if q.matches(ev):
                    payload = {"agreement": g["id"], "provision": prov["id"], "provision_text": _snippet(prov["text"], 80),
                               "event_date": ev.event_date, "event_type": ev.sub_event_type,
                               "evidence": _snippet(ev.evidence)}
                    new += store.suggest(provision_item_id(g["id"], prov["id"], ev.event_id), PROVISION,
                                         provision_target(g["id"], prov["id"]), ev.event_id, ev.doc_id, payload)
    return new


def refresh_suggestions(workspace, store=None) -> int:
    """Load the knowledge files and add suggestions for stored events; returns how many are new.

    The ingest calls this after storing new events (pass its open `store` to reuse the
    connection). Raises `KnowledgeError` (a `UserError`) if the knowledge files have errors.
    """
    if store is None:
        with workspace.store() as st:
            return refresh_suggestions(workspace, st)
    kb = load_workspace(workspace, store)
    return suggest_all(store, kb)


def rejected_ids(store) -> set[str]:
    return {item["item_id"] for item in store.review_items("rejected")}


def decide(workspace, item_ids: list[str], status: str, note: str | None = None) -> list[str]:
    """Accept or reject items by id; returns the ids that do not exist (nothing changed for them)."""
    missing = []
    with workspace.store() as st:
        for item_id in item_ids:
            if not st.decide(item_id, status, note):
                missing.append(item_id)
    return missing


def review_list(workspace, include_decided: bool = False) -> list[dict[str, Any]]:
    """Refresh suggestions, then the pending items (or all items)."""
    with workspace.store() as st:
        refresh_suggestions(workspace, st)
        return st.review_items(None if include_decided else "pending")


def check_decision_ids(items: list[str]) -> None:
    if any(not i.strip() for i in items):
        raise UserError("review: empty item id")
