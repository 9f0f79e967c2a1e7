"""Evaluation (and build-time training) of event typing.

``run(shared_dir)`` reports honest figures on the CASE 2021 task 2 development
snippets (``shared/data/case2021/dev.tsv``):

* **cv** - 5-fold stratified cross-validation: a model trained on 4/5 of dev
  + our own written examples + mapped NGEC synthetic stories is scored on the
  held-out 1/5; out-of-fold predictions are pooled.  This is the default
  figure.
* **no_dev** - a model trained without any dev snippet, scored on all of dev.

Both re-train in-process, which needs scikit-learn (a build/dev dependency,
imported lazily here only).  The shipped model and run-time inference
(``watchfloor.extract.classify``) never import it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from watchfloor.extract.classify import (
    NONE,
    NONE_PREFIX,
    EventClassifier,
    feature_spec_hash,
    features_groups,
    features_split,
)
from watchfloor.extract.classify_embed import BACKENDS
from watchfloor.models import SUB_EVENT_TO_TYPE

ACLED_SUBS = list(SUB_EVENT_TO_TYPE)
REPO_ROOT = Path(__file__).resolve().parents[3]
OWN_EXAMPLES = REPO_ROOT / "scripts" / "data" / "typing_examples.tsv"

CASE_TO_ACLED = {
    "AIR_STRIKE": "Air/drone strike",
    "ART_MISS_ATTACK": "Shelling/artillery/missile attack",
    "REM_EXPLOS": "Remote explosive/landmine/IED",
    "GRENADE": "Grenade",
    "SUIC_BOMB": "Suicide bomb",
    "CHEM_WEAP": "Chemical weapon",
    "ARMED_CLASH": "Armed clash",
    "GOV_REGAINS_TERIT": "Government regains territory",
    "NON_STATE_ACTOR_OVERTAKES_TER": "Non-state actor overtakes territory",
    "ATTACK": "Attack",
    "ABDUCT_DISSAP": "Abduction/forced disappearance",
    "SEX_VIOL": "Sexual violence",
    "PEACE_PROTEST": "Peaceful protest",
    "PROTEST_WITH_INTER": "Protest with intervention",
    "FORCE_AGAINST_PROTEST": "Excessive force against protesters",
    "VIOL_DEMONSTR": "Violent demonstration",
    "MOB_VIOL": "Mob violence",
    "AGREEMENT": "Agreement",
    "ARREST": "Arrests",
    "CHANGE_TO_GROUP_ACT": "Change to group/activity",
    "DISR_WEAP": "Disrupted weapons use",
    "HQ_ESTABLISHED": "Headquarters or base established",
    "PROPERTY_DISTRUCT": "Looting/property destruction",
    "NON_VIOL_TERRIT_TRANSFER": "Non-violent transfer of territory",
    "OTHER": "Other",
    # no ACLED event
    "NATURAL_DISASTER": "none:natural_disaster",
    "MAN_MADE_DISASTER": "none:man_made_disaster",
    "ORG_CRIME": "none:crime",
    "DIPLO": "none:diplomacy",
    "ATTRIB": "none:attribution",
}

# NGEC synthetic stories: PLOVER (label, mode) -> training label.  Only
# mappings that are sound for ACLED; ambiguous or noisy modes are dropped
# (e.g. ASSAULT/UNCONVENTIONAL contains fires, ASSAULT/HEAVY-WEAPONS and
# FIREARMS mix clashes with one-sided attacks, AGREE is mostly diplomacy).
_SYN_EVENT = {
    ("PROTEST", ""): "Peaceful protest",
    ("PROTEST", "DEMO"): "Peaceful protest",
    ("PROTEST", "STRIKE"): "Peaceful protest",
    ("PROTEST", "HUNGER"): "Peaceful protest",
    ("PROTEST", "RIOT"): "Violent demonstration",
    ("ASSAULT", "AERIAL"): "Air/drone strike",
    ("ASSAULT", "DRONE"): "Air/drone strike",
    ("ASSAULT", "SUICIDE-ATTACK"): "Suicide bomb",
    ("ASSAULT", "ABDUCT"): "Abduction/forced disappearance",
    ("ASSAULT", "SEXUAL"): "Sexual violence",
    ("ASSAULT", "ASSASSINATE"): "Attack",
    ("ASSAULT", "EXECUTE"): "Attack",
    ("ASSAULT", "MASSACRE"): "Attack",
    ("COERCE", "ARREST"): "Arrests",
    ("RETREAT", "CEASEFIRE"): "Agreement",
    ("RETREAT", "RELEASE"): "Agreement",
}
_SYN_NONE_LABELS = {"ACCUSE", "CONSULT", "REQUEST", "REJECT", "THREATEN", "SUPPORT",
                    "COOPERATE", "AID", "SANCTION", "CONCEDE"}
_SYN_NONE_COERCE = {"BAN", "CENSOR", "CYBER", "MISINFORMATION", "DEPORT", "RESTRICT", "WITHHOLD"}
_VIOLENT_CUES = {"C:riot", "C:disperse", "C:livefire", "C:killed", "C:arrest"}
SYN_NONE_CAP = 100  # per PLOVER label, to keep "none" from swamping the events

# Hyper-parameters, fixed before looking at dev scores (see model card).
HYPER = {
    "C": 1.0,             # inverse L2 strength of the logistic regression (8 before the dense features)
    "min_df": 2,          # feature must occur in >= 2 training texts
    "w_own": 1.0,         # sample weights by source
    "w_syn": 0.3,
    "w_dev": 4.0,
    "max_features": 40_000,
    "none_mass": 3.0,     # all no-event sub-classes together weigh as much as 3 event classes
    "wv_scale": 4.0,      # dense word-vector features (wordvecs.py), scaled against the sparse ones; 0 = off
    "seed": 13,
}


# Optional embedding backend (classify_embed): the weight of the linear model's probabilities
# in the mixture.  Chosen after seeing dev CV (see model card, Round 7).
HYPER_EMBED = {"mix": 0.4}

# what one fine-tune of each embed backend (classify_embed.BACKENDS) costs, for the progress lines
FINE_TUNE_COST = {"embed": "about 4 minutes on 2 cores",
                  "embed-large": "about 20 minutes on 2 cores, under a minute on a GPU"}


@dataclass
class Example:
    text: str
    label: str  # ACLED sub-event or "none:<kind>"
    source: str  # own | syn | dev
    id: str = ""


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------


def own_example_files(main: Path = OWN_EXAMPLES) -> list[Path]:
    """The team's sentence files: the first round plus later rounds (typing_examples_*.tsv)."""
    return [main, *sorted(main.parent.glob(main.stem + "_*.tsv"))]


