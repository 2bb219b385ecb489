"""Notebook 06's run-or-record step: the feedback-loop simulation's metrics, rendered from results/feedback/<run>/
when the model it starts from is not on this machine."""

from __future__ import annotations

import json
from pathlib import Path

from microllm.feedback.simulate import SimulateConfig, simulate_or_load


def simulate_or_record(cfg: SimulateConfig) -> dict:
    """:func:`microllm.feedback.simulate.simulate_or_load` when ``cfg.initial_model`` is on disk (reused when this
    exact config made the run, else simulated again); without it, the recorded metrics of the run (nothing is
    trained). FileNotFoundError when there is neither."""
    if Path(cfg.initial_model).exists():
        return simulate_or_load(cfg)
    record = cfg.out_dir / "metrics.json"
    if not record.is_file():
        raise FileNotFoundError(f"{cfg.initial_model} is not on disk and {record} does not exist: train it first")
    return json.loads(record.read_text())
