"""`waqai run`: incremental, resumable ingestion into a dataset directory.

A run reads every input, skips the articles the dataset already holds with the same content
(`content_sha256`) and the bad records it already logged, and processes the rest in batches on
an engine (`pipeline.parallel`). Each batch is committed as one transaction:

1. its files are written under DIR/_state/staging, where readers do not look;
2. a journal (DIR/_state/journal.json) lists the moves, deletions and state updates to make;
3. the files are moved into place, and the files holding rows of an earlier version of a
   changed article are rewritten without those rows (or deleted);
4. the state index (DIR/_state/state.sqlite) is updated in one SQLite transaction;
5. the journal is removed.

Every file appears by an atomic rename, so no reader ever sees a partial file. A run killed at
any point (kill -9 included) is finished by the next one: it replays a journal left behind
(steps 3 to 5 are idempotent), drops staged files and goes on with what is not committed.
Batches are cut from the pending articles in input order and committed in that order, so a
resumed run cuts the very batches an uninterrupted run would have: the final rows are the same.

Only one process works on a dataset at a time (`DirLock`), and every run leaves a record in
DIR/_runs/<run_id>.json: inputs, options, counts, timings, versions, and its status. The lock
and the journal are `pipeline.transaction`, the index `pipeline.state`, the engines
`pipeline.parallel`; docs/scaling.md describes the whole for users.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import platform
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.models import check_models, resolve_models_dir
from pipeline.normalize import clean_text
from pipeline.parallel import BatchOutput, Engine, IdleEngine, make_engine, ordered
from pipeline.progress import QuietReporter, Reporter
from pipeline.readers import ReadArticle, read_inputs
from pipeline.runner import (
    DEFAULT_BATCH_SIZE,
    Settings,
    content_sha256,
    new_run_id,
    unique_articles,
)
from pipeline.screen import DEFAULT_MAX_CHARS
from pipeline.state import CONTENT_REJECT_CODES, RUN_TABLES, State, reject_key
from pipeline.transaction import (
    STATE_DIR,
    DirLock,
    Hook,
    Transaction,
    commit,
    recover,
    staging_dir,
    utc_now,
    write_json_atomic,
)
from pipeline.writer import partition_of, read_table, write_atomic
from schemas import Reject
from schemas.arrow import SCHEMA_VERSION, to_table

RUNS_DIR = "_runs"
# Columns that name the run that wrote a row: two runs over the same input differ only there.
RUN_SPECIFIC_COLUMNS = ("run_id",)


# --------------------------------------------------------------------------------------------
# Planning: what to process


@dataclass
class Counts:
    """What a run met and did."""

    records_in: int = 0  # records read: articles and bad records
    articles_in: int = 0  # of those, articles
    skipped: int = 0  # articles whose content the dataset already holds
    skipped_rejects: int = 0  # bad records already in the rejects table
    processed: int = 0  # articles sent to the pipeline
    changed: int = 0  # of those, articles whose earlier version they replace
    articles: int = 0  # rows written to the articles table
    rejected: int = 0  # rows written to the rejects table
    events: int = 0  # rows written to the events table
    sentences: int = 0  # sentences Stanza found in the processed articles
    batches: int = 0  # batches committed
    files_rewritten: int = 0  # files rewritten or deleted to drop superseded rows


@dataclass(frozen=True)
class Todo:
    """An article to process: new, or a new version of one (`previous` holds its rows)."""

    record: ReadArticle
    content_sha256: str
    previous: tuple[str, str] | None


@dataclass(frozen=True)
class NewReject:
    """A bad input record the rejects table does not have yet."""

    reject: Reject
    key: str


def plan(
    inputs: Sequence[Path], state: State, run_id: str, counts: Counts
) -> Iterator[Todo | NewReject]:
    """The input's records that need work, in input order; skipped ones are only counted."""
    keys: set[str] = set()
    for item in unique_articles(read_inputs(inputs, run_id), run_id):
        counts.records_in += 1
        if isinstance(item, Reject):
            key = reject_key(item)
            if key in keys or state.has_record(key):
                counts.skipped_rejects += 1
                continue
            keys.add(key)
            yield NewReject(item, key)
            continue
        counts.articles_in += 1
        article = item.article
        sha = content_sha256(article.title, clean_text(article.text))
        known = state.article(article.id)
        if known is not None and known.content_sha256 == sha:
            counts.skipped += 1
            continue
        previous = (known.year, known.month) if known is not None else None
        yield Todo(item, sha, previous)


