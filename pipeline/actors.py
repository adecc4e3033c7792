"""Stage 4b: actors and sources. Resolves who acted, who was acted upon, and who reported it.

The dictionary (data/actors.yaml) maps Arabic names and agent phrases ("الطيران الحربي الروسي")
to canonical ACLED-style names and actor types; data/reporters.yaml does the same for sources.
Roles come from position: an agent phrase or the name nearest the trigger acts (actor1); a name
introduced by a target word (على، ضد، استهدف، مواقع …) or a victim noun is acted upon (actor2).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.document import ActorMention, Sentence, Trigger
from pipeline.normalize import Folded, fold

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PROCLITICS = "(?:[وف]?(?:[بك]?ال|لل|[بلك])?)"
# Words right before a name that make it the target, not the actor.
TARGET_MARKERS = re.compile(
    fold(
        r"(?:على|ضد|مواقع|موقع|معاقل|مقر|مقرات|مناطق سيطر\w*|"
        r"عناصر|صفوف|مقاتلي|حواجز|حاجز|تجمعات|نقاط|قاده|قائد|مناطق|لصالح|"
        r"(?:ال)?موالي\w*|(?:ال)?تابع\w*|مقتل|عنصر\w* من|عناصر من|قيادي\w* في|مسلحي|"
        r"[يت]تواجد|[يت]تمركز|[يت]نتشر)"
        r" (?:\w+ )?$"
    )
)
# A name right after "targeted" is its object, unless the name is an agent phrase: in
# "استهدف الطيران الروسي مواقع" the air force is the verb's subject.
TARGET_VERB = re.compile(fold(r"(?:استهدف\w*|تستهدف|يستهدف) (?:\w+ )?$"))
# A name followed by "إن/أن" is who speaks ("قالت واشنطن إن القصف …"), not who acted; with a
# pronoun ("قال الجيش إنه تقدم") the speaker claims the act and stays a candidate.
SPEAKER = re.compile(fold(r"^\W*(?:\w+\W+)?(?:ان)(?!\w)"))
# A name introduced as support ("بدعم روسيا", "مدعومة من القوات التركية") backs the actor.
SUPPORT = re.compile(fold(r"(?:بدعم|دعم|بمسانده|بغطاء|مدعوم\w*|بمشارك\w*)(?: من)? (?:\w+ )?$"))
# Who can carry out an air strike: armed forces with aircraft (rebels and militias have none).
AIR_CAPABLE = {"State forces", "External/Other forces"}
# A name this close after the trigger is its subject in verb-first Arabic ("استعاد التنظيم").
SUBJECT_GAP = 12
# Actor types that are victims, not attackers, in violent events.
VICTIM_TYPES = {"Civilians", "Protesters"}
VICTIM_CAN_ACT = {"Protests", "Strategic developments"}


@dataclass(frozen=True)
class ActorEntry:
    name: str
    actor_type: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def valid_on(self, day: dt.date | None) -> bool:
        if day is None:
            return self.valid_to is None
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class ActorPattern:
    entry: ActorEntry
    pattern: re.Pattern[str]
    agent: bool  # an agent phrase: force noun + nationality adjective


def _compile(alternatives: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){PROCLITICS}(?:{fold(alternatives)})(?!\w)")


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@functools.cache
def load_actors(path: Path = DATA_DIR / "actors.yaml") -> list[ActorPattern]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    nouns = re.sub(r"\s+", "", spec["force_nouns"])
    modifiers = spec["noun_modifiers"]
    patterns: list[ActorPattern] = []
    for item in spec["actors"]:
        entry = ActorEntry(
            item["name"], item["type"], _date(item.get("valid_from")), _date(item.get("valid_to"))
        )
        if item.get("adjectives"):
            agent = (
                f"(?:ال)?(?:{nouns})(?: (?:ال)?(?:{modifiers}))* (?:ال)?(?:{item['adjectives']})"
            )
            patterns.append(ActorPattern(entry, _compile(agent), True))
        for alias in item.get("aliases", []):
            patterns.append(ActorPattern(entry, _compile(alias), False))
    return patterns


@functools.cache
def load_reporters(path: Path = DATA_DIR / "reporters.yaml") -> list[tuple[str, re.Pattern[str]]]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(item["name"], _compile("|".join(item["aliases"]))) for item in spec["reporters"]]


def find_actors(sentence: Sentence, day: dt.date | None) -> list[ActorMention]:
    """Actor names in the sentence, longest first where two overlap, resolved for `day`.

    A name inside a source's name ("روسيا" in "روسيا اليوم") is the source, not an actor.
    """
    return list(_actor_mentions(sentence.text, sentence.start, day))


@functools.lru_cache(maxsize=4096)
def _actor_mentions(text: str, base: int, day: dt.date | None) -> tuple[ActorMention, ...]:
    """find_actors on the sentence's text; cached, as several stages ask for the same one."""
    folded = Folded.of(text, base=base)
    sources = [m.span() for _, pattern in load_reporters() for m in pattern.finditer(folded.text)]
    found: list[tuple[int, int, ActorPattern]] = []
    for actor in load_actors():
        if not actor.entry.valid_on(day):
            continue
        for match in actor.pattern.finditer(folded.text):
            if any(
                s <= match.start() and match.end() <= e and (s, e) != match.span()
                for s, e in sources
            ):
                continue
            found.append((match.start(), match.end(), actor))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0]), not m[2].agent))
    mentions: list[ActorMention] = []
    taken_until = -1
    for start, end, actor in found:
        if start < taken_until:
            continue
        taken_until = end
        orig_start, orig_end = folded.span(start, end)
        mentions.append(
            ActorMention(
                start=orig_start,
                end=orig_end,
                text=text[orig_start - base : orig_end - base],
                name=actor.entry.name,
                actor_type=actor.entry.actor_type,
                role_hint="agent" if actor.agent else "",
            )
        )
    return tuple(mentions)


