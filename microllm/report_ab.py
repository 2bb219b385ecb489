"""Notebook 05's tables and charts, read from results/ab/<run>/ as :func:`microllm.ab.run_ab` writes it: metrics.json
(per arm and data set; McNemar per pair of arms) and predictions.jsonl (one line per arm x data set x query)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from microllm.calibration import calibration_summary, expected_calibration_error, plot_reliability
from microllm.data.io import read_jsonl
from microllm.report import CATEGORY_ORDER
from microllm.router import routing_quality
from microllm.schema import DOMAIN_OF_ACTION


def load_metrics(results_dir: str | Path, run: str) -> dict:
    """results/ab/<run>/metrics.json."""
    return json.loads((Path(results_dir) / "ab" / run / "metrics.json").read_text())


def load_predictions(results_dir: str | Path, run: str) -> pd.DataFrame:
    """One row per arm x data set x query, with the category of the gold intent's action."""
    df = pd.DataFrame(read_jsonl(Path(results_dir) / "ab" / run / "predictions.jsonl"))
    df["category"] = [DOMAIN_OF_ACTION.get(g["action"], g["action"]) for g in df["gold"]]
    return df


def ab_table(results_dir: str | Path, run: str) -> pd.DataFrame:
    """Per data set and arm: exact match with its 95% CI, valid JSON, p50/p95 latency, memory (the process peak,
    all models loaded together, and what each arm's load added), size on disk, CPU-seconds and cost per query."""
    m, rows = load_metrics(results_dir, run), []
    for data in dict.fromkeys(d for per_data in m["arms"].values() for d in per_data):
        for arm, per_data in m["arms"].items():
            a = per_data[data]
            lo, hi = a["exact_match_ci95"]
            rows.append({"data": data, "arm": arm, "predictor": a["predictor"], "n": a["n"],
                         "exact_match": a["exact_match"], "em_ci95_low": lo, "em_ci95_high": hi,
                         "valid_json_rate": a["valid_json_rate"], "p50_ms": a["p50_ms"], "p95_ms": a["p95_ms"],
                         "process_peak_rss_mb": m["process_peak_rss_mb"], "rss_added_mb": a["rss_load_mb"],
                         "size_mb": a["model_size_mb"], "cpu_s_per_query": a["cpu_s_per_query"],
                         "cost_per_million": a["cost_per_million"]})  # fmt: skip
    return pd.DataFrame(rows)


def targets(results_dir: str | Path, run: str, data: str = "dev", micro: str = "micro", general: str = "general"):
    """The A/B targets, checked: micro at least as exact as general, p50 at least 5x faster and under 0.5 s, model
    under a quarter of the general model's size (``met`` is None where a number is missing, e.g. no model file)."""
    t = ab_table(results_dir, run).set_index(["data", "arm"])
    a, b = t.loc[(data, micro)], t.loc[(data, general)]
    ratio = a["size_mb"] / b["size_mb"] if pd.notna(a["size_mb"]) and pd.notna(b["size_mb"]) else None
    rows = [("exact match: micro >= general", a["exact_match"], b["exact_match"], a["exact_match"] - b["exact_match"],
             a["exact_match"] >= b["exact_match"]),
            ("p50 speed-up (general / micro) >= 5", a["p50_ms"], b["p50_ms"], b["p50_ms"] / a["p50_ms"],
             b["p50_ms"] >= 5 * a["p50_ms"]),
            ("size on disk (micro / general) < 0.25", a["size_mb"], b["size_mb"], ratio,
             None if ratio is None else ratio < 0.25),
            ("micro p50 < 500 ms", a["p50_ms"], None, None, a["p50_ms"] < 500)]  # fmt: skip
    return pd.DataFrame(rows, columns=["target", micro, general, "value", "met"])


def mcnemar_table(results_dir: str | Path, run: str) -> pd.DataFrame:
    """Exact McNemar test for every pair of arms on each data set (discordant pairs and two-sided p-value)."""
    tests = load_metrics(results_dir, run)["mcnemar"]
    rows = [{"data": data, **dict(zip(("arm_a", "arm_b"), pair.split(" vs "), strict=True)), **test}
            for data, pairs in tests.items() for pair, test in pairs.items()]  # fmt: skip
    return pd.DataFrame(rows)


