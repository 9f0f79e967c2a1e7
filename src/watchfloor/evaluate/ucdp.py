"""Main event of a real Syria article against UCDP GED coding (UCDP-AEC Syria dev set).

For each article the extractor's first event is compared with the one event UCDP
coded from it: governorate and district (by P-code), actor dyad (mapped to UCDP's
side names), date and deaths (UCDP's best estimate, and within its low-high range).
Gold admin names are turned into P-codes with the same gazetteer, by name only.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

# Our canonical actor names -> UCDP GED side names (by pattern, first match wins).
UCDP_SIDES: list[tuple[str, str]] = [
    (r"Islamic State|ISIS", "IS"),
    (r"^SDF|Syrian Democratic Forces|YPG|Asayish|Military Council", "SDF"),
    (r"SNA|Syrian National Army|Turkish-backed", "SNA"),
    (r"Military Forces of Turkey", "SNA"),
    (r"Civilians", "Civilians"),
    (r"\(2000-2024\)|Assad|National Defen[cs]e Forces|Government of Syria \(2000", "Government of Syria"),
    (r"Military Forces of Russia|Hezbollah|Iran", "Government of Syria"),
    (r"Military Forces of Syria|Police Forces of Syria|Government of Syria", "Government of Syria"),
    (r"HTS|Hayat Tahrir|Syrian rebels|Free Syrian Army|opposition|insurgents|Unidentified Armed Group|Jihadist", "Syrian insurgents"),
]


def ucdp_side(actor: str | None) -> str | None:
    if not actor:
        return None
    for pattern, side in UCDP_SIDES:
        if re.search(pattern, actor):
            return side
    return actor


_ADMIN_WORDS = re.compile(r"\b(governorate|district|mintaqat|markaz|province)\b", re.I)


def gold_pcode(geocoder, name: str, level: int) -> str | None:
    """P-code of a UCDP admin name ("Deir ez Zor governorate", "Markaz Daraa district")."""
    if not name:
        return None
    bare = _ADMIN_WORDS.sub(" ", name).strip()
    suffix = " governorate" if level == 1 else " district"
    for query in (bare + suffix, bare):
        for place in geocoder.find(query):
            code = place.admin1_pcode if level == 1 else place.admin2_pcode
            if code and (level == 1 or place.kind in ("admin2", "region", "admin1") or True):
                return code
    return None


def run(shared_dir: Path) -> dict:
    path = Path(shared_dir) / "data" / "ucdp_aec_syria" / "dev.jsonl"
    if not path.exists():
        return {"skipped": f"{path} not found"}
    from ..extract import Extractor
    from ..geocode import Geocoder
    from ..models import Document

    extractor = Extractor()
    geocoder = Geocoder.default()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = []
    for r in rows:
        pub = date.fromisoformat(r["source_date"][:10])
        doc = Document(text=r["source_article"], id=str(r["id"]), date=pub)
        events = extractor.extract(doc)
        main = events[0] if events else None
        g1 = gold_pcode(geocoder, r["location_adm1_name"], 1)
        g2 = gold_pcode(geocoder, r["location_adm2_name"], 2)
        best = sum(r[k] for k in ("deaths_side_a", "deaths_side_b", "deaths_civilian", "deaths_unknown"))
        gold_dyad = {r["side_a_name"], r["side_b_name"]}
        ours = {ucdp_side(main.actor1), ucdp_side(main.actor2)} if main else set()
        got_deaths = (main.fatalities or 0) if main else None
        res = {
            "id": r["id"],
            "has_event": main is not None,
            "gov_ok": bool(main and g1 and main.admin1_pcode == g1),
            "gov_gold": g1, "gov_ours": main.admin1_pcode if main else None,
            "dist_ok": bool(main and g2 and main.admin2_pcode == g2),
            "dist_gold": g2, "dist_ours": main.admin2_pcode if main else None,
            "dist_scored": bool(g2),
            "dyad_ok": ours == gold_dyad,
            "dyad_gold": sorted(gold_dyad), "dyad_ours": sorted(x or "-" for x in ours),
            "date_ok": bool(main and main.event_date and r["start_date"] <= main.event_date <= r["end_date"]),
            "date_gold": r["start_date"], "date_ours": main.event_date if main else None,
            "deaths_ok": got_deaths == best,
            "deaths_in_range": got_deaths is not None and r["deaths_low"] <= got_deaths <= r["deaths_high"],
            "deaths_gold": best, "deaths_ours": got_deaths,
            "type": main.sub_event_type if main else None,
        }
        results.append(res)
    n = len(results)
    dist_n = sum(r["dist_scored"] for r in results)

    def share(key: str, denom: int | None = None) -> float:
        d = denom if denom is not None else n
        return round(sum(r[key] for r in results) / d, 3) if d else 0.0

    return {
        "articles": n,
        "with_event": share("has_event"),
        "governorate": share("gov_ok"),
        "district": share("dist_ok", dist_n),
        "district_scored": dist_n,
        "dyad": share("dyad_ok"),
        "date": share("date_ok"),
        "deaths_exact": share("deaths_ok"),
        "deaths_in_range": share("deaths_in_range"),
        "gold_unmapped": sum(1 for r in results if not r["gov_gold"]),
        "rows": results,
    }


def report(f: dict) -> str:
    if "skipped" in f:
        return f"skipped: {f['skipped']}"
    lines = [
        f"UCDP-AEC Syria dev: {f['articles']} articles, main event = first event extracted",
        f"  article has an event   {f['with_event']:.3f}",
        f"  governorate            {f['governorate']:.3f}   (target >= 0.95)",
        f"  district               {f['district']:.3f}   (target >= 0.85; {f['district_scored']} with a gold district)",
        f"  actor dyad             {f['dyad']:.3f}   (target >= 0.85)",
        f"  date                   {f['date']:.3f}   (target >= 0.90)",
        f"  deaths exact (best)    {f['deaths_exact']:.3f}   (target >= 0.75)",
        f"  deaths in low-high     {f['deaths_in_range']:.3f}",
        "  misses:",
    ]
    for r in f["rows"]:
        wrong = [k for k in ("gov", "dist", "dyad", "date", "deaths") if not r[f"{k}_ok"]
                 and (k != "dist" or r["dist_scored"])]
        if wrong:
            detail = "; ".join(f"{k} {r[k + '_ours']} vs {r[k + '_gold']}" for k in wrong)
            lines.append(f"    {r['id']} [{r['type']}]: {detail}")
    return "\n".join(lines)