def load_own(paths: Path | list[Path] | None = None) -> list[Example]:
    """Read `label<TAB>text` lines; a `label\ttext` header line is optional."""
    if paths is None:
        paths = own_example_files()
    elif isinstance(paths, Path):
        paths = [paths]
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for i, line in enumerate(fh, start=1):
                line = line.rstrip("\n")
                if not line.strip() or (i == 1 and line == "label\ttext"):
                    continue
                lab, sep, text = line.partition("\t")
                lab, text = lab.strip(), text.strip()
                if not sep or not text:
                    raise ValueError(f"{path}:{i}: expected label<TAB>text")
                if lab not in SUB_EVENT_TO_TYPE and not lab.startswith(NONE_PREFIX):
                    raise ValueError(f"{path}:{i}: unknown label {lab!r}")
                out.append(Example(text, lab, "own", f"own:{path.stem}:{i}"))
    return out


def _lead(text: str, min_chars: int = 160, max_sents: int = 2) -> str:
    sents = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    lead = ""
    for s in sents[:max_sents]:
        lead = (lead + " " + s).strip()
        if len(lead) >= min_chars:
            break
    return lead


def load_synthetic(shared_dir: Path) -> list[Example]:
    path = Path(shared_dir) / "data" / "ngec_synthetic" / "synthetic_stories.csv"
    if not path.exists():
        return []
    events, nones = [], defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            key = (row["label"], row["mode"])
            text = _lead(row["text"])
            if not text:
                continue
            if key in _SYN_EVENT:
                if _SYN_EVENT[key] == "Peaceful protest" and _VIOLENT_CUES & set(features_split(text)[1]):
                    continue  # stories filed under PROTEST that report violence/dispersal
                events.append(Example(text, _SYN_EVENT[key], "syn", f"syn{i}"))
            elif row["label"] in _SYN_NONE_LABELS or (row["label"] == "COERCE" and row["mode"] in _SYN_NONE_COERCE):
                nones[row["label"]].append(Example(text, "none:plover", "syn", f"syn{i}"))
    out = events
    for lab in sorted(nones):  # deterministic subsample: order by text hash
        exs = sorted(nones[lab], key=lambda e: hashlib.md5(e.text.encode()).hexdigest())
        out.extend(exs[:SYN_NONE_CAP])
    return out


