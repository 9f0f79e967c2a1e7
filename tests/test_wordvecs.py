"""Static word vectors: the shipped table, sentence averages, the int8 round trip, their use in typing."""

import numpy as np
import pytest

from watchfloor.extract.classify import EventClassifier
from watchfloor.extract.wordvecs import WordVectors, save


@pytest.fixture(scope="module")
def wv() -> WordVectors:
    return WordVectors.default()


def _cos(a, b):
    return float(a @ b)


def test_sentence_vectors_are_unit_or_zero(wv):
    V = wv.sentence_vectors(["Artillery shelled the town overnight.", "zzqx qqzx", ""])
    assert V.shape == (3, wv.dim)
    assert abs(np.linalg.norm(V[0]) - 1.0) < 1e-5
    assert not V[1].any() and not V[2].any()  # no known word: a zero row, no error


def test_meaning_survives_the_averaging(wv):
    a, b, c = wv.sentence_vectors([
        "Regime artillery pounded the village with mortar rounds.",
        "Government forces shelled the town with rockets.",
        "The football club signed a new striker for the season.",
    ])
    assert _cos(a, b) > _cos(a, c) + 0.1


def test_int8_table_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(3, 8)).astype(np.float32)
    path = tmp_path / "wv.npz"
    save(path, ["alpha", "beta", "gamma"], vecs, [0.5, 0.5, 0.5])
    back = WordVectors.load(path)
    assert back.words == ["alpha", "beta", "gamma"]
    restored = back.centred[:3] + vecs.mean(axis=0)
    assert np.abs(restored - vecs).max() < np.abs(vecs).max() / 100


def test_shipped_typing_model_uses_the_word_vectors(wv):
    clf = EventClassifier.default()
    assert clf.Wd is not None and clf.Wd.shape == (wv.dim, len(clf.classes))
    assert clf.meta["wordvecs"] == wv.fingerprint
    texts = ["Warplanes bombed a market in the town, killing six people."]
    sparse_only = EventClassifier(sorted(clf.index, key=clf.index.get), clf.W[:-1], clf.b, clf.classes,
                                  clf.temperature, clf.meta)
    assert not np.allclose(clf.probabilities(texts), sparse_only.probabilities(texts))


def test_projected_table_gives_the_same_scores_as_the_product(wv):
    texts = ["Militants seized the town after heavy fighting.", "unknownword", "Police dispersed the protest."]
    W = np.random.default_rng(1).normal(size=(wv.dim, 5)).astype(np.float32)
    assert np.allclose(wv.pooled(texts, wv.project(W)), wv.sentence_vectors(texts) @ W, atol=1e-4)
