"""Draw a random sample of multi-report clusters for a manual check of the merges.

Prints, for each sampled cluster, a Markdown heading and a table of its members (outlet,
publication day, sub-type, place, date with its flags, the start of the evidence sentence),
ready to be judged by a reader of Arabic and pasted into docs/dedup.md. With `--full`, the
whole evidence sentences are printed, for the judging itself.

    .venv/bin/python bench/sample_clusters.py out/ant --seed 404 --n 30 [--full]

The sample is the n clusters with several reports whose sha256 of "seed:cluster_id" is
smallest: one seed always draws the same clusters from one dataset, and a cluster that a change
of the rules leaves as it was stays in the sample (so a re-check only judges the clusters that
changed).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.clusters import load_clusters, load_events
from schemas.models import Cluster, Event

EVIDENCE_CHARS = 70


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def render(cluster: Cluster, members: list[Event], number: int, full: bool) -> str:
    outlets = len({e.source for e in members})
    lines = [
        f"### {number}. `{cluster.cluster_id}` — {cluster.sub_event_type}, "
        f"{cluster.location}, {cluster.event_date} ({cluster.n_events} reports, "
        f"{cluster.n_articles} articles, {outlets} outlet{'s' if outlets > 1 else ''})",
        "",
        "| outlet | published | sub-type | place | date | evidence |",
        "|---|---|---|---|---|---|",
    ]
    for event in sorted(members, key=lambda e: (e.published is None, e.published, e.event_id)):
        flags = [f for f in event.flags if f.startswith("date") or f in ("alleged", "denied")]
        date = f"{event.event_date}" + (f" ({' '.join(flags)})" if flags else "")
        evidence = event.sentence if full else event.sentence[:EVIDENCE_CHARS].rstrip() + " …"
        published = event.published.date() if event.published else "-"
        place = event.location or event.location_text or "-"
        lines.append(
            f"| {event.source or '-'} | {published} | {event.sub_event_type} | {place} | "
            f"{date} | {_cell(evidence)} |"
        )
    lines += ["", "**Verdict:** ", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--seed", type=int, default=404)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--full", action="store_true", help="print whole evidence sentences")
    args = parser.parse_args()
    events = {e.event_id: e for e in load_events(args.dataset)}
    multi = [c for c in load_clusters(args.dataset) if c.n_events > 1]

    def draw(cluster: Cluster) -> str:
        return hashlib.sha256(f"{args.seed}:{cluster.cluster_id}".encode()).hexdigest()

    sample = sorted(multi, key=draw)[: args.n]
    for number, cluster in enumerate(sample, 1):
        members = [events[i] for i in cluster.event_ids if i in events]
        print(render(cluster, members, number, args.full))


if __name__ == "__main__":
    main()
