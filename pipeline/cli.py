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
def version() -> None:
    """Print the waqai version."""
    print(__version__)


if __name__ == "__main__":
    app()
