"""Safe changes to a dataset directory: one process at a time, and all or nothing.

`DirLock` gives one process the directory (`waqai run`, `waqai compact`). A `Transaction` is
a set of file moves, deletions, partition swaps and state updates that `commit` makes durable
in a journal (DIR/_state/journal.json) before carrying them out; every step can be repeated,
so `recover` finishes whatever a killed process left half done. New and rewritten files are
first written under DIR/_state/staging, where readers do not look, and appear by an atomic
rename: a reader never sees a partial file.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import json
import logging
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.state import State

log = logging.getLogger("waqai")

STATE_DIR = "_state"
SWAP_MARKER = ".waqai-swap"
# Called at the steps of a commit with (step, label): lets tests stop a process at a precise point.
Hook = Callable[[str, str], None]


def state_dir(out_dir: Path) -> Path:
    return out_dir / STATE_DIR


def staging_dir(out_dir: Path) -> Path:
    return out_dir / STATE_DIR / "staging"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_json_atomic(value: Any, path: Path) -> None:
    """Write JSON so that the file is either the old one or the complete new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class LockedError(RuntimeError):
    """Another process is working on the dataset directory."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


@dataclass
class DirLock:
    """Exclusive use of a dataset directory, through DIR/_state/lock.

    flock(2) on the lock file does the locking, so the lock goes with the holder's last file
    descriptor: a holder killed by kill -9 holds nothing. The file also carries a note of who
    holds it (command, run, pid, host, since when) for the message a second process gets. A
    note found while the lock is free was left by a holder that died: the lock was stale, and
    `stale` keeps that note. Where the filesystem cannot flock, the note's pid decides.
    """

    out_dir: Path
    command: str
    stale: dict[str, Any] | None = None
    _fd: int | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return state_dir(self.out_dir) / "lock"

    def acquire(self, run_id: str = "") -> DirLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            note = self._read(fd)
            os.close(fd)
            raise LockedError(self._message(note)) from None
        except OSError as error:  # no flock here (some network filesystems): trust the pid
            note = self._read(fd)
            if note and self._holder_alive(note):
                os.close(fd)
                raise LockedError(self._message(note)) from error
        note = self._read(fd)
        self.stale = note or None
        if self.stale:
            log.warning(
                "%s: taking over a stale lock of %s (pid %s on %s, run %s), whose holder died",
                self.out_dir,
                note.get("command"),
                note.get("pid"),
                note.get("host"),
                note.get("run_id"),
            )
        self._fd = fd
        self.note(run_id)
        return self

    def note(self, run_id: str) -> None:
        """Record who holds the lock (for the message another process gets)."""
        if self._fd is None:
            return
        note = {
            "command": self.command,
            "run_id": run_id,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": utc_now(),
        }
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(note).encode(), 0)
        os.fsync(self._fd)

    def release(self) -> None:
        """Clear the note and unlock. The file stays: removing it would race with openers."""
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> DirLock:
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    @staticmethod
    def _read(fd: int) -> dict[str, Any]:
        raw = os.pread(fd, 4096, 0)
        try:
            note = json.loads(raw) if raw.strip() else {}
        except ValueError:
            note = {"pid": None, "note": raw.decode("utf-8", "replace")}
        return note if isinstance(note, dict) else {}

    @staticmethod
    def _holder_alive(note: dict[str, Any]) -> bool:
        if note.get("host") != socket.gethostname():
            return True  # cannot tell for another machine: assume it is working
        pid = note.get("pid")
        return isinstance(pid, int) and _pid_alive(pid)

    def _message(self, note: dict[str, Any]) -> str:
        who = (
            f"`waqai {note.get('command', '?')}` (run {note.get('run_id') or '?'}, "
            f"pid {note.get('pid', '?')} on {note.get('host', '?')}, since "
            f"{note.get('since', '?')})"
            if note
            else "another process"
        )
        return f"{self.out_dir} is in use by {who}; wait for it to finish (lock file: {self.path})"


class JournalError(RuntimeError):
    """The journal names a change that can neither be made nor found made."""


@dataclass
class Transaction:
    """One atomic change of a dataset directory. Paths are relative to the directory.

    `moves` put staged files in place (new files, or rewrites of existing ones); `deletes`
    remove files; `swaps` replace a partition directory by its staged copy under
    staging/swap/ (compaction); `articles` and `records` are the state updates.
    """

    label: str
    run_id: str = ""
    moves: list[tuple[str, str]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    swaps: list[str] = field(default_factory=list)
    articles: list[tuple[str, str, str, str]] = field(default_factory=list)
    records: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Transaction:
        return cls(
            label=value["label"],
            run_id=value.get("run_id", ""),
            moves=[(a, b) for a, b in value.get("moves", [])],
            deletes=list(value.get("deletes", [])),
            swaps=list(value.get("swaps", [])),
            articles=[(a, b, c, d) for a, b, c, d in value.get("articles", [])],
            records=list(value.get("records", [])),
        )


def journal_path(out_dir: Path) -> Path:
    return state_dir(out_dir) / "journal.json"


def commit(out_dir: Path, state: State | None, txn: Transaction, hook: Hook | None = None) -> None:
    """Make `txn` durable in the journal, apply it, and forget it (and what was staged)."""
    write_json_atomic(asdict(txn), journal_path(out_dir))
    if hook:
        hook("journaled", txn.label)
    apply(out_dir, state, txn, hook)
    journal_path(out_dir).unlink()
    shutil.rmtree(staging_dir(out_dir), ignore_errors=True)


def apply(out_dir: Path, state: State | None, txn: Transaction, hook: Hook | None = None) -> None:
    """Carry out a transaction; every step can be repeated (a replay after a crash)."""
    for source, target in txn.moves:
        _move(out_dir / source, out_dir / target)
        if hook:
            hook("moved", txn.label)
    for relative in txn.deletes:
        path = out_dir / relative
        path.unlink(missing_ok=True)
        _prune_empty(path.parent)
    for relative in txn.swaps:
        _swap(out_dir, relative)
        if hook:
            hook("swapped", txn.label)
    if txn.articles or txn.records:
        if state is None:
            raise JournalError(f"transaction {txn.label!r} updates the state, but none is open")
        state.apply(txn.articles, txn.records, txn.run_id)
    if hook:
        hook("applied", txn.label)


def recover(out_dir: Path, state: State | None) -> Transaction | None:
    """Finish the transaction a killed process left behind, and drop uncommitted staged files."""
    path = journal_path(out_dir)
    replayed = None
    if path.exists():
        replayed = Transaction.from_json(json.loads(path.read_text("utf-8")))
        log.warning("%s: finishing %s, left unfinished by a killed run", out_dir, replayed.label)
        apply(out_dir, state, replayed)
        path.unlink()
    shutil.rmtree(staging_dir(out_dir), ignore_errors=True)
    return replayed


def _move(source: Path, target: Path) -> None:
    if source.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    elif not target.exists():
        raise JournalError(f"neither {source} nor {target} exists")


def _prune_empty(directory: Path) -> None:
    """Remove partition directories (name=value) that deletions left empty."""
    while "=" in directory.name:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


def exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange):
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(first))
    return True


def _swap(out_dir: Path, relative: str) -> None:
    """Replace a directory by its staged copy, which carries SWAP_MARKER until cleaned up."""
    target = out_dir / relative
    staged = staging_dir(out_dir) / "swap" / relative
    old = staging_dir(out_dir) / "swap-old" / relative
    if not (target / SWAP_MARKER).exists() and staged.exists():
        if not target.exists():
            os.replace(staged, target)  # the second half of a two-rename swap
        elif not exchange(staged, target):  # (after an exchange, the old tree is at `staged`)
            old.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, old)
            os.replace(staged, target)
    shutil.rmtree(staged, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    (target / SWAP_MARKER).unlink(missing_ok=True)
