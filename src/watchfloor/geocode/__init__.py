"""Syria geocoder: place mentions in a report -> OCHA admin units, with honest precision.

No server, no model: a gazetteer shipped with the package (OCHA Syria COD-AB v02
admin units and admin capitals, GeoNames towns, OCHA neighbourhoods) plus the
team's alias table (`data/geo/aliases.yaml`), matched over word n-grams with a
transliteration-tolerant key, then resolved in document context.

    >>> from watchfloor.geocode import geocode
    >>> [(p.mention, p.admin1_pcode, p.geo_precision) for p in geocode("clashes in rural Homs")]
    [('rural Homs', 'SY04', 3)]

Precision follows ACLED: 1 the named town, 2 near it or its district, 3 only a region.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

from watchfloor.lazy import shared
from watchfloor.models import Place

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
GAZETTEER_PATH = GEO_DIR / "gazetteer.json.gz"
ALIASES_PATH = GEO_DIR / "aliases.yaml"
ADMIN1_GEOJSON = GEO_DIR / "admin1.geojson"
ADMIN2_GEOJSON = GEO_DIR / "admin2.geojson"
ADMIN3_GEOJSON = GEO_DIR / "admin3.geojson"

__all__ = [
    "Geocoder", "geocode", "explain", "format_explanation",
    "ADMIN1_GEOJSON", "ADMIN2_GEOJSON", "ADMIN3_GEOJSON", "GAZETTEER_PATH", "ALIASES_PATH",
]

_DIRECTION = re.compile(
    r"\b(north[- ]?east|north[- ]?west|south[- ]?east|south[- ]?west|north|south|east|west)(?:ern)?\b(?!\s+(?:bank|side)\b)",
    re.I,
)

# --------------------------------------------------------------------------- keys

ARTICLES = frozenset({"al", "el", "ar", "as", "ash", "ad", "adh", "an", "az", "at", "ath", "ez", "es", "er", "ed", "en", "ul"})
_AR_DIACRITICS = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_AR_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_QUOTES = re.compile(r"['‘’ʿʾ`´]")
_IS_AR = re.compile(r"[\u0600-\u06FF]")
# a word: letters (Latin with diacritics, Arabic), apostrophes inside ("Dar'a", "A'zaz")
TOKEN = re.compile(r"[^\W\d_](?:[^\W_]|['‘’ʿʾ`](?=[^\W\d_]))*")
# a word for the scanner: apostrophes split it ("Dar'a" -> Dar, a), keys join again
WORD = re.compile(r"[^\W\d_]+")
_GAPS = frozenset([" ", "-", "‐", "–", " - ", "'", "’", "‘", "ʿ", "`", "-'", " '", "- ", " -", ". ", "."])
# first words of compound Arabic place names ("Umm X", "Tal X", "Kafr X")
GENERIC_HEADS = frozenset(
    "umm um tal tall tell tel kafr kfar deir dayr ain ayn ein abu bir ras khirbat khirbet kherbet jabal jebel beit "
    "bayt qasr wadi mazraat mazraa sheikh shaykh hayy hay harat souq suq jisr bab nahr ard arab marj qalaat "
    "qalat zor bani banu".split())
_APOS = frozenset(["'", "’", "‘", "ʿ", "`"])
# a word after a place name that makes the whole the name of a thing, not of the place
_NAMES_A_THING = re.compile(r"[ \t]+(?:Times|Post(?![ \t]+Office)|Journal|Herald|Tribune|Gazette|[Cc]onventions?|"
                            r"[Pp]rotocols?|[Aa]ccords?|Declaration|Communiqu[eé]|Airways|Airlines)\b")
# ".E" after the single letter a name ends on: the letters are an abbreviation ("U.A.E.")
_ABBREVIATION_GOES_ON = re.compile(r"\.[A-Za-z]\b")
# what may stand between two words of one name
_JOIN = re.compile(r"[ \t\-–‐]{1,2}|[ \t]*-[ \t]*|\.[ \t]?")


def _fold(s: str) -> str:
    if s.isascii():
        return s.lower()
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def token_key(tok: str) -> str:
    """Lowercase, unaccented form of one word (an Arabic word: letters normalised)."""
    if _IS_AR.search(tok):
        return _AR_DIACRITICS.sub("", tok).translate(_AR_MAP)
    t = _QUOTES.sub("", _fold(tok))
    t = re.sub(r"[^a-z0-9]", "", t)
    if len(t) > 3 and t.endswith("eh"):  # Hasakeh, Hasaka
        t = t[:-2] + "a"
    elif len(t) > 3 and t.endswith("ah"):  # Raqqah, Raqqa
        t = t[:-1]
    return t


_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def squash(k: str) -> str:
    """Spelling variants reporters use interchangeably, folded: ou/u, ee/i, q/k, doubled letters."""
    if not k.isascii():
        return k
    k = k.replace("ou", "u").replace("oo", "u").replace("ee", "i").replace("q", "k")
    k = k.replace("dh", "z").replace("kh", "h").replace("w", "u")
    return _DOUBLE.sub(r"\1", k)


def name_key(name: str) -> tuple[str, int]:
    """Key of a whole name and its number of words (articles dropped when others remain)."""
    toks = WORD.findall(name)
    keys = [token_key(t) for t in toks]
    keys = [k for k in keys if k]
    core = [k for k in keys if k not in ARTICLES]
    if core:
        keys = core
    return squash("".join(keys)), len(toks)


def _ar_variants(word: str) -> list[str]:
    """Arabic word with its clitics peeled: و ب ل ف prefixes, then ال."""
    out = [word]
    w = word
    if len(w) > 3 and w[0] in "وبلف":
        w = w[1:]
        out.append(w)
    if w.startswith("ال") and len(w) > 4:
        out.append(w[2:])
    elif w.startswith("لل") and len(w) > 4:
        out.append(w[2:])
    return out


# --------------------------------------------------------------------------- entries

@dataclass
class Entry:
    """One thing a name can refer to."""

    id: int
    name: str
    kind: str  # town, neighbourhood, admin1, admin2, admin3, region, country
    country: str = "Syria"
    lat: float | None = None
    lon: float | None = None
    a1: str | None = None
    a2: str | None = None
    a3: str | None = None
    prior: float = 0.0
    capital_of: str | None = None  # admin1 P-code when the town is a governorate seat
    precision: int = 1
    well_known: bool = False  # in the alias table: matches without its city named
    spans: list[str] = field(default_factory=list)  # a region's governorates, when it crosses several
    names: set[str] = field(default_factory=set)


QUALIFIER_WORDS = {
    # word(s) before "of X" or after "X": kind of qualifier
    "countryside": "region", "countrysides": "region", "rural": "region", "desert": "region",
    "badia": "region", "hinterland": "region", "province": "province", "provinces": "province",
    "governorate": "province", "governorates": "province", "region": "region", "regions": "region",
    "outskirts": "near", "suburbs": "near", "suburb": "near", "vicinity": "near", "environs": "near",
    "edge": "near", "periphery": "near", "area": "near", "areas": "near", "surroundings": "near",
    "district": "district", "districts": "district", "city": "city", "town": "city", "village": "city",
    "centre": "city", "center": "city", "camp": "city", "neighbourhood": "city", "neighborhood": "city",
}
_DIR = r"(?:north|south|east|west|north[- ]?east|north[- ]?west|south[- ]?east|south[- ]?west)"
_DIRADJ = r"(?:(?:north|south)(?:[- ]?(?:east|west))?ern|eastern|western|(?:north|south)[- ]?(?:east|west))"
_TRIGGERS = frozenset(
    "rural countryside countrysides desert badia outskirts suburbs vicinity environs edge periphery province "
    "provinces governorate governorates region district city town village hinterland area areas parts "
    "surroundings near nearby outside around close east west north south km kilometres miles northern southern eastern western north-eastern "
    "north-western south-eastern south-western northeastern northwestern southeastern southwestern "
    "north-east north-west south-east south-west northeast northwest southeast southwest".split())
# "... <qualifier> (of) (the) " immediately before a name
_PRE = re.compile(
    r"(?:\b(?P<diradj>" + _DIRADJ + r")\s+(?:and\s+" + _DIRADJ + r"\s+)?)?"
    r"(?:\b(?P<q>rural|countryside|countrysides|desert|badia|outskirts|suburbs|vicinity|environs|edge|periphery|"
    r"province|provinces|governorate|governorates|region|district|city|town|village|hinterland|areas?|parts|"
    r"surroundings)\s+(?:of\s+)?(?:the\s+)?"
    r"|\b(?P<rel>(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?" + _DIR + r"\s+of|near|nearby|outside|around|close\s+to|"
    r"near\s+to|on\s+the\s+outskirts\s+of|in\s+the\s+vicinity\s+of|(?:just\s+)?outside\s+of)\s+(?:the\s+)?)?$",
    re.I,
)
_POST = re.compile(
    r"^(?:['’]s)?\s+(?P<q>countryside|countrysides|province|provinces|governorate|governorates|desert|badia|"
    r"region|outskirts|suburbs|district|districts|city|town|village|area|camp|neighbou?rhood)\b",
    re.I,
)
# a place name inside an organisation's name: "Hayat Tahrir al-Sham", "Islamic State of Iraq and ..."
_ORG_PRE = re.compile(
    r"(?:\b(?:Islamic\s+)?State\s+(?:of|in)\s+(?:the\s+)?(?:Iraq\s+and\s+(?:the\s+)?)?"
    r"|\b(?:Tahrir|Ahrar|Fateh|Fatah|Jabhat|Jaish|Jaysh|Liwa|Jund|Ansar|Harakat|Faylaq|Hurras|Ahl|Suqour|Saraya)\s+)$")
_ORG_WORDS = frozenset("State Tahrir Ahrar Fateh Fatah Jabhat Jaish Jaysh Liwa Jund Ansar Harakat Faylaq Hurras Ahl "
                       "Suqour Saraya".split())
_LIST_SEP = re.compile(r"^(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)(?:the\s+)?$", re.I)


class Geocoder:
    """Finds and resolves the places a text names. Thread-safe once built."""

    def __init__(self, gazetteer_path: Path = GAZETTEER_PATH, aliases_path: Path | None = ALIASES_PATH):
        self.entries: list[Entry] = []
        self.index: dict[str, list[int]] = {}
        self.case_exact: dict[str, set[str]] = {}  # key -> spellings that must match exactly (US, UK)
        self.lower_ok: set[str] = set()  # keys of names with lowercase words ("Euphrates valley")
        self.units: dict[str, dict] = {}
        self._tree = None
        self._load(gazetteer_path, aliases_path)

    @classmethod
    def default(cls) -> "Geocoder":
        """The shipped gazetteer, loaded once per process."""
        return _default_geocoder()

    # ------------------------------------------------------------------ loading

    def _add(self, e: Entry) -> Entry:
        e.id = len(self.entries)
        self.entries.append(e)
        return e

    def _name(self, e: Entry, name: str) -> None:
        name = name.strip()
        if not name:
            return
        key, n = name_key(name)
        if not key or key in self.drop or (e.kind == "neighbourhood" and key in self.ignore):
            return
        if n == 1 and len(key) < 3 and not (name.isupper() and name.isascii()):
            return
        e.names.add(name)
        lst = self.index.setdefault(key, [])
        if e.id not in lst:
            lst.append(e.id)
        if any(t[:1].islower() and token_key(t) not in ARTICLES for t in TOKEN.findall(name)[1:]):
            self.lower_ok.add(key)
        if name.isupper() and len(name.replace(".", "")) <= 3 and name.isascii():
            self.case_exact.setdefault(key, set()).add(name)
        if _IS_AR.search(name):
            # also index the Arabic name without its glued article
            toks = name.split()
            if toks and toks[0].startswith("ال") and len(toks[0]) > 4:
                k2, _ = name_key(" ".join([toks[0][2:], *toks[1:]]))
                if k2 and e.id not in self.index.setdefault(k2, []):
                    self.index[k2].append(e.id)

    def _load(self, gazetteer_path: Path, aliases_path: Path | None) -> None:
        with gzip.open(gazetteer_path, "rt", encoding="utf-8") as f:
            gaz = json.load(f)
        aliases: dict[str, Any] = {}
        if aliases_path and Path(aliases_path).exists():
            import yaml

            with open(aliases_path, encoding="utf-8") as f:
                aliases = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        self.ignore = {name_key(w)[0] for w in aliases.get("ignore", [])} - {""}
        self.drop = {name_key(w)[0] for w in aliases.get("drop", [])} - {""}
        self.units = units = gaz["units"]
        self.points = gaz.get("points", {})

        def admin_of(a3: str) -> tuple[str, str, str]:
            return a3[:4], units[a3]["parent"], a3

        unit_entry: dict[str, Entry] = {}
        for pc, u in units.items():
            lvl = u["level"]
            e = self._add(Entry(0, u["name"], f"admin{lvl}", lat=u["lat"], lon=u["lon"],
                                a1=pc[:4], a2=pc[:6] if lvl >= 2 else None, a3=pc if lvl == 3 else None,
                                prior={1: 2.5, 2: 1.2, 3: 0.8}[lvl], precision={1: 3, 2: 2, 3: 2}[lvl]))
            unit_entry[pc] = e
            for n in [u["name"], u["name_ar"], *u.get("alt", [])]:
                self._name(e, n)

        towns_by_a1: dict[str, list[Entry]] = {}
        for p in gaz["places"]:
            a1, a2, a3 = admin_of(p["a3"])
            if p["kind"] == "neighbourhood":
                prior = 0.2
            else:
                prior = {1: 3.0, 2: 2.0, 3: 1.5}.get(p["rank"], 0.6) + math.log10(p.get("pop", 0) + 1) / 4
            e = self._add(Entry(0, p["name"], p["kind"], lat=p["lat"], lon=p["lon"], a1=a1, a2=a2, a3=a3,
                                prior=prior, capital_of=a1 if p["rank"] == 1 else None))
            for n in [p["name"], p.get("name_ar", ""), *p.get("alt", []), *p.get("alt_ar", [])]:
                self._name(e, n)
            if p["kind"] == "town":
                towns_by_a1.setdefault(a1, []).append(e)

        # ---- alias table
        for pc, spec in (aliases.get("governorates") or {}).items():
            unit = unit_entry.get(pc)
            if unit is None:
                continue
            cap = next((t for t in towns_by_a1.get(pc, []) if t.capital_of == pc), None)
            for n in spec.get("names", []):
                self._name(unit, n)
                if spec.get("city") and cap is not None:
                    self._name(cap, n)
        for pc, names in (aliases.get("districts") or {}).items():
            if pc in unit_entry:
                for n in names:
                    self._name(unit_entry[pc], n)
        for section, kind in (("towns", "town"), ("neighbourhoods", "neighbourhood")):
            for spec in aliases.get(section) or []:
                self._alias_place(spec, kind)
        for spec in aliases.get("regions") or []:
            a1 = spec.get("admin1")
            e = self._add(Entry(0, spec["name"], "region", lat=spec.get("lat"), lon=spec.get("lon"), a1=a1,
                                a2=spec.get("admin2"), prior=2.0, precision=int(spec.get("precision", 3)),
                                well_known=True))
            if spec.get("lat") is not None and spec.get("precision", 3) < 3:
                loc = self._locate_cached(spec["lat"], spec["lon"])
                if loc.get("admin1_pcode") and (a1 is None or loc["admin1_pcode"] == a1):
                    e.a1, e.a2 = loc["admin1_pcode"], loc["admin2_pcode"]
            e.spans = list(spec.get("spans", []))
            for n in spec.get("names", []):
                self._name(e, n)
        syria = self._add(Entry(0, "Syria", "country", lat=34.8, lon=38.9, prior=3.0, precision=3, well_known=True))
        for n in (aliases.get("syria") or {}).get("names", ["Syria"]):
            self._name(syria, n)
        self.syria = syria

        seen_abroad: set[str] = set()
        for spec in aliases.get("abroad") or []:
            e = self._add(Entry(0, spec["name"], spec.get("kind", "town"), country=spec["country"],
                                lat=spec.get("lat"), lon=spec.get("lon"), prior=2.5,
                                precision=3 if spec.get("kind", "town") in ("country", "region") else 1,
                                well_known=True))
            for n in spec.get("names", [spec["name"]]):
                self._name(e, n)
                seen_abroad.add(name_key(n)[0])
        for p in gaz.get("abroad", []):
            k = name_key(p["name"])[0]
            if k in seen_abroad or k in self.index:
                continue
            kind = p["kind"]
            e = self._add(Entry(0, p["name"], kind, country=p["country"], lat=p.get("lat"), lon=p.get("lon"),
                                prior=1.0, precision=3 if kind == "country" else 1, well_known=True))
            self._name(e, p["name"])

        self.max_words = 7
        self.first_keys = set()  # keys of a name's first word, for a quick skip
        self.prefixes = set()  # keys of a name's first words, while more words follow
        for e in self.entries:
            for n in e.names:
                toks = [token_key(t) for t in WORD.findall(n)]
                toks = [t for t in toks if t and t not in ARTICLES] or toks
                if not toks:
                    continue
                firsts = _ar_variants(toks[0]) if _IS_AR.search(n) else [toks[0]]
                for f in firsts:
                    self.first_keys.add(squash(f))
                    for m in range(1, len(toks)):
                        self.prefixes.add(squash(f + "".join(toks[1:m])))

    def _alias_place(self, spec: dict, kind: str) -> None:
        names = spec.get("names", [])
        a1 = spec.get("admin1")
        a2 = spec.get("admin2")  # the district the team says it is in (checked against lat/lon at build)
        keys = {name_key(n)[0] for n in names}
        best: Entry | None = None
        for k in keys:
            for i in self.index.get(k, []):
                e = self.entries[i]
                if e.kind not in ("town", "neighbourhood") or e.country != "Syria" or (a1 and e.a1 != a1) \
                        or (a2 and e.a2 != a2):
                    continue
                if best is None or (e.kind == kind, e.prior) > (best.kind == kind, best.prior):
                    best = e
        if best is None:
            if spec.get("lat") is not None:
                loc = self._locate_cached(spec["lat"], spec["lon"])
                best = self._add(Entry(0, names[0], kind, lat=spec["lat"], lon=spec["lon"],
                                       a1=loc.get("admin1_pcode") or a1, a2=loc.get("admin2_pcode") or a2,
                                       a3=loc.get("admin3_pcode"), prior=1.5 if kind == "town" else 0.8))
            elif a2 in self.units:
                # no coordinates: the place is known to its district only (precision 2, the district's centre)
                u = self.units[a2]
                best = self._add(Entry(0, names[0], kind, lat=u["lat"], lon=u["lon"], a1=a2[:4], a2=a2,
                                       prior=1.5 if kind == "town" else 0.8, precision=2))
            else:
                return
        best.well_known = True
        best.prior = max(best.prior, 1.2)
        for n in names:
            self._name(best, n)

    # ------------------------------------------------------------------ point in polygon

    def _polygons(self):
        if self._tree is None:
            from shapely import STRtree
            from shapely.geometry import shape

            with open(ADMIN3_GEOJSON, encoding="utf-8") as f:
                feats = json.load(f)["features"]
            geoms = [shape(ft["geometry"]) for ft in feats]
            self._tree = (STRtree(geoms), geoms, [ft["properties"]["pcode"] for ft in feats])
        return self._tree

    # compass words -> bearing in degrees
    BEARINGS = {"north": 0, "northeast": 45, "east": 90, "southeast": 135, "south": 180, "southwest": 225,
                "west": 270, "northwest": 315}

    def district_toward(self, a1: str, bearing: float, share: float = 0.6, radius: float = 4.0) -> str | None:
        """The district of governorate `a1` that lies in a direction from its capital: the
        "western countryside of Daraa" -> Dar'a district. The quarter of the governorate within
        45 degrees of `bearing`, seen from the capital (Damascus for Rural Damascus), is
        measured by area; the district holding at least `share` of it, else None (too
        ambiguous to say)."""
        key = (a1, round(bearing) % 360, share, radius)
        cache = self.__dict__.setdefault("_toward", {})
        if key in cache:
            return cache[key]
        cache[key] = None
        seat = "SY01" if a1 == "SY03" else a1
        cap = next((e for e in self.entries if e.capital_of == seat and e.lat is not None), None)
        if cap is None or a1 == "SY01":
            return None
        from shapely.geometry import Polygon

        tree, geoms, codes = self._polygons()
        k = math.cos(math.radians(cap.lat))
        arc = [cap.lon, cap.lat]
        pts = [(cap.lon, cap.lat)]
        for d in range(-45, 46, 5):
            b = math.radians(bearing + d)
            pts.append((cap.lon + radius * math.sin(b) / k, cap.lat + radius * math.cos(b)))
        del arc
        wedge = Polygon(pts)
        areas: Counter[str] = Counter()
        for i in tree.query(wedge):
            code = codes[int(i)]
            if code[:4] != a1:
                continue
            areas[code[:6]] += geoms[int(i)].intersection(wedge).area
        total = sum(areas.values())
        if total > 0:
            best, area = areas.most_common(1)[0]
            if area / total >= share:
                cache[key] = best
        return cache[key]

    def _locate_cached(self, lat: float, lon: float) -> dict:
        """locate() for alias-table coordinates, from the build's cache when it has them."""
        key = f"{float(lat):.4f},{float(lon):.4f}"
        if key in self.points:
            a3 = self.points[key]
            return self._admin_dict(a3[:4], a3[:6], a3) if a3 else {"country": None}
        return self.locate(lat, lon)

    def locate(self, lat: float, lon: float) -> dict:
        """Admin units of a point: {'country', 'admin1', 'admin1_pcode', ... 'admin3_pcode'}.

        Points outside Syria (beyond ~3 km of the boundary) give {'country': None}.
        """
        from shapely.geometry import Point

        tree, geoms, codes = self._polygons()
        p = Point(lon, lat)
        hits = tree.query(p, predicate="intersects")
        if len(hits):
            a3 = codes[int(hits[0])]
        else:
            i = tree.nearest(p)
            if i is None or geoms[int(i)].distance(p) > 0.03:
                return {"country": None}
            a3 = codes[int(i)]
        return self._admin_dict(a3[:4], a3[:6], a3)

    def _admin_dict(self, a1: str | None, a2: str | None, a3: str | None) -> dict:
        u = self.units
        return {
            "country": "Syria",
            "admin1": u[a1]["name"] if a1 in u else None, "admin1_pcode": a1,
            "admin2": u[a2]["name"] if a2 in u else None, "admin2_pcode": a2,
            "admin3": u[a3]["name"] if a3 in u else None, "admin3_pcode": a3,
        }

    # ------------------------------------------------------------------ matching

    def _matches(self, text: str) -> list[tuple[int, int, list[int]]]:
        """(start, end, entry ids) of every name in text, longest match first, no overlaps."""
        toks = [m.span() for m in WORD.finditer(text)]
        n = len(toks)
        out = []
        index, first_keys, ignore, gaps = self.index, self.first_keys, self.ignore, _GAPS
        keycache: dict[int, str] = {}

        def key(t: int) -> str:
            k = keycache.get(t)
            if k is None:
                a, b = toks[t]
                k = keycache[t] = token_key(text[a:b])
            return k

        i = 0
        while i < n:
            s, e = toks[i]
            c0 = text[s]
            arabic = "\u0600" <= c0 <= "\u06ff"
            j0 = i
            if not arabic:
                upper = c0.isupper()
                if e - s <= 3 and i + 1 < n and text[toks[i + 1][0]].isupper() and key(i) in ARTICLES and (
                        text[e:toks[i + 1][0]] in ("-", "‐") or text[e:toks[i + 1][0]] == " " and key(i) in ("al", "el")):
                    j0 = i + 1  # an article opens the name: "al-Bab", "As-Suwayda"
                elif not upper:
                    i += 1
                    continue
            if s > 1 and text[s - 1] in _APOS and text[s - 2].isalpha():
                i += 1  # inside a word: "O'Hara"
                continue
            k0 = key(j0)
            starts = _ar_variants(k0) if arabic else (k0,)
            if not any(squash(k) in first_keys for k in starts):
                i += 1
                continue
            found = None
            prefixes = self.prefixes
            for k_start in starts:
                cur = k_start
                cands = [] if cur in ARTICLES else [(j0, squash(cur))]
                j = j0
                while squash(cur) in prefixes and j + 1 < n and j + 1 - j0 < self.max_words \
                        and text[toks[j][1]:toks[j + 1][0]] in gaps:
                    if toks[j + 1][1] - toks[j + 1][0] == 1 and text[toks[j + 1][0]] in "sS" \
                            and text[toks[j][1]:toks[j + 1][0]] in _APOS:
                        break  # possessive: "Damascus's"
                    j += 1
                    kj = key(j)
                    if kj in ARTICLES:
                        continue
                    cur += kj
                    cands.append((j, squash(cur)))
                for j, k in reversed(cands):
                    ids = index.get(k)
                    if not ids:
                        continue
                    if j == j0 and j0 == i and k in ignore:
                        continue  # a common word alone; "al-Bab" passes, "Bab" does not
                    exact = self.case_exact.get(k)
                    if exact and text[toks[i][0]:toks[j][1]] not in exact:
                        continue
                    # capitalised name words in English text (articles, "ez", "of" aside)
                    if not arabic and j > j0 and k not in self.lower_ok and any(
                            text[toks[t][0]].islower() and key(t) not in ARTICLES
                            and text[toks[t - 1][1]:toks[t][0]] not in _APOS for t in range(j0 + 1, j + 1)):
                        continue
                    if j + 1 < n and toks[j + 1][0] - toks[j][1] == 1 and text[toks[j][1]] in _APOS \
                            and toks[j + 1][1] - toks[j + 1][0] > 1:
                        continue  # the word goes on: "Da'esh" is not "Da"
                    found = (j, ids)
                    break
                if found:
                    break
            if found and i > 0 and toks[i - 1][1] + 1 == s and text[toks[i - 1][1]] == " " \
                    and key(i - 1) in GENERIC_HEADS and text[toks[i - 1][0]].isupper():
                # "Umm Al Mayadin" is another place than "Al Mayadin", one we do not know
                i = found[0] + 1
                continue
            if found and toks[found[0]][1] - toks[found[0]][0] == 1 and _ABBREVIATION_GOES_ON.match(text, toks[found[0]][1]):
                i = found[0] + 1  # the abbreviation goes on: "U.A" of "U.A.E." is not a name
                continue
            if found and _NAMES_A_THING.match(text, toks[found[0]][1]):
                i = found[0] + 1  # "the Geneva Conventions", "The New York Times": not the place
                continue
            if found:
                j, ids = found
                out.append((s, toks[j][1], ids))
                i = j + 1
            else:
                i += 1
        return out

    # ------------------------------------------------------------------ resolution

    def find(self, text: str, context: str | None = None) -> list[Place]:
        """Every place the text names, in text order, resolved in document context.

        `context`, when given, is other text of the same report (e.g. the whole
        article for a short location string): its places inform the choice
        among homonyms but are not returned.
        """
        if not text:
            return []
        raw = [m for m in self._matches(text)
               if not (_ORG_WORDS.intersection(text[max(0, m[0] - 40):m[0]].split()[-5:])
                       and _ORG_PRE.search(text[max(0, m[0] - 40):m[0]]))]
        if not raw:
            return []
        ctx_counts: Counter[str] = Counter()
        if context:
            for _, _, ids in self._matches(context):
                a1s = {self.entries[i].a1 for i in ids if self.entries[i].country == "Syria" and self.entries[i].a1}
                if len(a1s) == 1:
                    ctx_counts[a1s.pop()] += 1
        # qualifiers around each mention
        quals = []
        for s, e, ids in raw:
            before = text[max(0, s - 60):s]
            pre = _PRE.search(before) if _TRIGGERS.intersection(before.lower().split()[-6:]) else None
            post = _POST.match(text[e:e + 30])
            q = None
            qs, qe = s, e
            why = ""
            if post:
                q = QUALIFIER_WORDS.get(post.group("q").lower())
                qe = e + post.end()
                why = f'"{post.group("q")}" after the name'
            if pre and pre.group(0):
                pq = None
                if pre.group("q"):
                    word = pre.group("q").lower()
                    pq = "region" if word in ("parts",) else QUALIFIER_WORDS.get(word, "near")
                    if word == "rural":
                        pq = "region"
                elif pre.group("rel"):
                    pq = "near"
                if pre.group("diradj") and pq is None:
                    pq = "region"  # "northern Aleppo", "eastern Homs"
                if pq and (q is None or q == "city" and pq != "city"):
                    q = pq
                    qs = s - len(pre.group(0)) + (len(pre.group(0)) - len(pre.group(0).lstrip()))
                    why = f'"{pre.group(0).strip()}" before the name'
                    qe = e if not post else qe
            quals.append([q, qs, qe, why, bool(pre and pre.group("q") and not post)])
        # qualifiers shared across a list: "rural Homs, Hama and Idlib", "Homs and Hama provinces"
        for k in range(1, len(raw)):
            between = text[raw[k - 1][1]:raw[k][0]]
            gov_level = any(self.entries[i].kind == "admin1" for i in raw[k][2])
            if quals[k - 1][1] < raw[k - 1][0] and quals[k][0] is None and quals[k - 1][0] in ("region", "province") \
                    and quals[k - 1][4] and gov_level and _LIST_SEP.match(between):
                quals[k][0] = quals[k - 1][0]
                quals[k][3] = "shares the qualifier of the list it belongs to"
        for k in range(len(raw) - 2, -1, -1):
            between = text[quals[k][2]:raw[k + 1][0]]
            post_word = text[raw[k + 1][1]:quals[k + 1][2]].lower()
            if quals[k][0] is None and quals[k + 1][0] in ("province", "region") and re.search(r"s\b", post_word) \
                    and _LIST_SEP.match(between):
                quals[k][0] = quals[k + 1][0]
                quals[k][3] = "shares the qualifier of the list it belongs to"

        # document context: admin1 of mentions that name one governorate only
        doc_a1: Counter[str] = Counter(ctx_counts)
        named_a1: dict[str, list[int]] = {}
        cities_named: set[str] = set()
        countries_named: set[str] = set()
        for (s, e, ids), (q, *_r) in zip(raw, quals):
            ents = [self.entries[i] for i in ids]
            syr = [x for x in ents if x.country == "Syria" and x.a1]
            a1s = {x.a1 for x in syr}
            if ents and all(x.kind == "country" for x in ents) and len({x.country for x in ents}) == 1:
                countries_named.add(ents[0].country)
            if len(a1s) == 1 and len(syr) == len(ents):
                a1 = a1s.pop()
                doc_a1[a1] += 1
                if any(x.kind == "admin1" or x.capital_of for x in syr):
                    named_a1.setdefault(a1, []).append(s)
                for x in syr:
                    if x.kind == "town" and x.a3:
                        cities_named.add(x.a3)
        total = sum(doc_a1.values()) or 1

        places: list[Place] = []
        for (s, e, ids), (q, qs, qe, why_q, _shared) in zip(raw, quals):
            try:
                p = self._resolve(text, s, e, ids, q, qs, qe, why_q, doc_a1, total, named_a1, cities_named,
                                  countries_named)
            except Exception:  # one odd mention never costs the others
                p = None
            if p is not None:
                places.append(p)
        return places

    def _score(self, x: Entry, s: int, q: str | None, doc_a1: Counter, total: int,
               named_a1: dict[str, list[int]], cities_named: set[str], countries_named: set[str]) -> tuple[float, str]:
        score = x.prior
        why = []
        if x.country == "Syria" and x.a1:
            share = doc_a1.get(x.a1, 0) / total
            if share:
                score += 2.0 * share
                why.append(f"{x.a1} is {share:.0%} of the report's unambiguous places")
            near = [abs(s - t) for t in named_a1.get(x.a1, [])]
            if near and min(near) < 400:
                score += 1.5
                why.append("its governorate is named nearby")
        if x.kind == "neighbourhood":
            if x.a3 in cities_named or any(t.startswith(x.a3[:6]) for t in cities_named):
                score += 1.5
                why.append("its city is named in the report")
            elif not x.well_known:
                score -= 5  # an unnamed city's quarter: too weak on its own
        if x.country != "Syria" and x.country in countries_named and x.kind != "country":
            score += 1.5  # "Al-Bayda, eastern Libya": the Libyan one, not the Yemeni one
            why.append(f"{x.country} is named in the report")
        if x.country == "Syria":
            score += 0.3
        return score, "; ".join(why)

    def _stray_village(self, x: Entry, doc_a1: Counter, total: int, named_a1: dict[str, list[int]]) -> bool:
        """A little-known village far from everything else the report names: in a report whose
        places lie in one governorate (three in four, two at least) that never names the
        village's own governorate, a village over 100 km from that governorate's centre is more
        likely one our gazetteer lacks in the report's area than this homonym; it is left
        unresolved (the report's other places still locate the event)."""
        if x.kind not in ("town", "admin3") or x.well_known or x.capital_of or x.country != "Syria" \
                or not x.a1 or x.lat is None or not doc_a1:
            return False
        top, n = doc_a1.most_common(1)[0]
        if top == x.a1 or n < 2 or n / total < 0.75 or x.a1 in named_a1 or doc_a1.get(x.a1, 0) > 1:
            return False
        u = self.units.get(top)
        if not u or u.get("lat") is None:
            return False
        km = 111.2 * math.hypot(x.lat - u["lat"], (x.lon - u["lon"]) * math.cos(math.radians(u["lat"])))
        return km > 100


    def _resolve(self, text, s, e, ids, q, qs, qe, why_q, doc_a1, total, named_a1, cities_named,
                 countries_named) -> Place | None:
        ents = [self.entries[i] for i in ids]
        scored = []
        for x in ents:
            sc, why = self._score(x, s, q, doc_a1, total, named_a1, cities_named, countries_named)
            # governorate vs its seat, by the words around the name
            if x.kind == "admin1" and any(y.capital_of == x.a1 for y in ents):
                if q in ("region", "province"):
                    sc += 3
                    why = (why + "; " if why else "") + "region words choose the governorate"
                else:
                    sc -= 1
            if x.kind == "admin2" and q == "district":
                sc += 3
            scored.append((sc, x, why))
        scored.sort(key=lambda t: -t[0])
        best_sc, best, best_why = scored[0]
        if best.spans:
            # a region across governorates: the one the report names nearest, if any
            near = [(min(abs(s - t) for t in named_a1[a]), a) for a in best.spans if a in named_a1]
            if near:
                a = min(near)[1]
                if a != best.a1:
                    best = replace(best, a1=a, a2=None, a3=None)
                    best_why = (best_why + "; " if best_why else "") + f"the report names {a}, which it crosses"
        if best.kind == "neighbourhood" and best_sc < 0:
            return None
        if self._stray_village(best, doc_a1, total, named_a1):
            return None
        mention = text[s:e]
        start, end = s, e
        precision = best.precision
        kind = best.kind
        lat, lon = best.lat, best.lon
        a1, a2, a3 = best.a1, best.a2, best.a3
        name = best.name
        country = best.country
        reason = []
        if len(ents) > 1:
            reason.append(f"best of {len(ents)} candidates" + (f" ({best_why})" if best_why else ""))
        if q:
            start, end = min(s, qs), max(e, qe)
            mention = text[start:end]
        if country != "Syria":
            if q in ("region", "province", "near") and kind not in ("country", "region"):
                precision = 2
            reason.append("outside Syria: no Syrian P-code")
        elif kind == "country":
            if q or re.search(r"(?:" + _DIRADJ + r")\s+$", text[max(0, s - 20):s], re.I):
                m = re.search(r"(" + _DIRADJ + r")\s+$", text[max(0, s - 20):s], re.I)
                if m:
                    start = s - len(text[max(0, s - 20):s]) + m.start()
                    mention = text[start:end]
                    kind = "region"
            reason.append("the country only")
        elif q in ("region", "province"):
            if best.kind in ("admin1",) or best.capital_of:
                target = best.a1
                if best.a1 == "SY01" and q == "region":
                    target = "SY03"  # the Damascus countryside is Rural Damascus
                u = self.units[target]
                name, kind, precision = u["name"], "admin1", 3
                lat, lon, a1, a2, a3 = u["lat"], u["lon"], target, None, None
                reason.append(f"{why_q}: the governorate, precision 3")
            elif best.kind in ("town", "admin3", "admin2", "neighbourhood") and best.a2 in self.units:
                u = self.units[best.a2]
                name, kind, precision = u["name"], "admin2", 2
                lat, lon, a2, a3 = u["lat"], u["lon"], best.a2, None
                reason.append(f"{why_q}: the area around a town, its district, precision 2")
            else:
                precision = max(precision, 2)
                reason.append(why_q)
        elif q == "district":
            if best.a2 in self.units:
                u = self.units[best.a2]
                name, kind, precision = u["name"], "admin2", 2
                lat, lon, a3 = u["lat"], u["lon"], None
                reason.append(f"{why_q}: the district, precision 2")
        elif q == "near":
            if best.kind in ("town", "neighbourhood"):
                precision = 2
                reason.append(f"{why_q}: near the town, precision 2")
            elif best.kind == "admin1":
                precision = 3
            else:
                precision = max(precision, 2)
                reason.append(why_q)
        else:
            if best.kind == "town":
                reason.append(f"a named town, precision {precision}" + (f" ({why_q})" if why_q else ""))
            elif best.kind == "neighbourhood":
                reason.append("a city quarter, precision 1")
            elif best.kind == "admin1":
                reason.append("a governorate name alone, precision 3")
            elif best.kind in ("admin2", "admin3"):
                reason.append(f"an {best.kind} unit with no town of that name, precision 2")
            else:
                reason.append(f"a named {best.kind}, precision {precision}")
        u = self.units
        cands = []
        for sc, x, why in scored[:8]:
            cands.append({
                "name": x.name, "kind": x.kind, "country": x.country,
                "admin1_pcode": x.a1, "admin2_pcode": x.a2, "admin3_pcode": x.a3,
                "score": round(sc, 2), "chosen": x is best, "why": why,
            })
        cands[0]["decision"] = "; ".join(reason)
        top = scored[0][0]
        second = scored[1][0] if len(scored) > 1 else None
        conf = 1.0 if second is None else max(0.5, min(1.0, 0.5 + (top - second) / 4))
        return Place(
            mention=mention, start=start, end=end, name=name, country=country,
            admin1=u[a1]["name"] if a1 in u else None, admin1_pcode=a1 if country == "Syria" else None,
            admin2=u[a2]["name"] if a2 in u else None, admin2_pcode=a2 if country == "Syria" else None,
            admin3=u[a3]["name"] if a3 in u else None, admin3_pcode=a3 if country == "Syria" else None,
            latitude=lat, longitude=lon, geo_precision=precision, kind=kind, score=round(conf, 3),
            candidates=cands,
        )

    def toward(self, text: str, p: Place) -> Place:
        """"the western countryside of Daraa", "south of Idlib", "east Homs desert": the district
        of the governorate lying that way, when one clearly does (precision 2); else as it was."""
        if p.country != "Syria" or not p.admin1_pcode or p.admin3_pcode and p.kind != "town":
            return p
        capital = p.kind == "town" and any(e.capital_of == p.admin1_pcode and e.name == p.name for e in self.entries
                                           if e.capital_of)
        if not (p.kind == "admin1" and p.geo_precision == 3) and not (capital and p.geo_precision == 2):
            return p
        before = text[max(0, p.start - 20):p.start]
        m = None
        for m in _DIRECTION.finditer(before + " " + text[p.start:p.end]):
            pass
        if m is None:
            return p
        if capital and (re.search(r"\d\s*(?:km|kilomet|mile)", text[max(0, p.start - 30):p.end], re.I)
                        or not re.search(r"\bof\b", text[p.start:p.end] + before[-5:])):
            return p  # "10 km west of Idlib city": near the city, as found
        bearing = self.BEARINGS.get(m.group(1).lower().replace("-", "").replace(" ", ""))
        a2 = self.district_toward(p.admin1_pcode, bearing) if bearing is not None else None
        if not a2 or a2 not in self.units:
            return p
        u = self.units[a2]
        return replace(p, name=u["name"], kind="admin2", admin2=u["name"], admin2_pcode=a2, admin3=None,
                       admin3_pcode=None, latitude=u["lat"], longitude=u["lon"], geo_precision=2, by_direction=True)

    def resolve(self, name: str, context: str | None = None) -> Place | None:
        """The best place for one location string (e.g. "Al Mayadin town"), using
        `context` (the report) to choose among homonyms, and to place a name the gazetteer
        lacks by what the report names beside it. None when unknown."""
        cleaned = re.sub(r"\s+\b(village|town|city|camp|area|road|neighbou?rhood|district|governorate|province)$",
                         "", name.strip(), flags=re.I)
        places = self.find(cleaned, context=context)
        if not places:
            return self._placed_by_context(cleaned, context) if context else None
        return max(places, key=lambda p: (p.country == "Syria", -p.geo_precision, p.end - p.start))

    def _placed_by_context(self, name: str, context: str) -> Place | None:
        """A name the gazetteer lacks, placed where the report puts it: the Syrian place named next
        to it in its sentence ("Al-Muwayleh village in Al-Jarniyah district"), at precision 2 or 3.
        The report may spell the name another way: a close match of its words is enough."""
        key, n = name_key(name)
        if len(key) < 4:
            return None
        words = list(WORD.finditer(context))
        for width in (n, n + 1):
            for i in range(len(words)):
                if i + width > len(words):
                    continue
                k, _ = name_key(context[words[i].start():words[i + width - 1].end()])
                if k != key and (len(k) < 4 or SequenceMatcher(None, k, key).ratio() < 0.85):
                    continue
                s, e = words[i].start(), words[i + width - 1].end()
                lo = _sentence_start(context, s)
                hi = min((x for x in (context.find(c, e) for c in ".!?\n") if x >= 0), default=len(context))
                around = [p for p in self.find(context[lo:hi], context=context)
                          if p.country == "Syria" and p.admin1_pcode and not (lo + p.start < e and lo + p.end > s)]
                if around:
                    after = [p for p in around if lo + p.start >= e]
                    best = self.toward(context[lo:hi], after[0] if after else around[-1])
                    precision, how = max(best.geo_precision, 2), "beside it"
                else:
                    # nothing beside it: the last place of the two sentences before, as a reader would
                    # take it ("... in the eastern countryside of Hama. ... posts in Al-Rahjan")
                    lo2 = lo
                    for _ in range(2):
                        lo2 = _sentence_start(context, max(0, lo2 - 1))
                    before = [p for p in self.find(context[lo2:lo], context=context)
                              if p.country == "Syria" and p.admin1_pcode]
                    if not before:
                        continue
                    best = self.toward(context[lo2:lo], before[-1])
                    precision, how = 3, "before it"
                return replace(best, mention=context[s:e], start=s, end=e, geo_precision=precision,
                               candidates=[{"decision": f"not in the gazetteer; placed by \"{best.mention}\" {how}"}])
        return None


