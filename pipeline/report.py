"""Render a dataset as one self-contained HTML page: map, timeline, tolls, actors, events table.

The page works offline: its CSS and JavaScript (pipeline/report_assets/) are inlined, the map
and charts are inline SVG drawn by that script, and nothing is fetched. Article text, titles and
URLs are untrusted, so the data travels as JSON inside `<script type="application/json">` with
`<`, `>`, `&`, U+2028 and U+2029 escaped, the script builds the DOM with `textContent` only,
only http(s) URLs become links, and a Content-Security-Policy allows no script or style but the
page's own (by hash). docs/report.md describes the page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline import __version__
from pipeline.writer import read_table
from schemas.vocab import ADMIN1_NAMES, EVENT_TYPES

# A rough outline of Syria (longitude, latitude), clockwise from the Turkish border on the coast:
# enough to situate the points, not a boundary of record.
SYRIA_OUTLINE: tuple[tuple[float, float], ...] = (
    (35.92, 35.93), (36.17, 35.84), (36.38, 36.02), (36.52, 36.21), (36.67, 36.24),
    (36.57, 36.52), (36.66, 36.83), (37.08, 36.63), (37.55, 36.70), (38.01, 36.84),
    (38.55, 36.80), (38.95, 36.70), (39.50, 36.72), (40.07, 36.85), (40.93, 37.10),
    (41.22, 37.07), (41.80, 37.10), (42.14, 37.18), (42.36, 37.11), (42.06, 36.81),
    (41.40, 36.42), (41.30, 35.62), (41.22, 34.90), (40.98, 34.43), (38.79, 33.37),
    (37.40, 32.85), (36.84, 32.31), (36.40, 32.38), (35.95, 32.66), (35.64, 32.70),
    (35.62, 33.00), (35.65, 33.25), (35.80, 33.33), (35.86, 33.43), (36.05, 33.60),
    (36.28, 33.85), (36.42, 34.05), (36.62, 34.22), (36.45, 34.50), (36.35, 34.62),
    (35.97, 34.64), (35.87, 34.89), (35.93, 35.18), (35.92, 35.36), (35.76, 35.52),
    (35.83, 35.85),
)  # fmt: skip

# Where each governorate's name is written on the map (longitude, latitude).
GOVERNORATE_LABELS: dict[str, tuple[float, float]] = {
    "Damascus": (36.29, 33.51),
    "Rural Damascus": (37.05, 33.35),
    "Aleppo": (37.45, 36.25),
    "Idleb": (36.55, 35.80),
    "Hama": (37.00, 35.15),
    "Homs": (37.90, 34.55),
    "Dar'a": (36.10, 32.78),
    "As-Sweida": (36.75, 32.62),
    "Quneitra": (35.78, 33.10),
    "Lattakia": (35.98, 35.60),
    "Tartous": (36.02, 34.92),
    "Ar-Raqqa": (38.80, 35.95),
    "Deir-ez-Zor": (40.20, 35.00),
    "Al-Hasakeh": (40.80, 36.50),
}

TEMPLATE = "report.html"
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


class ReportError(ValueError):
    """The dataset cannot be rendered as asked."""


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) address, else None: nothing else becomes a link."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 0x21 or c in "\"'<>`\\" for c in url):
        return None
    return url


def embed_json(value: Any) -> str:
    """JSON that can stand inside a <script> element: it cannot close the element or the page."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def report_events(out_dir: Path) -> list[dict[str, Any]]:
    """The events as the page uses them, newest first, with their article's title."""
    if not (out_dir / "events").is_dir():
        raise ReportError(f"{out_dir} holds no events table")
    titles = {a["article_id"]: a["title"] for a in read_table(out_dir, "articles").to_pylist()}
    rows: list[dict[str, Any]] = []
    for event in read_table(out_dir, "events").to_pylist():
        rows.append(
            {
                "id": event["event_id"],
                "article": event["article_id"],
                "date": _iso(event["event_date"]),
                "published": _iso(event["published"]),
                "type": event["event_type"],
                "sub": event["sub_event_type"],
                "actor1": event["actor1"],
                "actor2": event["actor2"],
                "admin1": event["admin1"],
                "location": event["location"] or event["location_text"],
                "lat": event["latitude"],
                "lon": event["longitude"],
                "killed": event["fatalities"] or 0,
                "injured": event["injured_low"] or 0,
                "sentence": event["sentence"],
                "source": event["source"],
                "title": titles.get(event["article_id"]),
                "url": safe_url(event["url"]),
                "flags": event["flags"] or [],
            }
        )
    rows.sort(key=lambda r: (r["date"] or "", r["id"]), reverse=True)
    return rows


def report_data(out_dir: Path, title: str) -> dict[str, Any]:
    """Everything the page shows, as one JSON-ready value."""
    events = report_events(out_dir)
    return {
        "title": title,
        "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "version": __version__,
        "event_types": list(EVENT_TYPES),
        "governorates": list(ADMIN1_NAMES),
        "outline": [list(point) for point in SYRIA_OUTLINE],
        "labels": {name: list(point) for name, point in GOVERNORATE_LABELS.items()},
        "events": events,
    }


def _asset(name: str) -> str:
    return resources.files("pipeline").joinpath("report_assets", name).read_text("utf-8")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def render(data: dict[str, Any]) -> str:
    """The page: the template with its CSS, script, data and policy filled in, in one pass."""
    css, script = _asset("report.css"), _asset("report.js")
    policy = (
        "default-src 'none'; "
        f"script-src {_csp_hash(script)}; style-src {_csp_hash(css)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    values = {
        "TITLE": html.escape(data["title"]),
        "CSP": html.escape(policy, quote=False),  # no quote can occur in it
        "CSS": css,
        "SCRIPT": script,
        "DATA": embed_json(data),
    }
    # One pass: text put in by one placeholder is never searched for another.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _asset(TEMPLATE))


def write_report(out_dir: Path, path: Path, title: str | None = None) -> int:
    """Write the report of the dataset in `out_dir` to `path`; returns the number of events."""
    data = report_data(out_dir, title or f"waqai events: {out_dir.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data), encoding="utf-8")
    return len(data["events"])
