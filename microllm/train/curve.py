"""The learning curve: the same fine-tuning on nested subsamples of the train split (250, 500, ... rows), each point
scored the same way on the same data, answering "how much data does a micro LLM need"."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from microllm.config import load_config, save_config
from microllm.provenance import provenance
from microllm.train.config import FinetuneConfig

# Overrides that change bookkeeping, not the trained weights: with only these, the all-rows point is the main run.
NEUTRAL = {"eval_every", "save_every", "save_total_limit", "log_every", "resume", "merge", "n_threads"}


@dataclass
class LearningCurveConfig:
    """One fine-tuning config trained at several train-set sizes; every point scored by one predictor set-up."""

    run: str = "learning-curve-gemma-lora"
    base_config: str = "research/gemma-lora/sft.yaml"
    sizes: list[int | None] = field(default_factory=lambda: [250, 500, 1000, 2000, None])  # None: all rows
    finetune: dict = field(default_factory=dict)  # FinetuneConfig overrides for every point
    predictor: str = "llamacpp"  # llamacpp: the merged model as a `gguf_quant` GGUF; transformers: the merged dir
    predictor_options: dict = field(default_factory=lambda: {"constrained": True, "max_tokens": 160})
    gguf_quant: str = "Q8_0"
    gguf_vocab_from: str | None = "gemma-3-270m"  # the merged dir has tokenizer.json but no tokenizer.model
    datasets: dict[str, str] = field(default_factory=lambda: {"dev": "data/eval/dev.jsonl",
                                                               "test": "data/synthetic/test.jsonl"})  # fmt: skip
    limits: dict[str, int] = field(default_factory=lambda: {"test": 60})
    results_dir: str = "results/finetune"
    artifacts_dir: str | None = None  # None: $MICROLLM_ARTIFACTS (artifacts/)

    def __post_init__(self):
        if any(s is not None and s < 1 for s in self.sizes):
            raise ValueError(f"sizes must be positive (or null for all rows), got {self.sizes}")

    @property
    def out(self) -> Path:
        return Path(self.results_dir) / self.run


def point_config(cfg: LearningCurveConfig, size: int | None) -> FinetuneConfig:
    """The fine-tuning config of one point. The all-rows point is the base config itself (its finished run is
    reused, not retrained); a subsample gets its own run name, artifacts and results folders."""
    if size is None and set(cfg.finetune) <= NEUTRAL:
        return load_config(FinetuneConfig, cfg.base_config)
    base = load_config(FinetuneConfig, cfg.base_config, [f"{k}={json.dumps(v)}" for k, v in cfg.finetune.items()])
    run = f"{base.run}-n{size or 'all'}"  # never the main run's name: its model must not be overwritten
    root = cfg.artifacts_dir or os.environ.get("MICROLLM_ARTIFACTS", "artifacts")
    values = {**asdict(base), "run": run, "max_examples": size, "output_dir": os.path.join(root, "finetune", run),
              "results_dir": str(cfg.out / f"n{size or 'all'}")}  # fmt: skip
    return FinetuneConfig(**values)


def score_point(cfg: LearningCurveConfig, model_dir: str | Path, out: Path) -> dict[str, dict]:
    """Metrics of one point's model on every dataset; reused when already scored for these very weights."""
    from microllm.evaluate import evaluate
    from microllm.predictors import get_predictor
    from microllm.quantize.cache import gguf_cache_name, gguf_for

    paths = {name: out / "eval" / name / "metrics.json" for name in cfg.datasets}
    done = {n: json.loads(p.read_text()) for n, p in paths.items() if p.exists()}
    if not Path(model_dir, "config.json").exists():
        if len(done) < len(cfg.datasets):  # nothing to score with: say which run to retrain
            raise FileNotFoundError(f"{model_dir} is gone and {out} lacks {sorted(set(cfg.datasets) - set(done))}")
        return {n: done[n] for n in cfg.datasets}  # the weights were deleted after scoring: the record stands
    stamp = gguf_cache_name(Path(model_dir), cfg.gguf_quant if cfg.predictor == "llamacpp" else "hf")
    done = {n: m for n, m in done.items() if m.get("weights") == stamp}
    todo = [n for n in cfg.datasets if n not in done]
    if todo:
        model = model_dir
        if cfg.predictor == "llamacpp":
            cache = Path(cfg.artifacts_dir or os.environ.get("MICROLLM_ARTIFACTS", "artifacts")) / "learning-curve"
            model = gguf_for(model_dir, cache, cfg.gguf_quant, cfg.gguf_vocab_from)
        predictor = get_predictor(cfg.predictor, model=str(model), **cfg.predictor_options)
        for name in todo:
            done[name] = evaluate(predictor, cfg.datasets[name], paths[name].parent, cfg.limits.get(name),
                                  command="microllm-research learning-curve", extra={"weights": stamp})  # fmt: skip
    return {n: done[n] for n in cfg.datasets}