def _is_target(sentence: Sentence, mention: ActorMention) -> bool:
    before = fold(sentence.text[: mention.start - sentence.start])[-30:]
    if TARGET_MARKERS.search(before):
        return True
    return mention.role_hint != "agent" and bool(TARGET_VERB.search(before))


def fits(trigger: Trigger, mention: ActorMention) -> bool:
    """Whether the actor can have done what the trigger says (civilians do not shell towns,
    rebels have no aircraft)."""
    if trigger.event_type not in VICTIM_CAN_ACT and mention.actor_type in VICTIM_TYPES:
        return False
    return trigger.sub_event_type != "Air/drone strike" or mention.actor_type in AIR_CAPABLE


def assign_roles(
    sentence: Sentence, trigger: Trigger, mentions: list[ActorMention]
) -> tuple[ActorMention | None, ActorMention | None]:
    """(actor1, actor2) for one trigger of the sentence."""
    if not mentions:
        return None, None
    victims_may_act = trigger.event_type in VICTIM_CAN_ACT

    def distance(mention: ActorMention) -> int:
        if mention.end <= trigger.start:
            return trigger.start - mention.end
        gap = max(0, mention.start - trigger.end)
        # right after the verb: its subject; further on: usually an object or another clause
        return gap - SUBJECT_GAP if gap <= SUBJECT_GAP else gap + 5

    targets = [m for m in mentions if _is_target(sentence, m)]
    speakers = [
        m
        for m in mentions
        if m.role_hint != "agent"
        and SPEAKER.search(fold(sentence.text[m.end - sentence.start :][:24]))
    ]
    supporters = [
        m for m in mentions if SUPPORT.search(fold(sentence.text[: m.start - sentence.start])[-30:])
    ]
    mentions = [m for m in mentions if m not in speakers and m not in supporters]
    agents = [m for m in mentions if m not in targets and fits(trigger, m)]
    if victims_may_act and any(m.actor_type not in VICTIM_TYPES for m in agents):
        # "خرج المدنيون والمقاتلون": the fighters are the party that moves or agrees
        agents = [m for m in agents if m.actor_type not in VICTIM_TYPES]
    # The subject right after a verb trigger acts ("استعاد تنظيم الدولة السيطرة"); otherwise an
    # agent phrase ("الطيران الروسي") is the best evidence of who acted, then the nearest name.
    subjects = [
        m for m in agents if m.start >= trigger.start and m.start - trigger.end <= SUBJECT_GAP
    ]
    agent_phrases = [m for m in agents if m.role_hint == "agent"]
    actor1 = min(subjects or agent_phrases or agents, key=distance, default=None)
    rest = [m for m in mentions if m is not actor1 and (actor1 is None or m.name != actor1.name)]
    victims = [m for m in rest if m in targets or m.actor_type in VICTIM_TYPES]
    actor2 = min(victims or rest, key=distance, default=None)
    return actor1, actor2


def find_reporter(text: str) -> str | None:
    """Canonical name of the first source the text attributes the report to."""
    folded = fold(text)
    best: tuple[int, str] | None = None
    for name, pattern in load_reporters():
        match = pattern.search(folded)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return best[1] if best else None
