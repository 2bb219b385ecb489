"""One turn of the feedback loop: export reviewed decisions, retrain, evaluate, gate, register (and maybe promote).

``retrain(load_config(RetrainConfig, "configs/retrain.yaml"))``. Training and prediction are pluggable
(``trainer``, ``predictor_factory``) so the loop runs in tests with a tiny model or a stub.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microllm.data.io import write_jsonl
from microllm.evaluate import evaluate, read_gold
from microllm.feedback.export import EXPORTED, combined_train_file, export_rows
from microllm.feedback.gate import compact_metrics, decide
from microllm.feedback.registry import Registry
from microllm.provenance import file_sha256

START_FROM = ("current", "base")


@dataclass
class RetrainConfig:
    """Stage 7: retrain on the synthetic train split + reviewed decisions, and promote only through the gate."""

    run: str = "feedback"  # each retrain is run "<run>-v<N>", N the version it registers
    db_url: str = "sqlite:///artifacts/decisions.db"
    base_config: str = "research/gemma-lora/sft.yaml"  # the FinetuneConfig every retrain starts from
    finetune: dict[str, Any] = field(default_factory=dict)  # overrides of its fields (e.g. {epochs: 1})
    start_from: str = "current"  # "current": continue from the model in service (incremental); "base": from scratch
    initial_model: str | None = None  # registered and promoted as v1 when the registry is empty (the model in service)
    train_file: str = "data/synthetic/train.jsonl"
    feedback_repeat: int = 1  # each reviewed row appears this many times (they are few next to 3,015 synthetic rows)
    min_new_rows: int = 1  # fewer exportable reviewed rows: no retrain
    eval_sets: dict[str, str] = field(
        default_factory=lambda: {"test": "data/synthetic/test.jsonl", "dev": "data/eval/dev.jsonl"}
    )
    eval_limit: int | None = None  # a fixed hash-spread subset of each set (smoke runs); None = all rows
    n_resamples: int = 1000  # bootstrap resamples of the exact-match interval
    predictor: str = "transformers"
    predictor_options: dict[str, Any] = field(default_factory=dict)
    registry: str = "artifacts/registry.json"
    artifacts_dir: str = "artifacts/retrain"  # combined training file and model per run
    results_dir: str = "results/feedback"  # exports, rejects, evaluations, decisions, registry summary
    min_gain_points: float = 2.0
    max_category_drop_points: float = 5.0
    # The sets that decide a promotion. The human-written dev set is measured and recorded with every version, never
    # gated on: choosing models by their dev score would turn it into a selection set (it stays held out).
    gate_datasets: list[str] = field(default_factory=lambda: ["test"])
    min_category_n: int = 1

    def __post_init__(self):
        if not self.gate_datasets:
            raise ValueError("gate_datasets must name at least one eval set")
        if "dev" in self.gate_datasets:
            raise ValueError("the dev set must not decide promotions: it only ever measures (gate on test)")
        unknown = [d for d in self.gate_datasets if d not in self.eval_sets]
        if unknown:
            raise ValueError(f"gate_datasets {unknown} are not in eval_sets {sorted(self.eval_sets)}")
        if self.start_from not in START_FROM:
            raise ValueError(f"start_from must be one of {START_FROM}, got {self.start_from!r}")
        if self.feedback_repeat < 1:
            raise ValueError(f"feedback_repeat must be >= 1, got {self.feedback_repeat}")


def _log(msg: str) -> None:
    print(f"[retrain] {msg}", file=sys.stderr, flush=True)


def measure(cfg: RetrainConfig, predictor, out_dir: Path) -> dict:
    """Compact metrics of ``predictor`` on every eval set, with the data hash and limit that make them comparable."""
    out = {}
    for name, path in cfg.eval_sets.items():
        m = evaluate(predictor, path, out_dir / name, limit=cfg.eval_limit, n_resamples=cfg.n_resamples)
        out[name] = {**compact_metrics(m), "sha256": file_sha256(path), "limit": cfg.eval_limit}
    return out


def _comparable(stored: dict, cfg: RetrainConfig) -> bool:
    # Stored metrics count only if measured on the same bytes with the same subset; otherwise measure again.
    return all(name in stored and stored[name].get("sha256") == file_sha256(path)
               and stored[name].get("limit") == cfg.eval_limit for name, path in cfg.eval_sets.items())  # fmt: skip


def finetune_config(cfg: RetrainConfig, run: str, train_file: Path, current: dict | None):
    """The FinetuneConfig of one retrain: the base config, its overrides, this run's data and output folders."""
    from microllm.config import load_config
    from microllm.train import FinetuneConfig

    values = dataclasses.asdict(load_config(FinetuneConfig, cfg.base_config))
    unknown = set(cfg.finetune) - set(values)
    if unknown:
        raise ValueError(f"finetune overrides name no FinetuneConfig field: {sorted(unknown)}")
    values.update(cfg.finetune)
    if cfg.start_from == "current" and current is not None:
        values["base_model"] = current["model_path"]  # incremental: the model in service learns the new rows
    values.update(run=run, train_file=str(train_file), output_dir=str(Path(cfg.artifacts_dir) / run / "model"),
                  results_dir=str(Path(cfg.results_dir) / run / "train"))  # fmt: skip
    return FinetuneConfig(**values)


