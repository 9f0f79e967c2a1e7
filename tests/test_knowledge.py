"""Knowledge files: `kb check` passes on the demo and names file:line for each kind of mistake."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchfloor.cli import app
from watchfloor.knowledge import cli as kcli
from watchfloor.knowledge.loader import KnowledgeError, check_workspace, load_knowledge, load_workspace
from watchfloor.knowledge.testing import DEMO, demo_workspace
from watchfloor.knowledge.yamlio import load_yaml

kcli.register(app)
kcli.register(app)  # a second registration is a no-op
runner = CliRunner()

ACTORS = """\
actors:
  - id: alpha
    name: Alpha Force
    kind: rebel group
    inter: 2
    valid_from: 2015-10-10
  - id: beta
    name: Beta State
    kind: external state
    memberships:
      - {of: alpha, role: partner, from: 2016-01-01, to: null, source: "x"}
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def check(root: Path, rel: str, text: str, docs=("doc-1",)) -> list[str]:
    """Validate a knowledge dir holding ACTORS plus one more file; the error lines."""
    write(root, "knowledge/actors/base.yaml", ACTORS)
    write(root, rel, text)
    kb = load_knowledge(root / "knowledge", known_docs=docs, shipped_actors=None, base=root)
    return [str(i) for i in kb.errors]


def test_demo_passes_kb_check():
    result = runner.invoke(app, ["-w", str(DEMO), "kb", "check"])
    assert result.exit_code == 0, result.output
    assert "knowledge OK" in result.output
    assert "error" not in result.output


def test_demo_contents(tmp_path):
    ws = demo_workspace(tmp_path / "ws")
    kb = check_workspace(ws)
    assert not kb.errors, kb.errors
    assert {"global-coalition", "sdf", "france-government", "isis"} <= set(kb.actors)
    sdf = kb.actors["sdf"]
    assert any(m["of"] == "global-coalition" for m in sdf["memberships"])
    (agreement,) = kb.agreements
    assert agreement["date"] == "2025-03-10"
    assert len(agreement["provisions"]) >= 6
    (sset,) = kb.scenario_sets
    assert len(sset["scenarios"]) == 3
    assert abs(sum(s["prior"] for s in sset["scenarios"]) - 1) < 1e-9
    assert len(kb.judgements) >= 2


def test_line_numbers_recorded():
    data, issues = load_yaml("a:\n  b: 1\n  c:\n    - x\n    - y\n", "f.yaml")
    assert not issues
    assert data.line == 1 and data["a"].line_of("c") == 3 and data["a"]["c"].line_of(1) == 5


def test_bad_yaml_syntax(tmp_path):
    errors = check(tmp_path, "knowledge/relations/r.yaml", """\
        relations:
          - id: r1
            source_actor: [alpha
            type: ally
        """)
    assert len(errors) == 1
    assert errors[0].startswith("knowledge/relations/r.yaml:")
    assert "invalid YAML" in errors[0]


def test_missing_required_field(tmp_path):
    errors = check(tmp_path, "knowledge/relations/r.yaml", """\
        relations:
          - id: r1
            source_actor: alpha
            target_actor: beta
            type: ally
            reliability: B
            credibility: 2
            sources: [doc:doc-1]
        """)
    assert errors == ["knowledge/relations/r.yaml:2: relation r1: missing required field 'from'"]


def test_unknown_actor_kind(tmp_path):
    errors = check(tmp_path, "knowledge/actors/more.yaml", """\
        actors:
          - id: gamma
            name: Gamma
            kind: warlord
        """)
    assert len(errors) == 1 and errors[0].startswith("knowledge/actors/more.yaml:4: actor gamma: unknown kind 'warlord'")


AGREEMENT = """\
agreements:
  - id: deal
    name: The deal
    date: 2025-03-10
    parties: [alpha, beta]
    provisions:
      - id: p1
        text: Something is handed over.
        status_history:
          - {{date: 2025-03-10, status: not started}}
          - date: {date}
            status: {status}
            evidence: [{evidence}]
"""


def test_unknown_status(tmp_path):
    errors = check(tmp_path, "knowledge/agreements/a.yaml",
                   AGREEMENT.format(date="2025-04-01", status="half done", evidence="doc:doc-1"))
    assert errors == ["knowledge/agreements/a.yaml:12: agreement deal: provision p1: unknown status 'half done' "
                      "(one of: not started, in progress, implemented, stalled, violated)"]