@dataclass
class Batch:
    """Consecutive pending records: up to `size` articles and the bad records met with them."""

    index: int
    todo: list[Todo] = field(default_factory=list)
    rejects: list[NewReject] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Names the batch's files: the same batch gives the same names in every run."""
        digest = hashlib.sha256()
        for todo in self.todo:
            digest.update(f"a\0{todo.record.article.id}\0{todo.content_sha256}\n".encode())
        for reject in self.rejects:
            digest.update(f"r\0{reject.key}\n".encode())
        return digest.hexdigest()[:16]


def cut(items: Iterable[Todo | NewReject], size: int) -> Iterator[Batch]:
    """Batches in input order; a batch closes as soon as it holds `size` articles."""
    batch = Batch(0)
    for item in items:
        if isinstance(item, Todo):
            batch.todo.append(item)
        else:
            batch.rejects.append(item)
        if len(batch.todo) >= size:
            yield batch
            batch = Batch(batch.index + 1)
    if batch.todo or batch.rejects:
        yield batch


# --------------------------------------------------------------------------------------------
# Committing a batch


class BatchCommitter:
    """Turns a batch's output into a committed transaction (see the module docstring)."""

    def __init__(self, out_dir: Path, state: State, run_id: str, hook: Hook | None) -> None:
        self.out_dir = out_dir
        self.state = state
        self.run_id = run_id
        self.hook = hook

    def __call__(self, batch: Batch, tables: dict[str, pa.Table], counts: Counts) -> None:
        label = f"run {self.run_id} batch {batch.index}"
        read_rejects = to_table("rejects", [r.reject for r in batch.rejects])
        tables = dict(tables)
        tables["rejects"] = pa.concat_tables([read_rejects, tables["rejects"]])
        txn = Transaction(label=label, run_id=self.run_id)
        for name in RUN_TABLES:
            for (year, month), part in _split_partitions(tables[name]).items():
                relative = (
                    f"{name}/year={year}/month={month}/part-{self.run_id}-{batch.key}.parquet"
                )
                self._stage(part, f"new/{relative}")
                txn.moves.append((f"{STATE_DIR}/staging/new/{relative}", relative))
        counts.events += tables["events"].num_rows
        counts.articles += tables["articles"].num_rows
        counts.rejected += tables["rejects"].num_rows
        self._supersede(batch, txn, counts)
        for todo in batch.todo:
            year, month = partition_of(todo.record.article.published)
            txn.articles.append((todo.record.article.id, todo.content_sha256, year, month))
        txn.records = [r.key for r in batch.rejects]
        if self.hook:
            self.hook("staged", label)
        commit(self.out_dir, self.state, txn, self.hook)
        counts.batches += 1

    def _stage(self, table: pa.Table, relative: str) -> None:
        write_atomic(table, staging_dir(self.out_dir) / relative)

    def _supersede(self, batch: Batch, txn: Transaction, counts: Counts) -> None:
        """Rewrite the files holding rows of the earlier versions of this batch's articles."""
        by_partition: dict[tuple[str, str], set[str]] = defaultdict(set)
        for todo in batch.todo:
            if todo.previous is not None:
                by_partition[todo.previous].add(todo.record.article.id)
                counts.changed += 1
        for (year, month), ids in sorted(by_partition.items()):
            value_set = pa.array(sorted(ids), pa.string())
            for name in RUN_TABLES:
                directory = self.out_dir / name / f"year={year}" / f"month={month}"
                for path in sorted(directory.glob("*.parquet")):
                    stale = _rows_of(path, name, value_set)
                    if stale is None:
                        continue
                    relative = path.relative_to(self.out_dir).as_posix()
                    kept = pq.ParquetFile(path).read().filter(pc.invert(stale))
                    counts.files_rewritten += 1
                    if kept.num_rows:
                        self._stage(kept, f"replace/{relative}")
                        txn.moves.append((f"{STATE_DIR}/staging/replace/{relative}", relative))
                    else:
                        txn.deletes.append(relative)