def load_dev(shared_dir: Path) -> list[Example]:
    path = Path(shared_dir) / "data" / "case2021" / "dev.tsv"
    out = []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            out.append(Example(row["EventSnippet"].strip(), CASE_TO_ACLED[row["SubType"].strip()], "dev", row["id"]))
    return out


def collapse(label: str | None) -> str:
    if label is None or label.startswith(NONE_PREFIX) or label == NONE:
        return NONE
    return label


# ---------------------------------------------------------------------------
# training (build time; needs scikit-learn)
# ---------------------------------------------------------------------------


def _design(examples: list[Example], vocab: list[str]):
    from scipy.sparse import csr_matrix

    clf = EventClassifier(vocab, np.zeros((len(vocab), 1), np.float32), np.zeros(1, np.float32), ["none:x"])
    idx, val, starts = clf._rows([e.text for e in examples])
    keep = idx != clf.pad
    row_of = np.repeat(np.arange(len(examples)), np.diff(np.append(starts, len(idx))))
    X = csr_matrix((val[keep], (row_of[keep], idx[keep])), shape=(len(examples), len(vocab)), dtype=np.float64)
    X.sum_duplicates()
    return X


def build_vocab(examples: list[Example], min_df: int, max_features: int) -> list[str]:
    df: Counter = Counter()
    for e in examples:
        ng, cu, ex = features_groups(e.text)
        df.update(set(ng) | set(cu) | set(ex))
    feats = [f for f, n in df.items() if n >= min_df]
    feats.sort(key=lambda f: (-df[f], f))
    return sorted(feats[:max_features])


def _sample_weights(examples: list[Example], hp: dict) -> np.ndarray:
    """Source weights, then class balancing: every event class gets the same
    total weight; the no-event sub-classes share `none_mass` class-units."""
    w = np.array([hp["w_" + e.source] for e in examples], dtype=np.float64)
    tot: dict[str, float] = defaultdict(float)
    for e, wi in zip(examples, w):
        tot[e.label] += wi
    n_none = sum(1 for c in tot if c.startswith(NONE_PREFIX))
    n_event = len(tot) - n_none
    target = {c: (hp["none_mass"] / n_none if c.startswith(NONE_PREFIX) else 1.0) for c in tot}
    out = np.array([wi * target[e.label] / tot[e.label] for e, wi in zip(examples, w)])
    return out * len(examples) / out.sum()


def _fit_lr(X, y: list[str], sw: np.ndarray, hp: dict):
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=hp["C"], max_iter=2000, tol=1e-4, random_state=hp["seed"])
    lr.fit(X, y, sample_weight=sw)
    return lr


