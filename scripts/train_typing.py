#!/usr/bin/env python
"""Rebuild the shipped event-typing model (src/watchfloor/data/models/typing_model.npz).

Deterministic: fixed seeds, sorted vocabulary, deterministic data subsampling.
Needs scikit-learn (build-data extra) and ../shared (for the NGEC synthetic
stories and the CASE 2021 dev snippets).

    .venv/bin/python scripts/train_typing.py [--shared ../shared] [--no-dev]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchfloor.evaluate import typing as T  # noqa: E402
from watchfloor.extract.classify import MODEL_PATH  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--no-dev", action="store_true", help="leave the CASE dev snippets out of training")
    args = ap.parse_args()

    t0 = time.time()
    own = T.load_own()
    syn = T.load_synthetic(args.shared)
    dev = [] if args.no_dev else T.load_dev(args.shared)
    if not syn:
        print(f"warning: no synthetic stories under {args.shared}", file=sys.stderr)
    model = T.train(own + syn + dev)
    T.save(model, args.out, {"trained_on": {"own": len(own), "synthetic": len(syn), "case2021_dev": len(dev)}})
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, {len(model.index)} features before pruning, "
          f"temperature {model.temperature:.2f}) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