def test_bad_date(tmp_path):
    errors = check(tmp_path, "knowledge/agreements/a.yaml",
                   AGREEMENT.format(date="2025-13-01", status="implemented", evidence="doc:doc-1"))
    assert errors == ["knowledge/agreements/a.yaml:11: agreement deal: provision p1: status: field 'date': "
                      "bad date '2025-13-01' (use YYYY-MM-DD)"]


def test_unknown_actor_reference(tmp_path):
    errors = check(tmp_path, "knowledge/relations/r.yaml", """\
        relations:
          - id: r1
            source_actor: alpha
            target_actor: gamma
            type: hostile
            from: 2020-01-01
            reliability: B
            credibility: 2
            sources: [doc:doc-1]
        """)
    assert errors == ["knowledge/relations/r.yaml:4: relation r1: target_actor: unknown actor 'gamma' "
                      "(not in the shipped or workspace actors)"]


def test_unknown_membership_and_party_reference(tmp_path):
    errors = check(tmp_path, "knowledge/actors/more.yaml", """\
        actors:
          - id: gamma
            name: Gamma
            parent: nobody
        """)
    assert errors == ["knowledge/actors/more.yaml:4: actor gamma: parent: unknown actor 'nobody' "
                      "(not in the shipped or workspace actors)"]


SCENARIOS = """\
scenario_sets:
  - id: future
    name: The future
    scenarios:
      - {{id: a, name: A, prior: {pa}}}
      - {{id: b, name: B, prior: 0.5}}
    indicators:
      - id: i1
        event_types: [Agreement]
        window_days: 30
        lr: {{a: {lr}, b: 1}}
"""


def test_priors_must_sum_to_one(tmp_path):
    errors = check(tmp_path, "knowledge/scenarios/s.yaml", SCENARIOS.format(pa=0.4, lr=2))
    assert errors == ["knowledge/scenarios/s.yaml:4: scenario set future: priors sum to 0.9, not 1"]


@pytest.mark.parametrize("lr", ["0", "-1.5", "abc"])
def test_likelihood_ratio_must_be_positive(tmp_path, lr):
    errors = check(tmp_path, "knowledge/scenarios/s.yaml", SCENARIOS.format(pa=0.5, lr=lr))
    assert len(errors) == 1
    assert errors[0].startswith("knowledge/scenarios/s.yaml:11: scenario set future: indicator i1: "
                                "likelihood ratio for a must be a number > 0")


def test_lr_for_unknown_scenario(tmp_path):
    errors = check(tmp_path, "knowledge/scenarios/s.yaml",
                   SCENARIOS.format(pa=0.5, lr=2).replace("b: 1}", "c: 1}"))
    assert len(errors) == 1 and "lr names unknown scenario 'c'" in errors[0]


JUDGEMENT = """\
---
id: j1
topic: Something
date: 2025-12-01
{extra}---

We judge it likely [@doc:doc-1].
The second claim {cite}.
"""


def test_unknown_citation_key(tmp_path):
    errors = check(tmp_path, "knowledge/judgements/j.md", JUDGEMENT.format(extra="", cite="[@report:doc-1]"))
    assert errors == ["knowledge/judgements/j.md:8: judgement j1: unknown citation key 'report:doc-1' "
                      "(use doc:ID or event:ID)"]
    errors = check(tmp_path, "knowledge/judgements/j.md", JUDGEMENT.format(extra="", cite="[@doc:nope]"))
    assert len(errors) == 1 and errors[0].startswith("knowledge/judgements/j.md:8: judgement j1: unknown citation key 'doc:nope'")


def test_judgement_unknown_front_matter_key(tmp_path):
    errors = check(tmp_path, "knowledge/judgements/j.md", JUDGEMENT.format(extra="mood: grim\n", cite="[@doc:doc-1]"))
    assert len(errors) == 1 and errors[0].startswith("knowledge/judgements/j.md:5: judgement: unknown field 'mood'")


def test_judgement_ok_with_several_citations(tmp_path):
    errors = check(tmp_path, "knowledge/judgements/j.md", JUDGEMENT.format(extra="", cite="[@doc:doc-1; @doc:doc-1]"))
    assert errors == []


