"""The shipped micro model: the fine-tuned, quantized GGUF the recipe builds, used whenever no model is named.

The recipe folder (``recipes/qwen-coder-0.5b-lora/``) says which file it ships and how to decode it
(``decode.yaml``: predictor, GGUF path, prompt format, constrained and grounded decoding, the intent rules). There is
deliberately no fallback to an untuned base model: a missing file stops the caller with one line saying how to build
it, since an untuned model answers plausibly and wrongly.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
RECIPE = "qwen-coder-0.5b-lora"
RECIPE_DIR = REPO_ROOT / "recipes" / RECIPE
DECODE_FILE = RECIPE_DIR / "decode.yaml"
MODEL_ENV = "MICROLLM_MODEL"  # a path that replaces the recipe's file (another build, another location)
BUILD_COMMAND = "make all"


class ModelNotBuilt(FileNotFoundError):
    """The shipped micro model's file does not exist (yet): the message says how to build it."""


def shipped_decoding() -> dict:
    """The recipe's decoding settings: ``{"predictor": ..., "kwargs": {...}}`` from ``decode.yaml``, with the model
    path made absolute (relative paths in the recipe are relative to the repository root, where ``make`` builds).

    Every other kwarg passes through as written, ``rules`` (the intent rules the recipe pins) included."""
    spec = yaml.safe_load(DECODE_FILE.read_text(encoding="utf-8"))
    kwargs = dict(spec.get("kwargs") or {})
    model = Path(kwargs["model"])
    kwargs["model"] = str(model if model.is_absolute() else REPO_ROOT / model)
    return {"predictor": spec.get("predictor", "llamacpp"), "kwargs": kwargs}


def shipped_model_path() -> Path:
    """Where the shipped micro model's GGUF is expected: ``$MICROLLM_MODEL`` if set, else the recipe's file.
    The file may not exist."""
    override = os.environ.get(MODEL_ENV, "").strip()
    return Path(override).expanduser() if override else Path(shipped_decoding()["kwargs"]["model"])


def require_shipped_model() -> Path:
    """The shipped micro model's path when its file exists, else :class:`ModelNotBuilt` with the build command."""
    path = shipped_model_path()
    if path.is_file():
        return path
    source = f"${MODEL_ENV}" if os.environ.get(MODEL_ENV, "").strip() else "the shipped micro model"
    raise ModelNotBuilt(f"{source} is not built ({path} is missing): build it with `{BUILD_COMMAND}` "
                        f"(or `make recipe`), or name a model with --model")  # fmt: skip
