"""Plain data that crosses the boundaries between pipeline stages.

Every stage takes and returns these dataclasses, never database rows or spaCy
objects, so a stage can be replaced or tested without the others.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any


def content_hash(text: str) -> str:
    """Stable identity of a document: the same text ingested twice is one document."""
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass
class Document:
    """One report as read from a file, a feed entry or a JSONL line."""

    text: str
    id: str = ""  # the input's own id when it has one, else derived from the hash
    title: str | None = None
    date: date | None = None  # publication date
    url: str | None = None
    publisher: str | None = None
    language: str | None = None
    source_path: str | None = None  # file (and line/entry) it came from
    retrieved_at: datetime | None = None
    author: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            self.id = self.hash[:16]

    @property
    def hash(self) -> str:
        return content_hash(self.text)


@dataclass
class Place:
    """A place mention resolved against the gazetteer (output of the geocode stage)."""

    mention: str  # the words as written
    start: int  # character span in the text the geocoder was given
    end: int
    name: str  # canonical name of the resolved place
    country: str = "Syria"
    admin1: str | None = None
    admin1_pcode: str | None = None
    admin2: str | None = None
    admin2_pcode: str | None = None
    admin3: str | None = None
    admin3_pcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int = 1  # 1 the named town, 2 near it or its district, 3 only a region
    kind: str = "town"  # town, admin1, admin2, admin3, region, country
    score: float = 1.0
    by_direction: bool = False  # a district guessed from "western countryside of X", not named
    candidates: list[dict[str, Any]] = field(default_factory=list)  # for `watchfloor geocode`


@dataclass
class ActorMention:
    """An actor mention resolved to a canonical actor of the knowledge base."""

    mention: str
    start: int
    end: int
    actor_id: str
    name: str  # canonical display name, as in actor1/actor2
    actor_type: int | None = None  # ACLED inter code (1 state forces ... 8 external forces)


# ACLED's taxonomy, exact spellings (ACLED codebook 2023+).
ACLED_TAXONOMY: dict[str, list[str]] = {
    "Battles": [
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ],
    "Explosions/Remote violence": [
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ],
    "Violence against civilians": [
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ],
    "Protests": [
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": [
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ],
}

SUB_EVENT_TO_TYPE: dict[str, str] = {
    sub: etype for etype, subs in ACLED_TAXONOMY.items() for sub in subs
}


@dataclass
class Event:
    """One coded event, with ACLED's field names so analysts recognise them.

    `evidence`, `span_start`/`span_end` (character offsets in the document text)
    and `doc_id` make every field traceable to the sentence that supports it.
    """

    doc_id: str
    event_id: str
    event_date: str | None  # ISO date
    time_precision: int  # 1 day, 2 week, 3 month
    event_type: str
    sub_event_type: str
    evidence: str
    span_start: int
    span_end: int
    confidence: float
    plover_type: str | None = None
    actor1: str | None = None
    assoc_actor_1: str | None = None
    actor2: str | None = None
    assoc_actor_2: str | None = None
    inter1: int | None = None
    inter2: int | None = None
    country: str | None = None
    admin1: str | None = None
    admin1_pcode: str | None = None
    admin2: str | None = None
    admin2_pcode: str | None = None
    admin3: str | None = None
    admin3_pcode: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    fatalities: int | None = None
    arrests: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Event":
        names = set(cls.field_names())
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Rejection:
    """A file, line or entry that could not be used, and why (one line for the user)."""

    where: str  # "path" or "path:line"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class IngestReport:
    """What one ingest run did: the summary every run ends with."""

    new: list[str] = field(default_factory=list)  # document ids
    duplicate: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    events: int = 0
    suggestions: int = 0  # new items for `watchfloor review`
    warnings: list[str] = field(default_factory=list)
