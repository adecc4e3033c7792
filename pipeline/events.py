"""Stages 3-5: read each sentence's triggers, resolve its arguments, assemble `Event` records.

For every sentence that reports something (pipeline/triggers.py), the arguments come from the
same sentence: places (gazetteer), actors (dictionary), date (own rules + dateparser), toll.
ACLED's granularity rule decides how many events a sentence gives: one per event type and
place, so "غارات على دوما وحرستا وعربين" is three events. Every event is validated by the
pydantic model on construction and carries its evidence offsets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from pipeline import __version__
from pipeline.actors import assign_roles, find_actors, find_reporter, fits
from pipeline.dates import day_mentions, sentence_dates
from pipeline.dedup import IMPLIED_ATTACKER
from pipeline.document import (
    ActorMention,
    DateMention,
    Document,
    PlaceMention,
    Sentence,
    Toll,
    Trigger,
)
from pipeline.gazetteer import Gazetteer, haversine_km
from pipeline.normalize import Folded, fold
from pipeline.tolls import CLAUSE_BREAK, clause_tolls, fatalities, find_toll
from pipeline.triggers import (
    Lexicon,
    SentenceReading,
    dates_a_statement,
    load_lexicon,
    opens_with_statement,
    read_sentence,
)
from schemas import Event

# Base confidence of an event from a strong trigger word; weak words and flags lower it.
CONFIDENCE_STRONG = 0.8
CONFIDENCE_WEAK = 0.55
FLAG_FACTORS = {"denied": 0.4, "alleged": 0.6, "location_unresolved": 0.9, "location_missing": 0.8}
# Events dated this long before publication are background, not news (GUIDELINES: optional),
# and counting them again would inflate the dataset with re-told history.
MAX_AGE_DAYS = 30
# A line this short without closing punctuation is a heading or a caption.
HEADING_WORDS = 12
# A toll this large is a running total of a campaign, not the toll of one event (ACLED codes
# single events; the largest single attacks of the war killed hundreds).
MAX_EVENT_KILLED = 1000
# A sentence dated by a period longer than this tells a campaign or a running total.
CAMPAIGN_DAYS = 10
# Words before a place that only situate the place named before it ("إعزاز شمال حلب").
SITUATING = re.compile(
    r"(?:شمال|جنوب|شرق|غرب|شمالي|جنوبي|شرقي|غربي|شمال شرق|شمال غرب|جنوب شرق|جنوب غرب|"
    r"قرب|بالقرب من|محيط|ضواحي|وسط|ريف) (?:ال)?$"
)
# Outskirts words situate only the place right before them ("حي كشكول على أطراف ضاحية جرمانا");
# after a verb they name where things happen ("تقدمت إلى مشارف سراقب").
OUTSKIRTS = re.compile(r"(?:ضاحيه|اطراف|اطراف ضاحيه|مشارف|مدخل) (?:ال)?$")
# "في مدينة حمص", "بدمشق", "لمدينة الحسكة" after a place close by: where that place lies.
LOCATING = re.compile(r"(?:(?:في|ب|ل) ?(?:مدينه|محافظه|منطقه|ريف) |(?<!\S)[وف]?[بل])$")
# A place this close to an earlier place of the sentence, and introduced as its location, only
# says where the earlier place is ("حي الزهراء في مدينة حمص"); it is not a second event.
LOCATING_KM = 40.0
# At most two words (adjectives: "العسكري", "الجوية") and then "في"/"ب" between a place and the
# city or governorate that locates it.
LOCATING_GAP = re.compile(r"\s*(?:[\w\u0640]+\s+){0,2}(?:في\s+|ب)")
# A city this populous is a governorate's centre, and "في X" after a place names its area.
LOCATING_CITY_POPULATION = 50_000
# Words before a place that make it a destination ("إلى إدلب", "باتجاه الشمال", "وجهتهم الرقة").
DESTINATION = re.compile(r"(?:الي|نحو|باتجاه|وجهتهم|وجهتها|صوب|لتكون وجهتهم) (?:\w+ )?$")
# Words between a place and the next that only join a list: "، " or " و" (clitic left over).
LISTED = re.compile(r"\s*(?:،|,)?\s*(?:و|او)?")
# More words than this between a place and "أطراف/مشارف X": X is a place of its own.
SITUATING_GAP_WORDS = 4
# Words that refer back to an armed group named before ("التنظيم", "الفصيل", "الجماعة").
GROUP_REFERENCE = re.compile(r"(?<!\w)[وفب]?(?:ل|ال|لل)(?:تنظيم|فصيل|جماعه)(?!\w)")
ARMED_GROUP_TYPES = {"Rebel group", "Political militia", "Identity militia"}
# A dateline opens many articles ("دمشق - (وكالات):", "دبي، الإمارات (CNN)--"): the place where
# the report was filed, not where anything happened.
DATELINE = re.compile(r"^[^\n.]{0,80}?(?:\(وكالات\)|\([A-Za-z .]+\)\s*-+|\s[-–—]{1,2}\s|--)")
# A name only the NER model calls a place, unknown to every gazetteer, counts only where a
# place word or a locative preposition introduces it ("في قرية X", "على X").
LOCATIVE = re.compile(
    r"(?:(?<!\w)(?:في|على|قرب|ب|استهدف\w*|قري\w*|بلد\w*|مدين\w*|حي|حيي|مخيم|منطق\w*|ناحي\w*|"
    r"مزرع\w*|خرب\w*|تل\w*|جبل|معبر|مطار|قاعد\w*|سوق|قصف\w*|[وف]?ب) ?)$"
)
# The same place words when the name itself begins with one ("خربة الزنبقة", "تل السمن").
PLACE_WORD = re.compile(r"^(?:قري|بلد|مدين|حي|مخيم|منطق|ناحي|مزرع|خرب|تل|جبل|معبر|مطار|قاعد|سوق)")
ARRIVAL = re.compile(r"(?<!\w)[وف]?(?:وصل|وصول)")
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
# At most this many words between an event's words and the day told for it ("هجوم كيميائي
# مساء السبت", "غارات على مدينة دوما السبت").
TRIGGER_DATE_WORDS = 6
# "العاصمة (السورية)" between a preposition and the capital's name.
CAPITAL_WORD = re.compile(r" (?:ال)?عاصمه (?:(?:ال)?سوريه )?$")
# Place kinds that only situate a more specific place named beside them ("دوما بريف دمشق").
AREA_KINDS = {"country", "governorate", "region", "district", "subdistrict"}


@dataclass
class Context:
    """What the assembly needs besides the document: loaded once per process."""

    gazetteer: Gazetteer
    lexicon: Lexicon
    run_id: str


def make_context(gazetteer: Gazetteer, run_id: str) -> Context:
    return Context(gazetteer=gazetteer, lexicon=load_lexicon(), run_id=run_id)


def event_id(doc: Document, sub_event_type: str, trigger_start: int, place_key: str) -> str:
    """Stable id: same article content and same reading give the same id, run after run."""
    key = f"{doc.article.id}|{doc.content_sha256}|{sub_event_type}|{trigger_start}|{place_key}"
    return "ev-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def _government(sentence: Sentence, place: PlaceMention, capitals: frozenset[str]) -> bool:
    """A capital named without a preposition or place word: its government ("اتهمت به دمشق")."""
    return fold(place.text) in capitals and not LOCATIVE.search(_before(sentence, place))


def most_specific(
    sentence: Sentence,
    places: list[PlaceMention],
    actors: list[ActorMention],
    capitals: frozenset[str] = frozenset(),
) -> list[PlaceMention]:
    """The places a sentence's events happened at.

    A country is never an event's place (ACLED codes the most specific place; a country alone
    is "no place"); a capital standing for its government ("قالت واشنطن") is an actor; a
    Syrian place beats a foreign one named beside it; beside another place, a capital named
    without a preposition stands for its government too ("نفت دمشق"); a place we could not
    resolve only counts
    when nothing resolved is named; an area that only situates a more specific place of the
    sentence ("دوما بريف دمشق") gives way to it.
    """
    dateline = DATELINE.match(sentence.text) if sentence.index == 0 else None
    candidates = [
        p
        for p in places
        if (p.place is None or p.place.kind != "country")
        and not any(a.start <= p.start and p.end <= a.end for a in actors)
        and not (dateline and p.start - sentence.start < dateline.end())
    ]
    places = []
    for p in candidates:
        # "قرى عيدون والدلاك": a name joined by و to an accepted place shares its place word.
        listed = bool(places) and bool(LISTED.fullmatch(_gap(sentence, places[-1], p)))
        if (
            p.place is not None
            or LOCATIVE.search(_before(sentence, p))
            or PLACE_WORD.match(fold(p.text))
            or listed
        ):
            places.append(p)
    if len(places) > 1:
        places = [p for p in places if not _government(sentence, p, capitals)] or places
    if any(p.place is not None and p.place.country == "SYR" for p in places):
        places = [p for p in places if p.place is None or p.place.country == "SYR"]
    if any(p.place is not None for p in places):
        places = [p for p in places if p.place is not None]
    places = [
        p
        for i, p in enumerate(places)
        if i == 0
        or not (
            SITUATING.search(_before(sentence, p))
            or (
                OUTSKIRTS.search(_before(sentence, p))
                and len(_gap(sentence, places[i - 1], p).split()) <= SITUATING_GAP_WORDS
            )
            or (LOCATING.search(_before(sentence, p)) and _near_earlier(p, places[:i]))
            or _locates_previous(sentence, places[i - 1], p)
        )
    ]
    specific = [p for p in places if p.place is None or p.place.kind not in AREA_KINDS]
    if not specific:
        # Only areas: keep the most specific level named, not the governorate behind a region.
        for level in ("subdistrict", "district", "region", "governorate"):
            chosen = [p for p in places if p.place is not None and p.place.kind == level]
            if chosen:
                return chosen
        return places
    kept = list(specific)
    for area in places:
        if area in specific or area.place is None:
            continue
        covered = any(
            s.place is not None
            and s.place.country == area.place.country
            and (area.place.admin1 is None or s.place.admin1 == area.place.admin1)
            for s in specific
        )
        if not covered:
            kept.append(area)
    return sorted(kept, key=lambda p: p.start)


def _gap(sentence: Sentence, first: PlaceMention, second: PlaceMention) -> str:
    """Folded text between two place mentions of the sentence."""
    return fold(sentence.text[first.end - sentence.start : second.start - sentence.start])


def _before(sentence: Sentence, place: PlaceMention) -> str:
    """The folded words before a place, without "العاصمة" ("قرب العاصمة دمشق" = "قرب دمشق")."""
    return CAPITAL_WORD.sub(" ", fold(sentence.text[: place.start - sentence.start]))[-16:]


def _locates_previous(sentence: Sentence, previous: PlaceMention, place: PlaceMention) -> bool:
    """ "مطار التيفور العسكري في حمص": right after a place, "في X" where X is a big city of the
    same governorate (or the governorate) says where that place is, however far the city."""
    gap = _gap(sentence, previous, place)
    if not LOCATING_GAP.fullmatch(gap):
        return False
    here, there = place.place, previous.place
    if here is None or there is None or here.admin1 is None or here.admin1 != there.admin1:
        return False
    bigger = here.population >= LOCATING_CITY_POPULATION > there.population
    return here.kind in AREA_KINDS or (here.kind == "city" and bigger)


def _near_earlier(place: PlaceMention, earlier: list[PlaceMention]) -> bool:
    here = place.place
    if here is None or here.latitude is None or here.longitude is None:
        return False
    for other in earlier:
        there = other.place
        if there is None or there.latitude is None or there.longitude is None:
            continue
        if haversine_km(here.latitude, here.longitude, there.latitude, there.longitude) <= (
            LOCATING_KM
        ):
            return True
    return False


def is_heading(sentence: Sentence, doc: Document) -> bool:
    """A short line standing alone without closing punctuation: a heading or a caption, which
    repeats what the body reports."""
    line_start = doc.text.rfind("\n", 0, sentence.start) + 1
    line_end = doc.text.find("\n", sentence.end)
    line = doc.text[line_start : line_end if line_end >= 0 else len(doc.text)].strip()
    return (
        line == sentence.text.strip()
        and len(line.split()) <= HEADING_WORDS
        and not line.endswith((".", "!", "؟", "?", ":", '"', "»", "'"))
    )


def without_destinations(sentence: Sentence, places: list[PlaceMention]) -> list[PlaceMention]:
    """For movements, drop the places people go to: the event is where they leave from."""
    kept = [
        p
        for p in places
        if not DESTINATION.search(fold(sentence.text[: p.start - sentence.start])[-24:])
    ]
    return kept or places


def historical(sentence: Sentence, published: dt.date | None) -> bool:
    """The sentence names a year well before publication: background, not news."""
    if published is None:
        return False
    years = [int(y) for y in YEAR.findall(fold(sentence.text))]
    return any(1900 < year < published.year - 1 for year in years)


@dataclass
class ArticlePlaces:
    """The Syrian places the whole article names, in text order, for context."""

    offsets: list[int]
    admin1s: list[str]

    @property
    def governorates(self) -> set[str]:
        return set(self.admin1s)

    def admin1_near(self, offset: int) -> str | None:
        """Governorate of the nearest place named before `offset` (else the first after it)."""
        before = [a for o, a in zip(self.offsets, self.admin1s, strict=True) if o < offset]
        if before:
            return before[-1]
        return self.admin1s[0] if self.admin1s else None


def with_group_references(
    sentence: Sentence, actors: list[ActorMention], groups: list[ActorMention]
) -> list[ActorMention]:
    """Add "التنظيم" / "الفصيل" / "الجماعة" as the armed group the article named last.

    Reports name a group once ("جيش الإسلام") and then call it "the organisation"; a reader
    resolves the reference to the last group named, and so do we (only outside a longer name).
    """
    if not groups:
        return actors
    last = groups[-1]
    folded = Folded.of(sentence.text, base=sentence.start)
    added = list(actors)
    for match in GROUP_REFERENCE.finditer(folded.text):
        start, end = folded.span(match.start(), match.end())
        if any(a.start < end and start < a.end for a in actors):
            continue
        text = sentence.text[start - sentence.start : end - sentence.start]
        added.append(ActorMention(start, end, text, last.name, last.actor_type))
    return sorted(added, key=lambda m: m.start)


def article_places(doc: Document, gazetteer: Gazetteer) -> ArticlePlaces:
    offsets: list[int] = []
    admin1s: list[str] = []
    for sentence in doc.sentences:
        for mention in gazetteer.find_places(sentence.text, base=sentence.start):
            if (
                mention.place is not None
                and mention.place.admin1
                and mention.place.country == "SYR"
            ):
                offsets.append(mention.start)
                admin1s.append(mention.place.admin1)
    return ArticlePlaces(offsets, admin1s)


def tolls_by_place(
    clauses: list[tuple[int, int, Toll]], places: list[PlaceMention]
) -> dict[int, Toll] | None:
    """Each place's own toll (keyed by the place's start) when the sentence tells the tolls of
    different places in different clauses (`clauses`, from `tolls.clause_tolls`): "مقتل ستة في
    غارات على الرقة، بالتزامن مع مقتل أربعة في قصف على حاجز هنيدة" is six at one place and four
    at the other, not ten at both. None when it does not, and the sentence's toll is the toll of
    its events."""
    if len(clauses) < 2:
        return None
    owned: dict[int, Toll] = {}
    for place in places:
        for start, end, toll in clauses:
            if start <= place.start and place.end <= end:
                owned[place.start] = toll
    if len({id(toll) for toll in owned.values()}) < 2:
        return None
    return owned


def _after_trigger(sentence: Sentence, trigger: Trigger, offset: int) -> str:
    """The sentence's text from the end of the trigger to `offset`."""
    return sentence.text[trigger.end - sentence.start : offset - sentence.start]


