"""`waqai eval`: score an output dataset against gold events (format of shared/gold/).

A predicted event matches a gold event when they come from the same article, have the same
event_type, and either their locations agree or their evidence spans overlap. Matching is
one-to-one, best pairs first (location and evidence both agreeing, then required gold events).
Recall is over required gold events; predictions that match an optional gold event are left out
of precision. Field accuracies are computed over matched pairs where the gold field is coded.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.normalize import Folded, clean_text, fold
from pipeline.writer import read_table

# Context words that a gold or predicted place span may or may not include.
_PLACE_PREFIX = re.compile(
    r"^(?:(?:مدينه|بلده|قريه|قريتي|مخيم|حي|حيي|منطقه|محافظه|ريف|معبر|مطار|بلدات|قري|مناطق)\s+)+"
)


def place_key(text: str | None) -> str:
    if not text:
        return ""
    key = fold(text).replace("#", "").strip()
    return _PLACE_PREFIX.sub("", key)


def locations_agree(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    gold_location = gold.get("location") or {}
    if not gold_location:
        return False
    gold_keys = {place_key(gold_location.get("text")), place_key(gold_location.get("name"))}
    gold_keys.discard("")
    pred_keys = {place_key(pred.get("location_text")), place_key(pred.get("location"))}
    pred_keys.discard("")
    if gold_keys & pred_keys:
        return True
    # "مدينة دوما بريف دمشق" vs "دوما": one contains the other as whole words.
    for g in gold_keys:
        for p in pred_keys:
            if (
                len(p) >= 3
                and len(g) >= 3
                and (
                    re.search(rf"(?<!\w){re.escape(p)}(?!\w)", g)
                    or re.search(rf"(?<!\w){re.escape(g)}(?!\w)", p)
                )
            ):
                return True
    return False


def find_evidence(text: str, evidence: str) -> tuple[int, int] | None:
    """Offsets of the gold evidence in the clean article text (exact, then folded search)."""
    position = text.find(evidence)
    if position >= 0:
        return position, position + len(evidence)
    folded = Folded.of(text)
    needle = fold(clean_text(evidence))
    position = folded.text.find(needle)
    if position < 0 or not needle:
        return None
    return folded.span(position, position + len(needle))


@dataclass
class Scores:
    n_gold_required: int = 0
    n_gold_optional: int = 0
    n_pred: int = 0
    true_positive: int = 0
    false_positive: int = 0
    matched_optional: int = 0
    fields: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    per_type: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"tp": 0, "fp": 0, "gold": 0})
    )

    @property
    def precision(self) -> float:
        denominator = self.true_positive + self.false_positive
        return self.true_positive / denominator if denominator else 0.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.n_gold_required if self.n_gold_required else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def field_accuracy(self) -> dict[str, tuple[float, int]]:
        return {
            name: (sum(values) / len(values) if values else 0.0, len(values))
            for name, values in sorted(self.fields.items())
        }

    def as_dict(self) -> dict[str, Any]:
        per_type = {}
        for name, counts in sorted(self.per_type.items()):
            tp, fp, gold = counts["tp"], counts["fp"], counts["gold"]
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / gold if gold else 0.0
            per_type[name] = {
                "precision": round(p, 3),
                "recall": round(r, 3),
                "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
                "tp": tp,
                "fp": fp,
                "gold_required": gold,
            }
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_positive": self.true_positive,
            "false_positive": self.false_positive,
            "matched_optional": self.matched_optional,
            "predictions": self.n_pred,
            "gold_required": self.n_gold_required,
            "gold_optional": self.n_gold_optional,
            "fields": {
                k: {"accuracy": round(a, 4), "n": n} for k, (a, n) in self.field_accuracy().items()
            },
            "per_type": per_type,
        }


def _overlap(a: tuple[int, int] | None, b: tuple[int, int]) -> bool:
    return a is not None and a[0] < b[1] and b[0] < a[1]


def _tally_fields(scores: Scores, pred: dict[str, Any], gold: dict[str, Any]) -> None:
    fields = scores.fields
    if gold.get("location"):
        fields["location"].append(locations_agree(pred, gold))
        if gold["location"].get("country", "SYR") == "SYR" or gold["location"].get("admin1"):
            fields["admin1"].append(pred.get("admin1") == gold["location"].get("admin1"))
    if gold.get("date"):
        event_date = pred.get("event_date")
        fields["date"].append(event_date is not None and event_date.isoformat() == gold["date"])
    killed = gold.get("killed") or {}
    fields["killed"].append(
        (pred.get("killed_low"), pred.get("killed_high")) == (killed.get("low"), killed.get("high"))
    )
    injured = gold.get("injured") or {}
    fields["injured"].append(
        (pred.get("injured_low"), pred.get("injured_high"))
        == (injured.get("low"), injured.get("high"))
    )
    gold_actor = gold.get("actor1") or {}
    fields["actor1_type"].append(pred.get("actor1_type") == gold_actor.get("type"))
    fields["sub_event_type"].append(pred.get("sub_event_type") == gold.get("sub_event_type"))


def score(
    predictions: list[dict[str, Any]], gold: list[dict[str, Any]], texts: dict[str, str]
) -> Scores:
    scores = Scores()
    gold_by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in gold:
        gold_by_article[item["article_id"]].append(item)
        if item.get("required", True):
            scores.n_gold_required += 1
            scores.per_type[item["event_type"]]["gold"] += 1
        else:
            scores.n_gold_optional += 1
    preds_by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pred in predictions:
        if pred["article_id"] in texts or pred["article_id"] in gold_by_article:
            preds_by_article[pred["article_id"]].append(pred)
    scores.n_pred = sum(len(v) for v in preds_by_article.values())
    for article_id in sorted(set(gold_by_article) | set(preds_by_article)):
        golds = gold_by_article.get(article_id, [])
        preds = preds_by_article.get(article_id, [])
        text = texts.get(article_id, "")
        spans = [find_evidence(text, g["evidence"]) if text else None for g in golds]
        candidates: list[tuple[float, int, int]] = []
        for pi, pred in enumerate(preds):
            pred_span = (pred["char_start"], pred["char_end"])
            for gi, item in enumerate(golds):
                if pred["event_type"] != item["event_type"]:
                    continue
                agree = locations_agree(pred, item)
                overlap = _overlap(spans[gi], pred_span)
                if not (agree or overlap):
                    continue
                weight = 2.0 * agree + 1.0 * overlap + 0.5 * bool(item.get("required", True))
                weight += 0.25 * (pred["sub_event_type"] == item["sub_event_type"])
                candidates.append((weight, pi, gi))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        used_pred: set[int] = set()
        used_gold: set[int] = set()
        for _, pi, gi in candidates:
            if pi in used_pred or gi in used_gold:
                continue
            used_pred.add(pi)
            used_gold.add(gi)
            item = golds[gi]
            if item.get("required", True):
                scores.true_positive += 1
                scores.per_type[item["event_type"]]["tp"] += 1
            else:
                scores.matched_optional += 1
            _tally_fields(scores, preds[pi], item)
        for pi, pred in enumerate(preds):
            if pi not in used_pred:
                scores.false_positive += 1
                scores.per_type[pred["event_type"]]["fp"] += 1
    return scores


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(gold_path: Path, articles_path: Path, out_dir: Path) -> Scores:
    gold = load_jsonl(gold_path)
    texts = {str(a["id"]): clean_text(a["text"]) for a in load_jsonl(articles_path)}
    predictions = read_table(out_dir, "events").to_pylist()
    return score(predictions, gold, texts)
