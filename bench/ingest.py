"""Ingestion benchmark: `waqai run` with 1 and 2 workers against raw Stanza, and a re-run.

On the first `--limit` articles of the input, in one invocation:

1. raw Stanza: `bulk_process` (tokenize, mwt, ner) on the very paragraphs waqai sends it, in
   batches of `--batch-size` articles; only the Stanza calls are timed;
2. `waqai run` with 1 worker, then with 2 workers, each a fresh process into a fresh dataset:
   articles/s and sentences/s over the processing phase (models loaded; from the run record),
   the command's wall time, and the peak RSS of every worker process;
3. `waqai run` again on the unchanged input into the 1-worker dataset: its wall time as a share
   of the full 1-worker run's.

Prints a Markdown table (for docs/performance.md) and writes every figure as JSON. Not a test:
the machine's other load changes the figures, so the load average is reported with them.

    .venv/bin/python bench/ingest.py --limit 2000 [--input ../shared/corpus/ant/...jsonl.gz]
        [--batch-size 64] [--workers 1 2] [--torch-threads T] [--json FILE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest import fingerprint, load_run_record  # noqa: E402
from pipeline.models import load_pipeline, resolve_models_dir  # noqa: E402
from pipeline.nlp import paragraphs  # noqa: E402
from pipeline.parallel import DEFAULT_TORCH_THREADS  # noqa: E402
from pipeline.readers import ReadArticle, read_inputs  # noqa: E402
from pipeline.runner import Settings, prepare  # noqa: E402

DEFAULT_INPUT = ROOT.parent / "shared" / "corpus" / "ant" / "ant_syria_2018.jsonl.gz"


def take(source: Path, limit: int, target: Path) -> int:
    """Copy the first `limit` lines of a (gzipped) JSON Lines file; returns how many."""
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as handle, target.open("w") as out:
        lines = list(itertools.islice(handle, limit))
        out.writelines(lines)
    return len(lines)


def raw_stanza(source: Path, batch_size: int, threads: int) -> dict[str, Any]:
    """Time Stanza alone on the paragraphs of the articles waqai would send it."""
    import stanza
    import torch

    torch.set_num_threads(threads)
    nlp = load_pipeline(resolve_models_dir())
    settings = Settings(run_id="bench", models_dir=resolve_models_dir())
    docs = []
    for item in read_inputs([source], "bench"):
        if isinstance(item, ReadArticle):
            prepared = prepare(item, settings)
            if not hasattr(prepared, "reason_code"):
                docs.append(prepared)
    nlp.bulk_process([stanza.Document([], text="تمهيد.")])  # first call: lazy initialisation
    seconds = cpu_seconds = 0.0
    sentences = 0
    for start in range(0, len(docs), batch_size):
        inputs = [
            stanza.Document([], text=doc.text[a:b])
            for doc in docs[start : start + batch_size]
            for a, b in paragraphs(doc.text)
        ]
        began, cpu = time.perf_counter(), time.process_time()
        results = nlp.bulk_process(inputs)
        seconds += time.perf_counter() - began
        cpu_seconds += time.process_time() - cpu
        sentences += sum(len(r.sentences) for r in results)
    return {
        "articles": len(docs),
        "torch_threads": threads,
        "sentences": sentences,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "articles_per_s": round(len(docs) / seconds, 3),
        "sentences_per_s": round(sentences / seconds, 3),
        "articles_per_cpu_s": round(len(docs) / cpu_seconds, 4),
    }


def waqai_run(
    source: Path, out: Path, run_id: str, workers: int, batch_size: int, threads: int | None
) -> dict[str, Any]:
    """`waqai run` in a fresh process; figures from its run record and the wall clock."""
    command = [sys.executable, "-m", "pipeline.cli", "run", str(source), "--out", str(out),
               "--workers", str(workers), "--batch-size", str(batch_size), "--run-id", run_id,
               "--log-every", "120"]  # fmt: skip
    if threads is not None:
        command += ["--torch-threads", str(threads)]
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    record = load_run_record(out, run_id)
    cpu = sum(w["cpu_seconds"] for w in record["workers"].values())
    processed = record["counts"]["processed"]
    return {
        "workers": workers,
        "torch_threads": threads or DEFAULT_TORCH_THREADS,
        "wall_s": round(wall, 2),
        "counts": record["counts"],
        "timings": record["timings"],
        "cpu_seconds": round(cpu, 2),
        "articles_per_cpu_s": round(processed / cpu, 4) if cpu else None,
        "peak_rss_mb": {name: w["peak_rss_mb"] for name, w in record["workers"].items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="Torch threads per worker and for raw Stanza (default: waqai's default, 1).",
    )
    parser.add_argument("--json", type=Path, default=None, help="Write the figures here.")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the datasets here.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="waqai-bench-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    source = work / "articles.jsonl"
    figures: dict[str, Any] = {
        "input": str(args.input),
        "articles_in": take(args.input, args.limit, source),
        "batch_size": args.batch_size,
        "cpus": os.cpu_count(),
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
    }
    threads = args.torch_threads
    figures["raw_stanza"] = raw_stanza(source, args.batch_size, threads or DEFAULT_TORCH_THREADS)
    print(f"raw Stanza: {figures['raw_stanza']}", flush=True)
    runs = {}
    for workers in args.workers:
        out = work / f"workers-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        runs[workers] = waqai_run(
            source, out, f"bench-{workers}", workers, args.batch_size, threads
        )
        print(f"waqai run, {workers} worker(s): {runs[workers]}", flush=True)
    figures["runs"] = runs
    first = args.workers[0]
    rerun = waqai_run(
        source, work / f"workers-{first}", "bench-rerun", first, args.batch_size, threads
    )
    figures["rerun"] = rerun
    figures["rerun_ratio"] = round(rerun["wall_s"] / runs[first]["wall_s"], 4)
    raw = figures["raw_stanza"]
    figures["ratio_to_raw"] = {
        w: round(r["timings"]["articles_per_s"] / raw["articles_per_s"], 3) for w, r in runs.items()
    }
    # the same comparison per CPU second, which the machine's other load disturbs less
    figures["cpu_ratio_to_raw"] = {
        w: round(r["articles_per_cpu_s"] / raw["articles_per_cpu_s"], 3) for w, r in runs.items()
    }
    if len(runs) > 1:
        prints = [
            {t: fingerprint(work / f"workers-{w}", t) for t in ("events", "articles", "rejects")}
            for w in args.workers
        ]
        figures["same_rows_for_every_worker_count"] = all(p == prints[0] for p in prints)
    figures["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["largest_child_rss_mb"] = round(children, 1)
    figures["bench_process_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    print()
    print(table(figures))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


def table(figures: dict[str, Any]) -> str:
    raw = figures["raw_stanza"]
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| articles (processed by Stanza) | {raw['articles']} |",
        f"| raw Stanza tokenize+mwt+ner, {raw['torch_threads']} torch thread(s) | "
        f"{raw['articles_per_s']:.2f} articles/s, {raw['sentences_per_s']:.1f} sentences/s |",
    ]
    for workers, run in figures["runs"].items():
        timings = run["timings"]
        rss = ", ".join(f"{v:.0f}" for v in run["peak_rss_mb"].values())
        lines += [
            f"| waqai run, {workers} worker(s) × {run['torch_threads']} torch thread(s) | "
            f"{timings['articles_per_s']:.2f} articles/s, "
            f"{timings['sentences_per_s']:.1f} sentences/s (×{figures['ratio_to_raw'][workers]:.2f}"
            f" raw Stanza; per CPU second ×{figures['cpu_ratio_to_raw'][workers]:.2f}); "
            f"{run['wall_s']:.0f} s wall, of which {timings['load_s']:.0f} s loading models |",
            f"| peak RSS per worker, {workers} worker(s) | {rss} MiB |",
        ]
    lines.append(
        f"| unchanged re-run | {figures['rerun']['wall_s']:.2f} s wall = "
        f"{100 * figures['rerun_ratio']:.2f}% of the full 1-worker run |"
    )
    lines.append(
        f"| load average before / after | {figures['load_average_before']} / "
        f"{figures['load_average_after']} on {figures['cpus']} CPUs |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