def date_of_trigger(
    sentence: Sentence,
    trigger: Trigger,
    date: tuple[DateMention | None, list[str]],
    days: list[DateMention],
) -> tuple[DateMention | None, list[str]]:
    """The date of one event of the sentence: the day told right after its words, in the same
    clause, when the sentence names several days (`days`, from `dates.day_mentions`: "تتوعد دول
    غربية منذ يومين … بعدما تحدث مسعفون عن هجوم كيميائي مساء السبت": the attack was on
    Saturday); else the sentence's."""
    mention, flags = date
    if mention is None or flags:
        return date
    if len({d.date for d in days}) < 2:
        return date
    for day in days:
        if day.start < trigger.end:
            continue
        between = _after_trigger(sentence, trigger, day.start)
        if len(between.split()) <= TRIGGER_DATE_WORDS and not CLAUSE_BREAK.search(between):
            return day, []
        break
    return date


def statement_dated(
    sentence: Sentence,
    trigger: Trigger,
    date: tuple[DateMention | None, list[str]],
    news: bool,
    lexicon: Lexicon,
) -> bool:
    """Whether the sentence's date is the day of a statement about the event, which happened on
    or before it: "حذر بوتين، الاثنين، من استفزازات بشأن الهجوم الكيماوي", "قال لافروف،
    الجمعة، إن هجوم دوما مسرحية", or the next sentence of the statement ("وأضاف أن …").

    `news`: the sentence gives a toll or a news source, and so reports the day's news.
    """
    mention, flags = date
    if mention is None or "date_from_publication" in flags:
        return False  # no date of its own: nothing to mistake for the event's day
    inherited = "date_inherited" in flags
    if trigger.referred:
        # "ردا على الهجوم الكيماوي في السابع من أبريل": a date after the event, in its clause,
        # names its day; one in a later clause ("…، في حين … اليوم") does not.
        if inherited or mention.end <= trigger.start:
            return True
        return CLAUSE_BREAK.search(_after_trigger(sentence, trigger, mention.start)) is not None
    if news:
        return False
    if inherited:
        return opens_with_statement(sentence, lexicon)
    return mention.end <= trigger.start and dates_a_statement(sentence, mention.start, lexicon)


