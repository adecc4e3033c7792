"""The one place where the Parquet/Arrow schema is derived from the pydantic models.

Every column's description goes into the Arrow field metadata under b"description", so that
`pyarrow.parquet.read_schema(path).field(name).metadata` documents the column wherever the file
travels.
"""

from __future__ import annotations

import datetime as dt
import json
import types
from typing import Any, Literal, Union, get_args, get_origin

import pyarrow as pa
from pydantic import BaseModel

from schemas.models import TABLES

SCHEMA_VERSION = "1.0"

# Hive partition columns; their values are directory names, hence strings ("unknown" allowed).
PARTITION_SCHEMA = pa.schema([("year", pa.string()), ("month", pa.string())])

_SCALARS: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.datetime: pa.timestamp("us", tz="UTC"),
    dt.date: pa.date32(),
}


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Optional/Annotated; return the inner type and whether None is allowed."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        inner, _ = _unwrap(args[0]) if len(args) == 1 else (annotation, False)
        return inner, True
    if hasattr(annotation, "__metadata__"):  # Annotated[...]
        return _unwrap(annotation.__origin__)
    return annotation, False


def arrow_type(annotation: Any) -> pa.DataType:
    """Arrow type of one pydantic field annotation."""
    inner, _ = _unwrap(annotation)
    origin = get_origin(inner)
    if origin is Literal:
        kinds = {type(v) for v in get_args(inner)}
        if kinds == {str}:
            return pa.string()
        if kinds == {int}:
            return pa.int64()
        raise TypeError(f"unsupported Literal {inner!r}")
    if origin is list:
        (item,) = get_args(inner)
        return pa.list_(arrow_type(item))
    if inner in _SCALARS:
        return _SCALARS[inner]
    raise TypeError(f"no Arrow type for {annotation!r}")


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """Arrow schema of a model: one field per pydantic field, in declaration order."""
    fields = []
    for name, info in model.model_fields.items():
        _, nullable = _unwrap(info.annotation)
        metadata = {b"description": (info.description or "").encode()}
        fields.append(pa.field(name, arrow_type(info.annotation), nullable, metadata))
    meta = {
        b"waqai.table": model.__name__.encode(),
        b"waqai.schema_version": SCHEMA_VERSION.encode(),
        b"waqai.json_schema": json.dumps(model.model_json_schema(), ensure_ascii=False).encode(),
    }
    return pa.schema(fields, metadata=meta)


SCHEMAS: dict[str, pa.Schema] = {name: arrow_schema(model) for name, model in TABLES.items()}


def to_table(name: str, rows: list[BaseModel]) -> pa.Table:
    """Arrow table of validated rows for one output table."""
    schema = SCHEMAS[name]
    columns: dict[str, list[Any]] = {f.name: [] for f in schema}
    for row in rows:
        for field_name in columns:
            columns[field_name].append(getattr(row, field_name))
    return pa.Table.from_pydict(columns, schema=schema)
