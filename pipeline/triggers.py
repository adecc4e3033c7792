"""Stage 3a: triggers. Finds the words that announce an event, from data/triggers.yaml.

Matching runs on the folded sentence (see normalize.py) with every form wrapped in Arabic
clitics, so one lexicon line covers قصف / بقصف / والقصف / قصفها. A sentence's triggers are then
reduced to the sub-event types it reports (context rules, weak words, first-wins groups), and the
blockers say whether the sentence reports something that happened at all.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.document import Sentence, Trigger
from pipeline.normalize import Folded, fold
from schemas.vocab import SUB_EVENT_PARENT

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# How many characters before a trigger a negation word may stand ("لم تسجل أي اشتباكات").
NEGATION_WINDOW = 14
# How far before a trigger "بالتزامن مع" makes it background ("بالتزامن مع الضربات").
BACKGROUND_WINDOW = 16
# How far before a trigger a future/plan word still governs it.
FUTURE_WINDOW = 60
# How far before a trigger a reference word ("بشأن", "ردا على") makes it a sentence's topic.
REFERENCE_WINDOW = 40
# At most this many words between a statement verb and the date that follows it ("قال وزير
# الخارجية الروسي سيرغي لافروف، الجمعة،").
STATEMENT_SUBJECT_WORDS = 12


@dataclass(frozen=True)
class TriggerForm:
    sub_event_type: str
    priority: int
    weak: bool
    pattern: re.Pattern[str]


@dataclass
class Lexicon:
    """The compiled trigger lexicon."""

    forms: list[TriggerForm]
    context_rules: list[tuple[list[str], str, re.Pattern[str], re.Pattern[str] | None]]
    first_wins: list[list[str]]
    yields_to: dict[str, list[str]]
    false_friends: re.Pattern[str] | None
    blockers: dict[str, re.Pattern[str]] = field(default_factory=dict)
    requires: dict[str, re.Pattern[str]] = field(default_factory=dict)
    references: re.Pattern[str] | None = None
    statement_opening: re.Pattern[str] | None = None
    statement_start: re.Pattern[str] | None = None


def _word_pattern(forms: list[str], proclitics: str, enclitics: str) -> re.Pattern[str]:
    """Whole-word pattern of the forms with clitics; group "pro" holds the proclitics."""
    alternatives = "|".join(f"(?:{fold(form)})" for form in forms)
    return re.compile(rf"(?<!\w)(?P<pro>{proclitics})(?:{alternatives}){enclitics}(?!\w)")


# A verbal noun with the bare preposition ل states a purpose ("لإخراج المدنيين", "للضغط"), not an
# event, unless the sentence says the place was subjected to it ("تعرضت لقصف").
_PURPOSE_EXCEPTION = re.compile(r"(?:تعرض|خضع)\w*(?: \w+){0,2} $")


def _statement_verb(verbs: list[str]) -> str | None:
    if not verbs:
        return None
    alternatives = "|".join(f"(?:{fold(verb)})" for verb in verbs)
    return rf"[وف]?(?:قد )?(?:{alternatives})(?!\w)"


def _statement_opening(verbs: list[str]) -> re.Pattern[str] | None:
    """A statement verb followed by its subject up to the end of the text (the date)."""
    verb = _statement_verb(verbs)
    subject = rf"(?:\W+\w+){{0,{STATEMENT_SUBJECT_WORDS}}}"
    return re.compile(rf"(?<!\w){verb}{subject}\W*$") if verb else None


def _statement_start(verbs: list[str]) -> re.Pattern[str] | None:
    """A statement verb opening the sentence ("وأضاف أن", "وقالت ألمانيا إن")."""
    verb = _statement_verb(verbs)
    return re.compile(rf"^\W*{verb}") if verb else None


def opens_with_statement(sentence: Sentence, lexicon: Lexicon) -> bool:
    """Whether the sentence opens with a statement verb."""
    if lexicon.statement_start is None:
        return False
    return lexicon.statement_start.search(fold(sentence.text[:40])) is not None


def dates_a_statement(sentence: Sentence, date_start: int, lexicon: Lexicon) -> bool:
    """Whether the time expression at `date_start` follows a statement verb and its subject."""
    if lexicon.statement_opening is None:
        return False
    opening = fold(sentence.text[: date_start - sentence.start])
    return lexicon.statement_opening.search(opening) is not None


@functools.cache
def load_lexicon(path: Path = DATA_DIR / "triggers.yaml") -> Lexicon:
    spec: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    pro, enc = spec["proclitics"], spec["enclitics"]
    forms: list[TriggerForm] = []
    for entry in spec["triggers"]:
        sub = entry["sub_event_type"]
        if sub not in SUB_EVENT_PARENT:
            raise ValueError(f"{path}: unknown sub_event_type {sub!r}")
        weak = set(entry.get("weak_forms", []))
        for form in entry["forms"]:
            forms.append(
                TriggerForm(
                    sub, int(entry["priority"]), form in weak, _word_pattern([form], pro, enc)
                )
            )
    rules = []
    for rule in spec.get("context_rules", []):
        if "when" not in rule:
            continue  # decided from actors, documented in the lexicon only
        unless = _word_pattern(rule["unless"], pro, enc) if rule.get("unless") else None
        rules.append((rule["from"], rule["to"], _word_pattern(rule["when"], pro, enc), unless))
    friends = spec.get("false_friends") or []
    return Lexicon(
        forms=forms,
        context_rules=rules,
        first_wins=spec.get("first_wins", []),
        yields_to=spec.get("yields_to", {}),
        false_friends=_word_pattern(friends, "", "") if friends else None,
        blockers={
            name: _word_pattern(patterns, pro, enc)
            for name, patterns in spec.get("blockers", {}).items()
        },
        requires={
            sub: _word_pattern(patterns, pro, enc)
            for sub, patterns in spec.get("requires", {}).items()
        },
        references=_word_pattern(spec["references"], pro, enc) if spec.get("references") else None,
        statement_opening=_statement_opening(spec.get("statement_verbs", [])),
        statement_start=_statement_start(spec.get("statement_verbs", [])),
    )


def find_triggers(sentence: Sentence, lexicon: Lexicon) -> list[Trigger]:
    """Every trigger word in the sentence, longest match first where two overlap."""
    folded = Folded.of(sentence.text, base=sentence.start)
    excluded = (
        [m.span() for m in lexicon.false_friends.finditer(folded.text)]
        if lexicon.false_friends is not None
        else []
    )
    found: list[tuple[int, int, TriggerForm]] = []
    for form in lexicon.forms:
        for match in form.pattern.finditer(folded.text):
            start, end = match.span()
            if any(s <= start and end <= e for s, e in excluded):
                continue
            purpose = match.group("pro") in ("ل", "ول", "فل")
            if purpose and not _PURPOSE_EXCEPTION.search(folded.text[:start]):
                continue
            found.append((start, end, form))
    found.sort(key=lambda item: (item[0], -(item[1] - item[0]), -item[2].priority))
    triggers: list[Trigger] = []
    taken_until = -1
    for start, end, form in found:
        if start < taken_until:
            continue
        taken_until = end
        orig_start, orig_end = folded.span(start, end)
        text = sentence.text[orig_start - sentence.start : orig_end - sentence.start]
        triggers.append(
            Trigger(
                start=orig_start,
                end=orig_end,
                text=text,
                event_type=SUB_EVENT_PARENT[form.sub_event_type],
                sub_event_type=form.sub_event_type,
                priority=form.priority if not form.weak else -1,
            )
        )
    return triggers


@dataclass
class SentenceReading:
    """What a sentence reports: one trigger per event type, and how sure we are."""

    triggers: list[Trigger]
    flags: list[str]
    blocked_by: str | None


def _sentence_blocker(folded_text: str, lexicon: Lexicon) -> str | None:
    """The blocker that holds for the whole sentence (a running total, a condemnation)."""
    for name in ("statistics", "opinion"):
        pattern = lexicon.blockers.get(name)
        if pattern is not None and pattern.search(folded_text):
            return name
    return None


def _blocked(
    sentence: Sentence, trigger: Trigger, lexicon: Lexicon, sentence_blocker: str | None
) -> str | None:
    local = trigger.start - sentence.start
    before = fold(sentence.text[:local])
    for name, window in (
        ("negation", NEGATION_WINDOW),
        ("background", BACKGROUND_WINDOW),
        ("future", FUTURE_WINDOW),
    ):
        pattern = lexicon.blockers.get(name)
        if pattern is not None and pattern.search(before[-window:]):
            return name
    if fold(trigger.text).lstrip("وف").startswith("س") and lexicon.blockers.get("future"):
        future = lexicon.blockers["future"]
        if future.fullmatch(fold(trigger.text)):
            return "future"
    return sentence_blocker


def _applies(folded: Folded, trigger: Trigger, at: int, lexicon: Lexicon) -> bool:
    """Whether a context word at `at` (folded offset) qualifies the trigger: not when a
    reference word stands between them ("ضربات جوية ردا على الهجوم الكيماوي": the strikes
    answer a chemical attack, they are not one)."""
    end = folded.index(trigger.end)
    if at < end or lexicon.references is None:
        return True
    return lexicon.references.search(folded.text[end:at]) is None


def read_sentence(sentence: Sentence, lexicon: Lexicon) -> SentenceReading:
    """Reduce a sentence's triggers to the events it reports."""
    triggers = find_triggers(sentence, lexicon)
    folded = Folded.of(sentence.text, base=sentence.start)  # the one find_triggers made
    if sentence.text.rstrip().endswith(("؟", "?")):
        return SentenceReading([], [], "question")
    strong = [t for t in triggers if t.priority >= 0]
    candidates = strong or triggers
    # Context rules: a plain قصف with aircraft in the sentence is an air strike, etc.
    for sources, target, when, unless in lexicon.context_rules:
        if unless and unless.search(folded.text):
            continue
        context = [m.start() for m in when.finditer(folded.text)]
        for trigger in candidates:
            if trigger.sub_event_type in sources and any(
                _applies(folded, trigger, at, lexicon) for at in context
            ):
                trigger.sub_event_type = target
                trigger.event_type = SUB_EVENT_PARENT[target]
    flags: list[str] = []
    for name in ("denial", "alleged"):
        pattern = lexicon.blockers.get(name)
        if pattern is not None and pattern.search(folded.text):
            flags.append("denied" if name == "denial" else "alleged")
    kept: list[Trigger] = []
    blocked_by: str | None = None
    whole_sentence = _sentence_blocker(folded.text, lexicon)
    for trigger in candidates:
        needed = lexicon.requires.get(trigger.sub_event_type)
        if needed is not None and not needed.search(folded.text):
            continue
        reason = _blocked(sentence, trigger, lexicon, whole_sentence)
        if reason is None:
            kept.append(trigger)
        else:
            blocked_by = blocked_by or reason
    # First-wins groups: the earliest trigger of the group decides the sub-event type.
    for group in lexicon.first_wins:
        members = [t for t in kept if t.sub_event_type in group]
        if members:
            first = min(members, key=lambda t: t.start)
            kept = [t for t in kept if t.sub_event_type not in group or t is first]
    # Yielding types disappear when a stronger kind of event is in the sentence.
    present_types = {t.event_type for t in kept}
    kept = [
        t
        for t in kept
        if not (set(lexicon.yields_to.get(t.sub_event_type, [])) & (present_types - {t.event_type}))
    ]
    # One trigger per event type: the highest priority, then the earliest.
    best: dict[str, Trigger] = {}
    for trigger in kept:
        current = best.get(trigger.event_type)
        if current is None or (trigger.priority, -trigger.start) > (
            current.priority,
            -current.start,
        ):
            best[trigger.event_type] = trigger
    chosen = sorted(best.values(), key=lambda t: t.start)
    if lexicon.references is not None:
        for trigger in chosen:
            before = fold(sentence.text[: trigger.start - sentence.start])[-REFERENCE_WINDOW:]
            trigger.referred = bool(lexicon.references.search(before))
    return SentenceReading(chosen, flags, None if chosen else blocked_by)