def _confidence(weak: bool, flags: list[str]) -> float:
    value = CONFIDENCE_WEAK if weak else CONFIDENCE_STRONG
    for flag in flags:
        value *= FLAG_FACTORS.get(flag, 1.0)
    return round(value, 3)


def sentence_events(
    doc: Document,
    sentence: Sentence,
    reading: SentenceReading,
    date: tuple[DateMention | None, list[str]],
    context: Context,
    around: ArticlePlaces,
    agents: list[ActorMention],
    groups: list[ActorMention],
) -> list[Event]:
    """The events one sentence reports: one per event type and place."""
    date_mention, date_flags = date
    day = date_mention.date if date_mention else doc.published_date
    locs = [e for e in sentence.entities if e.label == "LOC"]
    places = context.gazetteer.find_places(
        sentence.text, base=sentence.start, candidates=locs, context_admin1=around.governorates
    )
    actors = with_group_references(sentence, find_actors(sentence, day), groups)
    places = most_specific(sentence, places, actors, context.gazetteer.capitals)
    toll = find_toll(sentence.text, base=sentence.start)
    reporter = find_reporter(sentence.text)
    own_date = date_mention is not None and not date_flags
    has_toll = toll.killed_low is not None or toll.injured_low is not None
    if toll.killed_low is not None and toll.killed_low >= MAX_EVENT_KILLED:
        return []  # "مقتل أكثر من 1500 شخص": a running total, see MAX_EVENT_KILLED
    published = doc.published_date
    if day is not None and published is not None and (published - day).days > MAX_AGE_DAYS:
        return []
    if historical(sentence, published) or is_heading(sentence, doc):
        return []
    if (
        own_date
        and date_mention is not None
        and date_mention.date is not None
        and date_mention.date_start is not None
        and (date_mention.date - date_mention.date_start).days > CAMPAIGN_DAYS
    ):
        return []  # "منذ 19 حزيران": a campaign told as a whole, not one event
    # Read once for all the sentence's triggers: the tolls clause by clause (only a sentence
    # with several places can split them) and the days it names (only its own date can differ
    # from one event to another).
    clauses = clause_tolls(sentence.text, base=sentence.start) if len(places) > 1 else []
    days = day_mentions(sentence.text, doc.published_date, sentence.start) if own_date else []
    events: list[Event] = []
    for trigger in reading.triggers:
        if any(
            a.role_hint != "agent" and a.start <= trigger.start and trigger.end <= a.end
            for a in actors
        ):
            continue  # a word inside a name ("تحرير" in "هيئة تحرير الشام"), not a phrase
            # like "الغارات الروسية", which names both the event and who did it
        if trigger.priority < 0 and not (own_date or has_toll):
            continue  # a weak word alone, with no date or toll, is talk about an event
        if trigger.priority < 0 and fold(trigger.text).lstrip("وفب").startswith("ال"):
            continue  # "الهجوم", "الاتفاق": a weak noun with the article refers back to an
            # event told elsewhere in the article
        actor1, actor2 = assign_roles(sentence, trigger, actors)
        if actor1 is None and trigger.sub_event_type in IMPLIED_ATTACKER:
            # Unsaid in the sentence: the last agent named before it in the article, as a
            # reader takes "وقتل قادة في الغارة" to mean the Russian aircraft named before.
            fitting = [m for m in agents if m.end <= sentence.start and fits(trigger, m)]
            actor1 = fitting[-1] if fitting else None
        sub_event_type = trigger.sub_event_type
        if sub_event_type == "Government regains territory" and (
            actor1 is not None and actor1.actor_type != "State forces"
        ):
            sub_event_type = "Non-state actor overtakes territory"
        # For movements the destination is not the event's place; for battles an advance
        # "نحو/إلى" a village is fought at that village.
        # Arrivals ("وصلت الدفعة إلى ريف حلب") happen at the destination.
        leaving = trigger.event_type == "Strategic developments" and not ARRIVAL.search(
            fold(trigger.text)
        )
        event_places: list[PlaceMention | None] = list(
            without_destinations(sentence, places) if leaving else places
        ) or [None]
        # A toll stated once for a list of places cannot be split between them: rather than
        # each event claiming the total, they keep none (GUIDELINES: deaths of THIS event).
        shared = len(event_places) > 2
        own_tolls = tolls_by_place(clauses, [p for p in event_places if p is not None])
        event_date = date_of_trigger(sentence, trigger, date, days)
        event_day, event_date_flags = event_date
        statement_date = statement_dated(
            sentence, trigger, event_date, has_toll or reporter is not None, context.lexicon
        )
        for place in event_places:
            place_toll, place_shared = toll, shared
            if own_tolls is not None:
                # A place in a clause without a toll has none of its own.
                place_toll = own_tolls.get(place.start, Toll()) if place else Toll()
                place_shared = sum(t is place_toll for t in own_tolls.values()) > 2
            flags = list(reading.flags) + list(event_date_flags)
            if statement_date:
                flags.append("date_of_statement")
            if place is None:
                flags.append("location_missing")
            elif place.place is None:
                flags.append("location_unresolved")
            resolved = place.place if place is not None else None
            # An unknown village still lies in the governorate the article is about: its
            # admin1 comes from the nearest place named before it; it gets no coordinates.
            inferred_admin1 = (
                around.admin1_near(place.start) if place is not None and resolved is None else None
            )
            if inferred_admin1 is not None:
                flags.append("admin1_from_context")
            place_key = (resolved.name if resolved else place.text) if place else ""
            events.append(
                Event(
                    event_id=event_id(doc, sub_event_type, trigger.start, place_key),
                    article_id=doc.article.id,
                    source=doc.article.source,
                    url=doc.article.url,
                    published=doc.article.published,
                    event_type=trigger.event_type,
                    sub_event_type=sub_event_type,
                    action=trigger.text,
                    actor1=actor1.name if actor1 else None,
                    actor1_text=actor1.text if actor1 else None,
                    actor1_type=actor1.actor_type if actor1 else None,
                    actor2=actor2.name if actor2 else None,
                    actor2_text=actor2.text if actor2 else None,
                    actor2_type=actor2.actor_type if actor2 else None,
                    location=resolved.name if resolved else None,
                    location_text=place.text if place else None,
                    admin1=resolved.admin1 if resolved else inferred_admin1,
                    admin2=resolved.admin2 if resolved else None,
                    admin3=resolved.admin3 if resolved else None,
                    pcode=resolved.pcode if resolved else None,
                    country=resolved.country if resolved else ("SYR" if inferred_admin1 else None),
                    latitude=resolved.latitude if resolved else None,
                    longitude=resolved.longitude if resolved else None,
                    geo_precision=place.geo_precision if resolved and place else None,
                    event_date=event_day.date if event_day else None,
                    date_start=event_day.date_start if event_day else None,
                    date_text=(event_day.text or None) if event_day else None,
                    date_precision=event_day.precision if event_day else None,
                    killed_low=None if place_shared else place_toll.killed_low,
                    killed_high=None if place_shared else place_toll.killed_high,
                    injured_low=None if place_shared else place_toll.injured_low,
                    injured_high=None if place_shared else place_toll.injured_high,
                    fatalities=0 if place_shared else fatalities(place_toll),
                    civilian_victims=place_toll.civilian_victims,
                    reported_by=reporter,
                    sentence=sentence.text,
                    char_start=sentence.start,
                    char_end=sentence.end,
                    confidence=_confidence(trigger.priority < 0, flags),
                    flags=sorted(set(flags)),
                    cluster_id=event_id(doc, sub_event_type, trigger.start, place_key),
                    pipeline_version=__version__,
                    run_id=context.run_id,
                )
            )
    return events


def extract_events(doc: Document, context: Context) -> Document:
    """Fill `doc.events` with every event the article reports (before deduplication)."""
    around = article_places(doc, context.gazetteer)
    # Attackers named so far in the article: agent phrases and the actor1 of earlier events.
    agents: list[ActorMention] = []
    # Armed groups named so far, for "التنظيم" / "الفصيل" referring back to one of them.
    groups: list[ActorMention] = []
    dates = sentence_dates(doc)
    events: list[Event] = []
    for sentence, date in zip(doc.sentences, dates, strict=True):
        reading = read_sentence(sentence, context.lexicon)
        found: list[Event] = []
        if reading.triggers:
            found = sentence_events(doc, sentence, reading, date, context, around, agents, groups)
            events.extend(found)
        named = find_actors(sentence, doc.published_date)
        agents.extend(m for m in named if m.role_hint == "agent")
        groups.extend(m for m in named if m.actor_type in ARMED_GROUP_TYPES)
        agents.extend(
            ActorMention(e.char_start, e.char_start, e.actor1_text, e.actor1, e.actor1_type)
            for e in found
            if e.actor1 and e.actor1_text and e.actor1_type
        )
    doc.events = events
    return doc