def train(examples: list[Example], hp: dict | None = None, calibrate: bool = True) -> EventClassifier:
    """Train a classifier on `examples` (deterministic).  With `calibrate`, a
    softmax temperature is fitted on 3-fold out-of-fold predictions of the
    same training pool (never on the data being scored)."""
    hp = {**HYPER, **(hp or {})}
    vocab = build_vocab(examples, hp["min_df"], hp["max_features"])
    X = _design(examples, vocab)
    meta: dict = {}
    if hp["wv_scale"]:
        from scipy.sparse import csr_matrix, hstack

        from watchfloor.extract.wordvecs import WordVectors

        wv = WordVectors.default()
        D = wv.sentence_vectors([e.text for e in examples]) * hp["wv_scale"]
        X = hstack([X, csr_matrix(D.astype(np.float64))]).tocsr()
        meta["wordvecs"] = wv.fingerprint
    y = [e.label for e in examples]
    sw = _sample_weights(examples, hp)
    lr = _fit_lr(X, y, sw, hp)
    classes = [str(c) for c in lr.classes_]
    W = lr.coef_.T.astype(np.float32)
    b = lr.intercept_.astype(np.float32)
    # the dense columns' weights, with the feature scale folded in
    dense = W[len(vocab):] * hp["wv_scale"] if hp["wv_scale"] else None
    W = W[:len(vocab)]
    temperature = 1.0
    if calibrate:
        temperature = _fit_temperature(examples, hp)
    meta.update({"classes": classes, "temperature": temperature, "feature_spec": feature_spec_hash(), "hyper": hp})
    return EventClassifier(vocab, W, b, classes, temperature, meta, dense)


def _fit_temperature(examples: list[Example], hp: dict) -> float:
    folds = stratified_folds([e.label for e in examples], 3, hp["seed"] + 1)
    confs, correct = [], []
    for k in range(3):
        tr = [e for e, f in zip(examples, folds) if f != k]
        te = [e for e, f in zip(examples, folds) if f == k]
        m = train(tr, hp, calibrate=False)
        P = m.probabilities([e.text for e in te])
        logits = np.log(np.clip(P, 1e-12, 1.0))
        gold = np.array([m.classes.index(e.label) if e.label in m.classes else -1 for e in te])
        confs.append(logits)
        correct.append(gold)
    L = np.vstack(confs)
    g = np.concatenate(correct)
    ok = g >= 0
    L, g = L[ok], g[ok]
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(math.log(0.25), math.log(4.0), 61)):
        Z = L / t
        Z = Z - Z.max(axis=1, keepdims=True)
        logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
        nll = -logp[np.arange(len(g)), g].mean()
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


# ---------------------------------------------------------------------------
# optional embedding backend (build time; needs scikit-learn and the typing-embed extra)
# ---------------------------------------------------------------------------

def train_embed(examples: list[Example], hp: dict | None = None, linear: EventClassifier | None = None,
                log=None, encoder: str = "minilm", device: str = "cpu"):
    """The embedding mixture trained on `examples`: the encoder's adapters and head are
    fine-tuned on the same labels and sample weights as the linear model (`finetune`);
    `encoder` is a key of ``classify_embed.ENCODERS``."""
    from watchfloor.evaluate.finetune import fine_tune
    from watchfloor.extract.classify_embed import ENCODERS, EmbeddingClassifier, encoder_path

    hp = {**HYPER, **HYPER_EMBED, **(hp or {})}
    linear = linear or train(examples, hp)
    tune = {"targets": list(ENCODERS[encoder].targets), **(hp.get("tune") or {})}
    tuned = fine_tune(examples, linear.classes, _sample_weights(examples, hp), tune, log=log,
                      encoder_path=encoder_path(encoder), device=device)
    return EmbeddingClassifier(tuned["W"], tuned["b"], linear.classes, linear, hp["mix"],
                               {"hyper_embed": HYPER_EMBED, "hyper_tune": tuned["hyper"]},
                               adapters=tuned["adapters"], max_length=tuned["max_length"], encoder_key=encoder)


def save(model: EventClassifier, path: Path, extra_meta: dict | None = None) -> None:
    """Write the model as a compressed npz of plain arrays (float16 weights)."""
    W = model.W[:-1]
    # drop features whose weights are all ~0 (they cannot change a prediction)
    keep = np.abs(W).max(axis=1) > 1e-3
    vocab = [f for f, k in zip(sorted(model.index, key=model.index.get), keep) if k]
    W = W[keep]
    scale = float(np.abs(W).max()) / 60000.0 if W.size else 1.0
    meta = {**model.meta, **(extra_meta or {}), "weight_scale": scale, "n_features": len(vocab)}
    dense = {}
    if model.Wd is not None:
        meta["dense_scale"] = float(np.abs(model.Wd).max()) / 60000.0
        dense["Wd"] = (model.Wd / meta["dense_scale"]).astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        **dense,
        W=(W / scale).astype(np.float16),
        b=model.b.astype(np.float32),
        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
    )