def _sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding `pos` begins (after the last stop or line break before it)."""
    return max(text.rfind(c, 0, pos) for c in ".!?\n") + 1


_default_geocoder = shared(Geocoder)


def geocode(text: str) -> list[Place]:
    """Every place mention in `text`, resolved (Geocoder.default().find)."""
    return Geocoder.default().find(text)


def explain(text: str, geocoder: Geocoder | None = None) -> list[dict]:
    """What `watchfloor geocode TEXT` shows: each place, its candidates, the choice and why."""
    g = geocoder or Geocoder.default()
    out = []
    for p in g.find(text):
        out.append({
            "mention": p.mention, "start": p.start, "end": p.end,
            "choice": {"name": p.name, "kind": p.kind, "country": p.country,
                       "admin1": p.admin1, "admin1_pcode": p.admin1_pcode,
                       "admin2": p.admin2, "admin2_pcode": p.admin2_pcode,
                       "admin3": p.admin3, "admin3_pcode": p.admin3_pcode,
                       "latitude": p.latitude, "longitude": p.longitude,
                       "geo_precision": p.geo_precision, "score": p.score},
            "why": p.candidates[0].get("decision", "") if p.candidates else "",
            "candidates": p.candidates,
        })
    return out


def format_explanation(places: list[Place] | list[dict]) -> str:
    """A plain-text table of places (from find() or explain()) with candidates and reasons."""
    if not places:
        return "no places found"
    lines = []
    for p in places:
        if isinstance(p, dict):
            d = p
            c = d["choice"]
            cands = d["candidates"]
            why = d["why"]
        else:
            c = {"name": p.name, "kind": p.kind, "country": p.country, "admin1_pcode": p.admin1_pcode,
                 "admin2_pcode": p.admin2_pcode, "admin3_pcode": p.admin3_pcode, "admin1": p.admin1,
                 "admin2": p.admin2, "geo_precision": p.geo_precision, "latitude": p.latitude,
                 "longitude": p.longitude}
            d = {"mention": p.mention, "start": p.start, "end": p.end}
            cands = p.candidates
            why = cands[0].get("decision", "") if cands else ""
        where = " / ".join(x for x in (c.get("admin1"), c.get("admin2")) if x) or c["country"]
        pcode = c.get("admin3_pcode") or c.get("admin2_pcode") or c.get("admin1_pcode") or "-"
        ll = f"{c['latitude']:.4f},{c['longitude']:.4f}" if c.get("latitude") is not None else "-"
        lines.append(f'"{d["mention"]}" [{d["start"]}:{d["end"]}] -> {c["name"]} ({c["kind"]}, {c["country"]}) '
                     f"{where} {pcode} precision {c['geo_precision']} at {ll}")
        if why:
            lines.append(f"    why: {why}")
        if len(cands) > 1:
            lines.append(f"    {'':2}{'candidate':<28}{'kind':<14}{'admin1':<7}{'admin2':<8}{'admin3':<10}{'score':>6}")
            for x in cands:
                mark = "*" if x.get("chosen") else " "
                lines.append(f"    {mark} {x['name'][:27]:<28}{x['kind']:<14}{x['admin1_pcode'] or '-':<7}"
                             f"{x['admin2_pcode'] or '-':<8}{x['admin3_pcode'] or '-':<10}{x['score']:>6}")
    return "\n".join(lines)
