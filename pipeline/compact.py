"""`waqai compact DIR`: merge each partition's small Parquet files, leaving the rows unchanged.

Every nightly run adds a few files to the partitions it touches; after months, readers open
thousands of small files. Compaction merges, per table and partition, the files smaller than
`small_bytes` into files of up to about `target_bytes` (rows in the order of the files' names,
then of their rows) and swaps the partition for its compacted copy in one step:

- the copy is built under DIR/_state/staging/swap/: the merged files, plus hard links to the
  files left as they are;
- it is exchanged with the partition directory atomically (renameat2 RENAME_EXCHANGE on
  Linux; elsewhere by two renames, between which the partition is briefly absent);
- the swap is a journaled transaction (`pipeline.transaction`), so a compaction killed at any
  point is finished by the next `waqai run` or `waqai compact`.

Compaction holds the dataset's lock, so no run writes meanwhile. Readers that listed a
partition's files just before the swap may find them gone and should retry.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.state import RUN_TABLES, State
from pipeline.transaction import (
    SWAP_MARKER,
    DirLock,
    Hook,
    Transaction,
    commit,
    journal_path,
    recover,
    staging_dir,
)
from pipeline.writer import write_atomic

log = logging.getLogger("waqai")

DEFAULT_SMALL_BYTES = 32 * 2**20
DEFAULT_TARGET_BYTES = 256 * 2**20


@dataclass
class CompactSummary:
    """What a compaction did."""

    partitions: int = 0  # partitions compacted
    files_before: int = 0  # files in those partitions before
    files_after: int = 0  # and after
    rows: int = 0  # rows in the merged files
    bytes_before: int = 0  # size of the files merged
    bytes_after: int = 0  # size of the merged files


def groups_to_merge(
    files: list[tuple[Path, int]], small_bytes: int, target_bytes: int
) -> list[list[Path]]:
    """Runs of small files (in name order) of up to about `target_bytes`; 2 files or more each."""
    groups: list[list[Path]] = []
    current: list[Path] = []
    size = 0
    for path, nbytes in files:
        if nbytes >= small_bytes:
            continue
        if current and size + nbytes > target_bytes:
            groups.append(current)
            current, size = [], 0
        current.append(path)
        size += nbytes
    groups.append(current)
    return [group for group in groups if len(group) >= 2]


def merged_name(group: list[Path]) -> str:
    """The merged file's name: determined by the names of the files it replaces."""
    digest = hashlib.sha256("\n".join(p.name for p in group).encode()).hexdigest()[:16]
    return f"part-compact-{digest}.parquet"


def _read_group(group: list[Path]) -> pa.Table | None:
    """The group's rows in order; None when the files do not share one schema."""
    tables = [pq.ParquetFile(path).read() for path in group]
    first = tables[0].schema
    if any(not t.schema.equals(first, check_metadata=False) for t in tables[1:]):
        log.warning("%s: files with different schemas are left as they are", group[0].parent)
        return None
    return pa.concat_tables([t.replace_schema_metadata(first.metadata) for t in tables])


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # no hard links on this filesystem
        shutil.copy2(source, target)


def compact_partition(
    out_dir: Path,
    partition: Path,
    small_bytes: int,
    target_bytes: int,
    summary: CompactSummary,
    hook: Hook | None = None,
) -> bool:
    """Compact one partition directory; False when it has nothing worth merging."""
    files = sorted(partition.glob("*.parquet"))
    sizes = [(path, path.stat().st_size) for path in files]
    groups = groups_to_merge(sizes, small_bytes, target_bytes)
    if not groups:
        return False
    relative = partition.relative_to(out_dir).as_posix()
    staged = staging_dir(out_dir) / "swap" / relative
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    merged: set[Path] = set()
    written = 0
    for group in groups:
        table = _read_group(group)
        if table is None:
            continue
        target = staged / merged_name(group)
        write_atomic(table, target)
        merged.update(group)
        written += 1
        summary.rows += table.num_rows
        summary.bytes_before += sum(path.stat().st_size for path in group)
        summary.bytes_after += target.stat().st_size
    if not merged:
        shutil.rmtree(staged, ignore_errors=True)
        return False
    for path in sorted(partition.iterdir()):
        if path not in merged and path.is_file() and not path.name.endswith(".tmp"):
            _link(path, staged / path.name)
    (staged / SWAP_MARKER).touch()
    commit(out_dir, None, Transaction(label=f"compact {relative}", swaps=[relative]), hook)
    summary.partitions += 1
    summary.files_before += len(files)
    summary.files_after += len(files) - len(merged) + written
    return True


def compact(
    out_dir: Path,
    small_bytes: int = DEFAULT_SMALL_BYTES,
    target_bytes: int = DEFAULT_TARGET_BYTES,
    hook: Hook | None = None,
) -> CompactSummary:
    """Compact every partition of the tables a run writes (events, articles, rejects)."""
    if not out_dir.is_dir():
        raise FileNotFoundError(f"{out_dir} is not a directory")
    summary = CompactSummary()
    with DirLock(out_dir, "compact"):
        # A run killed mid-commit may have left a journal that updates the state.
        state = State.open(out_dir) if journal_path(out_dir).exists() else None
        try:
            recover(out_dir, state)
        finally:
            if state is not None:
                state.close()
        for name in RUN_TABLES:
            for partition in sorted((out_dir / name).glob("year=*/month=*")):
                if partition.is_dir():
                    compact_partition(out_dir, partition, small_bytes, target_bytes, summary, hook)
    return summary
