"""The `waqai` command line."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline import __version__
from pipeline.models import (
    ModelsMissingError,
    download_models,
    resolve_models_dir,
    stanza_default_dir,
)

app = typer.Typer(
    help="waqai: Arabic conflict news in, an ACLED-style event dataset (Parquet) out.",
    no_args_is_help=True,
    add_completion=False,
)
models_app = typer.Typer(help="Manage the Stanza Arabic models.", no_args_is_help=True)
app.add_typer(models_app, name="models")
console = Console(stderr=True)

ModelsOption = Annotated[
    Path | None,
    typer.Option(
        "--models",
        help="Stanza resources directory (default: $WAQAI_STANZA_DIR, ../shared/models/stanza, "
        "then Stanza's own directory).",
    ),
]
GazetteerOption = Annotated[
    Path | None,
    typer.Option("--gazetteer", help="Directory with a richer gazetteer (OpenSyria format)."),
]


def _fail(message: str) -> None:
    # Plain text, one line: rich would wrap a long message, and scripts grep for it.
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def extract(
    inputs: Annotated[list[Path], typer.Argument(help="JSON Lines, .txt, <DOC> files, .gz, dirs.")],
    out: Annotated[Path, typer.Option("--out", help="Output dataset directory.")],
    models: ModelsOption = None,
    gazetteer: GazetteerOption = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing dataset in --out.")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Articles per Stanza call and file.")] = 64,
    run_id: Annotated[str | None, typer.Option(help="Run identifier (default: UTC time).")] = None,
    max_chars: Annotated[int, typer.Option(help="Longest article processed, in characters.")] = (
        100_000
    ),
) -> None:
    """Extract events from articles into a Parquet dataset (events, articles, rejects)."""
    from pipeline.runner import RunSummary
    from pipeline.runner import extract as run_extract
    from pipeline.writer import TABLE_NAMES, has_dataset

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if has_dataset(out):
        if not overwrite:
            _fail(f"{out} already holds a dataset; use --overwrite to replace it")
        for name in TABLE_NAMES:
            shutil.rmtree(out / name, ignore_errors=True)
        # `waqai run`'s index describes the tables just removed: a later run rebuilds it.
        (out / "_state" / "state.sqlite").unlink(missing_ok=True)
    progress_line = sys.stderr.isatty()

    def report(summary: RunSummary) -> None:
        message = (
            f"{summary.articles_read} read, {summary.articles_processed} processed, "
            f"{summary.rejected} rejected, {summary.events} events"
        )
        if progress_line:
            console.print(message, end="\r")
        else:
            console.print(message)

    try:
        summary = run_extract(
            inputs,
            out,
            models_dir=models,
            gazetteer_dir=gazetteer,
            batch_size=batch_size,
            run_id=run_id,
            max_chars=max_chars,
            on_batch=report,
        )
    except ModelsMissingError as error:
        _fail(str(error))
        return
    table = Table(title=f"waqai {__version__} run {summary.run_id} → {out}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("records read", str(summary.articles_read))
    table.add_row("articles processed", str(summary.articles_processed))
    table.add_row("rejected", str(summary.rejected))
    for reason, count in sorted(summary.reject_reasons.items()):
        table.add_row(f"  rejected: {reason}", str(count))
    table.add_row("events", str(summary.events))
    for sub_event_type, count in sorted(summary.event_types.items(), key=lambda kv: -kv[1]):
        table.add_row(f"  {sub_event_type}", str(count))
    Console().print(table)


@app.command("eval")
def evaluate_command(
    out_dir: Annotated[Path, typer.Argument(help="Dataset directory written by extract.")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold events (JSON Lines).")],
    articles: Annotated[Path, typer.Option("--articles", help="The articles (JSON Lines).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score a dataset against gold events: precision, recall, F1, per-field accuracy."""
    from pipeline.evaluate import evaluate

    for path in (gold, articles, out_dir):
        if not path.exists():
            _fail(f"{path} does not exist")
    scores = evaluate(gold, articles, out_dir).as_dict()
    if as_json:
        print(json.dumps(scores, indent=2))
        return
    out = Console()
    head = Table(title="Typed events (same article, same event_type, place or evidence agree)")
    for column in ("precision", "recall", "F1", "TP", "FP", "pred", "gold req.", "optional hit"):
        head.add_column(column, justify="right")
    head.add_row(
        f"{scores['precision']:.3f}",
        f"{scores['recall']:.3f}",
        f"{scores['f1']:.3f}",
        str(scores["true_positive"]),
        str(scores["false_positive"]),
        str(scores["predictions"]),
        str(scores["gold_required"]),
        str(scores["matched_optional"]),
    )
    out.print(head)
    fields = Table(title="Field accuracy over matched events")
    fields.add_column("field")
    fields.add_column("accuracy", justify="right")
    fields.add_column("n", justify="right")
    for name, value in scores["fields"].items():
        fields.add_row(name, f"{value['accuracy']:.3f}", str(value["n"]))
    out.print(fields)
    types = Table(title="Per event type")
    for column in ("event_type", "P", "R", "F1", "TP", "FP", "gold req."):
        types.add_column(column)
    for name, value in scores["per_type"].items():
        types.add_row(
            name,
            f"{value['precision']:.3f}",
            f"{value['recall']:.3f}",
            f"{value['f1']:.3f}",
            str(value["tp"]),
            str(value["fp"]),
            str(value["gold_required"]),
        )
    out.print(types)


