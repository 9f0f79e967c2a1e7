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

# Our canonical actor names -> UCDP GED side names (by pattern, case-insensitive, first match
# wins). UCDP's sides in Syria: "Government of Syria" (Assad-era state forces with the
# militias, Russia, Iran and Hezbollah fighting for it; the post-2024 government too),
# "Syrian insurgents" (every rebel faction, jihadists included, and the unidentified gunmen
# of the Daraa insurgency), "IS", "SDF" (with its components and the Coalition it fights
# alongside), "SNA" (with Turkey's forces), and "Civilians" for one-sided violence.
# Reporting sources (the Observatory, news agencies) are never a side.
UCDP_SIDES: list[tuple[str, str | None]] = [
    (r"syrian observatory|reporting sources|united nations|european union|civil defen[cs]e|white helmets", None),
    (r"islamic state|\bisis\b|\bisil\b|daesh", "IS"),
    (r"^sdf\b|syrian democratic forces|\bypg\b|\bypj\b|asayish|military council|\baanes\b|autonomous administration|"
     r"\bpkk\b", "SDF"),
    (r"^sna\b|syrian national army|turkish-backed|military forces of turkey|sultan murad|hamza division|"
     r"suleiman shah|levant front", "SNA"),
    (r"civilians|protesters", "Civilians"),
    (r"government of syria|military forces of syria|police forces of syria|national defen[cs]e forces|\bassad\b|"
     r"military forces of russia|military forces of iran|iranian-backed|hezbollah", "Government of Syria"),
    (r"\bhts\b|hayat tahrir|nusra|ahrar al|jaysh al|jaish al|faylaq|free syrian army|\bfsa\b|opposition|rebel|"
     r"insurgent|unidentified armed group|jihadist|al qaeda|hurras al", "Syrian insurgents"),
]


def ucdp_side(actor: str | None) -> str | None:
    """UCDP side of one of our actor names; None for no actor or a reporting source."""
    if not actor:
        return None
    for pattern, side in UCDP_SIDES:
        if re.search(pattern, actor, re.I):
            return side
    return actor


# UCDP GED counts civilians killed by shelling, air strikes, bombs or fighting as deaths *in
# the dyad of the armed parties* (state-based or non-state conflict); "Civilians" is a side
# only in one-sided violence, the deliberate killing of civilians.  ACLED, whose convention
# our events follow, names the civilians hit as actor2.  `ucdp_dyad` converts one to the
# other from the UCDP GED codebook's rules, not from any article's coding.
ONE_SIDED_TYPES = {"Attack", "Abduction/forced disappearance", "Sexual violence", "Excessive force against protesters"}
# Who fights whom in Syria's UCDP conflicts, most common first: the report's own actors
# pick among these when it names only one party.
ADVERSARIES: dict[str, tuple[str, ...]] = {
    "Government of Syria": ("Syrian insurgents", "IS", "SDF"),
    "Syrian insurgents": ("Government of Syria", "IS"),
    "IS": ("Government of Syria", "SDF", "Syrian insurgents"),
    "SDF": ("IS", "SNA", "Government of Syria"),
    "SNA": ("SDF", "Government of Syria"),
}


def ucdp_dyad(event, report_sides: list[str]) -> set[str]:
    """The UCDP dyad of one of our events.

    `report_sides` are the UCDP sides of every actor the report names, in text order
    (repeats count).  Civilians hit outside one-sided violence give way to the armed
    party opposite the acting one; a missing party is the adversary the report names
    most, else the acting side's usual adversary.
    """
    sides = [ucdp_side(event.actor1), ucdp_side(event.actor2)]
    armed = [x for x in sides if x and x != "Civilians"]
    if "Civilians" in sides and event.sub_event_type in ONE_SIDED_TYPES and armed:
        return {armed[0], "Civilians"}
    armed = list(dict.fromkeys(armed))
    named = [x for x in report_sides if x in ADVERSARIES]
    if not armed:  # no party named in the event: the one the report names most, then its adversary
        ranked = sorted(dict.fromkeys(named), key=lambda x: (-named.count(x), named.index(x)))
        armed = ranked[:1]
    if len(armed) == 1 and armed[0] in ADVERSARIES:
        options = ADVERSARIES[armed[0]]
        in_report = [x for x in options if x in named]
        pick = max(in_report, key=lambda x: (named.count(x), -options.index(x))) if in_report else options[0]
        armed.append(pick)
    return set(armed[:2]) or {None}


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


def run(shared_dir: Path, typing_backend: str = "linear") -> dict:
    path = Path(shared_dir) / "data" / "ucdp_aec_syria" / "dev.jsonl"
    if not path.exists():
        return {"skipped": f"{path} not found"}
    from ..extract import Extractor
    from ..extract.actors import ActorMatcher
    from ..geocode import Geocoder
    from ..models import Document

    extractor = Extractor(typing_backend=typing_backend)
    geocoder = Geocoder.default()
    actors = ActorMatcher.default()
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
        if main:
            mentions = actors.find(r["source_article"], pub)
            ours = ucdp_dyad(main, [s for s in (ucdp_side(m.name) for m in mentions) if s])
        else:
            ours = set()
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
            "confidence": main.confidence if main else 0.0,
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
        "reliability": reliability(results),
        "rows": results,
    }


FIELDS = ("gov", "dyad", "date", "deaths")
CONF_BINS = (0.0, 0.6, 0.8, 0.9, 1.01)


def reliability(results: list[dict]) -> list[dict]:
    """Main-event confidence bins against how many of its scored fields are right."""
    out = []
    for lo, hi in zip(CONF_BINS, CONF_BINS[1:]):
        rows = [r for r in results if lo <= r["confidence"] < hi]
        right = sum(r[f"{k}_ok"] for r in rows for k in FIELDS)
        out.append({"bin": f"{lo:.2f}-{min(hi, 1.0):.2f}", "n": len(rows),
                    "fields_right": round(right / (len(rows) * len(FIELDS)), 3) if rows else None})
    return out


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
        "  reliability: main-event confidence -> share of governorate, dyad, date, deaths right",
    ]
    for b in f["reliability"]:
        share = "-" if b["fields_right"] is None else f"{b['fields_right']:.3f}"
        lines.append(f"    {b['bin']}  n={b['n']:<3} {share}")
    lines.append("  misses:")
    for r in f["rows"]:
        wrong = [k for k in ("gov", "dist", "dyad", "date", "deaths") if not r[f"{k}_ok"]
                 and (k != "dist" or r["dist_scored"])]
        if wrong:
            detail = "; ".join(f"{k} {r[k + '_ours']} vs {r[k + '_gold']}" for k in wrong)
            lines.append(f"    {r['id']} [{r['type']}]: {detail}")
    return "\n".join(lines)
