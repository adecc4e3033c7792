"""Actor dictionary: each alias class, agent phrases, renamed groups, roles and sources."""

import datetime as dt

import pytest

from pipeline.actors import assign_roles, find_actors, find_reporter
from pipeline.document import Sentence
from pipeline.triggers import load_lexicon, read_sentence

DAY = dt.date(2018, 4, 1)


def sentence(text: str) -> Sentence:
    return Sentence(0, 0, len(text), text, 0)


def names(text: str, day: dt.date | None = DAY) -> list[tuple[str, str]]:
    return [(m.name, m.actor_type) for m in find_actors(sentence(text), day)]


@pytest.mark.parametrize(
    ("text", "name", "actor_type"),
    [
        ("تقدمت قوات النظام نحو البلدة", "Military Forces of Syria", "State forces"),
        ("أعلن الجيش العربي السوري", "Military Forces of Syria", "State forces"),
        ("قصفت القوات الحكومية المدينة", "Military Forces of Syria", "State forces"),
        ("شن الطيران الحربي الروسي غارات", "Military Forces of Russia", "External/Other forces"),
        ("والغارات الروسية طالت القرية", "Military Forces of Russia", "External/Other forces"),
        ("قصفت طائرات التحالف الدولي مواقع", "International Coalition", "External/Other forces"),
        ("توغلت القوات التركية في القرية", "Military Forces of Turkey", "External/Other forces"),
        ("قصفت إسرائيل مواقع قرب دمشق", "Military Forces of Israel", "External/Other forces"),
        ("اشتبكت قسد مع التنظيم", "SDF", "Rebel group"),
        ("هاجمت وحدات حماية الشعب الكردية", "YPG", "Rebel group"),
        ("أعلن جيش الإسلام", "Jaysh al-Islam", "Rebel group"),
        ("قال فيلق الرحمن", "Faylaq al-Rahman", "Rebel group"),
        ("هاجم مسلحو تنظيم الدولة الإسلامية", "Islamic State", "Rebel group"),
        ("سيطر داعش على القرية", "Islamic State", "Rebel group"),
        ("قاتل الجيش السوري الحر", "Free Syrian Army", "Rebel group"),
        ("صدت فصائل المعارضة الهجوم", "Syrian opposition", "Rebel group"),
        ("شارك حزب الله في المعارك", "Hezbollah", "Political militia"),
        ("قتل خمسة مدنيين", "Civilians", "Civilians"),
    ],
)
def test_alias_classes(text: str, name: str, actor_type: str) -> None:
    assert (name, actor_type) in names(text)


def test_renamed_groups_resolve_to_the_name_in_force() -> None:
    text = "هاجمت جبهة النصرة مواقع الجيش"
    assert ("Jabhat al-Nusra", "Rebel group") in names(text, dt.date(2015, 6, 1))
    assert ("Jabhat Fath al-Sham", "Rebel group") in names(text, dt.date(2016, 10, 1))
    assert ("Hayat Tahrir al-Sham", "Rebel group") in names(text, dt.date(2018, 2, 1))
    assert ("Hayat Tahrir al-Sham", "Rebel group") in names("قاتلت هيئة تحرير الشام", DAY)


def test_longest_name_wins_over_its_parts() -> None:
    assert names("قاتل الجيش السوري الحر قرب المدينة") == [("Free Syrian Army", "Rebel group")]


def roles(text: str) -> tuple[str | None, str | None]:
    s = sentence(text)
    (trigger, *_) = read_sentence(s, load_lexicon()).triggers
    actor1, actor2 = assign_roles(s, trigger, find_actors(s, DAY))
    return (actor1.name if actor1 else None, actor2.name if actor2 else None)


def test_roles_agent_phrase_acts_and_target_is_acted_upon() -> None:
    assert roles("استهدف الطيران الروسي مواقع جيش الإسلام في دوما") == (
        "Military Forces of Russia",
        "Jaysh al-Islam",
    )
    assert roles("قصفت قوات النظام مقرات فيلق الرحمن في عربين") == (
        "Military Forces of Syria",
        "Faylaq al-Rahman",
    )


def test_victims_are_never_the_attacker() -> None:
    assert roles("قتل سبعة مدنيين في غارات للطيران السوري على سقبا") == (
        "Military Forces of Syria",
        "Civilians",
    )


@pytest.mark.parametrize(
    ("text", "reporter"),
    [
        ("وفق المرصد السوري لحقوق الإنسان", "SOHR"),
        ("ذكرت وكالة الأنباء السورية الرسمية (سانا)", "SANA"),
        ("أعلنت وزارة الدفاع الروسية", "Russian Ministry of Defence"),
        ("بحسب ناشطين", "activists"),
        ("قال مصدران بالمعارضة السورية", "opposition sources"),
        ("قالت الخوذ البيضاء", "Syrian Civil Defence"),
    ],
)
def test_reporters(text: str, reporter: str) -> None:
    assert find_reporter(text) == reporter


def test_no_reporter_when_none_is_named() -> None:
    assert find_reporter("قصفت الطائرات المدينة") is None


def test_speaker_is_not_the_attacker_unless_claiming_the_act() -> None:
    assert roles("قالت واشنطن إن الطائرات الحربية الروسية قصفت مدينة سراقب")[0] == (
        "Military Forces of Russia"
    )
    assert roles("قال الجيش إنه تقدم نحو بلدة كفرنبل وسيطر عليها")[0] == (
        "Military Forces of Syria"
    )


def test_supporters_and_occupants_of_the_target_are_not_the_attacker() -> None:
    assert roles("شنت قوات النظام بدعم روسيا هجوما على بلدة اللطامنة")[0] == (
        "Military Forces of Syria"
    )
    first, _ = roles("قصفت صواريخ إسرائيلية مواقع قرب دمشق حيث يتواجد حزب الله")
    assert first == "Military Forces of Israel"


def test_a_name_inside_a_source_name_is_not_an_actor() -> None:
    assert names("نقل موقع روسيا اليوم أن القصف استهدف دوما") == []


def test_unattributed_aircraft_and_state_media_names() -> None:
    assert ("Unidentified military aircraft", "External/Other forces") in names(
        "شنت طائرات حربية لم تتضح هويتها غارات على البلدة"
    )
    assert names("شنت الطائرات الحربية الروسية غارات")[0][0] == "Military Forces of Russia"
    assert ("Syrian opposition", "Rebel group") in names("أطلقت التنظيمات الإرهابية قذائف")
    assert ("Military Forces of Iraq", "External/Other forces") in names(
        "قصف الطيران العراقي مواقع التنظيم"
    )


def test_fighters_not_civilians_are_the_party_that_leaves() -> None:
    assert roles("خرج عشرات المدنيين والمقاتلين من حي الوعر أمس")[0] == "Syrian opposition"


def test_subject_right_after_the_verb_acts() -> None:
    assert roles("استعاد تنظيم الدولة السيطرة على القرية بعد أيام من دخول الجيش السوري إليها")[
        0
    ] == ("Islamic State")


def test_only_forces_with_aircraft_carry_out_air_strikes() -> None:
    first, _ = roles("شنت الطائرات غارات على مواقع فصائل المعارضة وجيش الإسلام في دوما")
    assert first is None
