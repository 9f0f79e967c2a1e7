"""Helpers for tests (here and in other stages' tests): a workspace with the demo knowledge,
and events built directly, without the extractor.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from ..models import Document, Event

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo"


def demo_workspace(root: Path, demo: Path = DEMO, reports: bool = True):
    """A fresh workspace at `root` with the demo's knowledge files (and report files, not ingested)."""
    from ..workspace import Workspace

    ws = Workspace.init(root, title="test")
    shutil.rmtree(ws.config.knowledge_dir)
    shutil.copytree(demo / "knowledge", ws.config.knowledge_dir)
    if reports:
        shutil.rmtree(root / "reports")
        shutil.copytree(demo / "reports", root / "reports")
    return ws


def make_event(doc_id: str, n: int, day: str, event_type: str, sub_event_type: str, evidence: str,
               **fields) -> Event:
    return Event(doc_id=doc_id, event_id=f"{doc_id}-{n}", event_date=day, time_precision=1,
                 event_type=event_type, sub_event_type=sub_event_type, evidence=evidence,
                 span_start=0, span_end=len(evidence), confidence=0.9, country="Syria", **fields)


def add_report(ws, doc_id: str, day: str, text: str, events: list[Event], title: str | None = None) -> Document:
    doc = Document(text=text, id=doc_id, title=title or doc_id, date=date.fromisoformat(day),
                   url=f"https://example.org/{doc_id}", publisher="Test Wire")
    with ws.store() as st:
        assert st.add_document(doc, events)
    return doc
