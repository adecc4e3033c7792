"""Dates: find the time expressions of a sentence and resolve them as an analyst would.

Arabic news dates events relative to the day of publication ("أمس", "الخميس", "فجر اليوم",
"قبل يومين", "خلال الأيام الثلاثة الماضية"), with Levantine month names ("١٤ نيسان الجاري")
next to the standard ones, ordinal day words ("الثالث عشر من نوفمبر"), occasionally Hijri
dates, and periods ("منذ 30 سبتمبر حتى فجر أمس"). ACLED codes one date per event with a time
precision (1 day, 2 week, 3 month); this module finds every expression, resolves it against the
publication date and picks the one that dates each sentence. The rules match folded tokens
(pipeline.numbers.tokenize), so diacritics, hamza forms and Arabic-Indic digits do not matter;
the lexicon is data (data/dates.yaml). An absolute date, once isolated and normalized to
"<day> <standard month name> <year>", is parsed by dateparser, which does not know Levantine
names or relative Arabic forms on its own.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Container, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from pipeline.document import DateMention, Document
from pipeline.normalize import fold
from pipeline.numbers import lexicon as number_lexicon
from pipeline.numbers import (
    proclitic_forms,
    read_number,
    read_ordinal,
    read_quantity,
    tokenize,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

Phrase = tuple[str, ...]

# Roles of a time expression inside its sentence.
PLAIN = "plain"
SINCE = "since"  # "منذ X": a period from X
FROM = "from"  # "من X": start of a period if an end follows
FUTURE_FROM = "future_from"  # "اعتبارا من X": a period that starts later
UNTIL = "until"  # "حتى X": end of a period


@dataclass(frozen=True)
class DateLexicon:
    """data/dates.yaml, folded into token phrases."""

    months: dict[Phrase, int]
    standard_month: dict[int, str]
    ambiguous_months: frozenset[Phrase]
    hijri_months: dict[Phrase, int]
    hijri_year_markers: frozenset[str]
    gregorian_year_markers: frozenset[str]
    weekdays: dict[str, int]
    past_words: frozenset[str]
    current_words: frozenset[str]
    future_words: frozenset[str]
    day_parts: tuple[Phrase, ...]
    night_words: frozenset[Phrase]
    night_joiners: frozenset[str]
    yesterday: tuple[Phrase, ...]
    day_before_yesterday: tuple[Phrase, ...]
    today: tuple[Phrase, ...]
    this_morning: tuple[Phrase, ...]
    tonight_past: tuple[Phrase, ...]
    tonight: tuple[Phrase, ...]
    not_today_after: frozenset[str]
    ago_words: frozenset[str]
    since_words: frozenset[str]
    until_words: frozenset[str]
    range_from_words: tuple[Phrase, ...]
    future_from_words: tuple[Phrase, ...]
    duration_units: dict[str, tuple[int, int]]  # word → (days per unit, precision)
    duration_duals: frozenset[str]
    duration_vague_plurals: frozenset[str]
    vague_count: int
    vague_window_days: int
    window_openers: tuple[Phrase, ...]
    window_closers: tuple[Phrase, ...]
    window_units: dict[str, int]  # word → days per unit (0 for hours)
    last_week: tuple[Phrase, ...]
    this_week: tuple[Phrase, ...]
    last_month: tuple[Phrase, ...]
    this_month: tuple[Phrase, ...]
    week_starts_on: int
    month_parts: dict[str, tuple[int, int]]
    month_word: frozenset[str]
    weekday_date_connectors: frozenset[str]
    ordinal_month_connector: tuple[Phrase, ...]
    topic_shift_openers: tuple[Phrase, ...]
    continuation_openers: frozenset[str]
    future_markers: tuple[Phrase, ...]
    future_tolerance_days: int
    since_same_report_days: int


def _phrase(text: str) -> Phrase:
    return tuple(token.text for token in tokenize(text))


def _phrases(items: Sequence[str]) -> tuple[Phrase, ...]:
    return tuple(sorted({_phrase(str(item)) for item in items}, key=lambda p: -len(p)))


def _words(items: Sequence[str]) -> frozenset[str]:
    return frozenset(fold(str(item)) for item in items)


@functools.lru_cache(maxsize=1)
def lexicon() -> DateLexicon:
    """The date lexicon, loaded once."""
    raw: dict[str, Any] = yaml.safe_load((DATA_DIR / "dates.yaml").read_text(encoding="utf-8"))
    months: dict[Phrase, int] = {}
    standard: dict[int, str] = {}
    for number, entry in raw["months"].items():
        standard[int(number)] = str(entry["standard"])
        for name in entry["names"]:
            months[_phrase(name)] = int(number)
    units: dict[str, tuple[int, int]] = {}
    for unit in raw["durations"].values():
        for word in unit["words"]:
            units[fold(word)] = (int(unit["days"]), int(unit["precision"]))
    window_units: dict[str, int] = {}
    unit_days = {"hour": 0, "day": 1, "week": 7}
    for unit_name, words in raw["window_units"].items():
        for word in words:
            window_units[fold(word)] = unit_days[unit_name]
    month_parts: dict[str, tuple[int, int]] = {}
    for part in raw["month_parts"].values():
        for word in part["words"]:
            month_parts[fold(word)] = (int(part["days"][0]), int(part["days"][1]))
    return DateLexicon(
        months=months,
        standard_month=standard,
        ambiguous_months=frozenset(_phrase(m) for m in raw["ambiguous_months"]),
        hijri_months={
            _phrase(name): int(number)
            for number, names in raw["hijri_months"].items()
            for name in names
        },
        hijri_year_markers=_words(raw["hijri_year_markers"]),
        gregorian_year_markers=_words(raw["gregorian_year_markers"]),
        weekdays={fold(w): int(n) for n, words in raw["weekdays"].items() for w in words},
        past_words=_words(raw["past_words"]),
        current_words=_words(raw["current_words"]),
        future_words=_words(raw["future_words"]),
        day_parts=_phrases(raw["day_parts"]),
        night_words=frozenset(_phrase(w) for w in raw["night_words"]),
        night_joiners=_words(raw["night_joiners"]),
        yesterday=_phrases(raw["yesterday"]),
        day_before_yesterday=_phrases(raw["day_before_yesterday"]),
        today=_phrases(raw["today"]),
        this_morning=_phrases(raw["this_morning"]),
        tonight_past=_phrases(raw["tonight_past"]),
        tonight=_phrases(raw["tonight"]),
        not_today_after=_words(raw["not_today_after"]),
        ago_words=_words(raw["ago_words"]),
        since_words=_words(raw["since_words"]),
        until_words=_words(raw["until_words"]),
        range_from_words=_phrases(raw["range_from_words"]),
        future_from_words=_phrases(raw["future_from_words"]),
        duration_units=units,
        duration_duals=_words(raw["duration_duals"]),
        duration_vague_plurals=_words(raw["duration_vague_plurals"]),
        vague_count=int(raw["vague_count"]),
        vague_window_days=int(raw["vague_window_days"]),
        window_openers=_phrases(raw["window_openers"]),
        window_closers=_phrases(raw["window_closers"]),
        window_units=window_units,
        last_week=_phrases(raw["last_week"]),
        this_week=_phrases(raw["this_week"]),
        last_month=_phrases(raw["last_month"]),
        this_month=_phrases(raw["this_month"]),
        week_starts_on=int(raw["week_starts_on"]),
        month_parts=month_parts,
        month_word=_words(raw["month_word"]),
        weekday_date_connectors=_words(raw["weekday_date_connectors"]),
        ordinal_month_connector=_phrases(raw["ordinal_month_connector"]),
        topic_shift_openers=_phrases(raw["topic_shift_openers"]),
        continuation_openers=_words(raw["continuation_openers"]),
        future_markers=_phrases(raw["future_markers"]),
        future_tolerance_days=int(raw["future_tolerance_days"]),
        since_same_report_days=int(raw["since_same_report_days"]),
    )


# --- token matching -------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _bare_forms(token: str) -> tuple[str, ...]:
    """The token and its forms without the proclitics و/ف and ب/ل/ك ("والسبت", "بالأمس").

    Cached: every phrase tried at every position asks for the same few tokens' forms."""
    return tuple(proclitic_forms(token, article=False))


