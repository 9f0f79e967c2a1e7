"""Geocoder evaluation: governorate/district accuracy, span detection, region phrases, speed.

    from watchfloor.evaluate import geo
    print(geo.report(geo.run(Path("../shared"))))

Data (read-only, development use; never shipped):
  (a) shared/data/ucdp_aec_syria/dev.jsonl: UCDP GED coding of one event per article;
      `location_where_name` geocoded alone and with the article as context, scored
      against `location_adm1_name`/`location_adm2_name` mapped to OCHA P-codes by
      name normalisation against the gazetteer (no hand-keyed answers).
  (b) shared/data/re3d/*: gold Location spans in documents that mention Syria;
      detection recall/precision by span overlap (re3d labels every location,
      Syrian or not, and no admin units).
  (c) REGION_PHRASES below: region phrases written for this evaluation (not taken
      from any dev set) whose answer is a governorate or district, precision 2 or 3.
  (d) load time of the gazetteer and ms per document on the Guardian sample.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from watchfloor.geocode import Geocoder, name_key

# (phrase, admin1 P-code, admin2 P-code or None, allowed precisions)
REGION_PHRASES: list[tuple[str, str, str | None, tuple[int, ...]]] = [
    ("Security forces raided a house in rural Homs.", "SY04", None, (3,)),
    ("Shelling hit the eastern countryside of Hama on Monday.", "SY05", None, (3,)),
    ("Clashes continued in the Idlib countryside.", "SY07", None, (3,)),
    ("An IED exploded in the western countryside of Daraa.", "SY12", None, (3,)),
    ("Cells remain active in the Deir ez-Zor desert.", "SY09", None, (3,)),
    ("A drone strike was reported in Raqqa province.", "SY11", None, (3,)),
    ("Fighting spread across Aleppo governorate.", "SY02", None, (3,)),
    ("Airstrikes targeted the southern countryside of Idleb.", "SY07", None, (3,)),
    ("Gunmen attacked a checkpoint in rural Damascus.", "SY03", None, (3,)),
    ("Raids took place in the Damascus countryside.", "SY03", None, (3,)),
    ("ISIS cells ambushed soldiers east of Palmyra.", "SY04", "SY0405", (2,)),
    ("Mortar rounds fell on the outskirts of Raqqa.", "SY11", "SY1101", (2,)),
    ("Clashes erupted near Manbij on Tuesday.", "SY02", "SY0205", (2,)),
    ("A mine exploded north of Deir ez-Zor city.", "SY09", "SY0901", (2,)),
    ("Protests were held in Sweida province.", "SY13", None, (3,)),
    ("The army shelled villages in the northern countryside of Latakia.", "SY06", None, (3,)),
    ("Troops deployed to the Quneitra countryside.", "SY14", None, (3,)),
    ("Clashes were reported in the Hasakah countryside.", "SY08", None, (3,)),
    ("A car bomb went off on the outskirts of Qamishli.", "SY08", "SY0802", (2,)),
    ("Attacks rose in the eastern Deir Ezzor countryside.", "SY09", None, (3,)),
    ("Patrols moved through the Abu Kamal district.", "SY09", "SY0902", (2,)),
    ("Shelling hit villages around Jisr al-Shughur.", "SY07", "SY0704", (2,)),
    ("Heavy fighting in the countryside of Tartus.", "SY10", None, (3,)),
    ("An ambush in the Homs desert killed nine soldiers.", "SY04", None, (3,)),
    ("Two shepherds were killed in the Palmyra desert.", "SY04", "SY0405", (2,)),
    ("Strikes hit the southern outskirts of Idlib city.", "SY07", "SY0700", (2,)),
    ("Arrests were made in the Daraa governorate.", "SY12", None, (3,)),
    ("Clashes in the western countryside of Aleppo.", "SY02", None, (3,)),
    ("The province of Hama saw heavy shelling.", "SY05", None, (3,)),
    ("Rockets landed near Jableh.", "SY06", "SY0602", (2,)),
    ("In the eastern countryside of Homs, ISIS attacked an army post.", "SY04", None, (3,)),
    ("Fighting resumed in rural Hama and rural Idlib.", "SY05", None, (3,)),
    ("Security operations in the Raqqa countryside continued.", "SY11", None, (3,)),
    ("A bomb exploded near Azaz.", "SY02", "SY0204", (2,)),
    ("Clashes in the vicinity of Al-Bab.", "SY02", "SY0202", (2,)),
    ("Villages south of Hasakah were shelled.", "SY08", "SY0800", (2,)),
    ("The Interior Ministry dismantled cells in Deir ez-Zor province.", "SY09", None, (3,)),
    ("Gunmen struck in the countryside of As-Suwayda.", "SY13", None, (3,)),
    ("Drone strike near Tal Abyad.", "SY11", "SY1102", (2,)),
    ("An explosion in the Afrin countryside.", "SY02", "SY0203", (2,)),
]


def _strip_type(name: str) -> str:
    return re.sub(r"\s+\b(village|town|city|camp|area|road|neighbou?rhood)$", "", name.strip(), flags=re.I)


class UcdpNames:
    """UCDP GED admin names -> OCHA P-codes, by name normalisation against the gazetteer."""

    def __init__(self, g: Geocoder):
        self.g = g

    def _entries(self, name: str):
        return [self.g.entries[i] for i in self.g.index.get(name_key(name)[0], [])]

    def admin1(self, name: str) -> str | None:
        base = re.sub(r"\s+governorate$", "", name.strip(), flags=re.I)
        for e in self._entries(base):
            if e.kind == "admin1":
                return e.a1
        best = max(((SequenceMatcher(None, name_key(base)[0], name_key(u["name"])[0]).ratio(), pc)
                    for pc, u in self.g.units.items() if u["level"] == 1), default=(0, None))
        return best[1] if best[0] >= 0.75 else None

    def admin2(self, name: str, a1: str | None) -> str | None:
        base = re.sub(r"\s+district$", "", name.strip(), flags=re.I)
        base = re.sub(r"^(Mintaqat\s+)?(Markaz\s+)?", "", base, flags=re.I)
        if not base:
            return None
        ents = [e for e in self._entries(base) if e.country == "Syria" and (a1 is None or e.a1 == a1) and e.a2]
        for kind in ("admin2", "admin3", "town"):
            for e in ents:
                if e.kind == kind:
                    return e.a2
        k = name_key(base)[0]
        best = max(((SequenceMatcher(None, k, name_key(u["name"])[0]).ratio(), pc)
                    for pc, u in self.g.units.items() if u["level"] == 2 and (a1 is None or pc[:4] == a1)),
                   default=(0, None))
        return best[1] if best[0] >= 0.8 else None


def _focus(places) -> tuple[str | None, str | None]:
    """The report's main governorate and district: the most named among its Syrian places."""
    syr = [p for p in places if p.country == "Syria" and p.admin1_pcode]
    if not syr:
        return None, None
    a1 = Counter(p.admin1_pcode for p in syr).most_common(1)[0][0]
    a2s = Counter(p.admin2_pcode for p in syr if p.admin1_pcode == a1 and p.admin2_pcode)
    return a1, (a2s.most_common(1)[0][0] if a2s else None)


