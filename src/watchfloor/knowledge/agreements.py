"""Agreement tracking: each provision's current status (from the analyst's dated history)
and the newly ingested events that touch it (review suggestions, not yet a status change).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from .loader import load_workspace
from .review import PROVISION, provision_target, suggest_all


@dataclass
class ProvisionStatus:
    agreement: str
    id: str
    text: str
    status: str
    since: str
    evidence: list[str]
    note: str | None
    set_by: str | None
    history: list[dict[str, Any]]
    suggestions: list[dict[str, Any]] = field(default_factory=list)  # events touching it since `since`


@dataclass
class AgreementStatus:
    id: str
    name: str
    date: str
    parties: list[str]
    provisions: list[ProvisionStatus]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _provision_status(g: dict, prov: dict, as_of: str, items: list[dict]) -> ProvisionStatus:
    history = [{k: v for k, v in h.items() if not k.startswith("_")} for h in prov["status_history"]]
    current = [h for h in history if h["date"] and h["date"] <= as_of]
    last = current[-1] if current else {"status": "not started", "date": g["date"], "evidence": [],
                                        "note": "no status recorded", "set_by": None}
    target = provision_target(g["id"], prov["id"])
    suggestions = []
    for it in items:
        if it["kind"] != PROVISION or it["target"] != target or it["status"] == "rejected":
            continue
        ev_date = str(it["payload"].get("event_date") or "")
        if ev_date and (ev_date < last["date"] or ev_date > as_of):
            continue
        suggestions.append({"item_id": it["item_id"], "status": it["status"], "event_id": it["event_id"],
                            "doc_id": it["doc_id"], "event_date": ev_date or None,
                            "evidence": it["payload"].get("evidence")})
    return ProvisionStatus(g["id"], prov["id"], prov["text"], last["status"], last["date"],
                           list(last.get("evidence") or []), last.get("note"), last.get("set_by"),
                           history, suggestions)


def agreement_status(workspace, as_of: date | None = None, store=None) -> list[AgreementStatus]:
    """Load the knowledge, refresh suggestions, and report every agreement's provisions."""
    if store is None:
        with workspace.store() as st:
            return agreement_status(workspace, as_of, st)
    as_of_s = (as_of or date.today()).isoformat()
    kb = load_workspace(workspace, store)
    suggest_all(store, kb)
    items = store.review_items()
    return [AgreementStatus(g["id"], g["name"], g["date"], g["parties"],
                            [_provision_status(g, p, as_of_s, items) for p in g["provisions"]])
            for g in kb.agreements]