# ---------------------------------------------------------------------------
# metrics (no sklearn)
# ---------------------------------------------------------------------------


def stratified_folds(labels: list[str], k: int, seed: int) -> list[int]:
    """Fold id per item: shuffle within each class, deal round-robin (continuing
    the rotation across classes so small classes spread over folds)."""
    rng = random.Random(seed)
    by: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by[lab].append(i)
    fold = [0] * len(labels)
    pos = 0
    for lab in sorted(by):
        items = by[lab][:]
        rng.shuffle(items)
        for i in items:
            fold[i] = pos % k
            pos += 1
    return fold


def prf(gold: list[str], pred: list[str], labels: list[str]) -> dict[str, dict[str, float]]:
    tp, fp, fn, sup = Counter(), Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        sup[g] += 1
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    out = {}
    for c in labels:
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        r = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[c] = {"precision": p, "recall": r, "f1": f, "support": sup[c]}
    return out


def weighted_f1(gold: list[str], pred: list[str], labels: list[str]) -> float:
    table = prf(gold, pred, labels)
    tot = sum(table[c]["support"] for c in labels)
    return sum(table[c]["f1"] * table[c]["support"] for c in labels) / tot if tot else 0.0


def macro_f1(gold: list[str], pred: list[str], labels: list[str]) -> float:
    table = prf(gold, pred, labels)
    present = [c for c in labels if table[c]["support"] > 0]
    return sum(table[c]["f1"] for c in present) / len(present) if present else 0.0


def reliability(conf: list[float], ok: list[bool], edges=(0.0, 0.3, 0.5, 0.7, 0.85, 1.0001)) -> list[dict]:
    rows = []
    for lo, hi in zip(edges, edges[1:]):
        sel = [o for c, o in zip(conf, ok) if lo <= c < hi]
        cs = [c for c in conf if lo <= c < hi]
        rows.append({"bin": f"{lo:.2f}-{min(hi, 1.0):.2f}", "n": len(sel),
                     "mean_conf": sum(cs) / len(cs) if cs else None,
                     "accuracy": sum(sel) / len(sel) if sel else None})
    return rows


THRESHOLDS = (0.35, 0.45, 0.6, 0.7)


def event_detection(gold: list[str], pred: list[str], conf: list[float], thresholds=THRESHOLDS) -> dict:
    """Precision/recall of "this snippet reports an event" as the pipeline decides it:
    a sub-event type is predicted (not none) with confidence >= threshold."""
    out = {}
    for t in thresholds:
        flagged = [p != NONE and c >= t for p, c in zip(pred, conf)]
        is_event = [g != NONE for g in gold]
        tp = sum(f and e for f, e in zip(flagged, is_event))
        nf, ne = sum(flagged), sum(is_event)
        typed_ok = sum(f and g == p for f, g, p in zip(flagged, gold, pred))
        out[f"{t:.2f}"] = {"precision": tp / nf if nf else 0.0, "recall": tp / ne if ne else 0.0,
                           "flagged": nf, "flagged_and_typed_right": typed_ok}
    return out


def flag_share(model, texts: list[str], thresholds=THRESHOLDS) -> dict:
    """Share of `texts` the pipeline would take for events at each threshold."""
    preds = model.predict_many(texts)
    n = max(len(preds), 1)
    return {f"{t:.2f}": sum(p.sub_event_type is not None and p.confidence >= t for p in preds) / n
            for t in thresholds}


