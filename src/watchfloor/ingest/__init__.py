"""Ingest stage: read inputs, extract events, store each document once with its events."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from ..models import Document, IngestReport, Rejection
from ..store import Store
from .readers import DEFAULT_MAX_BYTES, expand_paths, read_content, read_paths

__all__ = ["ingest", "read_paths", "read_content", "expand_paths"]


def ingest(store: Store, paths: Iterable[str | Path], extractor, max_bytes: int = DEFAULT_MAX_BYTES,
           stdin: object | None = None,
           on_progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Store every good document once; reject the bad ones with a reason and go on.

    Each document is committed with its events in its own transaction, so an
    interrupted run keeps what it finished and a rerun skips those as duplicates.
    """
    report = IngestReport()
    targets = list(expand_paths(paths))
    total = len(targets)
    for n, target in enumerate(targets, 1):
        if isinstance(target, Rejection):
            report.rejected.append(target)
        else:
            for item in read_paths([target], max_bytes=max_bytes, stdin=stdin):
                if isinstance(item, Rejection):
                    report.rejected.append(item)
                else:
                    _ingest_one(store, item, extractor, report)
        if on_progress:
            on_progress(n, total)
    return report


def _ingest_one(store: Store, doc: Document, extractor, report: IngestReport) -> None:
    existing = store.has_hash(doc.hash)
    if existing:
        report.duplicate.append(existing)
        return
    try:
        events = extractor.extract(doc) if extractor is not None else []
    except Exception as exc:  # an extractor bug must not lose the other documents
        report.rejected.append(Rejection(
            doc.source_path or doc.id, f"extraction failed ({type(exc).__name__}: {exc}); please report it"))
        return
    if store.add_document(doc, events):
        report.new.append(doc.id)
        report.events += len(events)
    else:
        report.duplicate.append(doc.id)