def _rows_of(path: Path, table: str, ids: pa.Array) -> pa.Array | None:
    """Mask of the rows of a file that belong to the given articles' versions; None if none.

    In the rejects table only the rejects of an article's content belong to its version;
    the bad records met where it was read stay (they are keyed by their place in the input).
    """
    columns = ["article_id", "reason_code"] if table == "rejects" else ["article_id"]
    data = pq.ParquetFile(path).read(columns=columns)
    stale = pc.is_in(data["article_id"], value_set=ids)
    if table == "rejects":
        codes = pa.array(sorted(CONTENT_REJECT_CODES), pa.string())
        stale = pc.and_(stale, pc.is_in(data["reason_code"], value_set=codes))
    stale = pc.fill_null(stale, False)
    return stale if pc.any(stale).as_py() else None


def _split_partitions(table: pa.Table) -> dict[tuple[str, str], pa.Table]:
    """Rows of a table by the hive partition of their `published` time, in row order."""
    rows: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, published in enumerate(table.column("published").to_pylist()):
        rows[partition_of(published)].append(index)
    return {key: table.take(pa.array(idx, pa.int64())) for key, idx in sorted(rows.items())}


# --------------------------------------------------------------------------------------------
# Run records


@dataclass
class RunRecord:
    """DIR/_runs/<run_id>.json: what a run was asked, what it did, how long it took."""

    run_id: str
    status: str  # running, completed, failed, interrupted
    started: str
    inputs: list[str]
    options: dict[str, Any]
    versions: dict[str, str]
    finished: str | None = None
    counts: Counts = field(default_factory=Counts)
    timings: dict[str, float] = field(default_factory=dict)
    workers: dict[str, dict[str, float]] = field(default_factory=dict)
    resumes: str | None = None  # the run this one found killed, when there was one
    error: str | None = None

    def path(self, out_dir: Path) -> Path:
        return out_dir / RUNS_DIR / f"{self.run_id}.json"

    def save(self, out_dir: Path) -> None:
        write_json_atomic(asdict(self), self.path(out_dir))


def summary_rows(record: RunRecord) -> list[tuple[str, str]]:
    """The end-of-run summary, as (what, value) lines."""
    counts, timings = record.counts, record.timings
    rows = [
        ("status", record.status),
        ("records read", str(counts.records_in)),
        ("articles unchanged (skipped)", str(counts.skipped)),
        ("bad records already logged (skipped)", str(counts.skipped_rejects)),
        ("articles processed", str(counts.processed)),
        ("  of which new versions", str(counts.changed)),
        ("articles written", str(counts.articles)),
        ("rejects written", str(counts.rejected)),
        ("events written", str(counts.events)),
        ("batches committed", str(counts.batches)),
        ("seconds", f"{timings.get('total_s', 0.0):.1f}"),
    ]
    if "articles_per_s" in timings:
        rows.append(("articles/s", f"{timings['articles_per_s']:.2f}"))
        rows.append(("sentences/s", f"{timings['sentences_per_s']:.2f}"))
    for worker, seen in sorted(record.workers.items()):
        rows.append((f"peak memory of {worker} (MiB)", f"{seen['peak_rss_mb']:.0f}"))
    return rows


