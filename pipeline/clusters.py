"""Cross-report deduplication: group the events that describe one real-world event.

Five outlets report the same air strike over two days, in the headline and in the body, with
different tolls. Counting each report as an event inflates the dataset, so this module groups
reports into clusters, one per real-world event, and says for every member which evidence put
it there (docs/dedup.md has the rules and a manual check on the ANT corpus).

Two events may describe the same real-world event when all of these hold:

- **type**: same event_type, and compatible sub-event types (an air strike and a shelling of
  the same place on the same day are often one attack told two ways; an agreement and an
  arrest, a clash and a capture, never are);
- **place**: both at geo_precision 1 and the same place (same name and governorate, or the same
  point under two names); within `NEAR_KM` when one is only near a place or in a region
  (precision 2); a governorate-level place (precision 3) only with exactly the same place;
  a place that was not resolved only with exactly the same name. Neighbouring towns are not
  one place: in Eastern Ghouta they are often less than a kilometre apart;
- **date**: two stated days at a precise place are at most `LAG_DAYS` apart when one of them
  is given relative to publication ("أمس": reports lag), for the same sub-type and with
  corroboration (below); two named days that differ are two days; any other date is a window
  that must overlap the other date: a publication date covers the day before, an accusation,
  a denial or a statement dated before it names the event may be about an event up to
  `STATEMENT_DAYS` before its date, a chemical attack mentioned without its own date up to
  `CHEMICAL_REFERENCE_DAYS` before; dates known only to the week or the month (precision 2, 3)
  are compared with each other only, except for a rare kind of incident;
- **actors**: no contradiction between known actor1s (the same actor, allies such as the
  Syrian and Russian air forces, or an unidentified one); in battles either side may be named
  first; the actor1 of an accusation or a denial (often the accuser), or one the report does not
  name itself (taken from an earlier sentence), is not evidence, and the
  perpetrator of a chemical attack or a suicide bombing is disputed, not contradicted;
- **article**: an article that tells two events apart (two places, two explicit days) is
  believed: its events stay apart;
- **corroboration**: a vague report (its date not its own, its place a region) or one a day
  off must also share rare words with a member's evidence (`Evidence`), or report with it a
  rare kind of incident (a chemical attack, a suicide bombing); one vague in both place and
  date only joins a copy of its own sentence.

Clustering is greedy and deterministic: events are taken most precise first, and each joins
the best compatible cluster, judged against that cluster's anchor (its first, most precise
member; actors, the article rule and firm dates against every member), so that vague reports
cannot chain distinct events together. Firm reports first join clusters of their own day; a
firm report left alone may then join one a day off; vague reports come last, and one that fits
several clusters joins none unless one is clearly its referent (`_choose`).

Ids are stable across runs: the previous clusters' members are matched to the new clusters
and each old `cluster_id` goes to the new cluster that holds most of its members; a new
cluster takes the event_id of its first-seen report. `cluster_events` is the pure function;
`update_clusters` reads a dataset directory, clusters it and writes the `clusters` table.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.gazetteer import haversine_km
from pipeline.normalize import fold
from schemas.arrow import to_table
from schemas.models import Cluster, Event

# --- the rules' parameters (docs/dedup.md) ---------------------------------------------------

# Two precise places closer than this are one point under two names (gazetteer duplicates).
SAME_POINT_KM = 0.25
# How far a place known only to precision 2 ("near X", a district, a region) may be.
NEAR_KM = 5.0
# Reports lag the event: two stated days this many days apart, at a precise place, may be one
# event (given corroborating evidence, see SIMILARITY_MIN).
LAG_DAYS = 1
# Width in days, beyond the first, of the window a date of each precision stands for.
PRECISION_WIDTH_DAYS = {1: 0, 2: 6, 3: 29}
# Flags saying an event's date is not the article's own statement about this event.
DERIVED_DATE_FLAGS = frozenset({"date_from_publication", "date_inherited"})
# Flags of a sentence that is a statement about an event (an accusation, a denial, a reaction
# "بشأن الهجوم" dated before the event is named): its date is often or surely the statement's,
# and the parties it names are accusers, deniers and reacting states as often as actors.
STATEMENT_FLAGS = frozenset({"alleged", "denied", "date_of_statement"})
# How far before its date a statement may refer back to the event it is about.
STATEMENT_DAYS = 2
# Chemical attacks are rare and talked about for weeks: a report of one without its own date
# (or only as an accusation) may refer back this far, up to the age beyond which the extractor
# treats an event as background (pipeline/events.py MAX_AGE_DAYS).
CHEMICAL_REFERENCE_DAYS = 30
# Sub-event types that different outlets use for one incident. Battle sub-types are not among
# them (a capture and a clash are told apart by the outlets themselves), nor is a chemical
# attack (ACLED codes it apart from the strikes of the same day).
COMPATIBLE_SUB_TYPES: tuple[frozenset[str], ...] = (
    frozenset({"Air/drone strike", "Shelling/artillery/missile attack"}),
    frozenset({"Remote explosive/landmine/IED", "Suicide bomb"}),
    frozenset(
        {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}
    ),
    frozenset({"Violent demonstration", "Mob violence"}),
)
# Sides of the war (as of 2018) for the actor names of data/actors.yaml. Two known actor1s
# contradict each other unless they share a side or their sides are allied. An actor not listed
# is compatible only with itself.
ACTOR_SIDES: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        (
            "Military Forces of Syria",
            "Military Forces of Russia",
            "Military Forces of Iran",
            "Hezbollah",
            "National Defence Forces",
            "Iranian-backed militias",
        ),
        frozenset({"pro-government"}),
    ),
    **dict.fromkeys(
        (
            "International Coalition",
            "Military Forces of the United States",
            "Military Forces of the United Kingdom",
            "Military Forces of France",
        ),
        frozenset({"coalition"}),
    ),
    "Military Forces of Turkey": frozenset({"turkey"}),
    "Military Forces of Iraq": frozenset({"iraq"}),
    "Military Forces of Israel": frozenset({"israel"}),
    **dict.fromkeys(
        ("Jaysh al-Islam", "Faylaq al-Rahman", "Ahrar al-Sham", "Free Syrian Army"),
        frozenset({"opposition"}),
    ),
    # "المعارضة" in the news covers the Idlib factions, Hayat Tahrir al-Sham included.
    "Syrian opposition": frozenset({"opposition", "jihadist"}),
    **dict.fromkeys(
        ("Jabhat al-Nusra", "Jabhat Fath al-Sham", "Hayat Tahrir al-Sham"),
        frozenset({"jihadist"}),
    ),
    "Islamic State": frozenset({"islamic-state"}),
    **dict.fromkeys(("SDF", "YPG"), frozenset({"kurdish"})),
}
# Sides that fight together, so that one outlet may credit an attack to either.
ALLIED_SIDES: frozenset[frozenset[str]] = frozenset(
    {
        frozenset({"turkey", "opposition"}),
        frozenset({"coalition", "kurdish"}),
        # Iraqi air strikes on the Islamic State in Syria were coordinated with both.
        frozenset({"iraq", "coalition"}),
        frozenset({"iraq", "pro-government"}),
    }
)
# Actor names that say nothing about who acted.
UNKNOWN_ACTORS = frozenset({"Unidentified armed group", "Unidentified military aircraft"})
# A report that is vague (its date not its own, or its place a region), or a day off the
# cluster's date, needs corroboration to join it: its evidence sentence shares rare words with
# a member's (IDF-weighted overlap at least this), or both report a rare kind of incident there.
SIMILARITY_MIN = 0.2
DISTINCTIVE_SUB_TYPES = frozenset({"Chemical weapon", "Suicide bomb"})
# Similarity of two copies of one sentence (a wire story printed twice, a heading and its text).
NEAR_DUPLICATE = 0.8
CLUSTERS_TABLE = "clusters"
CLUSTERS_FILE = "clusters.parquet"
LOCK_FILE = ".lock"


# --- pairwise rules ---------------------------------------------------------------------------


def both_rare(a: Event, b: Event) -> bool:
    """Both report the same rare kind of incident (a chemical attack, a suicide bombing), which
    its kind, place and time identify."""
    return a.sub_event_type == b.sub_event_type and a.sub_event_type in DISTINCTIVE_SUB_TYPES


def sub_types_compatible(a: str, b: str) -> bool:
    """Whether two sub-event types (of one event type) may name the same incident."""
    return a == b or any(a in group and b in group for group in COMPATIBLE_SUB_TYPES)


def _place_name(event: Event) -> str:
    return event.location or event.location_text or "?"


def _same_named_place(a: Event, b: Event) -> bool:
    if a.location is not None and b.location is not None:
        return a.location == b.location and a.admin1 == b.admin1
    if a.location is None and b.location is None and a.location_text and b.location_text:
        return fold(a.location_text) == fold(b.location_text)
    return False


def place_match(a: Event, b: Event) -> str | None:
    """Evidence that `a` and `b` happened at the same place, or None when they did not."""
    names = f"{_place_name(a)}/{_place_name(b)}"
    if a.latitude is None or b.latitude is None or a.longitude is None or b.longitude is None:
        # A place we could not resolve only matches the same unresolved name.
        if a.latitude is None and b.latitude is None and _same_named_place(a, b):
            return f"same unresolved place {names}"
        return None
    distance = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
    precision_a, precision_b = a.geo_precision or 1, b.geo_precision or 1
    where = f"{names} {distance:.1f} km (geo_precision {precision_a}/{precision_b})"
    if max(precision_a, precision_b) >= 3:
        # A governorate-level place says nothing finer than the governorate.
        return f"same area {where}" if _same_named_place(a, b) else None
    if precision_a == 1 and precision_b == 1:
        if _same_named_place(a, b) or distance <= SAME_POINT_KM:
            return f"same place {where}"
        return None
    return f"place {where}" if distance <= NEAR_KM else None


def reach_back_days(event: Event) -> int:
    """How many days before its date a report may be about (0: its date is its own)."""
    flags = set(event.flags)
    referring = "date_from_publication" in flags or bool(STATEMENT_FLAGS & flags)
    if referring and event.sub_event_type == "Chemical weapon":
        return CHEMICAL_REFERENCE_DAYS
    if STATEMENT_FLAGS & flags:
        return STATEMENT_DAYS
    # Only the publication date: the event happened that day or the day before.
    return 1 if "date_from_publication" in flags else 0


def date_window(event: Event) -> tuple[dt.date, dt.date] | None:
    """The days an event's date stands for, widened to its precision; None when undated."""
    if event.event_date is None:
        return None
    start, end = sorted((event.date_start or event.event_date, event.event_date))
    # First the uncertainty of the date itself ("قبل نحو أسبوع" is a window around its day),
    # then how far back a mention may refer from it.
    width = PRECISION_WIDTH_DAYS.get(event.date_precision or 1, 0)
    missing = width - (end - start).days
    if missing > 0:
        start -= dt.timedelta(days=missing // 2)
        end += dt.timedelta(days=missing - missing // 2)
    start = min(start, end - dt.timedelta(days=reach_back_days(event)))
    return start, end


def _window_gap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> int:
    return max(0, (max(a[0], b[0]) - min(a[1], b[1])).days)


def _own_day(event: Event) -> bool:
    """The report states the day of the event itself (not a publication or statement date)."""
    return (event.date_precision or 1) == 1 and reach_back_days(event) == 0


# Time expressions resolved against the publication time ("أمس", "اليوم", "الليلة الماضية"):
# a report published after midnight, or in another time zone, may be a day off.
_RELATIVE_DAY = re.compile("امس|البارحه|اليوم|الليله")


def _relative_day(event: Event) -> bool:
    return event.date_text is not None and bool(_RELATIVE_DAY.search(fold(event.date_text)))


def date_match(a: Event, b: Event, lag: bool = True) -> str | None:
    """Evidence that the dates of `a` and `b` can be one day of one event, or None.

    Two reports that state the day at a precise place may be `LAG_DAYS` apart when one of them
    gives it relative to publication ("أمس": reports lag, time zones differ); two named days
    ("الجمعة", "7 نيسان") that differ are two days. Otherwise a window (a publication date, a
    statement's reach-back, a week, a month) must overlap the other date, and a region's
    reports must give the same day (a region sees events of one type every day). A date known
    only to the week or the month is compared with other such dates only: a month holds many
    events of one type at one place, and attributing a month-dated mention to one of them is a
    guess; not so for a rare kind of incident (a chemical attack, a suicide bombing), which
    "last week" at one place identifies.
    """
    window_a, window_b = date_window(a), date_window(b)
    if window_a is None or window_b is None:
        return None
    if ((a.date_precision or 1) > 1) != ((b.date_precision or 1) > 1) and not both_rare(a, b):
        return None
    gap = _window_gap(window_a, window_b)
    precise = all(_own_day(e) and (e.geo_precision or 1) == 1 for e in (a, b))
    relative = any(_relative_day(e) for e in (a, b))
    if gap > (LAG_DAYS if precise and relative and lag else 0):
        return None
    back = max(reach_back_days(a), reach_back_days(b))
    refers = f"; a report may refer back {back} d" if back > 1 else ""
    return (
        f"dates {a.event_date}/{b.event_date} within precision "
        f"({a.date_precision or 1}/{b.date_precision or 1}, gap {gap} d{refers})"
    )


def _known(name: str | None) -> str | None:
    return None if name is None or name in UNKNOWN_ACTORS else name


def actors_compatible(a: str | None, b: str | None) -> bool:
    """Whether two actor names can be the same party: unknown, equal, one side or allies."""
    a, b = _known(a), _known(b)
    if a is None or b is None or a == b:
        return True
    sides_a, sides_b = ACTOR_SIDES.get(a, frozenset()), ACTOR_SIDES.get(b, frozenset())
    if sides_a & sides_b:
        return True
    return any(frozenset({x, y}) in ALLIED_SIDES for x in sides_a for y in sides_b)


def _actor1(event: Event) -> str | None:
    """actor1 as evidence: not when unidentified, nor in an accusation or a denial, nor when
    the report does not name it (taken from an earlier sentence of the article)."""
    if STATEMENT_FLAGS & set(event.flags):
        return None
    if event.actor1_text is None or event.actor1_text not in event.sentence:
        return None
    return _known(event.actor1)


def actor_match(a: Event, b: Event) -> str | None:
    """Evidence that the actors of `a` and `b` do not contradict each other, or None."""
    first_a, first_b = _actor1(a), _actor1(b)
    if first_a is None or first_b is None:
        return f"actor1 {first_a or 'unknown'}/{first_b or 'unknown'}: no contradiction"
    if actors_compatible(first_a, first_b):
        return f"actor1 {first_a}/{first_b} compatible"
    # A battle has two sides and outlets name either one first.
    swapped = (
        a.event_type == "Battles"
        and (a.actor2 is not None or b.actor2 is not None)
        and actors_compatible(a.actor2, first_b)
        and actors_compatible(b.actor2, first_a)
    )
    if swapped:
        return f"battle sides {first_a}-{a.actor2 or '?'}/{first_b}-{b.actor2 or '?'} agree"
    return None


def _actors_agree(a: Event, b: Event) -> str | None:
    """`actor_match`, except for rare incidents whose perpetrator is what outlets dispute.

    Who used chemical weapons, who sent a suicide bomber: each side names the other, so two
    reports of such an incident at one place and time naming different actors are still one
    incident (the kind, place and date identify it).
    """
    if both_rare(a, b):
        agree = actor_match(a, b)
        kind = a.sub_event_type.lower()
        return agree or f"actor1 {_actor1(a)}/{_actor1(b)} disputed, as for any {kind}"
    return actor_match(a, b)


def same_article_allowed(a: Event, b: Event) -> bool:
    """Events of one article stay apart unless one's date is derived (or a statement's: an
    accusation, a denial, a reaction; or only the week or month of a rare incident) and the
    place is the same.

    The within-article pass (pipeline/dedup.py) already merged what the article tells as one
    event; what it kept apart the article distinguishes, by place or by an explicit day.
    """
    if a.article_id != b.article_id:
        return True
    not_own = DERIVED_DATE_FLAGS | STATEMENT_FLAGS
    derived = bool(not_own & set(a.flags)) or bool(not_own & set(b.flags))
    # "الهجوم الكيماوي الأسبوع الماضي" and "في السابع من أبريل" in one article: one attack.
    week_or_month = (a.date_precision or 1) > 1 or (b.date_precision or 1) > 1
    return (derived or (both_rare(a, b) and week_or_month)) and _same_named_place(a, b)


def match(anchor: Event, event: Event, lag: bool = True) -> str | None:
    """Why `event` is the same real-world event as `anchor` (type, place, date, actors), or None.

    `lag=False` asks for the same day where `date_match` would allow a day's lag.
    """
    if anchor.event_type != event.event_type:
        return None
    if not sub_types_compatible(anchor.sub_event_type, event.sub_event_type):
        return None
    place = place_match(anchor, event)
    if place is None:
        return None
    date = date_match(anchor, event, lag)
    if date is None:
        return None
    actors = _actors_agree(anchor, event)
    if actors is None:
        return None
    if anchor.sub_event_type == event.sub_event_type:
        kind = f"same event_type and sub-type ({event.sub_event_type})"
    else:
        kind = f"same event_type, sub-types {anchor.sub_event_type}/{event.sub_event_type}"
    return f"{kind}; {place}; {date}; {actors}"


# --- evidence ---------------------------------------------------------------------------------

_WORD = re.compile(r"[\u0621-\u064a]+")
# Proclitic sequences: a conjunction, a preposition, the article ("وبالغارات", "للمدنيين"),
# longest first.
_PROCLITICS = sorted(
    {c + p + a for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك") for a in ("", "ال")}
    | {c + "لل" for c in ("", "و", "ف")},
    key=len,
    reverse=True,
)


def _stem(word: str) -> str:
    """The word without its longest proclitic sequence that leaves three letters or more."""
    for prefix in _PROCLITICS:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word


@functools.lru_cache(maxsize=1 << 16)
def evidence_words(sentence: str) -> frozenset[str]:
    """Words of an evidence sentence: folded, without proclitics, three letters or more."""
    return frozenset(
        stem for stem in (_stem(w) for w in _WORD.findall(fold(sentence))) if len(stem) >= 3
    )


class Evidence:
    """How much two reports' evidence sentences share, weighing each word by its rarity.

    A word's weight is its smoothed inverse document frequency over the evidence sentences of
    the events being clustered, so that "قوات" or "السوري" count for little and "الشعيرات" or
    "انتحارية" for much. Similarity is the weight of the shared words over the weight of the
    smaller sentence's words (1 when one sentence's words are all in the other).
    """

    def __init__(self, events: Iterable[Event]) -> None:
        self._words = {e.event_id: evidence_words(e.sentence) for e in events}
        counts: Counter[str] = Counter()
        for words in self._words.values():
            counts.update(words)
        total = len(self._words)
        self._idf = {w: math.log((total + 1) / (c + 1)) + 1 for w, c in counts.items()}
        # A word no clustered sentence has is as rare as a word can be.
        self._unseen = math.log(total + 1) + 1

    def _of(self, event: Event) -> frozenset[str]:
        words = self._words.get(event.event_id)
        return words if words is not None else evidence_words(event.sentence)

    def _weight(self, words: Iterable[str]) -> float:
        return sum(self._idf.get(w, self._unseen) for w in words)

    def similarity(self, a: Event, b: Event) -> tuple[float, list[str]]:
        """(similarity from 0 to 1, the shared words, rarest first).

        The words naming the events' places are left out: the place is compared on its own,
        and two sentences that only share a place name ("الغوطة الشرقية") tell nothing more.
        """
        place = evidence_words(" ".join(e.location_text or "" for e in (a, b)))
        words_a, words_b = self._of(a) - place, self._of(b) - place
        smaller = min(self._weight(words_a), self._weight(words_b))
        if smaller == 0:
            return 0.0, []
        shared = words_a & words_b
        ranked = sorted(shared, key=lambda w: (-self._idf.get(w, self._unseen), w))
        return self._weight(shared) / smaller, ranked


# --- clustering -------------------------------------------------------------------------------


def _vague_place(event: Event) -> bool:
    """The place is only a region, "near" a place, or a governorate."""
    return (event.geo_precision or 1) > 1


def _vague_date(event: Event) -> bool:
    """The date is not the report's own day: a week or a month, publication, a statement's."""
    return (
        (event.date_precision or 1) > 1
        or bool(DERIVED_DATE_FLAGS & set(event.flags))
        or reach_back_days(event) > 0
    )


def _is_vague(event: Event) -> bool:
    """A report whose place or date is not stated to the town and day."""
    return _vague_place(event) or _vague_date(event)


def _precision_key(event: Event) -> tuple[int, int, int]:
    flags = set(event.flags)
    derived = 2 if STATEMENT_FLAGS & flags else 1 if DERIVED_DATE_FLAGS & flags else 0
    return (event.geo_precision or 4, event.date_precision or 4, derived)


def _seen_key(event: Event) -> tuple[bool, dt.datetime, str, int, str]:
    """First-seen order: publication time, then position in the article."""
    published = event.published or dt.datetime.max.replace(tzinfo=dt.UTC)
    return (event.published is None, published, event.article_id, event.char_start, event.event_id)


@dataclass
class _Draft:
    """A cluster being built: its anchor (most precise member) and members with reasons."""

    anchor: Event
    order: int
    members: list[Event] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)

    def accepts(self, event: Event, evidence: Evidence, lag: bool = True) -> str | None:
        reason = match(self.anchor, event, lag)
        if reason is None:
            return None
        for member in self.members:
            if not same_article_allowed(member, event):
                return None
            if member is self.anchor:
                continue
            if _actors_agree(member, event) is None:
                return None
            # Firm members state the day: a report a day off one of them may not be two days
            # off another (no chaining through the anchor).
            if not _is_vague(member) and date_match(member, event, lag) is None:
                return None
        day_off = _closeness(self.anchor, event)[0] > 0
        if day_off and event.sub_event_type != self.anchor.sub_event_type:
            # Air strikes one day and a chemical attack the next are two events.
            return None
        if day_off or _is_vague(event) or _is_vague(self.anchor):
            support = self.corroboration(event, evidence)
            if support is None:
                return None
            reason += f"; {support}"
        return reason

    def corroboration(self, event: Event, evidence: Evidence) -> str | None:
        """What, beyond type, place and date, ties a vague report to this cluster, or None."""
        kind = event.sub_event_type
        if kind in DISTINCTIVE_SUB_TYPES and kind in self.sub_types():
            return f"both report a rare {kind.lower()} there"
        best, words, witness = 0.0, [], self.anchor
        for member in self.members:
            value, shared = evidence.similarity(member, event)
            if value > best:
                best, words, witness = value, shared, member
        # Known only to a region and a window of days, a report identifies no event: only the
        # same sentence again (another copy of the wire) ties it to one.
        needed = NEAR_DUPLICATE if _vague_place(event) and _vague_date(event) else SIMILARITY_MIN
        if best < needed:
            return None
        # Rounded, and the words shown chosen without the weights (longest first): the text
        # stays the same when new reports shift the weights a little, so that the row is not
        # rewritten for nothing.
        shown = sorted(words, key=lambda w: (-len(w), w))[:4]
        return f"evidence shares {' '.join(shown)} with {witness.event_id} (similarity {best:.1f})"

    def articles(self) -> int:
        return len({e.article_id for e in self.members})

    def first_date(self) -> dt.date:
        window = date_window(self.anchor)
        return window[1] if window is not None else dt.date.max

    def sub_types(self) -> set[str]:
        return {e.sub_event_type for e in self.members}

    def add(self, event: Event, reason: str) -> None:
        self.members.append(event)
        self.reasons[event.event_id] = reason


def _closeness(anchor: Event, event: Event) -> tuple[int, float]:
    window_a, window_b = date_window(anchor), date_window(event)
    gap = _window_gap(window_a, window_b) if window_a and window_b else 0
    if None in (anchor.latitude, anchor.longitude, event.latitude, event.longitude):
        return gap, 0.0
    assert anchor.latitude is not None and anchor.longitude is not None
    assert event.latitude is not None and event.longitude is not None
    return gap, haversine_km(anchor.latitude, anchor.longitude, event.latitude, event.longitude)


@dataclass
class _Candidate:
    draft: _Draft
    reason: str
    gap: int
    distance: float
    same_sub_type: bool


def _choose(event: Event, candidates: list[_Candidate]) -> _Candidate | None:
    """The cluster a report joins, or None.

    A firm report (town and day, its own date) joins the closest fitting cluster: in date, then
    in sub-type, then in place. A vague report (imprecise place or date, a date that is only
    the publication's, a statement referring back) looks first at clusters anchored by firm
    reports and joins only an unambiguous one: the single candidate, or the single one of its
    own sub-type. A report referring back days or weeks (an accusation, a chemical attack
    mentioned again, "the chemical attack last week") joins the fitting cluster of its sub-type
    that most articles report: the event everyone talks about is the one a later mention refers
    to (then the earliest).
    """
    if not candidates:
        return None
    if not _is_vague(event):
        return min(
            candidates, key=lambda c: (c.gap, not c.same_sub_type, c.distance, c.draft.order)
        )
    pool = [c for c in candidates if not _is_vague(c.draft.anchor)] or candidates
    if len(pool) == 1:
        return pool[0]
    own = [c for c in pool if c.same_sub_type]
    if len(own) == 1:
        return own[0]
    rare_mention = event.sub_event_type in DISTINCTIVE_SUB_TYPES and (event.date_precision or 1) > 1
    if own and (reach_back_days(event) > 1 or rare_mention):
        return min(own, key=lambda c: (-c.draft.articles(), c.draft.first_date(), c.draft.order))
    return None


def _days(window: tuple[dt.date, dt.date]) -> Iterator[int]:
    return iter(range(window[0].toordinal(), window[1].toordinal() + 1))


class _Grouper:
    """The clusters being built, indexed by event type and by the days their anchors cover."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self.drafts: list[_Draft] = []
        self.by_day: dict[tuple[str, int], list[_Draft]] = defaultdict(list)

    def candidates(self, event: Event, lag: bool) -> list[_Candidate]:
        """The clusters `event` may join (`lag`: allow a stated day one day off)."""
        window = date_window(event)
        if window is None:
            return []
        reach = dt.timedelta(days=LAG_DAYS if lag else 0)
        found: list[_Candidate] = []
        seen: set[int] = set()
        for day in _days((window[0] - reach, window[1] + reach)):
            for draft in self.by_day.get((event.event_type, day), ()):
                if id(draft) in seen or any(m is event for m in draft.members):
                    continue
                seen.add(id(draft))
                reason = draft.accepts(event, self.evidence, lag)
                if reason is not None:
                    gap, distance = _closeness(draft.anchor, event)
                    same = event.sub_event_type in draft.sub_types()
                    found.append(_Candidate(draft, reason, gap, distance, same))
        return found

    def place(self, event: Event, lag: bool) -> None:
        """Add `event` to the cluster it fits, or start a cluster with it."""
        candidates = self.candidates(event, lag)
        best = _choose(event, candidates)
        if best is not None:
            best.draft.add(event, _joined(event, best, len(candidates)))
            return
        draft = _Draft(anchor=event, order=len(self.drafts))
        draft.add(event, _anchor_reason(event, ambiguous=len(candidates) > 1))
        self.drafts.append(draft)
        window = date_window(event)
        if window is not None:
            for day in _days(window):
                self.by_day[(event.event_type, day)].append(draft)

    def reattach(self, draft: _Draft) -> None:
        """Move a report left alone to a cluster one day off, when one fits (reports lag)."""
        (event,) = draft.members
        best = _choose(event, self.candidates(event, lag=True))
        if best is None:
            return
        best.draft.add(event, _joined(event, best, 1))
        self.drafts.remove(draft)
        for drafts in self.by_day.values():
            if draft in drafts:
                drafts.remove(draft)


def _joined(event: Event, best: _Candidate, fitting: int) -> str:
    text = f"{event.event_id} joined {best.draft.anchor.event_id}: {best.reason}"
    return text + (f" (closest of {fitting} fitting clusters)" if fitting > 1 else "")


def group_events(events: Iterable[Event]) -> list[_Draft]:
    """Group events into drafts of clusters (no ids yet); deterministic for a given set.

    Three passes: firm reports (their own day, a precise place) join clusters of the same day;
    a firm report left alone may then join a cluster one day off (reports lag); vague reports
    come last, so that they meet every firm cluster they might belong to.
    """
    unique = {e.event_id: e for e in events}
    ordered = sorted(unique.values(), key=lambda e: (_precision_key(e), _seen_key(e)))
    grouper = _Grouper(Evidence(unique.values()))
    firm = [e for e in ordered if not _is_vague(e)]
    for event in firm:
        grouper.place(event, lag=False)
    for draft in list(grouper.drafts):
        if len(draft.members) == 1:
            grouper.reattach(draft)
    for event in ordered:
        if _is_vague(event):
            grouper.place(event, lag=False)
    for order, draft in enumerate(grouper.drafts):
        draft.order = order
    return grouper.drafts


def _anchor_reason(event: Event, ambiguous: bool) -> str:
    text = (
        f"{event.event_id} anchors the cluster: {_place_name(event)} "
        f"(geo_precision {event.geo_precision or '-'}), {event.event_date or 'undated'} "
        f"(date_precision {event.date_precision or '-'})"
    )
    if ambiguous:
        text += "; vague report fitting several clusters, kept apart"
    return text


def assign_ids(drafts: Sequence[_Draft], previous: Mapping[str, str]) -> list[str]:
    """One id per draft, reusing previous cluster ids.

    `previous` maps event_id → cluster_id from the last run. Each previous id goes to the draft
    holding most of its members (ties: the draft holding the event the id was named after, then
    the draft seen first); a draft left without one takes the event_id of its first-seen member
    that is not already an id.
    """
    pairs: list[tuple[int, bool, tuple[bool, dt.datetime, str, int, str], str, int]] = []
    for index, draft in enumerate(drafts):
        counts = Counter(previous[e.event_id] for e in draft.members if e.event_id in previous)
        first = min(_seen_key(e) for e in draft.members)
        member_ids = {e.event_id for e in draft.members}
        pairs.extend(
            (-count, old not in member_ids, first, old, index) for old, count in counts.items()
        )
    ids: list[str | None] = [None] * len(drafts)
    used: set[str] = set()
    for *_, old, index in sorted(pairs):
        if ids[index] is None and old not in used:
            ids[index] = old
            used.add(old)
    taken = used | set(previous.values())
    for index, draft in enumerate(drafts):
        if ids[index] is not None:
            continue
        for member in sorted(draft.members, key=_seen_key):
            if member.event_id not in taken:
                ids[index] = member.event_id
                break
        else:  # every member id is some other cluster's id: derive a fresh one
            ids[index] = "cl-" + min(e.event_id for e in draft.members)
        taken.add(str(ids[index]))
    return [str(i) for i in ids]


def _mode(values: Sequence[str]) -> str | None:
    """Most frequent value; ties go to the one listed first."""
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def _range(pairs: Iterable[tuple[int | None, int | None]]) -> tuple[int | None, int | None]:
    """Toll range over reports: the fewest any gives, the most any gives (None: open-ended)."""
    stated = [(low, high) for low, high in pairs if low is not None]
    if not stated:
        return None, None
    low = min(lo for lo, _ in stated)
    if any(high is None for _, high in stated):
        return low, None
    return low, max(high for _, high in stated if high is not None)


# A toll range wider than this ratio is a vague quantity ("عشرات": 20 to 99), not a count.
SPECIFIC_TOLL_RATIO = 1.5


def specific_toll(event: Event) -> bool:
    """The report gives a number of killed: "47", "about 40", "more than 40"; not "dozens"."""
    low, high = event.killed_low, event.killed_high
    if low is None or low == 0:
        return False
    if high is None:
        return low > 1  # "more than 40"; "a number of" reads as 1 and up
    return high <= SPECIFIC_TOLL_RATIO * low


def best_fatalities(members: Sequence[Event]) -> int:
    """Best estimate: the lower median of the fatalities of the reports that give a number.

    The median is robust to one misread or cumulative number; the lower one of an even count
    keeps the estimate conservative, as ACLED's fatality counts are. Reports that only say
    "dozens" or "a number of" count only when no report gives a number: "dozens" says there
    were dozens, not twenty.
    """
    specific = [e.fatalities for e in members if specific_toll(e)]
    values = specific or [e.fatalities for e in members if e.killed_low is not None]
    return int(statistics.median_low(values)) if values else 0


def summarize(cluster_id: str, draft: _Draft, run_id: str) -> Cluster:
    """The clusters-table row of one draft."""
    members = sorted(draft.members, key=_seen_key)
    by_precision = sorted(draft.members, key=lambda e: (_precision_key(e), _seen_key(e)))
    place = draft.anchor
    dated = [e for e in by_precision if e.event_date is not None]
    best_date_key = _precision_key(dated[0])[1:] if dated else None
    best_dated = [e for e in dated if _precision_key(e)[1:] == best_date_key]
    date_value = _mode([str(e.event_date) for e in best_dated])
    date_event = next((e for e in best_dated if str(e.event_date) == date_value), None)
    actor1 = _mode([a for e in by_precision if (a := _known(e.actor1)) is not None])
    actor2 = _mode([a for e in by_precision if (a := _known(e.actor2)) is not None])
    actor1_event = next((e for e in by_precision if e.actor1 == actor1), None)
    actor2_event = next((e for e in by_precision if e.actor2 == actor2), None)
    killed = _range((e.killed_low, e.killed_high) for e in members)
    injured = _range((e.injured_low, e.injured_high) for e in members)
    victims = [e.civilian_victims for e in members if e.civilian_victims is not None]
    published = [e.published for e in members if e.published is not None]
    sources = sorted({e.source for e in members if e.source})
    return Cluster(
        cluster_id=cluster_id,
        event_type=place.event_type,
        sub_event_type=_mode([e.sub_event_type for e in by_precision]) or place.sub_event_type,
        actor1=actor1,
        actor1_type=actor1_event.actor1_type if actor1_event else None,
        actor2=actor2,
        actor2_type=actor2_event.actor2_type if actor2_event else None,
        location=place.location or place.location_text,
        admin1=place.admin1,
        admin2=place.admin2,
        admin3=place.admin3,
        pcode=place.pcode,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
        geo_precision=place.geo_precision,
        event_date=date_event.event_date if date_event else None,
        date_start=(date_event.date_start or date_event.event_date) if date_event else None,
        date_precision=date_event.date_precision if date_event else None,
        killed_low=killed[0],
        killed_high=killed[1],
        injured_low=injured[0],
        injured_high=injured[1],
        fatalities=best_fatalities(members),
        civilian_victims=any(victims) if victims else None,
        n_events=len(members),
        n_articles=len({e.article_id for e in members}),
        n_sources=len(sources),
        sources=sources,
        first_reported=min(published) if published else None,
        last_reported=max(published) if published else None,
        event_ids=[e.event_id for e in members],
        merge_reasons=[draft.reasons[e.event_id] for e in members],
        pipeline_version=__version__,
        run_id=run_id,
    )


class ClusterResult(NamedTuple):
    """What `cluster_events` returns: event_id → cluster_id, and one row per cluster."""

    assignments: dict[str, str]
    clusters: list[Cluster]


def cluster_events(
    events: Iterable[Event], existing: Iterable[Cluster] = (), run_id: str = "unknown"
) -> ClusterResult:
    """Group events into real-world events, reusing the ids of `existing` clusters.

    Pure: the same events and existing clusters give the same result. A cluster whose row is
    unchanged keeps its old `run_id`, so unchanged clusters stay byte-identical run after run.
    """
    previous_rows = {c.cluster_id: c for c in existing}
    previous = {eid: c.cluster_id for c in previous_rows.values() for eid in c.event_ids}
    drafts = group_events(events)
    ids = assign_ids(drafts, previous)
    clusters: list[Cluster] = []
    assignments: dict[str, str] = {}
    for cluster_id, draft in zip(ids, drafts, strict=True):
        row = summarize(cluster_id, draft, run_id)
        old = previous_rows.get(cluster_id)
        if old is not None and old.model_copy(update={"run_id": run_id}) == row:
            row = old
        clusters.append(row)
        for event in draft.members:
            assignments[event.event_id] = cluster_id
    clusters.sort(key=lambda c: (c.first_reported is None, c.first_reported, c.cluster_id))
    return ClusterResult(assignments, clusters)


# --- the dataset ------------------------------------------------------------------------------


@dataclass
class ClusterSummary:
    """What one `update_clusters` call did."""

    run_id: str
    events: int = 0
    clusters: int = 0
    multi_report: int = 0
    events_merged: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    files_written: list[Path] = field(default_factory=list)
    files_removed: list[Path] = field(default_factory=list)


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return "cluster-" + now.strftime("%Y%m%dT%H%M%SZ")


def _read_rows(out_dir: Path, table_name: str) -> list[dict[str, object]]:
    """The rows of a table, retrying when a file disappears under a concurrent compaction."""
    from pipeline.writer import read_table

    for attempt in range(3):
        try:
            table = read_table(out_dir, table_name)
            break
        except (OSError, pa.ArrowInvalid):
            if attempt == 2:
                raise
    drop = [name for name in ("year", "month") if name in table.column_names]
    rows: list[dict[str, object]] = table.drop_columns(drop).to_pylist()
    return rows


def load_events(out_dir: Path) -> list[Event]:
    """The dataset's events, one per event_id (the latest run's when files overlap)."""
    latest: dict[str, Event] = {}
    for row in _read_rows(out_dir, "events"):
        event = Event.model_validate(row)
        kept = latest.get(event.event_id)
        if kept is None or event.run_id >= kept.run_id:
            latest[event.event_id] = event
    return list(latest.values())


def load_clusters(out_dir: Path) -> list[Cluster]:
    """The clusters table as last written (empty when there is none)."""
    latest: dict[str, Cluster] = {}
    for row in _read_rows(out_dir, CLUSTERS_TABLE):
        cluster = Cluster.model_validate(row)
        kept = latest.get(cluster.cluster_id)
        if kept is None or cluster.run_id >= kept.run_id:
            latest[cluster.cluster_id] = cluster
    return list(latest.values())


def cluster_assignments(out_dir: Path) -> dict[str, str]:
    """event_id → cluster_id as stored in the clusters table (for joins and compaction)."""
    return {eid: c.cluster_id for c in load_clusters(out_dir) for eid in c.event_ids}


def _partition(cluster: Cluster) -> tuple[str, str]:
    from pipeline.writer import partition_of

    return partition_of(cluster.first_reported)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialize clustering runs on one dataset (an advisory lock beside the files)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_clusters(out_dir: Path, clusters: Sequence[Cluster]) -> tuple[list[Path], list[Path]]:
    """Replace the clusters table: one file per partition, each replaced atomically.

    A partition whose rows did not change is not rewritten. New files are in place before
    stale ones go, so a reader never misses a cluster (a cluster whose first report moved to
    another month may show in both for an instant). Returns (written, removed) paths.
    """
    from pipeline.writer import write_atomic

    root = out_dir / CLUSTERS_TABLE
    by_partition: dict[tuple[str, str], list[Cluster]] = defaultdict(list)
    for cluster in clusters:
        by_partition[_partition(cluster)].append(cluster)
    written: list[Path] = []
    keep: set[Path] = set()
    for (year, month), rows in sorted(by_partition.items()):
        path = root / f"year={year}" / f"month={month}" / CLUSTERS_FILE
        keep.add(path)
        table = to_table(CLUSTERS_TABLE, list(rows))
        if path.exists() and pq.read_table(path).equals(table):
            continue
        write_atomic(table, path)
        written.append(path)
    removed: list[Path] = []
    for path in sorted(root.glob("year=*/month=*/*.parquet")):
        if path not in keep:
            path.unlink()
            removed.append(path)
    for directory in sorted(root.glob("year=*/month=*"), reverse=True) + sorted(
        root.glob("year=*"), reverse=True
    ):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    return written, removed


def update_clusters(out_dir: Path, run_id: str | None = None) -> ClusterSummary:
    """(Re)compute the clusters table of the dataset in `out_dir`, reusing its cluster ids.

    Call it after a run has written its events: new reports join existing clusters (which keep
    their ids), and events no longer in the dataset leave theirs.
    """
    summary = ClusterSummary(run_id=run_id or new_run_id())
    with _locked(out_dir / CLUSTERS_TABLE):
        events = load_events(out_dir)
        existing = load_clusters(out_dir)
        result = cluster_events(events, existing, summary.run_id)
        old = {c.cluster_id: c for c in existing}
        for cluster in result.clusters:
            before = old.get(cluster.cluster_id)
            if before is None:
                summary.new += 1
            elif before == cluster:
                summary.unchanged += 1
            else:
                summary.changed += 1
        summary.removed = len(set(old) - set(result.assignments.values()))
        summary.files_written, summary.files_removed = write_clusters(out_dir, result.clusters)
    summary.events = len(result.assignments)
    summary.clusters = len(result.clusters)
    multi = [c for c in result.clusters if c.n_events > 1]
    summary.multi_report = len(multi)
    summary.events_merged = sum(c.n_events for c in multi)
    return summary
