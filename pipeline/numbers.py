"""Arabic numbers: number words and digits to integers, and quantities with their hedges.

Casualty tolls and dates are written with digits (ASCII or Arabic-Indic), number words
("ثلاثة آلاف", "خمسة وعشرين", "مئتين"), digits with a multiplier word ("4 آلاف"), vague plurals
("عشرات") and hedges ("أكثر من", "نحو"). This module reads all of them from folded tokens so that
the toll and date readers share one grammar. The lexicon is data: data/numbers.yaml.

ovos-number-parser reads many Arabic forms but misses some that news uses ("مائتان", "مئتي ألف")
and reads the vague plural "آلاف" as exactly 1000, which would turn "thousands" into an exact
count; the grammar here is small, driven by the YAML file, and returns token extents, which the
callers need for evidence spans.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.normalize import Folded, fold

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Words, digit runs (with thousands separators or a decimal point), and single other characters.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[^\s\w]", re.UNICODE)


@dataclass(frozen=True)
class Token:
    """A word, a digit run or a punctuation mark of the folded text, with original offsets."""

    text: str  # folded form
    start: int
    end: int


def tokenize(text: str, base: int = 0) -> list[Token]:
    """Tokens of `text` in folded form; offsets are `base` + index into `text` (end exclusive)."""
    folded = Folded.of(text, base)
    tokens: list[Token] = []
    for match in _TOKEN.finditer(folded.text):
        start, end = folded.span(match.start(), match.end())
        tokens.append(Token(match.group(), start, end))
    return tokens


def proclitic_forms(token: str, article: bool = False) -> list[str]:
    """The token and its forms without attached proclitics, most specific first.

    Strips the conjunctions و/ف, then the prepositions ب/ل/ك ("لل" → "ال"), then, when
    `article` is true, the article ال: "والقتلى" → [..., "القتلى", "قتلى"]. Forms shorter than
    two letters are not produced, so "وال" never becomes a word.
    """
    forms = [token]
    for conj in ("و", "ف"):
        if token.startswith(conj) and len(token) > 2:
            forms.append(token[1:])
    for form in list(forms):
        if form.startswith("لل") and len(form) > 3:
            forms.append("ال" + form[2:])
        elif form[:1] in ("ب", "ل", "ك") and len(form) > 3:
            forms.append(form[1:])
    if article:
        for form in list(forms):
            if form.startswith("ال") and len(form) > 3:
                forms.append(form[2:])
    return forms


@dataclass(frozen=True)
class Quantity:
    """A number or range read from tokens [first, last) of a token list."""

    low: int
    high: int | None  # None: open-ended ("أكثر من 20")
    first: int
    last: int
    vague: bool = False  # "عشرات", "عدد من": no stated number


@dataclass(frozen=True)
class _Multiplier:
    value: int
    count: int | None


@dataclass(frozen=True)
class NumberLexicon:
    """data/numbers.yaml, folded."""

    units: dict[str, int]
    ten_words: frozenset[str]
    tens: dict[str, int]
    hundreds: dict[str, int]
    multipliers: dict[str, _Multiplier]
    ordinals: dict[str, int]
    vague: tuple[tuple[tuple[str, ...], int, int | None], ...]  # longest phrases first
    hedges: tuple[tuple[tuple[str, ...], str], ...]  # (phrase, effect), longest first
    trailing_hedges: tuple[tuple[tuple[str, ...], str], ...]
    range_openers: frozenset[str]
    range_joiners: frozenset[str]


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(token.text for token in tokenize(phrase))


def _phrases(groups: dict[str, list[str]]) -> tuple[tuple[tuple[str, ...], str], ...]:
    items = [(_words(phrase), effect) for effect, phrases in groups.items() for phrase in phrases]
    return tuple(sorted(items, key=lambda item: -len(item[0])))


@functools.lru_cache(maxsize=1)
def lexicon() -> NumberLexicon:
    """The number lexicon, loaded once."""
    raw: dict[str, Any] = yaml.safe_load((DATA_DIR / "numbers.yaml").read_text(encoding="utf-8"))
    vague = [
        (_words(phrase), int(rng["low"]), None if rng["high"] is None else int(rng["high"]))
        for phrase, rng in raw["vague"].items()
    ]
    return NumberLexicon(
        units={fold(k): int(v) for k, v in raw["units"].items()},
        ten_words=frozenset(fold(w) for w in raw["ten_words"]),
        tens={fold(k): int(v) for k, v in raw["tens"].items()},
        hundreds={fold(k): int(v) for k, v in raw["hundreds"].items()},
        multipliers={
            fold(k): _Multiplier(int(v["value"]), None if v["count"] is None else int(v["count"]))
            for k, v in raw["multipliers"].items()
        },
        ordinals={fold(k): int(v) for k, v in raw["ordinals"].items()},
        vague=tuple(sorted(vague, key=lambda item: -len(item[0]))),
        hedges=_phrases(raw["hedges"]),
        trailing_hedges=_phrases(raw["trailing_hedges"]),
        range_openers=frozenset(fold(w) for w in raw["range_openers"]),
        range_joiners=frozenset(fold(w) for w in raw["range_joiners"]),
    )


def _conjoined(tokens: Sequence[str], i: int) -> tuple[str, int] | None:
    """The word after a conjunction "و" at i (attached "وعشرين" or separate "و عشرين")."""
    if i >= len(tokens):
        return None
    tok = tokens[i]
    if tok == "و" and i + 1 < len(tokens):
        return tokens[i + 1], i + 2
    if tok.startswith("و") and len(tok) > 1:
        return tok[1:], i + 1
    return None


def _below_hundred(tokens: Sequence[str], i: int, lex: NumberLexicon) -> tuple[int, int] | None:
    """1..99 at i: unit, unit + عشر, tens, unit + و + tens, or ten alone."""
    if i >= len(tokens):
        return None
    tok = tokens[i]
    if tok in lex.tens:
        return lex.tens[tok], i + 1
    if tok in lex.ten_words:
        return 10, i + 1
    if tok not in lex.units:
        return None
    unit = lex.units[tok]
    if i + 1 < len(tokens) and tokens[i + 1] in lex.ten_words:
        return unit + 10, i + 2
    nxt = _conjoined(tokens, i + 1)
    if nxt is not None and nxt[0] in lex.tens:
        return unit + lex.tens[nxt[0]], nxt[1]
    return unit, i + 1


def _below_thousand(tokens: Sequence[str], i: int, lex: NumberLexicon) -> tuple[int, int] | None:
    """1..999 at i: [hundreds] [و below-hundred] | unit مئة | below-hundred."""
    if i >= len(tokens):
        return None
    tok = tokens[i]
    hundreds: int | None = None
    j = i
    if tok in lex.hundreds:
        hundreds, j = lex.hundreds[tok], i + 1
    elif (
        tok in lex.units
        and i + 1 < len(tokens)
        and tokens[i + 1] in lex.hundreds
        and lex.hundreds[tokens[i + 1]] == 100
    ):
        hundreds, j = lex.units[tok] * 100, i + 2
    if hundreds is None:
        return _below_hundred(tokens, i, lex)
    nxt = _conjoined(tokens, j)
    if nxt is not None:
        rest = _below_hundred([nxt[0], *tokens[nxt[1] :]], 0, lex)
        if rest is not None:
            return hundreds + rest[0], nxt[1] + rest[1] - 1
    return hundreds, j


def _digits(tok: str) -> float | None:
    if not tok[0].isdigit():
        return None
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3})+", tok):
        return float(tok.replace(",", "").replace(".", ""))
    if re.fullmatch(r"\d+(?:\.\d+)?", tok):
        return float(tok)
    return None


def read_number(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """An exact cardinal number starting at tokens[i]: (value, index after it), or None.

    `tokens` are folded words. Reads digits ("1200", "1,200"), digits with a multiplier
    ("4 آلاف", "1.5 مليون") and number words of any size ("ثلاثة آلاف وخمسمئة").
    """
    lex = lexicon()
    if i >= len(tokens) or not tokens[i]:
        return None
    digits = _digits(tokens[i])
    if digits is not None:
        j = i + 1
        if j < len(tokens) and tokens[j] in lex.multipliers:
            return round(digits * lex.multipliers[tokens[j]].value), j + 1
        if digits != int(digits):
            return None
        return int(digits), j
    total = 0
    j = i
    limit: int | None = None  # each further group must be smaller than the previous multiplier
    first = True
    while True:
        k = j
        if not first:
            nxt = _conjoined(tokens, j)
            if nxt is None:
                break
            if nxt[0].isdigit():
                # "ستة آلاف و259": digits may finish a number begun in words.
                value, k = int(nxt[0]), nxt[1]
                if limit is not None and value >= limit:
                    break
                total += value
                j = k
                limit = _magnitude(value)
                continue
            word_tokens: Sequence[str] = [nxt[0], *tokens[nxt[1] :]]
            offset = nxt[1] - 1
        else:
            word_tokens, offset = tokens[j:], j
        group = _below_thousand(word_tokens, 0, lex)
        if group is not None:
            value, k = group[0], group[1] + offset
            if k < len(tokens) and tokens[k] in lex.multipliers:
                mult = lex.multipliers[tokens[k]]
                value, k = value * mult.value, k + 1
        elif word_tokens and word_tokens[0] in lex.multipliers:
            mult = lex.multipliers[word_tokens[0]]
            if mult.count is None:
                break
            value, k = mult.count * mult.value, offset + 1
        else:
            break
        if limit is not None and value >= limit:
            break
        total += value
        j = k
        first = False
        limit = _magnitude(value)
    if first:
        return None
    return total, j


def _magnitude(value: int) -> int:
    """The place value of the leading group: 3000 → 1000, 250 → 100, 25 → 10."""
    for size in (1_000_000, 1000, 100, 10):
        if value >= size:
            return size
    return 1


def parse_number(words: str) -> int | None:
    """The integer written in `words`, or None when it is not exactly one number.

    "ثلاثة آلاف" → 3000, "4 آلاف" → 4000, "مئتين" → 200, "١٢" → 12.
    """
    tokens = [token.text for token in tokenize(words)]
    if not tokens:
        return None
    read = read_number(tokens, 0)
    if read is None or read[1] != len(tokens):
        return None
    return read[0]


def read_ordinal(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """A day ordinal at tokens[i] ("الثالث عشر", "الحادي والعشرين"): (value, index after)."""
    lex = lexicon()
    if i >= len(tokens) or tokens[i] not in lex.ordinals:
        return None
    value = lex.ordinals[tokens[i]]
    j = i + 1
    if value < 10 and j < len(tokens) and tokens[j] in lex.ten_words:
        return value + 10, j + 1
    if value < 10:
        nxt = _conjoined(tokens, j)
        if nxt is not None and nxt[0] in lex.ordinals and lex.ordinals[nxt[0]] in (20, 30):
            return value + lex.ordinals[nxt[0]], nxt[1]
    if tokens[i] == fold("الحادي"):
        return None  # "الحادي" is only ever part of a compound ordinal
    return value, j


def _match_phrase(tokens: Sequence[str], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(tokens[i : i + len(phrase)]) == phrase


def _hedged(value: int, effect: str) -> tuple[int, int | None]:
    if effect == "more_than":
        return value + 1, None
    if effect == "at_least":
        return value, None
    if effect == "about":
        margin = max(1, round(value * 0.1))
        return max(1, value - margin), value + margin
    if effect == "less_than":
        return min(1, value - 1), max(value - 1, 0)
    if effect == "up_to":
        return min(1, value), value
    return value, value


def read_quantity(tokens: Sequence[str], i: int) -> Quantity | None:
    """A quantity starting at tokens[i]: a hedged number, a range or a vague quantity.

    "أكثر من 20" → 21..None, "نحو 20" → 18..22, "بين 10 و15" → 10..15, "عشرات" → 20..99,
    "20 على الأقل" → 20..None. The trailing hedge, when present, is part of the quantity.
    """
    lex = lexicon()
    if i >= len(tokens):
        return None
    for phrase, low, high in lex.vague:
        if _match_phrase(tokens, i, phrase):
            return Quantity(low, high, i, i + len(phrase), vague=True)
    effect = "exact"
    j = i
    for phrase, hedge in lex.hedges:
        if _match_phrase(tokens, i, phrase):
            effect, j = hedge, i + len(phrase)
            break
    if j >= len(tokens):
        return None
    if tokens[j] == "ما" and j + 1 < len(tokens) and tokens[j + 1] in lex.range_openers:
        j += 1  # "ما بين"
    opener = tokens[j] in lex.range_openers and j + 1 < len(tokens)
    start = j + 1 if opener else j
    number = read_number(tokens, start)
    if number is None:
        if effect != "exact":
            # A hedge before a vague plural: "نحو عشرات" is still "عشرات".
            for phrase, low, high in lex.vague:
                if _match_phrase(tokens, j, phrase):
                    return Quantity(low, high, i, j + len(phrase), vague=True)
        return None
    value, k = number
    # A range: "بين 10 و15", "من 10 إلى 15", "10-15", "10 إلى 15".
    joined = _range_end(tokens, k, lex, opened=opener)
    if joined is not None and joined[0] > value:
        return Quantity(value, joined[0], i, joined[1])
    if opener:
        return None  # "من 24" alone is not a quantity phrase
    low, high = _hedged(value, effect)
    for phrase, hedge in lex.trailing_hedges:
        if _match_phrase(tokens, k, phrase):
            if effect == "exact":
                low, high = _hedged(value, hedge)
            k += len(phrase)
            break
    return Quantity(low, high, i, k)


def _range_end(
    tokens: Sequence[str], k: int, lex: NumberLexicon, opened: bool
) -> tuple[int, int] | None:
    """The second number of a range at tokens[k:] ("و15", "إلى 15", "-15"): (value, end)."""
    if k >= len(tokens):
        return None
    tok = tokens[k]
    # "و" joins a range only after an opener ("بين 10 و15"); "3 و5" alone is two counts.
    if tok in lex.range_joiners and (tok != "و" or opened):
        return read_number(tokens, k + 1)
    if opened and tok.startswith("و") and len(tok) > 1:
        second = read_number([tok[1:], *tokens[k + 1 :]], 0)
        return None if second is None else (second[0], second[1] + k)
    return None
