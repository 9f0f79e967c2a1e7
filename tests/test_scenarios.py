"""Scenario tracking, agreement tracking and the review queue, on events built directly."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from watchfloor.cli import app
from watchfloor.knowledge import agreement_status, compute_scenario_sets, compute_scenarios, refresh_suggestions
from watchfloor.knowledge import cli as kcli
from watchfloor.knowledge.review import indicator_item_id
from watchfloor.knowledge.testing import add_report, demo_workspace, make_event
from watchfloor.workspace import Workspace

kcli.register(app)
runner = CliRunner()
AS_OF = date(2025, 12, 15)
BORDER_DOC = "iraq-syria-border-coordination-2025-11"
BORDER_TEXT = ("Iraq and Syria agreed on Wednesday to set up a joint operations room and to exchange "
               "intelligence on ISIS movements along their border.")


@pytest.fixture
def ws(tmp_path):
    ws = demo_workspace(tmp_path / "ws")
    # a background event that matches no indicator
    add_report(ws, "wire-ied-raqqa-2025-12", "2025-12-04", "A roadside bomb killed two SDF fighters near Raqqa.", [
        make_event("wire-ied-raqqa-2025-12", 1, "2025-12-03", "Explosions/Remote violence",
                   "Remote explosive/landmine/IED", "A roadside bomb killed two SDF fighters near Raqqa.",
                   actor2="SDF: Syrian Democratic Forces", admin1="Ar-Raqqa", admin1_pcode="SY11", fatalities=2),
    ])
    return ws


def add_border_agreement(ws):
    add_report(ws, BORDER_DOC, "2025-11-26", BORDER_TEXT, [
        make_event(BORDER_DOC, 1, "2025-11-26", "Strategic developments", "Agreement", BORDER_TEXT,
                   actor1="Government of Iraq", actor2="Government of Syria (2024-)"),
    ])


def probs(ws, as_of=AS_OF):
    return {s.id: s for s in compute_scenarios(ws, as_of)}


def test_baseline_is_the_priors(ws):
    res = probs(ws)
    assert {k: round(v.probability, 6) for k, v in res.items()} == {
        "full-integration": 0.25, "limited-partnership": 0.5, "regional-alliance": 0.25}
    assert all(v.trend == "unchanged" and v.evidence == [] for v in res.values())


def test_matching_event_moves_scenario_and_names_the_report(ws):
    before = probs(ws)
    add_border_agreement(ws)
    after = probs(ws)
    # LRs: full 0.7, limited 0.9, regional 2.5 -> regional rises, the others fall
    assert after["regional-alliance"].probability > before["regional-alliance"].probability + 0.1
    assert after["full-integration"].probability < before["full-integration"].probability
    assert abs(sum(s.probability for s in after.values()) - 1) < 1e-9
    assert after["regional-alliance"].trend == "rising"  # the event is within the last 30 days
    assert after["full-integration"].trend == "falling"
    (ev,) = after["regional-alliance"].evidence
    assert ev.indicator == "regional-security-agreements"
    assert ev.doc_ids == [BORDER_DOC] and ev.event_ids == [f"{BORDER_DOC}-1"]
    assert ev.effect == "supports" and ev.lr == 2.5
    assert after["full-integration"].evidence[0].effect == "weighs against"
    # expected value: prior odds times LR, normalised
    w = {"full-integration": 0.25 * 0.7, "limited-partnership": 0.5 * 0.9, "regional-alliance": 0.25 * 2.5}
    assert after["regional-alliance"].probability == pytest.approx(w["regional-alliance"] / sum(w.values()))


def test_as_of_and_window_limit_the_events(ws):
    add_border_agreement(ws)
    assert probs(ws, date(2025, 11, 25))["regional-alliance"].probability == pytest.approx(0.25)  # before
    late = probs(ws, date(2026, 6, 1))  # 120-day window has passed
    assert late["regional-alliance"].probability == pytest.approx(0.25)
    much_later = probs(ws, date(2026, 1, 20))  # still in the window, but >30 days after: no trend
    assert much_later["regional-alliance"].probability > 0.4
    assert much_later["regional-alliance"].trend == "unchanged"


def test_min_count_and_actor_alias_matching(ws):
    # government-ct-arrests needs two arrests by government actors; one is not enough
    text = "General Security forces arrested 11 members of an ISIS cell in al-Qaryatayn."
    add_report(ws, "moi-cells-homs-2025-11", "2025-11-09", text, [
        make_event("moi-cells-homs-2025-11", 1, "2025-11-08", "Strategic developments", "Arrests", text,
                   actor1="Police Forces of Syria (2024-) General Security", actor2="Islamic State (Syria)",
                   admin1="Homs", admin1_pcode="SY04", arrests=11),
    ])
    (res,) = compute_scenario_sets(ws, AS_OF)
    ind = {i.id: i for i in res.indicators}["government-ct-arrests"]
    assert ind.count == 1 and not ind.fired
    text2 = "Security forces detained four suspected ISIS members in the city of Mayadin."
    add_report(ws, "moi-2", "2025-11-09", text2, [
        make_event("moi-2", 1, "2025-11-07", "Strategic developments", "Arrests", text2,
                   actor1="Police Forces of Syria (2024-)", actor2="Islamic State (Syria)", arrests=4),
    ])
    (res,) = compute_scenario_sets(ws, AS_OF)
    ind = {i.id: i for i in res.indicators}["government-ct-arrests"]
    assert ind.count == 2 and ind.fired
    assert set(ind.doc_ids) == {"moi-cells-homs-2025-11", "moi-2"}


def test_review_reject_stops_counting_and_persists(ws):
    add_border_agreement(ws)
    assert refresh_suggestions(ws) >= 1
    assert refresh_suggestions(ws) == 0  # idempotent
    item = indicator_item_id("regional-security-agreements", f"{BORDER_DOC}-1")
    result = runner.invoke(app, ["-w", str(ws.root), "review"])
    assert result.exit_code == 0, result.output
    assert f"[pending] {item}" in result.output

    result = runner.invoke(app, ["-w", str(ws.root), "review", "--reject", item, "--note", "not a security deal"])
    assert result.exit_code == 0, result.output
    fresh = Workspace(ws.root)  # decisions persist in the database
    assert probs(fresh)["regional-alliance"].probability == pytest.approx(0.25)
    refresh_suggestions(fresh)  # an automated run never resets a decision
    with fresh.store() as st:
        (decided,) = [i for i in st.review_items() if i["item_id"] == item]
        assert decided["status"] == "rejected" and decided["note"] == "not a security deal"
    # accepted (and pending) matches count
    result = runner.invoke(app, ["-w", str(ws.root), "review", "--accept", item])
    assert result.exit_code == 0
    assert probs(fresh)["regional-alliance"].probability > 0.4
    result = runner.invoke(app, ["-w", str(ws.root), "review", "--all"])
    assert "accepted" in result.output


def test_review_unknown_item_is_a_user_error(ws):
    result = runner.invoke(app, ["-w", str(ws.root), "review", "--accept", "no-such-item"])
    assert result.exit_code == 2
    assert "no such item" in result.output


def test_scenarios_cli_json_shape_and_table(ws):
    add_border_agreement(ws)
    result = runner.invoke(app, ["-w", str(ws.root), "scenarios", "--as-of", "2025-12-15", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == "2025-12-15"
    first = data["scenarios"][0]
    assert {"id", "name", "prior", "probability", "trend", "evidence", "set"} <= set(first)
    regional = next(s for s in data["scenarios"] if s["id"] == "regional-alliance")
    assert regional["trend"] == "rising"
    assert regional["evidence"][0]["doc_ids"] == [BORDER_DOC]
    assert {"indicator", "event_ids", "doc_ids", "effect"} <= set(regional["evidence"][0])
    result = runner.invoke(app, ["-w", str(ws.root), "scenarios", "--as-of", "2025-12-15"])
    assert result.exit_code == 0, result.output
    assert "↑ rising" in result.output and "ACH matrix" in result.output
    assert "1 (1)" in result.output and "yes" in result.output  # the fired indicator in the matrix
    result = runner.invoke(app, ["-w", str(ws.root), "scenarios", "--as-of", "15/12/2025"])
    assert result.exit_code == 2


def test_provision_status_change_shows_with_evidence(ws):
    (agreement,) = agreement_status(ws, date(2025, 12, 1))
    crossings = {p.id: p for p in agreement.provisions}["border-crossings"]
    assert crossings.status == "not started"
    (agreement,) = agreement_status(ws, date(2025, 12, 31))
    crossings = {p.id: p for p in agreement.provisions}["border-crossings"]
    assert crossings.status == "in progress" and crossings.since == "2025-12-11"
    assert crossings.evidence == ["doc:semalka-crossing-handover-2025-12"]
    assert [h["status"] for h in crossings.history] == ["not started", "in progress"]


def test_analyst_status_edit_and_event_suggestion(ws):
    text = "Customs officials from Damascus took over the Semalka border crossing on Thursday."
    add_report(ws, "semalka-crossing-handover-2025-12", "2025-12-12", text, [
        make_event("semalka-crossing-handover-2025-12", 1, "2025-12-11", "Strategic developments",
                   "Non-violent transfer of territory", text, actor1="Government of Syria (2024-)",
                   actor2="SDF: Syrian Democratic Forces", admin1="Al-Hasakeh", admin1_pcode="SY08"),
    ])
    (agreement,) = agreement_status(ws, date(2025, 12, 31))
    crossings = {p.id: p for p in agreement.provisions}["border-crossings"]
    assert [s["doc_id"] for s in crossings.suggestions] == ["semalka-crossing-handover-2025-12"]
    assert crossings.suggestions[0]["status"] == "pending"
    # the analyst records a new status; automation never writes the YAML
    path = ws.config.knowledge_dir / "agreements" / "march-2025-agreement.yaml"
    before = path.read_text(encoding="utf-8")
    agreement_status(ws, date(2025, 12, 31))
    assert path.read_text(encoding="utf-8") == before
    path.write_text(before.replace(
        "            note: Semalka–Faysh Khabur handed to the Ports Authority under a three-month joint administration.\n"
        "            set_by: analyst\n",
        "            note: Semalka–Faysh Khabur handed to the Ports Authority under a three-month joint administration.\n"
        "            set_by: analyst\n"
        "          - {date: 2025-12-20, status: implemented, evidence: ['event:semalka-crossing-handover-2025-12-1'],"
        " set_by: analyst}\n"), encoding="utf-8")
    (agreement,) = agreement_status(ws, date(2025, 12, 31))
    crossings = {p.id: p for p in agreement.provisions}["border-crossings"]
    assert crossings.status == "implemented" and crossings.since == "2025-12-20"
    assert crossings.evidence == ["event:semalka-crossing-handover-2025-12-1"]
    assert crossings.suggestions == []  # the event predates the new status
    result = runner.invoke(app, ["-w", str(ws.root), "agreements", "--as-of", "2025-12-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    prov = {p["id"]: p for p in data["agreements"][0]["provisions"]}["border-crossings"]
    assert prov["status"] == "implemented"
    result = runner.invoke(app, ["-w", str(ws.root), "agreements", "--as-of", "2025-12-31"])
    assert result.exit_code == 0 and "implemented" in result.output


def test_broken_knowledge_is_one_error_line(ws):
    path = ws.config.knowledge_dir / "scenarios" / "syria-coalition.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("prior: 0.25", "prior: 0.35", 1), encoding="utf-8")
    result = runner.invoke(app, ["-w", str(ws.root), "scenarios", "--as-of", "2025-12-15"])
    assert result.exit_code == 2
    assert "knowledge/scenarios/syria-coalition.yaml:" in result.output and "priors sum to 1.1" in result.output


def test_default_as_of_is_the_newest_event(ws):
    """Read a year later, the workspace still shows the picture as of its newest event."""
    add_border_agreement(ws)
    (result,) = compute_scenario_sets(ws)
    assert result.as_of == "2025-12-03"  # newest stored event, not today
    by_id = {s.id: s for s in result.scenarios}
    assert by_id["regional-alliance"].evidence  # the border agreement is inside the window