def eval_ucdp(g: Geocoder, path: Path) -> dict:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    names = UcdpNames(g)
    out = {"n": len(rows), "unmapped_gold": 0, "items": []}
    c = Counter()
    for r in rows:
        gold1 = names.admin1(r["location_adm1_name"])
        gold2 = names.admin2(r["location_adm2_name"], gold1) if r["location_adm2_name"].strip() else None
        if gold1 is None:
            out["unmapped_gold"] += 1
            continue
        where = _strip_type(r["location_where_name"])
        alone = g.resolve(where)
        ctx = g.resolve(where, context=r["source_article"])
        how = "name"
        p1, p2 = (ctx.admin1_pcode, ctx.admin2_pcode) if ctx else (None, None)
        if ctx is None or p1 is None:
            p1, p2 = _focus(g.find(r["source_article"]))
            how = "article focus"
        c["alone_a1"] += bool(alone and alone.admin1_pcode == gold1)
        c["ctx_a1"] += p1 == gold1
        if gold2:
            c["n_a2"] += 1
            c["alone_a2"] += bool(alone and alone.admin2_pcode == gold2)
            c["ctx_a2"] += p2 == gold2
        c["found_alone"] += alone is not None
        out["items"].append({
            "where": r["location_where_name"], "gold": (gold1, gold2),
            "alone": (alone.admin1_pcode, alone.admin2_pcode, alone.name) if alone else None,
            "context": (p1, p2, how),
        })
    n = max(1, len(out["items"]))
    n2 = max(1, c["n_a2"])
    out.update({
        "scored": len(out["items"]), "with_district": c["n_a2"],
        "name_found": c["found_alone"] / n,
        "alone_admin1_acc": c["alone_a1"] / n, "alone_admin2_acc": c["alone_a2"] / n2,
        "context_admin1_acc": c["ctx_a1"] / n, "context_admin2_acc": c["ctx_a2"] / n2,
    })
    return out