def _word_in(token: str, words: Container[str]) -> str | None:
    for form in _bare_forms(token):
        if form in words:
            return form
    return None


def _phrase_end(tokens: Sequence[str], i: int, phrases: Sequence[Phrase]) -> int | None:
    """End index of the longest phrase at i (proclitics allowed on its first word)."""
    match = _longest_at(tokens, i, tuple(phrases))
    return i + len(match) if match is not None else None


def _dict_phrase(tokens: Sequence[str], i: int, table: dict[Phrase, int]) -> tuple[int, int] | None:
    """(value, end) of the longest phrase of `table` at i."""
    match = _longest_at(tokens, i, tuple(table))
    return (table[match], i + len(match)) if match is not None else None


def _longest_at(tokens: Sequence[str], i: int, phrases: tuple[Phrase, ...]) -> Phrase | None:
    """The longest of `phrases` that starts at token i."""
    if i >= len(tokens):
        return None
    by_first = _by_first_word(phrases)
    best: Phrase | None = None
    for form in _bare_forms(tokens[i]):
        for phrase in by_first.get(form, ()):  # longest first
            if best is not None and len(phrase) <= len(best):
                break
            end = i + len(phrase)
            if end <= len(tokens) and tuple(tokens[i + 1 : end]) == phrase[1:]:
                best = phrase
                break
    return best


