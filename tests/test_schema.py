"""The Parquet contract: column names, types and descriptions derived from the models."""

import datetime as dt

import pyarrow as pa
import pytest
from pydantic import ValidationError

from schemas import Event
from schemas.arrow import SCHEMAS, to_table

EVENT_COLUMNS = [
    "event_id", "article_id", "source", "url", "published", "event_type", "sub_event_type",
    "action", "actor1", "actor1_text", "actor1_type", "actor2", "actor2_text", "actor2_type",
    "location", "location_text", "admin1", "admin2", "admin3", "country", "latitude",
    "longitude", "geo_precision", "event_date", "date_text", "date_precision", "killed_low",
    "killed_high", "injured_low", "injured_high", "fatalities", "civilian_victims",
    "reported_by", "sentence", "char_start", "char_end", "confidence", "cluster_id",
    "pipeline_version", "run_id",
]  # fmt: skip


def make_event(**changes: object) -> Event:
    fields: dict[str, object] = {
        "event_id": "ev-1",
        "article_id": "a1",
        "published": dt.datetime(2018, 3, 1, 9, tzinfo=dt.UTC),
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "action": "غارات",
        "sentence": "شنت الطائرات غارات على دوما.",
        "char_start": 0,
        "char_end": 29,
        "confidence": 0.8,
        "cluster_id": "ev-1",
        "pipeline_version": "0.1.0",
        "run_id": "r1",
    }
    fields.update(changes)
    return Event.model_validate(fields)


def test_events_schema_has_every_contract_column_with_its_type() -> None:
    schema = SCHEMAS["events"]
    assert set(EVENT_COLUMNS) <= set(schema.names)
    assert schema.field("published").type == pa.timestamp("us", tz="UTC")
    assert schema.field("event_date").type == pa.date32()
    for name in ("killed_low", "killed_high", "injured_low", "injured_high", "char_start"):
        assert pa.types.is_integer(schema.field(name).type)
    assert schema.field("latitude").type == pa.float64()
    assert schema.field("civilian_victims").type == pa.bool_()
    assert schema.field("flags").type == pa.list_(pa.string())
    assert not schema.field("event_id").nullable
    assert schema.field("killed_low").nullable


def test_every_column_carries_its_description() -> None:
    for table, schema in SCHEMAS.items():
        for field in schema:
            assert field.metadata and field.metadata[b"description"], (table, field.name)
    assert SCHEMAS["articles"].names[:5] == ["article_id", "source", "url", "title", "published"]
    assert {"input", "line", "article_id", "reason", "snippet", "run_id"} <= set(
        SCHEMAS["rejects"].names
    )


def test_rows_convert_to_arrow_with_the_declared_schema() -> None:
    table = to_table("events", [make_event(killed_low=3, killed_high=3, flags=["alleged"])])
    assert table.schema.equals(SCHEMAS["events"], check_metadata=True)
    assert table.column("killed_low").to_pylist() == [3]


@pytest.mark.parametrize(
    "changes",
    [
        {"sub_event_type": "Armed clash"},  # not a kind of Explosions/Remote violence
        {"killed_low": 5, "killed_high": 2},
        {"killed_high": 2},
        {"latitude": 33.5},
        {"geo_precision": 4},
        {"admin1": "Damascus Countryside"},
        {"published": dt.datetime(2018, 3, 1)},
        {"char_start": 10, "char_end": 5},
    ],
)
def test_invalid_events_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        make_event(**changes)


def test_schema_doc_is_generated_from_the_models() -> None:
    from schemas.docs import DOC, render

    assert DOC.read_text(encoding="utf-8") == render(), "run `python -m schemas.docs`"
