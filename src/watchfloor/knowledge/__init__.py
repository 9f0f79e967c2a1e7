"""Analytic knowledge: the analyst's YAML/Markdown files, validated, loaded and put to use.

Public API (the CLI and the brief use these):

- `check_workspace(ws) -> KnowledgeBase` (issues as `file:line: message`), `load_workspace(ws)`
- `compute_scenarios(ws, as_of) -> list[ScenarioResult]`, `compute_scenario_sets(...)`
- `agreement_status(ws, as_of) -> list[AgreementStatus]`
- `refresh_suggestions(ws, store=None) -> int` (the ingest calls it after storing events)
- `export_stix(ws) -> dict` (a validated STIX 2.1 bundle)
"""

from .agreements import AgreementStatus, ProvisionStatus, agreement_status
from .loader import KnowledgeBase, KnowledgeError, check_workspace, load_knowledge, load_workspace
from .review import refresh_suggestions
from .scenarios import (EvidenceItem, IndicatorResult, ScenarioResult, ScenarioSetResult,
                        compute_scenario_sets, compute_scenarios)
from .stix import build_bundle, export_stix
from .yamlio import Issue

__all__ = [
    "AgreementStatus", "EvidenceItem", "IndicatorResult", "Issue", "KnowledgeBase", "KnowledgeError",
    "ProvisionStatus", "ScenarioResult", "ScenarioSetResult", "agreement_status", "build_bundle",
    "check_workspace", "compute_scenario_sets", "compute_scenarios", "export_stix", "load_knowledge",
    "load_workspace", "refresh_suggestions",
]
