"""`waqai run` and `waqai compact`: incremental, idempotent, locked, resumable, compactable.

Most tests run on `FakeEngine`, which turns articles into rows without Stanza (an articles row
and one event per article, derived from its content), so that the commit protocol, the state
and the recovery are tested quickly and independently of the extraction rules. The tests
marked `stanza` run the real pipeline through the command line, and kill it.
"""

from __future__ import annotations

import hashlib
import io
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from rich.console import Console

from pipeline import compact as compact_module
from pipeline import transaction
from pipeline.compact import compact, groups_to_merge
from pipeline.ingest import (
    RUN_TABLES,
    Counts,
    NewReject,
    RunIdTakenError,
    RunOptions,
    Todo,
    cut,
    fingerprint,
    load_run_record,
    plan,
    run,
)
from pipeline.parallel import BatchOutput, Done, Pending
from pipeline.progress import LogReporter, RichReporter
from pipeline.readers import ReadArticle
from pipeline.runner import Settings, prepare
from pipeline.state import State
from pipeline.transaction import DirLock, LockedError
from pipeline.writer import read_table
from schemas import ArticleRecord, Event, Reject
from schemas.arrow import to_table
from tests.conftest import SAMPLES, write_jsonl

ROOT = Path(__file__).resolve().parent.parent

# Short articles written for these tests: (id, publication date, text).
TOWNS = ["سراقب", "كفرنبل", "معرة النعمان", "خان شيخون", "اللطامنة", "حمورية", "سقبا", "دوما"]


def article(number: int, published: str = "2018-04-0{day}", words: str = "") -> dict[str, Any]:
    town = TOWNS[number % len(TOWNS)]
    return {
        "id": f"t-{number:03d}",
        "published": published.format(day=1 + number % 9),
        "title": f"قصف على {town}",
        "text": f"قصفت المدفعية بلدة {town} في ريف إدلب صباح اليوم.{words}\n"
        f"وقال ناشطون إن القصف استهدف أحياء سكنية في {town}.",
    }


def corpus(path: Path, count: int = 8, bad: bool = True) -> Path:
    rows = [article(n) for n in range(count)]
    write_jsonl(path, rows)
    if bad:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("{this is not json\n")
            handle.write(json.dumps({"id": "t-empty", "text": "   "}) + "\n")
            handle.write(json.dumps(article(0), ensure_ascii=False) + "\n")  # duplicate id
    return path


def fake_output(articles: list[ReadArticle], run_id: str) -> BatchOutput:
    """Rows as the pipeline would shape them, from each article's content, without Stanza."""
    settings = Settings(run_id=run_id, models_dir=Path("unused"))
    events: list[Event] = []
    records: list[ArticleRecord] = []
    rejects: list[Reject] = []
    for item in articles:
        doc = prepare(item, settings)
        if isinstance(doc, Reject):
            rejects.append(doc)
            continue
        end = doc.text.index(".") + 1
        key = f"{doc.article.id}|{doc.content_sha256}"
        event_id = "ev-" + hashlib.sha256(key.encode()).hexdigest()[:20]
        events.append(
            Event(
                event_id=event_id,
                article_id=doc.article.id,
                published=doc.article.published,
                event_type="Explosions/Remote violence",
                sub_event_type="Shelling/artillery/missile attack",
                action="قصفت",
                sentence=doc.text[:end],
                char_start=0,
                char_end=end,
                confidence=0.5,
                cluster_id=event_id,
                pipeline_version="test",
                run_id=run_id,
            )
        )
        records.append(
            ArticleRecord(
                article_id=doc.article.id,
                title=doc.article.title,
                published=doc.article.published,
                text=doc.text,
                n_chars=len(doc.text),
                n_sentences=2,
                n_events=1,
                content_sha256=doc.content_sha256,
                input=doc.input,
                run_id=run_id,
            )
        )
    tables = {
        "events": to_table("events", list(events)),
        "articles": to_table("articles", list(records)),
        "rejects": to_table("rejects", list(rejects)),
    }
    return BatchOutput(tables, sentences=2 * len(records), worker="fake")