def run_learning_curve(cfg: LearningCurveConfig, log=print) -> dict:
    """Train (or reuse) every point, score it, write config.yaml, curve.json and curve.png to results/.../<run>."""
    from microllm.train.sft import train_or_load

    cfg.out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, cfg.out / "config.yaml")
    points = []
    for size in sorted(cfg.sizes, key=lambda s: float("inf") if s is None else s):
        fcfg = point_config(cfg, size)
        log(f"learning curve: {fcfg.run} ({size or 'all'} rows)")
        out = cfg.out / f"n{size or 'all'}"
        scored = all((out / "eval" / name / "metrics.json").exists() for name in cfg.datasets)
        metrics = train_or_load(fcfg, require_model=not scored)
        scores = score_point(cfg, metrics["model_dir"], out)
        points.append({"size": size, "examples": metrics["examples"], "run": fcfg.run, "steps": metrics["steps"],
                       "train_minutes": round(metrics["seconds_total"] / 60, 1), "eval_loss": metrics["eval_loss"],
                       **{f"{n}_exact_match": m["exact_match"] for n, m in scores.items()},
                       **{f"{n}_ci95": m["exact_match_ci95"] for n, m in scores.items()},
                       **{f"{n}_n": m["n"] for n, m in scores.items()}})  # fmt: skip
    record = {"run": cfg.run, "points": points, "datasets": cfg.datasets, "limits": cfg.limits,
              "provenance": provenance({"train": point_config(cfg, None).train_file})}  # fmt: skip
    record = json.loads(json.dumps(record))  # as it reads back from curve.json (tuples become lists)
    path = cfg.out / "curve.json"
    old = json.loads(path.read_text()) if path.is_file() else None
    if old and {k: v for k, v in old.items() if k != "provenance"} == {k: v for k, v in record.items()
                                                                         if k != "provenance"}:  # fmt: skip
        record = old  # nothing new was measured: keep the record of the run that measured it (command, commit)
    else:
        path.write_text(json.dumps(record, indent=2) + "\n")
    if record is not old or not (cfg.out / "curve.png").is_file():
        plot_curve(record, cfg.out / "curve.png")
    return record


def plot_curve(record: dict, path: str | Path | None = None):
    """Exact match (95% CI) against train rows, one line per dataset, log-scaled x."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    points = record["points"]
    xs = [p["examples"] for p in points]
    for name in record["datasets"]:
        ys = [p[f"{name}_exact_match"] for p in points]
        lo = [y - p[f"{name}_ci95"][0] for y, p in zip(ys, points, strict=True)]
        hi = [p[f"{name}_ci95"][1] - y for y, p in zip(ys, points, strict=True)]
        ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=f"{name} (n={points[0][f'{name}_n']})")
    ax.set_xscale("log")
    ax.set(xlabel="train rows (nested subsamples)", ylabel="exact match", ylim=(0, 1), title=record["run"])
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    if path:
        fig.savefig(path, dpi=110)
    return fig


def curve_table(record: dict):
    """The curve as a table (one row per point)."""
    import pandas as pd

    cols = ["examples", "steps", "train_minutes", "eval_loss"]
    cols += [f"{n}_exact_match" for n in record["datasets"]]
    return pd.DataFrame(record["points"])[cols]


def smoke_curve_config(scratch: str | Path, base: FinetuneConfig) -> LearningCurveConfig:
    """A seconds-long curve for SMOKE notebooks: ``base`` (a tiny config) at 12 rows and at all its rows, scored on
    three dev rows through the transformers backend, everything under ``scratch``."""
    scratch = Path(scratch)
    save_config(base, scratch / "curve-base.yaml")
    return LearningCurveConfig(run="curve-smoke", base_config=str(scratch / "curve-base.yaml"), sizes=[12, None],
                               predictor="transformers",
                               predictor_options={"constrained": True, "max_tokens": 8, "n_threads": 1},
                               datasets={"dev": "data/eval/dev.jsonl"}, limits={"dev": 3},
                               results_dir=str(scratch / "results"), artifacts_dir=str(scratch / "art"))  # fmt: skip


def main_learning_curve(config_path: str | Path | None = None, overrides: list[str] | None = None) -> dict:
    """What `microllm-research learning-curve --config PATH --set key=value` runs."""
    return run_learning_curve(load_config(LearningCurveConfig, config_path, overrides))
