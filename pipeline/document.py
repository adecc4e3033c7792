"""The document as it flows through the stages, and the mentions the stages add to it.

Offsets (`start`, `end`) are always character offsets into `Document.text`, the clean article
text, end exclusive: `doc.text[m.start:m.end] == m.text`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schemas import Event, InputArticle


@dataclass
class Span:
    """A piece of the article text with a label (NER type, token, ...)."""

    start: int
    end: int
    text: str
    label: str = ""


@dataclass
class Sentence:
    """A sentence of the article, with the Stanza tokens and entities inside it."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int
    tokens: list[Span] = field(default_factory=list)
    entities: list[Span] = field(default_factory=list)


@dataclass
class Trigger:
    """Words announcing an event, matched from the trigger lexicon."""

    start: int
    end: int
    text: str
    event_type: str
    sub_event_type: str
    priority: int = 0
    # Introduced as the topic of a statement or a reaction ("بشأن الهجوم", "ردا على القصف").
    referred: bool = False


@dataclass
class Place:
    """A gazetteer entry."""

    name: str  # English name
    name_ar: str
    kind: str  # governorate, district, subdistrict, city, town, village, camp, neighbourhood, ...
    country: str  # ISO3
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    pcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0


@dataclass
class PlaceMention:
    """A place named in the text; `place` is None when it could not be resolved."""

    start: int
    end: int
    text: str
    place: Place | None
    geo_precision: int | None = None


@dataclass
class ActorMention:
    """An actor named in the text, resolved against the actor dictionary."""

    start: int
    end: int
    text: str
    name: str
    actor_type: str
    role_hint: str = ""  # "agent" when the phrase itself says who acts (e.g. الطيران الروسي)


@dataclass
class DateMention:
    """A time expression and the date (or range) it resolves to."""

    start: int
    end: int
    text: str
    date: dt.date | None
    date_start: dt.date | None
    precision: int  # ACLED time_precision: 1 day, 2 week, 3 month


@dataclass
class Toll:
    """Casualties stated in a sentence."""

    killed_low: int | None = None
    killed_high: int | None = None
    injured_low: int | None = None
    injured_high: int | None = None
    civilian_victims: bool | None = None
    spans: list[Span] = field(default_factory=list)


@dataclass
class Document:
    """One article on its way through the pipeline."""

    article: InputArticle
    input: str  # where it was read from
    text: str = ""  # clean text: offsets index into it
    sentences: list[Sentence] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    content_sha256: str = ""

    @property
    def published_date(self) -> dt.date | None:
        return self.article.published.date() if self.article.published else None
