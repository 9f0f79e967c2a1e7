"""STIX 2.1 export: the bundle validates with the stix2 package."""

from __future__ import annotations

import json
from datetime import date

import pytest
import stix2
from typer.testing import CliRunner

from watchfloor.cli import app
from watchfloor.knowledge import cli as kcli
from watchfloor.knowledge.stix import export_stix, stix_id
from watchfloor.knowledge.testing import add_report, demo_workspace, make_event

kcli.register(app)
runner = CliRunner()
DOC = "cjtf-raid-leader-captured-2025-10"
TEXT = ("Coalition forces and the Syrian Democratic Forces conducted a partnered raid on Oct. 25 in the "
        "Deir Ezzor governorate, capturing a senior ISIS leader.")


@pytest.fixture
def ws(tmp_path):
    ws = demo_workspace(tmp_path / "ws")
    add_report(ws, DOC, "2025-10-27", TEXT, [
        make_event(DOC, 1, "2025-10-25", "Strategic developments", "Arrests", TEXT,
                   actor1="Global Coalition Against Daesh", assoc_actor_1="SDF: Syrian Democratic Forces",
                   actor2="Islamic State (Syria)", admin1="Deir-ez-Zor", admin1_pcode="SY09", arrests=1),
    ], title="Coalition and SDF partners capture senior ISIS leader in Deir Ezzor raid")
    return ws


def test_bundle_validates_with_stix2(ws):
    bundle = export_stix(ws, date(2025, 12, 31))
    parsed = stix2.parse(json.dumps(bundle), allow_custom=True)
    assert parsed.type == "bundle"
    by_type: dict[str, list[dict]] = {}
    for obj in bundle["objects"]:
        by_type.setdefault(obj["type"], []).append(obj)
    assert {"identity", "threat-actor", "relationship", "report", "note", "extension-definition",
            "x-watchfloor-agreement", "x-watchfloor-scenario"} <= set(by_type)
    # every standard object is valid STIX 2.1 on its own, without custom content
    for obj in bundle["objects"]:
        if not obj["type"].startswith("x-"):
            stix2.parse(obj, allow_custom=False)
    ids = {o["id"] for o in bundle["objects"]}
    for rel in by_type["relationship"]:
        assert rel["source_ref"] in ids and rel["target_ref"] in ids
    # the report refers to the actors its events name, and carries the document id
    (report,) = [r for r in by_type["report"] if r["external_references"][0]["external_id"] == DOC]
    assert stix_id("identity", "global-coalition") in report["object_refs"]
    assert stix_id("threat-actor", "sdf") in report["object_refs"]
    # agreements and scenarios are new SDOs declared by extension definitions
    (agreement,) = by_type["x-watchfloor-agreement"]
    ext_id = next(iter(agreement["extensions"]))
    assert ext_id in ids and agreement["extensions"][ext_id]["extension_type"] == "new-sdo"
    assert any(p["id"] == "border-crossings" for p in agreement["provisions"])
    (scenario,) = by_type["x-watchfloor-scenario"]
    assert abs(sum(s["probability"] for s in scenario["scenarios"]) - 1) < 1e-3
    # Admiralty grades travel with relations
    sdf_rel = next(r for r in by_type["relationship"] if r["id"] == stix_id("relationship", "relation:sdf-partner-coalition"))
    assert "Admiralty grade A1" in sdf_rel["description"] and sdf_rel["confidence"] == 95


def test_ids_are_stable(ws):
    a = {o["id"] for o in export_stix(ws) ["objects"] if o["type"] != "bundle"}
    b = {o["id"] for o in export_stix(ws)["objects"] if o["type"] != "bundle"}
    assert a == b


def test_cli_export_to_file(ws, tmp_path):
    out = tmp_path / "bundle.json"
    result = runner.invoke(app, ["-w", str(ws.root), "export", "stix", "-o", str(out), "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    bundle = json.loads(out.read_text(encoding="utf-8"))
    stix2.parse(bundle, allow_custom=True)
    result = runner.invoke(app, ["-w", str(ws.root), "export", "stix"])
    assert result.exit_code == 0
    assert json.loads(result.output)["type"] == "bundle"
