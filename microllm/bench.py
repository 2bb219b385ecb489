"""Latency and throughput benchmark: models side by side in one process, interleaved, medians over repeats.

Not a test: tests check correctness, this measures speed (`microllm bench --config research/base-models/bench.yaml`).
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from microllm.config import save_config
from microllm.evaluate import read_gold
from microllm.progress import bar
from microllm.provenance import provenance


@dataclass
class BenchConfig:
    """Which arms to time, on which queries, how often."""

    models: list[str] = field(default_factory=lambda: ["gemma-3-270m", "qwen2.5-coder-1.5b"])
    backend: str = "llamacpp"
    prompt: str = "few-shot"
    constrained: list[bool] = field(default_factory=lambda: [True, False])
    drafts: list[str] = field(default_factory=lambda: ["none"])  # llamacpp: "ngram" = speculative decoding
    queries_file: str = "data/synthetic/test.jsonl"
    n_queries: int = 20
    warmup: int = 2
    repeats: int = 3
    n_threads: int = 2
    reference: str = ""  # arm the ratios are relative to; default: the first
    results_dir: str = "results"
    run: str = "llamacpp"


def _arm_name(model: str, constrained: bool, draft: str = "none") -> str:
    name = f"{model}:{'constrained' if constrained else 'free'}"
    return name if draft == "none" else f"{name}:{draft}"


def _load_arms(cfg: BenchConfig, warm: list[str]) -> dict:
    """Load and warm each arm in turn; its memory is the RSS it added (weights touched, KV cache filled)."""
    from microllm.predictors import get_predictor

    arms, proc = {}, psutil.Process()
    for model in cfg.models:
        for constrained in cfg.constrained:
            for draft in cfg.drafts:
                before = proc.memory_info().rss
                extra = {} if draft == "none" else {"draft": draft}  # backends without drafting keep their signature
                pred = get_predictor(cfg.backend, model=model, prompt=cfg.prompt, constrained=constrained,
                                     n_threads=cfg.n_threads, **extra)  # fmt: skip
                for q in warm:  # fills the KV cache with the shared prefix, as in serving
                    pred.predict(q)
                arms[_arm_name(model, constrained, draft)] = {
                    "predictor": pred,
                    "rss_mb": (proc.memory_info().rss - before) / 2**20,
                }
    return arms


def _timed_pass(arms: dict, timed: list[str], samples: dict, shown) -> dict:
    """One pass over the timed queries, arms interleaved per query; each arm's p50, p95 and queries/s."""
    lat = {name: [] for name in arms}
    for q in timed:
        for name, arm in arms.items():
            pred = arm["predictor"]
            t0 = time.perf_counter()
            pred.predict(q)
            lat[name].append(time.perf_counter() - t0)
            shown.update(1)
            usage = getattr(pred, "last_usage", {})
            if usage.get("prompt_eval_s"):
                new = usage["prompt_tokens"] - usage["reused_prefix"]
                samples[name]["prompt_tps"].append(new / usage["prompt_eval_s"])
            if usage.get("decode_s"):
                samples[name]["gen_tps"].append(usage["completion_tokens"] / usage["decode_s"])
            if usage.get("speculative"):  # answer tokens per forward pass, the prompt's included (1.0 without)
                samples[name]["tok_per_pass"].append(usage["completion_tokens"] / usage["speculative"]["passes"])
    return {name: {"p50": np.percentile(lat[name], 50), "p95": np.percentile(lat[name], 95),
                   "qps": len(lat[name]) / sum(lat[name])} for name in arms}  # fmt: skip


def run_benchmark(cfg: BenchConfig, command: str | None = None) -> pd.DataFrame:
    """Time every arm on the same queries, interleaved per query so that drift hits all arms alike."""
    queries = [r["input"] for r in read_gold(cfg.queries_file, cfg.n_queries + cfg.warmup)]
    warm, timed = queries[: cfg.warmup], queries[cfg.warmup :]
    arms = _load_arms(cfg, warm)
    samples = {name: {"prompt_tps": [], "gen_tps": [], "tok_per_pass": []} for name in arms}
    per_repeat = {name: [] for name in arms}
    with bar(cfg.repeats * len(timed) * len(arms), desc=f"bench {cfg.run}", unit="query") as shown:
        for _ in range(cfg.repeats):
            for name, stats in _timed_pass(arms, timed, samples, shown).items():
                per_repeat[name].append(stats)
    rows = []
    for name, arm in arms.items():
        reps = per_repeat[name]
        size = arm["predictor"].resolved.size_bytes / 2**20
        rows.append({"arm": name, "p50_ms": 1000 * statistics.median(r["p50"] for r in reps),
                     "p95_ms": 1000 * statistics.median(r["p95"] for r in reps),
                     "queries_per_s": statistics.median(r["qps"] for r in reps),
                     "prompt_tok_s": statistics.median(samples[name]["prompt_tps"] or [float("nan")]),
                     "gen_tok_s": statistics.median(samples[name]["gen_tps"] or [float("nan")]),
                     "tokens_per_pass": statistics.mean(samples[name]["tok_per_pass"] or [1.0]),
                     "rss_added_mb": arm["rss_mb"], "size_mb": size})  # fmt: skip
    table = pd.DataFrame(rows)
    ref = cfg.reference or table["arm"].iloc[0]
    ref_p50 = table.loc[table["arm"] == ref, "p50_ms"].iloc[0]
    table[f"p50_vs_{ref}"] = table["p50_ms"] / ref_p50
    out = Path(cfg.results_dir) / "bench" / cfg.run
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    record = {"rows": table.to_dict("records"), "n_timed_queries": len(timed), "repeats": cfg.repeats,
              "provenance": provenance({"queries": cfg.queries_file}, command)}  # fmt: skip
    (out / "bench.json").write_text(json.dumps(record, indent=2) + "\n")
    (out / "bench.md").write_text(table.to_markdown(index=False, floatfmt=".2f") + "\n")
    return table
