"""Score the date and toll readers against gold events.

For each gold event the evidence is located in its article; the date is the evidence's own time
expression when it has one, else the date `sentence_dates` gives the sentence that contains the
evidence (its own, inherited from the paragraph, or the publication date). Tolls are read from
the evidence. Reports date accuracy over gold events with a non-null date, exact-match accuracy
of killed and injured (low and high, null == null) and of civilian_victims, and the failures.

    .venv/bin/python bench/score_dates_tolls.py \\
        --articles ../shared/corpus/dev_articles.jsonl --gold ../shared/gold/dev_gold.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.dates import best_date, sentence_dates
from pipeline.document import DateMention, Document, Sentence
from pipeline.normalize import clean_text
from pipeline.readers import parse_published
from pipeline.tolls import find_toll
from schemas import InputArticle

# A simple sentence splitter for scoring without Stanza: sentence-final punctuation or a line.
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    paragraph = 0
    for line_match in re.finditer(r"[^\n]+", text):
        line_start = line_match.start()
        line = line_match.group()
        start = 0
        for piece in _SENTENCE_END.split(line):
            if not piece:
                continue
            offset = line.index(piece, start)
            sentences.append(
                Sentence(
                    index=len(sentences),
                    start=line_start + offset,
                    end=line_start + offset + len(piece),
                    text=piece,
                    paragraph=paragraph,
                )
            )
            start = offset + len(piece)
        paragraph += 1
    return sentences


def _range(value: dict[str, Any] | None) -> tuple[int | None, int | None] | None:
    return None if value is None else (value.get("low"), value.get("high"))


def _ours(low: int | None, high: int | None) -> tuple[int | None, int | None] | None:
    return None if low is None else (low, high)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--show", type=int, default=60, help="failures to print per field")
    args = parser.parse_args()

    docs: dict[str, Document] = {}
    with args.articles.open(encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            article = InputArticle(
                id=raw["id"], text=raw["text"], published=parse_published(raw.get("published"))
            )
            doc = Document(article=article, input=str(args.articles), text=clean_text(raw["text"]))
            doc.sentences = split_sentences(doc.text)
            docs[article.id] = doc
    dated_cache: dict[str, list[tuple[DateMention | None, list[str]]]] = {}

    gold = [json.loads(line) for line in args.gold.open(encoding="utf-8")]
    evidence_uses = Counter((g["article_id"], g["evidence"]) for g in gold)
    date_ok = date_n = 0
    tallies = {"killed": [0, 0], "injured": [0, 0], "civilian": [0, 0]}
    single = {"killed": [0, 0], "injured": [0, 0]}
    failures: dict[str, list[str]] = {"date": [], "killed": [], "injured": [], "civilian": []}
    for event in gold:
        doc = docs[event["article_id"]]
        evidence = clean_text(event["evidence"])
        at = doc.text.find(evidence)
        published = doc.published_date
        if at < 0:
            at = doc.text.find(evidence[:40])
        ours = best_date(evidence, published)
        if ours is not None and ours.date is not None:
            how = "evidence"
        else:
            if doc.article.id not in dated_cache:
                dated_cache[doc.article.id] = sentence_dates(doc)
            entries = dated_cache[doc.article.id]
            index = next(
                (i for i, s in enumerate(doc.sentences) if s.start <= max(at, 0) < s.end + 1), None
            )
            ours = entries[index][0] if index is not None else None
            how = "sentence" if index is not None else "missing"
        if event["date"] is not None:
            date_n += 1
            got = ours.date.isoformat() if ours is not None and ours.date else None
            if got == event["date"]:
                date_ok += 1
            else:
                failures["date"].append(
                    f"{event['article_id']} pub={published} gold={event['date']} "
                    f"({event['date_text']!r}) ours={got} "
                    f"({ours.text if ours else None!r}, {how}) | {evidence[:110]}"
                )
        toll = find_toll(evidence)
        shared = evidence_uses[(event["article_id"], event["evidence"])] > 1
        for name, gold_value, got_value in (
            ("killed", _range(event["killed"]), _ours(toll.killed_low, toll.killed_high)),
            ("injured", _range(event["injured"]), _ours(toll.injured_low, toll.injured_high)),
        ):
            tallies[name][1] += 1
            if not shared:
                single[name][1] += 1
            if gold_value == got_value:
                tallies[name][0] += 1
                if not shared:
                    single[name][0] += 1
            else:
                failures[name].append(
                    f"gold={gold_value} ours={got_value}{' [shared]' if shared else ''} "
                    f"| {evidence[:140]}"
                )
        tallies["civilian"][1] += 1
        if event["civilian_victims"] == toll.civilian_victims:
            tallies["civilian"][0] += 1
        else:
            failures["civilian"].append(
                f"gold={event['civilian_victims']} ours={toll.civilian_victims} | {evidence[:140]}"
            )

    print(f"date accuracy    {date_ok}/{date_n} = {date_ok / max(date_n, 1):.3f}")
    for name, (ok, n) in tallies.items():
        print(f"{name:<16} {ok}/{n} = {ok / max(n, 1):.3f}")
    for name, (ok, n) in single.items():
        print(f"{name + ' (own evidence)':<28} {ok}/{n} = {ok / max(n, 1):.3f}")
    for name, lines in failures.items():
        print(f"\n== {name} failures ({len(lines)})")
        for line in lines[: args.show]:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
