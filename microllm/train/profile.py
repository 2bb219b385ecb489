"""Where a CPU training step's time goes: the same few steps under each speed lever, timed one after the other.

`microllm-research train-profile --config research/gemma-lora/sft.yaml` runs every variant of ``LEVERS`` (each is a
set of overrides on the config) for a few optimizer steps and writes ``results/finetune/profile-<run>/metrics.json``:
the median seconds per step (first step excluded: it warms caches and allocators), answer tokens per step and the
projected minutes per epoch. Variants run one after the other, never beside each other: on two cores a second job
would halve both. With ``timeout_s`` each variant runs in a child process and is stopped at that budget: a lever
that is many times slower on some CPU (bf16 without AVX-512) is recorded as at least the time its unfinished step has
taken, instead of holding the profile for hours.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import queue
import statistics
import tempfile
import time
from pathlib import Path

from microllm.config import load_config, save_config
from microllm.provenance import provenance
from microllm.train.config import FinetuneConfig
from microllm.train.memory import usage, usage_delta

# From what TRL does by default on CPU to what this project ships; each row adds one lever to the previous one.
LEVERS: list[tuple[str, dict]] = [
    ("TRL defaults: full prompt, checkpointing, full LM head",
     {"system_prompt": "full", "max_length": 1024, "gradient_checkpointing": True, "compact_lm_head": False}),
    ("+ one-line system prompt", {"system_prompt": "short", "max_length": 256}),
    ("+ no activation checkpointing", {"gradient_checkpointing": False}),
    ("+ LM head over answer tokens only", {"compact_lm_head": True}),
    ("+ bf16 autocast", {"bf16": True}),
]  # fmt: skip
# The shipped config in both precisions: bf16 autocast is fast only where torch has bf16 kernels (train/precision.py).
PRECISION_LEVERS: list[tuple[str, dict]] = [("fp32 (bf16 off)", {"bf16": False}), ("bf16 autocast", {"bf16": True})]
# glibc malloc's default (large blocks mmapped, unmapped on free) against freed memory kept (train/memory.py)
MEMORY_LEVERS: list[tuple[str, dict]] = [("glibc malloc defaults", {"keep_freed_memory": False}),
                                         ("+ freed memory kept", {"keep_freed_memory": True})]  # fmt: skip
# LoRA dropout draws a Bernoulli mask over every adapted layer's input each step: on CPU a quarter of a Qwen step
# (train-profile --ops); p=0 makes PEFT skip it (other numbers than the recorded runs, so configs keep theirs)
DROPOUT_LEVERS: list[tuple[str, dict]] = [("shipped LoRA dropout", {}), ("no LoRA dropout", {"lora_dropout": 0.0})]
LEVER_SETS = {"speed": LEVERS, "precision": PRECISION_LEVERS, "memory": MEMORY_LEVERS, "dropout": DROPOUT_LEVERS}


def _step_timer(events=None):
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.times: list[float] = []
            self.usage: list[dict] = []  # page faults and user/sys CPU seconds of each step
            self.t0, self.u0 = 0.0, {}

        def on_step_begin(self, args, state, control, **kwargs):
            self.t0, self.u0 = time.perf_counter(), usage()
            if events is not None:
                events.put(("step_begin", time.time()))

        def on_step_end(self, args, state, control, **kwargs):
            self.times.append(time.perf_counter() - self.t0)
            self.usage.append(usage_delta(self.u0, usage()))
            if events is not None:
                events.put(("step_end", self.times[-1]))

    return StepTimer()


def _child(cfg: FinetuneConfig, steps: int, events) -> None:
    events.put(("done", time_steps(cfg, steps, events)))


def time_steps_within(cfg: FinetuneConfig, steps: int, timeout_s: float | None, isolate: bool = False) -> dict:
    """:func:`time_steps` in a child process, stopped after ``timeout_s`` (loading included): then the steps that
    finished and ``unfinished_step_seconds``, how long the running step had taken, a lower bound on its time.
    Without a timeout it runs in this process, unless ``isolate`` (a fresh allocator per variant)."""
    if timeout_s is None and not isolate:
        return time_steps(cfg, steps)
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no torch threads or allocator state shared
    events = ctx.Queue()
    child = ctx.Process(target=_child, args=(cfg, steps, events), daemon=True)
    deadline = time.time() + (timeout_s if timeout_s is not None else float("inf"))
    done, began, times = None, None, []
    child.start()
    while done is None and time.time() < deadline:
        try:
            kind, value = events.get(timeout=max(0.1, min(5.0, deadline - time.time())))
        except queue.Empty:
            continue
        if kind == "done":
            done = value
        elif kind == "step_begin":
            began = value
        else:
            times.append(value)
            began = None
    if done is not None:
        child.join()
        return done
    child.kill()
    child.join()
    unfinished = round(time.time() - began, 1) if began is not None else None
    return {"step_seconds": [round(t, 3) for t in times], "seconds_per_step": None, "timed_out": True,
            "timeout_s": timeout_s, "unfinished_step_seconds": unfinished}  # fmt: skip


def time_steps(cfg: FinetuneConfig, steps: int, events=None) -> dict:
    """Train ``cfg`` for ``steps`` optimizer steps in a scratch directory; the per-step wall times."""
    from microllm.train.model import compact_lm_head
    from microllm.train.sft import build_trainer

    with tempfile.TemporaryDirectory(prefix="microllm-profile-") as tmp:
        cfg = dataclasses.replace(cfg, max_steps=steps, val_file=None, eval_every=None, save_every=10**9,
                                  output_dir=tmp, results_dir=tmp, log_every=10**9)  # fmt: skip
        timer = _step_timer(events)
        trainer, facts = build_trainer(cfg, callbacks=[timer])
        sample = trainer.train_dataset.select(range(min(64, len(trainer.train_dataset))))
        tokens = [len(ex["input_ids"]) for ex in sample]  # prompt + answer: what the backbone processes
        with compact_lm_head(cfg.compact_lm_head):
            trainer.train()
    warm = timer.times[1:] or timer.times
    median = statistics.median(warm)
    warm_usage = timer.usage[1:] or timer.usage
    steps_per_epoch = -(-facts["examples"] // (cfg.batch_size * cfg.grad_accum))
    return {"step_seconds": [round(t, 3) for t in timer.times], "seconds_per_step": round(median, 3),
            "minutes_per_epoch": round(median * steps_per_epoch / 60, 1), "steps_per_epoch": steps_per_epoch,
            "tokens_per_example": round(statistics.mean(tokens), 1),
            # where the time went: the kernel's share (page faults zero-filling memory) against the math's
            "minor_faults_per_step": round(statistics.median(u["minor_faults"] for u in warm_usage)),
            "sys_seconds_per_step": round(statistics.median(u["sys_s"] for u in warm_usage), 3),
            "user_seconds_per_step": round(statistics.median(u["user_s"] for u in warm_usage), 3),
            "freed_memory_kept": facts["freed_memory_kept"]}  # fmt: skip


def profile_levers(cfg: FinetuneConfig, steps: int = 6, levers: list[tuple[str, dict]] | None = None,
                   out_dir: str | Path | None = None, timeout_s: float | None = None) -> dict:  # fmt: skip
    """Time ``steps`` steps of ``cfg`` under each cumulative lever set (each within ``timeout_s``, when given);
    write and return the table."""
    out = Path(out_dir or Path("results", "finetune", f"profile-{cfg.run}"))
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    rows, overrides = [], {}
    # mallopt is process-wide and for good: memory variants each need a process of their own
    isolate = any("keep_freed_memory" in change for _, change in levers or LEVERS)
    for name, change in levers or LEVERS:
        overrides.update(change)
        variant = dataclasses.replace(cfg, **overrides)
        # The full prompt is ~10x the tokens: fewer steps keep the slow variants affordable.
        n = max(2, steps // 2) if variant.system_prompt == "full" else steps
        result = time_steps_within(variant, n, timeout_s, isolate)
        rows.append({"variant": name, "overrides": dict(overrides), "steps": n, **result})
        print(json.dumps(rows[-1]), flush=True)
    base = rows[0]["seconds_per_step"]
    for row in rows:
        t = row["seconds_per_step"] or row.get("unfinished_step_seconds")  # a timed-out step: at most this speedup
        row["speedup_vs_first"] = round(base / t, 2) if base and t else None
    metrics = {"run": cfg.run, "base_model": cfg.base_model, "method": cfg.method, "batch_size": cfg.batch_size,
               "timeout_s": timeout_s, "variants": rows,
               "provenance": provenance({"train": cfg.train_file})}  # fmt: skip
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def main_profile(config_path: str | Path | None, overrides: list[str] | None = None, steps: int = 6,
                 levers: str = "speed", timeout_s: float | None = None,
                 out_dir: str | None = None) -> dict:  # fmt: skip
    """What `microllm-research train-profile --config PATH [--steps N] [--levers NAME] [--timeout-s S]` runs."""
    cfg = load_config(FinetuneConfig, config_path, overrides)
    return profile_levers(cfg, steps=steps, levers=LEVER_SETS[levers], out_dir=out_dir, timeout_s=timeout_s)
