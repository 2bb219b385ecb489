"""A/B test: micro model vs general model vs the router of both, on the same queries in one process.

Per arm and data set: exact match with a bootstrap CI, valid-JSON rate, latency, CPU-seconds and cost per query,
model size and memory, and paired McNemar tests between arms.
``microllm ab --config recipes/qwen-coder-0.5b-lora/ab.yaml``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
from scipy.stats import binomtest

from microllm.calibration import calibration_summary
from microllm.config import load_config, save_config
from microllm.decode import DECODER
from microllm.evaluate import read_gold
from microllm.predictors import get_predictor
from microllm.provenance import file_sha256, provenance
from microllm.router import GENERAL, MICRO, LLMRouter, routing_quality
from microllm.rules import recorded_signature, resolve_rules, rules_signature
from microllm.runner import write_jsonl_rows
from microllm.score import row_results, summarize

WARMUP_QUERIES = ("Add DNS record api.local to 10.0.0.5", "Create group devs", "Why is my DNS not working?")
_THREADED = ("llamacpp", "transformers")  # predictors that take n_threads


@dataclass
class ABConfig:
    """Arms are ``{"predictor": name, "kwargs": {...}}`` or ``{"router": {"micro": arm, "general": arm, ...}}``."""

    arms: dict[str, dict] = field(default_factory=lambda: {
        "micro": {"predictor": "rules"}, "general": {"predictor": "classic"},
        "routed": {"router": {"micro": "micro", "general": "general", "strategy": "confidence", "threshold": 0.5}},
    })  # fmt: skip
    datasets: dict[str, str] = field(
        default_factory=lambda: {"dev": "data/eval/dev.jsonl", "test": "data/synthetic/test.jsonl"}
    )
    limits: dict[str, int] = field(default_factory=dict)  # per data set; absent = every row
    n_threads: int = 2
    price_per_core_hour: float = 0.04  # what one CPU core costs per hour (e.g. a cloud vCPU), in your currency
    warmup: int = 2  # fixed requests per model before timing (fills the KV cache with the shared prompt prefix)
    bootstrap_resamples: int = 2000
    seed: int = 0
    results_dir: str = "results"
    run: str = "micro-vs-general"


def mcnemar(a_correct: list[bool], b_correct: list[bool]) -> dict:
    """Exact McNemar test of two arms on the same rows: a two-sided binomial test on the discordant pairs."""
    a, b = np.asarray(a_correct, bool), np.asarray(b_correct, bool)
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    n = only_a + only_b
    p = binomtest(only_a, n, 0.5).pvalue if n else 1.0
    return {"only_a_correct": only_a, "only_b_correct": only_b, "n_discordant": n, "p_value": float(p)}


def _load(cfg: ABConfig) -> tuple[dict, dict, dict]:
    """Base arms loaded once each (with the RSS each added); routers over those very objects."""
    base, routers, info, proc = {}, {}, {}, psutil.Process()
    for name, spec in cfg.arms.items():
        if "router" in spec:
            continue
        kwargs = dict(spec.get("kwargs") or {})
        if spec["predictor"] in _THREADED:
            kwargs.setdefault("n_threads", cfg.n_threads)
        before = proc.memory_info().rss
        pred = get_predictor(spec["predictor"], **kwargs)
        for q in WARMUP_QUERIES[: cfg.warmup]:
            pred.predict(q)
        resolved = getattr(pred, "resolved", None)
        base[name] = pred
        info[name] = {"predictor": pred.name, "rss_load_mb": (proc.memory_info().rss - before) / 2**20,
                      "model_size_mb": resolved.size_bytes / 2**20 if resolved else None}  # fmt: skip
    for name, spec in cfg.arms.items():
        if "router" in spec:
            r = dict(spec["router"])
            parts = (r.pop("micro"), r.pop("general"))
            if missing := [p for p in parts if p not in base]:
                raise ValueError(f"arm {name!r} routes to {missing}, which are not predictor arms")
            routers[name] = (LLMRouter(base[parts[0]], base[parts[1]], **r), *parts)
            sizes = [info[p]["model_size_mb"] for p in parts]
            info[name] = {"predictor": f"router:{r.get('strategy', 'confidence')}:{parts[0]}+{parts[1]}",
                          "rss_load_mb": sum(info[p]["rss_load_mb"] for p in parts),
                          "model_size_mb": None if None in sizes else sum(sizes)}  # fmt: skip
    return base, routers, info


def _run_rows(rows: list[dict], base: dict, routers: dict) -> dict[str, list[dict]]:
    """Every query through every arm, interleaved per query (base arms in rotating order).

    A routed arm does not ask the models again: the same greedy model gives the same answer, and asking twice
    would find the whole prompt already in the KV cache and look faster than serving it would be. Its cost is
    the routing itself plus the micro run (always, for the confidence strategy) and the general run if escalated.
    """
    out: dict[str, list[dict]] = {name: [] for name in [*base, *routers]}
    names = list(base)
    for i, row in enumerate(rows):
        q, got = row["input"], {}
        for name in names[i % len(names) :] + names[: i % len(names)]:
            t0, c0 = time.perf_counter(), time.process_time()
            pred = base[name].predict(q)
            got[name] = {"pred": pred, "ms": 1000 * (time.perf_counter() - t0), "cpu_s": time.process_time() - c0}
        for name, (router, m, g) in routers.items():
            t0, c0 = time.perf_counter(), time.process_time()
            route, reason = router.choose(q, got[m]["pred"])
            ms, cpu = 1000 * (time.perf_counter() - t0), time.process_time() - c0
            asked = [m] if route == MICRO or router.strategy == "confidence" else []
            asked += [g] if route == GENERAL else []
            got[name] = {"pred": got[m if route == MICRO else g]["pred"], "route": route, "reason": reason,
                         "ms": ms + sum(got[u]["ms"] for u in asked),
                         "cpu_s": cpu + sum(got[u]["cpu_s"] for u in asked)}  # fmt: skip
        for name, r in got.items():
            out[name].append(r)
    return out


def _arm_metrics(cfg: ABConfig, rows: list[dict], results: list[dict], info: dict) -> tuple[dict, list[bool]]:
    preds = [r["pred"] for r in results]
    per_row = row_results([r["output"] for r in rows], [p.intent for p in preds])
    s = summarize(per_row, [r.get("category") or r["output"]["action"] for r in rows], cfg.bootstrap_resamples,
                  cfg.seed)  # fmt: skip
    exact = per_row["exact"].tolist()
    ms, cpu = [r["ms"] for r in results], float(np.mean([r["cpu_s"] for r in results]))
    m = {**info, "n": s.n, "exact_match": s.exact_match, "exact_match_ci95": s.exact_match_ci95,
         "field_f1": s.field_f1, "action_accuracy": s.action_accuracy, "valid_json_rate": s.valid_json_rate,
         "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)), "cpu_s_per_query": cpu,
         "cost_per_million": cpu / 3600 * cfg.price_per_core_hour * 1e6,
         "calibration": calibration_summary([p.confidence for p in preds], exact)}  # fmt: skip
    if "route" in results[0]:
        m["routing"] = routing_quality(rows, [r["route"] for r in results])
    return m, exact


def run_ab(cfg: ABConfig, command: str | None = None) -> pd.DataFrame:
    """Run every arm over every data set; write results/ab/<run>/{config.yaml, metrics.json, predictions.jsonl}."""
    base, routers, info = _load(cfg)
    metrics: dict = {"arms": {}, "mcnemar": {}}
    lines, table = [], []
    for ds, path in cfg.datasets.items():
        rows = read_gold(path, cfg.limits.get(ds))
        results = _run_rows(rows, base, routers)
        exact = {}
        for name, res in results.items():
            m, exact[name] = _arm_metrics(cfg, rows, res, info[name])
            metrics["arms"].setdefault(name, {})[ds] = m
            lo, hi = m["exact_match_ci95"]
            table.append({"arm": name, "data": ds, "n": m["n"], "exact_match": m["exact_match"], "em_low": lo,
                          "em_high": hi, "valid_json": m["valid_json_rate"], "p50_ms": m["p50_ms"],
                          "p95_ms": m["p95_ms"], "cpu_s_per_query": m["cpu_s_per_query"],
                          "cost_per_million": m["cost_per_million"], "size_mb": m["model_size_mb"]})  # fmt: skip
            for row, r, ok in zip(rows, res, exact[name], strict=True):
                p = r["pred"]
                lines.append({"data": ds, "id": row.get("id"), "arm": name, "input": row["input"],
                              "output": p.intent, "gold": row["output"], "exact": ok, "confidence": p.confidence,
                              "error": p.error, "latency_ms": r["ms"], "cpu_s": r["cpu_s"],
                              "route": r.get("route"), "reason": r.get("reason")})  # fmt: skip
        metrics["mcnemar"][ds] = {f"{a} vs {b}": mcnemar(exact[a], exact[b])
                                  for a, b in itertools.combinations(results, 2)}  # fmt: skip
    metrics["process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    metrics["price_per_core_hour"] = cfg.price_per_core_hour
    # The intent rules each predictor arm's answers went through (router arms: those of the arm answering).
    metrics["rules"] = {name: rules_signature(p.rules) for name, p in base.items() if getattr(p, "rules", ())}
    metrics["decoder"] = DECODER  # microllm.decode: the loop behind every model arm's answers
    metrics["provenance"] = provenance(cfg.datasets, command)
    out = Path(cfg.results_dir) / "ab" / cfg.run
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False, default=float) + "\n")
    write_jsonl_rows(lines, out / "predictions.jsonl")
    return pd.DataFrame(table)


def _arm_rules(spec: dict) -> tuple[str, ...]:
    """The intent rules a predictor arm runs: its ``rules`` kwarg, else the default ones when it is grounded."""
    kwargs = spec.get("kwargs") or {}
    return resolve_rules(kwargs.get("rules"), str(kwargs.get("ground", False)).lower() in ("1", "true", "yes", "on"))


def _settled(cfg: ABConfig) -> ABConfig:
    """``cfg`` with each predictor arm's ``rules`` spelled as the names they stand for: a grounded arm without
    ``rules`` and one with ``rules: default`` are the same arm."""
    arms = {name: {**spec, "kwargs": {**(spec.get("kwargs") or {}), "rules": list(_arm_rules(spec))}}
            if "predictor" in spec else spec for name, spec in cfg.arms.items()}  # fmt: skip
    return dataclasses.replace(cfg, arms=arms)


def _recorded_rules(recorded: dict, names: list[str]) -> dict[str, str]:
    """Arm -> rules signature of an A/B record; a record from before signatures holds one legacy ``"finish"``
    version for all its grounded arms (:func:`microllm.rules.recorded_signature`)."""
    if isinstance(recorded.get("rules"), dict):
        return recorded["rules"]
    legacy = recorded_signature({"finish": recorded["finish"]}) if "finish" in recorded else None
    return {name: legacy for name in names} if legacy else {}


def _is_current(cfg: ABConfig, out: Path) -> bool:
    """Whether results/ab/<run>/ were made by this very config, on these data files, after its model files, and
    under the current versions of its arms' intent rules."""
    files = [out / n for n in ("config.yaml", "metrics.json", "predictions.jsonl")]
    if not all(p.is_file() for p in files) or _settled(load_config(ABConfig, files[0])) != _settled(cfg):
        return False
    recorded = json.loads(files[1].read_text())
    if recorded.get("decoder") != DECODER:  # answers from another decoding loop
        return False
    want = {name: rules_signature(_arm_rules(s)) for name, s in cfg.arms.items() if "predictor" in s}
    want = {name: sig for name, sig in want.items() if sig}
    if _recorded_rules(recorded, list(want)) != want:  # made under other rules, or other versions of them
        return False
    data = recorded.get("provenance", {}).get("data", {})
    if any(data.get(k, {}).get("sha256") != file_sha256(v) for k, v in cfg.datasets.items()):
        return False
    models = [Path(str((s.get("kwargs") or {}).get("model", ""))) for s in cfg.arms.values() if "predictor" in s]
    return all(files[1].stat().st_mtime >= m.stat().st_mtime for m in models if m.suffix == ".gguf" and m.is_file())


def ab_or_load(cfg: ABConfig, command: str | None = None) -> dict:
    """The metrics of ``cfg``'s finished A/B run when this very config made them, on the same data and after the
    last change to its GGUF files (notebooks rerun top to bottom without timing every model again); else run it."""
    out = Path(cfg.results_dir) / "ab" / cfg.run
    if not _is_current(cfg, out):
        run_ab(cfg, command)
    return json.loads((out / "metrics.json").read_text())
