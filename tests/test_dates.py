"""Time expressions resolved against the publication date, and the date of each sentence."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.dates import best_date, find_dates, sentence_dates
from pipeline.document import Document, Sentence
from schemas import InputArticle

D = dt.date
SUNDAY = D(2018, 4, 22)  # publication day used by most cases below
THURSDAY = D(2018, 5, 10)
FRIDAY = D(2018, 4, 13)

# (sentence, published, expected text of the chosen expression, date, date_start, precision)
CASES: list[tuple[str, dt.date, str, dt.date, dt.date, int]] = [
    # yesterday, today and parts of the day
    ("قصفت الطائرات البلدة أمس", SUNDAY, "أمس", D(2018, 4, 21), D(2018, 4, 21), 1),
    ("اندلعت اشتباكات امس في الحي", SUNDAY, "امس", D(2018, 4, 21), D(2018, 4, 21), 1),
    ("وقعت الغارة أول من أمس", SUNDAY, "أول من أمس", D(2018, 4, 20), D(2018, 4, 20), 1),
    ("استهدف القصف السوق أمس الأول", SUNDAY, "أمس الأول", D(2018, 4, 20), D(2018, 4, 20), 1),
    ("سقطت قذائف على الحي اليوم", SUNDAY, "اليوم", SUNDAY, SUNDAY, 1),
    ("شنت الطائرات غارات فجر أمس", SUNDAY, "فجر أمس", D(2018, 4, 21), D(2018, 4, 21), 1),
    ("هاجم المسلحون الحاجز صباح أمس", SUNDAY, "صباح أمس", D(2018, 4, 21), D(2018, 4, 21), 1),
    ("انفجرت عبوة مساء أمس", SUNDAY, "مساء أمس", D(2018, 4, 21), D(2018, 4, 21), 1),
    ("قصفت المدفعية القرية ظهر أمس", SUNDAY, "ظهر أمس", D(2018, 4, 21), D(2018, 4, 21), 1),
    ("دخلت القوات البلدة فجر اليوم", SUNDAY, "فجر اليوم", SUNDAY, SUNDAY, 1),
    ("وقعت اشتباكات يوم أمس الجمعة", FRIDAY, "يوم أمس الجمعة", D(2018, 4, 12), D(2018, 4, 12), 1),
    # a night is coded on the day it ends
    ("استهدفت الصواريخ المطار ليل أمس", THURSDAY, "ليل أمس", THURSDAY, THURSDAY, 1),
    ("شنت إسرائيل غارات الليلة الماضية", THURSDAY, "الليلة الماضية", THURSDAY, THURSDAY, 1),
    (
        "قصفت الطائرات المواقع ليل الأربعاء الخميس",
        THURSDAY,
        "ليل الأربعاء الخميس",
        THURSDAY,
        THURSDAY,
        1,
    ),
    (
        "وقع الهجوم ليل الثلاثاء - الأربعاء",
        THURSDAY,
        "ليل الثلاثاء - الأربعاء",
        D(2018, 5, 9),
        D(2018, 5, 9),
        1,
    ),
    # weekdays
    ("قتل مدنيان في قصف الجمعة", SUNDAY, "الجمعة", D(2018, 4, 20), D(2018, 4, 20), 1),
    ("قتل مدنيان في قصف يوم الجمعة", FRIDAY, "يوم الجمعة", FRIDAY, FRIDAY, 1),
    ("جرى تبادل للأسرى الجمعة الماضية", FRIDAY, "الجمعة الماضية", D(2018, 4, 6), D(2018, 4, 6), 1),
    ("وقع الانفجار الأحد الماضي", SUNDAY, "الأحد الماضي", D(2018, 4, 15), D(2018, 4, 15), 1),
    ("وسيطرت القوات على التلة والسبت", SUNDAY, "والسبت", D(2018, 4, 21), D(2018, 4, 21), 1),
    ("أعلن الجيش الإثنين سيطرته على القرية", SUNDAY, "الإثنين", D(2018, 4, 16), D(2018, 4, 16), 1),
    (
        "وقعت المواجهات الاربعاء الفائت",
        SUNDAY,
        "الاربعاء الفائت",
        D(2018, 4, 18),
        D(2018, 4, 18),
        1,
    ),
    ("تبدأ الهدنة الخميس المقبل", SUNDAY, "الخميس المقبل", D(2018, 4, 26), D(2018, 4, 26), 1),
    ("من المقرر أن تخرج الحافلات الثلاثاء", SUNDAY, "الثلاثاء", D(2018, 4, 24), D(2018, 4, 24), 1),
    (
        "قصفت الطائرات البلدة في وقت مبكر من صباح السبت",
        SUNDAY,
        "وقت مبكر من صباح السبت",
        D(2018, 4, 21),
        D(2018, 4, 21),
        1,
    ),
    ("قتل ثلاثة فجر الإثنین", D(2018, 10, 1), "فجر الإثنین", D(2018, 10, 1), D(2018, 10, 1), 1),
    # durations back from publication
    (
        "سيطر التنظيم على القرية منذ ثلاثة أيام",
        SUNDAY,
        "منذ ثلاثة أيام",
        D(2018, 4, 19),
        D(2018, 4, 19),
        1,
    ),
    ("وقع الهجوم قبل ثلاثة أيام", SUNDAY, "قبل ثلاثة أيام", D(2018, 4, 19), D(2018, 4, 19), 1),
    ("اغتيل القيادي قبل يومين", SUNDAY, "قبل يومين", D(2018, 4, 20), D(2018, 4, 20), 1),
    ("وقع الاتفاق قبل أسبوعين", SUNDAY, "قبل أسبوعين", D(2018, 4, 8), D(2018, 4, 8), 2),
    ("بدأ الهجوم قبل أيام", SUNDAY, "قبل أيام", D(2018, 4, 19), D(2018, 4, 19), 2),
    ("انسحبت القوات قبل نحو شهرين", SUNDAY, "قبل نحو شهرين", D(2018, 2, 21), D(2018, 2, 21), 3),
    ("تعرض الحي للقصف قبل ساعات", SUNDAY, "قبل ساعات", SUNDAY, SUNDAY, 1),
    # calendar periods
    (
        "شن الطيران هجوما كيميائيا الأسبوع الماضي",
        FRIDAY,
        "الأسبوع الماضي",
        D(2018, 4, 7),
        D(2018, 4, 1),
        2,
    ),
    ("قتل العشرات في الشهر الماضي", SUNDAY, "الشهر الماضي", D(2018, 3, 31), D(2018, 3, 1), 3),
    (
        "تم التوصل إلى الاتفاق مطلع الشهر الحالي",
        SUNDAY,
        "مطلع الشهر الحالي",
        D(2018, 4, 10),
        D(2018, 4, 1),
        3,
    ),
    (
        "استعاد الجيش المدينة في شهر آذار الماضي",
        SUNDAY,
        "شهر آذار الماضي",
        D(2018, 3, 31),
        D(2018, 3, 1),
        3,
    ),
    ("سقطت المدينة في أيلول 2015", SUNDAY, "أيلول 2015", D(2015, 9, 30), D(2015, 9, 1), 3),
    # absolute dates, standard and Levantine month names
    (
        "قصفت الطائرات الحي السبت 14 نيسان الجاري",
        SUNDAY,
        "السبت 14 نيسان الجاري",
        D(2018, 4, 14),
        D(2018, 4, 14),
        1,
    ),
    (
        "بدأت الحملة في 30 سبتمبر الماضي",
        D(2015, 10, 20),
        "30 سبتمبر الماضي",
        D(2015, 9, 30),
        D(2015, 9, 30),
        1,
    ),
    (
        "وقع الهجوم الكيميائي في 7 نيسان/أبريل",
        D(2018, 4, 28),
        "7 نيسان/أبريل",
        D(2018, 4, 7),
        D(2018, 4, 7),
        1,
    ),
    (
        "في الأول من تشرين الثاني/نوفمبر قتل ثلاثة مدنيين",
        D(2018, 6, 1),
        "الأول من تشرين الثاني/نوفمبر",
        D(2017, 11, 1),
        D(2017, 11, 1),
        1,
    ),
    (
        "وقعت المجزرة في الثالث عشر من نوفمبر",
        D(2015, 12, 1),
        "الثالث عشر من نوفمبر",
        D(2015, 11, 13),
        D(2015, 11, 13),
        1,
    ),
    (
        "انسحبت القوات في الحادي والعشرين من شباط",
        SUNDAY,
        "الحادي والعشرين من شباط",
        D(2018, 2, 21),
        D(2018, 2, 21),
        1,
    ),
    (
        "قصف المطار في ٣ كانون الثاني ٢٠١٦",
        SUNDAY,
        "٣ كانون الثاني ٢٠١٦",
        D(2016, 1, 3),
        D(2016, 1, 3),
        1,
    ),
    ("أعلنت الهدنة في 25 ديسمبر", D(2018, 1, 3), "25 ديسمبر", D(2017, 12, 25), D(2017, 12, 25), 1),
    ("تدخل الهدنة حيز التنفيذ في 24 أبريل", SUNDAY, "24 أبريل", D(2018, 4, 24), D(2018, 4, 24), 1),
    (
        "طلب هدنة بدءا من الثلاثاء الموافق 27 فبراير الحالي",
        D(2018, 2, 26),
        "بدءا من الثلاثاء الموافق 27 فبراير الحالي",
        D(2018, 2, 27),
        D(2018, 2, 27),
        1,
    ),
    ("وقع الانفجار يوم 30/9/2015", SUNDAY, "يوم 30/9/2015", D(2015, 9, 30), D(2015, 9, 30), 1),
    # Hijri
    (
        "وقعت المعركة في 12 رمضان 1439 هـ",
        SUNDAY,
        "12 رمضان 1439 ه",
        D(2018, 5, 27),
        D(2018, 5, 27),
        1,
    ),
    # ranges and windows
    (
        "شن الطيران 5240 طلعة منذ 30 سبتمبر حتى فجر أمس",
        D(2015, 12, 26),
        "منذ 30 سبتمبر حتى فجر أمس",
        D(2015, 12, 25),
        D(2015, 9, 30),
        3,
    ),
    (
        "قتل 40 شخصا من الأحد إلى الثلاثاء",
        D(2018, 4, 25),
        "من الأحد إلى الثلاثاء",
        D(2018, 4, 24),
        D(2018, 4, 22),
        2,
    ),
    (
        "قتل عشرة مدنيين خلال الأيام الثلاثة الماضية",
        SUNDAY,
        "خلال الأيام الثلاثة الماضية",
        SUNDAY,
        D(2018, 4, 19),
        2,
    ),
    ("تصاعد القصف في الأيام الأخيرة", SUNDAY, "في الأيام الأخيرة", SUNDAY, D(2018, 4, 15), 2),
    (
        "قتل 60 مدنيا خلال الـ24 ساعة الماضية",
        SUNDAY,
        "خلال الـ24 ساعة الماضية",
        D(2018, 4, 21),
        D(2018, 4, 21),
        1,
    ),
    (
        "قتل 2371 شخصا منذ 30 أيلول",
        D(2015, 12, 26),
        "منذ 30 أيلول",
        D(2015, 12, 26),
        D(2015, 9, 30),
        3,
    ),
    (
        # still under way when the article appeared: the publication day, started the day before
        "تشهد المحافظة هدوءا منذ مساء الأربعاء",
        THURSDAY,
        "منذ مساء الأربعاء",
        D(2018, 5, 10),
        D(2018, 5, 9),
        1,
    ),
]


@pytest.mark.parametrize(("text", "published", "span", "date", "start", "precision"), CASES)
def test_best_date(
    text: str, published: dt.date, span: str, date: dt.date, start: dt.date, precision: int
) -> None:
    mention = best_date(text, published)
    assert mention is not None
    assert (mention.text, mention.date, mention.date_start, mention.precision) == (
        span,
        date,
        start,
        precision,
    )
    assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    "text",
    [
        "قتل أحد القادة في الغارة",  # "أحد" without the article is "one of"
        "أصيب مدنيان اثنان",  # "اثنان" is a number, not Monday
        "نفذ الطيران 5240 طلعة جوية",
        "قتل 12 شخصا وأصيب 30 آخرون",
        "وصلت الحافلات في اليوم التالي",
        "تواصل القصف على المدينة لليوم التاسع على التوالي",  # a count of days, not today
        "اندلعت الحرب في عام 2011",
        "وقعت الاشتباكات بعد نحو ثلاثة أسابيع من دخول الجيش",
        "عاد الأب إلى منزله",  # "أب" folds like the month "آب"
        "للمرة الأولى منذ أكثر من ثلاثة أعوام",
        "استقبلت العائلة ابنها السبتي",
    ],
)
def test_no_date(text: str) -> None:
    assert find_dates(text, SUNDAY) == []


def test_offsets_with_base() -> None:
    text = "قتل ثلاثة مدنيين أمس وأصيب خمسة الخميس"
    mentions = find_dates(text, SUNDAY, base=500)
    assert [m.text for m in mentions] == ["أمس", "الخميس"]
    for mention in mentions:
        assert text[mention.start - 500 : mention.end - 500] == mention.text


def test_unresolved_without_publication() -> None:
    relative = find_dates("قصفت الطائرات البلدة أمس", None)
    assert [(m.text, m.date) for m in relative] == [("أمس", None)]
    absolute = find_dates("في 14 نيسان 2018", None)
    assert [(m.text, m.date) for m in absolute] == [("14 نيسان 2018", D(2018, 4, 14))]


def test_day_beats_week_in_one_sentence() -> None:
    text = "دخلت القوات المدينة أمس بعد غارات بدأت الأسبوع الماضي"
    mention = best_date(text, SUNDAY)
    assert mention is not None and mention.text == "أمس"


def _document(published: dt.datetime | None, paragraphs: list[list[str]]) -> Document:
    text_parts: list[str] = []
    sentences: list[Sentence] = []
    offset = 0
    for number, paragraph in enumerate(paragraphs):
        for sentence in paragraph:
            sentences.append(
                Sentence(len(sentences), offset, offset + len(sentence), sentence, number)
            )
            text_parts.append(sentence)
            offset += len(sentence) + 1
    text = " ".join(text_parts)
    article = InputArticle(id="t", text=text, published=published)
    doc = Document(article=article, input="test", text=text)
    doc.sentences = sentences
    return doc


def test_sentence_dates() -> None:
    published = dt.datetime(2018, 4, 22, 9, 0, tzinfo=dt.UTC)
    doc = _document(
        published,
        [
            ["دخلت القوات البلدة أمس بعد معارك عنيفة.", "وسيطرت على التلال المحيطة بها."],
            ["وأضاف المصدر أن الاشتباكات مستمرة."],
            ["من جهة أخرى، قصفت الطائرات مدينة دوما."],
            ["قتل خمسة مدنيين في قصف على الحي الشرقي."],
            ["وذكر المرصد أن الهجوم بدأ الأسبوع الماضي.", "وتواصل القصف على القرية."],
        ],
    )
    result = sentence_dates(doc)
    dates = [(m.date, m.precision, flags) for m, flags in result if m is not None]
    assert dates == [
        (D(2018, 4, 21), 1, []),
        (D(2018, 4, 21), 1, ["date_inherited"]),  # same paragraph
        (D(2018, 4, 21), 1, ["date_inherited"]),  # new line opening with "و"
        (D(2018, 4, 22), 1, ["date_from_publication"]),  # topic shift
        (D(2018, 4, 22), 1, ["date_from_publication"]),  # no conjunction, new paragraph
        (D(2018, 4, 21), 2, []),  # its own, coarser date: last week, Sunday 15 to Saturday 21
        (D(2018, 4, 22), 1, ["date_from_publication"]),  # a week is not carried over
    ]
    publication = result[3][0]
    assert publication is not None
    assert (publication.start, publication.end, publication.text, publication.precision) == (
        -1,
        -1,
        "",
        1,
    )
    inherited = result[1][0]
    assert inherited is not None and inherited.text == "أمس"


def test_sentence_dates_without_publication() -> None:
    doc = _document(None, [["قصفت الطائرات البلدة.", "قتل عشرة في 3 آذار 2018."]])
    result = sentence_dates(doc)
    assert result[0] == (None, ["date_unresolved"])
    mention, flags = result[1]
    assert mention is not None and mention.date == D(2018, 3, 3) and flags == []


def test_since_yesterday_is_still_under_way_on_the_publication_day() -> None:
    published = dt.date(2018, 7, 5)
    (mention,) = find_dates("تتعرض البلدة لقصف عنيف منذ أمس", published)
    assert mention.date == published
    assert mention.date_start == dt.date(2018, 7, 4)
    assert mention.precision == 1


def test_a_sentence_of_one_word_or_none_has_no_date() -> None:
    assert find_dates("", dt.date(2018, 5, 10)) == []
    assert find_dates("عاجل", dt.date(2018, 5, 10)) == []
    published = dt.datetime(2018, 4, 22, 9, 0, tzinfo=dt.UTC)
    doc = _document(published, [["قصفت الطائرات البلدة أمس.", "عاجل"]])
    first, second = sentence_dates(doc)
    assert first[0] is not None and first[0].date == dt.date(2018, 4, 21)
    assert second[0] is not None  # inherited or the publication day, never an error
