"""Scenario tracking: Bayesian updating of mutually exclusive futures from indicator events.

For each scenario set: log-odds = log(prior) + sum of log(LR) of every indicator that
fired (matching events in its window >= min_count, events dated on or before as-of,
matches the analyst rejected in review excluded), normalised so the set sums to 1.
The trend compares with the probability `trend_days` earlier (CrisisWatch-style arrows).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from .loader import KnowledgeBase
from .matching import indicator_query, indicator_window
from .review import indicator_item_id, rejected_ids, suggest_all

TREND_THRESHOLD = 0.05
ARROWS = {"rising": "↑", "falling": "↓", "unchanged": "→"}


@dataclass
class EvidenceItem:
    indicator: str
    indicator_name: str
    event_ids: list[str]
    doc_ids: list[str]
    lr: float
    effect: str  # supports | weighs against | neutral


@dataclass
class ScenarioResult:
    set: str
    set_name: str
    id: str
    name: str
    prior: float
    probability: float
    previous_probability: float
    trend: str  # rising | falling | unchanged
    evidence: list[EvidenceItem] = field(default_factory=list)

    @property
    def arrow(self) -> str:
        return ARROWS[self.trend]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["probability"] = round(self.probability, 4)
        d["previous_probability"] = round(self.previous_probability, 4)
        return d


@dataclass
class IndicatorResult:
    id: str
    name: str
    lr: dict[str, float]  # per scenario id (1.0 where the analyst gave none)
    diagnosticity: float  # max log LR - min log LR across the set's scenarios
    count: int
    min_count: int
    fired: bool
    event_ids: list[str]
    doc_ids: list[str]
    window: tuple[str | None, str]


@dataclass
class ScenarioSetResult:
    id: str
    name: str
    question: str | None
    as_of: str
    trend_days: int
    scenarios: list[ScenarioResult]
    indicators: list[IndicatorResult]


def _effect(lr: float) -> str:
    return "supports" if lr > 1 else "weighs against" if lr < 1 else "neutral"


def _evaluate(sset: dict, kb: KnowledgeBase, events: list, rejected: set[str],
              as_of: date) -> tuple[dict[str, float], list[IndicatorResult]]:
    ids = [s["id"] for s in sset["scenarios"]]
    logp = {s["id"]: math.log(s["prior"]) for s in sset["scenarios"]}
    results = []
    for ind in sset["indicators"]:
        lo, hi = indicator_window(ind, as_of)
        q = indicator_query(ind, kb).within(lo, hi)
        hits = [ev for ev in events
                if q.matches(ev) and indicator_item_id(ind["id"], ev.event_id) not in rejected]
        lrs = {sid: float(ind["lr"].get(sid, 1.0)) for sid in ids}
        logs = [math.log(v) for v in lrs.values()]
        fired = len(hits) >= ind["min_count"]
        if fired:
            for sid in ids:
                logp[sid] += math.log(lrs[sid])
        results.append(IndicatorResult(
            id=ind["id"], name=ind["name"], lr=lrs, diagnosticity=round(max(logs) - min(logs), 3),
            count=len(hits), min_count=ind["min_count"], fired=fired,
            event_ids=[ev.event_id for ev in hits],
            doc_ids=list(dict.fromkeys(ev.doc_id for ev in hits)), window=(lo, hi)))
    top = max(logp.values())
    z = sum(math.exp(v - top) for v in logp.values())
    return {sid: math.exp(v - top) / z for sid, v in logp.items()}, results


def evaluate_sets(kb: KnowledgeBase, events: list, rejected: set[str], as_of: date,
                  trend_days: int | None = None, threshold: float = TREND_THRESHOLD) -> list[ScenarioSetResult]:
    """Pure computation (no database): the scenario sets of `kb` given events and rejected item ids."""
    out = []
    for sset in kb.scenario_sets:
        days = trend_days or sset["trend_days"]
        probs, indicators = _evaluate(sset, kb, events, rejected, as_of)
        before, _ = _evaluate(sset, kb, events, rejected, as_of - timedelta(days=days))
        scenarios = []
        for s in sset["scenarios"]:
            p, p0 = probs[s["id"]], before[s["id"]]
            trend = "rising" if p - p0 >= threshold else "falling" if p0 - p >= threshold else "unchanged"
            evidence = [EvidenceItem(i.id, i.name, i.event_ids, i.doc_ids, i.lr[s["id"]], _effect(i.lr[s["id"]]))
                        for i in indicators if i.fired]
            scenarios.append(ScenarioResult(sset["id"], sset["name"], s["id"], s["name"], s["prior"], p, p0,
                                            trend, evidence))
        out.append(ScenarioSetResult(sset["id"], sset["name"], sset.get("question"), as_of.isoformat(),
                                     days, scenarios, indicators))
    return out


def compute_scenario_sets(workspace, as_of: date | None = None, *, trend_days: int | None = None,
                          threshold: float = TREND_THRESHOLD, store=None) -> list[ScenarioSetResult]:
    """Load the knowledge, refresh review suggestions, and evaluate every scenario set.

    `as_of` defaults to the newest event in the workspace (today if none), so the
    same workspace read later shows what it showed then.
    """
    from .loader import load_workspace

    if store is None:
        with workspace.store() as st:
            return compute_scenario_sets(workspace, as_of, trend_days=trend_days, threshold=threshold, store=st)
    as_of = as_of or store.latest_event_date() or date.today()
    kb = load_workspace(workspace, store)
    events = store.events()
    suggest_all(store, kb, events)
    return evaluate_sets(kb, events, rejected_ids(store), as_of, trend_days, threshold)


def compute_scenarios(workspace, as_of: date | None = None, **options) -> list[ScenarioResult]:
    """Every scenario of every set, flat (each names its `set`); see `compute_scenario_sets`."""
    return [s for r in compute_scenario_sets(workspace, as_of, **options) for s in r.scenarios]


def scenarios_json(results: list[ScenarioSetResult], as_of: date) -> dict[str, Any]:
    return {"as_of": as_of.isoformat(),
            "scenarios": [s.to_dict() for r in results for s in r.scenarios],
            "sets": [{"id": r.id, "name": r.name, "question": r.question, "trend_days": r.trend_days,
                      "indicators": [{**asdict(i), "window": list(i.window)} for i in r.indicators]}
                     for r in results]}
