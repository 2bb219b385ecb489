"""Tables and charts for notebook 02 (base models): loaded from results/, so the notebook only displays."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from microllm.report import CATEGORY_ORDER


def load_comparison(results_dir: str | Path, current_only: bool = False, rechecked: bool = False) -> pd.DataFrame:
    """Every arm of every comparison run under results/compare/, one row per arm x dataset.

    ``data_current`` says whether the arm was scored on the data file as it is on disk now (the sha256 in its
    provenance); a regenerated synthetic split leaves older arms behind. ``current_only`` keeps only current rows.
    Rechecked arms (backends.recheck) are a decoding mode of their own, only in the table with ``rechecked``."""
    frames = [pd.DataFrame(json.loads(p.read_text())) for p in sorted(Path(results_dir).glob("compare/*/summary.json"))]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    for flag in ("grounded", "rechecked"):  # runs from before each mode existed have no such column: all without it
        table[flag] = table[flag].astype("boolean").fillna(False).astype(bool) if flag in table else False
    if not rechecked:
        table = table[~table["rechecked"]]
    keys = ["model", "backend", "prompt", "constrained", "grounded", "rechecked", "dataset"]
    table = table.drop_duplicates(keys, keep="last")
    table["data_current"] = [_scored_on_current_data(m) for m in table["metrics"]]
    return table[table["data_current"]].reset_index(drop=True) if current_only else table.reset_index(drop=True)


def _scored_on_current_data(metrics_path: str) -> bool:
    """True when the arm's data file still has the sha256 it was scored on (or the record predates hashes)."""
    path = Path(metrics_path)
    if not path.is_file():
        return True
    m = json.loads(path.read_text())
    data = ((m.get("provenance") or {}).get("data") or {}).get("data") or {}
    if not data.get("sha256") or not Path(data.get("path", "")).is_file():
        return True
    return _sha256(data["path"]) == data["sha256"]


@functools.cache
def _sha256_cached(path: str, mtime: float) -> str:
    from microllm.provenance import file_sha256

    return file_sha256(path)


def _sha256(path: str) -> str:
    return _sha256_cached(path, Path(path).stat().st_mtime)


def load_unavailable(results_dir: str | Path) -> pd.DataFrame:
    """Models that could not be run, with the reason (from every comparison run)."""
    rows = [r for p in sorted(Path(results_dir).glob("compare/*/unavailable.json")) for r in json.loads(p.read_text())]
    return pd.DataFrame(rows, columns=["model", "reason"]).drop_duplicates("model")


def headline(table: pd.DataFrame, dataset: str = "dev") -> pd.DataFrame:
    """The comparison on one dataset, best first: exact match with its interval, validity, speed, size."""
    t = table[table["dataset"] == dataset].copy()
    t["exact match [95% CI]"] = [f"{e:.3f} [{lo:.3f}, {hi:.3f}]" for e, lo, hi in
                                 zip(t["exact_match"], t["em_ci95_low"], t["em_ci95_high"], strict=True)]  # fmt: skip
    cols = ["model", "prompt", "constrained", "grounded", "n", "exact match [95% CI]", "field_f1", "valid_json_rate",
            "p50_ms", "size_mb"]  # fmt: skip
    return t.sort_values("exact_match", ascending=False)[cols].reset_index(drop=True)


def plot_accuracy_latency(table: pd.DataFrame, baselines: pd.DataFrame | None = None, dataset: str = "dev"):
    """Exact match (with 95% CI) against median latency, log scale: up and to the left is better."""
    t = table[(table["dataset"] == dataset)]
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for (prompt, constrained), g in t.groupby(["prompt", "constrained"]):
        err = [g["exact_match"] - g["em_ci95_low"], g["em_ci95_high"] - g["exact_match"]]
        label = f"{prompt}, {'constrained' if constrained else 'free'}"
        ax.errorbar(g["p50_ms"], g["exact_match"], yerr=err, fmt="o", capsize=3, label=label)
        for _, r in g.iterrows():
            ax.annotate(r["model"], (r["p50_ms"], r["exact_match"]), fontsize=7, xytext=(4, 3),
                        textcoords="offset points")  # fmt: skip
    if baselines is not None and not baselines.empty:
        b = baselines[baselines["dataset"] == dataset]
        ax.scatter([0.5] * len(b), b["exact_match"], marker="s", color="grey", label="baselines (< 1 ms)")
        for _, r in b.iterrows():
            ax.annotate(r["predictor"], (0.5, r["exact_match"]), fontsize=7, xytext=(4, -8), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("median latency per request (ms, log scale; 2-core CPU)")
    ax.set_ylabel("exact match")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"Base models before fine-tuning: accuracy vs latency ({dataset})")
    ax.legend(fontsize=8, loc="best")
    plt.tight_layout()
    return fig


