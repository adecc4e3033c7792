"""Trigger lexicon: sub-event types, Arabic morphology, and what is not an event."""

import pytest

from pipeline.document import Sentence
from pipeline.triggers import load_lexicon, read_sentence


def reading(text: str) -> list[tuple[str, str]]:
    result = read_sentence(Sentence(0, 0, len(text), text, 0), load_lexicon())
    return [(t.sub_event_type, t.text) for t in result.triggers]


def types(text: str) -> set[str]:
    return {sub for sub, _ in reading(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("شنت الطائرات الحربية غارات على بلدة كفرنبل", "Air/drone strike"),
        ("وقتل ثلاثة مدنيين بالغارات على سراقب", "Air/drone strike"),
        ("قصفت الطائرات المروحية بالبراميل المتفجرة قرية الهبيط", "Air/drone strike"),
        ("قصفت قوات النظام بالمدفعية بلدة اللطامنة", "Shelling/artillery/missile attack"),
        ("سقطت قذائف هاون على حي باب توما", "Shelling/artillery/missile attack"),
        ("قصف على أطراف مدينة درعا", "Shelling/artillery/missile attack"),
        ("انفجرت عبوة ناسفة بسيارة عسكرية في مدينة الباب", "Remote explosive/landmine/IED"),
        ("فجر انتحاري حزامه الناسف عند حاجز في القامشلي", "Suicide bomb"),
        ("شنت الطائرات هجوما كيميائيا على بلدة خان شيخون", "Chemical weapon"),
        ("دارت اشتباكات عنيفة بين الطرفين في حي جوبر", "Armed clash"),
        ("تمكنت قوات النظام من استعادة قرية أبو الظهور", "Government regains territory"),
        ("اختطف مسلحون مجهولون طبيبا في مدينة إدلب", "Abduction/forced disappearance"),
        ("شنت قوات الأمن حملة اعتقالات في مدينة نوى", "Arrests"),
        ("توصلت روسيا والفصائل إلى اتفاق لوقف القتال في بصرى الشام", "Agreement"),
        (
            "بدأ إجلاء المقاتلين وعائلاتهم من بلدة الضمير بموجب اتفاق",
            "Non-violent transfer of territory",
        ),
        ("أسقطت الدفاعات الجوية عددا من الصواريخ فوق مطار الشعيرات", "Disrupted weapons use"),
        ("خرج مئات المتظاهرين في مدينة السويداء", "Peaceful protest"),
    ],
)
def test_sub_event_type_of_each_trigger_class(text: str, expected: str) -> None:
    assert expected in types(text)


def test_clitics_and_inflections_are_covered() -> None:
    for text in ("والغارات طالت البلدة", "بقصف مدفعي", "فقصفوها ليلا", "وبالقذائف", "تقصف القوات"):
        assert reading(text), text


def test_future_plans_threats_and_negation_are_not_events() -> None:
    assert reading("ستشن الطائرات غارات على المدينة غدا") == []
    assert reading("من المقرر أن يبدأ إجلاء المقاتلين الأسبوع المقبل") == []
    assert reading("هدد الجيش بقصف مواقع الفصائل في درعا") == []
    assert reading("لم تسجل اشتباكات في المدينة") == []
    assert reading("هل قصفت الطائرات المستشفى؟") == []


def test_statistics_and_condemnations_are_not_events() -> None:
    assert reading("قتل أكثر من ألف مدني في الغارات منذ بدء الحملة على الغوطة") == []
    assert reading("أدانت فرنسا القصف على الغوطة الشرقية") == []


def test_words_inside_control_states_and_names_are_not_triggers() -> None:
    assert types("في مناطق سيطرة الفصائل بريف حلب") == set()
    assert types("خرج المستشفى عن الخدمة") == set()
    assert reading("تسعى الدول لتسوية سياسية للنزاع") == []


def test_purpose_is_not_an_event_but_being_subjected_is() -> None:
    assert reading("أرسل الجيش تعزيزات لقتال التنظيم") == []
    assert "Shelling/artillery/missile attack" in types("تعرضت البلدة لقصف عنيف")


