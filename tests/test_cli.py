"""The CLI end to end, in a temporary workspace, through the real extractor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

THREE_GOVS = ("The Interior Ministry dismantled ISIS cells in rural Homs, Deir ez-Zor and the "
              "Damascus countryside, arresting 14 suspects, the ministry said on Friday.")


def wf(*args: str, cwd: Path | None = None, input: str | None = None, env: dict | None = None):
    """Run the installed CLI as a user would: a real process, real exit code and streams."""
    full_env = {k: v for k, v in os.environ.items() if k != "WATCHFLOOR_WORKSPACE"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "watchfloor", *args], cwd=cwd, input=input,
                          capture_output=True, text=True, env=full_env, timeout=300)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ws"
    r = wf("init", str(root))
    assert r.returncode == 0, r.stderr
    reports = root / "reports"
    (reports / "a.md").write_text(
        "---\nid: moi-1\ntitle: Cells dismantled\ndate: 2025-11-28\npublisher: Syrian Interior Ministry\n---\n\n"
        + THREE_GOVS + "\n")
    (reports / "b.jsonl").write_text(json.dumps({
        "id": "wire-1", "date": "2025-11-20", "publisher": "Example Wire", "title": "Ambush",
        "text": "ISIS militants ambushed a patrol of the Syrian army near Palmyra on Tuesday, "
                "killing three soldiers, a military source said."}) + "\n{bad json\n")
    (reports / "junk.txt").write_bytes(b"\x00\x01binary")
    r = wf("--workspace", str(root), "ingest", str(reports))
    assert r.returncode == 0, r.stderr
    return root


def test_ingest_summary_and_rejections(workspace: Path):
    r = wf("--workspace", str(workspace), "ingest", str(workspace / "reports"))
    assert r.returncode == 0
    assert "0 new, 2 duplicate, 2 rejected" in r.stdout
    rejected = [l for l in r.stderr.splitlines() if l.startswith("rejected:")]
    assert len(rejected) == 2
    assert any("b.jsonl:2" in l and "malformed JSON" in l for l in rejected)
    assert any("junk.txt" in l and "binary" in l for l in rejected)
    assert "Traceback" not in r.stderr


def test_events_filters_and_exports(workspace: Path, tmp_path: Path):
    r = wf("--workspace", str(workspace), "events", "--format", "jsonl")
    events = [json.loads(l) for l in r.stdout.splitlines()]
    assert {e["doc_id"] for e in events} == {"moi-1", "wire-1"}
    r = wf("--workspace", str(workspace), "events", "--governorate", "SY04", "--format", "jsonl")
    assert all(json.loads(l)["admin1_pcode"] == "SY04" for l in r.stdout.splitlines())
    for fmt in ("csv", "parquet", "geojson"):
        out = tmp_path / f"ev.{fmt}"
        r = wf("--workspace", str(workspace), "events", "--format", fmt, "-o", str(out))
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 0
    gj = json.loads((tmp_path / "ev.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and gj["features"]
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "ev.parquet").num_rows == len(events)


def test_extract_three_governorates_from_stdin():
    r = wf("extract", "--date", "2025-11-28", "-", input=THREE_GOVS)
    assert r.returncode == 0, r.stderr
    events = [json.loads(l) for l in r.stdout.splitlines()]
    assert {e["admin1_pcode"] for e in events} == {"SY04", "SY09", "SY03"}
    for e in events:
        assert e["sub_event_type"] == "Arrests" and e["event_type"] == "Strategic developments"
        assert e["event_date"] == "2025-11-28"
        assert THREE_GOVS[e["span_start"]:e["span_end"]] == e["evidence"]


def test_extract_csv_and_bad_date(tmp_path: Path):
    f = tmp_path / "s.txt"
    f.write_text(THREE_GOVS)
    r = wf("extract", "--format", "csv", "--date", "2025-11-28", str(f))
    assert r.returncode == 0 and r.stdout.startswith("doc_id,event_id,event_date")
    r = wf("extract", "--date", "28/11/2025", str(f))
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "--date" in r.stderr


def test_user_errors_are_one_line(tmp_path: Path):
    r = wf("--workspace", str(tmp_path / "nowhere"), "events")
    assert r.returncode == 2 and "not a watchfloor workspace" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = wf("init", str(tmp_path / "w2"))
    r = wf("init", str(tmp_path / "w2"))
    assert r.returncode == 2 and "already" in r.stderr


def test_workspace_from_environment(workspace: Path):
    r = wf("events", "--format", "jsonl", env={"WATCHFLOOR_WORKSPACE": str(workspace)})
    assert r.returncode == 0 and r.stdout.strip()


def test_brief_markdown_and_html(workspace: Path, tmp_path: Path):
    md, html = tmp_path / "b.md", tmp_path / "b.html"
    r = wf("--workspace", str(workspace), "brief", "--format", "md", "-o", str(md), "--allow-unsourced")
    assert r.returncode == 0, r.stderr
    text = md.read_text()
    headings = [l.lower() for l in text.splitlines() if l.startswith("#")]
    for section in ("key development", "background", "actors", "scenarios", "references"):
        assert any(section in h for h in headings), section
    assert "Syrian Interior Ministry" in text and "Example Wire" in text
    r = wf("--workspace", str(workspace), "brief", "--format", "html", "-o", str(html), "--allow-unsourced")
    assert r.returncode == 0, r.stderr
    assert "<html" in html.read_text().lower()
