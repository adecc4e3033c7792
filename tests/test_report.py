"""`waqai report`: a self-contained page that renders, filters, and never runs article content.

The browser tests drive Debian's Chromium (`make test` installs it when missing and the user is
root) through Playwright's Python package, with no downloaded browser. Without Chromium they are
skipped with the reason, except on CI (CI=true), where they fail instead.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.report import embed_json, render, report_data, safe_url, write_report
from tests.analyst_fixtures import HOSTILE_SENTENCE, HOSTILE_TITLE, write_fixture_dataset

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    write_fixture_dataset(out, hostile=True)
    return out


@pytest.fixture(scope="module")
def page_file(dataset: Path) -> Path:
    path = dataset.parent / "report.html"
    assert write_report(dataset, path, title="Fixture <report>") == 12
    return path


# ---- the page as text ----


def test_embedded_json_cannot_close_its_script_element() -> None:
    value = {"s": "</script><script>x()</script> & \u2028\u2029 <!--"}
    text = embed_json(value)
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//example.org/x", None),
        ('https://example.org/"onmouseover="x', None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_urls_become_links(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_page_is_self_contained_and_escapes_untrusted_text(page_file: Path) -> None:
    page = page_file.read_text("utf-8")
    assert page.count("<script") == 2  # the JSON data and the page's own script
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert HOSTILE_SENTENCE not in page and HOSTILE_TITLE not in page
    assert "Fixture &lt;report&gt;" in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy and "default-src 'none'" in policy.group(1)
    assert "'unsafe-inline'" not in policy.group(1)


def test_report_data_keeps_every_event_and_drops_unsafe_urls(dataset: Path) -> None:
    data = report_data(dataset, "t")
    events = data["events"]
    assert len(events) == 12
    hostile = [e for e in events if e["sentence"] == HOSTILE_SENTENCE]
    assert hostile and hostile[0]["url"] is None and hostile[0]["title"] == HOSTILE_TITLE
    assert [e["date"] for e in events if e["date"]] == sorted(
        (e["date"] for e in events if e["date"]), reverse=True
    )
    assert set(data["labels"]) == set(data["governorates"])
    assert render(data).count(HOSTILE_SENTENCE[:20]) == 0


def test_cli_report(dataset: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "page.html"
    done = runner.invoke(app, ["report", str(dataset), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text("utf-8").startswith("<!doctype html>")
    missing = runner.invoke(app, ["report", str(tmp_path / "none"), "--out", str(out)])
    assert missing.exit_code == 2 and "no events table" in missing.output


# ---- the page in Chromium ----


def chromium() -> str:
    """Debian's Chromium, or a skip (a failure on CI) saying why there is none."""
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )
    if path:
        return path
    reason = "Chromium is not installed (`make test` installs Debian's chromium as root)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class Browser:
    """One page of the report in headless Chromium, with what it logged and requested."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())

    def rows(self) -> list[str]:
        rows = self.page.locator("#events-table tbody tr")
        return [str(rows.nth(i).get_attribute("data-type")) for i in range(rows.count())]

    def reset(self) -> None:
        self.page.click("#filter-reset")


@pytest.fixture(scope="module")
def browser(page_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 1000},
        )
        try:
            browser = Browser(context.new_page())
            browser.page.goto(page_file.as_uri())
            browser.page.wait_for_selector("#events-table tbody tr")
            yield browser
        finally:
            context.close()


def non_white_share(png: bytes) -> float:
    from PIL import Image

    histogram = Image.open(io.BytesIO(png)).convert("L").histogram()
    return sum(histogram[:250]) / sum(histogram)


def distinct_colours(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    return len([c for c in image.getcolors() or [] if c[0] > 20])


def test_page_loads_offline_without_console_errors(browser: Browser) -> None:
    assert browser.errors == []
    assert all(url.startswith(("file:", "data:")) for url in browser.requests), browser.requests
    assert browser.page.title() == "Fixture <report>"


def test_map_and_charts_render(browser: Browser) -> None:
    assert browser.count("#map circle.point") == 11  # the undated event has no coordinates
    assert browser.count("#map polygon.country") == 1
    assert browser.count("#timeline rect") >= 5
    assert browser.count("#tolls rect") >= 6
    assert browser.count("#actors rect") == 8
    for selector in ("#map", "#timeline", "#tolls", "#actors"):
        png = browser.page.locator(selector).screenshot()
        assert non_white_share(png) > 0.02, selector
    assert distinct_colours(browser.page.locator("#map").screenshot()) >= 4


def test_evidence_is_right_to_left_arabic_with_its_source_link(browser: Browser) -> None:
    cells = browser.page.locator("#events-table td.evidence")
    assert cells.count() == 12
    for i in range(cells.count()):
        cell = cells.nth(i)
        assert cell.get_attribute("dir") == "rtl" and cell.get_attribute("lang") == "ar"
        assert cell.evaluate("c => getComputedStyle(c).direction") == "rtl"
    links = browser.page.locator("#events-table a")
    assert links.count() == 11  # every event but the hostile one, whose URL is javascript:
    assert links.first.get_attribute("href") == "https://example.org/news/a5"
    assert browser.page.get_attribute("#events-table a", "rel") == "noopener noreferrer"


def test_hostile_article_content_is_shown_as_text_and_never_runs(browser: Browser) -> None:
    page = browser.page
    assert page.evaluate("() => window.__pwned") is None
    assert page.title() != "pwned"
    assert page.locator("#events-table img, #events-table script").count() == 0
    assert page.locator("a[href^='javascript' i]").count() == 0
    hostile = page.locator("#events-table td.evidence", has_text="window.__pwned")
    assert hostile.inner_text().strip() == HOSTILE_SENTENCE.strip()
    assert page.locator("#events-table td span", has_text="onerror=").count() == 1  # the title


def test_filters_change_the_table_and_the_charts(browser: Browser) -> None:
    page = browser.page
    assert len(browser.rows()) == 12
    page.select_option("#filter-type", "Battles")
    assert browser.rows() == ["Battles", "Battles"]
    assert browser.count("#map circle.point") == 2
    browser.reset()
    page.select_option("#filter-admin1", "Idleb")
    assert len(browser.rows()) == 3
    browser.reset()
    page.fill("#filter-from", "2018-03-20")
    assert len(browser.rows()) == 4  # 21, 22, 28 March and 2 April
    assert "4 of 12" in page.inner_text("#filter-count")
    browser.reset()
    page.locator("#map circle.point").first.click()  # a point filters on its governorate
    assert page.input_value("#filter-admin1") != ""
    assert len(browser.rows()) < 12
    browser.reset()
    assert len(browser.rows()) == 12
    assert browser.errors == []
