"""Stage 0: screen. Decides whether an article's content can be processed at all.

Runs on the clean text before Stanza sees it. Each check names a reason code of the rejects
table, so that an analyst can find every article that was left out and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Stanza's cost grows with length; a "news article" of more than this is a dump, not an article.
DEFAULT_MAX_CHARS = 100_000
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")
_HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|span|br|a|img|script|style|table|tr|td|ul|li|h[1-6]|meta|iframe)"
    r"\b[^>]*>",
    re.IGNORECASE,
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


@dataclass(frozen=True)
class Verdict:
    """Why an article cannot be processed: a reason code and words for it."""

    code: str
    reason: str


def screen(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> Verdict | None:
    """None when the clean text is processable, else the reason it is not."""
    if not text.strip():
        return Verdict("empty", "article text is empty")
    if len(text) > max_chars:
        return Verdict("oversize", f"article has {len(text):,} characters (limit {max_chars:,})")
    if "\x00" in text or len(_CONTROL.findall(text)) > max(5, len(text) // 50):
        return Verdict("binary", "article text holds binary or corrupted data")
    tags = _HTML_TAG.findall(text)
    if len(tags) >= 3 or re.search(r"<!DOCTYPE|<html", text, re.IGNORECASE):
        return Verdict("html", f"article text is HTML markup ({len(tags)} tags), not plain text")
    letters = len(_LETTER.findall(text))
    arabic = len(_ARABIC_LETTER.findall(text))
    if letters == 0 or arabic / letters < 0.5:
        share = 0 if letters == 0 else round(100 * arabic / letters)
        return Verdict("not_arabic", f"article is not Arabic ({share}% Arabic letters)")
    return None
