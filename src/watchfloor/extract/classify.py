"""Event typing: a sentence or short snippet -> ACLED sub-event type (or no event).

The model is a multinomial logistic regression over five kinds of sparse,
binary features, trained at build time with scikit-learn
(``scripts/train_typing.py``) and shipped as plain arrays
(``data/models/typing_model.npz``).  Inference here is pure numpy/python:

* word unigrams and bigrams of lightly stemmed, lower-cased tokens;
* *cue* features from a hand-written lexicon that follows the ACLED codebook
  definitions (``suicide bomber`` -> ``C:suicide``, ``chlorine`` -> ``C:chem``,
  ``recaptured`` -> ``C:regain``, ...);
* ordered pairs of cues present in the same text (``P:govt<regain`` says a
  state-force word comes before a recapture word), which let a linear model
  tell "the army recaptured the town" from "rebels captured the town";
* *local* actor pairs: an actor cue (state forces, non-state groups, civilians)
  and another cue within 6 tokens of each other, in text order
  (``W:nonstate<seize`` for "militants ... seized");
* 5-character prefixes of tokens of 7+ characters (``X:recap``), a cheap
  stand-in for character n-grams (morphological robustness).

Beside them, 384 dense features: the mean static word vector of the text
(``wordvecs.WordVectors``, MiniLM distilled to one vector per word), which
carries meaning across synonyms the sparse features never saw together.

The model distinguishes 25 ACLED sub-event types and several *no event*
classes (natural disaster, man-made disaster, crime, diplomacy, claims,
opinion, economy); the no-event classes are summed into ``"none"`` at
prediction time.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from watchfloor.lazy import shared
from watchfloor.models import SUB_EVENT_TO_TYPE

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "models" / "typing_model.npz"

NONE = "none"
NONE_PREFIX = "none:"

# PLOVER event type for each ACLED sub-event type.  PLOVER (Halterman et al.)
# splits combat (FIGHT) from one-sided violence (ASSAULT); the NGEC-2025
# PLOVER data codes aerial, drone, heavy-weapon, explosive and suicide attacks,
# crowd-control violence and destruction as ASSAULT modes, and we follow it.
ACLED_TO_PLOVER: dict[str, str] = {
    "Armed clash": "FIGHT",
    "Government regains territory": "FIGHT",
    "Non-state actor overtakes territory": "FIGHT",
    "Chemical weapon": "ASSAULT",
    "Air/drone strike": "ASSAULT",
    "Suicide bomb": "ASSAULT",
    "Shelling/artillery/missile attack": "ASSAULT",
    "Remote explosive/landmine/IED": "ASSAULT",
    "Grenade": "ASSAULT",
    "Sexual violence": "ASSAULT",
    "Attack": "ASSAULT",
    "Abduction/forced disappearance": "ASSAULT",
    "Peaceful protest": "PROTEST",
    "Protest with intervention": "PROTEST",
    "Excessive force against protesters": "ASSAULT",
    "Violent demonstration": "PROTEST",
    "Mob violence": "ASSAULT",
    "Agreement": "AGREE",
    "Arrests": "COERCE",
    "Change to group/activity": "MOBILIZE",
    "Disrupted weapons use": "COERCE",
    "Headquarters or base established": "MOBILIZE",
    "Looting/property destruction": "ASSAULT",
    "Non-violent transfer of territory": "RETREAT",
    "Other": "MOBILIZE",
}

# PLOVER mode where one is natural (informative only; not predicted separately).
ACLED_TO_PLOVER_MODE: dict[str, str] = {
    "Chemical weapon": "UNCONVENTIONAL",
    "Air/drone strike": "AERIAL",
    "Suicide bomb": "SUICIDE-ATTACK",
    "Shelling/artillery/missile attack": "HEAVY-WEAPONS",
    "Remote explosive/landmine/IED": "EXPLOSIVES",
    "Grenade": "EXPLOSIVES",
    "Sexual violence": "SEXUAL",
    "Abduction/forced disappearance": "ABDUCT",
    "Peaceful protest": "DEMO",
    "Violent demonstration": "RIOT",
    "Excessive force against protesters": "CROWD-CONTROL",
    "Looting/property destruction": "DESTROY",
    "Arrests": "ARREST",
    "Non-violent transfer of territory": "WITHDRAW",
}

# --------------------------------------------------------------------------
# Cue lexicon (codebook-level keywords).  Each entry: cue -> (token patterns,
# bigram patterns).  Token patterns fully match one lower-cased token;
# bigram patterns fully match "word1 word2".  Keep these general: they
# describe ACLED categories, not particular reports.
# --------------------------------------------------------------------------
_CUES: dict[str, tuple[list[str], list[str]]] = {
    "suicide": (
        [r"suicide", r"self-detonat\w*", r"kamikazes?", r"martyrdom", r"svbieds?"],
        [r"blew (?:himself|herself|themselves)", r"explosive (?:vests?|belts?)",
         r"suicide \w+", r"detonated (?:his|her|their)", r"(?:his|her|their) vests?"],
    ),
    "chem": (
        [r"chemicals?", r"chlorine", r"sarin", r"toxic\w*", r"poison\w*", r"suffocat\w*",
         r"asphyxia\w*", r"opcw", r"phosphorus", r"nerve", r"mustard", r"cbrn", r"gassed"],
        [r"gas (?:attacks?|bombs?|munitions?|canisters?|cylinders?)", r"nerve (?:agents?|gas)",
         r"mustard (?:gas|agent)", r"breathing (?:problems|difficulties)", r"chemical weapons?"],
    ),
    "grenade": ([r"grenades?", r"hand-grenades?"], [r"(?:hurled|lobbed|tossed|threw) \w+"]),
    "ied": (
        [r"ieds?", r"vbieds?", r"landmines?", r"mines?", r"booby-trapped", r"booby", r"planted",
         r"roadside", r"car-bombs?", r"bombs?", r"explosives?", r"detonat\w*"],
        [r"car bombs?", r"roadside bombs?", r"explosive devices?", r"improvised explosive",
         r"booby trap\w*", r"land mines?", r"sticky bombs?", r"magnetic bombs?", r"parcel bombs?",
         r"bomb (?:went|exploded|blast)", r"remote(?:ly)?[- ]control\w*"],
    ),
    "blast": ([r"blasts?", r"explosions?", r"exploded", r"explodes", r"went"], [r"went off", r"ripped through"]),
    "air": (
        [r"air-?strikes?", r"airstrikes?", r"warplanes?", r"jets?", r"aircraft", r"drones?",
         r"uavs?", r"helicopters?", r"gunships?", r"aerial", r"airborne", r"bombers?",
         r"bombed", r"bombing", r"bombings", r"quadcopters?", r"sorties?"],
        [r"air (?:strikes?|raids?|force|attacks?|campaign|support)", r"fighter (?:jets?|planes?)",
         r"barrel bombs?", r"drone (?:strikes?|attacks?)", r"bombing raids?", r"raids? by",
         r"air-to-surface \w+"],
    ),
    "shell": (
        [r"shell\w*", r"mortars?", r"artillery", r"rockets?", r"missiles?", r"katyushas?",
         r"howitzers?", r"bombard\w*", r"projectiles?", r"grad", r"cannons?", r"rpgs?",
         r"surface-to-surface", r"ballistic", r"mlrs"],
        [r"tank (?:fire|shells?|rounds?)", r"heavy weapons", r"rocket launchers?",
         r"cruise missiles?", r"fired (?:rockets?|shells?|mortars?|missiles?)"],
    ),
    "defuse": (
        [r"defus\w*", r"dismantl\w*", r"intercept\w*", r"thwart\w*", r"foil\w*", r"caches?",
         r"depots?", r"confiscat\w*", r"neutrali[sz]\w*", r"demin\w*", r"disposal", r"uncover\w*",
         r"discover\w*", r"stockpiles?", r"squad", r"averted", r"interdict\w*"],
        [r"shot down", r"(?:seized|found|discovered|recovered) (?:a|an|the|weapons|arms|explosives|ammunition|large|quantities|several)",
         r"arms (?:cache|depot|shipment)", r"weapons (?:cache|depot|shipment|stockpile)",
         r"iron dome", r"air defen[cs]es?", r"bomb squad", r"suspicious (?:package|object|bag)"],
    ),
    "arrest": (
        [r"arrest\w*", r"detain\w*", r"detention", r"custody", r"apprehend\w*", r"detainees?",
         r"jailed", r"imprison\w*", r"nabbed", r"captured"],
        [r"rounded up", r"into custody", r"taken in", r"picked up"],
    ),
    "abduct": (
        [r"kidnap\w*", r"abduct\w*", r"hostages?", r"ransom", r"disappear\w*", r"whereabouts",
         r"captives?", r"missing"],
        [r"took (?:him|her|them) to", r"unknown (?:location|destination)", r"held captive"],
    ),
    "sexual": (
        [r"rap(?:e|ed|es|ing|ist|ists)", r"gang-rap\w*", r"sexual\w*", r"molest\w*", r"sex",
         r"sodom\w*", r"harass\w*"],
        [r"sexual (?:violence|assault|abuse|slavery)", r"sexually (?:assaulted|abused)"],
    ),
    "protest": (
        [r"protest\w*", r"demonstrat\w*", r"rall(?:y|ies|ied|ying)", r"marche[sd]", r"march",
         r"sit-ins?", r"strikes?", r"striking", r"picket\w*", r"vigils?", r"chant\w*",
         r"placards?", r"banners?", r"slogans?", r"boycott\w*", r"hunger"],
        [r"took to", r"to the streets", r"hunger strike", r"sit in", r"went on"],
    ),
    "disperse": (
        [r"dispers\w*", r"tear-?gas", r"teargas", r"batons?", r"water-cannons?", r"truncheons?",
         r"scatter\w*", r"pepper"],
        [r"broke up", r"break up", r"tear gas", r"water cannons?", r"rubber bullets?",
         r"pepper spray", r"stun grenades?", r"cut short", r"warning shots"],
    ),
    "livefire": (
        [r"shot", r"snipers?", r"gunshots?"],
        [r"live (?:ammunition|rounds|fire|bullets)", r"opened fire", r"fired (?:on|at|into)",
         r"shot dead", r"shot and"],
    ),
    "riot": (
        [r"riot\w*", r"torch\w*", r"molotovs?", r"stones?", r"stone-throwing", r"rocks", r"vandal\w*",
         r"barricades?", r"tyres?", r"tires", r"hooligans?", r"petrol", r"pelt\w*", r"stormed", r"smash\w*"],
        [r"set (?:fire|ablaze|alight|on)", r"petrol bombs?", r"burning tyres?", r"threw stones",
         r"running battles?", r"clashed with"],
    ),
    "mob": (
        [r"mobs?", r"lynch\w*", r"vigilantes?", r"witchcraft", r"sorcery", r"witch", r"blasphemy",
         r"cow", r"cattle", r"thief", r"thieves", r"crowd", r"villagers"],
        [r"angry (?:crowd|mob|residents|villagers)", r"to death", r"beat (?:him|her|them)",
         r"beaten to"],
    ),
    "agree": (
        [r"ceasefire", r"cease-fire", r"truce", r"agreements?", r"accords?", r"deals?", r"signed",
         r"swap\w*", r"reconciliation", r"surrender\w*", r"amnesty", r"pact", r"armistice",
         r"negotiated", r"brokered", r"mediat\w*", r"exchang\w*", r"released", r"freed",
         r"settlement"],
        [r"prisoner (?:swap|exchange|release)", r"exchange of", r"safe passage", r"peace (?:deal|agreement|accord)",
         r"cessation of", r"agreed to", r"agreed on", r"signed a"],
    ),
    "regain": (
        [r"recaptur\w*", r"retook", r"retake\w*", r"retaken", r"regain\w*", r"reclaim\w*", r"liberat\w*",
         r"recover\w*", r"restor\w*", r"reasserted", r"cleared", r"drove", r"expelled", r"routed"],
        [r"took back", r"taken back", r"take back", r"seized back", r"won back", r"back control",
         r"drove (?:out|the)", r"pushed out", r"driven out"],
    ),
    "seize": (
        [r"seiz\w*", r"captur\w*", r"overr[au]n\w*", r"stormed", r"conquer\w*", r"occup\w*",
         r"advance\w*"],
        [r"took (?:full )?control", r"taken control", r"take control", r"fell to", r"took over",
         r"control of", r"fallen to", r"gained control", r"full control"],
    ),
    "govt": (
        [r"army", r"troops", r"soldiers?", r"regime", r"military", r"saa", r"loyalists?",
         r"government", r"govt", r"pro-government", r"pro-regime", r"police", r"gendarm\w*",
         r"fsb", r"idf", r"navy", r"peshmerga", r"sdf"],
        [r"security forces", r"government forces", r"armed forces", r"national army",
         r"syrian army", r"state media"],
    ),
    "nonstate": (
        [r"rebels?", r"militants?", r"insurgents?", r"jihadists?", r"isis", r"isil", r"daesh", r"is",
         r"taliban", r"shabaab", r"al-shabaab", r"militia\w*", r"fighters?", r"opposition", r"hts",
         r"nusra", r"houthis?", r"separatists?", r"guerrill\w*", r"terrorists?", r"boko",
         r"al-qaeda", r"qaeda", r"factions?", r"gunmen", r"bandits?", r"insurgency", r"mujahideen",
         r"dissidents?"],
        [r"islamic state", r"armed groups?", r"tahrir al-sham", r"boko haram", r"al qaeda"],
    ),
    "withdraw": (
        [r"withdr[ae]w\w*", r"withdrawal", r"withdrawn", r"handed", r"handover", r"hand-over",
         r"evacuat\w*", r"abandon\w*", r"vacat\w*", r"retreat\w*", r"relinquish\w*", r"entered",
         r"deployed", r"redeploy\w*", r"transferr?\w*", r"left"],
        [r"pull(?:ed|s)? (?:out|back)", r"hand(?:ed|s|ing)? over", r"without (?:a|any|resistance|clashes|fighting)",
         r"moved in", r"moved into", r"took over"],
    ),
    "hq": (
        [r"establish\w*", r"outposts?", r"bases?", r"headquarters?", r"hq", r"camps?", r"garrisons?",
         r"barracks", r"positions?"],
        [r"set up", r"sets up", r"setting up", r"observation (?:posts?|points?)", r"military points?",
         r"command (?:center|centre)", r"new (?:base|position|post|headquarters|camp)"],
    ),
    "loot": (
        [r"loot\w*", r"pillag\w*", r"ransack\w*", r"plunder\w*", r"destroy\w*", r"demolish\w*",
         r"vandal\w*", r"torch\w*", r"bulldoz\w*", r"raz(?:ed|ing)", r"burn\w*", r"burnt", r"damag\w*",
         r"properties", r"property", r"stole", r"stolen", r"confiscat\w*", r"uproot\w*", r"blew"],
        [r"set fire", r"on fire", r"blew up", r"burned down", r"burnt down"],
    ),
    "group": (
        [r"defect\w*", r"merg\w*", r"split\w*", r"splinter\w*", r"rebrand\w*", r"renam\w*",
         r"dissol\w*", r"formed", r"formation", r"coalition", r"alliance", r"allegiance",
         r"joined", r"integrat\w*", r"disband\w*", r"founded", r"faction", r"umbrella", r"unif\w*",
         r"recruit\w*"],
        [r"new (?:group|coalition|alliance|militia|faction|leader|commander|name|movement|armed)",
         r"pledged allegiance", r"broke away", r"changed sides", r"switched sides", r"cut ties",
         r"join(?:ed|s)? (?:the|forces)"],
    ),
    "clash": (
        [r"clash\w*", r"fighting", r"fought", r"firefights?", r"gunfights?", r"battl\w*", r"engag\w*",
         r"ambush\w*", r"encounters?", r"skirmish\w*", r"offensive", r"combat\w*", r"frontlines?",
         r"front", r"shootouts?", r"repel\w*", r"repulsed", r"counter-?attack\w*", r"infiltrat\w*"],
        [r"exchanged? (?:of )?fire", r"traded fire", r"gun battles?", r"heavy fighting",
         r"exchange of", r"returned fire", r"fierce \w+"],
    ),
    "attack": (
        [r"gunmen", r"assassinat\w*", r"massacr\w*", r"execut\w*", r"behead\w*", r"stabb\w*",
         r"hacked", r"machetes?", r"murder\w*", r"tortur\w*", r"assailants?", r"attackers?",
         r"attack\w*", r"slain", r"slaughter\w*", r"raid\w*", r"gunfire", r"hitmen", r"drive-by"],
        [r"shot dead", r"opened fire", r"unknown gunmen", r"unidentified (?:gunmen|assailants|men|attackers)",
         r"armed men", r"killed (?:a|an|two|three|four|five|\d+|several|dozens|at)"],
    ),
    "civilian": (
        [r"civilians?", r"villagers?", r"residents?", r"women", r"children", r"child", r"farmers?",
         r"shepherds?", r"worshippers?", r"passengers?", r"students?", r"journalists?", r"teachers?",
         r"pilgrims?", r"family", r"families", r"girls?", r"boys?", r"elders?", r"clerics?", r"pastor",
         r"priests?", r"traders?", r"displaced", r"refugees?", r"activists?", r"doctors?"],
        [r"aid workers?", r"local (?:official|council|leader)"],
    ),
    "natural": (
        [r"earthquakes?", r"quakes?", r"floods?", r"flooding", r"cyclones?", r"hurricanes?",
         r"typhoons?", r"tsunamis?", r"volcan\w*", r"eruptions?", r"erupted", r"landslides?",
         r"mudslides?", r"droughts?", r"wildfires?", r"storms?", r"monsoon", r"avalanches?",
         r"torrential", r"tremors?", r"magnitude", r"aftershocks?", r"lightning", r"heatwaves?",
         r"locusts?", r"outbreak", r"epidemic", r"cholera", r"rains?", r"rainfall", r"snow\w*",
         r"lava", r"seismic", r"richter", r"blizzard", r"tornado\w*", r"forest"],
        [r"heavy rains?", r"flash floods?", r"natural disaster", r"forest fires?", r"bush fires?"],
    ),
    "accident": (
        [r"accident\w*", r"crash\w*", r"collid\w*", r"collision", r"derail\w*", r"capsiz\w*", r"sank",
         r"sinking", r"collaps\w*", r"blaze", r"stampede", r"firefighters?", r"overturned",
         r"leak\w*", r"boiler", r"malfunction\w*", r"tanker", r"ferry", r"shipwreck", r"short-circuit",
         r"inferno", r"fire"],
        [r"fire broke", r"broke out", r"short circuit", r"gas (?:leak|cylinder|explosion)",
         r"technical (?:failure|fault)", r"electrical fault", r"went down", r"caught fire",
         r"road accident", r"plane crash"],
    ),
    "crime": (
        [r"robber\w*", r"robbed", r"thie\w*", r"stole", r"burglar\w*", r"smuggl\w*", r"traffick\w*",
         r"drugs?", r"cocaine", r"heroin", r"captagon", r"hashish", r"narcotics?", r"counterfeit",
         r"fraud\w*", r"poach\w*", r"gangs?", r"rustl\w*", r"hijack\w*", r"migrants?", r"cartel",
         r"criminals?", r"contraband", r"extort\w*", r"pickpocket\w*", r"scam\w*", r"theft", r"illegal\w*",
         r"bribe\w*", r"corruption", r"laundering"],
        [r"organi[sz]ed crime", r"crime (?:ring|gang|network)", r"armed robbery", r"drug (?:dealer|trafficker|lord)s?"],
    ),
    "diplo": (
        [r"ministers?", r"ambassadors?", r"envoys?", r"diplomat\w*", r"talks", r"summit", r"visit\w*",
         r"counterparts?", r"bilateral", r"sanction\w*", r"condemn\w*", r"un", r"delegations?",
         r"expel\w*", r"embassy", r"president", r"premier", r"chancellor", r"secretary", r"memorandum",
         r"negotiations?", r"relations", r"cooperation", r"condolences", r"urged", r"called"],
        [r"security council", r"united nations", r"foreign (?:ministry|minister|affairs)", r"phone call",
         r"prime minister", r"met with", r"held talks", r"official visit", r"called on", r"called for"],
    ),
    "claim": (
        [r"claim\w*", r"responsib\w*", r"denied", r"denies", r"deny\w*", r"accus\w*", r"blam\w*",
         r"alleg\w*", r"attribut\w*", r"investigat\w*", r"inquiry", r"report", r"concluded",
         r"behind", r"suspected", r"evidence", r"verified"],
        [r"claimed responsibility", r"was behind", r"were behind", r"said in", r"could not be",
         r"human rights", r"war crimes?"],
    ),
    "opinion": (
        [r"analysts?", r"experts?", r"observers", r"critics", r"fears?", r"could", r"may", r"might",
         r"would", r"warn\w*", r"believe\w*", r"likely", r"uncertain", r"remains?", r"concerns?",
         r"opinion", r"argue\w*", r"should", r"future", r"expect\w*", r"risk", r"years"],
        [r"it remains", r"is seen", r"could be", r"will be", r"in the coming"],
    ),
    "econ": (
        [r"prices?", r"inflation", r"economy", r"economic", r"budget", r"currency", r"exports?",
         r"imports?", r"investment", r"market", r"stock", r"bank", r"banks", r"football", r"match",
         r"league", r"tournament", r"festival", r"election\w*", r"vote", r"tourism", r"trade",
         r"salary", r"salaries", r"wage\w*", r"loan", r"imf", r"gdp", r"oil", r"revenue\w*"],
        [r"central bank", r"interest rates?", r"world cup"],
    ),
    "killed": (
        [r"killed", r"killing", r"kills", r"dead", r"died", r"deaths?", r"fatalit\w*", r"casualt\w*",
         r"wounded", r"injured", r"injuring", r"bodies", r"body", r"lives", r"victims?", r"toll", r"wounding"],
        [],
    ),
}

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_CUE_TOKEN = {c: re.compile("|".join(f"(?:{p})" for p in toks)) for c, (toks, _) in _CUES.items() if toks}
_CUE_BIGRAM = {c: re.compile("|".join(f"(?:{p})" for p in bis)) for c, (_, bis) in _CUES.items() if bis}
# One alternation of everything: a fast reject for the many tokens/bigrams that are no cue.
_ANY_TOKEN = re.compile("|".join(f"(?:{p})" for toks, _ in _CUES.values() for p in toks))
_ANY_BIGRAM = re.compile("|".join(f"(?:{p})" for _, bis in _CUES.values() for p in bis))


def feature_spec_hash() -> str:
    """Fingerprint of the feature extractor; the model file records it."""
    h = hashlib.sha256()
    h.update(json.dumps(_CUES, sort_keys=True).encode())
    h.update(f"v2:stem:uni+bi:cues:ordered-pairs:window{_WINDOW}:{sorted(_ACTORS)}:prefix{_PREFIX}".encode())
    return h.hexdigest()[:16]


def _stem(tok: str) -> str:
    if tok.isdigit():
        return "#num"
    n = len(tok)
    if n > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if n > 5 and tok.endswith("ing"):
        return tok[:-3]
    if n > 4 and tok.endswith("ed"):
        return tok[:-2] if not tok.endswith("eed") else tok
    if n > 4 and tok.endswith(("ses", "xes", "shes", "ches")):
        return tok[:-2]
    if n > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
        return tok[:-1]
    return tok


class _Memo:
    """Per-token (stem, cues, prefix feature) and per-bigram (cues) caches; bounded."""

    MAX = 400_000

    def __init__(self) -> None:
        self.tok: dict[str, tuple[str, tuple[str, ...], str]] = {}
        self.bi: dict[str, tuple[str, ...]] = {}

    def token(self, t: str) -> tuple[str, tuple[str, ...], str]:
        r = self.tok.get(t)
        if r is None:
            cues = (tuple(c for c, rx in _CUE_TOKEN.items() if rx.fullmatch(t))
                    if _ANY_TOKEN.fullmatch(t) else ())
            pre = "X:" + t[:_PREFIX] if len(t) > _PREFIX + 1 and not t.isdigit() else ""
            r = (_stem(t), cues, pre)
            if len(self.tok) > self.MAX:
                self.tok.clear()
            self.tok[t] = r
        return r

    def bigram(self, b: str) -> tuple[str, ...]:
        r = self.bi.get(b)
        if r is None:
            r = (tuple(c for c, rx in _CUE_BIGRAM.items() if rx.fullmatch(b))
                 if _ANY_BIGRAM.fullmatch(b) else ())
            if len(self.bi) > self.MAX:
                self.bi.clear()
            self.bi[b] = r
        return r


_MEMO = _Memo()


# Actor-class cues: an actor cue and another cue within _WINDOW tokens of each other (in text
# order) give a local pair feature ("W:nonstate<seize" = "rebels ... seized", "W:govt<disperse" =
# "police ... dispersed"), sharper than the sentence-wide ordered pairs (P:).
_ACTORS = frozenset({"govt", "nonstate", "civilian"})
_WINDOW = 6
# Sub-word feature: the 5-character prefix of every token of >= 7 characters ("X:recap" for
# recaptured/recapturing/recapture), a cheap stand-in for character n-grams.
_PREFIX = 5


def features_groups(text: str) -> tuple[list[str], list[str], list[str]]:
    """(n-gram features, cue features, prefix features) of one text.

    Used identically by training (scripts/train_typing.py) and inference; the
    groups are weighted differently (n-grams 1/sqrt(n), cues 1, prefixes 1/sqrt(m)).
    """
    toks = _TOKEN_RE.findall(text.lower())
    memo_tok = _MEMO.tok
    token = _MEMO.token
    stems: list[str] = []
    prefixes: list[str] = []
    first: dict[str, int] = {}
    occ: list[tuple[int, str]] = []
    for i, t in enumerate(toks):
        r = memo_tok.get(t) or token(t)
        stems.append(r[0])
        if r[2]:
            prefixes.append(r[2])
        for c in r[1]:
            if c not in first:
                first[c] = i
            occ.append((i, c))
    memo_bi = _MEMO.bi
    bigram = _MEMO.bigram
    for i in range(len(toks) - 1):
        b = toks[i] + " " + toks[i + 1]
        cues = memo_bi.get(b)
        if cues is None:
            cues = bigram(b)
        for c in cues:
            if c not in first or first[c] > i:
                first[c] = i
            occ.append((i, c))
    ngrams = stems + [a + " " + b for a, b in zip(stems, stems[1:])]
    cue_feats: list[str] = []
    if first:
        order = sorted(first, key=first.__getitem__)
        cue_feats = ["C:" + c for c in order]
        for i, a in enumerate(order):
            for b in order[i + 1:]:
                cue_feats.append("P:" + a + "<" + b)
    if len(occ) > 1 and not _ACTORS.isdisjoint(first):
        occ.sort()
        seen: set[str] = set()
        n = len(occ)
        for x in range(n):
            p1, c1 = occ[x]
            for y in range(x + 1, n):
                p2, c2 = occ[y]
                if p2 - p1 > _WINDOW:
                    break
                if c1 == c2 or (c1 not in _ACTORS and c2 not in _ACTORS):
                    continue
                f = "W:" + c1 + "<" + c2
                if f not in seen:
                    seen.add(f)
                    cue_feats.append(f)
    return ngrams, cue_feats, prefixes


def features_split(text: str) -> tuple[list[str], list[str]]:
    """(n-gram features, cue features) of one text (cues include the pair features)."""
    g = features_groups(text)
    return g[0], g[1]


def features(text: str) -> list[str]:
    """All feature strings of one text (n-grams, cues, ordered cue pairs)."""
    ngrams, cues, prefixes = features_groups(text)
    return ngrams + cues + prefixes


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------


_TERRITORY = {"Non-state actor overtakes territory", "Government regains territory"}
_PERSON_CAPTURED = re.compile(
    r"\b(?:captur|seiz|detain|nabb|apprehend)\w*\s+(?:\w+\s+){0,4}?(?:leaders?|officials?|commanders?|members?|"
    r"suspects?|militants?|operatives?|emirs?|fighters?|individuals?|men|man|persons?|people)\b"
    r"|\b(?:leaders?|officials?|commanders?|members?|suspects?|operatives?|emirs?|individuals?|man)\s+"
    r"(?:\w+\s+){0,3}?(?:was|were|had\s+been|has\s+been)\s+(?:captured|seized|detained|apprehended)\b",
    re.I)
_PLACE_CAPTURED = re.compile(
    r"\b(?:captur|seiz|took|tak|recaptur|retook|regain|overr[au]n)\w*\s+(?:\w+\s+){0,4}?(?:control|villages?|towns?|"
    r"city|cities|areas?|positions?|hills?|districts?|territory|bases?|airports?|neighbou?rhoods?|checkpoints?)\b",
    re.I)


@dataclass
class TypePrediction:
    sub_event_type: str | None  # None = no event
    event_type: str | None
    plover_type: str | None
    confidence: float  # calibrated-ish probability that the label is right (0..1)
    scores: dict[str, float] = field(default_factory=dict)  # per class incl. "none"


class EventClassifier:
    """Multinomial logistic regression over hashed-free sparse features."""

    def __init__(self, vocab: list[str], weights: np.ndarray, bias: np.ndarray,
                 classes: list[str], temperature: float = 1.0, meta: dict | None = None,
                 dense: np.ndarray | None = None) -> None:
        self.index = {f: i for i, f in enumerate(vocab)}
        # weights of the dense word-vector features (wordvecs.WordVectors), dim x classes
        self.Wd = None if dense is None else np.asarray(dense, dtype=np.float32)
        self._word_logits: np.ndarray | None = None
        n_classes = len(classes)
        # One extra all-zero row: every text gets it, so no row of the batch is empty.
        self.W = np.vstack([np.asarray(weights, dtype=np.float32), np.zeros((1, n_classes), np.float32)])
        self.pad = len(vocab)
        self.b = np.asarray(bias, dtype=np.float32)
        self.classes = list(classes)
        self.temperature = float(temperature)
        self.meta = meta or {}
        # Output classes: the 25 ACLED sub-event types seen in training plus "none".
        self.out_classes = [c for c in self.classes if not c.startswith(NONE_PREFIX)] + [NONE]
        col = {c: i for i, c in enumerate(self.out_classes)}
        self._collapse = np.zeros((n_classes, len(self.out_classes)), np.float32)
        for i, c in enumerate(self.classes):
            self._collapse[i, col[NONE] if c.startswith(NONE_PREFIX) else col[c]] = 1.0

    # ---- loading -------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> "EventClassifier":
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            vocab = bytes(z["vocab"]).decode("utf-8").split("\n")
            scale = float(meta.get("weight_scale", 1.0))
            W = z["W"].astype(np.float32) * scale
            b = z["b"].astype(np.float32)
            dense = z["Wd"].astype(np.float32) * float(meta["dense_scale"]) if "Wd" in z.files else None
        if meta.get("feature_spec") != feature_spec_hash():
            raise RuntimeError(
                f"{path}: model was trained with a different feature extractor; "
                "rebuild it with scripts/train_typing.py")
        if dense is not None:
            from watchfloor.extract.wordvecs import WordVectors

            if meta.get("wordvecs") != WordVectors.default().fingerprint:
                raise RuntimeError(f"{path}: model was trained with another word-vector table; "
                                   "rebuild it with scripts/train_typing.py")
        return cls(vocab, W, b, meta["classes"], meta.get("temperature", 1.0), meta, dense)

    @classmethod
    def default(cls, backend: str = "linear") -> "EventClassifier":
        """The shipped model (cached).  ``backend="embed"`` or ``"embed-large"`` returns
        an optional sentence-encoder mixture (``classify_embed.EmbeddingClassifier``;
        needs its extra), which has the same predict/predict_many API."""
        if backend != "linear":
            from watchfloor.extract.classify_embed import BACKENDS, EmbeddingClassifier

            if backend not in BACKENDS:
                raise ValueError(f"unknown typing backend {backend!r} (expected 'linear', 'embed' or 'embed-large')")
            return EmbeddingClassifier.default(backend)  # type: ignore[return-value]
        return _default_classifier()

    # ---- inference -----------------------------------------------------
    def _rows(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        get = self.index.get
        idx: list[int] = []
        val: list[float] = []
        starts: list[int] = []
        pad = self.pad
        for text in texts:
            starts.append(len(idx))
            idx.append(pad)
            val.append(0.0)
            ngf, cuf, prf = features_groups(text)
            ng = [i for i in map(get, ngf) if i is not None]
            cu = [i for i in map(get, cuf) if i is not None]
            pr = [i for i in map(get, prf) if i is not None]
            if ng:
                w = 1.0 / math.sqrt(len(ng))
                idx.extend(ng)
                val.extend([w] * len(ng))
            if cu:
                idx.extend(cu)
                val.extend([1.0] * len(cu))
            if pr:
                w = 1.0 / math.sqrt(len(pr))
                idx.extend(pr)
                val.extend([w] * len(pr))
        return (np.asarray(idx, dtype=np.int64), np.asarray(val, dtype=np.float32),
                np.asarray(starts, dtype=np.int64))

    def _word_table(self):
        """The shipped word-vector table and each word's class scores from it (projected once)."""
        from watchfloor.extract.wordvecs import WordVectors

        wv = WordVectors.default()
        if self._word_logits is None:
            self._word_logits = wv.project(self.Wd)
        return wv, self._word_logits

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, len(self.classes)) softmax probabilities over the fine classes."""
        if not texts:
            return np.zeros((0, len(self.classes)), np.float32)
        idx, val, starts = self._rows(texts)
        contrib = self.W[idx] * val[:, None]
        logits = np.add.reduceat(contrib, starts, axis=0) + self.b
        if self.Wd is not None:
            wv, word_logits = self._word_table()
            logits += wv.pooled(texts, word_logits)
        logits /= self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def predict_many(self, texts: list[str]) -> list[TypePrediction]:
        out: list[TypePrediction] = []
        if not texts:
            return out
        P = self.probabilities(list(texts)) @ self._collapse
        best = P.argmax(axis=1)
        names = self.out_classes
        for text, row, j in zip(texts, P.tolist(), best.tolist()):  # python floats: faster than numpy scalars
            label = names[j]
            scores = dict(zip(names, row))
            if label in _TERRITORY and _PERSON_CAPTURED.search(text) and not _PLACE_CAPTURED.search(text):
                label = "Arrests"  # codebook: capturing people is an arrest, not a territorial change
            if label == NONE:
                out.append(TypePrediction(None, None, None, row[j], scores))
            else:
                out.append(TypePrediction(label, SUB_EVENT_TO_TYPE[label], ACLED_TO_PLOVER[label],
                                          row[j], scores))
        return out

    def predict(self, text: str) -> TypePrediction:
        return self.predict_many([text])[0]


_default_classifier = shared(lambda: EventClassifier.load(MODEL_PATH))