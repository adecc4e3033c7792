"""Where batches run: in this process, in a pool of local processes, or on a Dask cluster.

The unit of work is `process_batch(settings, articles, torch_threads)`: a plain, picklable
function that turns one batch of read articles into Arrow tables of the batch's rows. Every
worker process builds one `Extractor` (Stanza is loaded once per process) and keeps it for all
the batches it is given.

Batches are independent, and `ordered` hands results back in submission order, so what is
written never depends on how many workers there are or which one finished first.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import resource
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import pyarrow as pa
from pydantic import BaseModel

from pipeline.readers import ReadArticle
from pipeline.runner import Extractor, Settings
from schemas.arrow import SCHEMAS, to_table

log = logging.getLogger("waqai")

# Tables a batch produces; `rejects` here are the ones met while processing content.
BATCH_TABLES = ("events", "articles", "rejects")
ENGINES = ("local", "dask")
T = TypeVar("T")


@dataclass
class BatchOutput:
    """The rows of one batch as Arrow tables, and what it cost where it ran."""

    tables: dict[str, pa.Table]
    sentences: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the worker process (all its threads) on the batch
    worker: str = ""
    peak_rss_bytes: int = 0


def empty_output() -> BatchOutput:
    """What a batch without articles gives (no worker needed)."""
    return BatchOutput({name: SCHEMAS[name].empty_table() for name in BATCH_TABLES})


# Torch threads per worker process. Stanza's operations are small: a second intra-op thread
# brought no speed on the ANT articles, and with the cores shared (other processes, or other
# workers) OpenMP's spinning threads made a batch up to 12 times slower (docs/performance.md).
# Parallelism comes from worker processes instead: --workers N, one thread each.
DEFAULT_TORCH_THREADS = 1


def peak_rss_bytes() -> int:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


# One extractor per process, for the settings of the run being served; a lock keeps concurrent
# callers (threads of one Dask worker, or an in-process cluster) from sharing Stanza at once.
_LOCK = threading.Lock()
_CURRENT: dict[str, Any] = {}


def _settings_key(settings: Settings) -> tuple[str, str, str, int]:
    return (
        settings.run_id,
        str(settings.models_dir),
        str(settings.gazetteer_dir),
        settings.max_chars,
    )


def _extractor(settings: Settings, torch_threads: int | None) -> Extractor:
    """The process's extractor for these settings, built on first use (call under _LOCK)."""
    key = _settings_key(settings)
    if _CURRENT.get("key") != key:
        if torch_threads is not None:
            # Waiting threads sleep instead of spinning on shared cores; effective where torch
            # is not loaded yet (worker processes), and never overriding the environment.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import torch

            torch.set_num_threads(torch_threads)
        _CURRENT.clear()
        _CURRENT["extractor"] = Extractor(settings)
        _CURRENT["key"] = key
    extractor: Extractor = _CURRENT["extractor"]
    return extractor


def init_worker(settings: Settings, torch_threads: int | None, ready: Any = None) -> None:
    """Load Stanza and the gazetteer before the first batch arrives; then say so on `ready`."""
    with _LOCK:
        _extractor(settings, torch_threads)
    if ready is not None:
        ready.put(os.getpid())


def process_batch(
    settings: Settings, articles: list[ReadArticle], torch_threads: int | None = None
) -> BatchOutput:
    """Run the pipeline on one batch; the same rows whichever process or machine runs it."""
    started, cpu = time.perf_counter(), time.process_time()
    with _LOCK:
        result = _extractor(settings, torch_threads).process_batch(articles)
    rows: dict[str, list[BaseModel]] = {
        "events": list(result.events),
        "articles": list(result.articles),
        "rejects": list(result.rejects),
    }
    tables = {name: to_table(name, members) for name, members in rows.items()}
    return BatchOutput(
        tables=tables,
        sentences=sum(a.n_sentences for a in result.articles),
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        peak_rss_bytes=peak_rss_bytes(),
    )


class Pending(Protocol):
    """A submitted batch: `result()` waits for its output (a Future, or an already-done one)."""

    def result(self) -> BatchOutput: ...


@dataclass
class Done:
    """A batch computed at submission (the in-process engine, or a batch without articles)."""

    output: BatchOutput

    def result(self) -> BatchOutput:
        return self.output


class Engine(Protocol):
    """Runs `process_batch` somewhere; `window` is how many batches it should hold at once.

    `start` returns once every worker has its models loaded, so that a run can tell loading
    time from processing time.
    """

    window: int

    def start(self) -> None: ...

    def submit(self, articles: list[ReadArticle]) -> Pending: ...

    def close(self) -> None: ...


