"""The pipeline, top to bottom: read → screen → normalize → Stanza → events → dedup → Parquet.

`process_batch` is the unit of work: a list of articles in, the rows of the three tables out.
It is a plain function of its inputs so that a single process, a pool of workers or a cluster
can run it and get the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.dedup import deduplicate
from pipeline.document import Document
from pipeline.events import Context, extract_events, make_context
from pipeline.gazetteer import Gazetteer
from pipeline.models import load_pipeline, resolve_models_dir
from pipeline.nlp import annotate
from pipeline.normalize import clean_text
from pipeline.readers import ReadArticle, read_inputs, snippet
from pipeline.screen import DEFAULT_MAX_CHARS, screen
from pipeline.writer import DatasetWriter
from schemas import ArticleRecord, Event, Reject

log = logging.getLogger("waqai")
DEFAULT_BATCH_SIZE = 64


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%SZ")


def content_sha256(title: str | None, text: str) -> str:
    return hashlib.sha256(f"{title or ''}\n\n{text}".encode()).hexdigest()


@dataclass
class BatchResult:
    events: list[Event] = field(default_factory=list)
    articles: list[ArticleRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


@dataclass
class Settings:
    """Everything a worker needs to build its own pipeline (picklable)."""

    run_id: str
    models_dir: Path
    gazetteer_dir: Path | None = None
    max_chars: int = DEFAULT_MAX_CHARS


def _reject(record: ReadArticle, code: str, reason: str, run_id: str) -> Reject:
    return Reject(
        input=record.input,
        line=record.line,
        article_id=record.article.id,
        reason_code=code,
        reason=reason,
        snippet=snippet(record.article.text),
        published=record.article.published,
        run_id=run_id,
    )


def prepare(record: ReadArticle, settings: Settings) -> Document | Reject:
    """Normalize and screen one article: a document ready for Stanza, or a reject."""
    text = clean_text(record.article.text)
    verdict = screen(text, settings.max_chars)
    if verdict is not None:
        return _reject(record, verdict.code, verdict.reason, settings.run_id)
    return Document(
        article=record.article,
        input=record.input,
        text=text,
        content_sha256=content_sha256(record.article.title, text),
    )


def finish(doc: Document, context: Context) -> tuple[list[Event], ArticleRecord]:
    """Events of one annotated document, deduplicated, and its articles-table row."""
    extract_events(doc, context)
    doc.events = deduplicate(doc.events, doc.sentences)
    record = ArticleRecord(
        article_id=doc.article.id,
        source=doc.article.source,
        url=doc.article.url,
        title=doc.article.title,
        published=doc.article.published,
        text=doc.text,
        n_chars=len(doc.text),
        n_sentences=len(doc.sentences),
        n_events=len(doc.events),
        content_sha256=doc.content_sha256,
        input=doc.input,
        run_id=context.run_id,
    )
    return doc.events, record


class Extractor:
    """Holds the loaded models; `process_batch` turns articles into table rows."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.nlp = load_pipeline(settings.models_dir)
        self.context = make_context(Gazetteer.load(settings.gazetteer_dir), settings.run_id)

    def process_batch(self, records: list[ReadArticle]) -> BatchResult:
        result = BatchResult()
        docs: list[Document] = []
        for record in records:
            prepared = prepare(record, self.settings)
            if isinstance(prepared, Reject):
                result.rejects.append(prepared)
            else:
                docs.append(prepared)
        try:
            annotate(docs, self.nlp)
        except Exception:  # one bad article must not sink the batch: retry one by one
            log.exception("Stanza failed on a batch; retrying article by article")
            survivors = []
            for doc in docs:
                try:
                    annotate([doc], self.nlp)
                    survivors.append(doc)
                except Exception as error:
                    result.rejects.append(self._failed(doc, f"Stanza failed: {error}"))
            docs = survivors
        for doc in docs:
            try:
                events, article = finish(doc, self.context)
            except Exception as error:
                log.exception("extraction failed on %s", doc.article.id)
                result.rejects.append(self._failed(doc, f"extraction failed: {error!r}"))
                continue
            result.events.extend(events)
            result.articles.append(article)
        return result

    def _failed(self, doc: Document, reason: str) -> Reject:
        record = ReadArticle(doc.article, doc.input, None)
        return _reject(record, "processing_error", reason, self.settings.run_id)


def unique_articles(
    records: Iterable[ReadArticle | Reject], run_id: str
) -> Iterator[ReadArticle | Reject]:
    """Turn a second article with an id already seen in this run into a reject."""
    seen: set[str] = set()
    for record in records:
        if isinstance(record, ReadArticle):
            if record.article.id in seen:
                yield _reject(
                    record,
                    "duplicate_id",
                    f"article id {record.article.id!r} already read earlier in this run",
                    run_id,
                )
                continue
            seen.add(record.article.id)
        yield record


def batched(
    records: Iterable[ReadArticle | Reject], size: int
) -> Iterator[tuple[list[ReadArticle], list[Reject]]]:
    """Groups of up to `size` articles, with the rejects met while reading them."""
    iterator = iter(records)
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield (
            [r for r in chunk if isinstance(r, ReadArticle)],
            [r for r in chunk if isinstance(r, Reject)],
        )


@dataclass
class RunSummary:
    run_id: str
    out_dir: Path
    articles_read: int = 0
    articles_processed: int = 0
    rejected: int = 0
    events: int = 0
    reject_reasons: dict[str, int] = field(default_factory=dict)
    event_types: dict[str, int] = field(default_factory=dict)

    def add(self, result: BatchResult, read: int) -> None:
        self.articles_read += read
        self.articles_processed += len(result.articles)
        self.rejected += len(result.rejects)
        self.events += len(result.events)
        for reject in result.rejects:
            self.reject_reasons[reject.reason_code] = (
                self.reject_reasons.get(reject.reason_code, 0) + 1
            )
        for event in result.events:
            self.event_types[event.sub_event_type] = (
                self.event_types.get(event.sub_event_type, 0) + 1
            )


def extract(
    inputs: list[Path],
    out_dir: Path,
    models_dir: Path | None = None,
    gazetteer_dir: Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    run_id: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_batch: Callable[[RunSummary], Any] | None = None,
) -> RunSummary:
    """Process every input into the dataset at `out_dir`; returns what was done."""
    settings = Settings(
        run_id=run_id or new_run_id(),
        models_dir=resolve_models_dir(models_dir),
        gazetteer_dir=gazetteer_dir,
        max_chars=max_chars,
    )
    extractor = Extractor(settings)
    writer = DatasetWriter(out_dir, settings.run_id)
    summary = RunSummary(settings.run_id, out_dir)
    records = unique_articles(read_inputs(inputs, settings.run_id), settings.run_id)
    for articles, read_rejects in batched(records, batch_size):
        result = extractor.process_batch(articles)
        result.rejects = read_rejects + result.rejects
        writer.write("events", result.events)
        writer.write("articles", result.articles)
        writer.write("rejects", result.rejects)
        summary.add(result, len(articles) + len(read_rejects))
        if on_batch is not None:
            on_batch(summary)
    log.info("run %s: %s", settings.run_id, summary)
    return summary


__all__ = ["BatchResult", "Extractor", "RunSummary", "Settings", "__version__", "extract"]
