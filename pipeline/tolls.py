"""Tolls: the killed and injured counts a sentence states, and whether the victims are civilians.

ACLED codes the fatalities of each event; the gold annotation also keeps the wounded and a
low/high range, because Arabic reports give exact numbers ("مقتل 40 مدنيا"), number words
("ثلاثة عشر"), duals ("طفلين"), vague plurals ("عشرات القتلى"), hedges ("أكثر من 20",
"نحو 20", "ما لا يقل عن 34") and breakdowns ("بينهم ثمانية أطفال") that must not be added twice.
A number is read as a toll only when it is attached to a casualty word (data/victims.yaml) in
one of the patterns documented in docs/dates_and_tolls.md, so that "5240 طلعة", "4 آلاف مقاتل"
leaving under a deal, or a year are never counted.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.document import Span, Toll
from pipeline.normalize import fold
from pipeline.numbers import Quantity, Token, proclitic_forms, read_quantity, tokenize
from pipeline.numbers import lexicon as number_lexicon

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

KILLED = "killed"
INJURED = "injured"

# Kinds of casualty words.
NOUN = "noun"  # verbal noun, count after: "مقتل 40"
VICTIM_NOUN = "victim_noun"  # the victims, count before: "5 قتلى"
VERB = "verb"  # count after or subject before: "قتل 12 شخصا", "26 مدنيا قتلوا"
WEAK_VERB = "weak_verb"  # subject with a count before it only: "60 مدنيا قضوا"

# Marks that end a clause: an attachment never crosses them.
_CLAUSE_END = frozenset({".", "؛", ";", ":", "!", "؟", "?"})
# Quotes and brackets carry no meaning for counts ("مقتل "ستة عناصر آخرين"").
_TRANSPARENT = frozenset({'"', "«", "»", "“", "”", "'", "(", ")", "[", "]", "‘", "’"})
_COMMAS = frozenset({"،", ","})
# How far a count may sit from its casualty word.
_FORWARD_GAP = 5  # "قتل في الهجوم المزعوم 60 شخصا"
_BACKWARD_REACH = 14  # "عددا من المدنيين، بينهم أطفال ونساء، أصيبوا"
_NEGATION_REACH = 5  # "لم يسفر القصف عن سقوط قتلى"
_COORDINATION_REACH = 10  # "قتل 24 ... وأربعة آخرون"
_SUBJECT_EXTRA_WORDS = 2  # "1500 مقاتل كردي لقوا حتفهم", "عشرات المدنيين قد قتلوا"
_SPLIT_VERB_REACH = 6  # "لقي 25 شخصا على الأقل حتفهم"

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class VictimLexicon:
    """data/victims.yaml, folded."""

    cue_words: dict[str, tuple[str, str]]  # word → (category, kind)
    cue_phrases: tuple[tuple[Phrase, str, str], ...]  # multi-word cues, longest first
    split_verbs: dict[str, tuple[str, frozenset[str]]]  # "لقي" → (category, {"حتفهم", ...})
    not_injury_after: frozenset[str]
    singular_suffixes: frozenset[str]
    dual_suffixes: frozenset[str]
    plural_suffixes: frozenset[str]
    civilian: frozenset[str]
    fighter: frozenset[str]
    fighter_groups: frozenset[str]
    neutral: frozenset[str]
    singular: frozenset[str]
    dual: frozenset[str]
    fighter_modifiers: frozenset[str]
    breakdown_markers: tuple[Phrase, ...]
    total_words: frozenset[str]
    total_joiners: frozenset[str]
    negations: frozenset[str]
    negation_cancellers: frozenset[str]
    not_victim_nouns: frozenset[str]

    @property
    def victims(self) -> frozenset[str]:
        return self.civilian | self.fighter | self.neutral


def _folded_set(items: Sequence[Any]) -> frozenset[str]:
    return frozenset(fold(str(item)) for item in items)


def _phrase(text: str) -> Phrase:
    return tuple(token.text for token in tokenize(text))


@functools.lru_cache(maxsize=1)
def lexicon() -> VictimLexicon:
    """The casualty lexicon, loaded once."""
    raw: dict[str, Any] = yaml.safe_load((DATA_DIR / "victims.yaml").read_text(encoding="utf-8"))
    words: dict[str, tuple[str, str]] = {}
    phrases: list[tuple[Phrase, str, str]] = []
    for category in (KILLED, INJURED):
        for kind, key in (
            (NOUN, "nouns"),
            (VICTIM_NOUN, "victim_nouns"),
            (VERB, "verbs"),
            (WEAK_VERB, "weak_verbs"),
        ):
            for entry in raw[category][key] or []:
                phrase = _phrase(str(entry))
                if len(phrase) == 1:
                    words.setdefault(phrase[0], (category, kind))
                else:
                    phrases.append((phrase, category, kind))
    split_verbs = {
        fold(verb): (category, _folded_set(seconds))
        for category in (KILLED, INJURED)
        for verb, seconds in (raw[category].get("split_verbs") or {}).items()
    }
    victims = raw["victims"]
    return VictimLexicon(
        cue_words=words,
        cue_phrases=tuple(sorted(phrases, key=lambda p: -len(p[0]))),
        split_verbs=split_verbs,
        not_injury_after=_folded_set(raw["not_injury_after"]),
        singular_suffixes=_folded_set(raw["singular_suffixes"]),
        dual_suffixes=_folded_set(raw["dual_suffixes"]),
        plural_suffixes=_folded_set(raw["plural_suffixes"]),
        civilian=_folded_set(victims["civilian"]),
        fighter=_folded_set(victims["fighter"]),
        fighter_groups=_folded_set(victims["fighter_groups"]),
        neutral=_folded_set(victims["neutral"]),
        singular=_folded_set(raw["singular"]),
        dual=_folded_set(raw["dual"]),
        fighter_modifiers=_folded_set(raw["fighter_modifiers"]),
        breakdown_markers=tuple(
            sorted((_phrase(m) for m in raw["breakdown_markers"]), key=lambda p: -len(p))
        ),
        total_words=_folded_set(raw["total_words"]),
        total_joiners=_folded_set(raw["total_joiners"]),
        negations=_folded_set(raw["negations"]),
        negation_cancellers=_folded_set(raw["negation_cancellers"]),
        not_victim_nouns=_folded_set(raw["not_victim_nouns"]),
    )


# --- casualty words -------------------------------------------------------------------------


@dataclass
class _Cue:
    first: int
    last: int
    category: str
    kind: str
    pronoun: str | None = None  # "singular" / "dual" / "plural" when a suffix names the victims
    partner: _Cue | None = None  # "مقتل وإصابة": the other half of a combined pair
    closer: int | None = None  # index of "حتفهم" after a split verb "لقي"


def _match_cue(words: Sequence[str], i: int, lex: VictimLexicon) -> _Cue | None:
    forms = proclitic_forms(words[i], article=True)
    for phrase, category, kind in lex.cue_phrases:
        if phrase[0] in forms and tuple(words[i + 1 : i + len(phrase)]) == phrase[1:]:
            return _Cue(i, i + len(phrase), category, kind)
    for form in forms:
        if form in lex.cue_words:
            category, kind = lex.cue_words[form]
            return _Cue(i, i + 1, category, kind)
        if form in lex.split_verbs:
            category, seconds = lex.split_verbs[form]
            window = words[i + 1 : i + 1 + _SPLIT_VERB_REACH]
            for offset, word in enumerate(window):
                if word in seconds:
                    return _Cue(i, i + 1, category, VERB, closer=i + 1 + offset)
    # A verbal noun with a pronoun suffix: "مقتله", "إصابتهم" (ة becomes ت before it).
    for form in forms:
        for suffixes, number in (
            (lex.dual_suffixes, "dual"),
            (lex.plural_suffixes, "plural"),
            (lex.singular_suffixes, "singular"),
        ):
            for suffix in suffixes:
                if not form.endswith(suffix) or len(form) <= len(suffix) + 2:
                    continue
                stem = form[: -len(suffix)]
                for base in (stem, stem[:-1] + "ه" if stem.endswith("ت") else None):
                    if base is not None and lex.cue_words.get(base, ("", ""))[1] in (NOUN, VERB):
                        category, kind = lex.cue_words[base]
                        return _Cue(i, i + 1, category, kind, pronoun=number)
    return None


def _negated(words: Sequence[str], cue: _Cue, lex: VictimLexicon) -> bool:
    for k in range(cue.first - 1, max(-1, cue.first - 1 - _NEGATION_REACH), -1):
        if words[k] in _CLAUSE_END or words[k] in _COMMAS:
            return False
        if any(form in lex.negations for form in proclitic_forms(words[k])):
            nxt = words[k + 1] if k + 1 < len(words) else ""
            return nxt not in lex.negation_cancellers
    return False


# --- victims after a count ------------------------------------------------------------------


@dataclass
class _VictimPhrase:
    end: int
    nouns: list[str] = field(default_factory=list)
    count: int | None = None  # "مدنيين اثنين"
    trailing_effect: str | None = None  # "على الأقل" after the noun


def _victim_forms(word: str, lex: VictimLexicon) -> str | None:
    """The victim noun a token is ("والمدنيين" → "مدنيين", "جنوده" → "جنود"), or None."""
    for form in proclitic_forms(word, article=True):
        if form in lex.victims:
            return form
        for suffix in ("هم", "هن", "ه", "ها"):
            if form.endswith(suffix) and form[: -len(suffix)] in lex.victims:
                return form[: -len(suffix)]
    return None


def _group_form(word: str, lex: VictimLexicon) -> str | None:
    for form in proclitic_forms(word, article=True):
        if form in lex.fighter_groups or ("ال" + form) in lex.fighter_groups:
            return form
    return None


def _victim_phrase(words: Sequence[str], k: int, lex: VictimLexicon) -> _VictimPhrase:
    """The victim noun phrase at k: nouns ("مدنيين", "أطفال ونساء"), "من القوات",
    "في صفوف المدنيين", a count after the noun ("اثنين") and a trailing hedge ("على الأقل")."""
    phrase = _VictimPhrase(k)
    j = k
    while j < len(words):
        noun = _victim_forms(words[j], lex)
        if noun is not None:
            phrase.nouns.append(noun)
            j += 1
            if j < len(words) and fold(words[j]) in ("اثنين", "اثنان", "اثنتين", "اثنتان"):
                phrase.count, j = 2, j + 1
            continue
        connector = words[j]
        if connector == "في" and j + 1 < len(words) and words[j + 1] == "صفوف":
            connector, j = "من", j + 1
        if connector == "من" and j + 1 < len(words):
            inner = _victim_forms(words[j + 1], lex)
            if inner is not None:
                phrase.nouns.append(inner)
                j += 2
                continue
            group = _group_form(words[j + 1], lex)
            if group is not None:
                phrase.nouns.append("#fighter")
                j += 2
                continue
        break
    # The hedge may be set off by commas: "قتل 36 شخصا، على الأقل، في غارات".
    start = j + 1 if j < len(words) and words[j] in _COMMAS else j
    for hedge_phrase, effect in number_lexicon().trailing_hedges:
        if tuple(words[start : start + len(hedge_phrase)]) == hedge_phrase:
            phrase.trailing_effect, j = effect, start + len(hedge_phrase)
            break
    phrase.end = j
    return phrase


# --- the reader -----------------------------------------------------------------------------


@dataclass
class _Count:
    category: str
    low: int
    high: int | None
    first: int  # token extent of the count (or of the casualty word when none)
    last: int
    nouns: list[str]
    stated: bool  # a number or pronoun was attached, not a bare casualty word


class _TollReader:
    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)
        self.lex = lexicon()
        self.cues = self._cues()
        self.cue_at = {k: cue for cue in self.cues for k in range(cue.first, cue.last)}
        self.quantities = self._quantities()
        self.breakdown = self._breakdown_regions()
        self.used: set[int] = set()  # first index of quantities already attached
        self.counts: list[_Count] = []

    def _cues(self) -> list[_Cue]:
        cues: list[_Cue] = []
        closers: set[int] = set()
        i = 0
        while i < len(self.words):
            cue = None if i in closers else _match_cue(self.words, i, self.lex)
            if cue is None:
                i += 1
                continue
            cues.append(cue)
            if cue.closer is not None:
                closers.add(cue.closer)
            i = cue.last
        # "مقتل وإصابة", "قتلى وجرحى", "القتلى والجرحى": one pair, one count.
        for a, b in itertools.pairwise(cues):
            if (
                b.first == a.last
                and a.category != b.category
                and self.words[b.first].startswith("و")
                and a.kind == b.kind
                and a.partner is None
            ):
                a.partner, b.partner = b, a
        return cues

    def _quantities(self) -> dict[int, Quantity]:
        """Quantities by first token, read left to right; "و" before a count is skipped."""
        found: dict[int, Quantity] = {}
        i = 0
        words = self.words
        while i < len(words):
            if i in self.cue_at:
                i += 1
                continue
            quantity = read_quantity(words, i)
            if quantity is None and words[i].startswith("و") and len(words[i]) > 1:
                stripped = [*words[:i], words[i][1:], *words[i + 1 :]]
                quantity = read_quantity(stripped, i)
            if quantity is None:
                i += 1
                continue
            found[i] = quantity
            i = quantity.last
        return found

    def _breakdown_regions(self) -> set[int]:
        """Token indices inside "بينهم ..." breakdowns, up to the next casualty word."""
        inside: set[int] = set()
        i = 0
        while i < len(self.words):
            marker_end = None
            for phrase in self.lex.breakdown_markers:
                forms = proclitic_forms(self.words[i])
                if phrase[0] in forms and tuple(self.words[i + 1 : i + len(phrase)]) == phrase[1:]:
                    marker_end = i + len(phrase)
                    break
            if marker_end is None:
                i += 1
                continue
            j = marker_end
            while j < len(self.words) and j not in self.cue_at and self.words[j] not in _CLAUSE_END:
                inside.add(j)
                j += 1
            i = j
        return inside

    # -- attachment patterns --

    def _free_quantity(self, k: int) -> Quantity | None:
        quantity = self.quantities.get(k)
        if quantity is None or k in self.used or k in self.breakdown:
            return None
        return quantity

    def _take(
        self, cue: _Cue, quantity: Quantity, phrase: _VictimPhrase, combined: bool = False
    ) -> None:
        self.used.add(quantity.first)
        low, high = quantity.low, quantity.high
        if phrase.trailing_effect is not None and low == high:
            low, high = _apply_effect(low, phrase.trailing_effect)
        categories = [cue.category]
        if combined and cue.partner is not None:
            categories.append(cue.partner.category)
            low = 1  # "مقتل وإصابة 20": 20 casualties in all, each kind at least one
        for category in categories:
            self.counts.append(
                _Count(category, low, high, quantity.first, quantity.last, phrase.nouns, True)
            )

    def _forward(self, cue: _Cue) -> bool:
        """Count after the casualty word: "مقتل 40 مدنيا", "قتل في الهجوم 60 شخصا"."""
        start = (
            cue.partner.last
            if cue.partner is not None and cue.partner.first > cue.first
            else cue.last
        )
        for gap in range(0, _FORWARD_GAP + 1):
            k = start + gap
            if k >= len(self.words):
                return False
            if gap > 0 and (
                self.words[k - 1] in _CLAUSE_END
                or self.words[k - 1] in _COMMAS
                or (k - 1) in self.cue_at
            ):
                return False
            quantity = self._free_quantity(k)
            if quantity is None:
                continue
            phrase = _victim_phrase(self.words, quantity.last, self.lex)
            following = self.words[quantity.last] if quantity.last < len(self.words) else ""
            if any(form in self.lex.not_victim_nouns for form in proclitic_forms(following, True)):
                return False
            if gap > 0 and not phrase.nouns:
                continue
            self._take(cue, quantity, phrase, combined=cue.partner is not None)
            return True
        return False

    def _backward_subject(self, cue: _Cue) -> bool:
        """Subject with a count before a verb: "26 مدنيا على الأقل قتلوا"."""
        for k in range(cue.first - 1, max(-1, cue.first - 1 - _BACKWARD_REACH), -1):
            if self.words[k] in _CLAUSE_END or (k in self.cue_at and k < cue.first):
                return False
            quantity = self._free_quantity(k)
            if quantity is None:
                continue
            phrase = _victim_phrase(self.words, quantity.last, self.lex)
            if not phrase.nouns:
                return False
            j = phrase.end
            # Up to two more words may qualify the victims or the verb ("مقاتل كردي",
            # "قد قتلوا"); a longer stretch is another clause.
            extra = 0
            while (
                j < cue.first
                and extra < _SUBJECT_EXTRA_WORDS
                and self.words[j] not in _COMMAS
                and self.words[j] not in _CLAUSE_END
                and j not in self.quantities
                and not self._is_breakdown_marker(j)
            ):
                j, extra = j + 1, extra + 1
            while j < cue.first and (
                self.words[j] in _COMMAS
                or j in self.breakdown
                or self.words[j] == "و"
                or self._is_breakdown_marker(j)
            ):
                j += 1
            if j == cue.first:
                self._take(cue, quantity, phrase)
                return True
            return False
        return False

    def _is_breakdown_marker(self, j: int) -> bool:
        forms = proclitic_forms(self.words[j])
        return any(phrase[0] in forms for phrase in self.lex.breakdown_markers)

    def _before_victim_noun(self, cue: _Cue) -> bool:
        """Count right before the victims: "5 قتلى", "عشرات القتلى والجرحى"."""
        for k, quantity in self.quantities.items():
            if quantity.last == cue.first and self._free_quantity(k) is not None:
                after = cue.partner.last if cue.partner is not None else cue.last
                phrase = _victim_phrase(self.words, after, self.lex)
                self._take(cue, quantity, phrase, combined=cue.partner is not None)
                return True
        return False

    def _running_total(self, cue: _Cue) -> bool | None:
        """ "ارتفع عدد القتلى إلى 30": the count after the total word. None: not a total."""
        if cue.first == 0:
            return None
        before = proclitic_forms(self.words[cue.first - 1])
        if not any(form in self.lex.total_words for form in before):
            return None
        self.used.add(cue.first - 1)  # "عدد" is not the vague quantity here
        for k in range(cue.last, min(len(self.words), cue.last + 8)):
            if self.words[k] in _CLAUSE_END:
                break
            quantity = self._free_quantity(k)
            if quantity is not None:
                prev = self.words[k - 1]
                if prev in self.lex.total_joiners or k == cue.last:
                    phrase = _victim_phrase(self.words, quantity.last, self.lex)
                    self._take(cue, quantity, phrase)
                    return True
        return False

    def _singular_after(self, cue: _Cue) -> bool:
        """One or two named victims: "مقتل قيادي", "أصيب طفلان", "وأصيب آخران"."""
        after = (
            cue.partner.last
            if cue.partner is not None and cue.partner.first > cue.first
            else cue.last
        )
        if after >= len(self.words):
            return False
        phrase = _victim_phrase(self.words, after, self.lex)
        if not phrase.nouns:
            return False
        noun = phrase.nouns[0]
        count = 2 if noun in self.lex.dual else 1 if noun in self.lex.singular else None
        if phrase.count is not None:
            count = phrase.count
        if count is None:
            return False
        for category in [cue.category] + ([cue.partner.category] if cue.partner else []):
            self.counts.append(
                _Count(category, count, count, after, phrase.end, phrase.nouns, True)
            )
        return True

    def read(self) -> list[_Count]:
        done: set[int] = set()
        for cue in self.cues:
            if cue.first in done or cue.first in self.breakdown:
                continue
            done.add(cue.first)
            if cue.partner is not None:
                done.add(cue.partner.first)
            if _negated(self.words, cue, self.lex):
                continue
            self._read_cue(cue)
        self._coordinated()
        return self.counts

    def _read_cue(self, cue: _Cue) -> None:
        lex = self.lex
        categories = [cue.category] + ([cue.partner.category] if cue.partner else [])
        if cue.pronoun is not None:
            low, high = {"singular": (1, 1), "dual": (2, 2)}.get(cue.pronoun, (1, None))
            self.counts.append(_Count(cue.category, low, high, cue.first, cue.last, [], True))
            return
        if cue.kind == VICTIM_NOUN:
            total = self._running_total(cue)
            if total:
                return
            if total is None and self._before_victim_noun(cue):
                return
            form = next(
                (f for f in proclitic_forms(self.words[cue.first], True) if f in lex.cue_words),
                "",
            )
            if form in lex.dual or form in lex.singular:
                n = 2 if form in lex.dual else 1
                self.counts.append(_Count(cue.category, n, n, cue.first, cue.last, [], True))
                return
        else:
            if cue.kind in (VERB, WEAK_VERB) and self._backward_subject(cue):
                return
            if cue.kind == WEAK_VERB:
                return  # "قضى" without a counted subject is not a death
            if self._forward(cue) or self._singular_after(cue):
                return
            following = self.words[cue.last] if cue.last < len(self.words) else ""
            if cue.kind == NOUN and cue.category == INJURED and following in lex.not_injury_after:
                return
        after = cue.partner.last if cue.partner is not None else cue.last
        nouns = _victim_phrase(self.words, after, lex).nouns
        for category in categories:
            self.counts.append(_Count(category, 1, None, cue.first, after, nouns, False))

    def _coordinated(self) -> None:
        """ "قتل 24 ... وأربعة آخرون": a further count joined by "و" to a stated one."""
        stated = [c for c in self.counts if c.stated]
        for k, quantity in sorted(self.quantities.items()):
            if k in self.used or k in self.breakdown or quantity.vague:
                continue
            joined = self.words[k].startswith("و") or (k > 0 and self.words[k - 1] == "و")
            if not joined:
                continue
            previous = [c for c in stated if c.last <= k and k - c.last <= _COORDINATION_REACH]
            if not previous:
                continue
            last = max(previous, key=lambda c: c.last)
            if any(self.words[j] in _CLAUSE_END or j in self.cue_at for j in range(last.last, k)):
                continue
            phrase = _victim_phrase(self.words, quantity.last, self.lex)
            if not phrase.nouns:
                continue
            self.used.add(k)
            self.counts.append(
                _Count(
                    last.category, quantity.low, quantity.high, k, quantity.last, phrase.nouns, True
                )
            )


def _apply_effect(value: int, effect: str) -> tuple[int, int | None]:
    if effect == "at_least":
        return value, None
    if effect == "more_than":
        return value + 1, None
    if effect == "about":
        margin = max(1, round(value * 0.1))
        return max(1, value - margin), value + margin
    return value, value


def _civilian(nouns: Sequence[str], lex: VictimLexicon) -> bool | None:
    civilian = fighter = False
    for index, noun in enumerate(nouns):
        if noun == "#fighter" or noun in lex.fighter:
            fighter = True
        elif noun in lex.civilian:
            nxt = nouns[index + 1] if index + 1 < len(nouns) else ""
            if nxt in lex.fighter_modifiers:
                continue  # "طفل مقاتل": a child fighter
            civilian = True
    if civilian:
        return True
    return False if fighter else None


def _sum(counts: Sequence[_Count]) -> tuple[int | None, int | None]:
    if not counts:
        return None, None
    stated = [c for c in counts if c.stated] or list(counts[:1])
    low = sum(c.low for c in stated)
    highs = [c.high for c in stated]
    high = None if any(h is None for h in highs) else sum(h for h in highs if h is not None)
    return low, high


def find_toll(text: str, base: int = 0) -> Toll:
    """Killed/injured low/high and civilian_victims stated in `text` (a sentence).

    `spans` holds, for each count read, the span of the number (or of the casualty word when no
    number is given), labelled "killed" or "injured"; offsets are base + index into `text`.
    """
    tokens: list[Token] = [t for t in tokenize(text, base) if t.text not in _TRANSPARENT]
    reader = _TollReader([t.text for t in tokens])
    counts = reader.read()
    lex = lexicon()
    killed = [c for c in counts if c.category == KILLED]
    injured = [c for c in counts if c.category == INJURED]
    killed_low, killed_high = _sum(killed)
    injured_low, injured_high = _sum(injured)
    nouns = [noun for c in counts for noun in c.nouns]
    # Victims named in a breakdown ("بينهم أطفال") tell who the victims are.
    for k in sorted(reader.breakdown):
        noun = _victim_forms(tokens[k].text, lex)
        if noun is not None:
            nouns.append(noun)
    spans: list[Span] = []
    for count in counts:
        if not count.stated and any(c.stated for c in counts if c.category == count.category):
            continue
        start = tokens[count.first].start
        end = tokens[min(count.last, len(tokens)) - 1].end
        spans.append(Span(start, end, text[start - base : end - base], count.category))
    return Toll(
        killed_low=killed_low,
        killed_high=killed_high,
        injured_low=injured_low,
        injured_high=injured_high,
        civilian_victims=_civilian(nouns, lex) if counts else None,
        spans=spans,
    )


# Where one clause of a sentence ends and the next begins: "مقتل ستة في غارات على الرقة،
# بالتزامن مع مقتل أربعة في قصف على حاجز هنيدة" tells two tolls of two places.
CLAUSE_BREAK = re.compile(r"[،,؛;]|(?<!\S)(?:فيما|بينما|في حين)(?!\S)")


def clause_tolls(text: str, base: int = 0) -> list[tuple[int, int, Toll]]:
    """(start, end, toll) of each clause of `text` that states a toll; offsets as in find_toll."""
    result: list[tuple[int, int, Toll]] = []
    bounds = [(m.start(), m.end()) for m in CLAUSE_BREAK.finditer(text)] + [(len(text), 0)]
    start = 0
    for end, next_start in bounds:
        toll = find_toll(text[start:end], base=base + start)
        if toll.killed_low is not None or toll.injured_low is not None:
            result.append((base + start, base + end, toll))
        start = next_start
    return result


def fatalities(toll: Toll) -> int:
    """ACLED-style conservative single number (0 when no deaths reported).

    The low end of the killed range: an exact number is itself, a range or a hedge gives its
    lower bound ("أكثر من 20" → 21, "نحو 20" → 18, "بين 10 و15" → 10), a vague plural its
    floor ("عشرات" → 20, "مئات" → 200), and deaths with no number ("سقوط قتلى") count 1.
    """
    return toll.killed_low if toll.killed_low is not None else 0
