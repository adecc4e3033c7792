"""Stage 1: normalize. Cleans the article text and builds the folded form that rules match on.

Two forms of the text exist side by side:
- the *clean* text (`clean_text`): what the dataset stores and what evidence offsets index into;
  only invisible noise is removed, so that a reader sees the article as published;
- the *folded* text (`fold` / `Folded`): the matching key for lexicons and the gazetteer. Arabic
  is written with optional diacritics, several alef and yeh forms, tatweel and two digit sets;
  folding removes those differences. Every folded character remembers its offset in the clean
  text, so a match on the folded form maps back to an exact evidence span.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

# Harakat, tanwin, shadda, sukun, superscript alef, Quranic marks: optional in news text.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
# Zero-width and bidi control characters that some outlets leave in their text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
_SPACES = re.compile("[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

_FOLD_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ک": "ك",
        "ی": "ي",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Eastern Arabic-Indic digits
        "٫": ".",
        "٬": ",",
    }
)


def clean_text(raw: str) -> str:
    """The article text as stored: NFC, LF newlines, no invisible controls, single spaces."""
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    # Keep paragraph breaks (one blank line at most) because reports are paragraph-structured.
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip()


@functools.lru_cache(maxsize=4096)
def _folded(original: str, base: int) -> Folded:
    """Folded text with offsets; cached because every stage folds the same sentences."""
    # Folding maps each character to one character except the dropped marks, so the offsets
    # are those of the characters that remain.
    if _DIACRITICS.search(original) is None and _TATWEEL not in original:
        return Folded(
            fold(original), tuple(range(base, base + len(original))), base + len(original)
        )
    kept = [i for i, char in enumerate(original) if fold_char(char)]
    return Folded(fold(original), tuple(base + i for i in kept), base + len(original))


def fold_char(char: str) -> str:
    """Folded form of one character ('' when the character is dropped)."""
    if char == _TATWEEL or _DIACRITICS.match(char):
        return ""
    return char.translate(_FOLD_MAP)


def fold(text: str) -> str:
    """Matching key of a string: no diacritics or tatweel, one alef, one yeh, ة→ه, ASCII digits."""
    return _DIACRITICS.sub("", text.replace(_TATWEEL, "")).translate(_FOLD_MAP)


@dataclass(frozen=True)
class Folded:
    """Folded text with, for each folded character, its offset in the original string."""

    text: str
    offsets: tuple[int, ...]
    original_length: int

    @classmethod
    def of(cls, original: str, base: int = 0) -> Folded:
        return _folded(original, base)

    def index(self, offset: int) -> int:
        """Folded index of the first character at or after the original `offset`."""
        return bisect.bisect_left(self.offsets, offset)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the folded [start, end)."""
        orig_start = self.offsets[start] if start < len(self.offsets) else self.original_length
        orig_end = self.offsets[end - 1] + 1 if end > 0 else orig_start
        return orig_start, orig_end
