"""Actor span extraction measured against the re3d gold standard (Dstl).

re3d (``<shared>/data/re3d``) ships, per source, a ``*__documents.json`` and an
``*__entities.json`` file in mongoexport format (one JSON object a line).  Its
``Organisation`` spans are the reference for `ActorMatcher.find`; documents are
kept when they are about the Syria/Iraq conflict (a conflict keyword in title or
text).  Precision, recall and F1 are given for exact span match and for overlap
match, over all Organisation spans and over the "named" ones (pronouns and
bare common nouns such as "we", "people", "the group" left out, since a
dictionary matcher is not meant to resolve them).

    from watchfloor.evaluate import re3d
    figures = re3d.run(Path("../shared"))
    print(re3d.report(figures))
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from watchfloor.extract.actors import ActorMatcher

_CONFLICT = re.compile(
    r"\b(?:Syria\w*|Iraq\w*|ISIL|ISIS|Daesh|Da.esh|Islamic State|Assad|Asad|Raqqa|Mosul|Aleppo|Damascus|"
    r"Deir|Kurd\w*|Coalition|Inherent Resolve|CJTF|SDF|YPG|Hezbollah|Nusra|rebels?)\b"
)
_PRONOUN = {
    "we", "us", "our", "they", "them", "their", "it", "its", "you", "he", "she", "his", "her", "i", "me", "my",
    "ours", "theirs", "who", "which", "itself", "themselves", "ourselves",
}
_GENERIC = re.compile(
    r"^(?:the\s+|an?\s+|all\s+|both\s+|some\s+|many\s+|these\s+|those\s+|this\s+|that\s+)?"
    r"(?:people|group|groups|family|families|country|government|parties|partners|members|leaders|victims|"
    r"patients|refugees|children|women|men|others|staff|officials|forces|the\s+enemy|enemy|"
    r"international\s+community|two\s+leaders|all\s+parties|international\s+partners|s\s+family)$",
    re.I,
)


def _read_jsonl(path: Path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def _data_dir(shared_dir: Path) -> Path | None:
    for cand in (shared_dir / "data" / "re3d", shared_dir / "re3d", shared_dir):
        if cand.is_dir() and any(cand.glob("*__documents.json")):
            return cand
    return None


def load(shared_dir: Path) -> list[dict]:
    """[{id, source, title, text, gold: [(begin, end, value)]}] for the conflict documents."""
    root = _data_dir(Path(shared_dir))
    if root is None:
        return []
    docs: list[dict] = []
    for dpath in sorted(root.glob("*__documents.json")):
        source = dpath.name.split("__")[0]
        epath = dpath.with_name(dpath.name.replace("__documents.json", "__entities.json"))
        ents = _read_jsonl(epath) if epath.exists() else []
        by_doc: dict[str, list[tuple[int, int, str]]] = {}
        for e in ents:
            if e.get("type") == "Organisation":
                by_doc.setdefault(e["documentId"], []).append((int(e["begin"]), int(e["end"]), e.get("value", "")))
        for d in _read_jsonl(dpath):
            text = d.get("text") or ""
            if not _CONFLICT.search((d.get("title") or "") + " " + text):
                continue
            gold = sorted(set(by_doc.get(d["_id"], [])))
            docs.append({"id": d["_id"], "source": source, "title": d.get("title"), "text": text, "gold": gold})
    return docs


def _named(value: str) -> bool:
    v = value.strip()
    return bool(v) and v.lower() not in _PRONOUN and not _GENERIC.match(v)


def _strip_article(s: int, e: int, text: str) -> tuple[int, int]:
    m = re.match(r"(?i)the\s+", text[s:e])
    return (s + m.end(), e) if m else (s, e)


def _score(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


# re3d was built from 2016-2017 reporting; actors are resolved as of then.
REFERENCE_DATE = date(2017, 1, 1)


def run(shared_dir: Path, matcher: ActorMatcher | None = None, on: date = REFERENCE_DATE) -> dict[str, Any]:
    """Figures for ActorMatcher.find against re3d Organisation spans."""
    docs = load(Path(shared_dir))
    if not docs:
        return {"skipped": f"no re3d data under {shared_dir}"}
    matcher = matcher or ActorMatcher.default()
    counts = {k: [0, 0, 0] for k in ("exact", "overlap", "exact_named", "overlap_named")}
    misses: Counter = Counter()
    false_pos: Counter = Counter()
    n_gold = n_named = n_pred = 0
    for d in docs:
        text = d["text"]
        pred = [(m.start, m.end, m.mention, m.name) for m in matcher.find(text, on)]
        gold = d["gold"]
        named = [g for g in gold if _named(g[2])]
        n_gold += len(gold)
        n_named += len(named)
        n_pred += len(pred)
        for label, gset in (("", gold), ("_named", named)):
            g_exact = {_strip_article(s, e, text) for s, e, _ in gset}
            p_exact = {_strip_article(s, e, text) for s, e, _, _ in pred}
            tp = len(g_exact & p_exact)
            c = counts["exact" + label]
            c[0] += tp
            c[2] += len(g_exact) - tp
            # precision counted against all gold spans (a prediction is right if any gold span agrees)
            all_exact = {_strip_article(s, e, text) for s, e, _ in gold}
            c[1] += len(p_exact - all_exact)
            # overlap
            c = counts["overlap" + label]
            hit_g = [any(ps < ge and gs < pe for ps, pe, _, _ in pred) for gs, ge, _ in gset]
            hit_p = [any(ps < ge and gs < pe for gs, ge, _ in gold) for ps, pe, _, _ in pred]
            c[0] += sum(hit_g)
            c[2] += len(hit_g) - sum(hit_g)
            c[1] += len(hit_p) - sum(hit_p)
            if label == "_named":
                for (gs, ge, val), h in zip(gset, hit_g):
                    if not h:
                        misses[val] += 1
                for (ps, pe, mention, name), h in zip(pred, hit_p):
                    if not h:
                        false_pos[f"{mention} -> {name}"] += 1
    figures: dict[str, Any] = {
        "documents": len(docs),
        "gold_spans": n_gold,
        "gold_named_spans": n_named,
        "predicted_spans": n_pred,
    }
    for k, (tp, fp, fn) in counts.items():
        # overlap recall counts gold spans hit; overlap precision counts predictions hitting a gold span
        figures[k] = _score(tp, fp, fn)
    figures["top_misses"] = misses.most_common(40)
    figures["top_false_positives"] = false_pos.most_common(25)
    return figures


def report(figures: dict[str, Any]) -> str:
    if "skipped" in figures:
        return f"re3d: skipped ({figures['skipped']})"
    lines = [
        f"re3d actor spans: {figures['documents']} Syria/Iraq documents, {figures['gold_spans']} Organisation spans "
        f"({figures['gold_named_spans']} named), {figures['predicted_spans']} predicted",
        f"{'':16}{'P':>7}{'R':>7}{'F1':>7}",
    ]
    for k in ("exact", "overlap", "exact_named", "overlap_named"):
        s = figures[k]
        lines.append(f"{k:16}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}")
    lines.append("most frequent misses (named): " + ", ".join(f"{v} ({n})" for v, n in figures["top_misses"][:25]))
    lines.append("unmatched predictions: " + ", ".join(f"{v} ({n})" for v, n in figures["top_false_positives"][:15]))
    return "\n".join(lines)


if __name__ == "__main__":  # python -m watchfloor.evaluate.re3d [shared_dir]
    import sys

    print(report(run(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))))
