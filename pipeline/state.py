"""The state index of a dataset directory: what it holds, so that a run knows what to skip.

DIR/_state/state.sqlite maps every article id to the content hash of the version the dataset
holds and the partition of its rows, and lists the bad input records already logged in the
rejects table. It is derived data: `rebuild` recomputes it from the tables themselves.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.writer import dataset
from schemas import Reject

log = logging.getLogger("waqai")

# The tables a run writes (other tables, such as clusters, are derived by other commands).
RUN_TABLES = ("events", "articles", "rejects")
# Rejects that come from an article's content (screening, a processing failure) rather than from
# where it was read: they belong to that version of the article and go when a newer one comes.
CONTENT_REJECT_CODES = frozenset(
    {"empty", "oversize", "binary", "html", "not_arabic", "processing_error"}
)
STATE_FILE = Path("_state") / "state.sqlite"


def record_key(
    input: str, line: int | None, article_id: str | None, reason_code: str, snippet: str | None
) -> str:
    """Identity of a bad input record: where it was met, what it was, why it was rejected."""
    raw = json.dumps([input, line, article_id, reason_code, snippet], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def reject_key(reject: Reject) -> str:
    return record_key(
        reject.input, reject.line, reject.article_id, reject.reason_code, reject.snippet
    )


@dataclass(frozen=True)
class Known:
    """What the state knows of an article: its content hash and the partition of its rows."""

    content_sha256: str
    year: str
    month: str


class State:
    """The index in DIR/_state/state.sqlite.

    - `articles`: article id → content_sha256 of the version in the dataset and the partition
      (year, month) that holds its rows (articles, events and content rejects alike);
    - `records`: keys of the bad input records already in the rejects table.

    It is derived data: `rebuild` recomputes it from the dataset itself, for a dataset written
    by `waqai extract` or when the file is lost. Lookups go to disk (no full load), so the index
    scales to millions of articles.
    """

    _SCHEMA = (
        "CREATE TABLE IF NOT EXISTS articles (article_id TEXT PRIMARY KEY, content_sha256 TEXT"
        " NOT NULL, year TEXT NOT NULL, month TEXT NOT NULL, run_id TEXT) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, run_id TEXT) WITHOUT ROWID",
    )

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        with self.db:
            for statement in self._SCHEMA:
                self.db.execute(statement)

    @classmethod
    def open(cls, out_dir: Path) -> State:
        """The directory's state, rebuilt from the dataset when there is none yet."""
        path = out_dir / STATE_FILE
        if not path.exists() and any((out_dir / name).is_dir() for name in RUN_TABLES):
            rebuild(out_dir, path)
        return cls(path)

    def article(self, article_id: str) -> Known | None:
        row = self.db.execute(
            "SELECT content_sha256, year, month FROM articles WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        return Known(*row) if row else None

    def has_record(self, key: str) -> bool:
        found = self.db.execute("SELECT 1 FROM records WHERE key = ?", (key,)).fetchone()
        return found is not None

    def apply(self, articles: Sequence[Sequence[str]], records: Sequence[str], run_id: str) -> None:
        """Upsert articles (id, sha, year, month) and record keys, in one transaction."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)",
                [(*row, run_id) for row in articles],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO records VALUES (?, ?)", [(k, run_id) for k in records]
            )

    def counts(self) -> tuple[int, int]:
        articles = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        records = self.db.execute("SELECT count(*) FROM records").fetchone()[0]
        return int(articles), int(records)

    def close(self) -> None:
        self.db.close()


def rebuild(out_dir: Path, path: Path) -> None:
    """Derive the state from the dataset's articles and rejects tables (atomically).

    Articles rejected for their content have no hash in the dataset: they are recorded with
    an empty one, so the next run processes them once more and replaces their reject rows.
    """
    log.info("%s: building the state index from the dataset", out_dir)
    temporary = path.parent / f".{path.name}.rebuild"
    temporary.unlink(missing_ok=True)
    state = State(temporary)
    articles: dict[str, tuple[str, str, str, str]] = {}
    table = dataset(out_dir, "articles").to_table(
        columns=["article_id", "content_sha256", "year", "month"]
    )
    for row in table.to_pylist():
        articles[row["article_id"]] = (
            row["article_id"],
            row["content_sha256"],
            row["year"],
            row["month"],
        )
    records: list[str] = []
    columns = ["input", "line", "article_id", "reason_code", "snippet", "year", "month"]
    for row in dataset(out_dir, "rejects").to_table(columns=columns).to_pylist():
        if row["reason_code"] in CONTENT_REJECT_CODES and row["article_id"]:
            articles.setdefault(
                row["article_id"], (row["article_id"], "", row["year"], row["month"])
            )
        else:
            records.append(
                record_key(
                    row["input"], row["line"], row["article_id"], row["reason_code"], row["snippet"]
                )
            )
    state.apply(list(articles.values()), records, "rebuilt")
    state.close()
    os.replace(temporary, path)
