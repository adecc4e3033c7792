"""Stage 6: deduplicate within an article, as ACLED's granularity rule asks.

One event per event type, place and day: when an article tells the same strike in its lead and
again in its body, the first report is kept and later ones only fill the fields it lacks (a toll,
an actor, a date expression). A sentence that continues a report without naming the place
("وقتل خمسة مدنيين في الغارات") joins the located event of the same type and day before it in
the same paragraph. Actors left unsaid in a sentence are taken from the previous event of the
same type in the article, as an analyst reading the whole report would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.actors import AIR_CAPABLE
from pipeline.document import Sentence
from pipeline.gazetteer import haversine_km
from pipeline.normalize import fold
from schemas import Event

# Strikes whose attacker a report names once and then implies; a bombing's author is unknown
# until someone claims it, so it never inherits one.
IMPLIED_ATTACKER = {"Air/drone strike", "Shelling/artillery/missile attack"}

# Fields a later report of the same event may fill when the first one left them empty.
FILLABLE = (
    "actor1",
    "actor1_text",
    "actor1_type",
    "actor2",
    "actor2_text",
    "actor2_type",
    "civilian_victims",
    "reported_by",
)


# A sentence that gives a source's details of what the sentence before it told: "وقال المرصد
# إن…", "واوضح المرصد ان…", "ونقل التلفزيون عن مصدر…".
ELABORATION = re.compile(
    r"^\W*[وف]?(?:قال|قالت|اوضح|اوضحت|افاد|افادت|نقل|نقلت|ذكر|ذكرت|اشار|اشارت|اضاف|اضافت|"
    r"اكد|اكدت|بين|بينت)(?!\w)"
)
# A lead's place and the place its details name lie this close at most ("ضواحي دمشق" then
# "حي كشكول"; "في الحسكة" then "بلدة تل تمر").
LEAD_KM = 40.0


def _place_key(event: Event) -> str | None:
    return event.location or event.location_text


def _key(event: Event) -> tuple[str, str | None, object]:
    return (event.event_type, _place_key(event), event.event_date)


def _absorb(kept: Event, later: Event) -> Event:
    updates: dict[str, object] = {}
    for name in FILLABLE:
        if getattr(kept, name) is None and getattr(later, name) is not None:
            updates[name] = getattr(later, name)
    # A toll is a unit: high None means "open-ended", not "unknown", so a range is only taken
    # over whole, and only when the first report gave none.
    if kept.killed_low is None and later.killed_low is not None:
        updates["killed_low"], updates["killed_high"] = later.killed_low, later.killed_high
        updates["fatalities"] = later.fatalities
    if kept.injured_low is None and later.injured_low is not None:
        updates["injured_low"], updates["injured_high"] = later.injured_low, later.injured_high
    return kept.model_copy(update=updates) if updates else kept


def inherit_actors(events: list[Event]) -> list[Event]:
    """Give an event without actor1 the actor1 of the previous event of its type."""
    last: dict[str, Event] = {}
    result: list[Event] = []
    for event in events:
        previous = last.get(event.event_type)
        if (
            event.actor1 is None
            and previous is not None
            and previous.actor1 is not None
            and event.sub_event_type in IMPLIED_ATTACKER
            and (event.sub_event_type != "Air/drone strike" or previous.actor1_type in AIR_CAPABLE)
        ):
            event = event.model_copy(
                update={
                    "actor1": previous.actor1,
                    "actor1_text": None,
                    "actor1_type": previous.actor1_type,
                }
            )
        if event.actor1 is not None:
            last[event.event_type] = event
        result.append(event)
    return result


def _counted(low: int | None, high: int | None) -> bool:
    """Whether a toll gives a number; bare "قتلى" (1 or more) gives none."""
    return low is not None and (low, high) != (1, None)


def _details(lead: Event, detail: Event, before: list[Event]) -> bool:
    """Whether `detail`, from the sentence after `lead`'s, tells where the lead's event was."""
    if (detail.sub_event_type, detail.event_date) != (lead.sub_event_type, lead.event_date):
        return False
    if not ELABORATION.search(fold(detail.sentence[:40])) or _place_key(detail) is None:
        return False
    if not (_counted(lead.killed_low, lead.killed_high) or lead.injured_low is not None):
        return False
    if _counted(detail.killed_low, detail.killed_high) or detail.injured_low is not None:
        return False  # the detail has a toll of its own: perhaps another event
    if _place_key(lead) is None:
        # no place: the lead of what follows, unless it continues a report told before it
        return not any(
            (e.event_type, e.event_date) == (lead.event_type, lead.event_date)
            and _place_key(e) is not None
            for e in before
        )
    if (
        lead.latitude is None
        or lead.longitude is None
        or detail.latitude is None
        or detail.longitude is None
    ):
        return False
    distance = haversine_km(lead.latitude, lead.longitude, detail.latitude, detail.longitude)
    return _place_key(lead) != _place_key(detail) and distance <= LEAD_KM


def fold_leads(events: list[Event], sentence_of: dict[int, int]) -> list[Event]:
    """Join a lead to the sentence after it when that sentence gives the lead's details.

    News states an event with its toll first, at a coarse place or none ("قتل 35 شخصا في هجوم
    صاروخي على سوق في ضواحي دمشق"), then quotes a source for the exact place ("ونقل التلفزيون
    عن مصدر أن قذيفة ... على سوق شعبية في حي كشكول"). That is one event at the exact place, with
    the lead's toll, not two.
    """
    result = list(events)
    for position, lead in enumerate(events):
        following = [
            e
            for e in events
            if sentence_of[e.char_start] == sentence_of[lead.char_start] + 1
            and e.event_type == lead.event_type
        ]
        if len(following) != 1 or not _details(lead, following[0], events[:position]):
            continue
        detail = following[0]
        update: dict[str, object] = {
            "killed_low": lead.killed_low,
            "killed_high": lead.killed_high,
            "fatalities": lead.fatalities,
            "injured_low": lead.injured_low,
            "injured_high": lead.injured_high,
        }
        if lead.civilian_victims is not None:
            update["civilian_victims"] = lead.civilian_victims
        merged = _absorb(detail.model_copy(update=update), lead)
        result = [merged if e is detail else e for e in result if e is not lead]
    return result


def deduplicate(events: list[Event], sentences: Sequence[Sentence]) -> list[Event]:
    """Merge reports of one event inside one article.

    An event without any place that continues no located event is dropped: ACLED codes no event
    without a location, and such sentences are mostly talk about events told elsewhere.
    """
    paragraph_of = {s.start: s.paragraph for s in sentences}
    sentence_of = {s.start: s.index for s in sentences}
    kept: list[Event] = []
    index: dict[tuple[str, str | None, object], int] = {}
    for event in fold_leads(inherit_actors(events), sentence_of):
        if _place_key(event) is None:
            target = _continued_event(kept, event, paragraph_of)
            if target is not None:
                kept[target] = _absorb(kept[target], event)
            continue
        key = _key(event)
        if key in index:
            kept[index[key]] = _absorb(kept[index[key]], event)
            continue
        index[key] = len(kept)
        kept.append(event)
    return kept


def _continued_event(kept: list[Event], event: Event, paragraph_of: dict[int, int]) -> int | None:
    """Index of the located event of the same type and day in the same paragraph, if any."""
    paragraph = paragraph_of.get(event.char_start)
    for position in range(len(kept) - 1, -1, -1):
        candidate = kept[position]
        if paragraph_of.get(candidate.char_start) != paragraph:
            break
        if (
            candidate.event_type == event.event_type
            and candidate.event_date == event.event_date
            and _place_key(candidate) is not None
        ):
            return position
    return None