def load_run_record(out_dir: Path, run_id: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((out_dir / RUNS_DIR / f"{run_id}.json").read_text("utf-8"))
    return value


def versions() -> dict[str, str]:
    """Versions of what shapes the output (read from package metadata)."""
    found = {"waqai": __version__, "schema": SCHEMA_VERSION, "python": platform.python_version()}
    for package in ("stanza", "torch", "pyarrow", "pydantic", "dask", "distributed"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[package] = importlib.metadata.version(package)
    return found


def _mark_interrupted(out_dir: Path, note: dict[str, Any] | None) -> str | None:
    """Mark the run record of a holder that died as interrupted; its run id, if any."""
    run_id = (note or {}).get("run_id")
    if not run_id:
        return None
    path = out_dir / RUNS_DIR / f"{run_id}.json"
    if path.exists():
        record = json.loads(path.read_text("utf-8"))
        if record.get("status") == "running":
            record["status"] = "interrupted"
            write_json_atomic(record, path)
    return str(run_id)


# --------------------------------------------------------------------------------------------
# The run


class RunIdTakenError(ValueError):
    """The run id asked for is already the id of a run of this dataset."""


@dataclass
class RunOptions:
    """What `waqai run` is asked to do."""

    inputs: list[Path]
    out_dir: Path
    models_dir: Path | None = None
    gazetteer_dir: Path | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    run_id: str | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    torch_threads: int | None = None
    dask_processes: bool = True  # False: an in-process LocalCluster (tests)


def _choose_run_id(out_dir: Path, asked: str | None) -> str:
    runs = out_dir / RUNS_DIR
    if asked is not None:
        if (runs / f"{asked}.json").exists():
            raise RunIdTakenError(f"run id {asked!r} was already used in {out_dir}")
        return asked
    base = new_run_id()
    run_id, suffix = base, 1
    while (runs / f"{run_id}.json").exists():
        suffix += 1
        run_id = f"{base}-{suffix}"
    return run_id


def run(
    options: RunOptions,
    reporter: Reporter | None = None,
    hook: Hook | None = None,
    engine: Engine | None = None,
) -> RunRecord:
    """Bring the dataset at `options.out_dir` up to date with the inputs; returns the record.

    The batches run on the engine the options name, or on `engine` when one is given (it is
    started here; closing it is the caller's business).
    """
    if options.batch_size < 1:
        raise ValueError("batch size must be at least 1")
    reporter = reporter or QuietReporter()
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = DirLock(out_dir, "run").acquire()
    try:
        run_id = _choose_run_id(out_dir, options.run_id)
        lock.note(run_id)
        record = RunRecord(
            run_id=run_id,
            status="running",
            started=utc_now(),
            inputs=[str(p) for p in options.inputs],
            options={
                "batch_size": options.batch_size,
                "workers": options.workers,
                "engine": options.engine,
                "scheduler": options.scheduler,
                "torch_threads": options.torch_threads,
                "max_chars": options.max_chars,
                "models_dir": str(options.models_dir) if options.models_dir else None,
                "gazetteer_dir": str(options.gazetteer_dir) if options.gazetteer_dir else None,
            },
            versions=versions(),
            resumes=_mark_interrupted(out_dir, lock.stale),
        )
        record.save(out_dir)
        _Run(options, record, reporter, hook, engine).execute()
        return record
    finally:
        lock.release()


class _Run:
    """One run's steps, between taking the lock and releasing it."""

    def __init__(
        self,
        options: RunOptions,
        record: RunRecord,
        reporter: Reporter,
        hook: Hook | None,
        engine: Engine | None,
    ) -> None:
        self.given_engine = engine
        self.options = options
        self.record = record
        self.reporter = reporter
        self.hook = hook
        self.out_dir = options.out_dir
        self.last_saved = time.monotonic()

    def execute(self) -> None:
        record, out_dir = self.record, self.out_dir
        started = time.perf_counter()
        state: State | None = None
        try:
            state = State.open(out_dir)
            recover(out_dir, state)
            record.timings["open_s"] = time.perf_counter() - started
            self._process(state)
            record.status = "completed"
        except BaseException as error:
            interrupted = isinstance(error, KeyboardInterrupt)
            record.status = "interrupted" if interrupted else "failed"
            record.error = None if interrupted else f"{type(error).__name__}: {error}"
            raise
        finally:
            if state is not None:
                state.close()
            record.finished = utc_now()
            record.timings["total_s"] = time.perf_counter() - started
            self._rates()
            record.save(out_dir)

    def _process(self, state: State) -> None:
        options, record = self.options, self.record
        # First pass: count what needs work (for the ETA); nothing is loaded when nothing does.
        planning = time.perf_counter()
        census = Counts()
        pending = sum(
            isinstance(item, Todo) for item in plan(options.inputs, state, record.run_id, census)
        )
        new_rejects = census.records_in - census.articles_in - census.skipped_rejects
        record.timings["plan_s"] = time.perf_counter() - planning
        if pending == 0 and new_rejects == 0:
            record.counts = census
            return
        loading = time.perf_counter()
        engine: Engine = IdleEngine()  # bad records alone need no models
        if pending and self.given_engine is not None:
            engine = self.given_engine
        elif pending:
            engine = make_engine(
                self._settings(),
                options.engine,
                options.workers,
                options.scheduler,
                options.torch_threads,
                options.dask_processes,
            )
        try:
            engine.start()
            record.timings["load_s"] = time.perf_counter() - loading
            self._batches(state, engine, pending)
        finally:
            if engine is not self.given_engine:
                engine.close()

    def _settings(self) -> Settings:
        models_dir = resolve_models_dir(self.options.models_dir)
        if not self.options.scheduler:  # a remote cluster's workers check their own
            check_models(models_dir)
        return Settings(
            run_id=self.record.run_id,
            models_dir=models_dir,
            gazetteer_dir=self.options.gazetteer_dir,
            max_chars=self.options.max_chars,
        )

    def _batches(self, state: State, engine: Engine, total: int) -> None:
        record = self.record
        counts = record.counts = Counts()
        committer = BatchCommitter(self.out_dir, state, record.run_id, self.hook)
        items = plan(self.options.inputs, state, record.run_id, counts)
        batches = cut(items, self.options.batch_size)
        jobs = ((batch, [todo.record for todo in batch.todo]) for batch in batches)
        processing = time.perf_counter()
        self.reporter.start(total)
        committing = 0.0
        try:
            for batch, output in ordered(engine, jobs):
                began = time.perf_counter()
                committer(batch, output.tables, counts)
                committing += time.perf_counter() - began
                counts.processed += len(batch.todo)
                counts.sentences += output.sentences
                if output.worker:
                    self._worker(output)
                self.reporter.advance(len(batch.todo), counts.events)
                self._checkpoint()
        finally:
            self.reporter.stop()
            record.timings["process_s"] = time.perf_counter() - processing
            record.timings["commit_s"] = committing

    def _worker(self, output: BatchOutput) -> None:
        seen = self.record.workers.setdefault(
            output.worker, {"batches": 0, "seconds": 0.0, "cpu_seconds": 0.0, "peak_rss_mb": 0.0}
        )
        seen["batches"] += 1
        seen["seconds"] = round(seen["seconds"] + output.seconds, 3)
        seen["cpu_seconds"] = round(seen["cpu_seconds"] + output.cpu_seconds, 3)
        seen["peak_rss_mb"] = max(seen["peak_rss_mb"], round(output.peak_rss_bytes / 2**20, 1))

    def _checkpoint(self) -> None:
        """Save the record now and then, so that a long run shows how far it got."""
        if time.monotonic() - self.last_saved >= 10:
            self.record.save(self.out_dir)
            self.last_saved = time.monotonic()

    def _rates(self) -> None:
        timings, counts = self.record.timings, self.record.counts
        seconds = timings.get("process_s", 0.0)
        if seconds > 0:
            timings["articles_per_s"] = round(counts.processed / seconds, 3)
            timings["sentences_per_s"] = round(counts.sentences / seconds, 3)
        for name, value in list(timings.items()):
            timings[name] = round(value, 3)


# --------------------------------------------------------------------------------------------
# Comparing datasets


def fingerprint(out_dir: Path, table: str, exclude: Sequence[str] = RUN_SPECIFIC_COLUMNS) -> str:
    """A hash of a table's rows, whatever their files and order, without run-specific columns.

    Two datasets are "content equal" when every table has the same fingerprint: that is what
    a resumed run, or a run with another number of workers, guarantees.
    """
    data = read_table(out_dir, table)
    data = data.drop_columns([c for c in exclude if c in data.column_names])
    digests = sorted(
        hashlib.sha256(
            json.dumps(row, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        for row in data.to_pylist()
    )
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()
