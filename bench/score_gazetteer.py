"""Score the gazetteer against the gold locations of annotated events.

For each gold event with a location, `Gazetteer.find_places` reads the gold evidence, with the
governorates named anywhere in the article as `context_admin1`. Reported:

- found: some mention agrees with the gold location: its text and the gold text are equal after
  folding and removing leading context words, or one contains the other, or its English name
  equals the gold name;
- admin1 accuracy of the agreeing mention (null == null outside Syria);
- coordinates: share of events with a Syrian gold location that get a mention with coordinates
  (the agreeing one when found, else any);
- the same figures over the events whose gold location text is written in the evidence (the
  others name the place elsewhere in the article and cannot be found from the evidence alone);
- the same figures when an evidence that places nothing takes the place last named before it
  in the article (how far a pipeline that inherits places can get);
- mean matching time per sentence.

    .venv/bin/python bench/score_gazetteer.py \\
        --articles ../shared/corpus/dev_articles.jsonl --gold ../shared/gold/dev_gold.jsonl \\
        [--gazetteer ../shared/gazetteer/open-syria] [--failures]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.document import PlaceMention
from pipeline.gazetteer import Gazetteer, PlaceContext, admin1_context
from pipeline.normalize import clean_text, fold

_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")
_WORD = re.compile(r"[^\W_]+")


def _sentences(text: str) -> list[tuple[int, str]]:
    pieces: list[tuple[int, str]] = []
    for found in re.finditer(r"[^.!?؟\n]+[.!?؟]?", text):
        if found.group().strip():
            pieces.append((found.start(), found.group()))
    return pieces


def _bare(text: str, context: PlaceContext) -> list[str]:
    """Folded words of a place text without leading context words."""
    words: list[str] = _WORD.findall(fold(text))
    while len(words) > 1 and context.context_word(words[0]) is not None:
        words = words[1:]
    return words


def _within(part: list[str], whole: list[str]) -> bool:
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _english(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def agrees(mention: PlaceMention, gold: dict[str, Any], context: PlaceContext) -> bool:
    gold_text = gold.get("text") or ""
    if gold_text:
        ours, theirs = _bare(mention.text, context), _bare(gold_text, context)
        if ours and theirs and (_within(ours, theirs) or _within(theirs, ours)):
            return True
    gold_name = gold.get("name") or ""
    return bool(gold_name and mention.place and _english(mention.place.name) == _english(gold_name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--gazetteer", type=Path, default=None)
    parser.add_argument("--failures", action="store_true", help="print the events not found")
    args = parser.parse_args()

    gazetteer = Gazetteer.load(args.gazetteer)
    context = PlaceContext.load()
    articles = {
        a["id"]: clean_text(a["text"])
        for a in map(json.loads, args.articles.read_text(encoding="utf-8").splitlines())
    }
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines()]

    article_admin1: dict[str, set[str]] = {}
    article_mentions: dict[str, list[PlaceMention]] = {}
    elapsed, sentences = 0.0, 0
    for article_id, text in articles.items():
        mentions: list[PlaceMention] = []
        for start, sentence in _sentences(text):
            began = time.perf_counter()
            mentions.extend(gazetteer.find_places(sentence, base=start))
            elapsed += time.perf_counter() - began
            sentences += 1
        article_admin1[article_id] = admin1_context(mentions)
        article_mentions[article_id] = mentions

    # n, found, admin1 right, Syrian, with coordinates
    totals = {name: [0, 0, 0, 0, 0] for name in ("all", "in evidence", "with fallback")}
    failures: list[str] = []
    for event in gold:
        location = event.get("location")
        if not location or not (location.get("text") or location.get("name")):
            continue
        mentions = gazetteer.find_places(
            event["evidence"], context_admin1=article_admin1.get(event["article_id"], set())
        )
        agreeing = [m for m in mentions if agrees(m, location, context)]
        # The most specific agreeing mention: a country only when nothing else agrees.
        agreeing.sort(key=lambda m: m.place is not None and m.place.kind == "country")
        chosen = agreeing[0] if agreeing else None
        fallback = chosen
        if not any(m.place is None or m.place.kind != "country" for m in mentions):
            # Nothing placed in the evidence: the place last named before it in the article.
            at = articles[event["article_id"]].find(event["evidence"])
            earlier = [
                m
                for m in article_mentions[event["article_id"]]
                if m.start < at and (m.place is None or m.place.kind != "country")
            ]
            if at >= 0 and earlier and agrees(earlier[-1], location, context):
                fallback = earlier[-1]
        syrian = location.get("country") == "SYR"
        with_coords = (
            chosen is not None and chosen.place is not None and chosen.place.latitude is not None
        ) or (chosen is None and any(m.place and m.place.latitude is not None for m in mentions))
        written = bool(location.get("text")) and location["text"] in event["evidence"]
        for name, figures in totals.items():
            if name == "in evidence" and not written:
                continue
            picked = fallback if name == "with fallback" else chosen
            figures[0] += 1
            figures[1] += picked is not None
            figures[2] += picked is not None and (
                (picked.place.admin1 if picked.place else "?") == location.get("admin1")
            )
            figures[3] += syrian
            figures[4] += syrian and (
                with_coords
                or (
                    picked is not None
                    and picked.place is not None
                    and picked.place.latitude is not None
                )
            )
        if chosen is None or (chosen.place and chosen.place.admin1 != location.get("admin1")):
            got = [
                (m.text, m.place.name if m.place else None, m.place.admin1 if m.place else None)
                for m in mentions
            ]
            failures.append(
                f"{'MISS' if chosen is None else 'ADMIN1'}{'' if written else ' (not written)'}: "
                f"gold {location.get('text')!r} {location.get('name')!r} "
                f"{location.get('admin1')!r} | got {got}"
            )

    print(f"gazetteer: {len(gazetteer)} places")
    for name, (n, found, admin1, syrian, coords) in totals.items():
        print(
            f"{name:>12}: n={n}  found={found / n:.3f}  admin1={admin1 / max(found, 1):.3f}  "
            f"coordinates={coords / max(syrian, 1):.3f} (of {syrian} Syrian)"
        )
    print(f"matching: {1000 * elapsed / max(sentences, 1):.3f} ms per sentence ({sentences})")
    if args.failures:
        print("\n".join(failures))


if __name__ == "__main__":
    main()
