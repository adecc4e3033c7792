"""A run's progress: a bar with articles/s and ETA on a terminal, plain periodic lines otherwise.

Nightly runs mostly write to a log file or a cron mail, where a redrawn bar is noise: there a
line every `interval` seconds says how far the run is, how fast it goes and when it will end.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Reporter(Protocol):
    """Shows a run's progress: `start` with the number of articles to process, then `advance`."""

    def start(self, total: int) -> None: ...

    def advance(self, articles: int, events: int) -> None: ...

    def stop(self) -> None: ...


class QuietReporter:
    """Shows nothing (library use, tests)."""

    def start(self, total: int) -> None:
        return None

    def advance(self, articles: int, events: int) -> None:
        return None

    def stop(self) -> None:
        return None


def _stderr_line(text: str) -> None:
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} waqai run: {text}", file=sys.stderr, flush=True)


class LogReporter:
    """A plain line every `interval` seconds, and one when the run is through."""

    def __init__(self, interval: float = 30.0, emit: Callable[[str], None] = _stderr_line) -> None:
        self.interval = interval
        self.emit = emit
        self.total = 0
        self.done = 0
        self.started = self.last = 0.0

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self.started = self.last = time.monotonic()
        self.emit(f"{total} articles to process")

    def advance(self, articles: int, events: int) -> None:
        self.done += articles
        now = time.monotonic()
        if now - self.last >= self.interval or self.done >= self.total:
            self.last = now
            self.emit(self.line(now - self.started, events))

    def line(self, elapsed: float, events: int) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = str(dt.timedelta(seconds=round(left))) if left is not None else "?"
        share = 100 * self.done / self.total if self.total else 100.0
        return (
            f"{self.done}/{self.total} articles ({share:.0f}%), {rate:.2f} articles/s, "
            f"{events} events, ETA {eta}"
        )

    def stop(self) -> None:
        return None


class RichReporter:
    """A progress bar: done/total articles, articles/s since the start, events, elapsed, ETA."""

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("[bold]waqai run"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("articles  {task.fields[rate]}  {task.fields[events]} events"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
        )
        self.task: Any = None
        self.started = 0.0
        self.done = 0

    def start(self, total: int) -> None:
        self.progress.start()
        self.started = time.monotonic()
        self.task = self.progress.add_task("run", total=total, rate="", events=0)

    def advance(self, articles: int, events: int) -> None:
        self.done += articles
        elapsed = time.monotonic() - self.started
        rate = f"{self.done / elapsed:.2f} articles/s" if elapsed > 0 else ""
        self.progress.update(self.task, advance=articles, rate=rate, events=events)

    def stop(self) -> None:
        self.progress.stop()


def make_reporter(terminal: bool, interval: float = 30.0) -> Reporter:
    """A bar on a terminal, plain lines every `interval` seconds elsewhere."""
    return RichReporter() if terminal else LogReporter(interval)
