import pytest

from pipeline.screen import screen


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("Russian jets struck Saraqib on Monday, activists said.", "not_arabic"),
        ("<html><body><p>قصف على سراقب</p><p>قتلى</p></body></html>", "html"),
        ("قصف" + "\x00\x01\x02" * 20, "binary"),
        ("قصف " * 40_000, "oversize"),
    ],
)
def test_bad_content_is_refused_with_its_reason(text: str, code: str) -> None:
    verdict = screen(text)
    assert verdict is not None
    assert verdict.code == code
    assert verdict.reason


def test_arabic_news_with_a_few_latin_words_passes() -> None:
    assert screen("قالت وكالة AFP إن غارات استهدفت مدينة دوما أمس.") is None
