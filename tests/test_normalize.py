from pipeline.normalize import Folded, clean_text, fold


def test_fold_removes_diacritics_tatweel_and_unifies_letters() -> None:
    assert fold("غَارَةٌ") == "غاره"
    assert fold("الـطـيران") == "الطيران"
    assert fold("إدلب") == fold("ادلب") == "ادلب"
    assert fold("آذار") == "اذار"
    assert fold("مستشفى") == "مستشفي"
    assert fold("١٢ قتيلا") == "12 قتيلا"


def test_folded_offsets_map_back_to_the_original() -> None:
    text = "قُتِلَ مدنيٌّ في إدلبَ"
    folded = Folded.of(text, base=100)
    position = folded.text.index("ادلب")
    start, end = folded.span(position, position + len("ادلب"))
    assert text[start - 100 : end - 100].startswith("إدلب")


def test_clean_text_keeps_paragraphs_and_drops_invisible_characters() -> None:
    raw = "سطر\u200f أول\r\n\r\n\r\n\u00a0سطر   ثان  "
    assert clean_text(raw) == "سطر أول\n\nسطر ثان"