def plot_accuracy_latency(results_dir: str | Path, run: str, data: str = "dev") -> Figure:
    """Exact match (95% CI error bars) against p50 latency on a log scale: up and to the left is better."""
    t = ab_table(results_dir, run).query("data == @data")
    ax = Figure(figsize=(6.5, 4)).subplots()
    for _, r in t.iterrows():
        err = [[r["exact_match"] - r["em_ci95_low"]], [r["em_ci95_high"] - r["exact_match"]]]
        ax.errorbar([r["p50_ms"]], [r["exact_match"]], yerr=err, fmt="o", capsize=3, label=r["arm"])
        ax.annotate(r["arm"], (r["p50_ms"], r["exact_match"]), textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.set(xscale="log", ylim=(-0.02, 1.02), xlabel="p50 latency per query (ms, log scale)", ylabel="exact match",
           title=f"A/B: accuracy against latency ({data})")  # fmt: skip
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def plot_latency_distributions(results_dir: str | Path, run: str, data: str = "dev", target_ms: float = 500) -> Figure:
    """Empirical CDF of per-query latency for each arm (log scale), with the micro model's p50 target."""
    p = load_predictions(results_dir, run)
    ax = Figure(figsize=(6.5, 4)).subplots()
    for arm, g in p[p["data"] == data].groupby("arm", sort=False):
        ms = np.sort(g["latency_ms"].to_numpy())
        ax.step(ms, np.arange(1, len(ms) + 1) / len(ms), where="post", label=arm)
    ax.axvline(target_ms, ls="--", color="grey", lw=1, label=f"{target_ms:g} ms target")
    ax.set(xscale="log", ylim=(0, 1.01), xlabel="latency per query (ms, log scale)", ylabel="fraction of queries",
           title=f"Latency distribution per arm ({data})")  # fmt: skip
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def per_category(results_dir: str | Path, run: str, data: str = "dev") -> pd.DataFrame:
    """Exact match per category (rows) and arm (columns), with the number of queries per category."""
    p = load_predictions(results_dir, run)
    p = p[p["data"] == data]
    table = p.pivot_table(index="category", columns="arm", values="exact", aggfunc="mean", sort=False)
    table = table[list(dict.fromkeys(p["arm"]))].astype(float)
    table["n"] = p[p["arm"] == p["arm"].iloc[0]].groupby("category").size()
    return table.reindex([c for c in CATEGORY_ORDER if c in table.index])


def plot_per_category(results_dir: str | Path, run: str, data: str = "dev") -> Figure:
    """Grouped bars: exact match per category, one bar per arm."""
    ax = Figure(figsize=(9, 4)).subplots()
    per_category(results_dir, run, data).drop(columns="n").plot.bar(ax=ax, width=0.8)
    ax.set(ylim=(0, 1.02), ylabel="exact match", xlabel="", title=f"Exact match per category ({data})")
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def plot_cost(results_dir: str | Path, run: str, data: str = "dev") -> Figure:
    """Cost per million queries per arm (CPU-seconds per query x the configured price of a core-hour)."""
    t = ab_table(results_dir, run).query("data == @data")
    price = load_metrics(results_dir, run)["price_per_core_hour"]
    ax = Figure(figsize=(6, 3.5)).subplots()
    bars = ax.bar(t["arm"], t["cost_per_million"], color="tab:green")
    ax.bar_label(bars, labels=[f"{v:.3g}" for v in t["cost_per_million"]], fontsize=8)
    ax.set(ylabel="cost per million queries", title=f"CPU cost at {price:g} per core-hour ({data})")
    ax.figure.tight_layout()
    return ax.figure


def calibration_table(results_dir: str | Path, run: str, arm: str = "micro") -> pd.DataFrame:
    """Per data set, the arm's confidence against exact match: ECE, error-detection AUROC, and the lowest threshold
    whose accepted answers are 99% exact, with the share of queries it accepts (coverage)."""
    p, rows = load_predictions(results_dir, run), []
    for data, g in p[p["arm"] == arm].groupby("data", sort=False):
        s = calibration_summary(g["confidence"].tolist(), g["exact"].tolist())
        rows.append({"data": data, "n": s["n"], "n_missing": s["n_missing"], "ece": s["ece"],
                     "error_auroc": s["error_auroc"], **{k: s["accept"][k] for k in
                     ("target", "threshold", "precision", "coverage", "n_accepted")}})  # fmt: skip
    return pd.DataFrame(rows)


def plot_calibration(results_dir: str | Path, run: str, arm: str = "micro", data: str = "dev") -> Figure:
    """Reliability diagram of the arm's confidence on one data set (microllm.calibration.plot_reliability)."""
    p = load_predictions(results_dir, run)
    g = p[(p["arm"] == arm) & (p["data"] == data)]
    conf, exact = g["confidence"].tolist(), g["exact"].tolist()
    return plot_reliability(conf, exact, title=f"{arm} ({data}): ECE {expected_calibration_error(conf, exact):.3f}")


def routing_table(results_dir: str | Path, run: str) -> pd.DataFrame:
    """Per routed arm and data set: microllm.router.routing_quality of its routes against the gold scope (in scope:
    the gold action is not ``unknown``), with the routed arm's exact match."""
    p, rows = load_predictions(results_dir, run), []
    routed = p[p["route"].notna()] if "route" in p else p.iloc[:0]
    for (arm, data), g in routed.groupby(["arm", "data"], sort=False):
        quality = routing_quality([{"output": gold} for gold in g["gold"]], g["route"].tolist())
        rows.append({"arm": arm, "data": data, "exact_match": g["exact"].mean(), **quality})
    return pd.DataFrame(rows)