def _mongo_lines(path: Path):
    for line in path.open(encoding="utf-8-sig"):
        line = line.strip()
        if line:
            yield json.loads(line)


def _is_named(value: str) -> bool:
    """A proper name ("Raqqa", "Al Huwayjah"), not a description ("the library", "there")."""
    words = value.split()
    return bool(words) and words[0][:1].isupper() and words[0].lower() not in {
        "the", "a", "an", "this", "that", "these", "those", "our", "their", "his", "her", "its", "every", "all",
        "some", "another", "other", "more", "three", "two", "six", "here", "there", "it"}


def eval_re3d(g: Geocoder, folder: Path) -> dict:
    docs, gold = {}, {}
    for f in sorted(folder.glob("*__documents.json")):
        for d in _mongo_lines(f):
            if "Syria" in d["text"]:
                docs[d["_id"]] = d["text"]
    for f in sorted(folder.glob("*__entities.json")):
        for e in _mongo_lines(f):
            if e["type"] == "Location" and e["documentId"] in docs and e.get("confidence", 1) > 0:
                gold.setdefault(e["documentId"], set()).add((e["begin"], e["end"], e["value"]))
    tp_gold = n_gold = tp_pred = n_pred = 0
    named_gold = named_tp = 0
    misses: Counter[str] = Counter()
    false: Counter[str] = Counter()
    for doc_id, text in docs.items():
        spans = sorted(gold.get(doc_id, ()))
        preds = g.find(text)
        n_gold += len(spans)
        n_pred += len(preds)
        for b, e, v in spans:
            hit = any(p.start < e and b < p.end for p in preds)
            tp_gold += hit
            if _is_named(v):
                named_gold += 1
                named_tp += hit
                if not hit:
                    misses[v] += 1
        for p in preds:
            if any(p.start < e and b < p.end for b, e, _ in spans):
                tp_pred += 1
            else:
                false[p.mention] += 1
    return {
        "docs": len(docs), "gold_spans": n_gold, "predicted": n_pred,
        "recall": tp_gold / max(1, n_gold), "precision": tp_pred / max(1, n_pred),
        "named_gold": named_gold, "named_recall": named_tp / max(1, named_gold),
        "misses": misses.most_common(), "false_positives": false.most_common(),
    }


def eval_regions(g: Geocoder) -> dict:
    ok = 0
    items = []
    for text, a1, a2, precs in REGION_PHRASES:
        ps = [p for p in g.find(text) if p.country == "Syria" and p.kind != "country"]
        p = ps[0] if ps else None
        good = bool(p and p.admin1_pcode == a1 and p.geo_precision in precs and (a2 is None or p.admin2_pcode == a2))
        ok += good
        items.append({"text": text, "ok": good,
                      "got": (p.mention, p.admin1_pcode, p.admin2_pcode, p.geo_precision) if p else None,
                      "want": (a1, a2, precs)})
    return {"n": len(REGION_PHRASES), "accuracy": ok / len(REGION_PHRASES), "items": items}