@functools.lru_cache(maxsize=256)
def _by_first_word(phrases: tuple[Phrase, ...]) -> dict[str, tuple[Phrase, ...]]:
    """The phrases grouped by their first word, longest first: a lookup instead of a scan."""
    index: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return {word: tuple(sorted(group, key=len, reverse=True)) for word, group in index.items()}


# --- calendar arithmetic --------------------------------------------------------------------


def _parse_day_month_year(day: int, month: int, year: int) -> dt.date | None:
    """The date, parsed by dateparser from its normalized standard-Arabic form (None if invalid)."""
    return _dateparser_date(f"{day} {lexicon().standard_month[month]} {year}")


@functools.lru_cache(maxsize=4096)
def _dateparser_date(text: str) -> dt.date | None:
    parsed = _date_parser().get_date_data(text).date_obj
    return None if parsed is None else parsed.date()


@functools.lru_cache(maxsize=1)
def _date_parser() -> Any:
    from dateparser import DateDataParser

    return DateDataParser(
        languages=["ar"],
        settings={"STRICT_PARSING": True, "DATE_ORDER": "DMY", "RETURN_AS_TIMEZONE_AWARE": False},
    )


def _hijri_to_gregorian(year: int, month: int, day: int) -> dt.date | None:
    """Umm al-Qura conversion (hijridate); the tabular Islamic calendar when it is missing."""
    try:
        from hijridate import Hijri

        return Hijri(year, month, day).to_gregorian()
    except ImportError:
        pass
    except (ValueError, OverflowError):
        return None
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        return None
    # Tabular (arithmetic) calendar: within a day or two of Umm al-Qura.
    jdn = (
        day
        + int(29.5 * (month - 1) + 0.99)
        + (year - 1) * 354
        + (3 + 11 * year) // 30
        + 1948440
        - 385
    )
    return dt.date.fromordinal(jdn - 1721425)


def _gregorian_to_hijri_year(date: dt.date) -> int:
    try:
        from hijridate import Gregorian

        return int(Gregorian(date.year, date.month, date.day).to_hijri().year)
    except ImportError:
        return int((date.toordinal() - 227015) / 354.367) + 1


def _weekday_back(published: dt.date, weekday: int, strictly_before: bool) -> dt.date:
    delta = (published.weekday() - weekday) % 7
    if delta == 0 and strictly_before:
        delta = 7
    return published - dt.timedelta(days=delta)


def _weekday_forward(published: dt.date, weekday: int, strictly_after: bool) -> dt.date:
    delta = (weekday - published.weekday()) % 7
    if delta == 0 and strictly_after:
        delta = 7
    return published + dt.timedelta(days=delta)


def _month_last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _precision_of_span(start: dt.date, end: dt.date) -> int:
    days = (end - start).days
    if days <= 1:
        return 1
    return 2 if days <= 7 else 3


# --- candidates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cand:
    first: int  # token index
    last: int  # token index after the expression
    date: dt.date | None
    date_start: dt.date | None
    precision: int
    role: str = PLAIN


@dataclass(frozen=True)
class _Core:
    end: int
    date: dt.date | None
    date_start: dt.date | None
    precision: int