class FakeEngine:
    """An engine that computes `fake_output` at submission and counts what it was given."""

    window = 1

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.batches: list[list[str]] = []

    def start(self) -> None:
        return None

    def submit(self, articles: list[ReadArticle]) -> Pending:
        self.batches.append([a.article.id for a in articles])
        return Done(fake_output(articles, self.run_id))

    def close(self) -> None:
        return None


class Crash(BaseException):
    """Stands for the process dying at a step of a commit."""


def fake_run(inputs: list[Path], out: Path, run_id: str, batch_size: int = 3, **hooks: Any) -> Any:
    engine = FakeEngine(run_id)
    options = RunOptions(inputs=inputs, out_dir=out, run_id=run_id, batch_size=batch_size)
    record = run(options, engine=engine, **hooks)
    return record, engine


def crash_at(step: str, batch: int) -> Any:
    def hook(name: str, label: str) -> None:
        if name == step and label.endswith(f"batch {batch}"):
            raise Crash(f"{step} of batch {batch}")

    return hook


def files_of(out: Path) -> dict[str, tuple[int, int]]:
    """Every data file with its size and modification time: what a re-run must not touch."""
    return {
        p.relative_to(out).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for name in RUN_TABLES
        for p in sorted((out / name).rglob("*"))
        if p.is_file()
    }


def fingerprints(out: Path, exclude: tuple[str, ...] = ("run_id",)) -> dict[str, str]:
    return {name: fingerprint(out, name, exclude) for name in RUN_TABLES}


def assert_only_complete_files(out: Path) -> None:
    for name in RUN_TABLES:
        for path in (out / name).rglob("*"):
            assert not path.name.endswith(".tmp"), path
            if path.is_file():
                pq.read_metadata(path)  # a partial file has no footer


def test_a_run_writes_the_tables_and_its_record(tmp_path: Path) -> None:
    source = corpus(tmp_path / "in.jsonl")
    record, engine = fake_run([source], tmp_path / "out", "r1")
    counts = record.counts
    assert (counts.records_in, counts.articles_in, counts.processed) == (11, 9, 9)
    assert (counts.articles, counts.events, counts.rejected) == (8, 8, 3)
    # the last batch holds only the duplicate id met after the last article: no worker needed
    assert counts.batches == 4 and len(engine.batches) == 3
    assert engine.batches[0] == ["t-000", "t-001", "t-002"]
    saved = load_run_record(tmp_path / "out", "r1")
    assert saved["status"] == "completed" and saved["inputs"] == [str(source)]
    assert saved["counts"]["processed"] == 9 and saved["versions"]["waqai"]
    assert saved["timings"]["total_s"] >= saved["timings"]["process_s"] > 0
    rejects = read_table(tmp_path / "out", "rejects").to_pylist()
    codes = sorted(r["reason_code"] for r in rejects)
    assert codes == ["broken_json", "duplicate_id", "empty"]
    assert not (tmp_path / "out" / "_state" / "journal.json").exists()
    assert not (tmp_path / "out" / "_state" / "staging").exists()


def test_a_rerun_on_unchanged_input_changes_nothing(tmp_path: Path) -> None:
    source, out = corpus(tmp_path / "in.jsonl"), tmp_path / "out"
    fake_run([source], out, "r1")
    before = files_of(out)
    record, engine = fake_run([source], out, "r2")
    assert engine.batches == []  # no batch, no model loaded
    assert record.counts.processed == 0 and record.counts.skipped == 9
    assert record.counts.skipped_rejects == 2
    assert files_of(out) == before
    assert load_run_record(out, "r2")["status"] == "completed"


