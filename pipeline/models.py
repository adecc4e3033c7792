"""Where the Stanza models come from, and loading them once per process.

Resolution order: the `--models` option, then `WAQAI_STANZA_DIR`, then `../shared/models/stanza`
beside the project (the project's offline models), then Stanza's default resources directory.
Extraction never downloads: the pipeline is built with `download_method=None`, and
`waqai models download` is the one explicit way to fetch models on a connected machine.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

PROCESSORS = "tokenize,mwt,ner"
LANGUAGE = "ar"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_MODELS = PROJECT_ROOT.parent / "shared" / "models" / "stanza"


class ModelsMissingError(RuntimeError):
    """The Arabic Stanza models are not where we looked."""


def stanza_default_dir() -> Path:
    return Path(os.environ.get("STANZA_RESOURCES_DIR", Path.home() / "stanza_resources"))


def resolve_models_dir(option: Path | None = None) -> Path:
    """The Stanza resources directory to use (it may not hold the models: see `check_models`)."""
    if option is not None:
        return option
    env = os.environ.get("WAQAI_STANZA_DIR")
    if env:
        return Path(env)
    if SHARED_MODELS.is_dir():
        return SHARED_MODELS
    return stanza_default_dir()


def check_models(directory: Path) -> None:
    """Raise ModelsMissingError with one line saying both ways to fix it."""
    if not (directory / "resources.json").is_file() or not (directory / LANGUAGE).is_dir():
        raise ModelsMissingError(
            f"Arabic Stanza models not found in {directory}: run `waqai models download` on a "
            "connected machine, or point --models / WAQAI_STANZA_DIR at a Stanza resources "
            "directory that has them (e.g. ../shared/models/stanza)."
        )


@functools.cache
def load_pipeline(directory: Path) -> Any:
    """The Stanza pipeline for `directory`, built once per process, never downloading."""
    check_models(directory)
    import stanza  # deferred: importing torch costs seconds that screening-only runs skip

    return stanza.Pipeline(
        LANGUAGE,
        processors=PROCESSORS,
        dir=str(directory),
        download_method=None,
        logging_level="WARN",
        use_gpu=False,
    )


def download_models(directory: Path) -> None:
    """Fetch the Arabic models into `directory` (needs the network: for connected machines)."""
    import stanza

    stanza.download(LANGUAGE, model_dir=str(directory), processors=PROCESSORS)
