"""Tables and charts for notebook 02 (base models): loaded from results/, so the notebook only displays."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from microllm_research.report import CATEGORY_ORDER


def load_comparison(results_dir: str | Path, current_only: bool = False, rechecked: bool = False) -> pd.DataFrame:
    """Every arm of every comparison run under results/compare/, one row per arm x dataset.

    ``data_current`` says whether the arm was scored on the data file as it is on disk now (the sha256 in its
    provenance); a regenerated synthetic split leaves older arms behind. ``current_only`` keeps only current rows.
    Rechecked arms (microllm_research.recheck) are a decoding mode of their own, only in the table with
    ``rechecked``."""
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


def base_models(table: pd.DataFrame) -> pd.DataFrame:
    """The arms of general models as they come (zero-shot or few-shot prompts), without the fine-tuned ones."""
    return table[table["prompt"].isin(["zero-shot", "few-shot"])].reset_index(drop=True)


def headline(table: pd.DataFrame, dataset: str = "dev") -> pd.DataFrame:
    """The comparison on one dataset, best first, narrow enough for a page: exact match with its interval, valid JSON,
    median latency and file size, rounded."""
    t = table[table["dataset"] == dataset]
    return pd.DataFrame({
        "model": t["model"].map(lambda m: Path(m).stem if str(m).endswith(".gguf") else m), "prompt": t["prompt"],
        "decoding": ["grammar" if c else "free" for c in t["constrained"]], "n": t["n"],
        "exact match [95% CI]": [f"{e:.3f} [{lo:.3f}, {hi:.3f}]" for e, lo, hi in
                                 zip(t["exact_match"], t["em_ci95_low"], t["em_ci95_high"], strict=True)],
        "valid JSON": t["valid_json_rate"].round(3), "p50 ms": t["p50_ms"].round(), "MB": t["size_mb"].round(),
        "_em": t["exact_match"],
    }).sort_values("_em", ascending=False).drop(columns="_em").reset_index(drop=True)  # fmt: skip


def plot_accuracy_latency(table: pd.DataFrame, baselines: pd.DataFrame | None = None, dataset: str = "dev",
                          max_models: int = 6):  # fmt: skip
    """Exact match (with 95% CI) against median latency, log scale: up and to the left is better. One colour per
    model (at most ``max_models``), one marker per prompt and decoding mode; baselines as dashed horizontal lines."""
    t = table[(table["dataset"] == dataset)]
    models = list(dict.fromkeys(t["model"]))
    if len(models) > max_models:
        raise ValueError(f"{len(models)} models in one chart (at most {max_models})")
    markers = {("few-shot", True): "o", ("few-shot", False): "s", ("zero-shot", True): "^", ("zero-shot", False): "v"}
    colors = dict(zip(models, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for (model, prompt, constrained), g in t.groupby(["model", "prompt", "constrained"], sort=False):
        err = [g["exact_match"] - g["em_ci95_low"], g["em_ci95_high"] - g["exact_match"]]
        ax.errorbar(g["p50_ms"], g["exact_match"], yerr=err, fmt=markers.get((prompt, constrained), "D"), capsize=3,
                    color=colors[model], ms=7)  # fmt: skip
    handles = [plt.Line2D([], [], color=colors[m], marker="o", ls="", label=m) for m in models]
    modes = list(dict.fromkeys(zip(t["prompt"], t["constrained"], strict=True)))
    handles += [plt.Line2D([], [], color="black", marker=markers.get(k, "D"), ls="", mfc="none",
                           label=f"{k[0]}, {'grammar' if k[1] else 'free'}") for k in modes]  # fmt: skip
    if baselines is not None and not baselines.empty:
        b = baselines[baselines["dataset"] == dataset]
        for em, g in b.groupby(b["exact_match"].round(3)):  # baselines that tie share one line
            ax.axhline(em, color="grey", ls="--", lw=1)
            names = " and ".join(g["predictor"])
            ax.annotate(f"{names} baseline{'s' * (len(g) > 1)} ({em:.2f}, < 1 ms)", (0, em),
                        xycoords=("axes fraction", "data"), xytext=(4, 3), textcoords="offset points", fontsize=8,
                        color="dimgrey")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("median latency per request (ms, log scale; 2-core CPU)")
    ax.set_ylabel(f"exact match ({dataset}, 95% CI)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"General models, prompted: accuracy vs latency ({dataset})")
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
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


def plot_per_category(cat_table: pd.DataFrame, max_series: int = 6):
    """Grouped bars of exact match per category, one bar per arm (at most ``max_series`` arms)."""
    if cat_table.shape[1] > max_series:
        raise ValueError(f"{cat_table.shape[1]} arms in one chart (at most {max_series}): pick the arms")
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
    short = {"valid_json_rate": "valid JSON", "exact_match": "exact match"}
    wide.columns = [f"{short[metric]}, {'grammar' if c else 'free'}" for metric, c in wide.columns]
    return wide.round(3)


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
    """Grounded against rechecked decoding (microllm_research.recheck) per model and dataset, from compare run
    ``run``: exact match, its gain, and median latency (the second decode costs time on clarify answers only)."""
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


def bench_table(results_dir: str | Path, run: str) -> pd.DataFrame:
    """The benchmark of one run, narrow: per arm its median and 95th-percentile latency and throughput, rounded."""
    t = load_bench(results_dir, run)
    if t.empty:
        return t
    cols = {"arm": "arm", "p50_ms": "p50 ms", "p95_ms": "p95 ms", "queries_per_s": "queries/s"}
    return t[[c for c in cols if c in t]].rename(columns=cols).round({"p50 ms": 0, "p95 ms": 0, "queries/s": 2})
