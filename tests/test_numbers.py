"""Arabic number words, digits and hedged quantities."""

from __future__ import annotations

import pytest

from pipeline.numbers import parse_number, read_ordinal, read_quantity, tokenize


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("ثلاثة آلاف", 3000),
        ("4 آلاف", 4000),
        ("مئتين", 200),
        ("١٢", 12),
        ("۱۵", 15),
        ("عشرة", 10),
        ("عشر", 10),
        ("ثلاث", 3),
        ("ثمانية", 8),
        ("ثماني", 8),
        ("ثلاثة عشر", 13),
        ("ثلاث عشرة", 13),
        ("أحد عشر", 11),
        ("اثنا عشر", 12),
        ("اثني عشر", 12),
        ("عشرين", 20),
        ("عشرون", 20),
        ("خمسة وعشرين", 25),
        ("خمسة و عشرين", 25),
        ("واحد وعشرين", 21),
        ("تسعة وتسعون", 99),
        ("مئة", 100),
        ("مائة", 100),
        ("مائتان", 200),
        ("ثلاثمئة", 300),
        ("ثلاث مئة", 300),
        ("خمسمائة وخمسون", 550),
        ("مئة وعشرين", 120),
        ("ألف", 1000),
        ("ألفين", 2000),
        ("ألف ومئتان", 1200),
        ("عشرة آلاف", 10000),
        ("أحد عشر ألفا", 11000),
        ("مئتي ألف", 200000),
        ("ثلاثمئة وخمسون ألفا", 350000),
        ("سبعة آلاف وخمسمئة", 7500),
        ("50 ألفا", 50000),
        ("ستة آلاف و259", 6259),
        ("1,200", 1200),
        ("١٬٢٠٠", 1200),
        ("1.5 مليون", 1500000),
        ("ثَلاثَةُ آلافٍ", 3000),
    ],
)
def test_parse_number(words: str, value: int) -> None:
    assert parse_number(words) == value


@pytest.mark.parametrize(
    "words",
    ["", "عشرات", "آلاف", "مدنيين", "ثلاثة وأربعة", "الأحد", "قتل ثلاثة"],
)
def test_not_one_number(words: str) -> None:
    assert parse_number(words) is None


def _quantity(text: str) -> tuple[int, int | None, bool] | None:
    words = [token.text for token in tokenize(text)]
    quantity = read_quantity(words, 0)
    return None if quantity is None else (quantity.low, quantity.high, quantity.vague)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 شخصا", (20, 20, False)),
        ("أكثر من 20", (21, None, False)),
        ("ما يزيد عن عشرين", (21, None, False)),
        ("نحو 20", (18, 22, False)),
        ("حوالي 100", (90, 110, False)),
        ("قرابة خمسة", (4, 6, False)),
        ("ما لا يقل عن 34", (34, None, False)),
        ("20 على الأقل", (20, None, False)),
        ("بين 10 و15", (10, 15, False)),
        ("ما بين 10 و 15", (10, 15, False)),
        ("من عشرة إلى خمسة عشر", (10, 15, False)),
        ("عشرات", (20, 99, True)),
        ("العشرات", (20, 99, True)),
        ("مئات", (200, 999, True)),
        ("عشرات الآلاف", (20000, 99999, True)),
        ("بضعة", (3, 9, True)),
        ("عدد من", (1, None, True)),
        ("عدداً من", (1, None, True)),
        ("أقل من 10", (1, 9, False)),
    ],
)
def test_read_quantity(text: str, expected: tuple[int, int | None, bool]) -> None:
    assert _quantity(text) == expected


def test_two_counts_are_not_a_range() -> None:
    assert _quantity("3 و5 آخرين") == (3, 3, False)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("الأول من", 1),
        ("الثالث عشر من", 13),
        ("الحادي والعشرين", 21),
        ("العشرين", 20),
        ("الحادي والثلاثين", 31),
    ],
)
def test_read_ordinal(text: str, value: int) -> None:
    read = read_ordinal([token.text for token in tokenize(text)], 0)
    assert read is not None and read[0] == value


def test_tokenize_keeps_offsets() -> None:
    text = "قُتِل ١٢ شخصاً"
    for token in tokenize(text, base=100):
        assert text[token.start - 100 : token.end - 100]
    assert [t.text for t in tokenize(text)] == ["قتل", "12", "شخصا"]