def default_predictor_factory(cfg: RetrainConfig) -> Callable:
    """model path -> the registered predictor ``cfg.predictor`` on that model, with ``cfg.predictor_options``."""
    from microllm.predictors import get_predictor

    return lambda model_path: get_predictor(cfg.predictor, model=str(model_path), **cfg.predictor_options)


def retrain(cfg: RetrainConfig, predictor_factory: Callable | None = None, trainer: Callable | None = None) -> dict:
    """Run one turn of the loop; return the report written to ``results_dir/<run>/retrain.json``."""
    from microllm.feedback.store import DecisionStore

    predictor_factory = predictor_factory or default_predictor_factory(cfg)
    if trainer is None:
        from microllm.train import train as trainer
    registry = Registry(cfg.registry)
    held_out = [r["input"] for path in cfg.eval_sets.values() for r in read_gold(path)]
    rows, rejects = export_rows(DecisionStore(cfg.db_url).decisions(status=EXPORTED), held_out)
    _log(f"{len(rows)} reviewed rows exported, {len(rejects)} refused")
    current = registry.current()
    if current is None and cfg.initial_model and len(rows) >= cfg.min_new_rows:  # measured only when needed
        _log(f"empty registry: measuring {cfg.initial_model} as v1")
        out = Path(cfg.results_dir) / "initial" / "eval"
        v1 = registry.register(cfg.initial_model, "initial", measure(cfg, predictor_factory(cfg.initial_model), out))
        current = registry.promote(v1["id"])
    run = f"{cfg.run}-v{len(registry.versions()) + 1}"
    work, results = Path(cfg.artifacts_dir) / run, Path(cfg.results_dir) / run
    write_jsonl(rows, work / "feedback.jsonl")
    # Rejects without their text: the report is committed, user requests are not (they stay in the store).
    report = {"run": run, "new_rows": len(rows), "rejects": [{k: v for k, v in r.items() if k != "input"}
              for r in rejects], "parent": current["id"] if current else None}  # fmt: skip
    if len(rows) < cfg.min_new_rows:
        report.update(status="skipped", reason=f"{len(rows)} new rows < min_new_rows={cfg.min_new_rows}")
    else:
        train_file = combined_train_file(cfg.train_file, rows, work / "train.jsonl", cfg.feedback_repeat)
        ft = finetune_config(cfg, run, train_file, current)
        _log(f"training {run} from {ft.base_model}")
        train_metrics = trainer(ft)
        model_dir = train_metrics.get("model_dir") or ft.output_dir
        candidate = measure(cfg, predictor_factory(model_dir), results / "eval" / "candidate")
        baseline = None
        if current is not None:
            baseline = current["metrics"]
            if not _comparable(baseline, cfg):
                _log(f"re-measuring {current['id']} on the same data")
                baseline = measure(cfg, predictor_factory(current["model_path"]), results / "eval" / "current")
        decision = decide(candidate, baseline, cfg.min_gain_points, cfg.max_category_drop_points,
                          cfg.gate_datasets, cfg.min_category_n)  # fmt: skip
        version = registry.register(model_dir, run, candidate, parent=report["parent"], gate=decision.to_dict(),
                                    train_steps=train_metrics.get("steps"))  # fmt: skip
        if decision.promote:
            registry.promote(version["id"])
        status = "promoted" if decision.promote else "refused"
        report.update(status=status, version=version["id"], base_model=ft.base_model, candidate=candidate,
                      current=baseline, gate=decision.to_dict())  # fmt: skip
        _log(f"{version['id']}: {report['status']} ({'; '.join(decision.reasons)})")
    results.mkdir(parents=True, exist_ok=True)
    (results / "retrain.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    registry.write_summary(Path(cfg.results_dir) / "registry.json")
    return report


def main_retrain(config_path: str | Path | None = None, overrides: list[str] | None = None) -> dict:
    """What `microllm retrain --config PATH --set key=value` runs."""
    from microllm.config import load_config

    return retrain(load_config(RetrainConfig, config_path, overrides))
