"""Shared fixtures. Tests that need the Stanza models are marked `stanza`; they run in CI too,
with the models from ../shared/models/stanza (or WAQAI_STANZA_DIR)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.models import check_models, resolve_models_dir

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SHARED = ROOT.parent / "shared"


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(scope="session")
def models_dir() -> Path:
    directory = resolve_models_dir()
    try:
        check_models(directory)
    except Exception as error:  # pragma: no cover - depends on the machine
        pytest.fail(f"Stanza models are required for this test: {error}")
    return directory


@pytest.fixture(scope="session")
def samples_dataset(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[Path]:
    """The sample articles extracted once for every test that reads the resulting dataset."""
    from pipeline.runner import extract

    out = tmp_path_factory.mktemp("samples") / "out"
    extract([SAMPLES], out, models_dir=models_dir, run_id="test-run")
    yield out
