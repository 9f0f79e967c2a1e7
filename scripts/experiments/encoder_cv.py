#!/usr/bin/env python
"""Score a larger sentence encoder for the embed typing backend, on a GPU machine.

Fine-tuning all-mpnet-base-v2 costs about six times MiniLM's on two CPU cores
(about 20 minutes a run, two hours for a cross-validation), so the experiment runs
where a GPU is lent, in steps; only `run` needs the GPU:

    # here: the training pool, CV folds and the linear model's fold probabilities
    .venv/bin/python scripts/experiments/encoder_cv.py prepare --shared ../shared --out .gpu/data
    # here: the encoder's weights as float16 chunks small enough to travel (one per call)
    .venv/bin/python scripts/experiments/encoder_cv.py pack MODEL_DIR --out .gpu --chunk-mb 55.5
    # there: one call per chunk, each carrying `.gpu/wN` and copying it out of the work
    # tree (`mkdir -p /tmp/keep && cp -r .gpu/w* /tmp/keep/`: the tree is laid anew each call);
    # the last call carries `.gpu/data` too, then fine-tunes per fold (and once on the whole
    # pool) and writes probabilities and adapters
    python3 scripts/experiments/encoder_cv.py run --data .gpu/data --chunks /tmp/keep --out $OUT
    # here: mix with the linear model as the product does and score; write the head file
    .venv/bin/python scripts/experiments/encoder_cv.py score --data .gpu/data --result RESULT.npz
    .venv/bin/python scripts/experiments/encoder_cv.py ship --data .gpu/data --result RESULT.npz \
        --out src/watchfloor/data/models/typing_embed_large.npz

The recipe is the shipped one (`finetune.HYPER_TUNE`), with the adapted layers named
as the encoder names them (`classify_embed.ENCODERS`); nothing here is tuned.  The
`run` step reads only its data folder and `finetune.py`, not the package, so the GPU
machine needs nothing beyond torch and transformers.  Folds, sample weights and the
linear model are exactly those of `watchfloor eval typing`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

SEEDS = (13, 21, 34)
SMALL_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def prepare(shared: Path, out: Path, k: int = 5, encoder: str = "mpnet") -> None:
    from watchfloor.evaluate import typing as T
    from watchfloor.extract.classify_embed import ENCODERS

    hp = T.HYPER
    own, syn, dev = T.load_own(), T.load_synthetic(shared), T.load_dev(shared)
    pool = own + syn + dev
    n_base = len(own) + len(syn)
    folds = T.stratified_folds([e.label for e in dev], k, hp["seed"])
    configs, lin = [], {}
    for f in range(k):
        train = list(range(n_base)) + [n_base + i for i, fi in enumerate(folds) if fi != f]
        test = [i for i, fi in enumerate(folds) if fi == f]
        model = T.train([pool[i] for i in train], hp)
        lin[f"cv{f}"] = model.probabilities([dev[i].text for i in test])
        configs.append({"name": f"cv{f}", "train": train, "test": test,
                        "weights": T._sample_weights([pool[i] for i in train], hp).tolist()})
        print(f"fold {f}: linear model trained", flush=True)
    no_dev = T.train(own + syn, hp)
    lin["nodev"] = no_dev.probabilities([e.text for e in dev])
    configs.append({"name": "nodev", "train": list(range(n_base)), "test": list(range(len(dev))),
                    "weights": T._sample_weights(own + syn, hp).tolist()})
    configs.append({"name": "full", "train": list(range(len(pool))), "test": [],
                    "weights": T._sample_weights(pool, hp).tolist()})
    out.mkdir(parents=True, exist_ok=True)
    (out / "pool.json").write_text(json.dumps({
        "classes": no_dev.classes, "targets": list(ENCODERS[encoder].targets), "texts": [e.text for e in pool], "labels": [e.label for e in pool],
        "dev_offset": n_base, "dev_labels": [e.label for e in dev], "configs": configs}))
    np.savez_compressed(out / "linear.npz", **lin)
    print(f"wrote {out}: {len(pool)} examples, {len(configs)} configurations")


def pack(model_dir: Path, out: Path, chunk_mb: float) -> None:
    """float16 safetensors chunks ``w1``, ``w2``, ... (each its own folder, to carry one
    per call) and the small tokenizer/config files in ``data/encoder``."""
    from safetensors.numpy import load_file, save_file

    tensors = load_file(str(model_dir / "model.safetensors"))
    chunks: list[dict] = []
    for name in sorted(tensors, key=lambda n: -tensors[n].nbytes):  # first fit, largest first
        arr = tensors[name].astype(np.float16) if tensors[name].dtype == np.float32 else tensors[name]
        home = next((c for c in chunks if sum(a.nbytes for a in c.values()) + arr.nbytes <= chunk_mb * 1e6), None)
        if home is None:
            chunks.append(home := {})
        home[name] = arr
    for i, chunk in enumerate(chunks, 1):
        (out / f"w{i}").mkdir(parents=True, exist_ok=True)
        save_file(chunk, str(out / f"w{i}" / "part.safetensors"))
        print(f"w{i}: {sum(a.nbytes for a in chunk.values()) / 1e6:.1f} MB, {len(chunk)} tensors")
    enc = out / "data" / "encoder"
    enc.mkdir(parents=True, exist_ok=True)
    for name in SMALL_FILES:
        (enc / name).write_bytes((model_dir / name).read_bytes())


def _assemble(data: Path, chunks: Path, dest: Path) -> Path:
    from safetensors.torch import load_file, save_file

    tensors = {}
    for part in sorted(chunks.glob("w*/part.safetensors")):
        tensors.update({k: v.float() for k, v in load_file(str(part)).items()})
    dest.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(dest / "model.safetensors"))
    for name in SMALL_FILES:
        (dest / name).write_bytes((data / "encoder" / name).read_bytes())
    print(f"encoder assembled: {len(tensors)} tensors", flush=True)
    return dest


def run(data: Path, chunks: Path, out: Path, seeds=SEEDS, only: list[str] | None = None,
        limit: int | None = None, epochs: float | None = None) -> None:
    import importlib.util

    import torch

    # by file, not through the package: the GPU machine lacks the product's other
    # dependencies (duckdb, spaCy), and fine-tuning needs none of them
    spec = importlib.util.spec_from_file_location("finetune", ROOT / "src/watchfloor/evaluate/finetune.py")
    finetune = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(finetune)
    fine_tune = finetune.fine_tune

    class Ex:  # what fine_tune reads of an example
        def __init__(self, text: str, label: str) -> None:
            self.text, self.label = text, label

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # keep float32 numerics close to the CPU's
    pool = json.loads((data / "pool.json").read_text())
    path = str(_assemble(data, chunks, Path("/tmp/encoder_cv_model")))
    texts, labels, off = pool["texts"], pool["labels"], pool["dev_offset"]
    results, t0 = {}, time.time()
    for seed in seeds:
        for cfg in pool["configs"]:
            if only and cfg["name"] not in only:
                continue
            if cfg["name"] in ("nodev", "full") and seed != seeds[0]:
                continue
            train = cfg["train"][:limit] if limit else cfg["train"]
            hp = {"targets": pool["targets"], "seed": seed, **({"epochs": epochs} if epochs else {})}
            tuned = fine_tune([Ex(texts[i], labels[i]) for i in train], pool["classes"],
                              np.asarray(cfg["weights"][:len(train)]), hp, device=device, encoder_path=path,
                              score_texts=[texts[off + i] for i in cfg["test"]])
            key = f"{cfg['name']}_s{seed}"
            results["P:" + key] = tuned["probabilities"]
            if cfg["name"] == "full":
                for name, (A, B, scale) in tuned["adapters"].items():
                    results[f"A:{name}"], results[f"B:{name}"] = A, B
                results["W"], results["b"] = tuned["W"], tuned["b"]
                results["scale"] = np.float32(next(iter(tuned["adapters"].values()))[2])
            print(f"{key}: {time.time() - t0:.0f} s", flush=True)
            out.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(out / "encoder_cv.npz", **results)


def score(data: Path, result: Path, mix: float) -> None:
    from watchfloor.evaluate import typing as T
    from watchfloor.extract.classify import EventClassifier

    pool = json.loads((data / "pool.json").read_text())
    gold = pool["dev_labels"]
    lin = np.load(data / "linear.npz")
    res = np.load(result)
    ref = EventClassifier.default()

    class Fixed:  # EventClassifier.predict_many over given probabilities
        def __init__(self, P) -> None:
            self.P, self.out_classes, self._collapse = P, ref.out_classes, ref._collapse

        def probabilities(self, texts):
            return self.P

    def figures(P_head: dict[str, np.ndarray], names: list[str], detail: bool = False) -> dict:
        out: dict = {}
        for label, m in (("encoder alone", 0.0), (f"mixed, linear {mix}", mix)):
            P = np.zeros((len(gold), len(pool["classes"])), np.float32)
            for name in names:
                test = next(c["test"] for c in pool["configs"] if c["name"] == name)
                P[test] = m * lin[name] + (1 - m) * P_head[name]
            preds = EventClassifier.predict_many(Fixed(P), [pool["texts"][pool["dev_offset"] + i]
                                                            for i in range(len(gold))])
            fig = T.score(gold, preds, backend="embed-large")
            out[label] = round(fig["weighted_f1_25"], 3)
            if detail and m:
                out["extracted"] = round(fig["weighted_f1_25_extracted"], 3)
                out["macro"] = round(fig["macro_f1_25"], 3)
                out["accuracy"] = round(fig["accuracy"], 3)
                out["none P/R"] = (round(fig["none_precision"], 3), round(fig["none_recall"], 3))
                out["detection"] = fig["event_detection"]
                out["reliability"] = fig["reliability"]
        return out

    seeds = sorted({int(k.rsplit("_s", 1)[1]) for k in res.files if k.startswith("P:cv0_")})
    cv_names = [c["name"] for c in pool["configs"] if c["name"].startswith("cv")]
    for seed in seeds:
        print(f"CV seed {seed}:", figures({n: res[f"P:{n}_s{seed}"] for n in cv_names}, cv_names, seed == seeds[0]))
    if len(seeds) > 1:
        mean = {n: np.mean([res[f"P:{n}_s{s}"] for s in seeds], axis=0) for n in cv_names}
        print(f"CV, mean of {len(seeds)} seeds' probabilities:", figures(mean, cv_names))
    for k in res.files:
        if k.startswith("P:nodev_"):
            print(f"no-dev {k[8:]}:", figures({"nodev": res[k]}, ["nodev"], True))


def ship(data: Path, result: Path, out: Path) -> None:
    """Write the whole-pool run's adapters and head as the embed-large head file."""
    from watchfloor.evaluate.finetune import HYPER_TUNE
    from watchfloor.evaluate.typing import HYPER_EMBED, load_own
    from watchfloor.extract.classify import EventClassifier
    from watchfloor.extract.classify_embed import ENCODERS, save_head

    pool = json.loads((data / "pool.json").read_text())
    res = np.load(result)
    scale = float(res["scale"])
    adapters = {k[2:]: (res[k], res["B:" + k[2:]], scale) for k in res.files if k.startswith("A:")}
    linear = EventClassifier.default()
    if pool["classes"] != linear.classes:
        raise SystemExit("the pool's classes differ from the shipped linear model's")
    n_own = len(load_own())
    save_head(out, res["W"], res["b"], pool["classes"], HYPER_EMBED["mix"],
              {"hyper_embed": HYPER_EMBED, "hyper_tune": {**HYPER_TUNE, "targets": list(ENCODERS["mpnet"].targets)},
               "linear_feature_spec": linear.meta["feature_spec"],
               "trained_with": "scripts/experiments/encoder_cv.py run (whole pool, seed 13, float32 on a GPU)",
               "trained_on": {"own": n_own, "synthetic": pool["dev_offset"] - n_own,
                              "case2021_dev": len(pool["dev_labels"])}},
              adapters=adapters, max_length=HYPER_TUNE["max_length"], encoder_key="mpnet")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {len(adapters)} adapted layers)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("pack")
    p.add_argument("model_dir", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--chunk-mb", type=float, default=44)
    p = sub.add_parser("run")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--chunks", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    p.add_argument("--only", default="")
    p.add_argument("--limit", type=int, default=None, help="smoke test: first N training examples")
    p.add_argument("--epochs", type=float, default=None)
    p = sub.add_parser("ship")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--result", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("score")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--result", type=Path, required=True)
    p.add_argument("--mix", type=float, default=0.4)
    a = ap.parse_args()
    if a.cmd == "prepare":
        prepare(a.shared, a.out)
    elif a.cmd == "pack":
        pack(a.model_dir, a.out, a.chunk_mb)
    elif a.cmd == "run":
        run(a.data, a.chunks, a.out, tuple(int(s) for s in a.seeds.split(",")),
            [s for s in a.only.split(",") if s] or None, a.limit, a.epochs)
    elif a.cmd == "ship":
        ship(a.data, a.result, a.out)
    else:
        score(a.data, a.result, a.mix)


if __name__ == "__main__":
    main()