def guardian_sentences(shared_dir: Path, limit: int | None = None) -> list[str]:
    """Sentences of the Guardian Syria sample (ordinary news) for flag-rate checks."""
    import csv as _csv

    from watchfloor.extract.sentences import split_sentences

    path = Path(shared_dir) / "data" / "corpora" / "guardian_syria_sample.csv"
    if not path.exists():
        return []
    _csv.field_size_limit(1 << 30)
    out: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for row in _csv.DictReader(fh):
            text = row.get("text") or ""
            out.extend(text[a:b] for a, b in split_sentences(text))
    return out[:limit] if limit else out


def score(gold_fine: list[str], preds, backend: str = "linear") -> dict:
    """Figures for argmax predictions, and as the extractor types: below the pipeline's
    confidence threshold a sentence yields no event at all."""
    from watchfloor.extract.pipeline import MIN_CONFIDENCE

    gold = [collapse(g) for g in gold_fine]
    pred = [collapse(p.sub_event_type) for p in preds]
    conf = [p.confidence for p in preds]
    threshold = MIN_CONFIDENCE[backend]
    extracted = [p if c >= threshold else NONE for p, c in zip(pred, conf)]
    ok = [g == p for g, p in zip(gold, pred)]
    table = prf(gold, pred, ACLED_SUBS + [NONE])
    n_none = sum(g == NONE for g in gold)
    pred_none = sum(p == NONE for p in pred)
    both_none = sum(g == NONE and p == NONE for g, p in zip(gold, pred))
    return {
        "n": len(gold),
        "event_detection": event_detection(gold, pred, conf),
        "weighted_f1_25": weighted_f1(gold, pred, ACLED_SUBS),
        "weighted_f1_25_extracted": weighted_f1(gold, extracted, ACLED_SUBS),
        "threshold": threshold,
        "macro_f1_25": macro_f1(gold, pred, ACLED_SUBS),
        "weighted_f1_26": weighted_f1(gold, pred, ACLED_SUBS + [NONE]),
        "accuracy": sum(ok) / len(ok) if ok else 0.0,
        "none_precision": both_none / pred_none if pred_none else 0.0,
        "none_recall": both_none / n_none if n_none else 0.0,
        "none_support": n_none,
        "per_class": table,
        "reliability": reliability(conf, ok),
        "errors": [(g, p) for g, p in zip(gold_fine, pred) if collapse(g) != p],
    }


# ---------------------------------------------------------------------------
# run / report
# ---------------------------------------------------------------------------


def cross_validate(own, syn, dev, k: int = 5, hp: dict | None = None, embed: tuple[str, ...] = (),
                   device: str = "cpu") -> dict:
    """k-fold CV on dev.  Each backend named in `embed` ("embed", "embed-large") is
    trained in the same folds, beside the same linear model, and scored under its name."""
    hp = {**HYPER, **(hp or {})}
    folds = stratified_folds([e.label for e in dev], k, hp["seed"])
    preds: list = [None] * len(dev)
    epreds: dict[str, list] = {b: [None] * len(dev) for b in embed}
    for f in range(k):
        train_dev = [e for e, fi in zip(dev, folds) if fi != f]
        test_idx = [i for i, fi in enumerate(folds) if fi == f]
        model = train(own + syn + train_dev, hp)
        for i, p in zip(test_idx, model.predict_many([dev[i].text for i in test_idx])):
            preds[i] = p
        for b in embed:
            _progress(f"typing CV fold {f + 1}/{k}: fine-tuning the {b} encoder ({FINE_TUNE_COST[b]})")
            em = train_embed(own + syn + train_dev, hp, linear=model, encoder=BACKENDS[b][0], device=device)
            for i, p in zip(test_idx, em.predict_many([dev[i].text for i in test_idx])):
                epreds[b][i] = p
    out = score([e.label for e in dev], preds)
    for b in embed:
        out[b] = score([e.label for e in dev], epreds[b], backend=b)
    return out


def _progress(message: str) -> None:
    """The embed backend's CV takes about twenty minutes: say where it is (stderr)."""
    import sys

    print(message, file=sys.stderr, flush=True)


