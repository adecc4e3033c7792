"""Last stage: write validated rows as hive-partitioned Parquet datasets.

Layout: DIR/<table>/year=YYYY/month=MM/part-<run_id>-<seq>.parquet, partitioned by the
article's publication month (year=unknown/month=unknown when there is none). A file appears
atomically: it is written under a hidden temporary name in the same directory and renamed, so a
reader (or a run killed half-way) never sees a partial file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from pydantic import BaseModel

from schemas.arrow import PARTITION_SCHEMA, SCHEMAS, to_table

UNKNOWN = "unknown"
TABLE_NAMES = tuple(SCHEMAS)


def partition_of(published: dt.datetime | None) -> tuple[str, str]:
    if published is None:
        return UNKNOWN, UNKNOWN
    return f"{published.year:04d}", f"{published.month:02d}"


def write_atomic(table: pa.Table, path: Path) -> None:
    """Write `table` to `path` so that the file is either absent or complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.tmp"
    pq.write_table(table, temporary, compression="zstd")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class DatasetWriter:
    """Writes one run's rows; each `write` call makes at most one file per partition."""

    def __init__(self, out_dir: Path, run_id: str) -> None:
        self.out_dir = out_dir
        self.run_id = run_id
        self._sequence = 0
        self.written: list[Path] = []

    def write(self, table_name: str, rows: Iterable[BaseModel]) -> list[Path]:
        by_partition: dict[tuple[str, str], list[BaseModel]] = defaultdict(list)
        for row in rows:
            by_partition[partition_of(getattr(row, "published", None))].append(row)
        paths: list[Path] = []
        for (year, month), members in sorted(by_partition.items()):
            self._sequence += 1
            path = (
                self.out_dir
                / table_name
                / f"year={year}"
                / f"month={month}"
                / f"part-{self.run_id}-{self._sequence:05d}.parquet"
            )
            write_atomic(to_table(table_name, members), path)
            paths.append(path)
        self.written.extend(paths)
        return paths


def dataset(out_dir: Path, table_name: str) -> ds.Dataset:
    """The table as a pyarrow dataset, with its declared schema plus the partition columns."""
    schema = SCHEMAS[table_name]
    for field in PARTITION_SCHEMA:
        schema = schema.append(field)
    root = out_dir / table_name
    if not root.exists():
        return ds.dataset(pa.table({f.name: pa.array([], f.type) for f in schema}))
    return ds.dataset(
        root,
        format="parquet",
        schema=schema,
        partitioning=ds.partitioning(PARTITION_SCHEMA, flavor="hive"),
    )


def read_table(out_dir: Path, table_name: str) -> pa.Table:
    return dataset(out_dir, table_name).to_table()


def has_dataset(out_dir: Path) -> bool:
    return any((out_dir / name).exists() for name in TABLE_NAMES)
