"""Engines: results come back in submission order whatever order workers finish in, and one
worker, two worker processes and a Dask cluster write the very same files."""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline import parallel
from pipeline.ingest import RUN_TABLES, RunOptions, load_run_record, run
from pipeline.models import ModelsMissingError
from pipeline.parallel import BatchOutput, empty_output, make_engine, ordered
from pipeline.readers import ReadArticle
from pipeline.runner import Settings
from schemas import InputArticle
from tests.conftest import SAMPLES
from tests.test_ingest import corpus


def _read(number: int) -> ReadArticle:
    return ReadArticle(InputArticle(id=f"a{number}", text="نص"), "test", number)


class ShuffledEngine:
    """Threads that finish later batches first; records how many batches were outstanding."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.pool = ThreadPoolExecutor(max_workers=4)
        self.outstanding = 0
        self.most = 0
        self.lock = threading.Lock()

    def start(self) -> None:
        return None

    def submit(self, articles: list[ReadArticle]) -> Future[BatchOutput]:
        number = int(articles[0].article.id[1:])
        with self.lock:
            self.outstanding += 1
            self.most = max(self.most, self.outstanding)

        def work() -> BatchOutput:
            time.sleep(0.02 * (number % 3 == 0))  # every third batch is slow
            output = empty_output()
            output.worker = articles[0].article.id
            with self.lock:
                self.outstanding -= 1
            return output

        return self.pool.submit(work)

    def close(self) -> None:
        self.pool.shutdown()


def test_ordered_yields_in_submission_order_with_a_bounded_window() -> None:
    engine = ShuffledEngine(window=3)
    jobs = [(n, [_read(n)] if n % 4 else []) for n in range(1, 13)]
    results = list(ordered(engine, jobs))
    assert [tag for tag, _ in results] == list(range(1, 13))
    assert [o.worker for _, o in results if o.worker] == [f"a{n}" for n in range(1, 13) if n % 4]
    assert engine.most <= 3  # at most `window` batches held at once
    engine.close()


def test_make_engine_checks_what_it_is_asked(tmp_path: Path) -> None:
    settings = Settings(run_id="r", models_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine(settings, engine="spark")
    with pytest.raises(ValueError, match="at least 1"):
        make_engine(settings, workers=0)


def test_every_worker_gets_one_torch_thread_unless_told(tmp_path: Path) -> None:
    settings = Settings(run_id="r", models_dir=tmp_path)
    inline = make_engine(settings)
    assert isinstance(inline, parallel.InlineEngine) and inline.torch_threads == 1
    threaded = make_engine(settings, torch_threads=3)
    assert isinstance(threaded, parallel.InlineEngine) and threaded.torch_threads == 3
    with pytest.raises(ValueError, match="torch threads"):
        make_engine(settings, torch_threads=0)


def test_missing_models_fail_the_run_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = RunOptions(
        inputs=[corpus(tmp_path / "in.jsonl")], out_dir=out, run_id="r", models_dir=tmp_path
    )
    with pytest.raises(ModelsMissingError):
        run(options)
    assert load_run_record(out, "r")["status"] == "failed"
    assert not any((out / name).exists() for name in RUN_TABLES)


def _files(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
        for name in RUN_TABLES
        for p in sorted((out / name).rglob("*.parquet"))
    }


@pytest.mark.stanza
def test_one_worker_two_workers_and_dask_write_the_same_files(
    tmp_path: Path, models_dir: Path
) -> None:
    from distributed import LocalCluster

    def ingest(name: str, **options: object) -> dict[str, str]:
        out = tmp_path / name
        record = run(
            RunOptions(inputs=[SAMPLES], out_dir=out, run_id="same", batch_size=2, **options)  # type: ignore[arg-type]
        )
        assert record.status == "completed" and record.counts.processed == 10
        if name == "two-workers":
            assert len(record.workers) == 2
            assert all(w["peak_rss_mb"] < 1536 for w in record.workers.values())
        return _files(out)

    one = ingest("one-worker")
    assert len(one) > 6
    assert ingest("two-workers", workers=2) == one
    assert ingest("dask-local", engine="dask", dask_processes=False) == one
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        import torch

        threads = torch.get_num_threads()  # keep this process's torch as it is
        assert (
            ingest("dask-cluster", engine="dask", scheduler=cluster.scheduler_address,
                   torch_threads=threads)
            == one
        )  # fmt: skip