def run(shared_dir: Path, k: int = 5, embed: bool = True) -> dict:
    shared_dir = Path(shared_dir)
    dev_path = shared_dir / "data" / "case2021" / "dev.tsv"
    if not dev_path.exists():
        return {"skipped": f"{dev_path} not found (needs ../shared)"}
    if not OWN_EXAMPLES.exists():
        return {"skipped": f"{OWN_EXAMPLES} not found (run from a source checkout)"}
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return {"skipped": "scikit-learn is not installed (pip install -e '.[build-data]'); "
                           "the honest figures re-train in-process"}
    t0 = time.time()
    own, syn, dev = load_own(), load_synthetic(shared_dir), load_dev(shared_dir)
    backends, device, skipped = _embed_backends(embed)
    figures: dict = {"data": {"own": len(own), "synthetic": len(syn), "dev": len(dev)}, "hyper": HYPER}
    figures["cv"] = cross_validate(own, syn, dev, k, embed=backends, device=device)
    no_dev = train(own + syn)
    figures["no_dev"] = score([e.label for e in dev], no_dev.predict_many([e.text for e in dev]))
    for b in backends:
        _progress(f"typing no-dev model: fine-tuning the {b} encoder")
        tuned = train_embed(own + syn, linear=no_dev, encoder=BACKENDS[b][0], device=device)
        figures[b] = {"hyper": HYPER_EMBED, "cv": figures["cv"].pop(b),
                      "no_dev": score([e.label for e in dev], tuned.predict_many([e.text for e in dev]), backend=b)}
    figures.update(skipped)
    shipped = EventClassifier.default()
    figures["shipped_on_dev_trained_on_it"] = {
        "weighted_f1_25": score([e.label for e in dev], shipped.predict_many([e.text for e in dev]))["weighted_f1_25"]}
    guardian = guardian_sentences(shared_dir)
    if guardian:
        figures["guardian_flag_share"] = {"sentences": len(guardian), "linear": flag_share(shipped, guardian)}
        for b in backends:
            figures["guardian_flag_share"][b] = flag_share(EventClassifier.default(backend=b), guardian)
    figures["seconds"] = time.time() - t0
    return figures


def _embed_backends(wanted: bool) -> tuple[tuple[str, ...], str, dict]:
    """Which embed backends `run` measures, on which device, and why any is left out.
    embed-large re-trains mpnet six times: run where a GPU is, or when asked to."""
    from watchfloor.extract.classify_embed import ENCODERS, embed_available

    if not wanted:
        return (), "cpu", {}
    backends: list[str] = []
    skipped: dict = {}
    device = "cpu"
    if embed_available("minilm"):
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        backends.append("embed")
    if not embed_available("mpnet"):
        skipped["embed-large"] = {"skipped": f"not installed: {ENCODERS['mpnet'].install}"}
    elif device == "cpu" and os.environ.get("WATCHFLOOR_EVAL_EMBED_LARGE") != "1":
        skipped["embed-large"] = {"skipped": "no GPU here, and its cross-validation takes about 2 hours on "
                                             "2 CPU cores: set WATCHFLOOR_EVAL_EMBED_LARGE=1 to run it anyway "
                                             "(docs/benchmarks.md has the figures and how they were made)"}
    else:
        backends.append("embed-large")
    return tuple(backends), device, skipped


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _reliability_rows(bins: list[dict]) -> list[str]:
    return [f"{r['bin']:<12}{r['n']:>5}{_fmt(r['mean_conf']):>11}{_fmt(r['accuracy']):>10}" for r in bins]