def eval_speed(shared_dir: Path) -> dict:
    t0 = time.perf_counter()
    g = Geocoder()
    load = time.perf_counter() - t0
    out = {"load_s": load}
    path = shared_dir / "data" / "corpora" / "guardian_syria_sample.csv"
    if path.exists():
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8") as f:
            texts = [r["text"] for r in csv.DictReader(f)]
        for t in texts[:10]:
            g.find(t)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for t in texts:
                g.find(t)
            best = min(best, time.perf_counter() - t0)
        out.update({"docs": len(texts), "mean_chars": sum(map(len, texts)) / len(texts),
                    "ms_per_doc": 1000 * best / len(texts)})
    return out


def run(shared_dir: Path) -> dict:
    shared_dir = Path(shared_dir)
    g = Geocoder.default()
    figures: dict = {"regions": eval_regions(g)}
    if not shared_dir.is_dir():
        figures["skipped"] = f"{shared_dir} not found: only the built-in region phrases were scored"
        return figures
    ucdp = shared_dir / "data" / "ucdp_aec_syria" / "dev.jsonl"
    if ucdp.exists():
        figures["ucdp"] = eval_ucdp(g, ucdp)
    re3d = shared_dir / "data" / "re3d"
    if re3d.is_dir():
        figures["re3d"] = eval_re3d(g, re3d)
    figures["speed"] = eval_speed(shared_dir)
    return figures


def report(figures: dict) -> str:
    lines = ["Geocoder evaluation"]
    if "skipped" in figures:
        lines.append(f"  skipped: {figures['skipped']}")
    u = figures.get("ucdp")
    if u:
        lines += [
            f"UCDP-AEC dev ({u['scored']} events, {u['with_district']} with a district; "
            f"{u['unmapped_gold']} gold names unmapped)",
            f"  location name alone:    found {u['name_found']:.2f}, governorate {u['alone_admin1_acc']:.2f}, "
            f"district {u['alone_admin2_acc']:.2f}",
            f"  with the article:       governorate {u['context_admin1_acc']:.2f}, district {u['context_admin2_acc']:.2f}",
            "  misses (gold a1/a2 -> alone | in context):",
        ]
        for it in u["items"]:
            al = it["alone"]
            cx = it["context"]
            if not al or al[0] != it["gold"][0] or al[1] != it["gold"][1] or cx[0] != it["gold"][0] \
                    or (it["gold"][1] and cx[1] != it["gold"][1]):
                lines.append(f"    {it['where'][:45]:<46}{it['gold'][0]}/{it['gold'][1]} -> "
                             f"{(al[0] + '/' + str(al[1]) + ' ' + al[2]) if al else 'not found'} | "
                             f"{cx[0]}/{cx[1]} ({cx[2]})")
    r = figures.get("re3d")
    if r:
        lines += [
            f"re3d Location spans in {r['docs']} documents naming Syria: {r['gold_spans']} gold, "
            f"{r['predicted']} found; recall {r['recall']:.2f} (of the {r['named_gold']} proper names: "
            f"{r['named_recall']:.2f}), precision {r['precision']:.2f}",
            "  missed proper names: " + ", ".join(f"{v} ({n})" if n > 1 else v for v, n in r["misses"]),
            "  found, not gold: " + ", ".join(f"{v} ({n})" if n > 1 else v for v, n in r["false_positives"]),
        ]
    reg = figures["regions"]
    lines.append(f"Region phrases ({reg['n']}, written for this test): {reg['accuracy']:.2f} resolved to the region "
                 "with precision 2/3")
    for it in reg["items"]:
        if not it["ok"]:
            lines.append(f"    {it['text']} -> {it['got']} (want {it['want']})")
    s = figures.get("speed")
    if s:
        lines.append(f"Speed: gazetteer load {s['load_s']:.3f} s" + (
            f"; find() {s['ms_per_doc']:.2f} ms per document ({s['docs']} Guardian articles, "
            f"{s['mean_chars']:.0f} chars each)" if "ms_per_doc" in s else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared"))))
