"""Which operators a training step spends its time in: torch's profiler over a few steps of a config.

`microllm-research train-profile --config PATH --ops` writes ``results/finetune/profile-<run>-ops/metrics.json``: each
operator's own CPU seconds per step (children excluded, so the rows add up to the step), its share and calls per
step, plus the wall time of the profiled steps. The levers of profile.py are chosen from this table.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from pathlib import Path

from microllm.config import load_config, save_config
from microllm.provenance import provenance
from microllm.train.config import FinetuneConfig


def _profiler_callback(first: int, last: int):
    import torch
    from transformers import TrainerCallback

    class OpProfiler(TrainerCallback):
        """Profiles optimizer steps ``first`` .. ``last - 1`` (0-based), after the warm-up steps."""

        def __init__(self):
            self.prof = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU])
            self.t0 = self.wall = 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step == first:
                self.prof.start()
                self.t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == last:  # global_step counts the step just done
                self.prof.stop()
                self.wall = time.perf_counter() - self.t0

    return OpProfiler()


def op_table(events, steps: int, top: int) -> list[dict]:
    """The ``top`` operators by own CPU time from a profiler's ``key_averages()``, per step."""
    rows = sorted(events, key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in rows) or 1
    return [{"op": e.key, "self_seconds_per_step": round(e.self_cpu_time_total / 1e6 / steps, 3),
             "share": round(e.self_cpu_time_total / total, 3), "calls_per_step": round(e.count / steps, 1)}
            for e in rows[:top]]  # fmt: skip


def profile_ops(cfg: FinetuneConfig, warmup: int = 2, steps: int = 2, top: int = 20,
                out_dir: str | Path | None = None) -> dict:  # fmt: skip
    """Train ``warmup + steps`` steps of ``cfg`` in a scratch directory, profiling the last ``steps``; write and
    return the operator table."""
    from microllm.train.model import compact_lm_head
    from microllm.train.sft import build_trainer

    out = Path(out_dir or Path("results", "finetune", f"profile-{cfg.run}-ops"))
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    with tempfile.TemporaryDirectory(prefix="microllm-ops-") as tmp:
        run = dataclasses.replace(cfg, max_steps=warmup + steps, val_file=None, eval_every=None, save_every=10**9,
                                  output_dir=tmp, results_dir=tmp, log_every=10**9)  # fmt: skip
        profiler = _profiler_callback(warmup, warmup + steps)
        trainer, _ = build_trainer(run, callbacks=[profiler])
        with compact_lm_head(run.compact_lm_head):
            trainer.train()
    ops = op_table(profiler.prof.key_averages(), steps, top)
    metrics = {"run": cfg.run, "base_model": cfg.base_model, "method": cfg.method, "batch_size": cfg.batch_size,
               "warmup_steps": warmup, "profiled_steps": steps,
               # the profiler's own overhead included: compare shares, and seconds only between op profiles
               "wall_seconds_per_step": round(profiler.wall / steps, 3),
               "ops": ops, "provenance": provenance({"train": cfg.train_file})}  # fmt: skip
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def main_ops(config_path: str | Path, overrides: list[str] | None = None, steps: int = 2,
             out_dir: str | None = None) -> dict:  # fmt: skip
    """What `microllm-research train-profile --config PATH --ops [--steps N]` runs."""
    return profile_ops(load_config(FinetuneConfig, config_path, overrides), steps=steps, out_dir=out_dir)