def test_denied_and_alleged_events_are_flagged() -> None:
    denied = read_sentence(
        Sentence(0, 0, 40, "نفى الجيش قصف المستشفى في مدينة حرستا", 0), load_lexicon()
    )
    assert denied.triggers and "denied" in denied.flags
    alleged = read_sentence(
        Sentence(0, 0, 40, "اتهمت المعارضة النظام بقصف بلدة عربين", 0), load_lexicon()
    )
    assert alleged.triggers and "alleged" in alleged.flags


def test_one_trigger_per_event_type_strongest_wins() -> None:
    # a suicide car bomb is one explosion event, of the suicide sub-type
    result = reading("قتل عشرة أشخاص في تفجير انتحاري بسيارة مفخخة في جرابلس")
    assert [sub for sub, _ in result] == ["Suicide bomb"]
    # a strike and clashes at one place are two events of two types
    both = types("قصفت الطائرات البلدة ودارت اشتباكات على أطرافها")
    assert both == {"Air/drone strike", "Armed clash"}


def test_agreement_or_evacuation_first_mention_wins() -> None:
    assert types("تم التوصل إلى اتفاق بخروج المقاتلين من الحي") == {"Agreement"}
    assert types("بدأ أمس إجلاء المقاتلين من الحي بموجب اتفاق") == {
        "Non-violent transfer of territory"
    }


def test_making_progress_is_not_an_investigation() -> None:
    assert types("تواصل القتال في أطراف البلدة بعد تحقيق تقدم للقوات") == {"Armed clash"}
    assert reading("طالبت الأمم المتحدة بتحقيق دولي في القصف على المستشفى") == []


def test_advances_strikes_and_arrivals() -> None:
    assert "Armed clash" in types("تقدمت قوات النظام نحو بلدة اللطامنة")
    assert "Air/drone strike" in types("استهدفت الضربة الإسرائيلية مستودعا قرب مطار المزة")
    assert "Other" in types("دفعة من المهجرين تضم مئات الأشخاص وصلت إلى مدينة الباب")


def test_eras_and_whole_periods_are_not_events() -> None:
    assert reading("تعرضت دمشق طوال سنوات النزاع لقصف من الفصائل") == []
    assert reading("وثق المرصد خلال هذه الفترة مقتل مئات المدنيين في القصف") == []
    assert reading("سيطرت القوات على المدينة إبان الحرب العالمية الأولى") == []


def test_everyday_movement_is_not_a_transfer_of_territory() -> None:
    assert reading("غادر الصحفي إسطنبول أمس على متن طائرة خاصة") == []
    assert types("خرج مئات المقاتلين وعائلاتهم من الحي أمس") == {
        "Non-violent transfer of territory"
    }


def test_a_strike_in_response_to_a_chemical_attack_is_not_one() -> None:
    text = "شنت الطائرات الأميركية أمس ضربات جوية ردا على هجوم يعتقد أنه كيماوي على مدينة دوما"
    assert types(text) == {"Air/drone strike"}
    assert types("قصفت الطائرات أمس مدينة دوما بغاز الكلور") == {"Chemical weapon"}


def test_an_event_named_as_the_topic_of_a_statement_is_referred() -> None:
    def referred(text: str) -> list[bool]:
        found = read_sentence(Sentence(0, 0, len(text), text, 0), load_lexicon()).triggers
        return [t.referred for t in found]

    assert referred("تحدث الرئيس الروسي، الاثنين، بشأن الهجوم الكيماوي في دوما") == [True]
    assert referred("شنت الطائرات الحربية أمس غارات على مدينة دوما") == [False]


def test_suspected_attackers_are_alleged() -> None:
    text = "استهدفت غارة يعتقد أنها إسرائيلية مطار التيفور العسكري أمس"
    found = read_sentence(Sentence(0, 0, len(text), text, 0), load_lexicon())
    assert found.triggers and "alleged" in found.flags


def test_the_toll_of_a_whole_escalation_is_not_an_event() -> None:
    text = "قال المرصد إن 300 مدني قضوا جميعاً خلال تصعيد عمليات القصف على مدن دوما وحرستا وعربين"
    assert reading(text) == []


def test_talks_to_reach_an_agreement_are_not_one() -> None:
    assert reading("عقد اجتماع أمس بين الطرفين للبحث في التوصل إلى اتفاق حول المدينة") == []
    assert types("أعلنت روسيا أمس التوصل إلى اتفاق حول المدينة") == {"Agreement"}