@app.command("cluster")
def cluster_command(
    out_dir: Annotated[Path, typer.Argument(help="Dataset directory written by extract.")],
    run_id: Annotated[str | None, typer.Option(help="Run identifier (default: UTC time).")] = None,
) -> None:
    """Group reports of one real-world event: (re)write the clusters table, keeping ids."""
    from pipeline.clusters import update_clusters

    if not (out_dir / "events").exists():
        _fail(f"{out_dir} holds no events table")
    summary = update_clusters(out_dir, run_id=run_id)
    table = Table(title=f"waqai cluster {summary.run_id} → {out_dir / 'clusters'}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("events", str(summary.events))
    table.add_row("clusters", str(summary.clusters))
    table.add_row("  with several reports", str(summary.multi_report))
    table.add_row("  events in those", str(summary.events_merged))
    table.add_row("new clusters", str(summary.new))
    table.add_row("changed clusters", str(summary.changed))
    table.add_row("unchanged clusters", str(summary.unchanged))
    table.add_row("clusters gone", str(summary.removed))
    table.add_row("files written", str(len(summary.files_written)))
    table.add_row("files removed", str(len(summary.files_removed)))
    Console().print(table)


@models_app.command("download")
def models_download(
    models: Annotated[
        Path | None,
        typer.Option("--models", help="Where to put them (default: Stanza's own directory)."),
    ] = None,
) -> None:
    """Download the Arabic tokenize, mwt and ner models (needs the network)."""
    directory = models or stanza_default_dir()
    try:
        download_models(directory)
    except Exception as error:  # stanza raises plain exceptions for network failures
        _fail(f"download into {directory} failed: {error}")
    console.print(f"models ready in {directory}")


@models_app.command("where")
def models_where(models: ModelsOption = None) -> None:
    """Print the models directory extraction would use, and whether the models are there."""
    from pipeline.models import check_models

    directory = resolve_models_dir(models)
    try:
        check_models(directory)
    except ModelsMissingError as error:
        _fail(str(error))
    print(directory)


@app.command()
def schema(
    table: Annotated[str, typer.Option(help="events, articles or rejects.")] = "events",
) -> None:
    """Print the JSON Schema of a table's model and its Arrow schema with descriptions."""
    from schemas.arrow import SCHEMAS
    from schemas.models import TABLES

    if table not in TABLES:
        _fail(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
    print(json.dumps(TABLES[table].model_json_schema(), indent=2, ensure_ascii=False))
    print()
    for arrow_field in SCHEMAS[table]:
        description = (arrow_field.metadata or {}).get(b"description", b"").decode()
        nullable = "" if arrow_field.nullable else " not null"
        print(f"{arrow_field.name}: {arrow_field.type}{nullable}  -- {description}")


@app.command()
def export(
    out_dir: Annotated[Path, typer.Argument(help="Dataset directory written by extract.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[
        str, typer.Option("--format", help="acled (ACLED's CSV columns), csv, jsonl or parquet.")
    ] = "acled",
    table: Annotated[
        str, typer.Option(help="events, articles, rejects or clusters (native formats only).")
    ] = "events",
) -> None:
    """Export a table to one file: ACLED-compatible CSV, or the native schema (docs/export.md)."""
    from pipeline.export import ExportError
    from pipeline.export import export as run_export

    try:
        rows = run_export(out_dir, out, fmt, table)
    except ExportError as error:
        _fail(str(error))
        return
    console.print(f"{rows} rows of {table} → {out} ({fmt})")


@app.command()
def report(
    out_dir: Annotated[Path, typer.Argument(help="Dataset directory written by extract.")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    title: Annotated[str | None, typer.Option(help="Page title.")] = None,
) -> None:
    """Write a self-contained HTML report: map, timeline, tolls, actors, events (docs/report.md)."""
    from pipeline.report import ReportError, write_report

    try:
        events = write_report(out_dir, out, title)
    except ReportError as error:
        _fail(str(error))
        return
    console.print(f"{events} events → {out}")


@app.command("run")
def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="JSON Lines, .txt, <DOC> files, .gz, dirs.")],
    out: Annotated[Path, typer.Option("--out", help="Dataset directory (created if needed).")],
    models: ModelsOption = None,
    gazetteer: GazetteerOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes, each loading Stanza once.")] = 1,
    engine: Annotated[str, typer.Option(help="local (this machine) or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a LocalCluster).")
    ] = None,
    torch_threads: Annotated[
        int | None, typer.Option(help="Torch threads per worker (default: 1; use --workers).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Articles per batch (one commit).")] = 64,
    run_id: Annotated[str | None, typer.Option(help="Run identifier (default: UTC time).")] = None,
    max_chars: Annotated[int, typer.Option(help="Longest article processed, in characters.")] = (
        100_000
    ),
    log_every: Annotated[
        float, typer.Option(help="Seconds between progress lines when not on a terminal.")
    ] = 30.0,
) -> None:
    """Add new and changed articles to a dataset; safe to interrupt and rerun (docs/scaling.md)."""
    import signal

    from pipeline.ingest import RunIdTakenError, RunOptions, run, summary_rows
    from pipeline.progress import make_reporter
    from pipeline.transaction import LockedError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as on Ctrl-C, recorded
    options = RunOptions(
        inputs=inputs,
        out_dir=out,
        models_dir=models,
        gazetteer_dir=gazetteer,
        batch_size=batch_size,
        run_id=run_id,
        max_chars=max_chars,
        workers=workers,
        engine=engine,
        scheduler=scheduler,
        torch_threads=torch_threads,
    )
    try:
        record = run(options, make_reporter(sys.stderr.isatty(), log_every))
    except (LockedError, RunIdTakenError, ModelsMissingError, ValueError) as error:
        _fail(str(error))
        return
    except KeyboardInterrupt:
        typer.echo("interrupted: the next run resumes where this one stopped", err=True)
        raise typer.Exit(130) from None
    table = Table(title=f"waqai {__version__} run {record.run_id} → {out}")
    table.add_column("what")
    table.add_column("value", justify="right")
    for what, value in summary_rows(record):
        table.add_row(what, value)
    Console().print(table)


@app.command("compact")
def compact_command(
    out_dir: Annotated[Path, typer.Argument(help="Dataset directory written by run or extract.")],
    small_mb: Annotated[float, typer.Option(help="Files under this size (MiB) are merged.")] = 32,
    target_mb: Annotated[float, typer.Option(help="Merged files grow to about this (MiB).")] = 256,
) -> None:
    """Merge each partition's small Parquet files; rows unchanged, partitions swapped atomically."""
    from pipeline.compact import compact
    from pipeline.transaction import LockedError

    if not out_dir.is_dir():
        _fail(f"{out_dir} is not a directory")
    try:
        summary = compact(out_dir, int(small_mb * 2**20), int(target_mb * 2**20))
    except LockedError as error:
        _fail(str(error))
        return
    console.print(
        f"{summary.partitions} partitions compacted: {summary.files_before} files → "
        f"{summary.files_after}, {summary.rows} rows merged"
    )


@app.command()
def version() -> None:
    """Print the waqai version."""
    print(__version__)


if __name__ == "__main__":
    app()
