"""The bundled demo workspace, end to end: ingest its reports, write the brief in every format."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from watchfloor.brief import render_brief
from watchfloor.knowledge import check_workspace
from watchfloor.workspace import Workspace

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("demo") / "ws"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("*.duckdb*"))
    ws = Workspace(root)
    report = ws.ingest([root / "reports"])
    assert not report.rejected and len(report.new) == len(list((root / "reports").glob("*.md")))
    return ws


def test_demo_knowledge_is_valid(demo):
    assert not check_workspace(demo).errors


def test_demo_events_cover_the_reported_governorates(demo):
    events = demo.events()
    assert {"SY04", "SY09", "SY03"} <= {e.admin1_pcode for e in events}  # the ministry's three operations
    for e in events:
        doc = demo.documents([e.doc_id])[0]
        assert doc.text[e.span_start:e.span_end] == e.evidence


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_demo_brief_renders_and_checks(demo, tmp_path, fmt):
    out = tmp_path / f"brief.{fmt}"
    result = render_brief(demo, fmt=fmt, output=out)
    assert result.problems == [], result.problems
    assert out.stat().st_size > 2000
    if fmt == "pdf":
        assert out.read_bytes().startswith(b"%PDF")
    else:
        text = out.read_text(encoding="utf-8").lower()
        for section in ("summary", "background", "actors", "implications", "strategic dimensions",
                        "scenarios", "references"):
            assert section in text, section
        assert render_brief(demo, fmt=fmt, output=out, check_only=True).problems == []


def _colour_share(png: Path) -> float:
    """Share of clearly coloured pixels (the governorate shading), not grey text."""
    img = imread(str(png))[..., :3]
    spread = img.max(axis=2) - img.min(axis=2)
    return float(np.mean(spread > 0.15))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_demo_pdf_pages_exist_and_the_map_is_drawn(demo, tmp_path):
    out = tmp_path / "brief.pdf"
    assert render_brief(demo, fmt="pdf", output=out).problems == []
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 3
    # some page carries the shaded map: a real share of coloured pixels, not a blank frame
    assert max(_colour_share(p) for p in pages) > 0.05
