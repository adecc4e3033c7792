"""The CLI on the sample articles, and the dataset contract as notebooks read it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from pipeline.writer import read_table
from schemas.arrow import SCHEMAS
from tests.conftest import SAMPLES

pytestmark = pytest.mark.stanza


def test_every_event_has_exact_evidence_offsets(samples_dataset: Path) -> None:
    events = read_table(samples_dataset, "events").to_pylist()
    articles = {a["article_id"]: a for a in read_table(samples_dataset, "articles").to_pylist()}
    assert events
    for event in events:
        text = articles[event["article_id"]]["text"]
        assert text[event["char_start"] : event["char_end"]] == event["sentence"]
        assert event["action"] in event["sentence"]
        if event["location_text"]:
            assert event["location_text"] in event["sentence"]


def test_samples_give_the_events_an_analyst_would_code(samples_dataset: Path) -> None:
    events = read_table(samples_dataset, "events").to_pylist()
    found = {(e["article_id"], e["sub_event_type"], e["location_text"]) for e in events}
    assert ("sample-001", "Air/drone strike", "حمورية") in found
    assert ("sample-001", "Air/drone strike", "سقبا") in found
    assert ("sample-001", "Shelling/artillery/missile attack", "خان شيخون") in found
    assert ("sample-002", "Armed clash", "اللطامنة") in found
    assert ("sample-004", "Remote explosive/landmine/IED", "إعزاز") in found
    strikes = [
        e
        for e in events
        if e["article_id"] == "sample-001" and e["sub_event_type"] == "Air/drone strike"
    ]
    assert len(strikes) == 2  # two towns struck: two events
    assert all(e["actor1"] == "Military Forces of Russia" for e in strikes)
    assert all(str(e["event_date"]) == "2018-03-09" for e in strikes)
    assert all(e["reported_by"] == "SOHR" for e in strikes)
    assert {e["admin1"] for e in strikes} == {"Rural Damascus"}
    # plans and negated clashes are not events
    assert not any(e["article_id"] == "sample-001" and "قافلة" in e["sentence"] for e in events)
    assert not any("لم تسجل" in e["sentence"] for e in events)


def test_bad_inputs_end_in_the_rejects_table(samples_dataset: Path) -> None:
    rejects = read_table(samples_dataset, "rejects").to_pylist()
    codes = sorted(r["reason_code"] for r in rejects)
    assert codes == ["bad_date", "broken_json", "empty", "html", "missing_field", "not_arabic"]
    articles = read_table(samples_dataset, "articles").to_pylist()
    # nothing is lost: every record of the inputs is an article or a reject
    assert len(articles) + len(rejects) == 6 + 1 + 6


def test_hive_partitions_and_atomic_files(samples_dataset: Path) -> None:
    files = sorted(p.relative_to(samples_dataset) for p in samples_dataset.rglob("*.parquet"))
    assert any(str(f).startswith("events/year=2018/month=03/") for f in files)
    assert any(str(f).startswith("rejects/year=unknown/month=unknown/") for f in files)
    assert not list(samples_dataset.rglob("*.tmp"))
    schema = pq.read_schema(next(samples_dataset.glob("events/year=*/month=*/*.parquet")))
    assert schema.field("killed_low").metadata[b"description"]
    assert schema.remove_metadata().equals(SCHEMAS["events"].remove_metadata())


def test_notebook_readers_agree(samples_dataset: Path) -> None:
    events = samples_dataset / "events"
    n = ds.dataset(events, format="parquet", partitioning="hive").count_rows()
    con = duckdb.connect()
    rows = con.execute(
        f"select count(*), count(distinct event_id), min(year) "
        f"from read_parquet('{events}/**/*.parquet', hive_partitioning=true)"
    ).fetchone()
    assert rows is not None and rows[0] == n and rows[1] == n and rows[2] == "2018"
    frame = pd.read_parquet(events)
    assert len(frame) == n and frame["published"].dt.tz is not None
    assert pl.read_parquet(f"{events}/**/*.parquet").height == n


def test_cli_extract_and_eval(tmp_path: Path, models_dir: Path) -> None:
    out = tmp_path / "out"
    waqai = [sys.executable, "-m", "pipeline.cli"]
    command = [*waqai, "extract", str(SAMPLES / "articles.jsonl"), "--out", str(out)]
    done = subprocess.run([*command, "--models", str(models_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "events" in done.stdout
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 2 and "--overwrite" in again.stderr
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "article_id": "sample-002",
                "evidence": "دارت اشتباكات عنيفة يوم الخميس",
                "event_type": "Battles",
                "sub_event_type": "Armed clash",
                "location": {"text": "اللطامنة", "name": "Latamneh", "admin1": "Hama"},
                "date": "2018-04-12",
                "required": True,
            },
            ensure_ascii=False,
        )
        + "\n",
        "utf-8",
    )
    scored = subprocess.run(
        [*waqai, "eval", str(out), "--gold", str(gold), "--articles",
         str(SAMPLES / "articles.jsonl"), "--json"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    scores = json.loads(scored.stdout)
    assert scores["recall"] == 1.0
    assert scores["fields"]["date"]["accuracy"] == 1.0


def test_missing_models_give_one_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", str(SAMPLES), "--out",
         str(tmp_path / "o"), "--models", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 2
    assert "waqai models download" in done.stderr and "WAQAI_STANZA_DIR" in done.stderr
