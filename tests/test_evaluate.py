"""The scorer: matching rules, optional events, field accuracy."""

import datetime as dt
from typing import Any

from pipeline.evaluate import locations_agree, score

TEXT = "شنت الطائرات غارات على دوما وحرستا أمس. ودارت اشتباكات في جوبر."


def pred(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "article_id": "a",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "char_start": 0,
        "char_end": 39,
        "location": None,
        "location_text": None,
        "admin1": None,
        "event_date": None,
        "killed_low": None,
        "killed_high": None,
        "injured_low": None,
        "injured_high": None,
        "actor1_type": None,
    }
    base.update(fields)
    return base


def gold(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "article_id": "a",
        "evidence": "شنت الطائرات غارات على دوما وحرستا أمس",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "location": {"text": "دوما", "name": "Douma", "admin1": "Rural Damascus"},
        "date": "2018-03-01",
        "killed": None,
        "injured": None,
        "actor1": None,
        "required": True,
    }
    base.update(fields)
    return base


def test_location_agreement_ignores_context_words_and_spelling() -> None:
    assert locations_agree({"location_text": "مدينة دوما"}, gold())
    assert locations_agree({"location": "Douma"}, gold())
    assert locations_agree({"location_text": "دوما"}, gold(location={"text": "مدينة دُوما"}))
    assert not locations_agree({"location_text": "حرستا"}, gold())


def test_one_to_one_matching_and_precision_recall() -> None:
    golds = [
        gold(),
        gold(location={"text": "حرستا", "name": "Harasta", "admin1": "Rural Damascus"}),
    ]
    preds = [
        pred(location_text="دوما", location="Douma", admin1="Rural Damascus",
             event_date=dt.date(2018, 3, 1)),
        pred(location_text="حرستا", location="Harasta", admin1="Rural Damascus"),
        pred(event_type="Battles", sub_event_type="Armed clash", char_start=40, char_end=63,
             location_text="جوبر"),
    ]  # fmt: skip
    scores = score(preds, golds, {"a": TEXT})
    assert (scores.true_positive, scores.false_positive) == (2, 1)
    assert scores.recall == 1.0 and abs(scores.precision - 2 / 3) < 1e-9
    accuracy = scores.field_accuracy()
    assert accuracy["location"] == (1.0, 2)
    assert accuracy["date"] == (0.5, 2)


def test_optional_matches_are_left_out_of_precision() -> None:
    scores = score([pred(location_text="دوما")], [gold(required=False)], {"a": TEXT})
    assert (scores.true_positive, scores.false_positive, scores.matched_optional) == (0, 0, 1)
    assert scores.n_gold_required == 0


def test_evidence_overlap_matches_without_a_location() -> None:
    scores = score([pred()], [gold()], {"a": TEXT})
    assert scores.true_positive == 1
    far = score([pred(char_start=40, char_end=63)], [gold()], {"a": TEXT})
    assert far.true_positive == 0 and far.false_positive == 1


def test_a_different_event_type_never_matches() -> None:
    scores = score([pred(event_type="Battles", sub_event_type="Armed clash",
                         location_text="دوما")], [gold()], {"a": TEXT})  # fmt: skip
    assert scores.true_positive == 0