class _Reader:
    """Reads the time expressions of one tokenized sentence."""

    def __init__(self, tokens: Sequence[str], published: dt.date | None) -> None:
        self.t = tokens
        self.pub = published
        self.lex = lexicon()
        self.future_context = any(
            _phrase_end(tokens, i, self.lex.future_markers) is not None for i in range(len(tokens))
        )

    # Relative to publication; None when there is no publication date.
    def _rel(self, days: int) -> dt.date | None:
        return None if self.pub is None else self.pub - dt.timedelta(days=days)

    def candidates(self) -> list[_Cand]:
        found: list[_Cand] = []
        i = 0
        while i < len(self.t):
            cand = self._at(i)
            if cand is None:
                i += 1
                continue
            found.append(cand)
            i = cand.last
        return _merge_ranges(found, self.pub)

    def _at(self, i: int) -> _Cand | None:
        lex = self.lex
        # "قبل/منذ" + duration: a point that far back.
        if _word_in(self.t[i], lex.ago_words):
            ago = self._ago(i + 1)
            if ago is not None:
                return _Cand(i, ago.end, ago.date, ago.date_start, ago.precision)
        # Role words before a date: since / from / until.
        for phrases, role in (
            (lex.future_from_words, FUTURE_FROM),
            (lex.range_from_words, FROM),
        ):
            end = _phrase_end(self.t, i, phrases)
            if end is not None:
                role_here = SINCE if _word_in(self.t[i], lex.since_words) else role
                core = self._core(end, future=role_here == FUTURE_FROM)
                if core is not None:
                    return _Cand(i, core.end, core.date, core.date_start, core.precision, role_here)
        if _word_in(self.t[i], lex.until_words):
            core = self._core(i + 1)
            if core is not None:
                return _Cand(i, core.end, core.date, core.date_start, core.precision, UNTIL)
        window = self._window(i)
        if window is not None:
            return _Cand(i, window.end, window.date, window.date_start, window.precision)
        core = self._core(i)
        if core is not None:
            return _Cand(i, core.end, core.date, core.date_start, core.precision)
        return None

    # -- a date expression without role words --

    def _core(self, i: int, future: bool = False) -> _Core | None:
        if i >= len(self.t):
            return None
        lex = self.lex
        for read in (self._calendar_period, self._month_part, self._absolute, self._month_only):
            found = read(i)
            if found is not None:
                return found
        # Optional part of the day: "فجر", "مساء", "ليل", "في وقت مبكر من صباح", "يوم".
        night = False
        j = i
        part_end = _phrase_end(self.t, i, lex.day_parts)
        if part_end is not None:
            night = any(_phrase_end(self.t, i, [p]) == part_end for p in lex.night_words)
            j = part_end
            if j < len(self.t) and self.t[j] == "من":
                j += 1
        found = self._relative_day(j, night) or self._weekday(j, night, future)
        if found is None and part_end is not None:
            found = self._absolute(j)
        return found

    def _relative_day(self, j: int, night: bool) -> _Core | None:
        lex = self.lex
        end = _phrase_end(self.t, j, lex.day_before_yesterday)
        if end is not None:
            return self._with_weekday(end, 2)
        end = _phrase_end(self.t, j, lex.yesterday)
        if end is not None:
            # A night of yesterday ends on the publication day (see dates.yaml, night_words).
            return self._with_weekday(end, 0 if night else 1)
        end = _phrase_end(self.t, j, lex.tonight_past) or _phrase_end(self.t, j, lex.this_morning)
        if end is not None:
            return _Core(end, self._rel(0), self._rel(0), 1)
        end = _phrase_end(self.t, j, lex.today)
        if end is not None:
            if end < len(self.t) and self.t[end] in lex.not_today_after:
                return None
            return self._with_weekday(end, 0)
        end = _phrase_end(self.t, j, lex.tonight)
        if end is not None and not (end < len(self.t) and self.t[end] in lex.not_today_after):
            return _Core(end, self._rel(0), self._rel(0), 1)
        return None

    def _with_weekday(self, end: int, days_back: int) -> _Core:
        """A relative day, absorbing a weekday that restates it ("أمس الجمعة", "اليوم الأحد")."""
        if end < len(self.t) and _word_in(self.t[end], self.lex.weekdays):
            end += 1
        date = self._rel(days_back)
        return _Core(end, date, date, 1)

    def _weekday(self, j: int, night: bool, future: bool) -> _Core | None:
        lex = self.lex
        if j >= len(self.t):
            return None
        form = _word_in(self.t[j], lex.weekdays)
        if form is None:
            return None
        weekday = lex.weekdays[form]
        end = j + 1
        direction = "back"
        if end < len(self.t) and self.t[end] in lex.past_words:
            direction, end = "past", end + 1
        elif end < len(self.t) and self.t[end] in lex.future_words:
            direction, end = "next", end + 1
        elif future or self.future_context:
            direction = "forward"
        # A night across two days: "ليل الأربعاء الخميس", "ليل الأربعاء - الخميس" → the later day.
        if night:
            k = end
            if k < len(self.t) and self.t[k] in lex.night_joiners:
                k += 1
            second = _word_in(self.t[k], lex.weekdays) if k < len(self.t) else None
            if second is not None:
                weekday, end = lex.weekdays[second], k + 1
        # A weekday that introduces the full date: "السبت 14 نيسان", "الثلاثاء الموافق 27 فبراير".
        k = end
        if k < len(self.t) and self.t[k] in lex.weekday_date_connectors:
            k += 1
        absolute = self._absolute(k)
        if absolute is not None and absolute.precision == 1:
            return _Core(absolute.end, absolute.date, absolute.date_start, 1)
        if self.pub is None:
            return _Core(end, None, None, 1)
        if direction == "past":
            date = _weekday_back(self.pub, weekday, strictly_before=True)
        elif direction == "next":
            date = _weekday_forward(self.pub, weekday, strictly_after=True)
        elif direction == "forward":
            date = _weekday_forward(self.pub, weekday, strictly_after=False)
        else:
            date = _weekday_back(self.pub, weekday, strictly_before=False)
        return _Core(end, date, date, 1)

    # -- absolute dates --

    def _day_number(self, j: int) -> tuple[int, int] | None:
        """A day of the month at j: digits 1..31 or an ordinal ("الثالث عشر من")."""
        if j >= len(self.t):
            return None
        tok = self.t[j]
        if tok.isdigit() and len(tok) <= 2 and 1 <= int(tok) <= 31:
            return int(tok), j + 1
        bare = _bare_forms(tok)
        for form in bare:
            ordinal = read_ordinal([form, *self.t[j + 1 :]], 0)
            if ordinal is not None and 1 <= ordinal[0] <= 31:
                end = j + ordinal[1]
                connector = _phrase_end(self.t, end, self.lex.ordinal_month_connector)
                return ordinal[0], connector if connector is not None else end
        return None

    def _month_at(self, j: int, allow_ambiguous: bool) -> tuple[int, int] | None:
        """A Gregorian month name at j, with an alternative after "/" or in brackets."""
        found = _dict_phrase(self.t, j, self.lex.months)
        if found is None:
            return None
        month, end = found
        if not allow_ambiguous and tuple(self.t[j:end]) in self.lex.ambiguous_months:
            return None
        # "نيسان/أبريل", "نيسان (أبريل)", "نيسان - أبريل"
        k = end
        if k < len(self.t) and self.t[k] in ("/", "(", "-", "–"):
            other = _dict_phrase(self.t, k + 1, self.lex.months)
            if other is not None and other[0] == month:
                end = other[1]
                if end < len(self.t) and self.t[end] == ")":
                    end += 1
        return month, end

    def _year_at(self, j: int, markers: frozenset[str]) -> tuple[int, int] | None:
        if j < len(self.t) and self.t[j] in ("عام", "سنه", "لعام"):
            j += 1
        if j < len(self.t) and self.t[j].isdigit() and len(self.t[j]) == 4:
            end = j + 1
            if end < len(self.t) and self.t[end] in markers:
                end += 1
            return int(self.t[j]), end
        return None

    def _absolute(self, i: int) -> _Core | None:
        numeric = self._numeric_date(i)
        if numeric is not None:
            return numeric
        day = self._day_number(i)
        if day is None:
            return None
        day_value, j = day
        if j < len(self.t) and self.t[j] in self.lex.month_word:
            j += 1
        month = self._month_at(j, allow_ambiguous=True)
        if month is None:
            return self._hijri(day_value, j)
        month_value, end = month
        year = self._year_at(end, self.lex.gregorian_year_markers)
        if year is not None:
            date = _parse_day_month_year(day_value, month_value, year[0])
            return None if date is None else _Core(year[1], date, date, 1)
        if self.pub is None:
            return _Core(end, None, None, 1)
        relation = "none"
        if end < len(self.t):
            if self.t[end] in self.lex.past_words:
                relation, end = "past", end + 1
            elif self.t[end] in self.lex.current_words:
                relation, end = "current", end + 1
            elif self.t[end] in self.lex.future_words:
                relation, end = "next", end + 1
        date = self._infer_year(day_value, month_value, relation)
        return None if date is None else _Core(end, date, date, 1)

    def _infer_year(self, day: int, month: int, relation: str) -> dt.date | None:
        assert self.pub is not None
        year = self.pub.year
        if relation == "current":
            return _parse_day_month_year(day, month, year)
        candidate = _parse_day_month_year(day, month, year)
        if candidate is None:  # 29 February: try the neighbouring years
            for other in (year - 1, year + 1, year - 2, year - 3):
                candidate = _parse_day_month_year(day, month, other)
                if candidate is not None:
                    return candidate
            return None
        if relation == "past" and candidate > self.pub:
            return _parse_day_month_year(day, month, year - 1)
        if relation == "next" and candidate < self.pub:
            return _parse_day_month_year(day, month, year + 1)
        tolerance = dt.timedelta(days=self.lex.future_tolerance_days)
        if relation == "none" and candidate > self.pub + tolerance:
            return _parse_day_month_year(day, month, year - 1)
        return candidate

    def _numeric_date(self, i: int) -> _Core | None:
        """ "30/9/2015", "30-09-2015", "2015/09/30"."""
        t = self.t
        if i + 4 >= len(t) or t[i + 1] != t[i + 3] or t[i + 1] not in ("/", "-", "."):
            return None
        parts = (t[i], t[i + 2], t[i + 4])
        if not all(p.isdigit() for p in parts):
            return None
        if len(parts[2]) == 4:
            day, month, year = int(parts[0]), int(parts[1]), int(parts[2])
        elif len(parts[0]) == 4:
            year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        else:
            return None
        if not 1 <= month <= 12:
            return None
        date = _parse_day_month_year(day, month, year)
        return None if date is None else _Core(i + 5, date, date, 1)

    def _hijri(self, day: int, j: int) -> _Core | None:
        found = _dict_phrase(self.t, j, self.lex.hijri_months)
        if found is None:
            return None
        month, end = found
        year = self._year_at(end, self.lex.hijri_year_markers)
        if year is not None:
            date = _hijri_to_gregorian(year[0], month, day)
            return None if date is None else _Core(year[1], date, date, 1)
        if self.pub is None:
            return _Core(end, None, None, 1)
        hijri_year = _gregorian_to_hijri_year(self.pub)
        date = _hijri_to_gregorian(hijri_year, month, day)
        tolerance = dt.timedelta(days=self.lex.future_tolerance_days)
        if date is not None and date > self.pub + tolerance:
            date = _hijri_to_gregorian(hijri_year - 1, month, day)
        return None if date is None else _Core(end, date, date, 1)

    # -- months and calendar periods (precision 2 and 3) --

    def _month_span(self, year: int, month: int, days: tuple[int, int]) -> tuple[dt.date, dt.date]:
        last = _month_last_day(year, month)
        start = dt.date(year, month, min(days[0], last))
        end = dt.date(year, month, min(days[1], last))
        if self.pub is not None and start <= self.pub < end:
            end = self.pub  # a month (part) still under way ends at publication
        return start, end

    def _month_only(self, i: int, part: tuple[int, int] = (1, 31)) -> _Core | None:
        """ "شهر آذار الماضي", "أيلول 2015", "في سبتمبر الماضي" → the month, precision 3."""
        lex = self.lex
        j = i
        has_month_word = j < len(self.t) and self.t[j] in lex.month_word
        if has_month_word:
            j += 1
        month = self._month_at(j, allow_ambiguous=False)
        if month is None:
            return None
        month_value, end = month
        year = self._year_at(end, lex.gregorian_year_markers)
        if year is not None:
            start, stop = self._month_span(year[0], month_value, part)
            return _Core(year[1], stop, start, 3)
        relation = None
        if end < len(self.t):
            tok = self.t[end]
            if tok in lex.past_words:
                relation = "past"
            elif tok in lex.current_words:
                relation = "current"
            elif tok in lex.future_words:
                relation = "next"
        if relation is None and not has_month_word and part == (1, 31):
            return None  # a bare month name is too often something else
        if relation is not None:
            end += 1
        if self.pub is None:
            return _Core(end, None, None, 3)
        year_value = self.pub.year
        if relation == "past" and month_value >= self.pub.month:
            year_value -= 1
        elif relation == "next" and month_value <= self.pub.month:
            year_value += 1
        elif relation is None and month_value > self.pub.month:
            year_value -= 1
        start, stop = self._month_span(year_value, month_value, part)
        return _Core(end, stop, start, 3)

    def _month_part(self, i: int) -> _Core | None:
        """ "مطلع الشهر الجاري", "أواخر الشهر الماضي", "منتصف أيلول"."""
        lex = self.lex
        form = _word_in(self.t[i], lex.month_parts)
        if form is None:
            return None
        part = lex.month_parts[form]
        j = i + 1
        for phrases, months_back in ((lex.this_month, 0), (lex.last_month, 1)):
            end = _phrase_end(self.t, j, phrases)
            if end is not None:
                if self.pub is None:
                    return _Core(end, None, None, 3)
                first = self.pub.replace(day=1)
                for _ in range(months_back):
                    first = (first - dt.timedelta(days=1)).replace(day=1)
                start, stop = self._month_span(first.year, first.month, part)
                return _Core(end, stop, start, 3)
        return self._month_only(j, part)

    def _calendar_period(self, i: int) -> _Core | None:
        lex = self.lex
        for phrases, kind in (
            (lex.last_week, "last_week"),
            (lex.this_week, "this_week"),
            (lex.last_month, "last_month"),
            (lex.this_month, "this_month"),
        ):
            end = _phrase_end(self.t, i, phrases)
            if end is None:
                continue
            if self.pub is None:
                return _Core(end, None, None, 2 if "week" in kind else 3)
            week_start = self.pub - dt.timedelta(days=(self.pub.weekday() - lex.week_starts_on) % 7)
            if kind == "last_week":
                return _Core(
                    end, week_start - dt.timedelta(days=1), week_start - dt.timedelta(7), 2
                )
            if kind == "this_week":
                return _Core(end, self.pub, week_start, 2)
            month_start = self.pub.replace(day=1)
            if kind == "last_month":
                last_end = month_start - dt.timedelta(days=1)
                return _Core(end, last_end, last_end.replace(day=1), 3)
            return _Core(end, self.pub, month_start, 3)
        return None

    # -- durations --

    def _ago(self, j: int) -> _Core | None:
        """After "قبل"/"منذ": "ثلاثة أيام", "يومين", "أسبوع", "نحو شهرين", "أيام"."""
        lex = self.lex
        hedged = False
        number = 1
        tokens = self.t
        if j < len(tokens):
            quantity = read_quantity(tokens, j)
            if quantity is not None and not quantity.vague:
                hedged = quantity.high != quantity.low
                number = quantity.low
                j = quantity.last
            else:
                # A hedge before a dual or a bare unit: "قبل نحو شهرين", "منذ أكثر من أسبوع".
                for phrase, _effect in number_lexicon().hedges:
                    if tuple(tokens[j : j + len(phrase)]) == phrase:
                        hedged, j = True, j + len(phrase)
                        break
        if j >= len(tokens) or tokens[j] not in lex.duration_units:
            return None
        unit = tokens[j]
        days, precision = lex.duration_units[unit]
        if unit in lex.duration_duals:
            number = 2
        elif unit in lex.duration_vague_plurals and j > 0 and read_number(tokens, j - 1) is None:
            number, hedged = lex.vague_count, True
        if hedged:
            precision = min(3, precision + 1)
        if days == 0:
            return _Core(j + 1, self._rel(0), self._rel(0), 1)
        date = self._rel(number * days)
        return _Core(j + 1, date, date, precision)

    def _window(self, i: int) -> _Core | None:
        """ "خلال الأيام الثلاثة الماضية", "خلال الـ24 ساعة الماضية", "في الأيام الأخيرة"."""
        lex = self.lex
        j = _phrase_end(self.t, i, lex.window_openers) or i
        if j < len(self.t) and self.t[j] == "ال":
            j += 1  # "الـ24"
        count: int | None = None
        read = read_number(self.t, j)
        if read is not None:
            count, j = read
        if j >= len(self.t) or self.t[j] not in lex.window_units:
            return None
        unit_days = lex.window_units[self.t[j]]
        j += 1
        if count is None and j < len(self.t):
            tok = self.t[j]
            number_form = tok[2:] if tok.startswith("ال") else tok
            read = read_number([number_form, *self.t[j + 1 :]], 0)
            if read is not None:
                count, j = read[0], j + read[1]
        end = _phrase_end(self.t, j, lex.window_closers)
        if end is None:
            return None
        if self.pub is None:
            return _Core(end, None, None, 2)
        if unit_days == 0:
            hours = count if count is not None else 0
            if hours >= 24:
                # A daily tally ("خلال الـ24 ساعة الماضية") covers the day before publication.
                end_date = self.pub - dt.timedelta(days=1)
                start_date = self.pub - dt.timedelta(days=max(1, hours // 24))
                return _Core(end, end_date, start_date, _precision_of_span(start_date, end_date))
            return _Core(end, self.pub, self.pub, 1)
        span = (count if count is not None else lex.vague_window_days) * unit_days
        start_date = self.pub - dt.timedelta(days=span)
        return _Core(end, self.pub, start_date, max(2, _precision_of_span(start_date, self.pub)))


def _merge_ranges(cands: list[_Cand], published: dt.date | None) -> list[_Cand]:
    """Join "منذ X حتى Y" / "من X إلى Y" into one period; resolve lone "منذ X"."""
    out: list[_Cand] = []
    lex = lexicon()
    k = 0
    while k < len(cands):
        cand = cands[k]
        nxt = cands[k + 1] if k + 1 < len(cands) else None
        if (
            cand.role in (SINCE, FROM, FUTURE_FROM)
            and nxt is not None
            and nxt.role == UNTIL
            and nxt.first - cand.last <= 3
        ):
            start = cand.date_start
            end = nxt.date
            if start is not None and end is not None and start <= end:
                precision = max(_precision_of_span(start, end), cand.precision, nxt.precision)
                out.append(_Cand(cand.first, nxt.last, end, start, precision))
            else:
                out.append(_Cand(cand.first, nxt.last, end, start, max(cand.precision, 2)))
            k += 2
            continue
        if cand.role == SINCE and cand.date is not None and published is not None:
            since_days = (published - cand.date).days
            if since_days > lex.since_same_report_days:
                assert cand.date_start is not None
                precision = max(2, _precision_of_span(cand.date_start, published))
                cand = replace(cand, date=published, precision=precision)
            elif since_days == 1:
                # "منذ ليل أمس": still under way when the article appeared, so it is coded on
                # the publication day, with the night before as the start.
                cand = replace(cand, date=published, date_start=cand.date, precision=1)
        out.append(cand)
        k += 1
    return out


def find_dates(text: str, published: dt.date | None, base: int = 0) -> list[DateMention]:
    """All time expressions in `text` (a sentence), resolved against `published`.

    Offsets in each DateMention are base + index in text, so
    text[m.start - base:m.end - base] == m.text.
    """
    return [mention for mention, _role in _find(text, published, base)]


def _find(text: str, published: dt.date | None, base: int) -> list[tuple[DateMention, str]]:
    tokens = tokenize(text, base)
    words = [token.text for token in tokens]
    reader = _Reader(words, published)
    found: list[tuple[DateMention, str]] = []
    for cand in reader.candidates():
        start, end = tokens[cand.first].start, tokens[cand.last - 1].end
        mention = DateMention(
            start=start,
            end=end,
            text=text[start - base : end - base],
            date=cand.date,
            date_start=cand.date_start,
            precision=cand.precision,
        )
        found.append((mention, cand.role))
    return found


def day_mentions(text: str, published: dt.date | None, base: int = 0) -> list[DateMention]:
    """The expressions of `text` that resolve to one day, in order (for choosing, among a
    sentence's days, the one told next to an event's words)."""
    return [
        mention
        for mention, role in _find(text, published, base)
        if mention.date is not None and mention.precision == 1 and role != FUTURE_FROM
    ]


def best_date(text: str, published: dt.date | None, base: int = 0) -> DateMention | None:
    """The time expression of `text` most likely to date its event (see `_best`), or None."""
    return _best(_find(text, published, base))


def _best(found: list[tuple[DateMention, str]]) -> DateMention | None:
    """The expression most likely to date the event of the sentence.

    Resolved before unresolved; a plain date before the start of a later period
    ("بدءاً من الثلاثاء"); the finest precision; then the first in the sentence.
    """
    if not found:
        return None
    ranked = sorted(
        enumerate(found),
        key=lambda item: (
            item[1][0].date is None,
            item[1][1] == FUTURE_FROM,
            item[1][0].precision,
            item[0],
        ),
    )
    return ranked[0][1][0]


def _starts_new_report(words: Sequence[str]) -> bool:
    """The sentence opens with a topic shift ("من جهة أخرى", "أمنياً")."""
    return any(_phrase_end(words, i, lexicon().topic_shift_openers) is not None for i in range(2))


def _continues(words: Sequence[str]) -> bool:
    """The sentence opens with a conjunction, so it goes on with the report before it."""
    if not words:
        return False
    first = words[0]
    if first in lexicon().continuation_openers:
        return True
    return first[:1] in ("و", "ف") and len(first) > 3


def sentence_dates(doc: Document) -> list[tuple[DateMention | None, list[str]]]:
    """One entry per doc.sentences item: the date for that sentence and its flags.

    - the sentence has its own date expression: (that mention, []);
    - else the date of the nearest preceding sentence dated to a day, when the sentence
      continues the same report: it is in the same paragraph as the sentence before it, or it
      opens with a conjunction ("وأضاف", "كما"), and no sentence in between broke the chain or
      opened a new topic ("من جهة أخرى", "أمنياً"): (a copy of that mention, ["date_inherited"]);
    - else the publication date: (DateMention(-1, -1, "", published, published, 1),
      ["date_from_publication"]);
    - no publication date: (None, ["date_unresolved"]).
    """
    published = doc.published_date
    result: list[tuple[DateMention | None, list[str]]] = []
    carried: DateMention | None = None  # the date the current chain of sentences goes on with
    previous_paragraph: int | None = None
    for sentence in doc.sentences:
        found = _find(sentence.text, published, sentence.start)
        own = _best(found)
        words = [token.text for token in tokenize(sentence.text)]
        same_paragraph = sentence.paragraph == previous_paragraph
        previous_paragraph = sentence.paragraph
        if own is not None and own.date is not None:
            result.append((own, []))
            # Only a day carries over to the sentences that follow. A coarser date ("الأسبوع
            # الماضي", "قبل أيام") is background to its own sentence, and a sentence naming
            # several days ("24 الخميس وأربعة الجمعة") is a recap: neither sets the date of
            # the report that goes on after them.
            days = {m.date for m, _role in found if m.date is not None}
            if own.precision == 1 and len(days) == 1:
                carried = own
            elif len(days) > 1:
                carried = None
            continue
        if (
            carried is not None
            and (same_paragraph or _continues(words))
            and not _starts_new_report(words)
        ):
            result.append((replace(carried), ["date_inherited"]))
            continue
        carried = None
        if published is not None:
            result.append(
                (
                    DateMention(
                        start=-1,
                        end=-1,
                        text="",
                        date=published,
                        date_start=published,
                        precision=1,
                    ),
                    ["date_from_publication"],
                )
            )
            continue
        result.append((None, ["date_unresolved"]))
    return result
