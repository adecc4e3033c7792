"""`waqai export`: ACLED's CSV layout and conventions, and native exports that round-trip."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline import export as export_module
from pipeline.cli import app
from pipeline.export import (
    ACLED_COLUMNS,
    ExportError,
    acled_event_id,
    acled_rows,
    country_fields,
    disorder_type,
    export,
    interaction,
    load,
    read_export,
)
from schemas.vocab import SUB_EVENT_PARENT
from tests.analyst_fixtures import HOSTILE_SENTENCE, write_fixture_dataset

# The columns the issue names; ACLED's own files have a few more, which the export also writes.
ISSUE_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "inter1", "actor2", "inter2", "interaction", "civilian_targeting",
    "iso", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "notes", "fatalities", "timestamp",
]  # fmt: skip


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    write_fixture_dataset(out, hostile=True)
    return out


def read_acled(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == ACLED_COLUMNS
        return {row["notes"]: row for row in reader}


def test_acled_export_round_trips_rows_ids_and_types(dataset: Path, tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    events = load(dataset).to_pylist()
    assert export(dataset, path, "acled") == len(events) == 12
    assert set(ISSUE_COLUMNS) <= set(ACLED_COLUMNS)
    rows = read_acled(path)
    assert len(rows) == len(events)
    ids = {row["event_id_cnty"] for row in rows.values()}
    assert len(ids) == len(events)
    for event in events:
        row = rows[event["sentence"]]
        assert row["event_id_cnty"] == acled_event_id(event["event_id"])
        assert row["event_type"] == event["event_type"]
        assert row["sub_event_type"] == event["sub_event_type"]
        assert row["fatalities"] == str(event["fatalities"])
    # what ACLED tooling does first: pandas with numeric columns that stay numeric
    frame = pd.read_csv(path)
    assert len(frame) == len(events)
    assert frame["iso"].eq(760).all() and frame["country"].eq("Syria").all()
    assert frame["region"].eq("Middle East").all()
    for column in ("year", "fatalities", "timestamp", "iso", "inter2"):
        assert pd.api.types.is_integer_dtype(frame[column]) or column == "year", column
    assert pd.api.types.is_float_dtype(frame["latitude"])
    assert frame["event_id_cnty"].str.fullmatch(r"SYR\d+").all()


def test_acled_conventions_for_actors_interaction_and_targeting(
    dataset: Path, tmp_path: Path
) -> None:
    path = tmp_path / "acled.csv"
    export(dataset, path, "acled")
    rows = read_acled(path)

    def row(start: str) -> dict[str, str]:
        (match,) = [r for notes, r in rows.items() if notes.startswith(start)]
        return match

    strike = row("شنت طائرات حربية غارات على بلدة حمورية")
    assert (strike["inter1"], strike["inter2"], strike["interaction"]) == ("8", "7", "78")
    assert strike["civilian_targeting"] == "Civilian targeting"
    assert strike["disorder_type"] == "Political violence"
    assert (strike["event_date"], strike["year"], strike["time_precision"]) == (
        "2018-03-05",
        "2018",
        "1",
    )
    published = dt.datetime(2018, 3, 6, 9, tzinfo=dt.UTC)
    assert strike["timestamp"] == str(int(published.timestamp()))
    assert (strike["admin1"], strike["location"], strike["latitude"]) == (
        "Rural Damascus",
        "Hamouriyeh",
        "33.5245",
    )
    clash = row("اشتبكت قوات الحكومة")
    assert (clash["inter1"], clash["inter2"], clash["interaction"]) == ("1", "2", "12")
    assert clash["civilian_targeting"] == ""
    assert clash["source"] == "وكالة الاختبار; SOHR"  # outlet, then who it cites
    shelling = row("سقطت قذائف مدفعية")  # state forces alone: ACLED's "sole" code
    assert (shelling["inter2"], shelling["interaction"]) == ("0", "10")
    assert shelling["civilian_targeting"] == "Civilian targeting"  # civilian victims
    assert shelling["tags"] == "alleged; date_inherited"
    protest = row("خرج متظاهرون")
    assert (protest["disorder_type"], protest["interaction"]) == ("Demonstrations", "60")
    agreement = row("توصل الطرفان")
    assert agreement["disorder_type"] == "Strategic developments"
    assert agreement["interaction"] == "28"
    abduction = row("خطف مسلحون")
    assert abduction["interaction"] == "37"
    assert abduction["civilian_targeting"] == "Civilian targeting"
    unknown = row("انفجرت عبوة ناسفة")  # no attacker named: no code is guessed
    assert (unknown["actor1"], unknown["inter1"], unknown["interaction"]) == ("", "", "")
    undated = row("وأفادت مصادر محلية")
    assert (undated["event_date"], undated["year"], undated["time_precision"]) == ("", "", "")
    assert undated["tags"] == "date_unresolved"
    hostile = rows[HOSTILE_SENTENCE]  # quotes and markup survive CSV quoting unchanged
    assert hostile["notes"] == HOSTILE_SENTENCE


def test_disorder_type_follows_acled_for_every_sub_event_type() -> None:
    values = {disorder_type(parent, sub) for sub, parent in SUB_EVENT_PARENT.items()}
    assert values == {
        "Political violence",
        "Demonstrations",
        "Strategic developments",
        "Political violence; Demonstrations",
    }
    assert disorder_type("Protests", "Excessive force against protesters") == (
        "Political violence; Demonstrations"
    )
    assert disorder_type("Riots", "Mob violence") == "Political violence"
    assert disorder_type("Riots", "Violent demonstration") == "Demonstrations"
    assert disorder_type("Protests", "Peaceful protest") == "Demonstrations"


def test_interaction_puts_the_smaller_code_first() -> None:
    assert interaction(7, 1, True) == 17
    assert interaction(2, 8, True) == 28
    assert interaction(2, 0, False) == 20
    assert interaction(3, None, True) is None  # actor2 of unknown type: no guess
    assert interaction(None, 1, True) is None


def test_event_id_cnty_is_stable_across_versions() -> None:
    # A pinned value: changing the derivation would renumber every exported event.
    assert acled_event_id("ev-001") == "SYR74162909507091"
    assert acled_event_id("ev-001", "LBN") == "LBN74162909507091"
    assert acled_event_id("ev-001", None) == acled_event_id("ev-001", "XXX")


def test_countries_get_acled_codes_names_and_regions() -> None:
    assert country_fields(None) == (760, "Syria", "Middle East")
    assert country_fields("SYR") == (760, "Syria", "Middle East")
    assert country_fields("LBN") == (422, "Lebanon", "Middle East")
    assert country_fields("PSE") == (275, "Palestine", "Middle East")
    assert country_fields("USA") == (840, "United States", None)
    assert country_fields("XXX") == (None, "XXX", None)
    assert acled_event_id("ev-001", "USA") == "USA74162909507091"


def test_two_events_sharing_an_acled_id_fail_the_export(
    dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "acled_event_number", lambda event_id: 7)
    with pytest.raises(ExportError, match="share SYR7"):
        list(acled_rows(load(dataset).to_pylist()))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_native_exports_round_trip(dataset: Path, tmp_path: Path, fmt: str) -> None:
    original = load(dataset)
    path = tmp_path / f"events.{fmt}"
    assert export(dataset, path, fmt) == original.num_rows
    back = read_export(path, fmt)
    assert back.schema.equals(original.schema)
    assert back.to_pylist() == original.to_pylist()  # rows, ids, types and values
    assert back.column("flags").to_pylist().count(["alleged", "date_inherited"]) == 1
    if fmt == "csv":
        frame = pd.read_csv(path)
        assert frame["event_id"].tolist() == original.column("event_id").to_pylist()
    elif fmt == "jsonl":
        frame = pd.read_json(path, lines=True)
        assert frame["sentence"].tolist() == original.column("sentence").to_pylist()
    else:
        query = f"select count(distinct event_id) from read_parquet('{path}')"
        count = duckdb.connect().execute(query).fetchone()
        assert count == (original.num_rows,)


def test_other_tables_export_and_exports_are_deterministic(dataset: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a1.jsonl", tmp_path / "a2.jsonl"
    export(dataset, first, "jsonl", table="articles")
    export(dataset, second, "jsonl", table="articles")
    assert first.read_bytes() == second.read_bytes()
    back = read_export(first, "jsonl", table="articles")
    assert back.to_pylist() == load(dataset, "articles").to_pylist()
    acled_a, acled_b = tmp_path / "x.csv", tmp_path / "y.csv"
    export(dataset, acled_a, "acled")
    export(dataset, acled_b, "acled")
    assert acled_a.read_bytes() == acled_b.read_bytes()


def test_cli_export_and_its_errors(dataset: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "acled.csv"
    done = runner.invoke(app, ["export", str(dataset), "--out", str(out), "--format", "acled"])
    assert done.exit_code == 0, done.output
    assert len(read_acled(out)) == 12
    bad = runner.invoke(app, ["export", str(dataset), "--out", str(out), "--format", "xml"])
    assert bad.exit_code == 2 and "unknown format" in bad.output
    wrong = runner.invoke(
        app, ["export", str(dataset), "--out", str(out), "--format", "acled", "--table", "articles"]
    )
    assert wrong.exit_code == 2 and "events only" in wrong.output
    empty = runner.invoke(app, ["export", str(tmp_path / "none"), "--out", str(out)])
    assert empty.exit_code == 2 and "no events table" in empty.output