@dataclass
class IdleEngine:
    """For a run with no article to process: batches of bad records alone need no worker."""

    window: int = 1

    def start(self) -> None:
        return None

    def submit(self, articles: list[ReadArticle]) -> Pending:
        raise RuntimeError("IdleEngine cannot process articles")

    def close(self) -> None:
        return None


@dataclass
class InlineEngine:
    """One worker: this process (no pickling, no second copy of the models)."""

    settings: Settings
    torch_threads: int | None = None
    window: int = 1

    def start(self) -> None:
        init_worker(self.settings, self.torch_threads)

    def submit(self, articles: list[ReadArticle]) -> Pending:
        return Done(process_batch(self.settings, articles, self.torch_threads))

    def close(self) -> None:
        return None


@dataclass
class PoolEngine:
    """N local worker processes (spawned, so no lock or thread state is inherited)."""

    settings: Settings
    workers: int
    torch_threads: int | None = None
    window: int = 0
    _pool: ProcessPoolExecutor = field(init=False)
    _ready: Any = field(init=False)

    def __post_init__(self) -> None:
        self.window = self.window or 2 * self.workers
        context = multiprocessing.get_context("spawn")
        self._ready = context.Queue()
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(self.settings, self.torch_threads, self._ready),
        )

    def start(self) -> None:
        # The pool spawns a process per task submitted while none is idle: one probe each.
        probes = [self._pool.submit(os.getpid) for _ in range(self.workers)]
        loaded = 0
        while loaded < self.workers:
            try:
                self._ready.get(timeout=0.5)
                loaded += 1
            except queue.Empty:
                for probe in probes:
                    if probe.done():
                        probe.result()  # raises when a worker could not start

    def submit(self, articles: list[ReadArticle]) -> Pending:
        return self._pool.submit(process_batch, self.settings, articles, self.torch_threads)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class DaskEngine:
    """A Dask distributed cluster: the scheduler at `scheduler`, or a LocalCluster of `workers`.

    Workers need the waqai package and the models directory (`settings.models_dir` must exist
    on them); they read no input and write no output: articles travel in the task and rows come
    back as Arrow tables, which this process commits.
    """

    settings: Settings
    workers: int = 1
    scheduler: str | None = None
    torch_threads: int | None = None
    processes: bool = True
    window: int = 0
    _client: Any = field(init=False, default=None)
    _cluster: Any = field(init=False, default=None)

    def __post_init__(self) -> None:
        from distributed import Client, LocalCluster

        if self.scheduler:
            self._client = Client(self.scheduler)  # type: ignore[no-untyped-call]
        else:
            self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=self.workers,
                threads_per_worker=1,
                processes=self.processes,
                dashboard_address=None,
                silence_logs=logging.WARNING,
            )
            self._client = Client(self._cluster)  # type: ignore[no-untyped-call]

    def start(self) -> None:
        if self._cluster is not None:
            self._client.wait_for_workers(self.workers)
        self._client.run(init_worker, self.settings, self.torch_threads)
        slots = sum(self._client.nthreads().values()) or self.workers
        self.window = self.window or 2 * slots

    def submit(self, articles: list[ReadArticle]) -> Pending:
        future: Pending = self._client.submit(
            process_batch, self.settings, articles, self.torch_threads, pure=False
        )
        return future

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(
    settings: Settings,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    torch_threads: int | None = None,
    dask_processes: bool = True,
) -> Engine:
    """The engine a run asked for; each worker process runs torch on `torch_threads` threads.

    An in-process Dask cluster (`dask_processes=False`, for tests) leaves this process's torch
    as it is unless `torch_threads` is given.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if torch_threads is not None and torch_threads < 1:
        raise ValueError("torch threads must be at least 1")
    if engine == "dask":
        if torch_threads is None and (scheduler or dask_processes):
            torch_threads = DEFAULT_TORCH_THREADS
        return DaskEngine(settings, workers, scheduler, torch_threads, dask_processes)
    threads = torch_threads or DEFAULT_TORCH_THREADS
    if workers == 1:
        return InlineEngine(settings, threads)
    return PoolEngine(settings, workers, threads)


def ordered(
    engine: Engine, jobs: Iterable[tuple[T, list[ReadArticle]]]
) -> Iterator[tuple[T, BatchOutput]]:
    """Submit jobs with at most `engine.window` outstanding; yield results in job order.

    Jobs are pulled lazily, so the input is read only as fast as batches are done; a job
    without articles needs no worker.
    """
    queue: deque[tuple[T, Pending]] = deque()
    for tag, articles in jobs:
        queue.append((tag, engine.submit(articles) if articles else Done(empty_output())))
        while len(queue) >= max(1, engine.window):
            done_tag, pending = queue.popleft()
            yield done_tag, pending.result()
    while queue:
        done_tag, pending = queue.popleft()
        yield done_tag, pending.result()