def test_duplicate_id(tmp_path):
    write(tmp_path, "knowledge/actors/more.yaml", """\
        actors:
          - id: gamma
            name: Gamma
        """)
    errors = check(tmp_path, "knowledge/actors/zz.yaml", """\
        actors:
          - id: gamma
            name: Gamma again
        """)
    assert errors == ["knowledge/actors/zz.yaml:2: actor gamma: duplicate id (first defined at knowledge/actors/more.yaml:2)"]


def test_duplicate_yaml_key(tmp_path):
    errors = check(tmp_path, "knowledge/actors/more.yaml", """\
        actors:
          - id: gamma
            name: Gamma
            name: Gamma 2
        """)
    assert errors == ["knowledge/actors/more.yaml:4: duplicate key 'name' (the later value wins)"]


def test_workspace_actor_extends_shipped(tmp_path):
    shipped = write(tmp_path, "shipped.yaml", ACTORS)
    write(tmp_path, "knowledge/actors/ext.yaml", """\
        actors:
          - id: alpha
            memberships:
              - {of: beta, role: member, from: 2020-01-01}
        """)
    kb = load_knowledge(tmp_path / "knowledge", shipped_actors=shipped, base=tmp_path)
    assert not kb.errors, kb.errors
    alpha = kb.actors["alpha"]
    assert alpha["name"] == "Alpha Force" and alpha["kind"] == "rebel group"
    assert [m["of"] for m in alpha["memberships"]] == ["beta"]


def test_shipped_dictionary_is_accepted():
    kb = load_knowledge(DEMO / "knowledge", shipped_actors=None)  # without: demo refs unknown
    assert any("unknown actor" in str(i) for i in kb.errors)
    kb = load_knowledge(DEMO / "knowledge")
    assert not [i for i in kb.issues if "data/actors.yaml" in i.path and i.severity == "error"]


def test_cli_check_fails_with_file_line(tmp_path):
    ws = demo_workspace(tmp_path / "ws")
    write(ws.root, "knowledge/relations/broken.yaml", """\
        relations:
          - id: r1
            source_actor: sdf
            target_actor: nobody
            type: friends
            from: 2020-02-30
            reliability: Z
            credibility: 9
            sources: [doc:damascus-sdf-committee-2025-10]
        """)
    result = runner.invoke(app, ["-w", str(ws.root), "kb", "check"])
    assert result.exit_code == 2
    out = result.output
    assert "knowledge/relations/broken.yaml:5: relation r1: unknown type 'friends'" in out
    assert "knowledge/relations/broken.yaml:6: relation r1: field 'from': bad date '2020-02-30'" in out
    assert "knowledge/relations/broken.yaml:7:" in out and "knowledge/relations/broken.yaml:8:" in out
    assert "knowledge/relations/broken.yaml:4: relation r1: target_actor: unknown actor 'nobody'" in out
    # kb load refuses and loads nothing
    result = runner.invoke(app, ["-w", str(ws.root), "kb", "load"])
    assert result.exit_code == 2
    with pytest.raises(KnowledgeError):
        load_workspace(ws)


def test_kb_load_fills_the_database(tmp_path):
    ws = demo_workspace(tmp_path / "ws")
    result = runner.invoke(app, ["-w", str(ws.root), "kb", "load"])
    assert result.exit_code == 0, result.output
    with ws.store() as st:
        (agreement,) = st.knowledge("agreements")
        assert agreement["id"] == "march-2025-agreement"
        assert not any(k.startswith("_") for k in agreement)
        assert len(st.knowledge("scenarios")) == 1
        assert len(st.knowledge("judgements")) >= 2
        assert any(a["id"] == "sdf" for a in st.knowledge("actors"))


def test_judgement_section_is_checked(tmp_path):
    """`section: conclusion` places a judgement in the brief's conclusion; other values are errors."""
    from watchfloor.knowledge import check_workspace
    from watchfloor.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    jdir = ws.config.knowledge_dir / "judgements"
    (jdir / "a.md").write_text("---\nid: a\ntopic: t\ndate: 2025-12-01\nsection: conclusion\n---\n\nText.\n")
    assert not check_workspace(ws).errors
    (jdir / "b.md").write_text("---\nid: b\ntopic: t\ndate: 2025-12-01\nsection: appendix\n---\n\nText.\n")
    errors = [str(e) for e in check_workspace(ws).errors]
    assert any("b.md:5" in e and "section must be one of" in e for e in errors), errors
