"""Actor mentions: dictionary matching against the actor knowledge base, and roles.

The knowledge base is YAML (``watchfloor/data/actors.yaml`` shipped with the
package, extended or overridden by id by a workspace's ``knowledge/actors/*.yaml``).
Matching is token based: the text is split into word tokens once, each token is
normalised (case folded, possessive ``'s`` dropped, inner apostrophes removed,
dotted abbreviations collapsed, Arabic letter variants unified) and a token trie
finds the longest alias at each position.  Hyphens and spaces join tokens
equally ("al-Sham" = "al Sham"); other punctuation breaks a match.

Case: an alias token written in capitals (an acronym, "IS", "SDF") only matches
capitals, or Title case when it has 3+ letters ("Isis"); mixed-case tokens
("MoD") match exactly; other words match in any case.

Time: one alias can belong to several actors whose validity differs ("Syrian
army" before and after 8 December 2024).  ``find(text, on=date)`` keeps the
actor valid on that date; past its ``valid_to`` an actor's ``successor`` is used;
with no valid candidate the one nearest in time wins.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from watchfloor.models import ActorMention

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "actors.yaml"

# Nouns that turn a demonym or country name into a force: "Israeli warplanes",
# "Turkey's army", "Russian air strikes".
FORCE_NOUNS = [
    "army", "military", "forces", "force", "troops", "soldiers", "soldier", "warplanes", "warplane", "jets",
    "fighter jets", "aircraft", "planes", "warships", "drones", "drone", "helicopters", "helicopter", "artillery",
    "air force", "navy", "tanks", "strikes", "strike", "airstrikes", "airstrike", "air strikes", "air strike",
    "drone strike", "drone strikes", "raids", "raid", "shelling", "bombardment", "missiles", "missile",
    "special forces", "commandos", "patrol", "patrols", "convoy", "intelligence", "defence ministry",
    "defense ministry", "ministry of defence", "ministry of defense", "occupation forces", "occupation army",
    "military vehicles", "bulldozers", "units", "gunfire", "armed forces", "security forces", "border guards",
    "fire", "bombing", "bombings", "bombs", "rockets", "rocket fire", "military spokesman", "military spokesperson",
    "military personnel", "servicemen", "service members", "marines", "paratroopers", "ground forces",
]

# A bare country name is an actor ("Israel struck ...") unless it is a place
# ("in Israel", "from Turkey").
LOCATIVE = {
    "in", "into", "to", "from", "near", "towards", "toward", "across", "inside", "with", "of", "at", "through",
    "outside", "via", "within", "onto", "entered", "enter", "reach", "reached", "visit", "visited", "border",
    "for", "between", "and", "or", "like", "including", "than", "as", "about", "over", "on", "under", "by",
}

# Nationality adjectives of countries with no actor entry: before a generic force
# ("the Saudi regime", "Egyptian police") they say the force is not the one the
# generic alias would name (Syria's), so such a mention is dropped rather than
# misattributed.  Adjectives that do have an entry (its `demonyms`) resolve to it.
FOREIGN_DEMONYMS = {
    "Saudi": "Saudi Arabia", "Egyptian": "Egypt", "Emirati": "United Arab Emirates", "Qatari": "Qatar",
    "Kuwaiti": "Kuwait", "Bahraini": "Bahrain", "Omani": "Oman", "Yemeni": "Yemen", "Libyan": "Libya",
    "Sudanese": "Sudan", "Tunisian": "Tunisia", "Algerian": "Algeria", "Moroccan": "Morocco",
    "Palestinian": "Palestine", "Afghan": "Afghanistan", "Pakistani": "Pakistan", "Indian": "India",
    "Chinese": "China", "Ukrainian": "Ukraine", "German": "Germany", "Italian": "Italy", "Dutch": "Netherlands",
    "Belgian": "Belgium", "Greek": "Greece", "Cypriot": "Cyprus", "Azerbaijani": "Azerbaijan",
    "Armenian": "Armenia", "Georgian": "Georgia", "Somali": "Somalia", "Nigerian": "Nigeria", "Malian": "Mali",
    "Kenyan": "Kenya", "Ethiopian": "Ethiopia", "Spanish": "Spain", "Danish": "Denmark", "Swedish": "Sweden",
    "Norwegian": "Norway", "Belarusian": "Belarus", "Venezuelan": "Venezuela", "Burmese": "Myanmar",
    "Bangladeshi": "Bangladesh",
}

KINDS = {
    "state forces", "rebel group", "identity militia", "political group", "external state",
    "international organisation", "civilians", "other",
}

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:['’`][^\W_]+)*['’]?")
_JOIN = re.compile(r"[ \t\u00a0\-\u2010\u2011\u2012\u2013]{1,3}")
_ARABIC_DIACRITICS = re.compile(r"[\u0617-\u061a\u064b-\u0652\u0640]")
_AR_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
_END = "\x00"  # trie key holding the entries that end at a node
_SEP = "\x01"  # token separator inside prefilter surfaces
_NEXT_TOKEN = re.compile(r"[ \t\u00a0\-\u2010\u2011\u2012\u2013]{1,3}((?:[A-Za-z]\.){2,}|[^\W_]+(?:['’`][^\W_]+)*['’]?)")


def _prev_word(text: str, pos: int) -> tuple[str, int]:
    """The word before pos (lower case) and its start, skipping spaces and punctuation."""
    j = pos - 1
    lim = max(0, pos - 12)
    while j >= lim and not text[j].isalnum():
        j -= 1
    if j < lim:
        return "", -1
    k = j
    lim = max(0, j - 20)
    while k >= lim and text[k].isalnum():
        k -= 1
    return text[k + 1:j + 1].lower(), k + 1
_AR_CLASSES = {"ا": "[اأإآٱ]", "ه": "[هة]", "ي": "[يىئ]", "و": "[وؤ]", "أ": "[اأإآٱ]", "إ": "[اأإآٱ]", "آ": "[اأإآٱ]",
               "ة": "[هة]", "ى": "[يىئ]"}


def _regex_trie(words: Iterable[str]) -> str:
    """A regex alternation factored as a character trie (fast in `re`)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def unit(ch: str) -> str:
        if ch == _SEP:
            return r"(?:['’]s?)?[\s\-\u2010\u2011\u2013]{1,3}"
        if ch == "'":
            return "['’`]?"
        if ch in _AR_CLASSES:
            return _AR_CLASSES[ch]
        return re.escape(ch)

    def build(node: dict) -> str:
        end = "" in node
        alts = [unit(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return build(root)


def _is_arabic(tok: str) -> bool:
    return "\u0600" <= tok[0] <= "\u06ff"


def _norm(tok: str) -> str:
    """Normalised lookup key of one raw token."""
    if _is_arabic(tok):
        return _ARABIC_DIACRITICS.sub("", tok).translate(_AR_MAP)
    t = tok.lower()
    if "." in t:
        return t.replace(".", "")
    if "'" in t or "’" in t or "`" in t:
        t = t.replace("’", "'").replace("`", "'")
        if t.endswith("'s"):
            t = t[:-2]
        t = t.replace("'", "")
    return t


def _letters(tok: str) -> str:
    return tok.replace(".", "").replace("'", "").replace("’", "")


def _case_rule(tok: str) -> int:
    """0 any case, 1 capitals (or Title case for 3+ letters), 2 exact."""
    if _is_arabic(tok):
        return 0
    t = _letters(tok)
    if t.endswith("s") and t[:-1].isupper() and len(t) > 2:  # "IDPs"
        t = t[:-1]
    if len(t) >= 2 and t.isupper():
        return 1
    if any(c.isupper() for c in t[1:]):
        return 2
    return 0


def _case_ok(rule: int, alias_tok: str, text_tok: str) -> bool:
    if rule == 0:
        return True
    if text_tok.endswith(("'s", "’s")):
        text_tok = text_tok[:-2]
    a, t = _letters(alias_tok), _letters(text_tok).rstrip("'’")
    if rule == 2:
        return a == t
    if t.isupper() or t == a:
        return True
    return len(a) >= 3 and t[0].isupper() and t[1:].islower() and t.lower() == a.lower()


def _parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        parts = str(value).split("-")
        try:
            return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, 1)
        except (ValueError, IndexError):
            return None


def _load_records(path: Path) -> list[dict]:
    paths = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")) if path.is_dir() else [path]
    out: list[dict] = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        items = data.get("actors", []) if isinstance(data, dict) else data
        for item in items or []:
            if isinstance(item, dict) and item.get("id"):
                out.append(dict(item))
    return out


class _Entry:
    __slots__ = ("actor_id", "toks", "rules", "valid_from", "valid_to", "weak", "order", "article")

    def __init__(self, actor_id, toks, rules, valid_from, valid_to, weak, order, article=""):
        self.article = article
        self.actor_id = actor_id
        self.toks = toks
        self.rules = rules
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.weak = weak
        self.order = order


class ActorMatcher:
    """Finds actor mentions in text and resolves them to knowledge-base actors."""

    def __init__(self, records: Iterable[dict]):
        by_id: dict[str, dict] = {}
        for rec in records:
            rid = str(rec["id"])
            if rid in by_id:
                merged = dict(by_id[rid])
                extra = rec.pop("extra_aliases", None) or rec.pop("aliases_add", None)
                merged.update(rec)
                if extra:
                    merged["aliases"] = list(merged.get("aliases") or []) + list(extra)
                by_id[rid] = merged
            else:
                rec = dict(rec)
                extra = rec.pop("extra_aliases", None) or rec.pop("aliases_add", None)
                if extra:
                    rec["aliases"] = list(rec.get("aliases") or []) + list(extra)
                by_id[rid] = rec
        self._actors = by_id
        self._bounds: dict[str, tuple[date | None, date | None]] = {
            rid: (_parse_date(r.get("valid_from")), _parse_date(r.get("valid_to"))) for rid, r in by_id.items()
        }
        self._trie: dict = {}
        surfaces: set[str] = set()
        order = 0
        for rid, rec in by_id.items():
            for alias, afrom, ato, case, weak in self._aliases_of(rec):
                raw = [m.group(0) for m in _TOKEN.finditer(alias)]
                article = ""
                if len(raw) > 1 and raw[0].lower() in ("the", "a", "an"):
                    article = "the" if raw[0].lower() == "the" else "a"
                    raw = raw[1:]
                if not raw:
                    continue
                keys = tuple(_norm(t) for t in raw)
                rules = tuple(2 if case == "exact" else 0 if case == "any" else _case_rule(t) for t in raw)
                node = self._trie
                for k in keys:
                    node = node.setdefault(k, {})
                entries = node.setdefault(_END, [])
                if any(e.actor_id == rid and e.rules == rules and e.toks == tuple(raw) and e.article == article
                       for e in entries):
                    continue
                order += 1
                entries.append(_Entry(rid, tuple(raw), rules, afrom, ato, weak, order, article))
                toks = [_ARABIC_DIACRITICS.sub("", t).replace("’", "'").replace("`", "'").lower() for t in raw]
                surfaces.add(_SEP.join(toks))
                if _is_arabic(toks[0]):
                    rest = _SEP.join(toks[1:])
                    variants = [c + toks[0] for c in "وفبلك"]
                    if toks[0].startswith("ال"):
                        variants.append("لل" + toks[0][2:])
                    surfaces.update(v + (_SEP + rest if rest else "") for v in variants)
        # adjective (lower case) -> (country, actor id or None); see FOREIGN_DEMONYMS
        self._demonyms: dict[str, tuple[str, str | None]] = {d.lower(): (c, None) for d, c in FOREIGN_DEMONYMS.items()}
        for rid, rec in by_id.items():
            for dem in rec.get("demonyms") or []:
                self._demonyms.setdefault(str(dem).lower().replace(".", ""), (str(rec.get("country", "")), rid))
        body = _regex_trie(surfaces)
        self._prefilter = re.compile(r"(?<![^\W_])(?:" + body + r")(?![^\W_])")

    # ------------------------------------------------------------------ loading
    @staticmethod
    def _aliases_of(rec: dict):
        seen: set[str] = set()

        def emit(text, afrom=None, ato=None, case=None, weak=False):
            key = f"{text}|{afrom}|{ato}|{case}|{weak}"
            if text and key not in seen:
                seen.add(key)
                yield text, afrom, ato, case, weak

        yield from emit(str(rec.get("name", "")).strip())
        if rec.get("name_ar"):
            yield from emit(str(rec["name_ar"]))
        for a in rec.get("aliases") or []:
            if isinstance(a, dict):
                text = a.get("text") or a.get("alias")
                yield from emit(str(text), _parse_date(a.get("valid_from")), _parse_date(a.get("valid_to")),
                                a.get("case"), bool(a.get("weak")))
            else:
                yield from emit(str(a))
        for dem in rec.get("demonyms") or []:
            for noun in FORCE_NOUNS:
                yield from emit(f"{dem} {noun}")
        for country in rec.get("countries") or []:
            yield from emit(country, weak=True)
            for noun in FORCE_NOUNS:
                yield from emit(f"{country} {noun}")

    @classmethod
    def default(cls) -> "ActorMatcher":
        return _default_matcher()

    @classmethod
    def from_files(cls, paths: list[Path]) -> "ActorMatcher":
        records = _load_records(DATA_FILE)
        for p in paths:
            records.extend(_load_records(Path(p)))
        return cls(records)

    def get(self, actor_id: str) -> dict:
        return self._actors[actor_id]

    def actors(self) -> list[dict]:
        return list(self._actors.values())

    # ------------------------------------------------------------------ matching
    def _valid(self, e: _Entry, on: date) -> bool:
        afrom, ato = self._bounds.get(e.actor_id, (None, None))
        lo = e.valid_from or afrom
        hi = e.valid_to or ato
        return (lo is None or lo <= on) and (hi is None or on <= hi)

    def _distance(self, e: _Entry, on: date) -> int:
        afrom, ato = self._bounds.get(e.actor_id, (None, None))
        lo, hi = e.valid_from or afrom, e.valid_to or ato
        if lo and on < lo:
            return (lo - on).days
        if hi and on > hi:
            return (on - hi).days
        return 0

    def _resolve(self, entries: list[_Entry], on: date) -> str | None:
        valid = [e for e in entries if self._valid(e, on)]
        if valid:
            return min(valid, key=lambda e: e.order).actor_id
        # past its end: hand over to a successor valid on that date
        for e in sorted(entries, key=lambda e: e.order):
            rid, hops = e.actor_id, 0
            while hops < 5:
                succ = self._actors.get(rid, {}).get("successor")
                lo, hi = self._bounds.get(rid, (None, None))
                if not succ or succ not in self._actors or not (hi and on > hi):
                    break
                rid, hops = succ, hops + 1
                slo, shi = self._bounds.get(rid, (None, None))
                if (slo is None or slo <= on) and (shi is None or on <= shi):
                    return rid
        if not entries:
            return None
        return min(entries, key=lambda e: (self._distance(e, on), e.order)).actor_id

    def find(self, text: str, on: date | None = None) -> list[ActorMention]:
        """Non-overlapping actor mentions in text order, longest match first."""
        if not text:
            return []
        on = on or date.today()
        low = text.lower()
        if len(low) != len(text):
            # a case mapping changed the length ("İ" -> "i̇"): keep such characters as they are, so
            # offsets still line up (compiling the big prefilter case-insensitively costs 1.5 s)
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        starts = (m.start() for m in self._prefilter.finditer(low))
        out: list[ActorMention] = []
        done = 0
        for s in starts:
            if s < done:
                continue
            found = self._match_at(text, s, on)
            if found is not None:
                out.append(found)
                done = found.end
        return _drop_owned_generics(text, out)

    def _match_at(self, text: str, pos: int, on: date) -> ActorMention | None:
        first = _TOKEN.match(text, pos)
        if first is None:
            return None
        tok0 = first.group(0)
        raw = [(pos, first.end(), tok0)]
        keys = [_norm(tok0)]
        trie = self._trie
        node = trie.get(keys[0])
        strip = False
        if node is None and _is_arabic(tok0) and len(keys[0]) > 3:
            key = keys[0]
            k2 = "ال" + key[2:] if key.startswith("لل") else key[1:] if key[0] in "وفبلك" else None
            if k2 and trie.get(k2) is not None:
                node, strip = trie.get(k2), True
        if node is None:
            return None
        cands: list[tuple[int, list[_Entry]]] = []
        j = 0
        end = first.end()
        while True:
            ends = node.get(_END)
            if ends:
                cands.append((j, ends))
            nxt_m = _NEXT_TOKEN.match(text, end)
            if nxt_m is None:
                break
            tok = nxt_m.group(1)
            key = _norm(tok)
            raw.append((nxt_m.start(1), nxt_m.end(1), tok))
            keys.append(key)
            nxt = node.get(key)
            if nxt is None:
                break
            node = nxt
            end = nxt_m.end(1)
            j += 1
        prev_key, prev_start = _prev_word(text, pos)
        art = ""
        if prev_key in ("the", "a", "an") and prev_start >= 0 and text[prev_start + len(prev_key):pos].isspace():
            art = "the" if prev_key == "the" else "a"
        for last, ends in reversed(cands):
            next_key = keys[last + 1] if last + 1 < len(keys) else ""
            ok = [e for e in ends if (not e.article or e.article == art) and self._entry_ok(e, raw, prev_key, next_key)]
            if not ok:
                continue
            rid = self._resolve(ok, on) if len(ok) > 1 or self._bounds[ok[0].actor_id] != (None, None) \
                or ok[0].valid_from or ok[0].valid_to else ok[0].actor_id
            if not rid:
                continue
            rec = self._actors[rid]
            s, e = raw[0][0], raw[last][1]
            foreign = self._foreign_owner(text, raw[0][2], rec, prev_key, prev_start)
            if foreign is not None:
                if not foreign:
                    return None  # "the Saudi regime": some other country's force, not in the knowledge base
                rid, rec, s = foreign, self._actors[foreign], prev_start
            if strip and not keys[0].startswith("لل"):
                s += 1  # leave the proclitic out of the span
            if art and any(x.article for x in ok if x.actor_id == rid):
                s = prev_start  # "a child", "the coalition": the article belongs to the alias
            if text.endswith(("'s", "’s"), s, e):
                e -= 2
            elif text.endswith(("'", "’"), s, e):
                e -= 1
            return ActorMention(mention=text[s:e], start=s, end=e, actor_id=rid,
                                name=str(rec.get("name", rid)), actor_type=rec.get("inter"))
        return None

    def _foreign_owner(self, text: str, first_tok: str, rec: dict, prev_key: str, prev_start: int) -> str | None:
        """For a generic force ("police", "the regime") right after another country's adjective
        ("Turkish police"): that country's actor id, "" when it has none; None otherwise."""
        if prev_start < 0 or not first_tok[:1].islower():
            return None
        if prev_key == "led" and text[prev_start - 1:prev_start] == "-":
            # "the Saudi-led coalition" is not the Global Coalition
            lead, lead_start = _prev_word(text, prev_start - 1)
            hit = self._demonyms.get(lead)
            return "" if hit and hit[1] is None and text[lead_start:lead_start + 1].isupper() else None
        if not text[prev_start:prev_start + 1].isupper():
            return None
        hit = self._demonyms.get(prev_key)
        if hit is None or hit[0] == rec.get("country"):
            return None
        return hit[1] or ""

    def _entry_ok(self, e: _Entry, raw, prev_key: str, next_key: str) -> bool:
        for k, rule in enumerate(e.rules):
            if rule and not _case_ok(rule, e.toks[k], raw[k][2]):
                return False
        if e.weak:
            # a country name alone: an actor only when not a place
            if prev_key in LOCATIVE or next_key in ("border", "borders", "frontier", "side"):
                return False
            if not raw[0][2][:1].isupper():
                return False
        return True


@lru_cache(maxsize=1)
def _default_matcher() -> ActorMatcher:
    return ActorMatcher(_load_records(DATA_FILE))


# ---------------------------------------------------------------------- roles
_VICTIM_TYPES = {7}
_ACTION = (
    r"attack\w*|kill\w*|shot|shoot\w*|shell\w*|bomb\w*|struck|strik\w*|hit|hits|target\w*|ambush\w*|"
    r"arrest\w*|detain\w*|captur\w*|abduct\w*|kidnap\w*|seiz\w*|raid\w*|storm\w*|clash\w*|fought|fight\w*|"
    r"execut\w*|assassinat\w*|murder\w*|injur\w*|wound\w*|launch\w*|fir(?:ed|es|ing)|open(?:ed)? fire|"
    r"destroy\w*|burn\w*|loot\w*|pound\w*|bombard\w*|assault\w*|push\w*|advanc\w*|captur\w*|took|take[sn]?|"
    r"overr[au]n\w*|withdr[ae]w\w*|recaptur\w*|retook|retake\w*|intercept\w*|dismantl\w*|defus\w*|seiz\w*|"
    r"round(?:ed)? up|apprehend\w*|torture\w*|beat(?:en|ing)?|lynch\w*|carried out|conduct\w*|engag\w*|repel\w*|"
    r"torched|set fire|stabbed|expel\w*|displac\w*|demolish\w*|surround\w*|besieg\w*|deploy\w*|dispers\w*"
)
# agent nouns ("fighters", "bombers", "attackers") name actors, not actions
_ACTION_RE = re.compile(rf"\b(?:{_ACTION})(?<!ers)(?<!er)\b|\bmurders?\b", re.I)
_PASSIVE_BY = re.compile(
    r"\b(?:by|from)\s+(?:(?:an?|the)\s+)?(?:(?:members?|fighters?|elements?|units?|gunmen|forces|"
    r"militants?|cells?|patrols?|personnel|drones?|warplanes?|jets?|aircraft)\s+(?:of|from)\s+)?(?:the\s+)?\W{0,2}$",
    re.I,
)
_BY_EVENT = re.compile(
    r"\b(?:in|during|amid|after|following|by)\s+(?:an?|the)?\s*(?:\w+\s+){0,3}?"
    r"(?:attacks?|strikes?|airstrikes?|raids?|shelling|ambush|bombardment|assault|operation|offensive|"
    r"campaign|fire|gunfire|bombing|drone strikes?)\s+(?:by|from|of)\s+(?:the\s+)?$",
    re.I,
)
_TARGET_CUE = re.compile(
    r"\b(?:against|targeting|targeted|on|at|into|toward|towards|killing|killed|kill|wounding|injuring|"
    r"arresting|detaining|capturing|abducting|kidnapping)\s+(?:(?:an?|the|two|three|several|some|\d+)\s+)?"
    r"(?:\w+\s+){0,2}?$",
    re.I,
)
_BETWEEN = re.compile(r"\b(?:between|among|pitting)\s+(?:the\s+)?$", re.I)
_CLASH_WITH = re.compile(r"\b(?:clash\w*|fought|fight\w*|battl\w*|skirmish\w*|exchang\w+ fire)\s+(?:\w+\s+){0,2}?with\s+(?:the\s+)?$", re.I)
_REPORTER = re.compile(
    r"^\W*(?:said|says|say|reported|reports|claimed|announced|stated|told|accused|according|confirmed|denied)\b", re.I
)
_ACCORDING = re.compile(r"\baccording to\s+(?:the\s+)?$|\b(?:said|told|reported)\s+(?:the\s+)?$", re.I)
_ALLY = re.compile(r"\b(?:backed by|supported by|alongside|allied (?:with|to)|affiliated with|with the support of|"
                   r"with support from|in coordination with|jointly with|together with)\s+(?:the\s+)?$", re.I)
_PASSIVE_VERB = re.compile(
    r"\b(?:was|were|been|being|is|are|got|get)\s+(?:\w+ly\s+)?(?:\w+ed|shot|hit|struck|taken|seized|beaten|held)\b",
    re.I,
)


# "a man working for the military security service": the victim stands for the force he serves
_AFFILIATION = re.compile(
    r"^[\s,]*(?:(?:who|that)\s+(?:had\s+|has\s+|was\s+|is\s+)?)?(?:[\w-]+\s+){0,2}?"
    r"(?:working|worked|works|work|affiliated|serving|served|belonging|loyal|collaborat\w*|recruited|enlisted|joined|"
    r"member|members|officer|employee|fighter|volunteer)\b[^.;:,]{0,70}$",
    re.I,
)


def _victims_by_affiliation(sentence: str, mentions: list[ActorMention]) -> list[ActorMention]:
    out: list[ActorMention] = []
    skip = False
    for k, m in enumerate(mentions):
        if skip:
            skip = False
            continue
        nxt = mentions[k + 1] if k + 1 < len(mentions) else None
        if m.actor_type in _VICTIM_TYPES and nxt is not None and nxt.actor_type not in _VICTIM_TYPES \
                and nxt.start - m.end <= 80 and _AFFILIATION.match(sentence[m.end:nxt.start]) \
                and not re.search(r"\b(?:by|and|while|after|before|from)\b", sentence[m.end:nxt.start]):
            out.append(nxt)  # the victim's force takes its place, as the target
            skip = True
            continue
        out.append(m)
    return out


_GENERIC_HEAD = re.compile(r"\b(?:forces?|army|police|military|troops|security|soldiers|units)\b", re.I)
_POSSESSIVE_GAP = re.compile(r"^['’]s?\s+$")
_BRACKET_GAP = re.compile(r"^\s*\(\s*$")


def _drop_owned_generics(text: str, mentions: list[ActorMention]) -> list[ActorMention]:
    """A force named in brackets, or a generic force owned by a neighbour, is that other actor.

    "Internal Security Forces (Asayish)": the name in brackets says which force. "the
    SDF's internal security forces" are the SDF's, not the Interior Ministry's police;
    generic mentions are common-noun forces written in lower case ("security forces").
    """
    keep = []
    for k, m in enumerate(mentions):
        nxt = mentions[k + 1] if k + 1 < len(mentions) else None
        if nxt is not None and _BRACKET_GAP.match(text[m.end:nxt.start]) \
                and text[nxt.end:nxt.end + 2].lstrip().startswith(")"):
            continue
        generic = m.mention[1:] == m.mention[1:].lower() and bool(_GENERIC_HEAD.search(m.mention))
        if generic and k > 0 and _POSSESSIVE_GAP.match(text[mentions[k - 1].end:m.start]):
            continue
        keep.append(m)
    return keep


def _dedupe_same_actor(mentions: list[ActorMention]) -> list[ActorMention]:
    out: list[ActorMention] = []
    for m in mentions:
        if out and out[-1].actor_id == m.actor_id and m.start - out[-1].end < 40:
            continue
        out.append(m)
    return out


def assign_roles(
    sentence: str,
    mentions: list[ActorMention],
    sub_event_type: str | None = None,
    doc=None,
) -> tuple[ActorMention | None, ActorMention | None]:
    """(actor1, actor2): the side that acted and its target.

    Cue words first (passive "by X", "clashes between X and Y", "against/targeting
    Y"), then the dependency parse when a spaCy span is given, then mention order
    around the first action verb.  Civilians are never actor1 when another actor
    is present, except for protests.
    """
    ms = sorted(mentions, key=lambda m: m.start)
    if not ms:
        return None, None
    # drop reporters ("..., the SDF said", "according to SOHR")
    reporters = set()
    for idx, m in enumerate(ms):
        before = sentence[max(0, m.start - 40):m.start]
        after = sentence[m.end:m.end + 25]
        said_x = _ACCORDING.search(before)
        if said_x and not said_x.group(0).lower().startswith("according") and not re.match(r"\s*(?:[,.;)]|$)", after):
            said_x = None  # "said ISIS cells attacked ...": the subject of the reported clause
        if said_x or (_REPORTER.match(after) and idx == len(ms) - 1 and idx > 0):
            reporters.add(idx)
        elif _REPORTER.match(after) and idx < len(ms) - 1:
            reporters.add(idx)  # "the SDF said ISIS cells attacked its checkpoint"
    core = [m for k, m in enumerate(ms) if k not in reporters] or ms
    core = _victims_by_affiliation(sentence, core)
    reported = [m for k, m in enumerate(ms) if k in reporters]
    core = _dedupe_same_actor(core)
    protest = bool(sub_event_type) and any(w in sub_event_type.lower() for w in ("protest", "demonstration", "riot", "mob"))

    agent: ActorMention | None = None
    target: ActorMention | None = None
    allies: set[int] = set()
    for m in core:
        before = sentence[max(0, m.start - 60):m.start]
        if _ALLY.search(before):
            allies.add(id(m))
    for m in core:
        before = sentence[max(0, m.start - 60):m.start]
        if _BETWEEN.search(before):
            others = [o for o in core if o.start > m.start and o is not m and o.actor_id != m.actor_id]
            if others:
                return m, others[0]
        if _CLASH_WITH.search(before):
            subj = [o for o in core if o.start < m.start and id(o) not in allies]
            if subj:
                return subj[0], m
    for m in core:
        before = sentence[max(0, m.start - 60):m.start]
        if agent is None and (_PASSIVE_BY.search(before) or _BY_EVENT.search(before)) and id(m) not in allies:
            if m.actor_type not in _VICTIM_TYPES:
                agent = m
    if agent is None and doc is not None:
        agent, target = _roles_from_doc(doc, core)
    if agent is None:
        verb = _ACTION_RE.search(sentence)
        vpos = verb.start() if verb else len(sentence)
        pre = [m for m in core if m.end <= vpos and id(m) not in allies]
        passive_first = bool(verb) and bool(_PASSIVE_VERB.search(sentence[max(0, vpos - 25):verb.end()]))
        if pre and not passive_first:
            cand = [m for m in pre if m.actor_type not in _VICTIM_TYPES or protest]
            agent = cand[0] if cand else None
            if agent is None and pre:
                target = target or pre[0]
        elif pre and passive_first:
            target = target or pre[0]
    if agent is None and target is None and not protest and len(core) == 1 \
            and _TARGET_CUE.search(sentence[max(0, core[0].start - 40):core[0].start]):
        return None, core[0]  # "..., killing two regime soldiers": the one side named is hit, not hitting
    if agent is None and not protest:
        others = [m for m in core if m.actor_type not in _VICTIM_TYPES and id(m) not in allies and m is not target]
        has_victim = any(m.actor_type in _VICTIM_TYPES for m in core)
        if others and (has_victim or len(core) == 1 or target is not None):
            agent = others[0]
        elif others and not has_victim:
            agent = others[0]
    if agent is None and protest:
        agent = core[0]
    if target is None or target is agent:
        target = None
        rest = [m for m in core if m is not agent and id(m) not in allies and m.actor_id != getattr(agent, "actor_id", None)]
        if rest:
            after = [m for m in rest if agent is None or m.start > agent.start]
            cued = [m for m in rest if _TARGET_CUE.search(sentence[max(0, m.start - 40):m.start])]
            victims = [m for m in rest if m.actor_type in _VICTIM_TYPES]
            target = (cued or victims or after or rest)[0]
    if target is None and agent is not None and reported:
        # the reporting side is the target when the clause refers back to it ("its", "their")
        rest = [m for m in reported if m.actor_id != agent.actor_id]
        if rest and re.search(r"\b(?:its|their|his|her|our)\b", sentence[agent.end:]):
            target = rest[0]
    if agent is not None and target is not None and agent.actor_type in _VICTIM_TYPES and not protest \
            and target.actor_type not in _VICTIM_TYPES:
        agent, target = target, agent
    return agent, target


def _roles_from_doc(doc, mentions: list[ActorMention]):
    """Subject/agent and object from a spaCy span of the sentence (cheap look-up)."""
    try:
        base = doc.start_char if hasattr(doc, "start_char") else 0
        by_tok: dict[int, ActorMention] = {}
        for tok in doc:
            rel = tok.idx - base
            for m in mentions:
                if m.start <= rel < m.end:
                    by_tok[tok.i] = m
        agent = target = None
        for tok in doc:
            m = by_tok.get(tok.i)
            if m is None:
                continue
            head_chain = [tok] + [a for a in list(tok.ancestors)[:1]]
            dep = tok.dep_
            if dep == "pobj" and tok.head.dep_ == "agent" and agent is None:
                agent = m
            elif dep in ("nsubj",) and agent is None and m.actor_type not in _VICTIM_TYPES:
                if tok.head.pos_ in ("VERB", "AUX"):
                    agent = m
            elif dep in ("nsubjpass", "dobj") and target is None:
                target = m
            del head_chain
        return agent, target
    except Exception:  # a parse problem never stops extraction
        return None, None