def test_new_articles_are_appended(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_run([corpus(tmp_path / "a.jsonl", 5, bad=False)], out, "r1")
    grown = write_jsonl(tmp_path / "b.jsonl", [article(n) for n in range(8)])
    record, engine = fake_run([grown], out, "r2")
    assert [i for batch in engine.batches for i in batch] == ["t-005", "t-006", "t-007"]
    assert record.counts.skipped == 5
    assert pq.read_table(out / "articles").num_rows == 8


def test_a_changed_article_replaces_its_earlier_rows(tmp_path: Path) -> None:
    out, first = tmp_path / "out", tmp_path / "in.jsonl"
    empty = {"id": "t-fixed", "text": "", "published": "2018-04-02"}
    rows = [article(n) for n in range(6)] + [empty]
    write_jsonl(first, rows)
    fake_run([first], out, "r1", batch_size=2)
    changed = [dict(r) for r in rows]
    changed[1] = article(1, words=" وسقط ثلاثة قتلى.")  # new content, same partition
    changed[2] = article(2, published="2018-07-0{day}", words=" تحديث.")  # and a new month
    changed[6] = article(6) | {"id": "t-fixed"}  # was rejected as empty, now fine
    second = write_jsonl(first, changed)  # the same file, edited (`input` is the same)
    record, engine = fake_run([second], out, "r2", batch_size=2)
    assert engine.batches == [["t-001", "t-002"], ["t-fixed"]]
    assert record.counts.changed == 3 and record.counts.files_rewritten >= 3
    articles = pq.read_table(out / "articles").to_pylist()
    assert sorted(a["article_id"] for a in articles) == sorted(r["id"] for r in changed)
    assert not read_table(out, "rejects").num_rows  # the empty-text reject went
    fresh = tmp_path / "fresh"
    fake_run([second], fresh, "r3", batch_size=2)
    assert fingerprints(out) == fingerprints(fresh)
    moved = [a for a in articles if a["article_id"] == "t-002"]
    assert moved[0]["published"].month == 7
    assert State.open(out).article("t-002").month == "07"  # type: ignore[union-attr]


@pytest.mark.parametrize("step", ["staged", "journaled", "moved", "applied"])
def test_a_run_killed_at_any_step_is_resumed_to_the_same_dataset(tmp_path: Path, step: str) -> None:
    source = corpus(tmp_path / "in.jsonl", 10)
    reference = tmp_path / "reference"
    fake_run([source], reference, "ref", batch_size=3)
    out = tmp_path / "out"
    with pytest.raises(Crash):
        fake_run([source], out, "r1", batch_size=3, hook=crash_at(step, 1))
    assert_only_complete_files(out)
    record, engine = fake_run([source], out, "r2", batch_size=3)
    if step in ("staged", "journaled"):
        # batch 1 was not committed (or not applied) before the crash: it runs again, cut the
        # same way; a journal left behind is replayed rather than reprocessed
        assert engine.batches[0] == (["t-003", "t-004", "t-005"] if step == "staged" else
                                     ["t-006", "t-007", "t-008"])  # fmt: skip
    else:
        assert engine.batches[0] == ["t-006", "t-007", "t-008"]
    assert record.counts.skipped >= 3
    assert fingerprints(out) == fingerprints(reference)
    assert pq.read_table(out / "articles").num_rows == 10  # no duplicate rows
    assert_only_complete_files(out)
    assert not (out / "_state" / "journal.json").exists()
    assert load_run_record(out, "r1")["status"] == "failed"


def test_the_lock_refuses_a_second_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = DirLock(out, "run").acquire("night-1")
    try:
        with pytest.raises(LockedError, match=r"run night-1, pid \d+"):
            fake_run([corpus(tmp_path / "in.jsonl")], out, "r1")
        done = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "run", str(tmp_path / "in.jsonl"), "--out",
             str(out)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 2
        assert "is in use by `waqai run` (run night-1" in done.stderr
        with pytest.raises(LockedError):
            compact(out)
    finally:
        holder.release()
    record, _ = fake_run([tmp_path / "in.jsonl"], out, "r1")
    assert record.status == "completed" and record.resumes is None


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_run([corpus(tmp_path / "in.jsonl")], out, "r1")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    note = {"command": "run", "run_id": "r2", "pid": dead.pid, "host": socket.gethostname()}
    (out / "_state" / "lock").write_text(json.dumps(note))
    (out / "_runs" / "r2.json").write_text(json.dumps({"run_id": "r2", "status": "running"}))
    record, _ = fake_run([tmp_path / "in.jsonl"], out, "r3")
    assert record.resumes == "r2"
    assert load_run_record(out, "r2")["status"] == "interrupted"
    assert (out / "_state" / "lock").read_text() == ""  # released


def test_a_run_id_is_used_once(tmp_path: Path) -> None:
    source = corpus(tmp_path / "in.jsonl")
    fake_run([source], tmp_path / "out", "r1")
    with pytest.raises(RunIdTakenError):
        fake_run([source], tmp_path / "out", "r1")


def test_the_state_is_rebuilt_from_the_dataset(tmp_path: Path) -> None:
    source, out = corpus(tmp_path / "in.jsonl"), tmp_path / "out"
    fake_run([source], out, "r1")
    before = fingerprints(out)
    (out / "_state" / "state.sqlite").unlink()
    record, engine = fake_run([source], out, "r2")
    # articles and bad records are known again; the article rejected for its content has no
    # hash in the dataset, so it is processed once more and its reject row replaced
    assert engine.batches == [["t-empty"]]
    assert record.counts.skipped == 8 and record.counts.skipped_rejects == 2
    assert fingerprints(out) == before
    record, engine = fake_run([source], out, "r3")
    assert engine.batches == [] and record.counts.processed == 0


def test_bad_records_are_logged_once_even_when_read_twice(tmp_path: Path) -> None:
    source, out = corpus(tmp_path / "in.jsonl"), tmp_path / "out"
    record, _ = fake_run([source, source], out, "r1")
    rejects = pq.read_table(out / "rejects").to_pylist()
    # the second reading of the file: every article is a duplicate id, the broken line is known
    assert sum(r["reason_code"] == "broken_json" for r in rejects) == 1
    assert sum(r["reason_code"] == "duplicate_id" for r in rejects) == 1 + 9
    again, _ = fake_run([source, source], out, "r2")
    assert record.counts.rejected == 1 + 10 + 1  # and the empty article
    bad = again.counts.records_in - again.counts.articles_in
    assert again.counts.rejected == 0 and again.counts.skipped_rejects == bad == 13


def test_batches_are_cut_the_same_whatever_was_done_before(tmp_path: Path) -> None:
    source = corpus(tmp_path / "in.jsonl", 10)
    out = tmp_path / "out"
    out.mkdir()
    state = State.open(out)
    items = list(plan([source], state, "r", Counts()))
    assert isinstance(items[0], Todo) and any(isinstance(i, NewReject) for i in items)
    whole = [(b.key, [t.record.article.id for t in b.todo]) for b in cut(items, 3)]
    # a resumed run starts after the last committed batch: the rest is cut identically
    first = next(iter(cut(items, 3)))
    rest = items[len(first.todo) + len(first.rejects) :]
    assert [(b.key, [t.record.article.id for t in b.todo]) for b in cut(rest, 3)] == whole[1:]
    state.close()


def test_compaction_merges_small_files_and_keeps_every_row(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_run([corpus(tmp_path / "in.jsonl", 12)], out, "r1", batch_size=1)
    before = fingerprints(out, exclude=())
    count = len(files_of(out))
    summary = compact(out)
    assert summary.partitions > 0 and summary.files_after < summary.files_before
    assert len(files_of(out)) == count - summary.files_before + summary.files_after
    assert fingerprints(out, exclude=()) == before
    assert not list(out.rglob(transaction.SWAP_MARKER))
    assert not (out / "_state" / "staging").exists()
    assert compact(out).partitions == 0  # nothing left to merge
    # and a later run still sees what the dataset holds
    record, engine = fake_run([tmp_path / "in.jsonl"], out, "r2")
    assert engine.batches == [] and record.counts.skipped == 12 + 1  # and the empty one


@pytest.mark.parametrize("step", ["journaled", "swapped"])
@pytest.mark.parametrize("atomic_exchange", [True, False])
def test_a_killed_compaction_is_finished_by_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, atomic_exchange: bool
) -> None:
    if not atomic_exchange:  # the two-rename swap of filesystems without renameat2
        monkeypatch.setattr(transaction, "exchange", lambda first, second: False)
    out = tmp_path / "out"
    fake_run([corpus(tmp_path / "in.jsonl", 12)], out, "r1", batch_size=1)
    before = fingerprints(out, exclude=())

    def hook(name: str, label: str) -> None:
        if name == step:
            raise Crash(label)

    with pytest.raises(Crash):
        compact(out, hook=hook)
    assert (out / "_state" / "journal.json").exists()
    assert_only_complete_files(out)
    compact(out)
    assert fingerprints(out, exclude=()) == before
    assert not list(out.rglob(transaction.SWAP_MARKER))
    assert not (out / "_state" / "journal.json").exists()


def test_merge_groups_take_small_files_up_to_the_target() -> None:
    sizes = [5, 5, 50, 5, 5, 5, 1, 11, 9]
    files = [(Path(f"{n}.parquet"), size) for n, size in enumerate(sizes)]
    groups = groups_to_merge(files, small_bytes=10, target_bytes=12)
    assert [[p.stem for p in g] for g in groups] == [["0", "1"], ["3", "4"], ["5", "6"]]
    names = {compact_module.merged_name(g) for g in groups}
    assert len(names) == 3 and compact_module.merged_name(groups[0]) in names


def test_plain_progress_lines_give_rate_and_eta() -> None:
    lines: list[str] = []
    reporter = LogReporter(interval=0, emit=lines.append)
    reporter.start(10)
    time.sleep(0.01)
    reporter.advance(4, events=7)
    assert lines[0] == "10 articles to process"
    assert lines[1].startswith("4/10 articles (40%), ")
    assert "articles/s, 7 events, ETA 0:" in lines[1]


def test_a_terminal_gets_a_bar_with_rate_and_eta() -> None:
    screen = io.StringIO()
    reporter = RichReporter(Console(file=screen, force_terminal=True, width=140))
    reporter.start(10)
    time.sleep(0.01)
    reporter.advance(5, events=3)
    reporter.stop()
    shown = screen.getvalue()
    assert "5/10" in shown and "articles/s" in shown and "3 events" in shown and "ETA" in shown


def _wait_for(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


@pytest.mark.stanza
def test_cli_run_killed_with_sigkill_resumes_to_an_uninterrupted_dataset(
    tmp_path: Path, models_dir: Path
) -> None:
    source = SAMPLES / "articles.jsonl"
    reference = tmp_path / "reference"
    run(RunOptions(inputs=[source], out_dir=reference, run_id="ref", batch_size=1))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(source), "--out", str(out),
               "--models", str(models_dir), "--batch-size", "1"]  # fmt: skip
    killed = subprocess.Popen([*command, "--run-id", "killed"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for(lambda: any((out / "articles").rglob("*.parquet")), timeout=180)
        killed.send_signal(signal.SIGKILL)
    finally:
        killed.wait()
    assert load_run_record(out, "killed")["status"] == "running"  # it never got to finish
    assert_only_complete_files(out)
    resumed = run(RunOptions(inputs=[source], out_dir=out, run_id="resumed", batch_size=1))
    assert resumed.resumes == "killed"
    assert load_run_record(out, "killed")["status"] == "interrupted"
    assert resumed.counts.skipped >= 1 and resumed.counts.processed < 6
    assert fingerprints(out) == fingerprints(reference)
    again = run(RunOptions(inputs=[source], out_dir=out, run_id="again"))
    assert again.counts.processed == 0 and again.counts.skipped == 6
