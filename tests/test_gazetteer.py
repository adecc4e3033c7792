"""Gazetteer: matching Arabic place names in news sentences and resolving them."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from pipeline.document import PlaceMention, Span
from pipeline.gazetteer import (
    ADMIN1_NAMES,
    Gazetteer,
    admin1_context,
    build_default,
    read_supplement,
)

OPEN_SYRIA = Path(__file__).resolve().parent.parent.parent / "shared" / "gazetteer" / "open-syria"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


def places(
    gazetteer: Gazetteer,
    text: str,
    base: int = 0,
    candidates: list[Span] | None = None,
    context_admin1: set[str] | None = None,
) -> list[PlaceMention]:
    """find_places, checking the offsets and that mentions never overlap."""
    mentions = gazetteer.find_places(text, base, candidates, context_admin1)
    for mention in mentions:
        assert text[mention.start - base : mention.end - base] == mention.text
    for left, right in itertools.pairwise(mentions):
        assert left.end <= right.start, "mentions overlap"
    return mentions


def names(mentions: list[PlaceMention]) -> list[str | None]:
    return [m.place.name if m.place else None for m in mentions]


def only(
    gazetteer: Gazetteer,
    text: str,
    candidates: list[Span] | None = None,
    context_admin1: set[str] | None = None,
) -> PlaceMention:
    mentions = places(gazetteer, text, candidates=candidates, context_admin1=context_admin1)
    assert len(mentions) == 1, [(m.text, m.place and m.place.name) for m in mentions]
    return mentions[0]


# ---------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    ("sentence", "written", "name"),
    [
        ("قصفت الطائرات مدينة إدلب صباح اليوم", "إدلب", "Idleb"),
        ("قصفت الطائرات مدينة ادلب صباح اليوم", "ادلب", "Idleb"),
        ("سقطت قذائف على أحياء حماه الشمالية", "حماه", "Hama"),
        ("غارات جوية على دُومَا فجر اليوم", "دُومَا", "Douma"),
        ("اشتباكات عنيفة في حلـــب القديمة", "حلـــب", "Aleppo"),
        ("دخلت القوات مدينة بصري الشام", "بصري الشام", "Busra al-Sham"),
        ("انفجار سيارة مفخخة في الرقه", "الرقه", "Ar-Raqqa"),
        ("قتلى بقصف على أعزاز", "أعزاز", "Azaz"),
        ("قتلى بقصف على اعزاز", "اعزاز", "Azaz"),
    ],
)
def test_spelling_variants_fold_to_one_place(
    gazetteer: Gazetteer, sentence: str, written: str, name: str
) -> None:
    mention = only(gazetteer, sentence)
    assert mention.text == written
    assert mention.place is not None and mention.place.name == name


def test_offsets_carry_the_sentence_base(gazetteer: Gazetteer) -> None:
    sentence = "وقصفت المدفعية بلدة كفربطنا ومدينة حرستا"
    mentions = places(gazetteer, sentence, base=1000)
    assert [m.text for m in mentions] == ["كفربطنا", "حرستا"]
    assert mentions[0].start == 1000 + sentence.index("كفربطنا")


# ---------------------------------------------------------------- clitics


@pytest.mark.parametrize(
    ("sentence", "written", "name"),
    [
        ("سقط صاروخ بدوما ظهر اليوم", "دوما", "Douma"),
        ("تقدمت القوات نحو عربين وحرستا", "حرستا", "Harasta"),
        ("وصلت التعزيزات لإدلب أمس", "إدلب", "Idleb"),
        ("فالمعارك مستمرة فحمص هادئة", "حمص", "Homs"),
        ("وبدير الزور اشتباكات متقطعة", "دير الزور", "Deir ez-Zor"),
    ],
)
def test_a_joined_clitic_is_not_part_of_the_mention(
    gazetteer: Gazetteer, sentence: str, written: str, name: str
) -> None:
    mention = [m for m in places(gazetteer, sentence) if m.text == written]
    assert mention and mention[0].place is not None and mention[0].place.name == name


def test_lam_and_article_keep_the_whole_word(gazetteer: Gazetteer) -> None:
    found = places(gazetteer, "أرسلت تعزيزات للرقة من الطبقة")
    assert [m.text for m in found] == ["للرقة", "الطبقة"]
    assert names(found) == ["Ar-Raqqa", "Al-Tabqa"]


def test_clitics_are_stripped_only_towards_a_gazetteer_name(gazetteer: Gazetteer) -> None:
    # وحدات، بعدها، كما، لدى: stripping و/ب/ك/ل gives no place name.
    assert places(gazetteer, "انسحبت وحدات الجيش بعدها كما أعلن لدى المصادر") == []


# ---------------------------------------------------------------- multi-word names


@pytest.mark.parametrize(
    ("sentence", "written", "admin1"),
    [
        ("غارات على خان شيخون جنوب إدلب", "خان شيخون", "Idleb"),
        ("قصف مطار دير الزور العسكري", "مطار دير الزور العسكري", "Deir-ez-Zor"),
        ("دخلت فصائل إلى رأس العين فجرا", "رأس العين", "Al-Hasakeh"),
        ("اشتباكات في بصرى الشام", "بصرى الشام", "Dar'a"),
    ],
)
def test_the_longest_name_wins(
    gazetteer: Gazetteer, sentence: str, written: str, admin1: str
) -> None:
    first = places(gazetteer, sentence)[0]
    assert first.text == written
    assert first.place is not None and first.place.admin1 == admin1


def test_countryside_with_a_direction_is_one_region(gazetteer: Gazetteer) -> None:
    mention = only(gazetteer, "قصف مدفعي على بلدات ريف حلب الشمالي")
    assert mention.text == "ريف حلب الشمالي"
    assert mention.place is not None and mention.place.kind == "region"
    assert mention.place.admin1 == "Aleppo"
    assert mention.geo_precision == 2


# ---------------------------------------------------------------- context and precision


@pytest.mark.parametrize(
    ("sentence", "written", "precision"),
    [
        ("قتل مدنيون في مدينة دوما", "دوما", 1),
        ("انفجار عبوة قرب مدينة حمص", "حمص", 2),
        ("اشتباكات على أطراف حرستا", "حرستا", 2),
        ("قصف في محيط مطار حماة العسكري", "مطار حماة العسكري", 2),
        ("غارات بالقرب من سراقب", "سراقب", 2),
        ("تقدمت القوات جنوب غرب مدينة تدمر", "تدمر", 2),
        ("قصف قرى في ريف منبج", "منبج", 2),
        ("معارك عنيفة في الغوطة الشرقية", "الغوطة الشرقية", 2),
        ("انتشار الجيش في محافظة القنيطرة", "القنيطرة", 3),
        ("الأمن يسيطر على كامل سوريا", "سوريا", 3),
    ],
)
def test_context_words_set_the_precision(
    gazetteer: Gazetteer, sentence: str, written: str, precision: int
) -> None:
    mention = only(gazetteer, sentence)
    assert mention.text == written
    assert mention.geo_precision == precision


def test_a_kind_word_picks_governorate_or_city(gazetteer: Gazetteer) -> None:
    governorate = only(gazetteer, "تصعيد عسكري في محافظة درعا")
    city = only(gazetteer, "تصعيد عسكري في مدينة درعا")
    bare = only(gazetteer, "تصعيد عسكري في درعا")
    assert governorate.place is not None and governorate.place.kind == "governorate"
    assert governorate.place.pcode == "SY12"
    assert city.place is not None and city.place.kind == "city"
    assert bare.place is not None and bare.place.kind == "city"
    assert {governorate.place.admin1, city.place.admin1} == {"Dar'a"}


def test_damascus_city_and_its_suburbs(gazetteer: Gazetteer) -> None:
    found = places(gazetteer, "قصف على دمشق وجيرود والضمير وضاحية الأسد")
    assert [m.place.admin1 if m.place else None for m in found] == [
        "Damascus",
        "Rural Damascus",
        "Rural Damascus",
        "Rural Damascus",
    ]


# ---------------------------------------------------------------- common words


@pytest.mark.parametrize(
    "sentence",
    [
        "هذا الاتفاق يفتح الباب أمام حل سياسي",
        "دعا إلى السلام والحرية للشعب",
        "أرسلت قوات سورية إلى الحدود",
        "قوات سوريا الديمقراطية تعلن النفير",
        "تحدث الشيخ في خطبة الجمعة",
        "على المدى القصير لا حلول",
    ],
)
def test_common_words_are_not_places(gazetteer: Gazetteer, sentence: str) -> None:
    kept = [m for m in places(gazetteer, sentence) if m.place and m.place.country == "SYR"]
    assert kept == [], [(m.text, m.place.name if m.place else None) for m in kept]


@pytest.mark.parametrize(
    ("sentence", "written"),
    [
        ("سيطرت القوات التركية على مدينة الباب", "الباب"),
        ("اشتباكات في الباب شرق حلب", "الباب"),
        ("غارات على أعزاز والباب ومنبج", "الباب"),
        ("لاجئون عادوا إلى سورية", "سورية"),
        ("دخل الجيش بلدة القصير", "القصير"),
    ],
)
def test_common_words_are_places_in_context(
    gazetteer: Gazetteer, sentence: str, written: str
) -> None:
    assert written in [m.text for m in places(gazetteer, sentence) if m.place is not None]


def test_a_ner_span_confirms_a_common_word(gazetteer: Gazetteer) -> None:
    sentence = "وصل الباب مئات النازحين"
    assert places(gazetteer, sentence) == []
    span = Span(sentence.index("الباب"), sentence.index("الباب") + 5, "الباب", "LOC")
    mention = only(gazetteer, sentence, candidates=[span])
    assert mention.place is not None and mention.place.name == "Al-Bab"


# ---------------------------------------------------------------- ambiguity


def test_a_shared_name_goes_to_the_more_populous_place(gazetteer: Gazetteer) -> None:
    suran = gazetteer.lookup("صوران")
    assert {p.admin1 for p in suran} >= {"Aleppo", "Hama"}
    mention = only(gazetteer, "اشتباكات في صوران")
    biggest = max(suran, key=lambda p: p.population)
    assert mention.place is not None and mention.place.admin1 == biggest.admin1


def test_a_governorate_named_nearby_decides(gazetteer: Gazetteer) -> None:
    found = places(gazetteer, "اشتباكات في صوران بريف حلب الشمالي")
    assert found[0].place is not None and found[0].place.admin1 == "Aleppo"


def test_the_article_governorates_decide(gazetteer: Gazetteer) -> None:
    mention = only(gazetteer, "اشتباكات في صوران", context_admin1={"Aleppo"})
    assert mention.place is not None and mention.place.admin1 == "Aleppo"
    other = only(gazetteer, "اشتباكات في صوران", context_admin1={"Hama"})
    assert other.place is not None and other.place.admin1 == "Hama"


def test_a_foreign_country_named_nearby_decides(gazetteer: Gazetteer) -> None:
    saida = [m for m in places(gazetteer, "قصف على بلدة صيدا شرق درعا") if m.text == "صيدا"]
    assert saida[0].place is not None and saida[0].place.admin1 == "Dar'a"
    lebanon = [m for m in places(gazetteer, "تظاهرة في لبنان وصيدا") if m.text == "صيدا"]
    assert lebanon[0].place is not None and lebanon[0].place.country == "LBN"


def test_admin1_context_collects_syrian_governorates(gazetteer: Gazetteer) -> None:
    mentions = places(gazetteer, "وصل وفد من بيروت إلى حمص ثم إلى دوما")
    assert admin1_context(mentions) == {"Homs", "Rural Damascus"}


# ---------------------------------------------------------------- outside Syria


@pytest.mark.parametrize(
    ("sentence", "country"),
    [
        ("عقد اجتماع في أنقرة", "TUR"),
        ("غارة إسرائيلية انطلقت من الأراضي اللبنانية", "LBN"),
        ("وصل اللاجئون إلى مخيم الزعتري", "JOR"),
        ("قصف قرب القائم على الحدود العراقية", "IRQ"),
        ("صواريخ أطلقت نحو إسرائيل", "ISR"),
    ],
)
def test_places_outside_syria_have_a_country_and_no_admin1(
    gazetteer: Gazetteer, sentence: str, country: str
) -> None:
    mention = places(gazetteer, sentence)[0]
    assert mention.place is not None
    assert mention.place.country == country
    assert mention.place.admin1 is None
    assert gazetteer.admin1_of(mention.place) is None


def test_the_golan_is_coded_as_quneitra(gazetteer: Gazetteer) -> None:
    mention = only(gazetteer, "غارات على مواقع في هضبة الجولان المحتل")
    assert mention.place is not None and mention.place.admin1 == "Quneitra"
    assert mention.place.country == "SYR"


# ---------------------------------------------------------------- unknown places


def test_an_unknown_ner_candidate_is_unresolved(gazetteer: Gazetteer) -> None:
    sentence = "تقدمت القوات نحو زرزيتا الجديدة"
    start = sentence.index("زرزيتا")
    span = Span(start, start + len("زرزيتا الجديدة"), "زرزيتا الجديدة", "LOC")
    mention = only(gazetteer, sentence, candidates=[span])
    assert mention.place is None and mention.text == "زرزيتا الجديدة"


def test_a_candidate_over_a_known_name_gives_one_mention(gazetteer: Gazetteer) -> None:
    sentence = "غارات على مدينة دوما"
    span = Span(sentence.index("مدينة"), len(sentence), "مدينة دوما", "LOC")
    mention = only(gazetteer, sentence, candidates=[span])
    assert mention.text == "دوما" and mention.place is not None


def test_unknown_villages_are_placed_in_the_area_named(gazetteer: Gazetteer) -> None:
    found = places(gazetteer, "صدت الفصائل هجوما على قرى زرزيتا وكفرمرجان في ريف حمص")
    villages = [m for m in found if m.text in ("زرزيتا", "كفرمرجان")]
    assert len(villages) == 2
    for village in villages:
        assert village.place is not None and village.place.admin1 == "Homs"
        assert village.place.latitude is not None
        assert village.geo_precision == 2


def test_an_unknown_village_without_an_area_stays_unresolved(gazetteer: Gazetteer) -> None:
    mention = only(gazetteer, "قصفت الطائرات قرية زرزيتا")
    assert mention.text == "زرزيتا" and mention.place is None


# ---------------------------------------------------------------- data and loaders


def test_supplement_rows_are_valid() -> None:
    rows = read_supplement()
    assert len(rows) >= 300
    for row in rows:
        assert row.admin1 is None or row.admin1 in ADMIN1_NAMES
        assert (row.admin1 is None) == (row.country != "SYR") or row.kind in ("country", "region")
        assert len(row.country) == 3


def test_every_place_has_coordinates_and_syrian_places_a_governorate(
    gazetteer: Gazetteer,
) -> None:
    assert len(gazetteer) > 700
    for place in gazetteer.places:
        assert place.latitude is not None and place.longitude is not None, place.name
        if place.country == "SYR" and place.kind not in ("country", "region"):
            assert place.admin1 in ADMIN1_NAMES, place.name
            assert 32.0 < place.latitude < 37.5 and 35.5 < place.longitude < 42.5, place.name


def test_build_is_deterministic() -> None:
    assert len(build_default()) == len(Gazetteer.default())


def test_matching_is_fast(gazetteer: Gazetteer) -> None:
    sentences = [
        "قال المرصد السوري إن الطائرات الحربية شنت غارات على مدينة دوما وبلدات عربين وزملكا",
        "وتقدمت القوات الحكومية نحو خان شيخون جنوب إدلب بعد معارك مع الفصائل",
        "أعلنت وزارة الدفاع الروسية أن الجيش السوري سيطر على عدة قرى في ريف حماة الشمالي",
        "وقالت مصادر محلية إن الاتفاق يقضي بخروج المقاتلين إلى الشمال السوري خلال أيام",
    ] * 50
    began = time.perf_counter()
    for sentence in sentences:
        gazetteer.find_places(sentence)
    assert (time.perf_counter() - began) / len(sentences) < 0.001


@pytest.mark.skipif(not OPEN_SYRIA.is_dir(), reason="OpenSyria directory not available")
def test_open_syria_adds_admin_units_and_pcodes(gazetteer: Gazetteer) -> None:
    loaded = Gazetteer.load(OPEN_SYRIA)
    assert len(loaded) > len(gazetteer) + 300  # 62 districts and 272 subdistricts
    district = only(loaded, "قصف على منطقة جبل سمعان")
    assert district.place is not None and district.place.kind == "district"
    assert district.place.pcode == "SY0200"
    governorate = only(loaded, "في محافظة الحسكة")
    assert governorate.place is not None and governorate.place.pcode == "SY08"
    douma = only(loaded, "غارات على دوما")
    assert douma.place is not None
    assert douma.place.admin2 == "Douma" and douma.place.admin3 is not None
    # The default gazetteer's places are not changed by loading.
    assert only(gazetteer, "غارات على دوما").place is not douma.place


def test_a_directory_without_a_gazetteer_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Gazetteer.load(tmp_path)
