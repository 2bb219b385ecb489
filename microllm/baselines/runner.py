"""Score every baseline on every data set of a BaselineConfig and write one summary table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from microllm.config import BaselineConfig, save_config
from microllm.evaluate import evaluate
from microllm.predictors import get_predictor


def make_baseline(name: str, cfg: BaselineConfig):
    """Construct a baseline predictor with the config's training data where it needs some."""
    return get_predictor(name, train_file=cfg.train_file, seed=cfg.seed) if name == "classic" else get_predictor(name)


def summary_row(metrics: dict, dataset: str) -> dict:
    """The headline columns of one evaluation."""
    lo, hi = metrics["exact_match_ci95"]
    return {
        "predictor": metrics["predictor"],
        "dataset": dataset,
        "n": metrics["n"],
        "exact_match": metrics["exact_match"],
        "em_ci95_low": lo,
        "em_ci95_high": hi,
        "field_f1": metrics["field_f1"],
        "action_accuracy": metrics["action_accuracy"],
        "valid_json_rate": metrics["valid_json_rate"],
    }


def run_baselines(cfg: BaselineConfig, command: str | None = None) -> pd.DataFrame:
    """Evaluate each predictor on each dataset; metrics per pair under results/eval, a summary under
    results/baselines/ (with the config that made it)."""
    results = Path(cfg.results_dir)
    rows = []
    for name in cfg.predictors:
        predictor = make_baseline(name, cfg)
        for dataset, path in cfg.datasets.items():
            out = results / "eval" / name / dataset
            metrics = evaluate(predictor, path, out, cfg.limit, cfg.bootstrap_resamples, cfg.seed, command)
            rows.append(summary_row(metrics, dataset))
    table = pd.DataFrame(rows)
    out_dir = results / "baselines"
    save_config(cfg, out_dir / "config.yaml")
    (out_dir / "summary.json").write_text(json.dumps(rows, indent=2) + "\n")
    (out_dir / "summary.md").write_text(table.to_markdown(index=False, floatfmt=".3f") + "\n")
    return table
