"""Where a CPU training step's time goes: the same few steps under each speed lever, timed in one process.

`microllm train-profile --config configs/finetune-gemma-lora.yaml` runs every variant of ``LEVERS`` (each is a set of
overrides on the config) for a few optimizer steps and writes ``results/finetune/profile-<run>/metrics.json``: the
median seconds per step (first step excluded: it warms caches and allocators), answer tokens per step and the
projected minutes per epoch. Variants run one after the other, never beside each other: on two cores a second job
would halve both.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path

from microllm.config import load_config, save_config
from microllm.provenance import provenance
from microllm.train.config import FinetuneConfig

# From what TRL does by default on CPU to what this project ships; each row adds one lever to the previous one.
LEVERS: list[tuple[str, dict]] = [
    ("TRL defaults: full prompt, checkpointing, full LM head",
     {"system_prompt": "full", "max_length": 1024, "gradient_checkpointing": True, "compact_lm_head": False}),
    ("+ one-line system prompt", {"system_prompt": "short", "max_length": 256}),
    ("+ no activation checkpointing", {"gradient_checkpointing": False}),
    ("+ LM head over answer tokens only", {"compact_lm_head": True}),
    ("+ bf16 autocast", {"bf16": True}),
]  # fmt: skip


def _step_timer():
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.times: list[float] = []
            self.t0 = 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            self.t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.times.append(time.perf_counter() - self.t0)

    return StepTimer()


def time_steps(cfg: FinetuneConfig, steps: int) -> dict:
    """Train ``cfg`` for ``steps`` optimizer steps in a scratch directory; the per-step wall times."""
    from microllm.train.model import compact_lm_head
    from microllm.train.sft import build_trainer

    with tempfile.TemporaryDirectory(prefix="microllm-profile-") as tmp:
        cfg = dataclasses.replace(cfg, max_steps=steps, val_file=None, eval_every=None, save_every=10**9,
                                  output_dir=tmp, results_dir=tmp, log_every=10**9)  # fmt: skip
        timer = _step_timer()
        trainer, facts = build_trainer(cfg, callbacks=[timer])
        sample = trainer.train_dataset.select(range(min(64, len(trainer.train_dataset))))
        tokens = [len(ex["input_ids"]) for ex in sample]  # prompt + answer: what the backbone processes
        with compact_lm_head(cfg.compact_lm_head):
            trainer.train()
    warm = timer.times[1:] or timer.times
    median = statistics.median(warm)
    steps_per_epoch = -(-facts["examples"] // (cfg.batch_size * cfg.grad_accum))
    return {"step_seconds": [round(t, 3) for t in timer.times], "seconds_per_step": round(median, 3),
            "minutes_per_epoch": round(median * steps_per_epoch / 60, 1), "steps_per_epoch": steps_per_epoch,
            "tokens_per_example": round(statistics.mean(tokens), 1)}  # fmt: skip


def profile_levers(cfg: FinetuneConfig, steps: int = 6, levers: list[tuple[str, dict]] | None = None,
                   out_dir: str | Path | None = None) -> dict:  # fmt: skip
    """Time ``steps`` steps of ``cfg`` under each cumulative lever set; write and return the table."""
    out = Path(out_dir or Path("results", "finetune", f"profile-{cfg.run}"))
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    rows, overrides = [], {}
    for name, change in levers or LEVERS:
        overrides.update(change)
        variant = dataclasses.replace(cfg, **overrides)
        # The full prompt is ~10x the tokens: fewer steps keep the slow variants affordable.
        n = max(2, steps // 2) if variant.system_prompt == "full" else steps
        result = time_steps(variant, n)
        rows.append({"variant": name, "overrides": dict(overrides), "steps": n, **result})
        print(json.dumps(rows[-1]), flush=True)
    base = rows[0]["seconds_per_step"]
    for row in rows:
        row["speedup_vs_first"] = round(base / row["seconds_per_step"], 2)
    metrics = {"run": cfg.run, "base_model": cfg.base_model, "method": cfg.method, "batch_size": cfg.batch_size,
               "variants": rows, "provenance": provenance({"train": cfg.train_file})}  # fmt: skip
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def main_profile(config_path: str | Path | None, overrides: list[str] | None = None, steps: int = 6) -> dict:
    """What `microllm train-profile --config PATH [--steps N]` runs."""
    return profile_levers(load_config(FinetuneConfig, config_path, overrides), steps=steps)