def per_category(table: pd.DataFrame, dataset: str = "dev") -> pd.DataFrame:
    """Exact match per category for each arm on one dataset (from each arm's metrics.json)."""
    cols = {}
    for _, r in table[table["dataset"] == dataset].iterrows():
        m = json.loads(Path(r["metrics"]).read_text())
        name = f"{r['model']} ({r['prompt']}{'' if r['constrained'] else ', free'}{', grounded' * r['grounded']})"
        cols[name] = {c: v["exact_match"] for c, v in m["per_category"].items()}
    out = pd.DataFrame(cols)
    return out.reindex([c for c in CATEGORY_ORDER if c in out.index])


def plot_per_category(cat_table: pd.DataFrame):
    """Grouped bars of exact match per category, one bar per arm."""
    ax = cat_table.plot.bar(figsize=(9, 4), width=0.8)
    ax.set_ylabel("exact match")
    ax.set_ylim(0, 1)
    ax.set_title("Exact match per category")
    ax.legend(fontsize=7, ncol=2)
    plt.tight_layout()
    return ax.figure


def constrained_effect(table: pd.DataFrame, dataset: str = "dev", prompt: str = "few-shot") -> pd.DataFrame:
    """Valid-JSON rate and exact match with and without constrained decoding, per model."""
    t = table[(table["dataset"] == dataset) & (table["prompt"] == prompt)]
    wide = t.pivot_table(index="model", columns="constrained", values=["valid_json_rate", "exact_match"])
    wide.columns = [f"{metric} ({'constrained' if c else 'free'})" for metric, c in wide.columns]
    return wide


def grounding_effect(table: pd.DataFrame, prompt: str = "trained") -> pd.DataFrame:
    """Exact match with and without grounded decoding, per model and dataset, for the models scored both ways."""
    t = table[(table["prompt"] == prompt) & table["constrained"]]
    wide = t.pivot_table(index=["model", "dataset"], columns="grounded", values="exact_match")
    if True not in wide.columns or False not in wide.columns:
        return pd.DataFrame()
    wide = wide.dropna().rename(columns={False: "plain", True: "grounded"})[["plain", "grounded"]]
    wide["gain"] = wide["grounded"] - wide["plain"]
    wide.index = wide.index.set_levels([Path(m).stem for m in wide.index.levels[0]], level=0)
    return wide.reset_index().rename_axis(columns=None)


def recheck_effect(results_dir: str | Path, run: str = "recheck") -> pd.DataFrame:
    """Grounded against rechecked decoding (backends.recheck) per model and dataset, from compare run ``run``:
    exact match, its gain, and median latency (the second decode costs time on clarify answers only)."""
    path = Path(results_dir) / "compare" / run / "summary.json"
    t = pd.DataFrame(json.loads(path.read_text())) if path.exists() else pd.DataFrame()
    if t.empty or "rechecked" not in t or t["rechecked"].nunique() < 2:
        return pd.DataFrame()
    wide = t.pivot_table(index=["model", "dataset", "n"], columns="rechecked", values=["exact_match", "p50_ms"])
    out = pd.DataFrame({"grounded": wide[("exact_match", False)], "rechecked": wide[("exact_match", True)]})
    out["gain"] = out["rechecked"] - out["grounded"]
    out["p50_ms grounded"], out["p50_ms rechecked"] = wide[("p50_ms", False)], wide[("p50_ms", True)]
    out = out.dropna().reset_index()
    out["model"] = [Path(m).stem for m in out["model"]]
    return out


def load_bench(results_dir: str | Path, run: str) -> pd.DataFrame:
    """The benchmark table of one run (results/bench/<run>/bench.json), or an empty frame."""
    path = Path(results_dir) / "bench" / run / "bench.json"
    return pd.DataFrame(json.loads(path.read_text())["rows"]) if path.exists() else pd.DataFrame()
