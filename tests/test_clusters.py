"""Cross-report deduplication: each merge rule, its refusals, and stable cluster ids."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.clusters import (
    Evidence,
    cluster_events,
    date_window,
    evidence_words,
    load_clusters,
    match,
    update_clusters,
)
from pipeline.gazetteer import haversine_km
from pipeline.writer import DatasetWriter, read_table
from schemas import Event
from schemas.models import Cluster

# Places with the gazetteer's coordinates (Eastern Ghouta towns are very close together).
DOUMA = {"location": "Douma", "location_text": "دوما", "admin1": "Rural Damascus",
         "latitude": 33.57175, "longitude": 36.4027, "geo_precision": 1}  # fmt: skip
KAFR_BATNA = {"location": "Kafr Batna", "location_text": "كفربطنا", "admin1": "Rural Damascus",
              "latitude": 33.51168, "longitude": 36.37273, "geo_precision": 1}  # fmt: skip
HAZZEH = {"location": "Hazzeh", "location_text": "حزة", "admin1": "Rural Damascus",
          "latitude": 33.515, "longitude": 36.37, "geo_precision": 1}  # fmt: skip
NEAR_DOUMA = {**DOUMA, "geo_precision": 2}
EASTERN_GHOUTA = {"location": "Eastern Ghouta", "location_text": "الغوطة الشرقية",
                  "admin1": "Rural Damascus", "latitude": 33.55, "longitude": 36.42,
                  "geo_precision": 2}  # fmt: skip
ARBIN = {"location": "Arbin", "location_text": "عربين", "admin1": "Rural Damascus",
         "latitude": 33.53719, "longitude": 36.36635, "geo_precision": 2}  # fmt: skip
IDLEB_GOV = {"location": "Idleb Governorate", "location_text": "إدلب", "admin1": "Idleb",
             "latitude": 35.9, "longitude": 36.6, "geo_precision": 3}  # fmt: skip
IDLEB_CITY = {"location": "Idleb", "location_text": "إدلب", "admin1": "Idleb",
              "latitude": 35.93, "longitude": 36.63, "geo_precision": 1}  # fmt: skip

SYRIA = "Military Forces of Syria"
RUSSIA = "Military Forces of Russia"
COALITION = "International Coalition"
HTS = "Hayat Tahrir al-Sham"
OPPOSITION = "Syrian opposition"


def day(n: int) -> dt.date:
    return dt.date(2018, 4, n)


def at(n: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2018, 4, n, hour, tzinfo=dt.UTC)


def event(eid: str, **changes: object) -> Event:
    """An air strike on Douma on 7 April, reported on the 8th; `changes` override fields."""
    fields: dict[str, object] = {
        "event_id": eid,
        "article_id": f"art-{eid}",
        "source": "outlet-a",
        "published": at(8),
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "action": "غارات",
        "event_date": day(7),
        "date_start": day(7),
        "date_precision": 1,
        "date_text": "أمس",
        "sentence": "شنت الطائرات غارات على دوما أمس.",
        "char_start": 0,
        "char_end": 32,
        "confidence": 0.8,
        "cluster_id": eid,
        "pipeline_version": "0.1.0",
        "run_id": "r1",
        **DOUMA,
    }
    fields.update(changes)
    if fields.get("actor1") and "actor1_text" not in changes:
        # the report names its actor (an actor taken from another sentence is no evidence)
        fields["actor1_text"] = str(fields["sentence"]).split()[0]
    if "event_date" in changes and "date_start" not in changes:
        fields["date_start"] = changes["event_date"]
    return Event.model_validate(fields)


def groups(events: list[Event]) -> set[frozenset[str]]:
    result = cluster_events(events)
    return {frozenset(c.event_ids) for c in result.clusters}


def together(*events: Event) -> bool:
    return len(groups(list(events))) == 1


# --- the rules, one by one -------------------------------------------------------------------


def test_reports_of_one_strike_by_several_outlets_form_one_cluster() -> None:
    reports = [
        event("e1", source="outlet-a", published=at(7, 20), event_date=day(7)),
        event("e2", source="outlet-b", published=at(8), event_date=day(7)),
        event(
            "e3",
            source="outlet-c",
            published=at(8, 12),
            event_date=day(8),
            flags=["date_from_publication"],
        ),
    ]
    result = cluster_events(reports, run_id="c1")
    (cluster,) = result.clusters
    assert cluster.cluster_id == "e1"  # the first-seen report
    assert cluster.event_ids == ["e1", "e2", "e3"]
    assert (cluster.n_events, cluster.n_articles, cluster.n_sources) == (3, 3, 3)
    assert cluster.sources == ["outlet-a", "outlet-b", "outlet-c"]
    assert cluster.first_reported == at(7, 20) and cluster.last_reported == at(8, 12)
    assert cluster.event_date == day(7) and cluster.location == "Douma"
    assert result.assignments == {"e1": "e1", "e2": "e1", "e3": "e1"}
    reason = cluster.merge_reasons[1]
    assert reason.startswith("e2 joined e1: same event_type")
    assert "0.0 km" in reason and "within precision" in reason and "actor1" in reason


def test_different_event_types_never_merge() -> None:
    assert not together(
        event("e1"), event("e2", event_type="Battles", sub_event_type="Armed clash")
    )


def test_sub_types_merge_only_when_compatible() -> None:
    assert together(event("e1"), event("e2", sub_event_type="Shelling/artillery/missile attack"))
    # A chemical attack is coded apart from the strikes of the same day.
    assert not together(event("e1"), event("e2", sub_event_type="Chemical weapon"))
    assert not together(event("e1"), event("e2", sub_event_type="Remote explosive/landmine/IED"))
    agreement = {"event_type": "Strategic developments", "sub_event_type": "Agreement"}
    assert not together(
        event("e1", **agreement), event("e2", **agreement | {"sub_event_type": "Arrests"})
    )
    captured = {"event_type": "Battles", "sub_event_type": "Government regains territory"}
    overtaken = {"event_type": "Battles", "sub_event_type": "Non-state actor overtakes territory"}
    clash = {"event_type": "Battles", "sub_event_type": "Armed clash"}
    assert together(event("e1", **captured), event("e2", **captured))
    assert not together(event("e1", **captured), event("e2", **clash))
    assert not together(event("e1", **captured), event("e2", **overtaken))


def test_neighbouring_towns_do_not_merge() -> None:
    # Kafr Batna and Hazzeh are 0.45 km apart in the gazetteer but are two places.
    assert haversine_km(33.51168, 36.37273, 33.515, 36.37) < 0.5
    assert not together(event("e1", **KAFR_BATNA), event("e2", **HAZZEH))
    assert not together(event("e1"), event("e2", **KAFR_BATNA))


def test_same_point_under_two_names_merges() -> None:
    alias = {**DOUMA, "location": "Duma", "latitude": 33.5725, "longitude": 36.4030}
    assert together(event("e1"), event("e2", **alias))


def test_imprecise_place_merges_within_a_few_km_only() -> None:
    assert together(event("e1"), event("e2", **NEAR_DOUMA))
    assert together(event("e1"), event("e2", **EASTERN_GHOUTA))  # 2.9 km from Douma
    assert not together(event("e1"), event("e2", **ARBIN))  # 5.1 km from Douma


def test_governorate_level_place_merges_only_with_the_same_governorate_place() -> None:
    assert not together(event("e1", **IDLEB_CITY), event("e2", **IDLEB_GOV))
    assert together(event("e1", **IDLEB_GOV), event("e2", **IDLEB_GOV))


def test_unresolved_places_merge_only_on_the_same_name() -> None:
    unresolved = {"location": None, "admin1": None, "latitude": None, "longitude": None,
                  "geo_precision": None, "flags": ["location_unresolved"]}  # fmt: skip
    a = event("e1", **unresolved | {"location_text": "تل الصوان"})
    b = event("e2", **unresolved | {"location_text": "تل الصوان"})
    c = event("e3", **unresolved | {"location_text": "تل مصطيف"})
    assert together(a, b)
    assert not together(a, c)
    assert not together(a, event("e4"))


def test_precise_dates_merge_within_one_day_only() -> None:
    assert together(event("e1", event_date=day(7)), event("e2", event_date=day(8)))
    assert not together(event("e1", event_date=day(7)), event("e2", event_date=day(9)))


def test_two_named_days_that_differ_are_two_days() -> None:
    # "الجمعة" and "السبت" are read the same way by every outlet: no lag between them.
    friday = event("e1", event_date=day(6), date_text="الجمعة", published=at(6, 20))
    saturday = event("e2", event_date=day(7), date_text="السبت", published=at(7, 20))
    assert not together(friday, saturday)
    # "أمس" in a report published after midnight may be a day off.
    assert together(friday, event("e3", event_date=day(7), published=at(8, 1)))


# Evidence sentences for the corroboration rules: a strike, the same strike told by another
# outlet, and a sentence that only names the place.
STRIKE = "شنت الطائرات الحربية غارات على دوما أمس وقتل خمسة مدنيين."
SAME_STRIKE = "قتل خمسة مدنيين بغارات للطائرات الحربية على مدينة دوما."
OTHER_NEWS = "قال مسؤول أممي إن الوضع الإنساني في دوما يزداد سوءا مع نقص الدواء."


def test_evidence_words_are_folded_and_lose_their_proclitics() -> None:
    # Folding writes ى as ي and ئ as ي; "على" is kept and weighs little (it is everywhere).
    assert evidence_words("وبالغارات على دوما، والطائرة للمدنيين") == {
        "غارات",
        "علي",
        "دوما",
        "طايره",
        "مدنيين",
    }
    evidence = Evidence([event("a", sentence=STRIKE), event("b", sentence=SAME_STRIKE)])
    value, shared = evidence.similarity(event("a", sentence=STRIKE), event("c", sentence=STRIKE))
    assert value == pytest.approx(1.0)
    value, shared = evidence.similarity(
        event("a", sentence=STRIKE), event("b", sentence=SAME_STRIKE)
    )
    assert value > 0.5 and "غارات" in shared


def test_a_day_apart_needs_corroborating_evidence() -> None:
    strike = event("e1", event_date=day(7), sentence=STRIKE)
    retold = event("e2", event_date=day(8), sentence=SAME_STRIKE, source="outlet-b")
    other = event("e3", event_date=day(8), sentence=OTHER_NEWS, source="outlet-c")
    assert together(strike, retold)
    assert not together(strike, other)
    # On the same day, type, place and date are enough.
    assert together(strike, event("e4", event_date=day(7), sentence=OTHER_NEWS))


def test_a_report_vague_in_place_and_date_joins_only_a_copy_of_itself() -> None:
    derived = {"flags": ["date_from_publication"], "event_date": day(8), **EASTERN_GHOUTA}
    strike = event("e1", **EASTERN_GHOUTA, event_date=day(8), sentence=STRIKE)
    retold = "غارات الطائرات الحربية على دوما أوقعت قتلى مدنيين."
    assert not together(strike, event("e2", sentence=retold, **derived))
    assert together(strike, event("e3", sentence=STRIKE, **derived))
    # With a precise place, the same retelling is enough.
    assert together(
        event("e4", event_date=day(8), sentence=STRIKE),
        event("e5", sentence=retold, flags=["date_from_publication"], event_date=day(8)),
    )


def test_a_report_of_the_same_day_wins_over_one_a_day_off() -> None:
    # Strikes on the 6th; on the 7th a morning report, then the day's shelling told again.
    shelling = "Shelling/artillery/missile attack"
    reports = [
        event("a1", event_date=day(6), published=at(6, 15)),
        event("a2", event_date=day(6), published=at(6, 16)),
        event("b1", event_date=day(7), published=at(7, 10)),
        event("b2", event_date=day(7), published=at(7, 20), sub_event_type=shelling),
    ]
    assert groups(reports) == {frozenset({"a1", "a2"}), frozenset({"b1", "b2"})}
    # Alone, the report of the 7th is taken for a late report of the 6th.
    assert groups(reports[:3]) == {frozenset({"a1", "a2", "b1"})}


def test_a_vague_report_needs_corroborating_evidence() -> None:
    derived = {"flags": ["date_from_publication"], "event_date": day(8)}
    strike = event("e1", event_date=day(7), sentence=STRIKE)
    assert together(strike, event("e2", sentence=SAME_STRIKE, **derived))
    assert not together(strike, event("e3", sentence=OTHER_NEWS, **derived))
    assert not together(strike, event("e4", **EASTERN_GHOUTA, sentence=OTHER_NEWS))
    # A rare kind of incident at the same place and time corroborates itself.
    chemical = {"sub_event_type": "Chemical weapon"}
    assert together(
        event("e5", event_date=day(7), sentence=STRIKE, **chemical),
        event("e6", sentence=OTHER_NEWS, **derived, **chemical),
    )


def test_date_from_publication_covers_that_day_and_the_day_before() -> None:
    derived = {"flags": ["date_from_publication"]}
    assert date_window(event("d", event_date=day(8), **derived)) == (day(7), day(8))
    assert together(event("e1", event_date=day(7)), event("e2", event_date=day(8), **derived))
    assert together(event("e1", event_date=day(8)), event("e2", event_date=day(8), **derived))
    assert not together(event("e1", event_date=day(6)), event("e2", event_date=day(8), **derived))


def test_a_region_gives_no_lag() -> None:
    # One day apart at a town: one event reported late. In a whole region: two days' events.
    assert together(event("e1", event_date=day(7)), event("e2", event_date=day(8)))
    assert not together(
        event("e1", **EASTERN_GHOUTA, event_date=day(7)),
        event("e2", **EASTERN_GHOUTA, event_date=day(8)),
    )
    assert together(
        event("e1", **EASTERN_GHOUTA, event_date=day(8)),
        event("e2", **EASTERN_GHOUTA, event_date=day(8)),
    )


def test_week_and_month_precision_dates_merge_only_with_each_other() -> None:
    week = {"date_start": day(2), "event_date": day(8), "date_precision": 2}
    assert date_window(event("w", **week)) == (day(2), day(8))
    # A week-precision date without a range stands for the week around it.
    assert date_window(event("w", event_date=day(10), date_start=day(10), date_precision=2)) == (
        day(7),
        day(13),
    )
    assert together(event("e1", **week), event("e2", event_date=day(11), date_precision=2))
    assert not together(event("e1", **week), event("e2", event_date=day(16), date_precision=2))
    month = {"date_start": day(1), "event_date": day(30), "date_precision": 3}
    assert together(event("e1", **month), event("e2", **week))
    assert not together(
        event("e1", **month),
        event(
            "e2", date_start=dt.date(2018, 5, 1), event_date=dt.date(2018, 5, 31), date_precision=3
        ),
    )
    # A day inside the week or the month is not attributed to them: they hold many events.
    assert not together(event("e1", **week), event("e2", event_date=day(5)))
    assert not together(event("e1", **month), event("e2", event_date=day(20)))


def test_a_rare_incident_known_to_the_week_joins_the_day_it_contains() -> None:
    chemical = {"sub_event_type": "Chemical weapon"}
    attack = event("e1", **chemical, published=at(7, 20))
    last_week = {"event_date": day(11), "date_start": day(5), "date_precision": 2}
    mention = event("e2", **chemical, **last_week, published=at(14))
    assert together(attack, mention)
    # ... even in an article that also names the day: it refers to the attack twice.
    named_day = event("e3", **chemical, article_id="art-e2", published=at(14))
    assert together(attack, mention, named_day)
    # An air strike "last week" is not attributed to one of the week's strikes.
    assert not together(event("e4"), event("e5", **last_week, published=at(14)))


def test_a_statements_date_does_not_tell_two_events_of_one_article_apart() -> None:
    chemical = {"sub_event_type": "Chemical weapon", "article_id": "art-1"}
    attack = event("e1", **chemical, published=at(10))
    said = event("e2", **chemical, event_date=day(10), flags=["alleged"], published=at(10))
    assert together(attack, said)
    # without the flag, the article names two days: two events
    assert not together(attack, event("e3", **chemical, event_date=day(10), published=at(10)))


def test_an_approximate_date_is_a_window_around_its_day_before_reaching_back() -> None:
    # "قبل نحو أسبوع" in an accusation published on the 13th: about the 6th, month precision
    about = event(
        "e2",
        sub_event_type="Chemical weapon",
        event_date=day(6),
        date_precision=3,
        flags=["alleged"],
        published=at(13),
    )
    start, end = date_window(about)
    assert start <= day(7) <= end
    assert together(event("e1", sub_event_type="Chemical weapon", published=at(7, 20)), about)


def test_a_statements_date_lets_a_chemical_attack_mentioned_again_join_it() -> None:
    chemical = {"sub_event_type": "Chemical weapon"}
    attack = event("e1", **chemical, published=at(7, 20))
    said = {"event_date": day(13), "date_text": "الجمعة", "published": at(13)}
    assert together(attack, event("e2", **chemical, **said, flags=["date_of_statement"]))
    assert not together(attack, event("e3", **chemical, **said))


def test_undated_events_stay_alone() -> None:
    assert not together(event("e1", event_date=None, date_start=None), event("e2"))


def test_contradicting_actors_do_not_merge() -> None:
    assert not together(event("e1", actor1=SYRIA), event("e2", actor1=COALITION))
    assert not together(
        event("e1", actor1=SYRIA), event("e2", actor1=RUSSIA), event("e3", actor1=COALITION)
    )


def test_allied_unknown_and_unidentified_actors_merge() -> None:
    assert together(event("e1", actor1=SYRIA), event("e2", actor1=RUSSIA))
    assert together(event("e1", actor1=SYRIA), event("e2", actor1=None))
    assert together(event("e1", actor1=SYRIA), event("e2", actor1="Unidentified armed group"))


def test_a_new_report_must_agree_with_every_member_not_only_the_anchor() -> None:
    # e2 (unknown actor) anchors; e1 (Syria) joins; e3 (coalition) agrees with e2, not e1.
    reports = [
        event("e2", actor1=None, published=at(7)),
        event("e1", actor1=SYRIA, published=at(8)),
        event("e3", actor1=COALITION, published=at(8, 10)),
    ]
    assert groups(reports) == {frozenset({"e1", "e2"}), frozenset({"e3"})}


def test_the_perpetrator_of_a_chemical_attack_is_disputed_not_contradicted() -> None:
    chemical = {"sub_event_type": "Chemical weapon"}
    # Each side names the other: one incident all the same.
    assert together(
        event("e1", actor1=SYRIA, **chemical), event("e2", actor1=OPPOSITION, **chemical)
    )
    reason = (
        cluster_events(
            [event("e1", actor1=SYRIA, **chemical), event("e2", actor1=OPPOSITION, **chemical)]
        )
        .clusters[0]
        .merge_reasons[1]
    )
    assert "disputed" in reason
    # Not so for air strikes: two air forces, two strikes.
    assert not together(event("e3", actor1=SYRIA), event("e4", actor1=COALITION))


def test_battle_sides_named_in_either_order_merge() -> None:
    battle = {"event_type": "Battles", "sub_event_type": "Armed clash"}
    a = event("e1", **battle, actor1=SYRIA, actor2=HTS)
    b = event("e2", **battle, actor1=HTS, actor2=SYRIA)
    c = event("e3", **battle, actor1=HTS, actor2=None)
    assert together(a, b, c)
    assert not together(event("e4", **battle, actor1=SYRIA), event("e5", **battle, actor1=HTS))


def test_an_article_that_tells_two_events_apart_is_believed() -> None:
    same_article = {"article_id": "art-1"}
    # Two explicit days of one article: two events.
    assert not together(
        event("e1", **same_article, event_date=day(7)),
        event("e2", **same_article, event_date=day(8), char_start=40, char_end=60),
    )
    # One date only derived from publication, same place: the same event.
    assert together(
        event("e1", **same_article, event_date=day(7)),
        event(
            "e2",
            **same_article,
            event_date=day(8),
            char_start=40,
            char_end=60,
            flags=["date_from_publication"],
        ),
    )


def test_a_vague_report_fitting_several_clusters_joins_none() -> None:
    # Two strikes on Douma that day by two different air forces; a report of strikes on the
    # region that day, without an actor, could be either.
    reports = [
        event("e1", **DOUMA, event_date=day(8), actor1=SYRIA, published=at(9)),
        event("e2", **DOUMA, event_date=day(8), actor1=COALITION, published=at(9, 11)),
        event("e3", **EASTERN_GHOUTA, event_date=day(8), published=at(9, 12)),
    ]
    clusters = cluster_events(reports).clusters
    assert {tuple(c.event_ids) for c in clusters} == {("e1",), ("e2",), ("e3",)}
    lone = next(c for c in clusters if c.event_ids == ["e3"])
    assert "kept apart" in lone.merge_reasons[0]
    # With only one of the strikes reported, the regional report joins it.
    assert together(reports[0], reports[2])


def test_a_statement_refers_back_up_to_two_days() -> None:
    strike = event("e1", event_date=day(7), published=at(7, 20))
    assert together(strike, event("e2", event_date=day(9), flags=["alleged"], published=at(9)))
    assert not together(
        strike, event("e3", event_date=day(10), flags=["alleged"], published=at(10))
    )
    # Without the flag, a dated report two days later is another event.
    assert not together(strike, event("e4", event_date=day(9), published=at(9)))


def test_a_chemical_attack_mentioned_again_refers_back_up_to_a_month() -> None:
    chemical = {"sub_event_type": "Chemical weapon"}
    attack = event("e1", **chemical, published=at(7, 20))
    mention = {"flags": ["date_from_publication"], **chemical}
    late = dt.date(2018, 5, 2)
    assert together(attack, event("e2", event_date=late, published=at(30), **mention))
    assert not together(
        attack, event("e3", event_date=dt.date(2018, 5, 10), published=at(30), **mention)
    )
    # An air strike without its own date only reaches back one day.
    assert not together(
        event("e4", published=at(7, 20)),
        event("e5", event_date=day(10), flags=["date_from_publication"], published=at(10)),
    )


def test_a_mention_joins_the_most_reported_of_the_events_it_may_refer_to() -> None:
    chemical = {"sub_event_type": "Chemical weapon"}
    reports = [
        event("a1", **chemical, published=at(7, 20)),
        event("a2", **chemical, published=at(8, 1)),
        event("a3", **chemical, published=at(8, 2)),
        event("b1", **chemical, event_date=day(3), published=at(3, 20)),  # earlier, one report
        event("m1", **chemical, event_date=day(14), flags=["alleged"], published=at(14)),
    ]
    found = groups(reports)
    assert frozenset({"a1", "a2", "a3", "m1"}) in found
    assert frozenset({"b1"}) in found


def test_an_actor_the_report_does_not_name_is_not_evidence() -> None:
    strike = event("e1", actor1=SYRIA, published=at(7, 20))
    assert not together(strike, event("e2", actor1=COALITION, published=at(8)))
    # the coalition was named in an earlier sentence of the article, not in this report
    inherited = event("e3", actor1=COALITION, actor1_text="التحالف الدولي", published=at(8))
    assert together(strike, inherited)


def test_the_actor_of_an_accusation_or_denial_is_not_evidence() -> None:
    strike = event("e1", actor1=SYRIA, published=at(7, 20))
    # "Washington accused ..." reads Washington as actor1: no contradiction is drawn from it.
    accusation = event("e2", actor1="Military Forces of the United States", flags=["alleged"])
    assert together(strike, accusation)
    assert not together(strike, event("e3", actor1="Military Forces of the United States"))


def test_the_anchor_prevents_chaining_distinct_days() -> None:
    # 6 → 7 → 8 April: each is a day from the next, but 6 and 8 are two days apart.
    reports = [event(f"e{n}", event_date=day(n), published=at(n, 20)) for n in (6, 7, 8)]
    found = groups(reports)
    assert len(found) == 2
    assert all(len(g) <= 2 for g in found)


def test_match_explains_each_piece_of_evidence() -> None:
    reason = match(event("e1", actor1=SYRIA), event("e2", event_date=day(8), actor1=RUSSIA))
    assert reason is not None
    assert "same event_type" in reason
    assert "same place Douma/Douma 0.0 km" in reason
    assert "dates 2018-04-07/2018-04-08 within precision" in reason
    assert f"actor1 {SYRIA}/{RUSSIA} compatible" in reason


# --- merged fields ---------------------------------------------------------------------------


def test_toll_range_and_best_estimate_over_reports() -> None:
    reports = [
        event("e1", killed_low=40, killed_high=40, fatalities=40),
        event("e2", killed_low=70, killed_high=70, fatalities=70, published=at(8, 10)),
        event("e3", killed_low=85, killed_high=85, fatalities=85, published=at(9)),
        event("e4", killed_low=48, killed_high=48, fatalities=48, published=at(8, 11)),
        event("e5", published=at(8, 12)),  # no toll: not a report of zero dead
    ]
    (cluster,) = cluster_events(reports).clusters
    assert (cluster.killed_low, cluster.killed_high) == (40, 85)
    assert cluster.fatalities == 48  # lower median of 40, 48, 70, 85
    open_ended = event("e6", killed_low=100, killed_high=None, fatalities=100, published=at(9, 2))
    (cluster,) = cluster_events([*reports, open_ended]).clusters
    assert (cluster.killed_low, cluster.killed_high) == (40, None)


def test_dozens_do_not_pull_the_best_estimate_down() -> None:
    dozens = {"killed_low": 20, "killed_high": 99, "fatalities": 20}  # "عشرات"
    reports = [
        event("e1", killed_low=41, killed_high=None, fatalities=41, published=at(8, 1)),
        event("e2", killed_low=47, killed_high=47, fatalities=47, published=at(8, 2)),
        *(event(f"d{n}", **dozens, published=at(8, 3 + n)) for n in range(3)),
    ]
    (cluster,) = cluster_events(reports).clusters
    assert cluster.fatalities == 41
    assert (cluster.killed_low, cluster.killed_high) == (20, None)
    # With nothing more specific, "dozens" it is.
    (cluster,) = cluster_events(reports[2:]).clusters
    assert cluster.fatalities == 20


def test_cluster_takes_the_most_precise_place_and_date() -> None:
    reports = [
        event(
            "e1",
            **EASTERN_GHOUTA,
            event_date=day(8),
            flags=["date_from_publication"],
            published=at(7, 22),
        ),
        event("e2", **DOUMA, event_date=day(7), published=at(8)),
    ]
    (cluster,) = cluster_events(reports).clusters
    assert cluster.cluster_id == "e1"  # first seen, although not the anchor
    assert (cluster.location, cluster.geo_precision, cluster.event_date) == ("Douma", 1, day(7))
    assert cluster.merge_reasons[1].startswith("e2 anchors the cluster")


def test_result_does_not_depend_on_input_order() -> None:
    reports = [
        event("e1"),
        event("e2", event_date=day(8), source="outlet-b"),
        event("e3", **KAFR_BATNA),
        event("e4", **NEAR_DOUMA, published=at(9)),
        event("e5", actor1=COALITION, published=at(9, 3)),
    ]
    expected = cluster_events(reports).clusters
    for seed in range(5):
        shuffled = list(reports)
        random.Random(seed).shuffle(shuffled)
        assert cluster_events(shuffled).clusters == expected


# --- stable ids ------------------------------------------------------------------------------


def test_a_second_run_adding_a_report_keeps_the_cluster_id() -> None:
    first = cluster_events([event("e1"), event("e2", published=at(8, 10))], run_id="c1")
    other = cluster_events([event("x1", **KAFR_BATNA)], run_id="c1").clusters
    previous = first.clusters + other
    later = event("e0", published=at(9), source="outlet-z")
    second = cluster_events(
        [event("e1"), event("e2", published=at(8, 10)), later, event("x1", **KAFR_BATNA)],
        previous,
        run_id="c2",
    )
    douma = next(c for c in second.clusters if "e0" in c.event_ids)
    assert douma.cluster_id == "e1"
    assert douma.event_ids == ["e1", "e2", "e0"]
    assert douma.run_id == "c2"  # changed: it gained a member
    kafr_batna = next(c for c in second.clusters if c.event_ids == ["x1"])
    assert kafr_batna == other[0]  # unchanged row, its run id kept


def test_an_earlier_or_more_precise_report_does_not_take_the_id() -> None:
    vague = event("e5", **EASTERN_GHOUTA, published=at(8))
    first = cluster_events([vague], run_id="c1")
    assert first.clusters[0].cluster_id == "e5"
    precise = event("e1", **DOUMA, published=at(7, 20))  # found later, published earlier
    second = cluster_events([vague, precise], first.clusters, run_id="c2")
    (cluster,) = second.clusters
    assert cluster.cluster_id == "e5"
    assert cluster.event_ids == ["e1", "e5"]


def test_ids_stay_unique_when_a_cluster_splits_or_merges() -> None:
    old = [
        Cluster.model_validate(
            {
                **cluster_events([event("e1"), event("e2")]).clusters[0].model_dump(),
                "cluster_id": "e1",
            }
        ),
    ]
    # Now e2, seen first, contradicts e1 (a corrected actor): the old cluster splits in two,
    # and the part holding e1 keeps the id named after it.
    result = cluster_events(
        [event("e1", actor1=SYRIA), event("e2", actor1=COALITION, published=at(7, 3))], old
    )
    ids = [c.cluster_id for c in result.clusters]
    assert sorted(ids) == ["e1", "e2"]
    assert result.assignments == {"e1": "e1", "e2": "e2"}


# --- the dataset and the command -------------------------------------------------------------


def write_events(out: Path, run_id: str, events: list[Event]) -> None:
    DatasetWriter(out, run_id).write(
        "events", [e.model_copy(update={"run_id": run_id}) for e in events]
    )


def test_update_clusters_writes_a_stable_table(tmp_path: Path) -> None:
    out = tmp_path / "out"
    may = {"published": dt.datetime(2018, 5, 2, tzinfo=dt.UTC), "event_date": dt.date(2018, 5, 1),
           "date_start": dt.date(2018, 5, 1)}  # fmt: skip
    write_events(out, "r1", [event("e1"), event("e2", published=at(8, 10)), event("m1", **may)])
    summary = update_clusters(out, run_id="c1")
    assert (summary.events, summary.clusters, summary.multi_report, summary.new) == (3, 2, 1, 2)
    paths = sorted(p.relative_to(out).as_posix() for p in summary.files_written)
    assert paths == [
        "clusters/year=2018/month=04/clusters.parquet",
        "clusters/year=2018/month=05/clusters.parquet",
    ]
    table = read_table(out, "clusters")
    assert sorted(table.column("cluster_id").to_pylist()) == ["e1", "m1"]

    # The next night: one more report of the April strike; May is untouched.
    write_events(out, "r2", [event("e3", published=at(9), source="outlet-c")])
    may_file = out / "clusters/year=2018/month=05/clusters.parquet"
    before = may_file.stat().st_mtime_ns
    summary = update_clusters(out, run_id="c2")
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 1)
    assert [p.name for p in summary.files_written] == ["clusters.parquet"]
    assert may_file.stat().st_mtime_ns == before
    clusters = {c.cluster_id: c for c in load_clusters(out)}
    assert clusters["e1"].event_ids == ["e1", "e2", "e3"]
    assert clusters["e1"].run_id == "c2" and clusters["m1"].run_id == "c1"

    # Running again over the same data changes nothing.
    summary = update_clusters(out, run_id="c3")
    assert summary.files_written == [] and summary.unchanged == 2


def test_events_that_leave_the_dataset_leave_their_clusters(tmp_path: Path) -> None:
    out = tmp_path / "out"
    may = {"published": dt.datetime(2018, 5, 2, tzinfo=dt.UTC), "event_date": dt.date(2018, 5, 1),
           "date_start": dt.date(2018, 5, 1)}  # fmt: skip
    write_events(out, "r1", [event("e1"), event("m1", **may)])
    update_clusters(out, run_id="c1")
    for path in (out / "events").glob("year=2018/month=05/*.parquet"):
        path.unlink()
    summary = update_clusters(out, run_id="c2")
    assert summary.removed == 1
    assert [p.parent.name for p in summary.files_removed] == ["month=05"]
    assert not (out / "clusters/year=2018/month=05").exists()
    assert [c.cluster_id for c in load_clusters(out)] == ["e1"]


def test_cluster_command(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_events(out, "r1", [event("e1"), event("e2", published=at(8, 10))])
    result = CliRunner().invoke(app, ["cluster", str(out), "--run-id", "c1"])
    assert result.exit_code == 0, result.output
    assert "clusters" in result.output
    assert [c.event_ids for c in load_clusters(out)] == [["e1", "e2"]]
    missing = CliRunner().invoke(app, ["cluster", str(tmp_path / "nothing")])
    assert missing.exit_code == 2


@pytest.mark.parametrize("precision", [1, 2, 3])
def test_date_window_is_never_narrower_than_its_precision(precision: int) -> None:
    window = date_window(event("e", date_precision=precision))
    assert window is not None
    assert (window[1] - window[0]).days == {1: 0, 2: 6, 3: 29}[precision]
