"""Event assembly on hand-built documents: granularity, places, filters, flags (no Stanza)."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.dedup import deduplicate
from pipeline.document import Document, Sentence, Span
from pipeline.events import extract_events, make_context
from pipeline.gazetteer import Gazetteer
from schemas import Event, InputArticle

PUBLISHED = dt.datetime(2018, 3, 10, 9, tzinfo=dt.UTC)


def document(text: str, locs: tuple[str, ...] = ()) -> Document:
    """A document split into one sentence per line, with the given words tagged LOC."""
    doc = Document(InputArticle(id="t1", text=text, published=PUBLISHED), "test", text=text)
    start = 0
    for number, line in enumerate(text.split("\n")):
        entities = [
            Span(start + m.start(), start + m.end(), m.group(), "LOC")
            for loc in locs
            for m in re.finditer(re.escape(loc), line)
        ]
        doc.sentences.append(Sentence(number, start, start + len(line), line, number, [], entities))
        start += len(line) + 1
    return doc


def events(text: str, locs: tuple[str, ...] = ()) -> list[Event]:
    doc = document(text, locs)
    extract_events(doc, make_context(Gazetteer.default(), "r1"))
    return deduplicate(doc.events, doc.sentences)


def test_one_event_per_place_with_exact_evidence() -> None:
    text = "شنت الطائرات الحربية الروسية أمس غارات على بلدتي حمورية وسقبا في الغوطة الشرقية."
    found = events(text)
    assert [e.location_text for e in found] == ["حمورية", "سقبا"]
    for event in found:
        assert text[event.char_start : event.char_end] == event.sentence
        assert event.event_date == dt.date(2018, 3, 9)
        assert event.actor1 == "Military Forces of Russia"
        assert event.admin1 == "Rural Damascus"
        assert event.latitude is not None and event.geo_precision == 1


def test_a_country_or_a_locating_city_is_not_a_second_event() -> None:
    found = events(
        "قتل خمسة مدنيين أمس في انفجار سيارة مفخخة في حي الزهراء في مدينة حمص وسط سوريا."
    )
    assert [e.location_text for e in found] == ["الزهراء"]


def test_unknown_village_keeps_its_text_and_takes_the_governorate_from_the_article() -> None:
    # "خربة الزنبقة" is an invented name: no gazetteer knows it
    text = "تشهد محافظة حماة تصعيدا.\nقصفت قوات النظام أمس خربة الزنبقة بالمدفعية."
    (event,) = events(text, locs=("خربة الزنبقة",))
    assert event.location_text == "خربة الزنبقة"
    assert event.location is None and event.latitude is None and event.geo_precision is None
    assert "location_unresolved" in event.flags
    assert event.admin1 == "Hama" and event.country == "SYR"
    assert "admin1_from_context" in event.flags


def test_background_is_not_news() -> None:
    assert events("قصفت الطائرات العراقية مدينة حلبجة عام 1988 بالغازات السامة.") == []
    assert events("تشن قوات النظام منذ 19 شباط حملة قصف على مدينة دوما.") == []
    assert events("غارات على دوما") == []  # a heading line repeating the body


def test_weak_words_need_a_date_or_a_toll_and_no_article() -> None:
    assert events("يدور الحديث عن انسحاب المقاتلين من مدينة دوما.") == []
    assert events("وقتل في الهجوم عشرة أشخاص في مدينة دوما.") == []


def test_headline_and_body_repeat_give_one_event() -> None:
    text = "قصفت قوات النظام أمس مدينة دوما.\nوكانت قوات النظام قصفت أمس مدينة دوما بالمدفعية."
    assert len(events(text)) == 1


def test_a_continuation_without_a_place_joins_the_event_before_it() -> None:
    text = "قصفت قوات النظام أمس مدينة دوما بالمدفعية، وقتل ثلاثة مدنيين جراء القصف أمس."
    (event,) = events(text)
    assert event.killed_low == 3 and event.civilian_victims is True


def test_merging_reports_keeps_an_open_ended_toll() -> None:
    text = (
        "قتل ثمانية أشخاص على الأقل أمس في انفجار في حي الزهراء.\n"
        "وقتل ثمانية أشخاص أمس في انفجار في حي الزهراء."
    )
    (event,) = events(text)
    assert (event.killed_low, event.killed_high) == (8, None)


def test_a_dateline_is_not_where_the_event_happened() -> None:
    text = "بيروت - (وكالات): قصفت قوات النظام أمس مدينة دوما بالمدفعية."
    assert [e.location_text for e in events(text)] == ["دوما"]


def test_an_unknown_name_needs_a_place_word_or_a_locative() -> None:
    # "زيوريخ" here is only tagged LOC and unknown to the gazetteer; "من" does not locate
    text = "وصل أمس وفد طبي من زيوريخ بعد قصف قوات النظام مدينة دوما."
    found = events(text, locs=("زيوريخ",))
    assert "زيوريخ" not in {e.location_text for e in found}


def test_trends_and_background_clauses_are_not_events() -> None:
    assert events("وتكثفت مؤخرا وتيرة إطلاق القذائف على مدينة دوما.") == []
    found = events("بالتزامن مع الغارات، تمكنت قوات النظام أمس من السيطرة على بلدة اللطامنة.")
    assert {e.sub_event_type for e in found} == {"Government regains territory"}


def test_a_list_of_unknown_villages_after_a_place_word_is_all_placed() -> None:
    # invented village names, tagged LOC as the NER model would
    text = "شن الطيران الحربي أمس غارات على قرى خربة العنبر وعين الصنوبر ومزرعة القندول."
    found = events(text, locs=("خربة العنبر", "عين الصنوبر", "مزرعة القندول"))
    assert {e.location_text for e in found} == {"خربة العنبر", "عين الصنوبر", "مزرعة القندول"}


def test_outskirts_after_a_verb_are_a_new_place_not_a_locator() -> None:
    text = "سيطرت قوات النظام أمس على بلدة أبو الظهور ثم تقدمت إلى مشارف مدينة سراقب."
    assert {e.location_text for e in events(text)} >= {"أبو الظهور", "سراقب"}


def test_running_totals_are_not_events() -> None:
    assert events("أسفر القصف على مدينة دوما عن مقتل أكثر من 1500 شخص.") == []
    assert events("وثق المركز مقتل 300 مدني في 34 يوما من الهجمات على مدينة دوما.") == []
    assert events("قتل مئات المدنيين في الغارات على مدينة دوما بعد أسابيع من القصف.") == []
    # still under way since yesterday is news
    assert events("تتعرض مدينة دوما لغارات مستمرة منذ أمس.") != []


def test_an_unsaid_attacker_is_the_agent_named_before_in_the_article() -> None:
    text = "استهدفت طائرات روسية مقرا للفصائل.\nوقتل عشرة مقاتلين أمس في الغارة على مدينة دوما."
    (event,) = events(text)
    assert event.actor1 == "Military Forces of Russia"


def test_the_organisation_refers_back_to_the_group_named_before() -> None:
    text = "رفض جيش الإسلام الخروج من المدينة.\nوقال الجيش إن التنظيم قصف أمس بالقذائف مدينة حرستا."
    (event,) = events(text)
    assert event.actor1 == "Jaysh al-Islam" and event.actor1_text == "التنظيم"


def test_tolls_told_clause_by_clause_stay_with_their_places() -> None:
    text = (
        "قتل سبعة مدنيين أمس في غارات على مدينة دوما، بالتزامن مع مقتل ثلاثة عناصر على الأقل "
        "في قصف على مدينة حرستا."
    )
    tolls = {e.location_text: (e.killed_low, e.killed_high) for e in events(text)}
    assert tolls == {"دوما": (7, 7), "حرستا": (3, None)}


def test_one_toll_for_two_places_in_one_clause_is_not_split() -> None:
    text = "قتل سبعة مدنيين أمس في غارات على مدينتي دوما وحرستا."
    assert {e.killed_low for e in events(text)} == {7}


def test_details_after_a_lead_are_one_event_at_the_exact_place_with_the_leads_toll() -> None:
    text = (
        "قتل 35 شخصا أمس في قصف صاروخي على سوق في ضواحي دمشق.\n"
        "ونقل التلفزيون عن مصدر أن قذيفة صاروخية سقطت أمس على سوق شعبية في حي جوبر."
    )
    (event,) = events(text)
    assert (event.location_text, event.killed_low, event.killed_high) == ("جوبر", 35, 35)


def test_a_lead_without_a_place_gives_its_toll_to_the_details() -> None:
    text = (
        "قتل 26 مدنيا على الأقل أمس في غارات جوية على شمال شرق البلاد.\n"
        'وأوضح المرصد أن "سبعة أطفال من بين قتلى هذه الغارات التي استهدفت مدينة الحسكة".'
    )
    (event,) = events(text)
    assert (event.location_text, event.killed_low, event.killed_high) == ("الحسكة", 26, None)
    assert event.civilian_victims is True


def test_a_sentence_that_is_not_a_sources_details_stays_its_own_event() -> None:
    text = (
        "قتل 35 شخصا أمس في قصف صاروخي على سوق في ضواحي دمشق.\n"
        "كما سقطت قذيفة صاروخية أمس على حي جوبر."
    )
    assert {(e.location_text, e.killed_low) for e in events(text)} == {
        ("دمشق", 35),
        ("جوبر", None),
    }


def test_details_with_a_toll_of_their_own_are_another_event() -> None:
    text = (
        "قتل 35 شخصا أمس في قصف صاروخي على سوق في ضواحي دمشق.\n"
        "وقال المرصد إن قذيفة صاروخية قتلت أمس ثلاثة أشخاص في حي جوبر."
    )
    assert {(e.location_text, e.killed_low) for e in events(text)} == {
        ("دمشق", 35),
        ("جوبر", 3),
    }


def test_the_day_of_a_statement_is_not_taken_for_the_day_of_the_event() -> None:
    def flagged(text: str) -> bool:
        (event,) = events(text)
        return "date_of_statement" in event.flags

    # the date follows a statement verb and its subject, before the event is named
    assert flagged("قال وزير الخارجية، الجمعة، إن الهجوم الكيماوي على مدينة دوما مسرحية.")
    # the event is the topic of a reaction
    assert flagged("تحدث الرئيس، الاثنين، بشأن الهجوم الكيماوي على مدينة دوما.")
    # a date after the event names the event's day
    assert not flagged("قال الوزير إن الهجوم الكيماوي على مدينة دوما وقع السبت.")
    # a toll or a news source: the sentence reports the day's news
    assert not flagged("قال المرصد، الجمعة، إن الطائرات قصفت مدينة دوما.")
    assert not flagged("أعلن الدفاع المدني، الجمعة، مقتل خمسة مدنيين بقصف على مدينة دوما.")
    assert not flagged("قصفت الطائرات الحربية، الجمعة، مدينة دوما.")
    # the event as a topic, and the day in a later clause: the statement's day
    assert flagged("قالت النائبة إن الحكومة تدرس تقارير عن هجوم كيماوي على مدينة دوما، الأحد.")
    assert not flagged("قالت النائبة إن الحكومة تدرس تقارير عن هجوم كيماوي على مدينة دوما الأحد.")


def test_a_capital_standing_for_its_government_is_not_a_second_place() -> None:
    text = "قصفت الطائرات أمس مدينة دوما، فيما نفت دمشق استخدام الغاز."
    assert [e.location_text for e in events(text)] == ["دوما"]
    # introduced by a preposition or "قرب العاصمة", it is a place (or situates another)
    both = "قصفت الطائرات أمس مدينة دوما وأحياء في دمشق."
    assert {e.location_text for e in events(both)} == {"دوما", "دمشق"}
    near = "قصفت الطائرات أمس مدينة دوما الواقعة قرب العاصمة دمشق."
    assert [e.location_text for e in events(near)] == ["دوما"]


def test_the_day_told_next_to_the_event_is_its_date() -> None:
    # published on Saturday 10 March: "الأحد" is the 4th, "مساء السبت" the 10th
    (event,) = events("قال المرصد الأحد إن الطائرات قصفت مدينة دوما مساء السبت.")
    assert event.event_date == dt.date(2018, 3, 10)
    # one day in the sentence: it dates the event wherever it stands
    (event,) = events("قال المرصد الأحد إن الطائرات قصفت مدينة دوما.")
    assert event.event_date == dt.date(2018, 3, 4)


def test_a_big_city_after_a_place_says_where_the_place_is() -> None:
    found = events("قصفت الطائرات أمس مطار الشعيرات العسكري في حمص.")
    assert [e.location for e in found] == ["Shayrat Airbase"]
