"""Killed and injured counts and victim categories read from Arabic sentences."""

from __future__ import annotations

import pytest

from pipeline.document import Toll
from pipeline.tolls import fatalities, find_toll

Range = tuple[int, int | None] | None


def _ranges(toll: Toll) -> tuple[Range, Range, bool | None]:
    killed = None if toll.killed_low is None else (toll.killed_low, toll.killed_high)
    injured = None if toll.injured_low is None else (toll.injured_low, toll.injured_high)
    return killed, injured, toll.civilian_victims


CASES: list[tuple[str, Range, Range, bool | None]] = [
    # exact digits and words, civilian / fighter victims
    ("أسفر القصف المدفعي على البلدة عن مقتل 7 مدنيين", (7, 7), None, True),
    ("قُتل ١٢ عنصراً من قوات النظام في الكمين", (12, 12), None, False),
    ("لقي خمسة وعشرون شخصا حتفهم في الانفجار", (25, 25), None, None),
    ("قتل خمسة وعشرون شخصا في الانفجار", (25, 25), None, None),
    ("أدت الغارة إلى استشهاد ثلاثة أطفال وامرأة", (3, 3), None, True),
    ("قتل ثلاثة آلاف شخص منذ بدء الحملة", (3000, 3000), None, None),
    ("مقتل 4 آلاف مقاتل في المعارك", (4000, 4000), None, False),
    ("لقي مئتا شخص مصرعهم", (200, 200), None, None),
    ("سقط مئتا قتيل", (200, 200), None, None),
    ("لقي الطفل حتفه غرقا", (1, 1), None, True),
    # injured, combined sentences
    ("قتل ثلاثة مدنيين وأصيب خمسة آخرون بقصف صاروخي", (3, 3), (5, 5), True),
    ("أصيب عشرة أشخاص بجروح متفاوتة", None, (10, 10), None),
    ("مقتل جنديين وإصابة أربعة آخرين بانفجار لغم", (2, 2), (4, 4), False),
    ("وأصيب آخران بجروح", None, (2, 2), None),
    # duals
    ("قتل مدنيين اثنين في القصف", (2, 2), None, True),
    ("قتل طفلين بقذيفة هاون", (2, 2), None, True),
    ("أصيب شخصان برصاص قناص", None, (2, 2), None),
    # vague quantities
    ("سقط عشرات القتلى في الغارات", (20, 99), None, None),
    ("أسفر الهجوم عن مقتل العشرات", (20, 99), None, None),
    ("قتل مئات المدنيين خلال الحصار", (200, 999), None, True),
    ("قتلت القوات عدداً من المسلحين", (1, None), None, False),
    ("أدى القصف إلى سقوط قتلى وجرحى", (1, None), (1, None), None),
    ("قتل العديد من عناصر التنظيم", (1, None), None, False),
    ("قتل بضعة مدنيين", (3, 9), None, True),
    # hedges
    ("قتل أكثر من 20 مدنيا في الغارة", (21, None), None, True),
    ("قتل نحو 20 مسلحا", (18, 22), None, False),
    ("قتل حوالي عشرين شخصاً", (18, 22), None, None),
    ("قتل ما لا يقل عن 20 شخصا", (20, None), None, None),
    ("قتل 15 مدنيا على الأقل", (15, None), None, True),
    ("قتل 15 مدنيا، على الأقل، في القصف", (15, None), None, True),
    ("قتل بين 10 و15 مقاتلا", (10, 15), None, False),
    ("ارتفع عدد القتلى إلى 30 شخصا", (30, 30), None, None),
    ("ارتفعت حصيلة القتلى في المدينة إلى 45", (45, 45), None, None),
    # breakdowns are not added
    ("قتل 12 شخصا بينهم ثلاثة أطفال", (12, 12), None, True),
    ("مقتل 9 مدنيين، من بينهم امرأتان، وإصابة 14 آخرين", (9, 9), (14, 14), True),
    ("قتل ستة عناصر على الأقل بينهم طفل مجند", (6, None), None, False),
    # subject before the verb
    ("قال المرصد إن 17 مدنيا على الأقل قتلوا في الغارات", (17, None), None, True),
    ("ذكرت المصادر أن عددا من السكان، بينهم أطفال، أصيبوا بجروح", None, (1, None), True),
    ("بلغت حصيلة القصف 31 مدنيا، قضوا في يومين", (31, 31), None, True),
    ("قال المرصد إن أكثر من 300 مقاتل كردي لقوا حتفهم", (301, None), None, False),
    ("أكدت المصادر أن عشرات النساء والأطفال قد قتلوا", (20, 99), None, True),
    ("قتل مدنيان في ضربة جوية", (2, 2), None, True),
    ("خرج 4 آلاف مقاتل من المدينة المحاصرة وقتل آخرون", (1, None), None, None),
    # one victim named
    ("أعلن الفصيل مقتل قائده العسكري في غارة", (1, 1), None, False),
    ("أصيب طفل بشظايا قذيفة", None, (1, 1), True),
    ("قتل ضابط برتبة عقيد", (1, 1), None, False),
    ("قتل أحد عناصر الشرطة", (1, 1), None, False),
    ("قتل القيادي في الهجوم", (1, 1), None, False),
    ("قتل زعيم الجماعة في الهجوم", (1, None), None, None),
    # gap between the verb and its count
    ("قتل في القصف على الحي 8 أشخاص", (8, 8), None, None),
    ("قُتل فيها 24 من القوات الحكومية", (24, 24), None, False),
    # coordinated counts on separate days are summed for the sentence
    ("قتل 5 من المسلحين الأحد و3 آخرون الاثنين", (8, 8), None, False),
    # combined killed-and-injured count
    ("أسفر الانفجار عن مقتل وإصابة 20 شخصا", (1, 20), (1, 20), None),
    # Arabic-Indic digits and diacritics
    ("قُتِلَ ٣٥ مدنياً وأُصيب ٢٣ آخرون", (35, 35), (23, 23), True),
    # numbers that are not tolls
    ("نفذ الطيران 5240 طلعة منذ بدء العملية", None, None, None),
    ("خرج 4 آلاف مقاتل ومدني من الحي بموجب الاتفاق", None, None, None),
    ("ينص الاتفاق الذي يقضي بخروج 300 مسلح", None, None, None),
    ("وصلت 15 حافلة تقل 1200 شخص إلى الشمال", None, None, None),
    ("اندلعت الحرب في عام 2011", None, None, None),
    ("قتل في 20 غارة على 5 قرى", (1, None), None, None),
    ("أصابت الصواريخ أهدافها بدقة", None, None, None),
    ("حققت القذيفة إصابة مباشرة", None, None, None),
    # negation
    ("سقطت القذائف دون وقوع إصابات", None, None, None),
    ("لم يسفر القصف عن سقوط قتلى", None, None, None),
    ("انفجرت السيارة دون أن يوقع الانفجار ضحايا", None, None, None),
    ("لا يزال عدد القتلى 12", (12, 12), None, None),
]


