"""Where a training run restarts: its own last checkpoint (``resume``) or another run's (``continue_from``)."""

from __future__ import annotations

from pathlib import Path

from microllm.data.io import read_jsonl
from microllm.train.config import FinetuneConfig


def last_checkpoint(output_dir: str | Path) -> tuple[str | None, int | None]:
    """The newest ``checkpoint-N`` in ``output_dir`` and its step, or (None, None)."""
    from transformers.trainer_utils import get_last_checkpoint

    path = get_last_checkpoint(output_dir) if Path(output_dir).is_dir() else None
    return (path, int(path.rsplit("-", 1)[-1])) if path else (None, None)


def run_dir(cfg: FinetuneConfig, run: str) -> Path:
    """Another run's output_dir: ``run`` itself when it is a directory, else a run name beside ``cfg``'s own."""
    path = Path(run)
    return path if path.is_dir() else Path(cfg.output_dir).parent / run


def continue_point(cfg: FinetuneConfig) -> tuple[str, int, list[dict]]:
    """The checkpoint, step and log rows (up to that step) of the run ``cfg.continue_from`` names."""
    src = run_dir(cfg, cfg.continue_from)
    checkpoint, step = last_checkpoint(src)
    if checkpoint is None:
        raise FileNotFoundError(f"continue_from={cfg.continue_from!r}: no checkpoint-N under {src}")
    log = Path(cfg.results_dir).parent / src.name / "train_log.jsonl"
    rows = [r for r in read_jsonl(log) if r["step"] <= step] if log.exists() else []
    return checkpoint, step, rows


def init_point(cfg: FinetuneConfig) -> Path:
    """The final model directory (``merged/``) of the run ``cfg.init_from`` names."""
    model_dir = run_dir(cfg, cfg.init_from) / "merged"
    if not (model_dir / "config.json").exists():
        raise FileNotFoundError(f"init_from={cfg.init_from!r}: no finished model at {model_dir} (train that run first)")
    return model_dir