def report(figures: dict) -> str:
    if "skipped" in figures:
        return f"event typing: skipped - {figures['skipped']}"
    cv, nd = figures["cv"], figures["no_dev"]
    lines = [
        "Event typing on CASE 2021 task 2 dev ({n} snippets; training pool: {own} own, {synthetic} synthetic)".format(
            n=cv["n"], **figures["data"]),
        "",
        "figure                          5-fold CV   no-dev model",
    ]
    for key, name in [("weighted_f1_25", "weighted F1 (25 ACLED types)"),
                      ("weighted_f1_25_extracted", f"  as extracted (conf >= {cv['threshold']})"),
                      ("macro_f1_25", "macro F1 (25 ACLED types)"),
                      ("weighted_f1_26", "weighted F1 (25 + none)"), ("accuracy", "accuracy (26-way)"),
                      ("none_precision", "no-event precision"), ("none_recall", "no-event recall")]:
        lines.append(f"{name:<32}{_fmt(cv[key]):>9}   {_fmt(nd[key]):>9}")
    lines.append(f"(shipped model, trained on all of dev, scores {figures['shipped_on_dev_trained_on_it']['weighted_f1_25']:.3f}"
                 " on dev - not a test figure)")
    lines += ["", "per class (5-fold CV):", f"{'class':<38}{'P':>6}{'R':>6}{'F1':>6}{'n':>5}"]
    for c, r in cv["per_class"].items():
        if r["support"] or r["precision"]:
            lines.append(f"{c:<38}{r['precision']:6.2f}{r['recall']:6.2f}{r['f1']:6.2f}{r['support']:5d}")
    lines += ["", "reliability (5-fold CV): confidence bin -> how often the label is right",
              f"{'bin':<12}{'n':>5}{'mean conf':>11}{'accuracy':>10}"]
    lines += _reliability_rows(cv["reliability"])
    lines += ["", "is-an-event detection (flag = typed as an event with confidence >= t; 5-fold CV | no-dev)",
              f"{'t':<8}{'P':>7}{'R':>7}{'flagged':>9}   {'P':>7}{'R':>7}{'flagged':>9}"]
    for t, r in cv["event_detection"].items():
        q = nd["event_detection"][t]
        lines.append(f"{t:<8}{r['precision']:7.3f}{r['recall']:7.3f}{r['flagged']:9d}   "
                     f"{q['precision']:7.3f}{q['recall']:7.3f}{q['flagged']:9d}")
    if "guardian_flag_share" in figures:
        g = figures["guardian_flag_share"]
        for backend in ("linear", *BACKENDS):
            if backend in g:
                lines.append(f"share of {g['sentences']} Guardian Syria sentences flagged (shipped {backend} model): "
                             + ", ".join(f"t={t}: {v:.1%}" for t, v in g[backend].items()))
    for backend, title in (("embed", "embedding backend (MiniLM"), ("embed-large", "large embedding backend (mpnet")):
        e = figures.get(backend)
        if e is None:
            continue
        if "skipped" in e:
            lines += ["", f"{title}): skipped - {e['skipped']}"]
            continue
        lines += ["", f"{title} fine-tuned with LoRA, mixed with linear at "
                      f"{e['hyper']['mix']}):   5-fold CV   no-dev model"]
        for key, name in [("weighted_f1_25", "weighted F1 (25 ACLED types)"),
                          ("weighted_f1_25_extracted", f"  as extracted (conf >= {e['cv']['threshold']})"),
                          ("macro_f1_25", "macro F1 (25 ACLED types)"),
                          ("accuracy", "accuracy (26-way)"), ("none_precision", "no-event precision"),
                          ("none_recall", "no-event recall")]:
            lines.append(f"{name:<32}{_fmt(e['cv'][key]):>9}   {_fmt(e['no_dev'][key]):>9}")
        lines.append(f"per class ({backend}, 5-fold CV):")
        for c, r in e["cv"]["per_class"].items():
            if r["support"] or r["precision"]:
                lines.append(f"{c:<38}{r['precision']:6.2f}{r['recall']:6.2f}{r['f1']:6.2f}{r['support']:5d}")
        lines.append(f"reliability ({backend}, 5-fold CV):")
        lines += _reliability_rows(e["cv"]["reliability"])
        lines.append(f"is-an-event detection ({backend}, 5-fold CV):")
        for t, r in e["cv"]["event_detection"].items():
            lines.append(f"{t:<8}{r['precision']:7.3f}{r['recall']:7.3f}{r['flagged']:9d}")
    lines.append("")
    lines.append(f"({figures['seconds']:.0f} s; figures re-trained in-process with scikit-learn)")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(report(run(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT.parent / "shared")))
