"""docs/notebooks/analysis.ipynb runs on a small dataset and computes what its tables claim.

The notebook reads the dataset directory from WAQAI_DATASET; here that is the fixture dataset,
and the numbers the notebook computes are checked against ones computed from the fixture rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from tests.analyst_fixtures import write_fixture_dataset
from tests.conftest import ROOT

NOTEBOOK = ROOT / "docs" / "notebooks" / "analysis.ipynb"

PROBE = """
import json
print(json.dumps({
    "weekly": {f"{week:%Y-%m-%d}|{kind}": int(n)
               for week, row in weekly.iterrows() for kind, n in row.items() if n},
    "tolls": {name: [int(v) for v in row] for name, row in tolls.iterrows()},
    "actors": [[row["actor"], row["events"]] for row in actors.to_dicts()],
    "dataset": str(DATASET),
}))
"""


def test_committed_notebook_has_no_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_notebook_runs_on_a_small_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = write_fixture_dataset(tmp_path / "dataset")
    monkeypatch.setenv("WAQAI_DATASET", str(tmp_path / "dataset"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # IPC sockets in a private directory: no TCP port to race other processes for.
    kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "kernel"))
    client = NotebookClient(
        notebook,
        km=kernel,
        timeout=180,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        probe = nbformat.v4.new_code_cell(PROBE)  # run in the same kernel, after the notebook
        notebook.cells.append(probe)
        client.execute_cell(probe, len(notebook.cells) - 1)
    (output,) = [o for o in probe.outputs if o.output_type == "stream"]
    result = json.loads(output.text)
    assert result["dataset"] == str(tmp_path / "dataset")

    weeks: Counter[str] = Counter()
    for event in events:
        if event.event_date is not None:
            monday = event.event_date - dt.timedelta(days=event.event_date.weekday())
            weeks[f"{monday:%Y-%m-%d}|{event.event_type}"] += 1
    assert result["weekly"] == dict(weeks)

    tolls: dict[str, list[int]] = {}
    for event in events:
        row = tolls.setdefault(event.admin1 or "(unknown)", [0, 0, 0, 0])
        row[0] += 1
        row[1] += event.fatalities
        row[2] += event.killed_low or 0
        row[3] += event.injured_low or 0
    assert result["tolls"] == tolls
    by_toll = sorted(tolls, key=lambda name: (-tolls[name][1], -tolls[name][0], name))
    assert list(result["tolls"]) == by_toll  # most fatalities first

    involved: Counter[str] = Counter()
    for event in events:
        involved.update({a for a in (event.actor1, event.actor2) if a})
    expected = sorted(involved.items(), key=lambda kv: (-kv[1], kv[0]))
    assert [tuple(a) for a in result["actors"]] == expected

    figures = [o for cell in notebook.cells for o in cell.get("outputs", []) if "data" in o]
    assert any("image/png" in o["data"] for o in figures)  # the weekly chart was drawn
