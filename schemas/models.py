"""The pydantic models that are the dataset's contract.

Each output table (events, articles, rejects) is one model here; `schemas.arrow` derives the
Parquet schema from these classes, and the field descriptions below end up in the Parquet
field metadata and in docs/schema.md. Change a column here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.vocab import (
    SUB_EVENT_PARENT,
    ActorType,
    Admin1,
    EventFlag,
    EventType,
    RejectReason,
    SubEventType,
)

Count = Annotated[int, Field(ge=0)]


class InputArticle(BaseModel):
    """One article as read from the input, before any processing."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, description="Article identifier, unique within the input.")
    text: str = Field(description="Body text of the article.")
    title: str | None = Field(default=None, description="Headline.")
    source: str | None = Field(default=None, description="Outlet that published the article.")
    url: str | None = Field(default=None, description="Address of the article.")
    published: dt.datetime | None = Field(
        default=None, description="Publication time, timezone-aware (UTC when none was given)."
    )


class Event(BaseModel):
    """One conflict event, coded after ACLED, with the evidence that supports it."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    event_id: str = Field(
        description="Stable identifier: the same article content and event give the same id."
    )
    article_id: str = Field(description="Identifier of the article the event was read from.")
    source: str | None = Field(default=None, description="Outlet of the article.")
    url: str | None = Field(default=None, description="Address of the article.")
    published: dt.datetime | None = Field(
        default=None, description="Publication time of the article, UTC."
    )

    event_type: EventType = Field(description="ACLED event type.")
    sub_event_type: SubEventType = Field(description="ACLED sub-event type.")
    action: str = Field(description="The Arabic trigger words as written in the article.")

    actor1: str | None = Field(
        default=None, description="Who acted: canonical English name (ACLED style)."
    )
    actor1_text: str | None = Field(default=None, description="Arabic span naming actor1.")
    actor1_type: ActorType | None = Field(default=None, description="ACLED actor type of actor1.")
    actor2: str | None = Field(
        default=None, description="Who was acted upon (target, victims, other side)."
    )
    actor2_text: str | None = Field(default=None, description="Arabic span naming actor2.")
    actor2_type: ActorType | None = Field(default=None, description="ACLED actor type of actor2.")

    location: str | None = Field(default=None, description="English name of the place.")
    location_text: str | None = Field(
        default=None, description="Arabic span naming the place, as written."
    )
    admin1: Admin1 | None = Field(
        default=None, description="Syrian governorate (null outside Syria or when unknown)."
    )
    admin2: str | None = Field(default=None, description="District (mintaqa), English name.")
    admin3: str | None = Field(default=None, description="Subdistrict (nahiya), English name.")
    pcode: str | None = Field(default=None, description="OCHA p-code of the place, when known.")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-3 country code.")
    latitude: float | None = Field(default=None, ge=-90, le=90, description="WGS84 latitude.")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS84 longitude.")
    geo_precision: int | None = Field(
        default=None,
        ge=1,
        le=3,
        description=(
            "ACLED geo_precision: 1 the place itself, 2 near it or part of a region, "
            "3 only a larger area (governorate's representative point)."
        ),
    )

    event_date: dt.date | None = Field(default=None, description="Date of the event.")
    date_start: dt.date | None = Field(
        default=None, description="First day when the date is a range; else equal to event_date."
    )
    date_text: str | None = Field(
        default=None, description="Arabic time expression the date was read from."
    )
    date_precision: int | None = Field(
        default=None,
        ge=1,
        le=3,
        description="ACLED time_precision: 1 day, 2 week (or a few days), 3 month.",
    )

    killed_low: Count | None = Field(default=None, description="Fewest people killed reported.")
    killed_high: Count | None = Field(
        default=None, description="Most people killed reported (null: open-ended)."
    )
    injured_low: Count | None = Field(default=None, description="Fewest people injured reported.")
    injured_high: Count | None = Field(
        default=None, description="Most people injured reported (null: open-ended)."
    )
    fatalities: Count = Field(
        default=0, description="ACLED-style conservative fatality count (see docs/fatalities)."
    )
    civilian_victims: bool | None = Field(
        default=None,
        description="True when victims are said to be civilians, false when fighters only.",
    )
    reported_by: str | None = Field(
        default=None, description="Who the article attributes the report to (e.g. SOHR, SANA)."
    )

    sentence: str = Field(description="Evidence: the article text the event was read from.")
    char_start: int = Field(ge=0, description="Offset of the evidence in the article text.")
    char_end: int = Field(ge=0, description="End offset (exclusive) of the evidence.")

    confidence: float = Field(ge=0, le=1, description="Extractor's confidence, 0 to 1.")
    flags: list[EventFlag] = Field(
        default_factory=list, description="Why some fields are less certain (see docs/schema)."
    )
    cluster_id: str = Field(
        description="Identifier of the real-world event; reports of one event share it."
    )
    pipeline_version: str = Field(description="waqai version that produced the row.")
    run_id: str = Field(description="Identifier of the run that produced the row.")

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if SUB_EVENT_PARENT[self.sub_event_type] != self.event_type:
            raise ValueError(
                f"sub_event_type {self.sub_event_type!r} is not a kind of {self.event_type!r}"
            )
        if self.char_end < self.char_start:
            raise ValueError("char_end precedes char_start")
        for low, high, name in (
            (self.killed_low, self.killed_high, "killed"),
            (self.injured_low, self.injured_high, "injured"),
        ):
            if low is not None and high is not None and high < low:
                raise ValueError(f"{name}_high is below {name}_low")
            if low is None and high is not None:
                raise ValueError(f"{name}_high without {name}_low")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self

    @field_validator("published")
    @classmethod
    def _utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("published must be timezone-aware")
        return value.astimezone(dt.UTC) if value is not None else None


class ArticleRecord(BaseModel):
    """One processed article: what was read, and how many events came out of it."""

    model_config = ConfigDict(extra="forbid")

    article_id: str = Field(description="Identifier of the article.")
    source: str | None = Field(default=None, description="Outlet of the article.")
    url: str | None = Field(default=None, description="Address of the article.")
    title: str | None = Field(default=None, description="Headline.")
    published: dt.datetime | None = Field(default=None, description="Publication time, UTC.")
    text: str = Field(
        description="Cleaned article text; events' char_start/char_end index into it."
    )
    n_chars: Count = Field(description="Length of the cleaned text in characters.")
    n_sentences: Count = Field(description="Number of sentences found.")
    n_events: Count = Field(description="Number of events extracted.")
    content_sha256: str = Field(description="SHA-256 of title and text: changes when content does.")
    input: str = Field(description="Input file the article was read from.")
    run_id: str = Field(description="Identifier of the run that processed it.")


class Reject(BaseModel):
    """One input record that could not be processed, and why."""

    model_config = ConfigDict(extra="forbid")

    input: str = Field(description="Input file (and member, for archives) of the record.")
    line: int | None = Field(
        default=None, description="Line number (JSON Lines) or record number (<DOC> files)."
    )
    article_id: str | None = Field(default=None, description="Article id, when it could be read.")
    reason_code: RejectReason = Field(description="Machine-readable reason.")
    reason: str = Field(description="What is wrong, in words.")
    snippet: str | None = Field(
        default=None, description="The first characters of the record, for inspection."
    )
    published: dt.datetime | None = Field(
        default=None, description="Publication time, when it could be read (for partitioning)."
    )
    run_id: str = Field(description="Identifier of the run that met the record.")


class Cluster(BaseModel):
    """One real-world event: the reports (events) that describe it, merged (docs/dedup.md).

    Written by `waqai cluster`; partitioned by the month of the first report. `event_ids` is
    the event-to-cluster mapping, and `merge_reasons[i]` says why `event_ids[i]` belongs here.
    """

    model_config = ConfigDict(extra="forbid")

    cluster_id: str = Field(
        description="Identifier of the real-world event: the event_id of its first-seen report, "
        "kept across runs."
    )
    event_type: EventType = Field(description="ACLED event type shared by the reports.")
    sub_event_type: SubEventType = Field(
        description="Sub-event type most reports give (ties: the most precise report's)."
    )
    actor1: str | None = Field(default=None, description="Actor1 most reports name.")
    actor1_type: ActorType | None = Field(default=None, description="ACLED actor type of actor1.")
    actor2: str | None = Field(default=None, description="Actor2 most reports name.")
    actor2_type: ActorType | None = Field(default=None, description="ACLED actor type of actor2.")
    location: str | None = Field(
        default=None, description="Place of the most precisely located report (English name)."
    )
    admin1: Admin1 | None = Field(default=None, description="Syrian governorate of the place.")
    admin2: str | None = Field(default=None, description="District (mintaqa) of the place.")
    admin3: str | None = Field(default=None, description="Subdistrict (nahiya) of the place.")
    pcode: str | None = Field(default=None, description="OCHA p-code of the place, when known.")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-3 country code.")
    latitude: float | None = Field(default=None, ge=-90, le=90, description="WGS84 latitude.")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS84 longitude.")
    geo_precision: int | None = Field(
        default=None, ge=1, le=3, description="ACLED geo_precision of the place (best report's)."
    )
    event_date: dt.date | None = Field(
        default=None, description="Date most of the most precisely dated reports give."
    )
    date_start: dt.date | None = Field(
        default=None, description="First day when the date is a range; else equal to event_date."
    )
    date_precision: int | None = Field(
        default=None, ge=1, le=3, description="ACLED time_precision of the date (best report's)."
    )
    killed_low: Count | None = Field(
        default=None, description="Fewest people killed any report gives."
    )
    killed_high: Count | None = Field(
        default=None, description="Most people killed any report gives (null: open-ended)."
    )
    injured_low: Count | None = Field(
        default=None, description="Fewest people injured any report gives."
    )
    injured_high: Count | None = Field(
        default=None, description="Most people injured any report gives (null: open-ended)."
    )
    fatalities: Count = Field(
        default=0,
        description="Best estimate of fatalities: the lower median of the fatalities of the "
        "reports that give a number, else of those that give a toll (see docs/dedup.md).",
    )
    civilian_victims: bool | None = Field(
        default=None,
        description="True when a report says the victims were civilians, false when reports "
        "say fighters only.",
    )
    n_events: Count = Field(description="Number of events (reports) in the cluster.")
    n_articles: Count = Field(description="Number of distinct articles reporting it.")
    n_sources: Count = Field(description="Number of distinct outlets reporting it.")
    sources: list[str] = Field(default_factory=list, description="The outlets, sorted.")
    first_reported: dt.datetime | None = Field(
        default=None, description="Publication time of the first report, UTC."
    )
    last_reported: dt.datetime | None = Field(
        default=None, description="Publication time of the latest report, UTC."
    )
    event_ids: list[str] = Field(
        description="The member events, first-seen first: the event-to-cluster mapping."
    )
    merge_reasons: list[str] = Field(
        description="For each member, in event_ids order, the evidence that put it here."
    )
    pipeline_version: str = Field(description="waqai version that computed the row.")
    run_id: str = Field(description="Identifier of the clustering run that last changed the row.")

    @model_validator(mode="after")
    def _consistent(self) -> Cluster:
        if SUB_EVENT_PARENT[self.sub_event_type] != self.event_type:
            raise ValueError(
                f"sub_event_type {self.sub_event_type!r} is not a kind of {self.event_type!r}"
            )
        if not self.event_ids or len(self.event_ids) != len(self.merge_reasons):
            raise ValueError("every member needs one merge reason")
        if self.n_events != len(self.event_ids):
            raise ValueError("n_events must count event_ids")
        for low, high, name in (
            (self.killed_low, self.killed_high, "killed"),
            (self.injured_low, self.injured_high, "injured"),
        ):
            if low is not None and high is not None and high < low:
                raise ValueError(f"{name}_high is below {name}_low")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


TABLES: dict[str, type[BaseModel]] = {
    "events": Event,
    "articles": ArticleRecord,
    "rejects": Reject,
    "clusters": Cluster,
}