@pytest.mark.parametrize(("text", "killed", "injured", "civilian"), CASES)
def test_find_toll(text: str, killed: Range, injured: Range, civilian: bool | None) -> None:
    assert _ranges(find_toll(text)) == (killed, injured, civilian)


def test_spans_point_at_numbers() -> None:
    prefix = "في الخبر: "
    text = "قتل 12 شخصا وأصيب أكثر من 30 آخرين"
    toll = find_toll(text, base=len(prefix))
    full = prefix + text
    labels = {(span.label, full[span.start : span.end]) for span in toll.spans}
    assert labels == {("killed", "12"), ("injured", "أكثر من 30")}
    for span in toll.spans:
        assert full[span.start : span.end] == span.text


def test_bare_casualty_word_span() -> None:
    toll = find_toll("سقط قتلى في الغارة")
    assert [(span.label, span.text) for span in toll.spans] == [("killed", "قتلى")]


@pytest.mark.parametrize(
    ("toll", "expected"),
    [
        (Toll(), 0),
        (Toll(killed_low=7, killed_high=7), 7),
        (Toll(killed_low=21, killed_high=None), 21),
        (Toll(killed_low=18, killed_high=22), 18),
        (Toll(killed_low=20, killed_high=99), 20),
        (Toll(killed_low=1, killed_high=None), 1),
        (Toll(injured_low=5, injured_high=5), 0),
    ],
)
def test_fatalities(toll: Toll, expected: int) -> None:
    assert fatalities(toll) == expected


def test_fatalities_from_text() -> None:
    assert fatalities(find_toll("قتل بين 10 و15 مقاتلا")) == 10
    assert fatalities(find_toll("سقط عشرات القتلى")) == 20
    assert fatalities(find_toll("دمرت الغارة مبنى سكنيا")) == 0
